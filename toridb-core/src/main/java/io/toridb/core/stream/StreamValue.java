package io.toridb.core.stream;

import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
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
 * <p>Redis keeps the entries in listpacks of at most {@code stream-node-max-entries} entries and
 * {@code stream-node-max-bytes} bytes, where deleted entries stay as tombstones until their whole
 * node goes. That layout shows through the commands: trimming with {@code ~} removes only whole
 * nodes, and the last ID of a node counts its tombstones. So beside the live entries this class
 * keeps the nodes' outline ({@link Node}: first and last ID, live and deleted counts, an estimate
 * of the listpack's size), which makes approximate trimming remove exactly what Redis's would.
 */
public final class StreamValue extends StoredValue {
  /** Redis's STREAM_LISTPACK_MAX_SIZE: the largest node, whatever stream-node-max-bytes says. */
  static final long LISTPACK_MAX_SIZE = 1L << 30;

  /** The live entries: ID to field, value, field, value, ... */
  private final TreeMap<StreamId, byte[][]> entries = new TreeMap<>();

  /** The nodes' outline, by the ID of each node's first (master) entry. */
  private final TreeMap<StreamId, Node> nodes = new TreeMap<>();

  private StreamId lastId = StreamId.MIN;
  private StreamId maxDeletedId = StreamId.MIN;
  private long entriesAdded;

  /** Consumer groups by name, in byte order. */
  private final TreeMap<byte[], ConsumerGroup> groups = new TreeMap<>(Arrays::compareUnsigned);

  /** One listpack of Redis's layout: which entries it holds, and about how large it is. */
  static final class Node {
    int live;
    int deleted;
    long bytes;
    StreamId last;
    final byte[][] masterFields;

    Node(byte[][] masterFields) {
      this.masterFields = masterFields;
    }

    Node copy() {
      Node n = new Node(masterFields);
      n.live = live;
      n.deleted = deleted;
      n.bytes = bytes;
      n.last = last;
      return n;
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
    return entries.size();
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
    return entries.isEmpty() ? StreamId.MIN : entries.firstKey();
  }

  /** The last live entry's ID, or 0-0 when there is none (Redis's streamLastValidID). */
  public StreamId lastValidId() {
    return entries.isEmpty() ? StreamId.MIN : entries.lastKey();
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

  public NavigableMap<StreamId, byte[][]> entries() {
    return entries;
  }

  public TreeMap<byte[], ConsumerGroup> groups() {
    return groups;
  }

  public byte[][] entry(StreamId id) {
    return entries.get(id);
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
   * Appends an entry with an ID greater than every one before (the caller checked), into the last
   * node while it has room for it under {@code maxBytes} and {@code maxEntries} (0 = no limit), as
   * Redis's streamAppendItem decides.
   */
  public void append(StreamId id, byte[][] fieldsAndValues, long maxBytes, long maxEntries) {
    Map.Entry<StreamId, Node> tail = nodes.lastEntry();
    Node node = tail == null ? null : tail.getValue();
    if (node != null) {
      long nodeMax = maxBytes == 0 || maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : maxBytes;
      long total = 0;
      for (byte[] b : fieldsAndValues) {
        total += b.length;
      }
      if (node.bytes + total >= nodeMax
          || (maxEntries != 0 && node.live + node.deleted >= maxEntries)) {
        node = null;
      }
    }
    StreamId master;
    if (node == null) {
      byte[][] fields = new byte[fieldsAndValues.length / 2][];
      for (int i = 0; i < fields.length; i++) {
        fields[i] = fieldsAndValues[2 * i];
      }
      node = new Node(fields);
      node.bytes = ListpackSize.masterEntry(fields);
      nodes.put(id, node);
      master = id;
    } else {
      master = tail.getKey();
    }
    node.bytes += ListpackSize.entry(master, id, node.masterFields, fieldsAndValues);
    node.live++;
    node.last = id;
    entries.put(id, fieldsAndValues);
    lastId = id;
    entriesAdded++;
  }

  /**
   * Adds an entry read from a snapshot or payload to node {@code master} (made if new) as its
   * newest, without touching the counters, which the reader sets from the file.
   */
  public void restore(StreamId master, StreamId id, byte[][] fieldsAndValues, boolean deleted) {
    Node node = nodes.get(master);
    if (node == null) {
      byte[][] fields = new byte[fieldsAndValues.length / 2][];
      for (int i = 0; i < fields.length; i++) {
        fields[i] = fieldsAndValues[2 * i];
      }
      node = new Node(fields);
      node.bytes = ListpackSize.masterEntry(fields);
      nodes.put(master, node);
    }
    node.bytes += ListpackSize.entry(master, id, node.masterFields, fieldsAndValues);
    node.last = id;
    if (deleted) {
      node.deleted++;
    } else {
      node.live++;
      entries.put(id, fieldsAndValues);
    }
  }

  /** Forgets a restored node that ended up with no live entry (Redis frees such listpacks). */
  public void dropEmptyNodes() {
    nodes.values().removeIf(n -> n.live == 0);
  }

  /** Deletes one entry; false if there is no live entry with that ID. */
  public boolean delete(StreamId id) {
    if (entries.remove(id) == null) {
      return false;
    }
    Map.Entry<StreamId, Node> e = nodes.floorEntry(id);
    Node node = e.getValue();
    if (node.live == 1) {
      nodes.remove(e.getKey());
    } else {
      node.live--;
      node.deleted++;
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
    Iterator<Map.Entry<StreamId, Node>> it = nodes.entrySet().iterator();
    while (it.hasNext()) {
      if (minId == null && entries.size() <= maxLen) {
        break;
      }
      Map.Entry<StreamId, Node> e = it.next();
      Node node = e.getValue();
      int live = node.live;
      if (limit != 0 && deleted + live > limit) {
        break;
      }
      boolean removeNode =
          minId == null ? entries.size() - live >= maxLen : node.last.compareTo(minId) < 0;
      if (removeNode) {
        entries.subMap(e.getKey(), true, node.last, true).clear();
        it.remove();
        deleted += live;
        continue;
      }
      if (approx) {
        break;
      }
      Iterator<StreamId> ids =
          entries.subMap(e.getKey(), true, node.last, true).keySet().iterator();
      while (ids.hasNext()) {
        StreamId id = ids.next();
        boolean stop = minId == null ? entries.size() <= maxLen : id.compareTo(minId) >= 0;
        if (stop) {
          break;
        }
        ids.remove();
        node.live--;
        node.deleted++;
        deleted++;
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
    if (entries.isEmpty() || maxDeletedId.isZero()) {
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
    if (entries.isEmpty() && id.compareTo(lastId) < 1) {
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
        return entriesAdded - entries.size();
      } else if (cmpFirst == 0) {
        return entriesAdded - entries.size() + 1;
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
    s.entries.putAll(entries);
    for (Map.Entry<StreamId, Node> e : nodes.entrySet()) {
      s.nodes.put(e.getKey(), e.getValue().copy());
    }
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
    for (Map.Entry<StreamId, Node> e : nodes.entrySet()) {
      Node n = e.getValue();
      out.add(
          new NodeView(e.getKey(), n.masterFields, entries.subMap(e.getKey(), true, n.last, true)));
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
    for (Map.Entry<StreamId, byte[][]> e : entries.entrySet()) {
      StreamId id = e.getKey();
      byte[] text =
          (Long.toUnsignedString(id.ms()) + "." + Long.toUnsignedString(id.seq()))
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      digest.mix(text, 0, text.length);
      for (byte[] b : e.getValue()) {
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
    long n = VALUE_OVERHEAD + 64L * nodes.size();
    for (byte[][] fv : entries.values()) {
      n += 64 + 16L * fv.length;
      for (byte[] b : fv) {
        n += b.length;
      }
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
