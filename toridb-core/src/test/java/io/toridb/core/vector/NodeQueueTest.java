package io.toridb.core.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The queue places every node exactly where Redis's linear pq_push would, ties and a full queue
 * included, checked against a direct transcription of that scan on random pushes (with repeated
 * distances, so that ties are common, and with NaN, which switches the queue to the scans).
 */
class NodeQueueTest {
  /** Redis's pq_push as written, on plain arrays: the reference. */
  private static final class Reference {
    final Hnsw.Node[] nodes;
    final float[] distances;
    int count;

    Reference(int cap) {
      nodes = new Hnsw.Node[cap];
      distances = new float[cap];
    }

    void push(Hnsw.Node node, float distance) {
      int cap = nodes.length;
      if (count < cap) {
        int i = count;
        while (i > 0 && distances[i - 1] < distance) {
          nodes[i] = nodes[i - 1];
          distances[i] = distances[i - 1];
          i--;
        }
        nodes[i] = node;
        distances[i] = distance;
        count++;
      } else {
        if (cap == 0 || distance >= distances[0]) {
          return;
        }
        int i = 0;
        while (i < cap - 1 && distances[i + 1] > distance) {
          nodes[i] = nodes[i + 1];
          distances[i] = distances[i + 1];
          i++;
        }
        nodes[i] = node;
        distances[i] = distance;
      }
    }
  }

  @Test
  void pushes_matchRedisLinearScans() {
    Random r = new Random(3);
    for (int round = 0; round < 2000; round++) {
      int cap = r.nextInt(12);
      NodeQueue q = new NodeQueue(cap);
      Reference ref = new Reference(cap);
      boolean nan = round % 10 == 0;
      for (int k = 0; k < 40; k++) {
        Hnsw.Node node = new Hnsw.Node(k + 1, 0, null, 4);
        float d = nan && r.nextInt(8) == 0 ? Float.NaN : r.nextInt(6) / 4f;
        q.push(node, d);
        ref.push(node, d);
        assertEquals(ref.count, q.count);
        for (int i = 0; i < ref.count; i++) {
          assertSame(ref.nodes[i], q.nodes[i], "round " + round + " push " + k + " slot " + i);
          assertEquals(ref.distances[i], q.distances[i]);
        }
        if (r.nextInt(5) == 0 && q.count > 0) {
          // Taking the nearest, as a search does.
          q.count--;
          ref.count--;
        }
      }
    }
  }
}
