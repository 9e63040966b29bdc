package io.toridb.persistence.rdb;

import io.toridb.core.stream.ConsumerGroup;
import io.toridb.core.stream.StreamId;
import io.toridb.core.stream.StreamValue;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A stream in an RDB file or DUMP payload, as Redis 7.0's rdbSaveObject writes it under {@link
 * RdbType#STREAM_LISTPACKS_2} and its rdbLoadObject reads it (also under {@link
 * RdbType#STREAM_LISTPACKS}, Redis 5 and 6's form, without the fields marked "19 only"). Lengths
 * are RDB lengths (see {@link RdbInput}), which hold unsigned 64-bit numbers; strings are RDB
 * strings; raw IDs are 16 bytes, milliseconds then sequence, both big endian; times are 8 bytes,
 * signed milliseconds, little endian:
 *
 * <pre>
 * length              number of nodes, then per node:
 *   string            its master ID, raw (16 bytes)
 *   string            its listpack (below)
 * length              entries in the stream (live ones)
 * length length       last ID: ms, seq
 * length length       first live entry's ID, 0-0 when none          (19 only)
 * length length       largest deleted ID                           (19 only)
 * length              entries ever added                           (19 only)
 * length              number of consumer groups, then per group:
 *   string            name
 *   length length     last delivered ID
 *   length            entries read, 2^64 - 1 when unknown          (19 only)
 *   length            pending entries, then per entry:
 *     16 bytes        raw ID
 *     8 bytes         time of the last delivery
 *     length          number of deliveries
 *   length            consumers, then per consumer:
 *     string          name
 *     8 bytes         time last seen
 *     length          its pending entries, then per entry 16 bytes of raw ID (one of the group's)
 * </pre>
 *
 * A node's listpack holds its master entry, then its entries (deleted ones as tombstones), each
 * ending in the number of elements before it in that entry, so that the node can be walked back:
 *
 * <pre>
 * count deleted n field_1 .. field_n 0                       master entry
 * flags ms-delta seq-delta value_1 .. value_n (n + 3)        an entry with the master's fields
 * flags ms-delta seq-delta m field_1 value_1 .. (2m + 4)     an entry with other fields
 * </pre>
 *
 * where {@code count} and {@code deleted} count live and deleted entries, the deltas are the ID's
 * halves minus the master ID's (64-bit, wrapping), and flags has bit 0 for a deleted entry, bit 1
 * for the master's fields. Integers may be stored as integer elements or as their decimal text.
 *
 * <p>Writing: one node per node of the value ({@link StreamValue#nodeViews}), its live entries only
 * (tombstones carry nothing a reader needs; {@code deleted} is 0). Reading validates as Redis does
 * with sanitize-dump-payload yes (streamValidateListpackIntegrity, the consumer checks) and also
 * refuses what Redis would load into a stream no command could have made: IDs that do not increase
 * through the nodes, a node whose counts disagree with its entries, a length that is not the number
 * of live entries, a last ID below the last entry, fewer entries added than there are, unknown flag
 * bits, a pending entry claimed by two consumers (Redis 7.0 would hand it to the second and leave
 * it in both lists). The saved first ID is skipped: the value derives it from its entries. Every
 * count is checked against the bytes (or listpack elements) left before it is looped over, so
 * nothing is sized from a count those do not back.
 */
final class StreamFormat {
  private StreamFormat() {}

  /** An entry's flags (Redis's STREAM_ITEM_FLAG_*). */
  private static final int FLAG_DELETED = 1;

  private static final int FLAG_SAMEFIELDS = 2;

  /** Bytes of a raw ID, a time. */
  private static final int RAW_ID = 16;

  private static final int TIME = 8;

  /** Fewest bytes a node (two strings), a group, a pending entry, a consumer can take. */
  private static final int MIN_NODE = 2;

  private static final int MIN_GROUP = 5;
  private static final int MIN_PENDING = RAW_ID + TIME + 1;
  private static final int MIN_CONSUMER = 1 + TIME + 1;

  /** Writes the stream after its type byte ({@link RdbType#STREAM_LISTPACKS_2}). */
  static void write(RdbOutput out, StreamValue stream) {
    List<StreamValue.NodeView> nodes = stream.nodeViews();
    nodes.removeIf(n -> n.entries().isEmpty());
    out.writeLength(nodes.size());
    for (StreamValue.NodeView node : nodes) {
      out.writeString(StreamValue.rawId(node.master()));
      out.writeString(listpack(node));
    }
    out.writeLength(stream.length());
    writeId(out, stream.lastId());
    writeId(out, stream.firstId());
    writeId(out, stream.maxDeletedId());
    out.writeLength(stream.entriesAdded());
    out.writeLength(stream.groups().size());
    for (ConsumerGroup g : stream.groups().values()) {
      out.writeString(g.name());
      writeId(out, g.lastId());
      // -1 (unknown) goes out as 2^64 - 1, as Redis's rdbSaveLen of a long long.
      out.writeLength(g.entriesRead());
      out.writeLength(g.pel().size());
      for (Map.Entry<StreamId, ConsumerGroup.Pending> e : g.pel().entrySet()) {
        writeRawId(out, e.getKey());
        writeTime(out, e.getValue().deliveryTime());
        out.writeLength(e.getValue().deliveryCount());
      }
      out.writeLength(g.consumers().size());
      for (ConsumerGroup.Consumer c : g.consumers().values()) {
        out.writeString(c.name());
        writeTime(out, c.seenTime());
        out.writeLength(c.pel().size());
        for (StreamId id : c.pel().keySet()) {
          writeRawId(out, id);
        }
      }
    }
  }

  /** A node's listpack as Redis's streamAppendItem would have built it from its live entries. */
  private static byte[] listpack(StreamValue.NodeView node) {
    StreamId master = node.master();
    byte[][] masterFields = node.masterFields();
    ListpackFormat.Builder lp = new ListpackFormat.Builder();
    lp.appendInteger(node.entries().size());
    lp.appendInteger(0);
    lp.appendInteger(masterFields.length);
    for (byte[] f : masterFields) {
      lp.append(f);
    }
    lp.appendInteger(0);
    for (Map.Entry<StreamId, byte[][]> e : node.entries().entrySet()) {
      StreamId id = e.getKey();
      byte[][] fv = e.getValue();
      int fields = fv.length / 2;
      boolean same = StreamValue.sameFields(fv, masterFields);
      lp.appendInteger(same ? FLAG_SAMEFIELDS : 0);
      lp.appendInteger(id.ms() - master.ms());
      lp.appendInteger(id.seq() - master.seq());
      if (!same) {
        lp.appendInteger(fields);
      }
      for (int i = 0; i < fields; i++) {
        if (!same) {
          lp.append(fv[2 * i]);
        }
        lp.append(fv[2 * i + 1]);
      }
      lp.appendInteger(same ? fields + 3 : 2L * fields + 4);
    }
    return lp.build();
  }

  private static void writeId(RdbOutput out, StreamId id) {
    out.writeLength(id.ms());
    out.writeLength(id.seq());
  }

  private static void writeRawId(RdbOutput out, StreamId id) {
    byte[] raw = StreamValue.rawId(id);
    out.writeBytes(raw, 0, raw.length);
  }

  private static void writeTime(RdbOutput out, long millis) {
    for (int i = 0; i < TIME; i++) {
      out.writeByte((int) (millis >>> (8 * i)));
    }
  }

  /**
   * Reads a stream saved under {@code type} ({@link RdbType#STREAM_LISTPACKS} or {@link
   * RdbType#STREAM_LISTPACKS_2}) after its type byte.
   *
   * @throws RdbFormatException when the bytes do not hold a valid stream
   */
  static StreamValue read(int type, RdbInput in) {
    boolean v2 = type == RdbType.STREAM_LISTPACKS_2;
    StreamValue stream = new StreamValue();
    long nodes = count(in, MIN_NODE, "stream nodes");
    // The largest ID the nodes read so far hold (their master IDs included): each node and entry
    // must come after it.
    StreamId previous = null;
    for (long i = 0; i < nodes; i++) {
      byte[] key = in.readString();
      if (key.length != RAW_ID) {
        throw new RdbFormatException("stream node key is not the size of a stream ID");
      }
      StreamId master = rawId(key);
      if (previous != null && master.compareTo(previous) <= 0) {
        throw new RdbFormatException("stream nodes out of order");
      }
      previous = readNode(stream, master, ListpackFormat.entries(in.readString()));
    }
    stream.dropEmptyNodes();

    long length = in.readUnsigned();
    StreamId lastId = readId(in);
    StreamId maxDeletedId = StreamId.MIN;
    long entriesAdded = length;
    if (v2) {
      // The first ID is what the entries say it is; the value derives it from them.
      readId(in);
      maxDeletedId = readId(in);
      entriesAdded = in.readUnsigned();
    }
    if (length != stream.length()) {
      throw new RdbFormatException(
          nodes == 0
              ? "stream length inconsistent with its nodes"
              : "stream length "
                  + Long.toUnsignedString(length)
                  + " but its nodes hold "
                  + stream.length()
                  + " entries");
    }
    if (lastId.compareTo(stream.lastValidId()) < 0) {
      throw new RdbFormatException("stream last ID below its last entry");
    }
    if (Long.compareUnsigned(entriesAdded, length) < 0) {
      throw new RdbFormatException("stream entries added fewer than its length");
    }
    stream.counters(lastId, entriesAdded, maxDeletedId);

    long groups = count(in, MIN_GROUP, "consumer groups");
    for (long i = 0; i < groups; i++) {
      readGroup(in, stream, v2);
    }
    return stream;
  }

  /**
   * Reads the elements of one node's listpack into {@code stream}, as
   * streamValidateListpackIntegrity walks them; returns the largest ID the node holds (its master
   * ID when it has no entry).
   */
  private static StreamId readNode(StreamValue stream, StreamId master, byte[][] lp) {
    Elements el = new Elements(lp);
    if (lp.length == 0) {
      throw new RdbFormatException("empty listpack inside stream");
    }
    long count = el.count();
    long deleted = el.count();
    int masterFieldCount = el.count(1);
    byte[][] masterFields = el.strings(masterFieldCount);
    if (el.integer() != 0) {
      throw new RdbFormatException("stream master entry not terminated by 0");
    }
    long live = 0;
    long dead = 0;
    StreamId previous = null;
    while (el.more()) {
      int start = el.at;
      long flags = el.integer();
      if ((flags & ~(long) (FLAG_DELETED | FLAG_SAMEFIELDS)) != 0) {
        throw new RdbFormatException("unknown stream entry flags " + flags);
      }
      long msDelta = el.integer();
      long seqDelta = el.integer();
      StreamId id = new StreamId(master.ms() + msDelta, master.seq() + seqDelta);
      byte[][] fv;
      if ((flags & FLAG_SAMEFIELDS) != 0) {
        byte[][] values = el.strings(masterFieldCount);
        fv = new byte[2 * masterFieldCount][];
        for (int i = 0; i < masterFieldCount; i++) {
          fv[2 * i] = masterFields[i];
          fv[2 * i + 1] = values[i];
        }
      } else {
        int fields = el.count(2);
        fv = el.strings(2 * fields);
      }
      int elements = el.at - start;
      if (el.integer() != elements) {
        throw new RdbFormatException("stream entry element count mismatch");
      }
      if (previous == null ? id.compareTo(master) < 0 : id.compareTo(previous) <= 0) {
        throw new RdbFormatException("stream entry IDs out of order");
      }
      previous = id;
      boolean isDeleted = (flags & FLAG_DELETED) != 0;
      if (isDeleted) {
        dead++;
      } else {
        live++;
      }
      stream.restore(master, id, fv, isDeleted);
    }
    if (live != count || dead != deleted) {
      throw new RdbFormatException("stream node counts disagree with its entries");
    }
    return previous == null ? master : previous;
  }

  /** The elements of a listpack, read in order, with the checks every read needs. */
  private static final class Elements {
    private final byte[][] lp;
    int at;

    Elements(byte[][] lp) {
      this.lp = lp;
    }

    boolean more() {
      return at < lp.length;
    }

    private byte[] next() {
      if (at >= lp.length) {
        throw new RdbFormatException("stream listpack ends inside an entry");
      }
      return lp[at++];
    }

    /** An integer element, or its text (Redis's lpGetIntegerIfValid). */
    long integer() {
      byte[] e = next();
      long v = IntegerText.parse(e, 0, e.length);
      if (v == IntegerText.NOT_INTEGER && !IntegerText.isMin(e, 0, e.length)) {
        throw new RdbFormatException("stream listpack: integer expected");
      }
      return v;
    }

    /** A count, not negative. */
    long count() {
      long n = integer();
      if (n < 0) {
        throw new RdbFormatException("negative count in stream listpack");
      }
      return n;
    }

    /** A count of items of {@code per} elements each, that must all follow. */
    int count(int per) {
      long n = count();
      if (n > (lp.length - at) / per) {
        throw new RdbFormatException("stream listpack count past its end");
      }
      return (int) n;
    }

    /** The next {@code n} elements (that the caller checked are there). */
    byte[][] strings(int n) {
      if (n > lp.length - at) {
        throw new RdbFormatException("stream listpack ends inside an entry");
      }
      byte[][] out = Arrays.copyOfRange(lp, at, at + n);
      at += n;
      return out;
    }
  }

  private static void readGroup(RdbInput in, StreamValue stream, boolean v2) {
    byte[] name = in.readString();
    StreamId lastId = readId(in);
    // Read as an unsigned 64-bit number and kept as Redis's long long: 2^64 - 1 is -1, unknown.
    long entriesRead = v2 ? in.readUnsigned() : stream.estimateEntriesRead(lastId);
    ConsumerGroup g = stream.createGroup(name, lastId, entriesRead);
    if (g == null) {
      throw new RdbFormatException("duplicated consumer group name");
    }
    long pending = count(in, MIN_PENDING, "pending entries");
    for (long i = 0; i < pending; i++) {
      StreamId id = rawId(in.readBytes(RAW_ID));
      long time = readTime(in);
      long deliveries = in.readUnsigned();
      if (g.pel().containsKey(id)) {
        throw new RdbFormatException("duplicated pending entry in consumer group");
      }
      g.restorePending(id, time, deliveries);
    }
    long consumers = count(in, MIN_CONSUMER, "consumers");
    for (long i = 0; i < consumers; i++) {
      byte[] consumerName = in.readString();
      if (g.consumers().containsKey(consumerName)) {
        throw new RdbFormatException("duplicate stream consumer");
      }
      ConsumerGroup.Consumer c = g.restoreConsumer(consumerName, readTime(in));
      long owned = count(in, RAW_ID, "consumer pending entries");
      for (long j = 0; j < owned; j++) {
        StreamId id = rawId(in.readBytes(RAW_ID));
        if (!c.claimRestored(g, id)) {
          ConsumerGroup.Pending p = g.pel().get(id);
          throw new RdbFormatException(
              p == null
                  ? "consumer entry not found in group pending list"
                  : p.consumer() == c
                      ? "duplicated consumer pending entry"
                      : "pending entry claimed by two consumers");
        }
      }
    }
    for (ConsumerGroup.Pending p : g.pel().values()) {
      if (p.consumer() == null) {
        throw new RdbFormatException("stream group pending entry without consumer");
      }
    }
  }

  /** A count of items of at least {@code minBytes} bytes each, which must fit in what is left. */
  private static long count(RdbInput in, int minBytes, String what) {
    long n = in.readLength();
    if (n > in.remaining() / minBytes) {
      throw new RdbFormatException("more " + what + " than the payload holds");
    }
    return n;
  }

  private static StreamId readId(RdbInput in) {
    long ms = in.readUnsigned();
    return new StreamId(ms, in.readUnsigned());
  }

  /** An ID as Redis's streamDecodeID reads it: both halves big endian. */
  private static StreamId rawId(byte[] b) {
    long ms = 0;
    long seq = 0;
    for (int i = 0; i < 8; i++) {
      ms = (ms << 8) | (b[i] & 0xFF);
      seq = (seq << 8) | (b[8 + i] & 0xFF);
    }
    return new StreamId(ms, seq);
  }

  private static long readTime(RdbInput in) {
    byte[] b = in.readBytes(TIME);
    return ListpackFormat.le(b, 0, TIME);
  }
}
