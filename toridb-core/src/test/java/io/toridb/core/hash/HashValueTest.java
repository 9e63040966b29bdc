package io.toridb.core.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.keyspace.DatasetDigest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The storage: digests as Redis computes them, copies, and the hash table under churn. */
class HashValueTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static HashValue hash(boolean table, String... pairs) {
    HashValue h = new HashValue();
    for (int i = 0; i < pairs.length; i += 2) {
      h.set(b(pairs[i]), b(pairs[i + 1]), table ? 0 : 512, 64);
    }
    assertEquals(table ? "hashtable" : "listpack", h.encoding());
    return h;
  }

  @Test
  void digest_matchesRedisForEitherEncodingAndAnyOrder() {
    // DEBUG DIGEST-VALUE of HSET h a 1 b 2 c "" on Redis 7.0.15.
    String expected = "47c326e16ab608d7f5261c75c966e7d5f19cd337";
    assertEquals(expected, DatasetDigest.ofValue(hash(false, "a", "1", "b", "2", "c", "")));
    assertEquals(expected, DatasetDigest.ofValue(hash(false, "c", "", "b", "2", "a", "1")));
    assertEquals(expected, DatasetDigest.ofValue(hash(true, "a", "1", "b", "2", "c", "")));
  }

  @Test
  void digest_ofHashTable_matchesRedis() {
    // HSET big f <70 x> g 1 on Redis 7.0.15, encoded "hashtable" there.
    HashValue h = hash(false, "g", "1");
    h.set(b("f"), b("x".repeat(70)), 512, 64);
    assertEquals("hashtable", h.encoding());
    assertEquals("f8de54181b539f5220421e5a526a44a44b3398da", DatasetDigest.ofValue(h));
  }

  @Test
  void copy_isIndependentOfTheOriginal() {
    for (boolean table : new boolean[] {false, true}) {
      HashValue h = hash(table, "a", "1", "b", "2");
      HashValue c = (HashValue) h.copy();
      assertEquals(h.encoding(), c.encoding());
      c.set(b("a"), b("9"), 512, 64);
      c.delete(b("b"));
      c.set(b("z"), b("26"), 512, 64);
      assertArrayEquals(b("1"), h.get(b("a")));
      assertArrayEquals(b("2"), h.get(b("b")));
      assertNull(h.get(b("z")));
      assertEquals(2, h.size());
      assertEquals(
          DatasetDigest.ofValue(hash(false, "a", "9", "z", "26")), DatasetDigest.ofValue(c));
    }
  }

  @Test
  void forEach_visitsEveryPairInIterationOrder() {
    for (boolean table : new boolean[] {false, true}) {
      HashValue h = hash(table, "z", "1", "a", "2", "m", "");
      Map<String, String> seen = new java.util.LinkedHashMap<>();
      h.forEach(
          (f, v) ->
              seen.put(
                  new String(f, StandardCharsets.ISO_8859_1),
                  new String(v, StandardCharsets.ISO_8859_1)));
      assertEquals(Map.of("z", "1", "a", "2", "m", ""), seen);
      if (!table) {
        assertEquals(java.util.List.of("z", "a", "m"), new java.util.ArrayList<>(seen.keySet()));
      }
    }
  }

  @Test
  void set_reportsWhetherTheFieldIsNew() {
    HashValue h = new HashValue();
    assertTrue(h.set(b("a"), b("1"), 512, 64));
    assertFalse(h.set(b("a"), b("2"), 512, 64));
    assertTrue(h.delete(b("a")));
    assertFalse(h.delete(b("a")));
    assertEquals(0, h.size());
  }

  @Test
  void packedPairs_handleLongLengthPrefixes() {
    HashValue h = new HashValue();
    String big = "y".repeat(70_000);
    h.set(b("f"), b(big), 512, 1_000_000);
    h.set(b(big), b("v"), 512, 1_000_000);
    h.set(b("g"), b(""), 512, 1_000_000);
    assertEquals("listpack", h.encoding());
    assertArrayEquals(b(big), h.get(b("f")));
    assertArrayEquals(b("v"), h.get(b(big)));
    h.set(b("f"), b("short"), 512, 1_000_000);
    assertArrayEquals(b("short"), h.get(b("f")));
    assertArrayEquals(b(""), h.get(b("g")));
    h.delete(b(big));
    assertEquals(2, h.size());
    assertArrayEquals(b("short"), h.get(b("f")));
  }

  @Test
  void pairTable_matchesHashMapUnderChurn() {
    Random random = new Random(42);
    PairTable t = new PairTable(0);
    Map<String, String> model = new HashMap<>();
    for (int i = 0; i < 200_000; i++) {
      // Phases of growth and shrinkage so the table resizes both ways.
      int range = (i / 20_000) % 2 == 0 ? 50_000 : 500;
      String f = "f" + random.nextInt(range);
      if (random.nextInt(3) > 0 || (i / 20_000) % 2 == 0) {
        String v = "v" + i;
        assertEquals(!model.containsKey(f), t.put(b(f), b(v)));
        model.put(f, v);
      } else {
        assertEquals(model.remove(f) != null, t.remove(b(f)));
      }
      if (i % 10_000 == 0) {
        checkSame(model, t);
      }
    }
    checkSame(model, t);
  }

  private static void checkSame(Map<String, String> model, PairTable t) {
    assertEquals(model.size(), t.size());
    for (Map.Entry<String, String> e : model.entrySet()) {
      int pos = t.find(b(e.getKey()));
      assertTrue(pos >= 0, e.getKey());
      assertArrayEquals(b(e.getValue()), t.value(pos));
    }
    Set<String> iterated = new HashSet<>();
    for (int p = t.first(); p >= 0; p = t.next(p)) {
      iterated.add(new String(t.field(p), StandardCharsets.ISO_8859_1));
    }
    assertEquals(model.keySet(), iterated);
    // A scan with a small count visits every field exactly once when nothing changes.
    Set<String> scanned = new HashSet<>();
    long cursor = 0;
    int[] visits = {0};
    do {
      cursor =
          t.scan(
              cursor,
              3,
              p -> {
                visits[0]++;
                scanned.add(new String(t.field(p), StandardCharsets.ISO_8859_1));
              });
    } while (cursor != 0);
    assertEquals(model.keySet(), scanned);
    assertEquals(model.size(), visits[0]);
  }

  @Test
  void pairTable_staysWithinItsLoadBounds() {
    PairTable t = new PairTable(0);
    for (int i = 0; i < 100_000; i++) {
      t.put(b("field:" + i), b("v"));
    }
    // 100,000 pairs fit 2^17 home slots at 76% load.
    assertTrue(t.slots() < (1 << 17) + 1024, "slots " + t.slots());
    for (int i = 0; i < 99_990; i++) {
      t.remove(b("field:" + i));
    }
    assertTrue(t.slots() < 1024, "slots after shrinking " + t.slots());
  }
}
