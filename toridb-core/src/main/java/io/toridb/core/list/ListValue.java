package io.toridb.core.list;

import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import java.util.Arrays;

/**
 * A list value: a sequence of byte strings, cheap to change at both ends and reachable in the
 * middle, laid out like Redis's quicklist so that it costs about as much memory.
 *
 * <p>Implementation notes: the elements live in a ring of nodes; each node packs a run of
 * consecutive elements into one byte array of entries (see {@link ListEntries}: a 16-byte string
 * takes 18 bytes, a six-digit number 5, as in a listpack). Nodes are filled up to the limit {@code
 * list-max-listpack-size} gave when the list was created: a negative value caps the bytes of a node
 * (-1..-5: 4, 8, 16, 32, 64 KiB), a positive one its number of entries (and 8 KiB, Redis's safety
 * limit). An element at least as long as the packed threshold gets a node of its own (Redis's
 * "plain" nodes). Reaching an index walks the node counts from the nearer end and then the entries
 * of one node from its nearer end, so LINDEX, LSET and LINSERT cost O(nodes + node size), never a
 * copy of the list. Node arrays grow by doubling up to the node limit, are trimmed to size when a
 * neighbour is started, and shrink when mostly empty.
 *
 * <p>Not thread safe: only the worker holding the key's lock touches it.
 */
public final class ListValue extends StoredValue {
  /** Node byte limits for list-max-listpack-size -1 .. -5, Redis's optimization_level. */
  private static final int[] SIZE_LIMITS = {4096, 8192, 16384, 32768, 65536};

  /** The byte limit of nodes whose fill counts entries, Redis's SIZE_SAFETY_LIMIT. */
  private static final int SAFETY_LIMIT = 8192;

  /** Largest entry-count fill, Redis's FILL_MAX. */
  private static final int FILL_MAX = 1 << 15;

  /** Default packed threshold: elements of 1 GiB or more get a node of their own. */
  public static final long DEFAULT_PACKED_THRESHOLD = 1L << 30;

  /** Elements at least this long get their own node; DEBUG QUICKLIST-PACKED-THRESHOLD sets it. */
  private static volatile long packedThreshold = DEFAULT_PACKED_THRESHOLD;

  /** Arrays below this capacity are never shrunk. */
  private static final int MIN_SHRINK_CAPACITY = 64;

  /** Receives elements during {@link #forEach}; returns false to stop. */
  @FunctionalInterface
  public interface ElementVisitor {
    /**
     * Called with an element: {@code len} bytes of {@code buf} from {@code off}. The bytes are the
     * list's own and are only valid during the call; the list must not be changed meanwhile.
     */
    boolean visit(byte[] buf, int off, int len);
  }

  /** A run of consecutive elements packed into one array (see the class comment). */
  private static final class Node {
    byte[] data;
    int used;
    int count;

    Node(byte[] data, int used, int count) {
      this.data = data;
      this.used = used;
      this.count = count;
    }
  }

  private final int fill;
  private Node[] nodes;

  /** Ring index of the first node. */
  private int head;

  private int nodeCount;
  private long size;

  /** An empty list whose nodes follow {@code fill} (list-max-listpack-size), clamped as Redis. */
  public ListValue(long fill) {
    this.fill = (int) Math.max(-SIZE_LIMITS.length, Math.min(fill, FILL_MAX));
    this.nodes = new Node[2];
  }

  private ListValue(ListValue from) {
    this.fill = from.fill;
    int cap = 2;
    while (cap < from.nodeCount) {
      cap <<= 1;
    }
    this.nodes = new Node[cap];
    for (int i = 0; i < from.nodeCount; i++) {
      Node n = from.node(i);
      nodes[i] = new Node(Arrays.copyOf(n.data, n.used), n.used, n.count);
    }
    this.nodeCount = from.nodeCount;
    this.size = from.size;
  }

  /**
   * Sets the packed threshold (DEBUG QUICKLIST-PACKED-THRESHOLD): 0 restores the default; refused
   * (false) above 4 GiB - 1 MiB, as Redis.
   */
  public static boolean packedThreshold(long bytes) {
    if (bytes < 0 || bytes > (1L << 32) - (1L << 20)) {
      return false;
    }
    packedThreshold = bytes == 0 ? DEFAULT_PACKED_THRESHOLD : bytes;
    return true;
  }

  /**
   * The packed threshold in force: elements at least this long get a node of their own, which a
   * saved list keeps as a "plain" node.
   */
  public static long packedThreshold() {
    return packedThreshold;
  }

  @Override
  public ValueType type() {
    return ValueType.LIST;
  }

  /** Redis 7.0 keeps every list in a quicklist, however short. */
  @Override
  public String encoding() {
    return "quicklist";
  }

  @Override
  public StoredValue copy() {
    return new ListValue(this);
  }

  /** Redis mixes in each element, head to tail. */
  @Override
  public void digest(DatasetDigest digest) {
    forEach(
        0,
        size,
        false,
        (buf, off, len) -> {
          digest.mix(buf, off, len);
          return true;
        });
  }

  /** Number of elements. */
  public long size() {
    return size;
  }

  /** The list-max-listpack-size this list was created with (clamped). */
  public int fill() {
    return fill;
  }

  /** Number of nodes, for tests and DEBUG. */
  int nodeCount() {
    return nodeCount;
  }

  // ---------------------------------------------------------------------------------------------
  // Ends

  /** Adds {@code element} (copied) at the head or the tail. */
  public void push(byte[] element, boolean atHead) {
    if (nodeCount > 0) {
      Node n = atHead ? node(0) : node(nodeCount - 1);
      if (allowInsert(n, element)) {
        if (atHead) {
          insertInNode(n, 0, element);
        } else {
          insertInNode(n, n.used, element);
        }
        size++;
        return;
      }
      trim(n);
    }
    insertNode(atHead ? 0 : nodeCount, newNode(element));
    size++;
  }

  /** Removes and returns the first or last element, or null when the list is empty. */
  public byte[] pop(boolean atHead) {
    if (size == 0) {
      return null;
    }
    int i = atHead ? 0 : nodeCount - 1;
    Node n = node(i);
    int off;
    int bytes;
    if (atHead) {
      off = 0;
      bytes = ListEntries.sizeOf(ListEntries.readCode(n.data, 0));
    } else {
      bytes = ListEntries.sizeOf(ListEntries.readCodeBackward(n.data, n.used));
      off = n.used - bytes;
    }
    byte[] out = ListEntries.elementAt(n.data, off);
    removeEntry(i, n, off, bytes);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // By index

  /** The element at {@code index} (0 ≤ index < size), copied. */
  public byte[] get(long index) {
    checkIndex(index, size);
    long loc = locate(index);
    Node n = node((int) (loc >>> 32));
    return ListEntries.elementAt(n.data, offsetOf(n, (int) loc));
  }

  /** Replaces the element at {@code index} (0 ≤ index < size) with {@code element} (copied). */
  public void set(long index, byte[] element) {
    checkIndex(index, size);
    long loc = locate(index);
    int i = (int) (loc >>> 32);
    Node n = node(i);
    int off = offsetOf(n, (int) loc);
    int oldSize = ListEntries.sizeOf(ListEntries.readCode(n.data, off));
    int newSize = ListEntries.entrySize(element);
    long newUsed = (long) n.used - oldSize + newSize;
    boolean inPlace = n.count == 1 || (element.length < packedThreshold && newUsed <= byteLimit());
    if (!inPlace) {
      // Too big for this node's company: take it out and insert it as a new element would be.
      removeEntry(i, n, off, oldSize);
      insert(index, element);
      return;
    }
    int delta = newSize - oldSize;
    if (delta > 0) {
      ensureCapacity(n, n.used + delta);
    }
    System.arraycopy(n.data, off + oldSize, n.data, off + newSize, n.used - off - oldSize);
    ListEntries.writeEntry(n.data, off, element);
    n.used += delta;
    if (delta < 0) {
      maybeShrink(n);
    }
  }

  /**
   * Inserts {@code element} (copied) so that it ends up at {@code index} (0 ≤ index ≤ size): before
   * the element now there, or at the tail when index is the size.
   */
  public void insert(long index, byte[] element) {
    checkIndex(index, size + 1);
    if (index == 0 || index == size) {
      push(element, index == 0);
      return;
    }
    long loc = locate(index);
    int i = (int) (loc >>> 32);
    int k = (int) loc;
    Node n = node(i);
    if (allowInsert(n, element)) {
      insertInNode(n, offsetOf(n, k), element);
    } else if (k == 0) {
      // Between two nodes: the end of the previous one, or a node of its own.
      Node prev = node(i - 1);
      if (allowInsert(prev, element)) {
        insertInNode(prev, prev.used, element);
      } else {
        insertNode(i, newNode(element));
      }
    } else {
      // Inside a full node: split it there, then put the element at one of the two cut ends.
      int off = offsetOf(n, k);
      Node right = new Node(Arrays.copyOfRange(n.data, off, n.used), n.used - off, n.count - k);
      n.used = off;
      n.count = k;
      insertNode(i + 1, right);
      if (allowInsert(n, element)) {
        insertInNode(n, n.used, element);
      } else if (allowInsert(right, element)) {
        insertInNode(right, 0, element);
      } else {
        insertNode(i + 1, newNode(element));
      }
      trim(n);
    }
    size++;
  }

  /** Removes {@code count} elements from {@code start} on (clamped to the list). */
  public void removeRange(long start, long count) {
    if (start < 0) {
      start = 0;
    }
    count = Math.min(count, size - start);
    if (count <= 0) {
      return;
    }
    if (count == size) {
      clear();
      return;
    }
    long loc = locate(start);
    int i = (int) (loc >>> 32);
    int k = (int) loc;
    long remaining = count;
    int firstEmptied = -1;
    while (remaining > 0) {
      Node n = node(i);
      if (k == 0 && remaining >= n.count) {
        remaining -= n.count;
        size -= n.count;
        if (i == 0) {
          removeNode(0); // cheap at the head; the next node moves to position 0
        } else {
          // Dropped by compactNodes, so that a run of whole nodes costs one shift of the ring.
          n.count = 0;
          n.used = 0;
          if (firstEmptied < 0) {
            firstEmptied = i;
          }
          i++;
        }
        continue;
      }
      int take = (int) Math.min(n.count - k, remaining);
      int from = offsetOf(n, k);
      int to;
      if (take == n.count - k) {
        to = n.used;
      } else {
        to = from;
        for (int t = 0; t < take; t++) {
          to += ListEntries.sizeOf(ListEntries.readCode(n.data, to));
        }
      }
      System.arraycopy(n.data, to, n.data, from, n.used - to);
      n.used -= to - from;
      n.count -= take;
      size -= take;
      remaining -= take;
      maybeShrink(n);
      i++;
      k = 0;
    }
    if (firstEmptied >= 0) {
      compactNodes(firstEmptied, false);
    }
  }

  /** Removes every element. */
  public void clear() {
    nodes = new Node[2];
    head = 0;
    nodeCount = 0;
    size = 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Searching

  /**
   * Visits up to {@code count} elements starting at index {@code from}, towards the tail, or
   * towards the head when {@code reverse}; stops early when the visitor returns false. Nothing is
   * visited when {@code from} is outside the list.
   */
  public void forEach(long from, long count, boolean reverse, ElementVisitor visitor) {
    if (count <= 0 || from < 0 || from >= size) {
      return;
    }
    long loc = locate(from);
    int i = (int) (loc >>> 32);
    Node n = node(i);
    int off = offsetOf(n, (int) loc);
    byte[] digits = null; // integers are shown to the visitor as their decimal text
    if (!reverse) {
      while (true) {
        int code = ListEntries.readCode(n.data, off);
        int h = ListEntries.varintSize(code);
        boolean more;
        if (ListEntries.isInteger(code)) {
          if (digits == null) {
            digits = new byte[20];
          }
          int len =
              ListEntries.formatLong(ListEntries.readInteger(n.data, off + h, code >>> 1), digits);
          more = visitor.visit(digits, 0, len);
        } else {
          more = visitor.visit(n.data, off + h, code >>> 1);
        }
        if (!more || --count == 0) {
          return;
        }
        off += 2 * h + (code >>> 1);
        if (off >= n.used) {
          if (++i == nodeCount) {
            return;
          }
          n = node(i);
          off = 0;
        }
      }
    }
    int end = off + ListEntries.sizeOf(ListEntries.readCode(n.data, off));
    while (true) {
      int code = ListEntries.readCodeBackward(n.data, end);
      int h = ListEntries.varintSize(code);
      int start = end - ListEntries.sizeOf(code);
      boolean more;
      if (ListEntries.isInteger(code)) {
        if (digits == null) {
          digits = new byte[20];
        }
        int len =
            ListEntries.formatLong(ListEntries.readInteger(n.data, start + h, code >>> 1), digits);
        more = visitor.visit(digits, 0, len);
      } else {
        more = visitor.visit(n.data, start + h, code >>> 1);
      }
      if (!more || --count == 0) {
        return;
      }
      end = start;
      if (end == 0) {
        if (--i < 0) {
          return;
        }
        n = node(i);
        end = n.used;
      }
    }
  }

  /** Index of the first element equal to {@code element}, or -1. */
  public long indexOf(byte[] element) {
    byte[] needle = ListEntries.encode(element);
    long before = 0;
    for (int i = 0; i < nodeCount; i++) {
      Node n = node(i);
      int k = 0;
      for (int off = 0; off < n.used; k++) {
        int bytes = ListEntries.sizeOf(ListEntries.readCode(n.data, off));
        if (sameEntry(n.data, off, bytes, needle)) {
          return before + k;
        }
        off += bytes;
      }
      before += n.count;
    }
    return -1;
  }

  /**
   * Removes elements equal to {@code element}: the first {@code limit} from the head, or the last
   * {@code limit} when {@code fromTail}; every one when {@code limit} is 0. Returns how many went.
   */
  public long removeAll(byte[] element, long limit, boolean fromTail) {
    byte[] needle = ListEntries.encode(element);
    long removed = 0;
    int[] matches = null;
    for (int step = 0; step < nodeCount; step++) {
      int i = fromTail ? nodeCount - 1 - step : step;
      Node n = node(i);
      long quota = limit == 0 ? Integer.MAX_VALUE : limit - removed;
      // Find the matching entries of this node, then drop the ones the direction picks.
      if (matches == null || matches.length < n.count) {
        matches = new int[Math.max(16, n.count)];
      }
      int m = 0;
      for (int off = 0; off < n.used; ) {
        int bytes = ListEntries.sizeOf(ListEntries.readCode(n.data, off));
        if (sameEntry(n.data, off, bytes, needle)) {
          matches[m++] = off;
        }
        off += bytes;
      }
      if (m == 0) {
        continue;
      }
      int take = (int) Math.min(m, quota);
      int first = fromTail ? m - take : 0;
      if (take == n.count) {
        n.count = 0; // dropped by compactNodes below
        n.used = 0;
      } else {
        int write = matches[first];
        int run = write;
        for (int j = first; j < first + take; j++) {
          int off = matches[j];
          System.arraycopy(n.data, run, n.data, write, off - run);
          write += off - run;
          run = off + needle.length;
        }
        System.arraycopy(n.data, run, n.data, write, n.used - run);
        n.used = write + (n.used - run);
        n.count -= take;
        maybeShrink(n);
      }
      size -= take;
      removed += take;
      if (limit != 0 && removed == limit) {
        break;
      }
    }
    if (removed > 0) {
      compactNodes(0, true);
    }
    return removed;
  }

  /**
   * Whether the entry of {@code bytes} bytes at {@code off} is {@code needle}, an encoded entry.
   * The encoding of an element is unique, so equal elements have equal entries.
   */
  private static boolean sameEntry(byte[] d, int off, int bytes, byte[] needle) {
    return bytes == needle.length && Arrays.equals(d, off, off + bytes, needle, 0, bytes);
  }

  /** Whether {@code len} bytes of {@code buf} at {@code off} equal {@code element}. */
  public static boolean equal(byte[] buf, int off, int len, byte[] element) {
    return len == element.length && Arrays.equals(buf, off, off + len, element, 0, len);
  }

  // ---------------------------------------------------------------------------------------------
  // Nodes

  private Node node(int i) {
    return nodes[(head + i) & (nodes.length - 1)];
  }

  private void setNode(int i, Node n) {
    nodes[(head + i) & (nodes.length - 1)] = n;
  }

  /** Puts {@code n} at position {@code i} (0 ≤ i ≤ nodeCount) of the ring. */
  private void insertNode(int i, Node n) {
    if (nodeCount == nodes.length) {
      Node[] bigger = new Node[nodes.length * 2];
      for (int j = 0; j < nodeCount; j++) {
        bigger[j] = node(j);
      }
      nodes = bigger;
      head = 0;
    }
    if (i == 0) {
      head = (head - 1) & (nodes.length - 1);
      nodes[head] = n;
    } else {
      for (int j = nodeCount; j > i; j--) {
        setNode(j, node(j - 1));
      }
      setNode(i, n);
    }
    nodeCount++;
  }

  private void removeNode(int i) {
    if (i == 0) {
      nodes[head] = null;
      head = (head + 1) & (nodes.length - 1);
    } else {
      for (int j = i; j < nodeCount - 1; j++) {
        setNode(j, node(j + 1));
      }
      setNode(nodeCount - 1, null);
    }
    nodeCount--;
    shrinkRing();
  }

  /** Halves the ring while it is less than a quarter full. */
  private void shrinkRing() {
    int capacity = nodes.length;
    while (capacity > 8 && nodeCount < capacity / 4) {
      capacity /= 2;
    }
    if (capacity != nodes.length) {
      Node[] smaller = new Node[capacity];
      for (int j = 0; j < nodeCount; j++) {
        smaller[j] = node(j);
      }
      nodes = smaller;
      head = 0;
    }
  }

  private static Node newNode(byte[] element) {
    byte[] data = ListEntries.encode(element);
    return new Node(data, data.length, 1);
  }

  /** Removes the entry of {@code bytes} bytes at {@code off} of node {@code i}. */
  private void removeEntry(int i, Node n, int off, int bytes) {
    if (n.count == 1) {
      removeNode(i);
    } else {
      System.arraycopy(n.data, off + bytes, n.data, off, n.used - off - bytes);
      n.used -= bytes;
      n.count--;
      maybeShrink(n);
    }
    size--;
  }

  private void insertInNode(Node n, int off, byte[] element) {
    int bytes = ListEntries.entrySize(element);
    int needed = n.used + bytes;
    if (needed > n.data.length) {
      byte[] grown = new byte[growTo(n.data.length, needed)];
      System.arraycopy(n.data, 0, grown, 0, off);
      System.arraycopy(n.data, off, grown, off + bytes, n.used - off);
      n.data = grown;
    } else {
      System.arraycopy(n.data, off, n.data, off + bytes, n.used - off);
    }
    ListEntries.writeEntry(n.data, off, element);
    n.used = needed;
    n.count++;
  }

  private void ensureCapacity(Node n, int needed) {
    if (needed > n.data.length) {
      n.data = Arrays.copyOf(n.data, growTo(n.data.length, needed));
    }
  }

  /** Doubling, but not past the node limit unless one element needs more. */
  private int growTo(int capacity, int needed) {
    int doubled = (int) Math.min((long) capacity * 2, Integer.MAX_VALUE - 8);
    return Math.max(needed, Math.min(doubled, byteLimit()));
  }

  /** Drops the spare room of a node that will not grow soon. */
  private static void trim(Node n) {
    if (n.data.length - n.used > 16) {
      n.data = Arrays.copyOf(n.data, n.used);
    }
  }

  private static void maybeShrink(Node n) {
    if (n.data.length > MIN_SHRINK_CAPACITY && n.used < n.data.length / 4) {
      n.data = Arrays.copyOf(n.data, Math.max(n.used * 2, MIN_SHRINK_CAPACITY / 2));
    }
  }

  /** The most bytes a node may hold: the size limit of a negative fill, else the safety limit. */
  private int byteLimit() {
    return fill < 0 ? SIZE_LIMITS[-fill - 1] : SAFETY_LIMIT;
  }

  /** Whether node {@code n} may take {@code element} too (Redis's rules). */
  private boolean allowInsert(Node n, byte[] element) {
    if (element.length >= packedThreshold || isPlain(n)) {
      return false;
    }
    long newUsed = (long) n.used + ListEntries.entrySize(element);
    if (fill < 0) {
      return newUsed <= SIZE_LIMITS[-fill - 1];
    }
    return newUsed <= SAFETY_LIMIT && n.count < fill;
  }

  /** A node holding one element too large to share a node. */
  private static boolean isPlain(Node n) {
    return n.count == 1 && (ListEntries.readCode(n.data, 0) >>> 1) >= packedThreshold;
  }

  private boolean allowMerge(Node a, Node b) {
    if (isPlain(a) || isPlain(b)) {
      return false;
    }
    long merged = (long) a.used + b.used;
    if (fill < 0) {
      return merged <= SIZE_LIMITS[-fill - 1];
    }
    return merged <= SAFETY_LIMIT && a.count + b.count <= fill;
  }

  /**
   * Drops the nodes from position {@code from} on that a bulk removal emptied (count 0), in one
   * pass, and when {@code merge} joins neighbours that fit together again, so that thinned nodes do
   * not stay thin.
   */
  private void compactNodes(int from, boolean merge) {
    int kept = from;
    for (int r = from; r < nodeCount; r++) {
      Node n = node(r);
      if (n.count == 0) {
        continue;
      }
      if (merge && kept > 0) {
        Node prev = node(kept - 1);
        if (allowMerge(prev, n)) {
          int needed = prev.used + n.used;
          if (needed > prev.data.length) {
            prev.data = Arrays.copyOf(prev.data, growTo(prev.data.length, needed));
          }
          System.arraycopy(n.data, 0, prev.data, prev.used, n.used);
          prev.used = needed;
          prev.count += n.count;
          continue;
        }
      }
      setNode(kept++, n);
    }
    for (int j = kept; j < nodeCount; j++) {
      setNode(j, null);
    }
    nodeCount = kept;
    shrinkRing();
  }

  /**
   * Node position (high 32 bits) and position inside that node (low 32 bits) of element {@code
   * index}, walking from the nearer end.
   */
  private long locate(long index) {
    if (index < size / 2) {
      long before = 0;
      for (int i = 0; ; i++) {
        int c = node(i).count;
        if (index < before + c) {
          return ((long) i << 32) | (index - before);
        }
        before += c;
      }
    }
    long start = size;
    for (int i = nodeCount - 1; ; i--) {
      start -= node(i).count;
      if (index >= start) {
        return ((long) i << 32) | (index - start);
      }
    }
  }

  /** Byte offset of entry {@code k} of node {@code n}, reached from the nearer end. */
  private static int offsetOf(Node n, int k) {
    if (k <= n.count / 2) {
      int off = 0;
      for (int j = 0; j < k; j++) {
        off += ListEntries.sizeOf(ListEntries.readCode(n.data, off));
      }
      return off;
    }
    int end = n.used;
    for (int j = n.count; j > k; j--) {
      end -= ListEntries.sizeOf(ListEntries.readCodeBackward(n.data, end));
    }
    return end;
  }

  private static void checkIndex(long index, long bound) {
    if (index < 0 || index >= bound) {
      throw new IndexOutOfBoundsException("index " + index + " of " + bound);
    }
  }

  /**
   * Checks the internal invariants (for tests): every node non-empty and fully parseable, counts
   * summing to the size.
   */
  void checkInvariants() {
    long total = 0;
    for (int i = 0; i < nodeCount; i++) {
      Node n = node(i);
      if (n == null || n.count <= 0) {
        throw new AssertionError("empty node " + i);
      }
      int off = 0;
      int c = 0;
      while (off < n.used) {
        int code = ListEntries.readCode(n.data, off);
        int end = off + ListEntries.sizeOf(code);
        if (end > n.used || ListEntries.readCodeBackward(n.data, end) != code) {
          throw new AssertionError("trailer mismatch in node " + i + " at " + off);
        }
        off = end;
        c++;
      }
      if (off != n.used || c != n.count) {
        throw new AssertionError("node " + i + " holds " + c + " entries, claims " + n.count);
      }
      total += c;
    }
    if (total != size) {
      throw new AssertionError("nodes hold " + total + " elements, size is " + size);
    }
  }

  @Override
  public long memoryUsage() {
    long[] bytes = {VALUE_OVERHEAD};
    // Packed entries carry their length twice, as in a listpack.
    forEach(
        0,
        size(),
        false,
        (buf, off, len) -> {
          bytes[0] += len + 2;
          return true;
        });
    return bytes[0];
  }
}
