package io.toridb.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The packed node storage against a plain sorted map of the same entries: random appends (same
 * fields as a node's first entry or not, empty, long and binary values), deletions and trims, then
 * lookups and ranges both ways with random bounds and counts, and copies.
 */
class StreamValueTest {
  private static byte[] bytes(Random r, int max) {
    byte[] b = new byte[r.nextInt(max + 1)];
    r.nextBytes(b);
    return b;
  }

  private static byte[][] entry(Random r) {
    if (r.nextInt(3) > 0) {
      return new byte[][] {"f".getBytes(), bytes(r, r.nextInt(10) == 0 ? 400 : 8)};
    }
    int n = 1 + r.nextInt(4);
    byte[][] fv = new byte[2 * n][];
    for (int i = 0; i < fv.length; i++) {
      fv[i] = bytes(r, r.nextInt(20) == 0 ? 20_000 : 6);
    }
    return fv;
  }

  private static void check(StreamValue s, TreeMap<StreamId, byte[][]> model, Random r) {
    assertEquals(model.size(), s.length());
    assertEquals(model.isEmpty() ? StreamId.MIN : model.firstKey(), s.firstId());
    assertEquals(model.isEmpty() ? StreamId.MIN : model.lastKey(), s.lastValidId());
    List<StreamId> keys = new ArrayList<>(model.keySet());
    for (int k = 0; k < 20; k++) {
      StreamId a = new StreamId(r.nextInt(1200), r.nextInt(3));
      StreamId b = new StreamId(r.nextInt(1200), r.nextInt(3));
      if (!keys.isEmpty() && keys.get(0).ms() > 1_000_000) {
        b = StreamId.MAX;
      }
      if (!keys.isEmpty() && r.nextBoolean()) {
        a = keys.get(r.nextInt(keys.size()));
      }
      boolean rev = r.nextBoolean();
      int count = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(30);
      NavigableMap<StreamId, byte[][]> want =
          a.compareTo(b) > 0 ? new TreeMap<>() : model.subMap(a, true, b, true);
      if (rev) {
        want = want.descendingMap();
      }
      List<StreamValue.Ref> got = s.range(a, b, rev, count);
      int i = 0;
      for (Map.Entry<StreamId, byte[][]> e : want.entrySet()) {
        if (count != 0 && i == count) {
          break;
        }
        assertEquals(e.getKey(), got.get(i).id());
        assertArrayEquals(e.getValue(), got.get(i).fieldsAndValues());
        i++;
      }
      assertEquals(i, got.size());
      StreamId probe =
          !keys.isEmpty() && r.nextBoolean()
              ? keys.get(r.nextInt(keys.size()))
              : new StreamId(r.nextInt(1200), r.nextInt(3));
      byte[][] fv = s.entry(probe);
      if (model.containsKey(probe)) {
        assertArrayEquals(model.get(probe), fv);
      } else {
        assertNull(fv);
      }
    }
  }

  @Test
  void randomOperations_matchASortedMap() {
    Random r = new Random(7);
    for (int round = 0; round < 20; round++) {
      StreamValue s = new StreamValue();
      TreeMap<StreamId, byte[][]> model = new TreeMap<>();
      long maxBytes = r.nextBoolean() ? 4096 : 0;
      long maxEntries = r.nextBoolean() ? 1 + r.nextInt(20) : 0;
      // Half the rounds use IDs whose milliseconds or sequence outgrow 32 bits within a node.
      boolean big = round % 2 == 1;
      long ms = big ? Long.MAX_VALUE - 5_000_000_000L : 1;
      for (int step = 0; step < 600; step++) {
        int op = r.nextInt(10);
        if (op < 6) {
          ms += big && r.nextInt(50) == 0 ? 5_000_000_000L : r.nextInt(3);
          StreamId id = s.lastId().ms() == ms ? s.lastId().next() : new StreamId(ms, 0);
          if (big && r.nextInt(40) == 0) {
            id =
                new StreamId(
                    ms, (1L << 32) + r.nextInt(1000) + (id.seq() > (1L << 32) ? id.seq() : 0));
          }
          byte[][] fv = entry(r);
          s.append(id, fv, maxBytes, maxEntries);
          model.put(id, fv);
        } else if (op < 8 && !model.isEmpty()) {
          List<StreamId> keys = new ArrayList<>(model.keySet());
          StreamId id = keys.get(r.nextInt(keys.size()));
          assertEquals(true, s.delete(id));
          assertEquals(false, s.delete(id));
          model.remove(id);
        } else if (op == 8) {
          long keep = r.nextInt(200);
          boolean approx = r.nextBoolean();
          long deleted = s.trim(keep, null, approx, 0);
          for (long d = 0; d < deleted; d++) {
            model.pollFirstEntry();
          }
          if (!approx) {
            assertEquals(Math.min(keep, model.size()), model.size());
          }
        } else {
          StreamId min = new StreamId(Math.max(1, ms - r.nextInt(40)), 0);
          if (big && r.nextBoolean() && !model.isEmpty()) {
            List<StreamId> keys = new ArrayList<>(model.keySet());
            min = keys.get(r.nextInt(keys.size()));
          }
          s.trim(0, min, false, 0);
          model.headMap(min, false).clear();
        }
        if (step % 50 == 0) {
          check(s, model, r);
          check((StreamValue) s.copy(), model, r);
        }
      }
      check(s, model, r);
    }
  }
}
