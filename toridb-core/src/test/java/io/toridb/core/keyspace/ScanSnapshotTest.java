package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScanSnapshotTest {
  /** An element with a chosen hash. */
  record Item(String name, int hash) {}

  private static ScanSnapshot<Item> snapshotOf(List<Item> items) {
    return ScanSnapshot.of(items.iterator(), Item::hash, items.size());
  }

  private static List<Item> call(ScanSnapshot<Item> s, long cursor, long count, long[] next) {
    List<Item> out = new ArrayList<>();
    next[0] = s.scan(cursor, count, out::add);
    return out;
  }

  @Test
  void scan_walksHashesInUnsignedOrder() {
    List<Item> items =
        List.of(
            new Item("neg", -1),
            new Item("max", Integer.MAX_VALUE),
            new Item("zero", 0),
            new Item("min", Integer.MIN_VALUE),
            new Item("five", 5));
    ScanSnapshot<Item> s = snapshotOf(items);
    long[] next = new long[1];
    List<String> order = new ArrayList<>();
    long cursor = 0;
    do {
      for (Item i : call(s, cursor, 1, next)) {
        order.add(i.name());
      }
      cursor = next[0];
    } while (cursor != 0);
    assertEquals(List.of("zero", "five", "max", "min", "neg"), order);
  }

  @Test
  void scan_cursorIsNextHashPlusOne() {
    ScanSnapshot<Item> s = snapshotOf(List.of(new Item("a", 10), new Item("b", 20)));
    long[] next = new long[1];
    assertEquals(List.of(new Item("a", 10)), call(s, 0, 1, next));
    assertEquals(21, next[0]);
    assertEquals(List.of(new Item("b", 20)), call(s, 21, 1, next));
    assertEquals(0, next[0]);
    // A cursor between elements resumes at the next hash above it.
    assertEquals(List.of(new Item("b", 20)), call(s, 12, 1, next));
    assertEquals(0, next[0]);
    assertEquals(List.of(), call(s, 22, 1, next));
    assertEquals(0, next[0]);
  }

  @Test
  void scan_equalHashesTravelTogether() {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      items.add(new Item("same" + i, 7));
    }
    items.add(new Item("later", 8));
    ScanSnapshot<Item> s = snapshotOf(items);
    long[] next = new long[1];
    assertEquals(5, call(s, 0, 1, next).size());
    assertEquals(9, next[0]);
    assertEquals(1, call(s, next[0], 1, next).size());
    assertEquals(0, next[0]);
  }

  @Test
  void scan_cursorBeyondHashSpace_endsTheIteration() {
    ScanSnapshot<Item> s = snapshotOf(List.of(new Item("top", -1)));
    long[] next = new long[1];
    assertEquals(1, call(s, 0xFFFF_FFFFL + 1, 10, next).size());
    assertEquals(0, next[0]);
    assertEquals(List.of(), call(s, 0xFFFF_FFFFL + 2, 10, next));
    assertEquals(List.of(), call(s, -1, 10, next));
    assertEquals(0, next[0]);
  }

  @Test
  void scan_emptySnapshot() {
    ScanSnapshot<Item> s = snapshotOf(List.of());
    long[] next = {7};
    assertEquals(List.of(), call(s, 0, 10, next));
    assertEquals(0, next[0]);
    assertEquals(0, s.size());
  }

  /**
   * Random element sets, random counts, and a new snapshot (of a different superset of the stable
   * elements) at every call: every stable element is returned, the iteration ends.
   */
  @Test
  void scan_guarantee_holdsAcrossChangingSnapshots() {
    Random r = new Random(42);
    for (int round = 0; round < 200; round++) {
      int stableCount = r.nextInt(300);
      List<Item> stable = new ArrayList<>();
      for (int i = 0; i < stableCount; i++) {
        // A small hash range forces many collisions.
        stable.add(new Item("s" + i, r.nextBoolean() ? r.nextInt(64) : r.nextInt()));
      }
      Set<Item> seen = new HashSet<>();
      long cursor = 0;
      int calls = 0;
      do {
        List<Item> current = new ArrayList<>(stable);
        for (int i = r.nextInt(100); i > 0; i--) {
          current.add(new Item("t" + r.nextInt(), r.nextInt(64)));
        }
        long[] next = new long[1];
        seen.addAll(call(snapshotOf(current), cursor, 1 + r.nextInt(20), next));
        assertTrue(next[0] == 0 || Long.compareUnsigned(next[0], cursor) > 0, "cursor advances");
        cursor = next[0];
        calls++;
      } while (cursor != 0);
      assertTrue(seen.containsAll(stable), "round " + round);
      assertTrue(calls <= stable.size() + 200);
    }
  }

  @Test
  void scan_onAStaticSnapshot_returnsEachElementExactlyOnce() {
    Random r = new Random(7);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      items.add(new Item("e" + i, r.nextInt(2000)));
    }
    ScanSnapshot<Item> s = snapshotOf(items);
    Map<Item, Integer> counts = new HashMap<>();
    long cursor = 0;
    do {
      long[] next = new long[1];
      for (Item i : call(s, cursor, 3, next)) {
        counts.merge(i, 1, Integer::sum);
      }
      cursor = next[0];
    } while (cursor != 0);
    assertEquals(5000, counts.size());
    assertTrue(counts.values().stream().allMatch(c -> c == 1));
  }
}
