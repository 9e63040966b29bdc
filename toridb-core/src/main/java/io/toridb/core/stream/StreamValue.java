package io.toridb.core.stream;

import io.toridb.core.hash.Varint;
import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A stream (Redis's OBJ_STREAM): entries in ID order, each a list of field-value pairs; the
 * stream's counters (last generated ID, entries ever added, largest deleted ID) and its consumer
 * groups.
 *
 * <p>Entries are kept as Redis keeps them, in nodes of at most {@code stream-node-max-entries}
 * entries and {@code stream-node-max-bytes} bytes (by the size the entries would take in Redis's
 * listpack), each node one packed byte array, where a deleted entry stays as a tombstone until its
 * whole node goes. That layout shows through the commands (trimming with {@code ~} removes only
 * whole nodes, and a node's last ID counts its tombstones) and it keeps the memory an entry costs
 * close to Redis's: its two ID halves, an offset and a flag byte beside the packed fields and
 * values, where a map of objects would spend five times that.
 */
public final class StreamValue extends StoredValue {
  /** Redis's STREAM_LISTPACK_MAX_SIZE: the largest node, whatever stream-node-max-bytes says. */
  static final long LISTPACK_MAX_SIZE = 1L << 30;

  /** The nodes, by the ID of each node's first (master) entry. */
  private final TreeMap<StreamId, Node> nodes = new TreeMap<>();

  /** Live entries, in all nodes. */
  private long length;

  private StreamId lastId = StreamId.MIN;
  private StreamId maxDeletedId = StreamId.MIN;
  private long entriesAdded;

  /** Consumer groups by name, in byte order. */
  private final TreeMap<byte[], ConsumerGroup> groups = new TreeMap<>(Arrays::compareUnsigned);

  /**
   * One node: its entries' IDs (milliseconds and sequence in turn: in {@code small} as the
   * milliseconds after the master ID's and the sequence, 32 bits each, while every entry's fit,
   * else in {@code ids} as they are), where each entry starts in {@code data} and whether it was
   * deleted. An entry in {@code data} is its field count as a varint, or 0 when its fields are the
   * node's master fields, then each field (unless 0) and value as a varint length and the bytes.
   */
  static final class Node {
    final StreamId master;
    final byte[][] masterFields;
    int[] small = new int[16];
    long[] ids;
    int[] starts = new int[8];
    byte[] deleted = new byte[8];
    byte[] data = new byte[128];
    int used;
    int count;
    int live;
    int dead;

    /** The size this node would have as Redis's listpack. */
    long bytes;

    Node(StreamId master, byte[][] masterFields) {
      this.master = master;
      this.masterFields = masterFields;
    }

    StreamId id(int i) {
      if (ids != null) {
        return new StreamId(ids[2 * i], ids[2 * i + 1]);
      }
      return new StreamId(master.ms() + Integer.toUnsignedLong(small[2 * i]), seq(i));
    }

    StreamId last() {
      return id(count - 1);
    }

    boolean isDeleted(int i) {
      return deleted[i] != 0;
    }

    /** Index of the first entry with an ID at least {@code id} ({@code count} if none). */
    int lowerBound(StreamId id) {
      int lo = 0;
      int hi = count;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (compare(mid, id) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    private int compare(int i, StreamId id) {
      long ms = ids != null ? ids[2 * i] : master.ms() + Integer.toUnsignedLong(small[2 * i]);
      int c = Long.compareUnsigned(ms, id.ms());
      return c != 0 ? c : Long.compareUnsigned(seq(i), id.seq());
    }

    private long seq(int i) {
      return ids != null ? ids[2 * i + 1] : Integer.toUnsignedLong(small[2 * i + 1]);
    }

    /**
     * Whether {@code id} fits the small form: 32 bits of milliseconds after the master's, of seq.
     */
    private boolean fitsSmall(StreamId id) {
      long delta = id.ms() - master.ms();
      return Long.compareUnsigned(delta, 0xFFFF_FFFFL) <= 0
          && Long.compareUnsigned(id.seq(), 0xFFFF_FFFFL) <= 0;
    }

    /** Moves the IDs to the full form, for good. */
    private void widen() {
      long[] wide = new long[starts.length * 2];
      for (int k = 0; k < count; k++) {
        wide[2 * k] = master.ms() + Integer.toUnsignedLong(small[2 * k]);
        wide[2 * k + 1] = Integer.toUnsignedLong(small[2 * k + 1]);
      }
      ids = wide;
      small = null;
    }

    /** The index of the entry {@code id} (deleted or not), or -1. */
    int indexOf(StreamId id) {
      int i = lowerBound(id);
      return i < count && compare(i, id) == 0 ? i : -1;
    }

    /** Adds an entry after the others. */
    void add(StreamId id, byte[][] fv, boolean isDeleted) {
      if (count == starts.length) {
        int cap = count * 2;
        if (ids != null) {
          ids = Arrays.copyOf(ids, cap * 2);
        } else {
          small = Arrays.copyOf(small, cap * 2);
        }
        starts = Arrays.copyOf(starts, cap);
        deleted = Arrays.copyOf(deleted, cap);
      }
      boolean same = sameFields(fv, masterFields);
      long need = 5;
      for (int i = 0; i < fv.length; i++) {
        if (!same || i % 2 == 1) {
          need += Varint.size(fv[i].length) + fv[i].length;
        }
      }
      if (used + need > data.length) {
        long cap = Math.max(data.length * 2L, used + need);
        if (cap > Integer.MAX_VALUE - 16) {
          throw new IllegalStateException("stream node too large");
        }
        data = Arrays.copyOf(data, (int) cap);
      }
      if (ids == null && !fitsSmall(id)) {
        widen();
      }
      if (ids != null) {
        ids[2 * count] = id.ms();
        ids[2 * count + 1] = id.seq();
      } else {
        small[2 * count] = (int) (id.ms() - master.ms());
        small[2 * count + 1] = (int) id.seq();
      }
      starts[count] = used;
      deleted[count] = (byte) (isDeleted ? 1 : 0);
      int p = Varint.write(data, used, same ? 0 : fv.length / 2);
      for (int i = 0; i < fv.length; i++) {
        if (!same || i % 2 == 1) {
          p = Varint.write(data, p, fv[i].length);
          System.arraycopy(fv[i], 0, data, p, fv[i].length);
          p += fv[i].length;
        }
      }
      used = p;
      count++;
      bytes += ListpackSize.entry(master, id, same, fv);
      if (isDeleted) {
        dead++;
      } else {
        live++;
      }
    }

    /** Marks entry {@code i} deleted. */
    void delete(int i) {
      deleted[i] = 1;
      live--;
      dead++;
    }

    /** Entry {@code i}'s fields and values. */
    byte[][] fieldsAndValues(int i) {
      int p = starts[i];
      int n = Varint.read(data, p);
      p += Varint.size(n);
      boolean same = n == 0;
      if (same) {
        n = masterFields.length;
      }
      byte[][] fv = new byte[2 * n][];
      for (int j = 0; j < fv.length; j++) {
        if (same && j % 2 == 0) {
          fv[j] = masterFields[j / 2];
          continue;
        }
        int len = Varint.read(data, p);
        p += Varint.size(len);
        fv[j] = Arrays.copyOfRange(data, p, p + len);
        p += len;
      }
      return fv;
    }

    /** Writes entry {@code i}'s fields and values as the array Redis replies. */
    void writeFields(RespWriter out, int i) {
      int p = starts[i];
      int n = Varint.read(data, p);
      p += Varint.size(n);
      boolean same = n == 0;
      if (same) {
        n = masterFields.length;
      }
      out.arrayHeader(2 * n);
      for (int j = 0; j < 2 * n; j++) {
        if (same && j % 2 == 0) {
          out.bulk(masterFields[j / 2]);
          continue;
        }
        int len = Varint.read(data, p);
        p += Varint.size(len);
        out.bulk(data, p, len);
        p += len;
      }
    }

    /** Drops the room kept for more entries (a node no longer the last one). */
    void compact() {
      if (starts.length > count) {
        if (ids != null) {
          ids = Arrays.copyOf(ids, 2 * count);
        } else {
          small = Arrays.copyOf(small, 2 * count);
        }
        starts = Arrays.copyOf(starts, count);
        deleted = Arrays.copyOf(deleted, count);
      }
      if (data.length > used) {
        data = Arrays.copyOf(data, used);
      }
    }

    Node copy() {
      Node n = new Node(master, masterFields);
      n.ids = ids == null ? null : ids.clone();
      n.small = small == null ? null : small.clone();
      n.starts = starts.clone();
      n.deleted = deleted.clone();
      n.data = data.clone();
      n.used = used;
      n.count = count;
      n.live = live;
      n.dead = dead;
      n.bytes = bytes;
      return n;
    }

    long memory() {
      long idBytes = ids != null ? 8L * ids.length : 4L * small.length;
      return 96L + idBytes + 4L * starts.length + deleted.length + data.length;
    }
  }

  /** A live entry found in the stream: its ID and where it is. Valid until the stream changes. */
  public static final class Ref {
    private final StreamId id;
    private final Node node;
    private final int index;

    Ref(StreamId id, Node node, int index) {
      this.id = id;
      this.node = node;
      this.index = index;
    }

    public StreamId id() {
      return id;
    }

    public byte[][] fieldsAndValues() {
      return node.fieldsAndValues(index);
    }

    /** Writes the entry as Redis replies it: its ID and the array of its fields and values. */
    public void write(RespWriter out) {
      out.arrayHeader(2);
      out.bulk(id.bytes());
      node.writeFields(out, index);
    }
  }

  @Override
  public ValueType type() {
    return ValueType.STREAM;
  }

  @Override
  public String encoding() {
    return "stream";
  }

  public long length() {
    return length;
  }

  public StreamId lastId() {
    return lastId;
  }

  public StreamId maxDeletedId() {
    return maxDeletedId;
  }

  public long entriesAdded() {
    return entriesAdded;
  }

  /** The first live entry's ID, or 0-0 when there is none (Redis's first_id). */
  public StreamId firstId() {
    Ref r = edge(false);
    return r == null ? StreamId.MIN : r.id;
  }

  /** The last live entry's ID, or 0-0 when there is none (Redis's streamLastValidID). */
  public StreamId lastValidId() {
    Ref r = edge(true);
    return r == null ? StreamId.MIN : r.id;
  }

  /** The first live entry, or the last; null when there is none. */
  public Ref edge(boolean last) {
    if (length == 0) {
      return null;
    }
    for (Node n : last ? nodes.descendingMap().values() : nodes.values()) {
      if (n.live == 0) {
        continue;
      }
      for (int k = 0; k < n.count; k++) {
        int i = last ? n.count - 1 - k : k;
        if (!n.isDeleted(i)) {
          return new Ref(n.id(i), n, i);
        }
      }
    }
    return null;
  }

  /**
   * The ID of the first entry the stream's nodes hold, tombstones included (what Redis propagates
   * after trimming by MINID with {@code ~}); the largest ID when there is none, as Redis's
   * streamGetEdgeID.
   */
  StreamId firstNodeId() {
    return nodes.isEmpty() ? StreamId.MAX : nodes.firstKey();
  }

  /** Radix tree keys: the number of nodes. */
  public int nodeCount() {
    return nodes.size();
  }

  public TreeMap<byte[], ConsumerGroup> groups() {
    return groups;
  }

  /** The live entry {@code id}, or null. */
  public Ref find(StreamId id) {
    Map.Entry<StreamId, Node> e = nodes.floorEntry(id);
    if (e == null) {
      return null;
    }
    Node n = e.getValue();
    int i = n.indexOf(id);
    return i < 0 || n.isDeleted(i) ? null : new Ref(id, n, i);
  }

  /** The fields and values of live entry {@code id}, or null. */
  public byte[][] entry(StreamId id) {
    Ref r = find(id);
    return r == null ? null : r.fieldsAndValues();
  }

  /**
   * The live entries from {@code from} to {@code to} (inclusive), oldest first or ({@code rev})
   * newest first, at most {@code count} of them (0 = all).
   */
  public List<Ref> range(StreamId from, StreamId to, boolean rev, long count) {
    List<Ref> out = new ArrayList<>(count > 0 && count < 64 ? (int) count : 16);
    if (from.compareTo(to) > 0 || length == 0) {
      return out;
    }
    if (!rev) {
      Map.Entry<StreamId, Node> e = nodes.floorEntry(from);
      if (e == null) {
        e = nodes.firstEntry();
      }
      int i = e.getValue().lowerBound(from);
      while (e != null) {
        Node n = e.getValue();
        for (; i < n.count; i++) {
          StreamId id = n.id(i);
          if (id.compareTo(to) > 0) {
            return out;
          }
          if (!n.isDeleted(i)) {
            out.add(new Ref(id, n, i));
            if (count != 0 && out.size() >= count) {
              return out;
            }
          }
        }
        e = nodes.higherEntry(e.getKey());
        i = 0;
      }
      return out;
    }
    Map.Entry<StreamId, Node> e = nodes.floorEntry(to);
    if (e == null) {
      return out;
    }
    int i = e.getValue().lowerBound(to);
    if (i == e.getValue().count || e.getValue().compare(i, to) > 0) {
      i--;
    }
    while (e != null) {
      Node n = e.getValue();
      for (; i >= 0; i--) {
        StreamId id = n.id(i);
        if (id.compareTo(from) < 0) {
          return out;
        }
        if (!n.isDeleted(i)) {
          out.add(new Ref(id, n, i));
          if (count != 0 && out.size() >= count) {
            return out;
          }
        }
      }
      e = nodes.lowerEntry(e.getKey());
      if (e != null) {
        i = e.getValue().count - 1;
      }
    }
    return out;
  }

  /** Sets what XSETID and loading set: the last ID, the entries added, the largest deleted ID. */
  public void counters(StreamId lastId, long entriesAdded, StreamId maxDeletedId) {
    this.lastId = lastId;
    this.entriesAdded = entriesAdded;
    this.maxDeletedId = maxDeletedId;
  }

  void lastId(StreamId id) {
    this.lastId = id;
  }

  void entriesAdded(long n) {
    this.entriesAdded = n;
  }

  void maxDeletedId(StreamId id) {
    this.maxDeletedId = id;
  }

  /**
   * Starts a node at {@code master}, whose first entry's fields ({@code fv}'s) are its master
   * fields.
   */
  private Node newNode(StreamId master, byte[][] fv) {
    byte[][] fields = new byte[fv.length / 2][];
    for (int i = 0; i < fields.length; i++) {
      fields[i] = fv[2 * i];
    }
    Node node = new Node(master, fields);
    node.bytes = ListpackSize.masterEntry(fields);
    nodes.put(master, node);
    return node;
  }

  /** Whether an entry's fields ({@code fv}'s) are, in order, its node's {@code masterFields}. */
  public static boolean sameFields(byte[][] fv, byte[][] masterFields) {
    if (fv.length / 2 != masterFields.length) {
      return false;
    }
    for (int i = 0; i < masterFields.length; i++) {
      if (!Arrays.equals(fv[2 * i], masterFields[i])) {
        return false;
      }
    }
    return true;
  }

  /**
   * Appends an entry with an ID greater than every one before (the caller checked), into the last
   * node while it has room for it under {@code maxBytes} and {@code maxEntries} (0 = no limit), as
   * Redis's streamAppendItem decides.
   */
  public void append(StreamId id, byte[][] fieldsAndValues, long maxBytes, long maxEntries) {
    dropTombstonesFrom(id);
    Map.Entry<StreamId, Node> tail = nodes.lastEntry();
    Node node = tail == null ? null : tail.getValue();
    if (node != null) {
      long nodeMax = maxBytes == 0 || maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : maxBytes;
      long total = 0;
      for (byte[] b : fieldsAndValues) {
        total += b.length;
      }
      if (node.bytes + total >= nodeMax
          || (maxEntries != 0 && node.live + node.dead >= maxEntries)) {
        node.compact();
        node = null;
      }
    }
    if (node == null) {
      node = newNode(id, fieldsAndValues);
    }
    node.add(id, fieldsAndValues, false);
    length++;
    lastId = id;
    entriesAdded++;
  }

  /**
   * XSETID may set the last ID below deleted entries at the end of the stream; an entry added after
   * that would sit after a larger ID in its node. Those tombstones hold nothing anyone can read, so
   * they go first.
   */
  private void dropTombstonesFrom(StreamId id) {
    Map.Entry<StreamId, Node> tail;
    while ((tail = nodes.lastEntry()) != null) {
      Node n = tail.getValue();
      if (n.count > 0 && n.last().compareTo(id) < 0) {
        return;
      }
      while (n.count > 0 && n.isDeleted(n.count - 1) && n.last().compareTo(id) >= 0) {
        n.count--;
        n.dead--;
        n.used = n.starts[n.count];
      }
      if (n.count > 0) {
        return;
      }
      nodes.remove(tail.getKey());
    }
  }

  /**
   * Adds an entry read from a snapshot or payload to node {@code master} (made if new) as its
   * newest, without touching the counters, which the reader sets from the file. Call {@link
   * #dropEmptyNodes} when done.
   */
  public void restore(StreamId master, StreamId id, byte[][] fieldsAndValues, boolean deleted) {
    Node node = nodes.get(master);
    if (node == null) {
      node = newNode(master, fieldsAndValues);
    }
    node.add(id, fieldsAndValues, deleted);
    if (!deleted) {
      length++;
    }
  }

  /**
   * Ends a restore: forgets nodes that ended up with no live entry (Redis frees such listpacks) and
   * gives back the room the others kept for growing.
   */
  public void dropEmptyNodes() {
    nodes.values().removeIf(n -> n.live == 0);
    for (Node n : nodes.values()) {
      n.compact();
    }
  }

  /** Deletes one entry; false if there is no live entry with that ID. */
  public boolean delete(StreamId id) {
    Map.Entry<StreamId, Node> e = nodes.floorEntry(id);
    if (e == null) {
      return false;
    }
    Node node = e.getValue();
    int i = node.indexOf(id);
    if (i < 0 || node.isDeleted(i)) {
      return false;
    }
    length--;
    if (node.live == 1) {
      nodes.remove(e.getKey());
    } else {
      node.delete(i);
    }
    return true;
  }

  /**
   * Trims from the oldest entries, as Redis's streamTrim: whole nodes while they can go, then
   * (unless {@code approx}) entries of the next node one by one, never more than {@code limit}
   * entries (0 = no limit). {@code minId} null means trimming to {@code maxLen} entries; otherwise
   * every entry below {@code minId} goes. Returns the number of entries deleted.
   */
  public long trim(long maxLen, StreamId minId, boolean approx, long limit) {
    long deleted = 0;
    Iterator<Node> it = nodes.values().iterator();
    while (it.hasNext()) {
      if (minId == null && length <= maxLen) {
        break;
      }
      Node node = it.next();
      int live = node.live;
      if (limit != 0 && deleted + live > limit) {
        break;
      }
      boolean removeNode =
          minId == null ? length - live >= maxLen : node.last().compareTo(minId) < 0;
      if (removeNode) {
        it.remove();
        length -= live;
        deleted += live;
        continue;
      }
      if (approx) {
        break;
      }
      for (int i = 0; i < node.count; i++) {
        boolean stop = minId == null ? length <= maxLen : node.id(i).compareTo(minId) >= 0;
        if (stop) {
          break;
        }
        if (!node.isDeleted(i)) {
          node.delete(i);
          length--;
          deleted++;
        }
      }
      break;
    }
    return deleted;
  }

  /** Creates a group; null if one by that name exists. */
  public ConsumerGroup createGroup(byte[] name, StreamId lastId, long entriesRead) {
    if (groups.containsKey(name)) {
      return null;
    }
    ConsumerGroup g = new ConsumerGroup(name, lastId, entriesRead);
    groups.put(name, g);
    return g;
  }

  public ConsumerGroup group(byte[] name) {
    return groups.get(name);
  }

  boolean destroyGroup(byte[] name) {
    return groups.remove(name) != null;
  }

  /**
   * Whether an XDEL tombstone may lie between {@code from} and the end (Redis's
   * streamRangeHasTombstones with no end).
   */
  boolean tombstonesFrom(StreamId from) {
    if (length == 0 || maxDeletedId.isZero()) {
      return false;
    }
    if (firstId().compareTo(maxDeletedId) > 0) {
      return false;
    }
    return from.compareTo(maxDeletedId) <= 0;
  }

  /**
   * How many entries were added up to and including {@code id}, where that can be known (Redis's
   * streamEstimateDistanceFromFirstEverEntry); {@link ConsumerGroup#INVALID_ENTRIES_READ} if not.
   */
  long distanceFromFirstEver(StreamId id) {
    if (entriesAdded == 0) {
      return 0;
    }
    if (length == 0 && id.compareTo(lastId) < 1) {
      return entriesAdded;
    }
    int cmpLast = id.compareTo(lastId);
    if (cmpLast == 0) {
      return entriesAdded;
    } else if (cmpLast > 0) {
      return ConsumerGroup.INVALID_ENTRIES_READ;
    }
    StreamId first = firstId();
    int cmpFirst = id.compareTo(first);
    if (maxDeletedId.isZero() || maxDeletedId.compareTo(first) < 0) {
      if (cmpFirst < 0) {
        return entriesAdded - length;
      } else if (cmpFirst == 0) {
        return entriesAdded - length + 1;
      }
    }
    return ConsumerGroup.INVALID_ENTRIES_READ;
  }

  /**
   * A group's lag (entries not yet delivered to it), or {@link Long#MIN_VALUE} when it cannot be
   * told. Like Redis's, it can come out negative when ENTRIESREAD claimed more than was added.
   */
  long lag(ConsumerGroup g) {
    if (entriesAdded == 0) {
      return 0;
    }
    if (g.entriesRead != ConsumerGroup.INVALID_ENTRIES_READ && !tombstonesFrom(g.lastId)) {
      return entriesAdded - g.entriesRead;
    }
    long read = distanceFromFirstEver(g.lastId);
    return read == ConsumerGroup.INVALID_ENTRIES_READ ? Long.MIN_VALUE : entriesAdded - read;
  }

  @Override
  public StoredValue copy() {
    StreamValue s = new StreamValue();
    for (Map.Entry<StreamId, Node> e : nodes.entrySet()) {
      s.nodes.put(e.getKey(), e.getValue().copy());
    }
    s.length = length;
    s.lastId = lastId;
    s.maxDeletedId = maxDeletedId;
    s.entriesAdded = entriesAdded;
    for (ConsumerGroup g : groups.values()) {
      s.groups.put(g.name, g.copy());
    }
    return s;
  }

  /**
   * The nodes as Redis would lay them out, for writing a snapshot: each node's master ID, its
   * master fields and the live entries it holds. Deleted entries are left out (they leave no trace
   * a reader needs).
   */
  public List<NodeView> nodeViews() {
    List<NodeView> out = new ArrayList<>(nodes.size());
    for (Node n : nodes.values()) {
      TreeMap<StreamId, byte[][]> live = new TreeMap<>();
      for (int i = 0; i < n.count; i++) {
        if (!n.isDeleted(i)) {
          live.put(n.id(i), n.fieldsAndValues(i));
        }
      }
      out.add(new NodeView(n.master, n.masterFields, live));
    }
    return out;
  }

  /** One node as {@link #nodeViews} shows it. */
  public record NodeView(
      StreamId master, byte[][] masterFields, NavigableMap<StreamId, byte[][]> entries) {}

  @Override
  public void digest(DatasetDigest digest) {
    // Redis 7.0's xorObjectDigest for streams: each entry's ID as "ms.seq", then its fields and
    // values, in order; groups are left out.
    for (Ref r : range(StreamId.MIN, StreamId.MAX, false, 0)) {
      StreamId id = r.id();
      byte[] text =
          (Long.toUnsignedString(id.ms()) + "." + Long.toUnsignedString(id.seq()))
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      digest.mix(text, 0, text.length);
      for (byte[] b : r.fieldsAndValues()) {
        digest.mix(b, 0, b.length);
      }
    }
  }

  /** An ID as Redis's streamEncodeID writes it: both halves big-endian. */
  public static byte[] rawId(StreamId id) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (id.ms() >>> (56 - 8 * i));
      b[8 + i] = (byte) (id.seq() >>> (56 - 8 * i));
    }
    return b;
  }

  @Override
  public long memoryUsage() {
    long n = VALUE_OVERHEAD + 48;
    for (Node node : nodes.values()) {
      n += node.memory();
    }
    for (ConsumerGroup g : groups.values()) {
      n += 96 + g.name.length + 48L * g.pel.size();
      for (ConsumerGroup.Consumer c : g.consumers.values()) {
        n += 64 + c.name.length + 32L * c.pel.size();
      }
    }
    return n;
  }

  /**
   * The read counter of a group whose last delivered ID is {@code id}, as far as it can be told
   * ({@link ConsumerGroup#INVALID_ENTRIES_READ} if not): what Redis gives a group loaded from a
   * snapshot of Redis 6 or older, which saved none.
   */
  public long estimateEntriesRead(StreamId id) {
    return distanceFromFirstEver(id);
  }
}
