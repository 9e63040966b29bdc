package io.toridb.core.vector;

import io.toridb.core.vector.Hnsw.Node;

/**
 * Nodes ordered by distance, holding at most {@code cap}: the farthest first in the array, so that
 * taking the nearest is a decrement, as Redis's own queue does (ties keep the same order).
 */
final class NodeQueue {
  final Node[] nodes;
  final float[] distances;
  int count;

  NodeQueue(int cap) {
    nodes = new Node[cap];
    distances = new float[cap];
  }

  void push(Node node, float distance) {
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

  /** The i-th nearest node. */
  Node node(int i) {
    return nodes[count - i - 1];
  }

  float distance(int i) {
    return distances[count - i - 1];
  }

  float farthest() {
    return count == 0 ? Float.POSITIVE_INFINITY : distances[0];
  }
}
