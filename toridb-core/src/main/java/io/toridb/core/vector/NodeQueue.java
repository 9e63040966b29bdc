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

  /**
   * Set once a NaN distance has been pushed: the entries may then be out of order, and positions
   * are found by Redis's own scans instead of a binary search.
   */
  private boolean unordered;

  /**
   * Inserts {@code node} at the place Redis's pq_push gives it: after every entry at least as far
   * (ties: the newest nearer the taking end); when full, only if nearer than the farthest, which it
   * replaces. Positions are found by binary search while the entries are in order (the same place
   * the linear scans find) and entries are moved in blocks.
   */
  void push(Node node, float distance) {
    int cap = nodes.length;
    if (Float.isNaN(distance)) {
      unordered = true;
    }
    if (count < cap) {
      int i = unordered ? scanUp(distance) : searchUp(distance);
      System.arraycopy(nodes, i, nodes, i + 1, count - i);
      System.arraycopy(distances, i, distances, i + 1, count - i);
      nodes[i] = node;
      distances[i] = distance;
      count++;
    } else {
      if (cap == 0 || distance >= distances[0]) {
        return;
      }
      int i = unordered ? scanDown(distance) : searchDown(distance);
      System.arraycopy(nodes, 1, nodes, 0, i);
      System.arraycopy(distances, 1, distances, 0, i);
      nodes[i] = node;
      distances[i] = distance;
    }
  }

  /** Where pq_push's scan from the nearest end stops: past every entry nearer than {@code d}. */
  private int scanUp(float d) {
    int i = count;
    while (i > 0 && distances[i - 1] < d) {
      i--;
    }
    return i;
  }

  /** {@link #scanUp} on entries in order (descending): the first entry nearer than {@code d}. */
  private int searchUp(float d) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (distances[mid] < d) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Where a full queue's scan from the farthest end stops: before the first entry not farther. */
  private int scanDown(float d) {
    int i = 0;
    while (i < nodes.length - 1 && distances[i + 1] > d) {
      i++;
    }
    return i;
  }

  /** {@link #scanDown} on entries in order: one before the first entry not farther than d. */
  private int searchDown(float d) {
    int lo = 1;
    int hi = nodes.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (distances[mid] > d) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo - 1;
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
