package io.toridb.core.vector;

import io.toridb.core.vector.Hnsw.Node;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Rebuilds a graph from its serialized nodes ({@link VectorSetCodec}): each node arrives with its
 * links given as the ids of other nodes, possibly ones not read yet, so links are resolved once
 * every node is in; the nodes keep the list order they were written in, and the entry point is the
 * first node of the highest level, as in Redis.
 */
final class HnswLoader {
  /**
   * Where the reciprocity check's keys come from: unpredictable, unlike the random numbers whose
   * effects clients can observe (node levels, VRANDMEMBER).
   */
  private static final SecureRandom KEYS = new SecureRandom();

  private final Hnsw g;
  private Node tail;

  HnswLoader(Hnsw g) {
    this.g = g;
  }

  /**
   * Adds a node read back from a serialized graph, its links still given as node ids (resolved by
   * {@link #resolveLinks}). The entry point becomes the first node of the highest level.
   */
  Node add(
      long id,
      int level,
      Object vector,
      float range,
      float l2,
      long[][] linkIds,
      int[] capacities) {
    int[] counts = new int[level + 1];
    for (int i = 0; i <= level; i++) {
      counts[i] = linkIds[i].length;
    }
    Node node = new Node(id, level, vector, g.m, counts);
    for (int i = 0; i <= level; i++) {
      // A capacity grown past the usual one (within what the codec allows) is kept.
      node.capacity[i] = Math.max(node.capacity[i], capacities[i]);
    }
    node.range = range;
    node.l2 = l2;
    g.lastId = Math.max(g.lastId, id);
    pendingLinks.put(node, linkIds);
    addToListTail(node);
    if (g.enterPoint == null || level > g.maxLevel) {
      g.maxLevel = level;
      g.enterPoint = node;
    }
    return node;
  }

  /** Links of nodes added by {@link #add}, until {@link #resolveLinks}. */
  private final Map<Node, long[][]> pendingLinks = new IdentityHashMap<>();

  /** Serialized nodes come in list order: each goes after the previous one. */
  private void addToListTail(Node node) {
    if (g.head == null) {
      g.head = node;
    } else {
      tail.next = node;
      node.prev = tail;
    }
    tail = node;
    g.size++;
  }

  /** The largest node id a serialized graph may use: ids stay far from wrapping around. */
  static final long MAX_ID = 1L << 62;

  /**
   * Turns the ids of {@link #add} into links, checking what a damaged or hostile payload could
   * break: unique ids in 1..{@link #MAX_ID}, links to existing nodes at their level, no self or
   * repeated links, every link matched by one back. Returns the reason it refuses, or null.
   *
   * <p>Linear in the links: repeated links are found by sorting each row, and reciprocity by XORing
   * a keyed hash of every link's unordered pair and level into an accumulator, where the two
   * directions of a link cancel out (as Redis checks it); the random key keeps a forged payload
   * from cancelling a missing back link with another link.
   */
  String resolveLinks() {
    Map<Long, Node> byId = new HashMap<>();
    for (Node n = g.head; n != null; n = n.next) {
      if (n.id <= 0 || n.id > MAX_ID || byId.put(n.id, n) != null) {
        return "duplicate or invalid node id";
      }
    }
    long key0 = KEYS.nextLong();
    long key1 = KEYS.nextLong();
    long acc0 = 0;
    long acc1 = 0;
    for (Node n = g.head; n != null; n = n.next) {
      long[][] ids = pendingLinks.get(n);
      for (int layer = 0; layer <= n.level; layer++) {
        long[] row = ids[layer].clone();
        Arrays.sort(row);
        for (int j = 1; j < row.length; j++) {
          if (row[j] == row[j - 1]) {
            return "repeated link";
          }
        }
        row = ids[layer];
        for (int j = 0; j < row.length; j++) {
          Node target = byId.get(row[j]);
          if (target == null || target == n || target.level < layer) {
            return "bad link";
          }
          n.links[layer][j] = target;
          long lo = Math.min(n.id, target.id);
          long hi = Math.max(n.id, target.id);
          acc0 ^= mix(key0, lo, hi, layer);
          acc1 ^= mix(key1, hi, lo, layer);
        }
        n.linkCount[layer] = row.length;
        g.recomputeWorst(n, layer);
      }
    }
    if (acc0 != 0 || acc1 != 0) {
      return "links not reciprocal";
    }
    pendingLinks.clear();
    return null;
  }

  /** A keyed 64-bit hash of three numbers (SplitMix64's finalizer over a chained combination). */
  private static long mix(long key, long a, long b, int c) {
    long h = key;
    h = fmix(h ^ a);
    h = fmix(h ^ b);
    return fmix(h ^ c);
  }

  private static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
