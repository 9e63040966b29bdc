package io.toridb.core.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The graph under churn (every link reciprocal, none to itself or twice, within capacity, the node
 * list and count in step), its recall against an exact scan, and the vector arithmetic Redis's
 * replies depend on (normalization, Q8 and binary quantization, distances).
 */
class HnswTest {
  private static float[] random(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static byte[] name(int i) {
    return ("e" + i).getBytes();
  }

  /** Checks every structural invariant and returns the nodes in the list. */
  static List<Hnsw.Node> checkInvariants(Hnsw g) {
    List<Hnsw.Node> nodes = new ArrayList<>();
    Map<Hnsw.Node, Boolean> inList = new IdentityHashMap<>();
    Hnsw.Node prev = null;
    for (Hnsw.Node n = g.head; n != null; n = n.next) {
      assertSame(prev, n.prev, "list back link");
      nodes.add(n);
      inList.put(n, true);
      prev = n;
    }
    assertEquals(g.size, nodes.size(), "count");
    int top = -1;
    for (Hnsw.Node n : nodes) {
      top = Math.max(top, n.level);
      for (int layer = 0; layer <= n.level; layer++) {
        assertTrue(n.linkCount[layer] <= n.links[layer].length, "within the array");
        assertTrue(n.links[layer].length <= n.maxLinks(layer), "array within capacity");
        Set<Hnsw.Node> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (int j = 0; j < n.linkCount[layer]; j++) {
          Hnsw.Node t = n.links[layer][j];
          assertNotNull(t);
          assertTrue(t != n, "no self link");
          assertTrue(seen.add(t), "no repeated link");
          assertTrue(inList.containsKey(t), "link to a node of the graph");
          assertTrue(t.level >= layer, "link within the target's levels");
          boolean back = false;
          for (int k = 0; k < t.linkCount[layer]; k++) {
            back |= t.links[layer][k] == n;
          }
          assertTrue(back, "reciprocal link");
        }
      }
    }
    if (!nodes.isEmpty()) {
      assertNotNull(g.enterPoint);
      assertTrue(inList.containsKey(g.enterPoint));
      assertEquals(g.enterPoint.level, g.maxLevel);
    }
    return nodes;
  }

  @ParameterizedTest
  @ValueSource(ints = {Hnsw.QUANT_NONE, Hnsw.QUANT_Q8, Hnsw.QUANT_BIN})
  void insertsDeletesAndUpdates_keepTheGraphConsistent(int quant) {
    Random r = new Random(7 + quant);
    VectorSet set = new VectorSet(16, quant, 8);
    Set<Integer> present = new HashSet<>();
    for (int step = 0; step < 3000; step++) {
      int id = r.nextInt(400);
      if (r.nextInt(4) == 0) {
        assertEquals(present.remove(id), set.remove(name(id)));
      } else {
        assertEquals(present.add(id), set.add(name(id), random(r, 16), null, 50));
      }
    }
    List<Hnsw.Node> nodes = checkInvariants(set.graph);
    assertEquals(present.size(), nodes.size());
    for (int id : present) {
      assertNotNull(set.node(name(id)));
    }
  }

  @Test
  void deletingEveryNode_leavesAnEmptyGraph() {
    Random r = new Random(3);
    VectorSet set = new VectorSet(8, Hnsw.QUANT_NONE, 4);
    for (int i = 0; i < 200; i++) {
      set.add(name(i), random(r, 8), null, 20);
    }
    for (int i = 199; i >= 0; i--) {
      assertTrue(set.remove(name(i)));
      checkInvariants(set.graph);
    }
    assertEquals(0, set.size());
    assertEquals(null, set.graph.enterPoint);
  }

  @ParameterizedTest
  @ValueSource(ints = {Hnsw.QUANT_NONE, Hnsw.QUANT_Q8})
  void search_findsMostOfTheExactNearestNeighbours(int quant) {
    Random r = new Random(11);
    VectorSet set = new VectorSet(32, quant, 16);
    for (int i = 0; i < 3000; i++) {
      set.add(name(i), random(r, 32), null, 200);
    }
    Hnsw g = set.graph;
    int hits = 0;
    int total = 0;
    for (int q = 0; q < 50; q++) {
      Hnsw.Node query = g.queryNode(random(r, 32));
      NodeQueue exact = g.scan(query, 10, null);
      NodeQueue approx = g.search(query, 100, null, 0);
      Set<Hnsw.Node> found = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      for (int i = 0; i < Math.min(10, approx.count); i++) {
        found.add(approx.node(i));
      }
      for (int i = 0; i < exact.count; i++) {
        total++;
        if (found.contains(exact.node(i))) {
          hits++;
        }
      }
      for (int i = 1; i < approx.count; i++) {
        assertTrue(approx.distance(i - 1) <= approx.distance(i), "nearest first");
      }
    }
    assertTrue(hits >= total * 0.9, "recall " + hits + "/" + total);
  }

  @Test
  void q8_scalesByTheLargestComponent_andRoundsHalvesAwayFromZero() {
    Hnsw g = new Hnsw(4, Hnsw.QUANT_Q8, 16);
    float[] range = new float[1];
    byte[] q = (byte[]) g.quantize(new float[] {0.5f, -0.25f, -0.5f, 0.0f}, range);
    assertEquals(0.5f, range[0]);
    assertArrayEquals(new byte[] {127, -64, -127, 0}, q);
    // -0.25 * 254 = -63.5 exactly: C's roundf gives -64 where Math.round would give -63.
  }

  @Test
  void distances_runFromZeroForTheSameDirectionToTwoForOpposite() {
    for (int quant : new int[] {Hnsw.QUANT_NONE, Hnsw.QUANT_Q8, Hnsw.QUANT_BIN}) {
      Hnsw g = new Hnsw(3, quant, 16);
      Hnsw.Node a = g.queryNode(new float[] {1, 2, 3});
      Hnsw.Node same = g.queryNode(new float[] {2, 4, 6});
      Hnsw.Node opposite = g.queryNode(new float[] {-1, -2, -3});
      assertEquals(0.0, g.distance(a, same), 0.02, "quant " + quant);
      assertEquals(2.0, g.distance(a, opposite), 0.02, "quant " + quant);
    }
    Hnsw q8 = new Hnsw(2, Hnsw.QUANT_Q8, 16);
    Hnsw.Node zero = q8.queryNode(new float[] {0, 0});
    assertEquals(1.0f, q8.distance(zero, q8.queryNode(new float[] {1, 0})));
  }

  @Test
  void vectorOf_givesBackTheInputScaledByItsLength() {
    VectorSet set = new VectorSet(3, Hnsw.QUANT_NONE, 16);
    set.add("a".getBytes(), new float[] {3, 0, 4}, null, 10);
    float[] v = set.graph.vectorOf(set.node("a".getBytes()));
    assertArrayEquals(new float[] {3, 0, 4}, v, 1e-6f);
    VectorSet bin = new VectorSet(3, Hnsw.QUANT_BIN, 16);
    bin.add("a".getBytes(), new float[] {3, -1, 0}, null, 10);
    assertArrayEquals(new float[] {1, -1, -1}, bin.graph.vectorOf(bin.node("a".getBytes())));
  }

  @Test
  void randomNode_reachesEveryNodeOfASmallSet() {
    Random r = new Random(5);
    VectorSet set = new VectorSet(4, Hnsw.QUANT_NONE, 16);
    for (int i = 0; i < 5; i++) {
      set.add(name(i), random(r, 4), null, 10);
    }
    Set<Hnsw.Node> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      seen.add(set.graph.randomNode());
    }
    assertEquals(5, seen.size());
  }

  @Test
  void copy_isIndependentOfTheOriginal() {
    Random r = new Random(9);
    VectorSet set = new VectorSet(8, Hnsw.QUANT_Q8, 8);
    for (int i = 0; i < 100; i++) {
      set.add(name(i), random(r, 8), ("{\"i\":" + i + "}").getBytes(), 40);
    }
    VectorSet copy = (VectorSet) set.copy();
    for (int i = 0; i < 50; i++) {
      set.remove(name(i));
    }
    assertEquals(100, copy.size());
    assertEquals(100, copy.attributeCount());
    checkInvariants(copy.graph);
    checkInvariants(set.graph);
    assertNotNull(copy.node(name(3)));
  }
}
