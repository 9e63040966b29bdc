package io.toridb.core.zset;

import java.util.Arrays;

/**
 * The ordered half of a big sorted set: (score, member) entries in Redis's order (score, then
 * member bytes unsigned), in a B+ tree whose inner nodes count the entries below each child. The
 * counts give O(log n) rank queries and access by rank, which Redis gets from its skiplist spans.
 *
 * <p>Implementation notes:
 *
 * <ul>
 *   <li>Leaves hold up to {@value #LEAF_CAPACITY} entries in two parallel arrays (scores, members),
 *       so an entry costs 12 bytes of array plus its member's byte array, with no node object per
 *       entry. Leaves are linked both ways for iteration.
 *   <li>An inner node holds its children, the number of entries under each, and separators:
 *       separator k (k &ge; 1) is at most the first key of child k and above every key of child
 *       k-1. A separator may outlive the entry it was copied from; the inequalities still hold.
 *   <li>A full leaf splits in halves, except at the two ends of the tree: appending to the last
 *       leaf (or prepending to the first) leaves the full leaf as it is, so sets filled in order
 *       have full leaves.
 *   <li>A node that falls below a quarter of its capacity is merged with a neighbour when both fit
 *       in one node, otherwise entries move over from the neighbour. The root collapses when it has
 *       one child.
 *   <li>Scores compare with {@code <} and {@code ==} as in C, so -0 and 0 are the same score.
 * </ul>
 */
final class ScoreTree {
  static final int LEAF_CAPACITY = 64;
  static final int INNER_CAPACITY = 64;

  /** Node sizes of this tree: the constants above, smaller in tests to reach every case. */
  private final int leafCapacity;

  private final int innerCapacity;
  private final int leafMin;
  private final int innerMin;

  /**
   * A property of keys that holds for a prefix of the order (all keys below some point), such as
   * "score below 5". Lets {@link #countBefore} find where the prefix ends in O(log n).
   */
  interface Bound {
    boolean before(double score, byte[] member);
  }

  private abstract static class Node {
    /** Entries in a leaf, children in an inner node. */
    int size;
  }

  private static final class Leaf extends Node {
    double[] scores;
    byte[][] members;
    Leaf prev;
    Leaf next;

    Leaf(int capacity) {
      scores = new double[capacity];
      members = new byte[capacity][];
    }

    void ensureCapacity(int n) {
      if (scores.length < n) {
        int c = Math.max(n, Math.min(LEAF_CAPACITY, scores.length * 2));
        scores = Arrays.copyOf(scores, c);
        members = Arrays.copyOf(members, c);
      }
    }

    void insertAt(int i, double score, byte[] member) {
      ensureCapacity(size + 1);
      System.arraycopy(scores, i, scores, i + 1, size - i);
      System.arraycopy(members, i, members, i + 1, size - i);
      scores[i] = score;
      members[i] = member;
      size++;
    }

    void removeAt(int i) {
      System.arraycopy(scores, i + 1, scores, i, size - i - 1);
      System.arraycopy(members, i + 1, members, i, size - i - 1);
      members[--size] = null;
    }
  }

  private static final class Inner extends Node {
    final Node[] children;
    final int[] counts;
    final double[] sepScores;
    final byte[][] sepMembers;

    Inner(int capacity) {
      children = new Node[capacity];
      counts = new int[capacity];
      sepScores = new double[capacity];
      sepMembers = new byte[capacity][];
    }

    /** Entries under this node: the sum of {@link #counts}. */
    int total;

    void insertChild(int i, Node child, int count, double sepScore, byte[] sepMember) {
      int tail = size - i;
      System.arraycopy(children, i, children, i + 1, tail);
      System.arraycopy(counts, i, counts, i + 1, tail);
      System.arraycopy(sepScores, i, sepScores, i + 1, tail);
      System.arraycopy(sepMembers, i, sepMembers, i + 1, tail);
      children[i] = child;
      counts[i] = count;
      sepScores[i] = sepScore;
      sepMembers[i] = sepMember;
      size++;
      total += count;
    }

    void removeChild(int i) {
      total -= counts[i];
      int tail = size - i - 1;
      System.arraycopy(children, i + 1, children, i, tail);
      System.arraycopy(counts, i + 1, counts, i, tail);
      System.arraycopy(sepScores, i + 1, sepScores, i, tail);
      System.arraycopy(sepMembers, i + 1, sepMembers, i, tail);
      size--;
      children[size] = null;
      sepMembers[size] = null;
    }
  }

  private Node root;
  private Leaf head;
  private Leaf tail;
  private int count;

  /** Separator produced by the last split, handed from a child to its parent. */
  private double splitScore;

  private byte[] splitMember;

  ScoreTree() {
    this(LEAF_CAPACITY, INNER_CAPACITY);
  }

  /** A tree with other node sizes (at least 4), for tests. */
  ScoreTree(int leafCapacity, int innerCapacity) {
    this.leafCapacity = leafCapacity;
    this.innerCapacity = innerCapacity;
    this.leafMin = leafCapacity / 4;
    // An inner node needs two children so that a child can always find a neighbour.
    this.innerMin = Math.max(2, innerCapacity / 4);
    Leaf leaf = new Leaf(Math.min(8, leafCapacity));
    root = leaf;
    head = leaf;
    tail = leaf;
  }

  int size() {
    return count;
  }

  static int compare(double s1, byte[] m1, double s2, byte[] m2) {
    if (s1 < s2) {
      return -1;
    }
    if (s1 > s2) {
      return 1;
    }
    return Arrays.compareUnsigned(m1, m2);
  }

  private static int countOf(Node n) {
    return n instanceof Inner in ? in.total : n.size;
  }

  /** The child of {@code in} whose range holds the key: the last one whose separator is &le; it. */
  private static int route(Inner in, double score, byte[] member) {
    int lo = 1;
    int hi = in.size - 1;
    int found = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(in.sepScores[mid], in.sepMembers[mid], score, member) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Index of the first entry of {@code leaf} above the key. */
  private static int upperBound(Leaf leaf, double score, byte[] member) {
    int lo = 0;
    int hi = leaf.size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(leaf.scores[mid], leaf.members[mid], score, member) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Index of the key in {@code leaf}, or -1. */
  private static int find(Leaf leaf, double score, byte[] member) {
    int lo = 0;
    int hi = leaf.size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = compare(leaf.scores[mid], leaf.members[mid], score, member);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------
  // Insertion

  /** Adds an entry whose member is not in the tree. */
  void insert(double score, byte[] member) {
    Node right = insert(root, score, member);
    if (right != null) {
      Inner r = new Inner(innerCapacity);
      r.children[0] = root;
      r.counts[0] = countOf(root);
      r.size = 1;
      r.total = r.counts[0];
      r.insertChild(1, right, countOf(right), splitScore, splitMember);
      root = r;
      splitMember = null;
    }
    count++;
  }

  private Node insert(Node n, double score, byte[] member) {
    if (n instanceof Leaf leaf) {
      return insertIntoLeaf(leaf, score, member);
    }
    Inner in = (Inner) n;
    int i = route(in, score, member);
    Node right = insert(in.children[i], score, member);
    if (right == null) {
      in.counts[i]++;
      in.total++;
      return null;
    }
    int before = in.counts[i];
    in.counts[i] = countOf(in.children[i]);
    in.total += in.counts[i] - before;
    double sepScore = splitScore;
    byte[] sepMember = splitMember;
    if (in.size < innerCapacity) {
      in.insertChild(i + 1, right, countOf(right), sepScore, sepMember);
      return null;
    }
    return splitInner(in, i + 1, right, sepScore, sepMember);
  }

  private Node insertIntoLeaf(Leaf leaf, double score, byte[] member) {
    int pos = upperBound(leaf, score, member);
    if (leaf.size < leafCapacity) {
      leaf.insertAt(pos, score, member);
      return null;
    }
    Leaf right = new Leaf(leafCapacity);
    if (pos == leaf.size && leaf.next == null) {
      right.insertAt(0, score, member);
    } else if (pos == 0 && leaf.prev == null) {
      moveTail(leaf, 0, right);
      leaf.insertAt(0, score, member);
    } else {
      int half = leaf.size / 2;
      moveTail(leaf, half, right);
      if (pos <= half) {
        leaf.insertAt(pos, score, member);
      } else {
        right.insertAt(pos - half, score, member);
      }
    }
    right.prev = leaf;
    right.next = leaf.next;
    if (leaf.next != null) {
      leaf.next.prev = right;
    } else {
      tail = right;
    }
    leaf.next = right;
    splitScore = right.scores[0];
    splitMember = right.members[0];
    return right;
  }

  /** Moves the entries of {@code from} starting at {@code start} to the empty leaf {@code to}. */
  private static void moveTail(Leaf from, int start, Leaf to) {
    int n = from.size - start;
    to.ensureCapacity(n);
    System.arraycopy(from.scores, start, to.scores, 0, n);
    System.arraycopy(from.members, start, to.members, 0, n);
    Arrays.fill(from.members, start, from.size, null);
    to.size = n;
    from.size = start;
  }

  /**
   * Splits the full node {@code in} in halves and adds {@code child} at position {@code pos};
   * returns the new right half, its separator in {@link #splitScore}/{@link #splitMember}.
   */
  private Node splitInner(Inner in, int pos, Node child, double sepScore, byte[] sepMember) {
    Inner right = new Inner(innerCapacity);
    int half = in.size / 2;
    int n = in.size - half;
    System.arraycopy(in.children, half, right.children, 0, n);
    System.arraycopy(in.counts, half, right.counts, 0, n);
    System.arraycopy(in.sepScores, half, right.sepScores, 0, n);
    System.arraycopy(in.sepMembers, half, right.sepMembers, 0, n);
    int moved = 0;
    for (int k = 0; k < n; k++) {
      moved += right.counts[k];
    }
    Arrays.fill(in.children, half, in.size, null);
    Arrays.fill(in.sepMembers, half, in.size, null);
    right.size = n;
    right.total = moved;
    in.size = half;
    in.total -= moved;
    if (pos <= half) {
      in.insertChild(pos, child, countOf(child), sepScore, sepMember);
    } else {
      right.insertChild(pos - half, child, countOf(child), sepScore, sepMember);
    }
    splitScore = right.sepScores[0];
    splitMember = right.sepMembers[0];
    right.sepMembers[0] = null;
    return right;
  }

  // ---------------------------------------------------------------------------------------------
  // Deletion

  /**
   * Removes the entry and returns the member array the tree held for it (which may be another array
   * with the same bytes than {@code member}), or null if the entry is not in the tree.
   */
  byte[] delete(double score, byte[] member) {
    byte[] removed = delete(root, score, member);
    if (removed == null) {
      return null;
    }
    count--;
    while (root instanceof Inner in && in.size == 1) {
      root = in.children[0];
    }
    return removed;
  }

  private byte[] delete(Node n, double score, byte[] member) {
    if (n instanceof Leaf leaf) {
      int i = find(leaf, score, member);
      if (i < 0) {
        return null;
      }
      byte[] stored = leaf.members[i];
      leaf.removeAt(i);
      return stored;
    }
    Inner in = (Inner) n;
    int i = route(in, score, member);
    Node child = in.children[i];
    byte[] removed = delete(child, score, member);
    if (removed == null) {
      return null;
    }
    in.counts[i]--;
    in.total--;
    if (child.size < (child instanceof Leaf ? leafMin : innerMin)) {
      rebalance(in, i);
    }
    return removed;
  }

  /** Fixes the underfull child {@code i} of {@code in} with the help of a neighbour. */
  private void rebalance(Inner in, int i) {
    if (in.size < 2) {
      return;
    }
    int a = i > 0 ? i - 1 : i;
    int b = a + 1;
    Node left = in.children[a];
    Node right = in.children[b];
    int capacity = left instanceof Leaf ? leafCapacity : innerCapacity;
    if (left.size + right.size <= capacity) {
      if (left instanceof Leaf l) {
        mergeLeaves(l, (Leaf) right);
      } else {
        mergeInners((Inner) left, (Inner) right, in.sepScores[b], in.sepMembers[b]);
      }
      in.counts[a] += in.counts[b];
      in.total += in.counts[b];
      in.removeChild(b);
    } else if (left instanceof Leaf l) {
      shareLeaves(in, b, l, (Leaf) right);
    } else {
      shareInners(in, b, (Inner) left, (Inner) right);
    }
  }

  private void mergeLeaves(Leaf left, Leaf right) {
    left.ensureCapacity(left.size + right.size);
    System.arraycopy(right.scores, 0, left.scores, left.size, right.size);
    System.arraycopy(right.members, 0, left.members, left.size, right.size);
    left.size += right.size;
    left.next = right.next;
    if (right.next != null) {
      right.next.prev = left;
    } else {
      tail = left;
    }
  }

  private static void mergeInners(Inner left, Inner right, double sepScore, byte[] sepMember) {
    right.sepScores[0] = sepScore;
    right.sepMembers[0] = sepMember;
    System.arraycopy(right.children, 0, left.children, left.size, right.size);
    System.arraycopy(right.counts, 0, left.counts, left.size, right.size);
    System.arraycopy(right.sepScores, 0, left.sepScores, left.size, right.size);
    System.arraycopy(right.sepMembers, 0, left.sepMembers, left.size, right.size);
    left.size += right.size;
    left.total += right.total;
  }

  /** Evens out two neighbouring leaves, children {@code b-1} and {@code b} of {@code in}. */
  private static void shareLeaves(Inner in, int b, Leaf left, Leaf right) {
    int target = (left.size + right.size) / 2;
    if (left.size < target) {
      int t = target - left.size;
      left.ensureCapacity(target);
      System.arraycopy(right.scores, 0, left.scores, left.size, t);
      System.arraycopy(right.members, 0, left.members, left.size, t);
      left.size += t;
      System.arraycopy(right.scores, t, right.scores, 0, right.size - t);
      System.arraycopy(right.members, t, right.members, 0, right.size - t);
      Arrays.fill(right.members, right.size - t, right.size, null);
      right.size -= t;
    } else {
      int t = left.size - target;
      right.ensureCapacity(right.size + t);
      System.arraycopy(right.scores, 0, right.scores, t, right.size);
      System.arraycopy(right.members, 0, right.members, t, right.size);
      System.arraycopy(left.scores, target, right.scores, 0, t);
      System.arraycopy(left.members, target, right.members, 0, t);
      Arrays.fill(left.members, target, left.size, null);
      left.size = target;
      right.size += t;
    }
    in.counts[b - 1] = left.size;
    in.counts[b] = right.size;
    in.sepScores[b] = right.scores[0];
    in.sepMembers[b] = right.members[0];
  }

  /** Evens out two neighbouring inner nodes, rotating separators through the parent. */
  private static void shareInners(Inner in, int b, Inner left, Inner right) {
    int target = (left.size + right.size) / 2;
    int moved = 0;
    if (left.size < target) {
      int t = target - left.size;
      right.sepScores[0] = in.sepScores[b];
      right.sepMembers[0] = in.sepMembers[b];
      System.arraycopy(right.children, 0, left.children, left.size, t);
      System.arraycopy(right.counts, 0, left.counts, left.size, t);
      System.arraycopy(right.sepScores, 0, left.sepScores, left.size, t);
      System.arraycopy(right.sepMembers, 0, left.sepMembers, left.size, t);
      for (int k = 0; k < t; k++) {
        moved += right.counts[k];
      }
      in.sepScores[b] = right.sepScores[t];
      in.sepMembers[b] = right.sepMembers[t];
      int rest = right.size - t;
      System.arraycopy(right.children, t, right.children, 0, rest);
      System.arraycopy(right.counts, t, right.counts, 0, rest);
      System.arraycopy(right.sepScores, t, right.sepScores, 0, rest);
      System.arraycopy(right.sepMembers, t, right.sepMembers, 0, rest);
      Arrays.fill(right.children, rest, right.size, null);
      Arrays.fill(right.sepMembers, rest, right.size, null);
      right.sepMembers[0] = null;
      left.size += t;
      right.size = rest;
      left.total += moved;
      right.total -= moved;
    } else {
      int t = left.size - target;
      System.arraycopy(right.children, 0, right.children, t, right.size);
      System.arraycopy(right.counts, 0, right.counts, t, right.size);
      System.arraycopy(right.sepScores, 0, right.sepScores, t, right.size);
      System.arraycopy(right.sepMembers, 0, right.sepMembers, t, right.size);
      right.sepScores[t] = in.sepScores[b];
      right.sepMembers[t] = in.sepMembers[b];
      System.arraycopy(left.children, target, right.children, 0, t);
      System.arraycopy(left.counts, target, right.counts, 0, t);
      System.arraycopy(left.sepScores, target, right.sepScores, 0, t);
      System.arraycopy(left.sepMembers, target, right.sepMembers, 0, t);
      for (int k = 0; k < t; k++) {
        moved += right.counts[k];
      }
      in.sepScores[b] = right.sepScores[0];
      in.sepMembers[b] = right.sepMembers[0];
      right.sepMembers[0] = null;
      Arrays.fill(left.children, target, left.size, null);
      Arrays.fill(left.sepMembers, target, left.size, null);
      left.size = target;
      right.size += t;
      left.total -= moved;
      right.total += moved;
    }
    in.counts[b - 1] = left.total;
    in.counts[b] = right.total;
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** The 0-based rank of the entry, or -1 if it is not in the tree. */
  int rank(double score, byte[] member) {
    Node n = root;
    int r = 0;
    while (n instanceof Inner in) {
      int i = route(in, score, member);
      for (int k = 0; k < i; k++) {
        r += in.counts[k];
      }
      n = in.children[i];
    }
    int i = find((Leaf) n, score, member);
    return i < 0 ? -1 : r + i;
  }

  /**
   * How many entries satisfy {@code bound}, which must hold for a prefix of the order; that is also
   * the rank of the first entry that does not.
   */
  int countBefore(Bound bound) {
    Node n = root;
    int r = 0;
    while (n instanceof Inner in) {
      int lo = 1;
      int hi = in.size - 1;
      int j = 0;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (bound.before(in.sepScores[mid], in.sepMembers[mid])) {
          j = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      for (int k = 0; k < j; k++) {
        r += in.counts[k];
      }
      n = in.children[j];
    }
    Leaf leaf = (Leaf) n;
    int lo = 0;
    int hi = leaf.size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (bound.before(leaf.scores[mid], leaf.members[mid])) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return r + lo;
  }

  /** A cursor on the entry of rank {@code rank}, which must be in [0, size). */
  Cursor at(int rank) {
    Node n = root;
    int r = rank;
    while (n instanceof Inner in) {
      int k = 0;
      while (r >= in.counts[k]) {
        r -= in.counts[k];
        k++;
      }
      n = in.children[k];
    }
    return new Cursor((Leaf) n, r);
  }

  /** A cursor on the first entry, or an exhausted one when the tree is empty. */
  Cursor first() {
    return new Cursor(count == 0 ? null : head, 0);
  }

  /** A cursor on the last entry, or an exhausted one when the tree is empty. */
  Cursor last() {
    return new Cursor(count == 0 ? null : tail, count == 0 ? 0 : tail.size - 1);
  }

  /**
   * Checks the structure (for tests): counts add up, keys are in order within and across leaves,
   * separators bound their children, nodes other than the root and the end leaves are not below
   * their minimum fill, all leaves are at the same depth and the leaf links visit every entry.
   *
   * @throws IllegalStateException describing the first broken rule
   */
  void checkInvariants() {
    int[] leafDepth = {-1};
    int total = check(root, 0, leafDepth, true);
    if (total != count) {
      throw new IllegalStateException("count " + count + " but " + total + " entries");
    }
    int linked = 0;
    Leaf prev = null;
    for (Leaf l = head; l != null; l = l.next) {
      if (l.prev != prev) {
        throw new IllegalStateException("broken prev link");
      }
      if (prev != null && prev.size > 0 && l.size > 0) {
        if (compare(
                prev.scores[prev.size - 1], prev.members[prev.size - 1], l.scores[0], l.members[0])
            >= 0) {
          throw new IllegalStateException("leaves out of order");
        }
      }
      linked += l.size;
      prev = l;
    }
    if (prev != tail || linked != count) {
      throw new IllegalStateException("leaf links cover " + linked + " of " + count);
    }
  }

  private int check(Node n, int depth, int[] leafDepth, boolean isRoot) {
    if (n instanceof Leaf leaf) {
      if (leafDepth[0] == -1) {
        leafDepth[0] = depth;
      } else if (leafDepth[0] != depth) {
        throw new IllegalStateException("leaves at depths " + leafDepth[0] + " and " + depth);
      }
      // The end leaves may be small: appending or prepending splits leave one entry there.
      if (!isRoot && leaf != head && leaf != tail && leaf.size < leafMin) {
        throw new IllegalStateException("leaf below minimum: " + leaf.size);
      }
      for (int i = 1; i < leaf.size; i++) {
        if (compare(leaf.scores[i - 1], leaf.members[i - 1], leaf.scores[i], leaf.members[i])
            >= 0) {
          throw new IllegalStateException("leaf out of order");
        }
      }
      return leaf.size;
    }
    Inner in = (Inner) n;
    if (in.size < (isRoot ? 2 : innerMin)) {
      throw new IllegalStateException("inner node below minimum: " + in.size);
    }
    int sum = 0;
    for (int i = 0; i < in.size; i++) {
      int c = check(in.children[i], depth + 1, leafDepth, false);
      if (c != in.counts[i]) {
        throw new IllegalStateException("count " + in.counts[i] + " but child holds " + c);
      }
      sum += c;
      if (i > 0) {
        Cursor first = firstOf(in.children[i]);
        Cursor lastBefore = lastOf(in.children[i - 1]);
        if (compare(in.sepScores[i], in.sepMembers[i], first.score(), first.member()) > 0
            || compare(lastBefore.score(), lastBefore.member(), in.sepScores[i], in.sepMembers[i])
                >= 0) {
          throw new IllegalStateException("separator out of place");
        }
      }
    }
    if (sum != in.total) {
      throw new IllegalStateException("total " + in.total + " but children hold " + sum);
    }
    return sum;
  }

  private static Cursor firstOf(Node n) {
    while (n instanceof Inner in) {
      n = in.children[0];
    }
    return new Cursor((Leaf) n, 0);
  }

  private static Cursor lastOf(Node n) {
    while (n instanceof Inner in) {
      n = in.children[in.size - 1];
    }
    return new Cursor((Leaf) n, n.size - 1);
  }

  /** A position in the tree that moves entry by entry; invalid once it runs off an end. */
  static final class Cursor {
    private Leaf leaf;
    private int index;

    private Cursor(Leaf leaf, int index) {
      this.leaf = leaf;
      this.index = index;
    }

    boolean valid() {
      return leaf != null;
    }

    double score() {
      return leaf.scores[index];
    }

    byte[] member() {
      return leaf.members[index];
    }

    void next() {
      if (++index >= leaf.size) {
        leaf = leaf.next;
        index = 0;
        // An empty leaf exists only as the root of an empty tree.
      }
    }

    void prev() {
      if (--index < 0) {
        leaf = leaf.prev;
        index = leaf == null ? 0 : leaf.size - 1;
      }
    }
  }
}
