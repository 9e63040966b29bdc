package io.toridb.core.vector;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A Hierarchical Navigable Small World graph (Malkov and Yashunin) over L2-normalized vectors,
 * searched by cosine distance, as Redis 8's vector sets keep it: the same parameters (P 0.25, at
 * most 16 levels, M links per node above level 0 and 2M at level 0), the same per-vector
 * quantization, distance functions and neighbour selection, so that a set answers {@code VSIM} as
 * Redis's would, scores included.
 *
 * <p>Implementation notes:
 *
 * <ul>
 *   <li>Every link is bidirectional. Insertion searches each layer for candidates, then links the
 *       new node to those that pass a diversity check, replacing a full candidate's worst link when
 *       the new node is closer; when level 0 ends up with fewer than M/2 links it tries again with
 *       the checks relaxed ({@link #selectNeighbors}'s {@code aggressive} levels).
 *   <li>Deletion is real: the node's neighbours lose one link each and are paired among themselves
 *       by a score that weighs their own distance against the pairings it rules out, and any left
 *       over are linked through a search ({@link #reconnect}).
 *   <li>Vectors are normalized on insertion, so the distance is {@code 1 - dot}: 0 for the same
 *       direction, 2 for opposite ones. Q8 stores each vector as signed bytes scaled by its largest
 *       absolute component ({@code range}); BIN stores one sign bit per component and measures the
 *       share of differing bits.
 *   <li>A search marks the nodes it visits with an epoch number instead of keeping a visited set.
 *       The value's key lock lets one command at a time use the graph, so one mark per node does.
 *   <li>Nodes form a list (newest first), which serialization and scans follow.
 * </ul>
 */
final class Hnsw {
  static final int QUANT_NONE = 0;
  static final int QUANT_Q8 = 1;
  static final int QUANT_BIN = 2;

  static final int DEFAULT_M = 16;
  static final int MIN_M = 4;
  static final int MAX_M = 4096;

  /** The most levels a node may reach. */
  static final int MAX_LEVEL = 16;

  /** The search width used when reconnecting nodes after a deletion. */
  static final int EF_C = 200;

  /** The most orphaned neighbours {@link #reconnect} pairs among themselves. */
  static final int MAX_PAIRING = 512;

  /** Capacity of a search's queue of nodes still to expand. */
  private static final int MAX_CANDIDATES = 256;

  /** One graph node: an element's vector and its links at each of its levels. */
  static final class Node {
    final long id;
    final int level;

    /** float[] (no quantization), byte[] (Q8) or long[] (BIN). */
    final Object vector;

    /** Q8: the largest absolute component of the normalized vector, which 127 stands for. */
    float range;

    /** The vector's length before normalization, to give back an approximation of it. */
    float l2 = 1;

    /**
     * Links per level, in arrays that may be shorter than the level's capacity (a restored node
     * gets arrays as long as the links it holds, grown as links are added), so memory follows the
     * links a node has, not what a payload says it may have.
     */
    final Node[][] links;

    final int[] linkCount;

    /** How many links each level may hold: 2M at level 0 and M above, grown one at a time. */
    final int[] capacity;

    final float[] worstDistance;
    final int[] worstIndex;

    /** The element this node stands for, and its JSON attributes or null. */
    byte[] element;

    byte[] attributes;

    Node prev;
    Node next;
    long visited;

    /** A new node with full-size link arrays. */
    Node(long id, int level, Object vector, int m) {
      this(id, level, vector, m, null);
    }

    /**
     * A node whose link arrays start with {@code initial[i]} slots (a restored node's links), its
     * capacities at least the usual ones.
     */
    Node(long id, int level, Object vector, int m, int[] initial) {
      this.id = id;
      this.level = level;
      this.vector = vector;
      this.links = new Node[level + 1][];
      this.linkCount = new int[level + 1];
      this.capacity = new int[level + 1];
      this.worstDistance = new float[level + 1];
      this.worstIndex = new int[level + 1];
      for (int i = 0; i <= level; i++) {
        capacity[i] = i == 0 ? m * 2 : m;
        if (initial != null) {
          capacity[i] = Math.max(capacity[i], initial[i]);
        }
        links[i] = new Node[initial == null ? capacity[i] : initial[i]];
      }
    }

    /** How many links layer {@code layer} may hold. */
    int maxLinks(int layer) {
      return capacity[layer];
    }

    /** Adds {@code target} after the links of {@code layer} (within capacity); its index. */
    int append(int layer, Node target) {
      int n = linkCount[layer];
      if (n == links[layer].length) {
        links[layer] = Arrays.copyOf(links[layer], Math.min(capacity[layer], Math.max(4, n * 2)));
      }
      links[layer][n] = target;
      linkCount[layer] = n + 1;
      return n;
    }
  }

  final int dim;
  final int quant;
  final int m;

  Node enterPoint;
  int maxLevel;
  long size;
  long lastId;
  Node head;

  /** The mark of the latest search; 64 bits, so it never comes round to an old mark again. */
  private long epoch;

  Hnsw(int dim, int quant, int m) {
    this.dim = dim;
    this.quant = quant;
    this.m = m;
  }

  // ---------------------------------------------------------------------------------------------
  // Vectors and distances

  /** Bytes of one stored vector, as the serialized form holds it. */
  int vectorBytes() {
    return switch (quant) {
      case QUANT_NONE -> dim * 4;
      case QUANT_Q8 -> dim;
      default -> (dim + 63) / 64 * 8;
    };
  }

  /** The stored form of a normalized vector; Q8's range goes to {@code range[0]}. */
  Object quantize(float[] normalized, float[] range) {
    if (quant == QUANT_Q8) {
      float maxAbs = 0;
      for (float v : normalized) {
        // Comparisons as C's: a NaN component is skipped, not propagated into the range.
        if (v > maxAbs) {
          maxAbs = v;
        }
        if (-v > maxAbs) {
          maxAbs = -v;
        }
      }
      byte[] q = new byte[dim];
      range[0] = maxAbs;
      if (maxAbs == 0) {
        return q;
      }
      float scale = 127.0f / maxAbs;
      for (int j = 0; j < dim; j++) {
        // C's roundf: halves away from zero (Math.round takes -2.5 to -2).
        double x = normalized[j] * scale;
        q[j] = (byte) Math.copySign(Math.floor(Math.abs(x) + 0.5), x);
      }
      return q;
    } else if (quant == QUANT_BIN) {
      long[] bits = new long[(dim + 63) / 64];
      for (int j = 0; j < dim; j++) {
        if (normalized[j] > 0) {
          bits[j >>> 6] |= 1L << (j & 63);
        }
      }
      return bits;
    }
    return normalized;
  }

  /** The distance (0 to 2) between two stored vectors with their Q8 ranges. */
  float distance(Object a, float rangeA, Object b, float rangeB) {
    return switch (quant) {
      case QUANT_Q8 -> VectorMath.distanceQ8((byte[]) a, rangeA, (byte[]) b, rangeB);
      case QUANT_BIN -> VectorMath.distanceBin((long[]) a, (long[]) b, dim);
      default -> VectorMath.distanceFloat((float[]) a, (float[]) b);
    };
  }

  float distance(Node a, Node b) {
    return distance(a.vector, a.range, b.vector, b.range);
  }

  /** The node's vector as floats: dequantized and multiplied back by its length. */
  float[] vectorOf(Node node) {
    float[] v = new float[dim];
    if (quant == QUANT_NONE) {
      System.arraycopy((float[]) node.vector, 0, v, 0, dim);
    } else if (quant == QUANT_Q8) {
      byte[] q = (byte[]) node.vector;
      for (int j = 0; j < dim; j++) {
        v[j] = (q[j] * node.range) / 127;
      }
    } else {
      long[] bits = (long[]) node.vector;
      for (int j = 0; j < dim; j++) {
        v[j] = (bits[j >>> 6] & (1L << (j & 63))) != 0 ? 1.0f : -1.0f;
      }
      return v;
    }
    for (int j = 0; j < dim; j++) {
      v[j] *= node.l2;
    }
    return v;
  }

  /** A node that is not in the graph, holding a query vector (normalized here) for distances. */
  Node queryNode(float[] vector) {
    return newNode(0, 0, vector, 0);
  }

  /** A node of a copy of {@code vector}, normalized and stored in the graph's quantization. */
  private Node newNode(long id, int level, float[] vector, int links) {
    float[] v = vector.clone();
    float l2 = VectorMath.normalize(v);
    float[] range = new float[1];
    Node node = new Node(id, level, quantize(v, range), links);
    node.range = range[0];
    if (l2 != 0) {
      node.l2 = l2;
    }
    return node;
  }

  // ---------------------------------------------------------------------------------------------
  // Search

  /** Decides whether a node may be in a search's results (a FILTER expression). */
  interface Filter {
    boolean accepts(Node node);
  }

  /**
   * The {@code ef} nodes nearest to {@code query} found on {@code layer} from {@code entry}; with a
   * filter, only nodes it accepts are results, and at most {@code maxEffort} candidates (0: no
   * limit) are expanded.
   */
  NodeQueue searchLayer(Node query, Node entry, int ef, int layer, Filter filter, int maxEffort) {
    long mark = ++epoch;
    NodeQueue candidates = new NodeQueue(MAX_CANDIDATES);
    // No search finds more nodes than the graph has: a huge ef need not be allocated.
    NodeQueue results = new NodeQueue((int) Math.min(ef, size + 1));
    int evaluated = 1;
    float dist = distance(query, entry);
    candidates.push(entry, dist);
    if (filter == null || filter.accepts(entry)) {
      results.push(entry, dist);
    }
    entry.visited = mark;
    while (candidates.count > 0) {
      if (filter != null && maxEffort != 0 && evaluated >= maxEffort) {
        break;
      }
      candidates.count--;
      Node current = candidates.nodes[candidates.count];
      float currentDist = candidates.distances[candidates.count];
      evaluated++;
      if (results.count >= ef && currentDist > results.farthest()) {
        break;
      }
      Node[] ls = current.links[layer];
      for (int i = 0; i < current.linkCount[layer]; i++) {
        Node neighbor = ls[i];
        if (neighbor.visited == mark) {
          continue;
        }
        neighbor.visited = mark;
        float d = distance(query, neighbor);
        float farthest = results.farthest();
        if (filter == null) {
          if (d < farthest || results.count < ef) {
            candidates.push(neighbor, d);
            results.push(neighbor, d);
          }
        } else {
          if (d < farthest || candidates.count < ef) {
            candidates.push(neighbor, d);
          }
          if (filter.accepts(neighbor) && (d < farthest || results.count < ef)) {
            results.push(neighbor, d);
          }
        }
      }
    }
    return results;
  }

  /**
   * The (at most) {@code k} nodes nearest to {@code query}, nearest first: descends the upper
   * layers greedily, then searches level 0 {@code k} wide.
   */
  NodeQueue search(Node query, int k, Filter filter, int maxEffort) {
    if (enterPoint == null || k == 0) {
      return new NodeQueue(0);
    }
    return searchLayer(query, descend(query, 0), k, 0, filter, maxEffort);
  }

  /**
   * The node nearest to {@code query} found by a greedy descent from the entry point through the
   * layers above {@code layer} (the entry point itself when there are none). The graph is not
   * empty.
   */
  private Node descend(Node query, int layer) {
    Node ep = enterPoint;
    for (int lc = maxLevel; lc > layer; lc--) {
      NodeQueue r = searchLayer(query, ep, 1, lc, null, 0);
      if (r.count > 0) {
        ep = r.node(0);
      }
    }
    return ep;
  }

  /** The exact {@code k} nearest nodes the filter accepts, by a scan of every node. */
  NodeQueue scan(Node query, int k, Filter filter) {
    NodeQueue results = new NodeQueue(k);
    for (Node n = head; n != null; n = n.next) {
      if (filter == null || filter.accepts(n)) {
        results.push(n, distance(query, n));
      }
    }
    return results;
  }

  // ---------------------------------------------------------------------------------------------
  // Insertion

  private static int randomLevel() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    int level = 0;
    while (r.nextDouble() < 0.25 && level < MAX_LEVEL) {
      level++;
    }
    return level;
  }

  /**
   * Inserts a vector (not yet normalized) for {@code element}; returns its node.
   *
   * @param ef how wide to search for each layer's candidate neighbours
   */
  Node insert(float[] vector, byte[] element, byte[] attributes, int ef) {
    Node node = newNode(++lastId, randomLevel(), vector, m);
    node.element = element;
    node.attributes = attributes;
    link(node, ef);
    return node;
  }

  /** Links a new node into the graph and the node list. */
  private void link(Node node, int ef) {
    if (enterPoint == null) {
      enterPoint = node;
      maxLevel = node.level;
      addToList(node);
      return;
    }
    Node ep = descend(node, node.level);
    NodeQueue[] perLayer = new NodeQueue[node.level + 1];
    for (int lc = Math.min(node.level, maxLevel); lc >= 0; lc--) {
      NodeQueue candidates = searchLayer(node, ep, ef, lc, null, 0);
      if (candidates.count > 0) {
        ep = candidates.node(0);
      }
      perLayer[lc] = candidates;
    }
    for (int lc = Math.min(node.level, maxLevel); lc >= 0; lc--) {
      selectNeighbors(perLayer[lc], node, lc, m, 0);
      if (lc == 0 && node.linkCount[0] < m / 2) {
        selectNeighbors(perLayer[lc], node, lc, m, 1);
        if (node.linkCount[0] < m / 4) {
          selectNeighbors(perLayer[lc], node, lc, m / 4, 2);
        }
      }
    }
    if (node.level > maxLevel) {
      enterPoint = node;
      maxLevel = node.level;
    }
    addToList(node);
  }

  private void addToList(Node node) {
    node.next = head;
    node.prev = null;
    if (head != null) {
      head.prev = node;
    }
    head = node;
    size++;
  }

  void recomputeWorst(Node node, int layer) {
    float worst = 0;
    int index = 0;
    for (int i = 0; i < node.linkCount[layer]; i++) {
      float d = distance(node, node.links[layer][i]);
      if (d > worst) {
        worst = d;
        index = i;
      }
    }
    node.worstDistance[layer] = worst;
    node.worstIndex[layer] = index;
  }

  private static void worstOnAdd(Node node, int layer, int added, float distance) {
    if (node.linkCount[layer] == 1 || distance > node.worstDistance[layer]) {
      node.worstDistance[layer] = distance;
      node.worstIndex[layer] = added;
    }
  }

  private void worstOnRemove(Node node, int layer, int removed) {
    if (node.linkCount[layer] == 0) {
      node.worstDistance[layer] = 0;
      node.worstIndex[layer] = 0;
    } else if (removed == node.worstIndex[layer]) {
      recomputeWorst(node, layer);
    } else if (removed < node.worstIndex[layer]) {
      node.worstIndex[layer]--;
    }
  }

  /** Adds the link a-b in both directions at {@code layer}, both having room. */
  private static void addLink(Node a, Node b, int layer, float distance) {
    worstOnAdd(a, layer, a.append(layer, b), distance);
    worstOnAdd(b, layer, b.append(layer, a), distance);
  }

  /** Removes {@code target} from {@code node}'s links at {@code layer}, if there. */
  private void removeLink(Node node, Node target, int layer) {
    Node[] ls = node.links[layer];
    for (int j = 0; j < node.linkCount[layer]; j++) {
      if (ls[j] == target) {
        System.arraycopy(ls, j + 1, ls, j, node.linkCount[layer] - j - 1);
        ls[--node.linkCount[layer]] = null;
        worstOnRemove(node, layer, j);
        return;
      }
    }
  }

  private static boolean linked(Node a, Node b, int layer) {
    for (int j = 0; j < a.linkCount[layer]; j++) {
      if (a.links[layer][j] == b) {
        return true;
      }
    }
    return false;
  }

  /**
   * Links {@code node} at {@code layer} to candidates until it has {@code required} links. At
   * aggressiveness 0 a candidate must be nearer to the node than to any neighbour already chosen,
   * and a full candidate gives up its worst link only for a nearer node and only if that link's
   * other end keeps more than M/2 links; level 1 drops the first check and lowers the bound to M/4;
   * level 2 may drop another, better connected link of the candidate instead, or let the candidate
   * grow past its limit (up to 3M at level 0, 2M above).
   */
  private void selectNeighbors(
      NodeQueue candidates, Node node, int layer, int required, int aggressive) {
    for (int i = 0; i < candidates.count; i++) {
      Node neighbor = candidates.node(i);
      if (neighbor == node) {
        continue;
      }
      float dist = candidates.distance(i);
      if (node.linkCount[layer] >= node.maxLinks(layer) || node.linkCount[layer] >= required) {
        return;
      }
      if (aggressive != 0 && linked(node, neighbor, layer)) {
        continue;
      }
      if (aggressive == 0 && !diverse(node, neighbor, layer, dist)) {
        continue;
      }
      if (neighbor.linkCount[layer] < neighbor.maxLinks(layer)) {
        addLink(neighbor, node, layer, dist);
        continue;
      }
      if (aggressive == 0 && dist >= neighbor.worstDistance[layer]) {
        continue;
      }
      Node worst = neighbor.links[layer][neighbor.worstIndex[layer]];
      if (aggressive == 0 && worst.linkCount[layer] <= m / 2) {
        continue;
      } else if (aggressive == 1 && worst.linkCount[layer] <= m / 4) {
        continue;
      }
      if (aggressive == 2 && worst.linkCount[layer] <= m / 4) {
        worst = wellConnectedLink(neighbor, layer);
        if (worst == null) {
          growAndLink(neighbor, node, layer, dist);
          continue;
        }
      }
      removeLink(worst, neighbor, layer);
      neighbor.links[layer][neighbor.worstIndex[layer]] = node;
      recomputeWorst(neighbor, layer);
      worstOnAdd(node, layer, node.append(layer, neighbor), dist);
    }
  }

  /** Whether no neighbour {@code node} already has at {@code layer} is nearer to the candidate. */
  private boolean diverse(Node node, Node candidate, int layer, float dist) {
    for (int j = 0; j < node.linkCount[layer]; j++) {
      if (distance(candidate, node.links[layer][j]) < dist) {
        return false;
      }
    }
    return true;
  }

  /**
   * The farthest of {@code neighbor}'s links whose other end keeps more than M/4 links, made its
   * worst link so the caller replaces it; null if none qualifies.
   */
  private Node wellConnectedLink(Node neighbor, int layer) {
    Node found = null;
    int foundIndex = 0;
    float maxDist = 0;
    for (int j = 0; j < neighbor.linkCount[layer]; j++) {
      Node toDrop = neighbor.links[layer][j];
      if (toDrop.linkCount[layer] <= m / 4) {
        continue;
      }
      float d = distance(neighbor, toDrop);
      if (found == null || d > maxDist) {
        found = toDrop;
        maxDist = d;
        foundIndex = j;
      }
    }
    if (found != null) {
      neighbor.worstDistance[layer] = maxDist;
      neighbor.worstIndex[layer] = foundIndex;
    }
    return found;
  }

  /** Gives a full candidate one more link slot (within its limit) and links the two. */
  private void growAndLink(Node neighbor, Node node, int layer, float dist) {
    int limit = layer == 0 ? m * 3 : m * 2;
    if (neighbor.maxLinks(layer) >= limit) {
      return;
    }
    neighbor.capacity[layer]++;
    addLink(neighbor, node, layer, dist);
  }

  // ---------------------------------------------------------------------------------------------
  // Deletion

  /** Removes a node from the graph and relinks the neighbours it leaves with one link fewer. */
  void delete(Node node) {
    for (int level = 0; level <= node.level; level++) {
      for (int i = 0; i < node.linkCount[level]; i++) {
        removeLink(node.links[level][i], node, level);
      }
    }
    if (node.prev != null) {
      node.prev.next = node.next;
    } else {
      head = node.next;
    }
    if (node.next != null) {
      node.next.prev = node.prev;
    }
    size--;
    if (node == enterPoint) {
      replaceEnterPoint(node);
    }
    node.prev = null;
    node.next = null;
    for (int level = 0; level <= node.level; level++) {
      reconnect(Arrays.copyOf(node.links[level], node.linkCount[level]), level);
    }
  }

  private void replaceEnterPoint(Node old) {
    enterPoint = null;
    maxLevel = 0;
    for (int level = old.level; level >= 0; level--) {
      if (old.linkCount[level] > 0) {
        enterPoint = old.links[level][0];
        break;
      }
    }
    if (enterPoint == null) {
      int best = 0;
      for (Node n = head; n != null; n = n.next) {
        if (n.level >= best) {
          best = n.level;
          enterPoint = n;
        }
      }
    }
    if (enterPoint != null) {
      maxLevel = enterPoint.level;
    }
  }

  /**
   * Pairs up the nodes that lost a link at {@code layer}: each pair scores 0.7 times its similarity
   * (2 - distance) plus 0.3 times the mean distance of the pairings it rules out, the best pairs
   * are linked greedily, and the rest get a link through the standard selection, from the same
   * nodes first and then from a search of the layer.
   */
  private void reconnect(Node[] nodes, int layer) {
    int count = nodes.length;
    if (count == 0) {
      return;
    }
    if (count > MAX_PAIRING) {
      // Pairing takes count^2 memory and count^3 time: past a few hundred nodes (M in the
      // hundreds or thousands) each one is relinked by the standard selection alone.
      for (int i = 0; i < count; i++) {
        if (nodes[i].linkCount[layer] < nodes[i].maxLinks(layer)) {
          linkBySearch(nodes[i], layer);
        }
      }
      return;
    }
    float[] dist = new float[count * count];
    for (int i = 0; i < count; i++) {
      for (int j = i + 1; j < count; j++) {
        float d = distance(nodes[i], nodes[j]);
        dist[i * count + j] = d;
        dist[j * count + i] = d;
      }
    }
    float[] rowAvg = new float[count];
    for (int i = 0; i < count; i++) {
      float sum = 0;
      int n = 0;
      for (int j = 0; j < count; j++) {
        if (i != j) {
          sum += dist[i * count + j];
          n++;
        }
      }
      rowAvg[i] = n != 0 ? sum / n : 0;
    }
    float[] scores = new float[count * count];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < count; j++) {
        if (i == j || linked(nodes[i], nodes[j], layer)) {
          scores[i * count + j] = -1;
          continue;
        }
        float d = dist[i * count + j];
        float avgI = 0;
        float avgJ = 0;
        if (count > 2) {
          avgI = (rowAvg[i] * (count - 1) - d) / (count - 2);
          avgJ = (rowAvg[j] * (count - 1) - d) / (count - 2);
        }
        scores[i * count + j] = 0.7f * (2 - d) + 0.3f * ((avgI + avgJ) / 2);
      }
    }
    boolean[] used = new boolean[count];
    pairBest(nodes, layer, dist, scores, used);
    for (int i = 0; i < count; i++) {
      if (!used[i] && nodes[i].linkCount[layer] < nodes[i].maxLinks(layer)) {
        linkLeftOver(nodes, i, layer, dist);
      }
    }
  }

  private static void pairBest(
      Node[] nodes, int layer, float[] dist, float[] scores, boolean[] used) {
    int count = nodes.length;
    while (true) {
      float maxScore = -1;
      int bestI = -1;
      int bestJ = -1;
      for (int i = 0; i < count; i++) {
        if (used[i] || nodes[i].linkCount[layer] >= nodes[i].maxLinks(layer)) {
          continue;
        }
        for (int j = 0; j < count; j++) {
          if (i == j || used[j]) {
            continue;
          }
          float score = scores[i * count + j];
          if (score >= 0
              && score > maxScore
              && nodes[j].linkCount[layer] < nodes[j].maxLinks(layer)) {
            maxScore = score;
            bestI = i;
            bestJ = j;
          }
        }
      }
      if (bestJ == -1) {
        return;
      }
      addLink(nodes[bestI], nodes[bestJ], layer, dist[bestI * count + bestJ]);
      used[bestI] = true;
      used[bestJ] = true;
    }
  }

  private void linkLeftOver(Node[] nodes, int i, int layer, float[] dist) {
    int count = nodes.length;
    Node node = nodes[i];
    NodeQueue local = new NodeQueue(count);
    for (int j = 0; j < count; j++) {
      if (i != j && nodes[j].linkCount[layer] < nodes[j].maxLinks(layer)) {
        local.push(nodes[j], dist[i * count + j]);
      }
    }
    int wanted = node.linkCount[layer] + 1;
    if (local.count > 0) {
      selectNeighbors(local, node, layer, wanted, 1);
    }
    if (node.linkCount[layer] != wanted) {
      linkBySearch(node, layer);
    }
  }

  /** Gives {@code node} one more link at {@code layer}, found by searching the layer. */
  private void linkBySearch(Node node, int layer) {
    int wanted = node.linkCount[layer] + 1;
    Node ep = enterPoint == null ? null : descend(node, layer);
    if (ep != null) {
      NodeQueue candidates = searchLayer(node, ep, EF_C, layer, null, 0);
      selectNeighbors(candidates, node, layer, wanted, node.linkCount[layer] > m / 2 ? 1 : 2);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Random nodes

  /**
   * A random node: a random descent from the entry point, then a random walk at level 0 of about 3
   * log2(N) steps (plus one at random, so that a set of two does not always give the same one).
   */
  Node randomNode() {
    if (size == 0 || enterPoint == null) {
      return null;
    }
    ThreadLocalRandom r = ThreadLocalRandom.current();
    Node current = enterPoint;
    for (int level = maxLevel; level > 0; level--) {
      if (current.level < level || current.linkCount[level] == 0) {
        continue;
      }
      current = current.links[level][r.nextInt(current.linkCount[level])];
    }
    int walks = (int) (Math.log(size + 1) / Math.log(2) * 3) + r.nextInt(2);
    for (int i = 0; i < walks; i++) {
      if (current.linkCount[0] == 0) {
        return current;
      }
      current = current.links[0][r.nextInt(current.linkCount[0])];
    }
    return current;
  }

  // ---------------------------------------------------------------------------------------------
  // Copies and restored graphs

  /** A deep copy: the same nodes, ids, vectors and links, new objects throughout. */
  Hnsw copy() {
    Hnsw c = new Hnsw(dim, quant, m);
    java.util.Map<Node, Node> map = new java.util.IdentityHashMap<>();
    Node last = null;
    for (Node n = head; n != null; n = n.next) {
      Node k = new Node(n.id, n.level, n.vector, m);
      k.range = n.range;
      k.l2 = n.l2;
      k.element = n.element;
      k.attributes = n.attributes;
      map.put(n, k);
      if (last == null) {
        c.head = k;
      } else {
        last.next = k;
        k.prev = last;
      }
      last = k;
    }
    for (Node n = head; n != null; n = n.next) {
      Node k = map.get(n);
      for (int layer = 0; layer <= n.level; layer++) {
        k.links[layer] = new Node[n.links[layer].length];
        k.capacity[layer] = n.capacity[layer];
        for (int j = 0; j < n.linkCount[layer]; j++) {
          k.links[layer][j] = map.get(n.links[layer][j]);
        }
        k.linkCount[layer] = n.linkCount[layer];
        k.worstDistance[layer] = n.worstDistance[layer];
        k.worstIndex[layer] = n.worstIndex[layer];
      }
    }
    c.enterPoint = enterPoint == null ? null : map.get(enterPoint);
    c.maxLevel = maxLevel;
    c.size = size;
    c.lastId = lastId;
    return c;
  }
}
