package io.toridb.core.zset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.zset.ScoreTreePropertiesTest.Entry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * ZSetValue against a model (a sorted set of entries and a member map) under random additions with
 * every ZADD flag combination, removals, rank and range queries and range removals, with listpack
 * limits that make the value change form during the run. The model follows Redis's zsetAdd,
 * including the listpack's -0 becoming 0.
 */
class ZSetValuePropertiesTest {
  private static final int[] FLAG_SETS = {
    0,
    ZSetValue.IN_NX,
    ZSetValue.IN_XX,
    ZSetValue.IN_GT,
    ZSetValue.IN_LT,
    ZSetValue.IN_XX | ZSetValue.IN_GT,
    ZSetValue.IN_XX | ZSetValue.IN_LT,
    ZSetValue.IN_INCR,
    ZSetValue.IN_INCR | ZSetValue.IN_NX,
    ZSetValue.IN_INCR | ZSetValue.IN_XX,
    ZSetValue.IN_INCR | ZSetValue.IN_GT
  };

  private static final long[] MAX_ENTRIES = {0, 1, 3, 16, 128, 100_000};
  private static final long[] MAX_VALUE = {0, 2, 3, 64};

  @Property(tries = 150)
  void value_matchesModel(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 500) int space,
      @ForAll boolean sameScores) {
    Random r = new Random(seed);
    ZSetLimits limits =
        new ZSetLimits(
            MAX_ENTRIES[r.nextInt(MAX_ENTRIES.length)], MAX_VALUE[r.nextInt(MAX_VALUE.length)]);
    ZSetValue z = ZSetValue.forFirstMember(2, limits);
    TreeSet<Entry> model = new TreeSet<>();
    Map<String, Entry> byMember = new HashMap<>();
    ZSetValue.AddOutcome out = new ZSetValue.AddOutcome();
    boolean wasPacked = z.isPacked();
    for (int step = 0; step < 1500; step++) {
      byte[] m = ("m" + r.nextInt(space)).getBytes(StandardCharsets.ISO_8859_1);
      String key = new String(m, StandardCharsets.ISO_8859_1);
      Entry old = byMember.get(key);
      int op = r.nextInt(12);
      if (op < 6) {
        int flags = FLAG_SETS[r.nextInt(FLAG_SETS.length)];
        double score = sameScores ? 0 : score(r);
        boolean ok = z.add(score, m, flags, limits, out);
        // The model's zsetAdd.
        double target = score;
        int expectFlags;
        if (old != null) {
          if ((flags & ZSetValue.IN_NX) != 0) {
            expectFlags = ZSetValue.OUT_NOP;
          } else {
            if ((flags & ZSetValue.IN_INCR) != 0) {
              target += old.score();
            }
            if (Double.isNaN(target)) {
              assertFalse(ok);
              assertEquals(ZSetValue.OUT_NAN, out.flags);
              continue;
            }
            boolean lt = (flags & ZSetValue.IN_LT) != 0;
            boolean gt = (flags & ZSetValue.IN_GT) != 0;
            if ((lt && target >= old.score()) || (gt && target <= old.score())) {
              expectFlags = ZSetValue.OUT_NOP;
            } else if (target != old.score()) {
              expectFlags = ZSetValue.OUT_UPDATED;
            } else {
              expectFlags = 0;
            }
          }
        } else {
          expectFlags = (flags & ZSetValue.IN_XX) != 0 ? ZSetValue.OUT_NOP : ZSetValue.OUT_ADDED;
        }
        assertTrue(ok);
        assertEquals(expectFlags, out.flags, "flags for " + key);
        if (expectFlags == ZSetValue.OUT_ADDED || expectFlags == ZSetValue.OUT_UPDATED) {
          assertEquals(target, out.score);
          if (z.isPacked()) {
            target += 0.0; // a listpack has no -0
          }
          if (old != null) {
            model.remove(old);
          }
          Entry e = new Entry(target, m);
          model.add(e);
          byMember.put(key, e);
        }
      } else if (op < 8) {
        assertEquals(old != null, z.remove(m));
        if (old != null) {
          model.remove(old);
          byMember.remove(key);
        }
      } else if (op == 8) {
        double expected = old == null ? Double.NaN : old.score();
        assertEquals(expected, z.score(m));
        long rank = old == null ? -1 : model.headSet(old).size();
        assertEquals(rank, z.rank(m, false));
        assertEquals(old == null ? -1 : model.size() - 1 - rank, z.rank(m, true));
      } else if (op == 9) {
        ScoreRange range = new ScoreRange(score(r), r.nextBoolean(), score(r), r.nextBoolean());
        List<Entry> list = new ArrayList<>(model);
        assertEquals(firstIn(list, range), z.firstInRange(range), range::toString);
        assertEquals(lastIn(list, range), z.lastInRange(range), range::toString);
      } else if (op == 10 && sameScores) {
        byte[] lo = ("m" + r.nextInt(space)).getBytes(StandardCharsets.ISO_8859_1);
        byte[] hi = ("m" + r.nextInt(space)).getBytes(StandardCharsets.ISO_8859_1);
        String loArg = (r.nextBoolean() ? "[" : "(") + new String(lo, StandardCharsets.ISO_8859_1);
        String hiArg = (r.nextBoolean() ? "[" : "(") + new String(hi, StandardCharsets.ISO_8859_1);
        LexRange range =
            LexRange.parse(
                r.nextInt(8) == 0 ? new byte[] {'-'} : loArg.getBytes(StandardCharsets.ISO_8859_1),
                r.nextInt(8) == 0 ? new byte[] {'+'} : hiArg.getBytes(StandardCharsets.ISO_8859_1));
        List<Entry> list = new ArrayList<>(model);
        int first = -1;
        for (int i = 0; i < list.size(); i++) {
          if (range.aboveMin(list.get(i).member()) && range.belowMax(list.get(i).member())) {
            first = first == -1 ? i : first;
          }
        }
        int last = -1;
        for (int i = list.size() - 1; i >= 0; i--) {
          if (range.aboveMin(list.get(i).member()) && range.belowMax(list.get(i).member())) {
            last = last == -1 ? i : last;
          }
        }
        assertEquals(first, z.firstInLexRange(range));
        assertEquals(last, z.lastInLexRange(range));
      } else if (!model.isEmpty()) {
        int from = r.nextInt(model.size());
        int count = 1 + r.nextInt(Math.min(5, model.size() - from));
        List<Entry> list = new ArrayList<>(model);
        z.removeRange(from, count);
        for (int i = from; i < from + count; i++) {
          model.remove(list.get(i));
          byMember.remove(new String(list.get(i).member(), StandardCharsets.ISO_8859_1));
        }
      }
      assertEquals(model.size(), z.size());
      // Never back to the listpack once converted.
      assertTrue(wasPacked || !z.isPacked());
      wasPacked = z.isPacked();
      if (step % 50 == 0) {
        assertSameEntries(model, z);
      }
    }
    assertSameEntries(model, z);
    ZSetValue copy = (ZSetValue) z.copy();
    assertTrue(copy.sameEntries(z));
    assertEquals(z.encoding(), copy.encoding());
  }

  private static double score(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> r.nextInt(5);
      case 1 -> r.nextBoolean() ? -0.0 : 0.0;
      case 2 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      case 3 -> r.nextDouble() * 10 - 5;
      default -> r.nextInt(100) - 50;
    };
  }

  private static int firstIn(List<Entry> list, ScoreRange range) {
    if (range.isEmpty()) {
      return -1;
    }
    for (int i = 0; i < list.size(); i++) {
      if (range.aboveMin(list.get(i).score())) {
        return range.belowMax(list.get(i).score()) ? i : -1;
      }
    }
    return -1;
  }

  private static int lastIn(List<Entry> list, ScoreRange range) {
    if (range.isEmpty()) {
      return -1;
    }
    for (int i = list.size() - 1; i >= 0; i--) {
      if (range.belowMax(list.get(i).score())) {
        return range.aboveMin(list.get(i).score()) ? i : -1;
      }
    }
    return -1;
  }

  private static void assertSameEntries(TreeSet<Entry> model, ZSetValue z) {
    int i = 0;
    for (Entry e : model) {
      ZSetValue.Cursor c = z.cursor(i++);
      assertEquals(e.score(), c.score());
      assertArrayEquals(e.member(), c.member());
    }
    List<Entry> descending = new ArrayList<>();
    z.forEachDescending((m, s) -> descending.add(new Entry(s, m)));
    assertEquals(model.size(), descending.size());
    int k = 0;
    for (Entry e : model.descendingSet()) {
      assertArrayEquals(e.member(), descending.get(k++).member());
    }
  }
}
