package io.toridb.core.zset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The counted B+ tree and the member index against simple models (a TreeSet of entries, a HashMap)
 * under random operations, with the tree's structural invariants checked as it goes. Sizes reach a
 * few thousand entries so that leaves and inner nodes split, merge and share.
 */
class ScoreTreePropertiesTest {
  /** One (score, member) entry in the model, ordered as Redis orders them. */
  record Entry(double score, byte[] member) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      return ScoreTree.compare(score, member, o.score, o.member);
    }
  }

  private static byte[] member(Random r, int space) {
    return ("m" + r.nextInt(space)).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static double score(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> r.nextInt(10); // many ties, so members decide the order
      case 1 -> r.nextDouble() * 1000 - 500;
      case 2 -> r.nextBoolean() ? -0.0 : 0.0;
      case 3 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      default -> r.nextInt(1_000_000);
    };
  }

  @Property(tries = 100)
  void tree_matchesSortedModel(
      @ForAll long seed,
      @ForAll @IntRange(min = 10, max = 4000) int space,
      @ForAll @IntRange(min = 100, max = 6000) int steps) {
    Random r = new Random(seed);
    // Small nodes reach every split, merge and share case with few entries.
    int[] leafSizes = {4, 5, 6, 8, ScoreTree.LEAF_CAPACITY};
    int[] innerSizes = {4, 5, 8, ScoreTree.INNER_CAPACITY};
    ScoreTree tree =
        new ScoreTree(
            leafSizes[r.nextInt(leafSizes.length)], innerSizes[r.nextInt(innerSizes.length)]);
    TreeSet<Entry> model = new TreeSet<>();
    Map<String, Entry> byMember = new HashMap<>();
    for (int step = 0; step < steps; step++) {
      int op = r.nextInt(10);
      byte[] m = member(r, space);
      String key = new String(m, StandardCharsets.ISO_8859_1);
      Entry existing = byMember.get(key);
      if (op < 5) {
        if (existing != null) {
          assertNotNull(tree.delete(existing.score, existing.member));
          model.remove(existing);
        }
        Entry e = new Entry(score(r), m);
        tree.insert(e.score, e.member);
        model.add(e);
        byMember.put(key, e);
      } else if (op < 8) {
        if (existing == null) {
          assertNull(tree.delete(0, m));
        } else {
          assertNotNull(tree.delete(existing.score, existing.member));
          model.remove(existing);
          byMember.remove(key);
        }
      } else if (op == 8 && existing != null) {
        assertEquals(model.headSet(existing).size(), tree.rank(existing.score, existing.member));
      } else if (!model.isEmpty()) {
        int rank = r.nextInt(model.size());
        Entry expected = new ArrayList<>(model).get(rank);
        ScoreTree.Cursor c = tree.at(rank);
        assertEquals(expected.score, c.score());
        assertArrayEquals(expected.member, c.member());
        double bound = score(r);
        int below = (int) model.stream().filter(e -> e.score < bound).count();
        assertEquals(below, tree.countBefore((s, mm) -> s < bound));
      }
      assertEquals(model.size(), tree.size());
      if (step % 97 == 0) {
        tree.checkInvariants();
      }
    }
    tree.checkInvariants();
    assertSameOrder(model, tree);
    // Empty it completely: every removal keeps the structure valid.
    List<Entry> all = new ArrayList<>(model);
    java.util.Collections.shuffle(all, r);
    for (int i = 0; i < all.size(); i++) {
      assertNotNull(tree.delete(all.get(i).score, all.get(i).member));
      if (i % 53 == 0) {
        tree.checkInvariants();
      }
    }
    assertEquals(0, tree.size());
    assertFalse(tree.first().valid());
    tree.checkInvariants();
  }

  @Property(tries = 20)
  void tree_orderedLoadsFillLeaves(@ForAll boolean descending, @ForAll long seed) {
    ScoreTree tree = seed % 2 == 0 ? new ScoreTree() : new ScoreTree(4, 4);
    int n = 5000;
    for (int i = 0; i < n; i++) {
      int k = descending ? n - i : i;
      tree.insert(k, ("m" + k).getBytes(StandardCharsets.ISO_8859_1));
    }
    tree.checkInvariants();
    ScoreTree.Cursor c = tree.first();
    for (int i = 0; i < n; i++, c.next()) {
      assertEquals(descending ? i + 1 : i, c.score());
    }
    assertFalse(c.valid());
    Random r = new Random(seed);
    for (int i = 0; i < 100; i++) {
      int rank = r.nextInt(n);
      assertEquals(descending ? rank + 1 : rank, tree.at(rank).score());
    }
  }

  private static void assertSameOrder(TreeSet<Entry> model, ScoreTree tree) {
    ScoreTree.Cursor c = tree.first();
    for (Entry e : model) {
      assertTrue(c.valid());
      assertEquals(e.score, c.score());
      assertArrayEquals(e.member, c.member());
      c.next();
    }
    assertFalse(c.valid());
    ScoreTree.Cursor back = tree.last();
    for (Entry e : model.descendingSet()) {
      assertArrayEquals(e.member, back.member());
      back.prev();
    }
    assertFalse(back.valid());
  }

  @Property(tries = 40)
  void memberIndex_matchesHashMap_andScanSeesEveryStableMember(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 3000) int space) {
    Random r = new Random(seed);
    MemberIndex index = new MemberIndex(0);
    Map<String, Double> model = new HashMap<>();
    for (int step = 0; step < 4000; step++) {
      byte[] m = member(r, space);
      String key = new String(m, StandardCharsets.ISO_8859_1);
      if (r.nextInt(3) > 0) {
        double s = r.nextInt(100);
        assertEquals(!model.containsKey(key), index.put(m, s));
        model.put(key, s);
      } else {
        assertEquals(model.remove(key) != null, index.remove(m));
      }
      assertEquals(model.size(), index.size());
    }
    for (Map.Entry<String, Double> e : model.entrySet()) {
      assertEquals(e.getValue(), index.get(e.getKey().getBytes(StandardCharsets.ISO_8859_1)));
    }
    assertTrue(Double.isNaN(index.get("absent".getBytes(StandardCharsets.ISO_8859_1))));
    // A scan with members added and removed between steps (the table grows and shrinks) still
    // returns each member present throughout at least once.
    java.util.Set<String> stable = new java.util.HashSet<>(model.keySet());
    java.util.Set<String> seen = new java.util.HashSet<>();
    long cursor = 0;
    int churn = 0;
    do {
      cursor =
          index.scanStep(cursor, (m, s) -> seen.add(new String(m, StandardCharsets.ISO_8859_1)));
      for (int k = 0; k < 5; k++) {
        byte[] extra = ("x" + churn++).getBytes(StandardCharsets.ISO_8859_1);
        if (r.nextBoolean()) {
          index.put(extra, 1);
        } else {
          index.remove(("x" + r.nextInt(Math.max(1, churn))).getBytes(StandardCharsets.ISO_8859_1));
        }
      }
    } while (cursor != 0);
    assertTrue(seen.containsAll(stable), "scan missed members");
  }

  @Property(tries = 200)
  void strtod_agreesWithJavaOnDecimalText(@ForAll double d) {
    String text = Double.toString(d).replace("E", "e");
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    if (Double.isNaN(d)) {
      assertTrue(Double.isNaN(Strtod.string2d(b)));
    } else if (Double.isInfinite(d)) {
      assertEquals(d, Strtod.string2d(("" + (d > 0 ? "inf" : "-inf")).getBytes()));
    } else {
      assertEquals(d, Strtod.string2d(b));
    }
  }

  @Property(tries = 1)
  void strtod_fixedCases() {
    Object[][] cases = {
      {"0x10", 16.0},
      {"0x1p-2", 0.25},
      {"0X1.8P1", 3.0},
      {"1e3", 1000.0},
      {"-Infinity", Double.NEGATIVE_INFINITY},
      {"1e400", Double.NaN},
      {"1e-400", Double.NaN},
      {"4.9e-324", 4.9e-324},
      {" 1", Double.NaN},
      {"1 ", Double.NaN},
      {"", Double.NaN},
      {"1e", Double.NaN},
      {".", Double.NaN},
      {"0x", Double.NaN},
      {"nan", Double.NaN},
      {"1\u00002", Double.NaN},
    };
    for (Object[] c : cases) {
      double got = Strtod.string2d(((String) c[0]).getBytes(StandardCharsets.ISO_8859_1));
      assertEquals((double) c[1], got, 0.0, Arrays.toString(c));
    }
  }
}
