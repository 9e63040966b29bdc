package io.toridb.persistence.rdb;

import io.toridb.core.hash.HashValue;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.list.ListValue;
import io.toridb.core.set.SetValue;
import io.toridb.core.stream.StreamValue;
import io.toridb.core.string.StringValue;
import io.toridb.core.zset.ZSetValue;

/**
 * Writes a value as Redis 7.0's rdbSaveObjectType and rdbSaveObject do: the RDB type byte, then the
 * object, in the form Redis would choose for the value's current encoding:
 *
 * <ul>
 *   <li>string: {@link RdbType#STRING}, a string (integer-encoded or LZF-compressed when it can);
 *   <li>list: {@link RdbType#LIST_QUICKLIST_2}, the node count, then for each node its container (2
 *       packed, 1 plain) and a string holding a listpack (or the element of a plain node). Nodes
 *       are cut as the list's list-max-listpack-size would cut them;
 *   <li>set: intset as {@link RdbType#SET_INTSET} (one string holding the intset blob), hashtable
 *       as {@link RdbType#SET} (count, members);
 *   <li>hash: listpack as {@link RdbType#HASH_LISTPACK} (one string holding a listpack of fields
 *       and values in order), hashtable as {@link RdbType#HASH} (count, field, value, ...);
 *   <li>sorted set: listpack as {@link RdbType#ZSET_LISTPACK} (a listpack of member, score pairs,
 *       ascending, integral scores as integers), skiplist as {@link RdbType#ZSET_2} (count, then
 *       member and little-endian binary score from the highest entry to the lowest);
 *   <li>stream: {@link RdbType#STREAM_LISTPACKS_2}, its nodes as listpacks, its counters and its
 *       consumer groups ({@link StreamFormat});
 *   <li>vector set: {@link RdbType#MODULE_2}, as Redis 8's vector-set module ({@link
 *       VectorSetFormat}).
 *   <li>SQL table: {@link RdbType#MODULE_2}, as ToriDB's own {@code toridbsql} module type ({@link
 *       TableFormat}).
 * </ul>
 */
public final class RdbObjectWriter {
  /** Listpack node byte limits for list-max-listpack-size -1 .. -5 (Redis's optimization_level). */
  private static final int[] NODE_SIZE_LIMITS = {4096, 8192, 16384, 32768, 65536};

  /** The byte limit of nodes whose fill counts entries (Redis's SIZE_SAFETY_LIMIT). */
  private static final int SIZE_SAFETY_LIMIT = 8192;

  private RdbObjectWriter() {}

  /** Writes the type byte and the object. */
  public static void write(RdbOutput out, StoredValue value) {
    out.writeByte(typeOf(value));
    writeObject(out, value);
  }

  /**
   * The RDB type byte {@link #writeObject} writes the value under, which depends on its current
   * encoding: an RDB file puts the key between the two.
   */
  public static int typeOf(StoredValue value) {
    if (value instanceof StringValue) {
      return RdbType.STRING;
    } else if (value instanceof ListValue) {
      return RdbType.LIST_QUICKLIST_2;
    } else if (value instanceof SetValue s) {
      return s.isIntset() ? RdbType.SET_INTSET : RdbType.SET;
    } else if (value instanceof HashValue h) {
      return h.isListpack() ? RdbType.HASH_LISTPACK : RdbType.HASH;
    } else if (value instanceof ZSetValue z) {
      return z.encoding().equals("listpack") ? RdbType.ZSET_LISTPACK : RdbType.ZSET_2;
    } else if (value instanceof StreamValue) {
      return RdbType.STREAM_LISTPACKS_2;
    } else if (value instanceof io.toridb.core.vector.VectorSet
        || value instanceof io.toridb.core.sql.TableValue) {
      return RdbType.MODULE_2;
    }
    throw new IllegalArgumentException("no RDB form for " + value.type().typeName());
  }

  /** Writes the object alone, in the form of {@link #typeOf}. */
  public static void writeObject(RdbOutput out, StoredValue value) {
    if (value instanceof StringValue s) {
      out.writeString(s.array(), 0, s.length());
    } else if (value instanceof ListValue l) {
      writeList(out, l);
    } else if (value instanceof SetValue s) {
      writeSet(out, s);
    } else if (value instanceof HashValue h) {
      writeHash(out, h);
    } else if (value instanceof ZSetValue z) {
      writeZSet(out, z);
    } else if (value instanceof StreamValue st) {
      StreamFormat.write(out, st);
    } else if (value instanceof io.toridb.core.vector.VectorSet v) {
      VectorSetFormat.write(out, v);
    } else if (value instanceof io.toridb.core.sql.TableValue t) {
      TableFormat.write(out, t);
    } else {
      throw new IllegalArgumentException("no RDB form for " + value.type().typeName());
    }
  }

  private static void writeList(RdbOutput out, ListValue list) {
    // Nodes are built first: the count comes before them.
    java.util.List<byte[]> nodes = new java.util.ArrayList<>();
    java.util.List<Boolean> plain = new java.util.ArrayList<>();
    int fill = list.fill();
    long threshold = ListValue.packedThreshold();
    ListpackFormat.Builder[] current = {null};
    list.forEach(
        0,
        list.size(),
        false,
        (buf, off, len) -> {
          if (len >= threshold) {
            if (current[0] != null) {
              nodes.add(current[0].build());
              plain.add(false);
              current[0] = null;
            }
            nodes.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            plain.add(true);
            return true;
          }
          if (current[0] != null && !fits(current[0], len, fill)) {
            nodes.add(current[0].build());
            plain.add(false);
            current[0] = null;
          }
          if (current[0] == null) {
            current[0] = new ListpackFormat.Builder();
          }
          current[0].append(buf, off, len);
          return true;
        });
    if (current[0] != null) {
      nodes.add(current[0].build());
      plain.add(false);
    }
    out.writeLength(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      out.writeLength(plain.get(i) ? RdbType.CONTAINER_PLAIN : RdbType.CONTAINER_PACKED);
      byte[] node = nodes.get(i);
      out.writeString(node, 0, node.length);
    }
  }

  /** Whether a node may take one more element of {@code len} bytes (quicklist's allow-insert). */
  private static boolean fits(ListpackFormat.Builder node, int len, int fill) {
    long grown = (long) node.bytes() + len + 11;
    if (fill < 0) {
      int level = Math.min(-fill, NODE_SIZE_LIMITS.length) - 1;
      return grown <= NODE_SIZE_LIMITS[level];
    }
    return node.count() < Math.max(fill, 1) && grown <= SIZE_SAFETY_LIMIT;
  }

  private static void writeSet(RdbOutput out, SetValue set) {
    if (set.isIntset()) {
      int n = set.size();
      long[] values = new long[n];
      for (int i = 0; i < n; i++) {
        values[i] = set.intAt(i);
      }
      byte[] blob = IntsetFormat.encode(values, n);
      out.writeString(blob, 0, blob.length);
      return;
    }
    out.writeLength(set.size());
    set.forEach(m -> out.writeString(m, 0, m.length));
  }

  private static void writeHash(RdbOutput out, HashValue hash) {
    if (hash.isListpack()) {
      ListpackFormat.Builder lp = new ListpackFormat.Builder();
      hash.forEach(
          (field, value) -> {
            lp.append(field);
            lp.append(value);
          });
      byte[] blob = lp.build();
      out.writeString(blob, 0, blob.length);
      return;
    }
    out.writeLength(hash.size());
    hash.forEach(
        (field, value) -> {
          out.writeString(field, 0, field.length);
          out.writeString(value, 0, value.length);
        });
  }

  private static void writeZSet(RdbOutput out, ZSetValue zset) {
    if (zset.encoding().equals("listpack")) {
      ListpackFormat.Builder lp = new ListpackFormat.Builder();
      zset.forEachAscending(
          (member, score) -> {
            lp.append(member);
            appendScore(lp, score);
          });
      byte[] blob = lp.build();
      out.writeString(blob, 0, blob.length);
      return;
    }
    out.writeLength(zset.size());
    zset.forEachDescending(
        (member, score) -> {
          out.writeString(member, 0, member.length);
          out.writeBinaryDouble(score);
        });
  }

  /**
   * A score as zzlInsertAt stores it: an integer when the double holds one within +-2^62 (so -0 is
   * 0), else its "%.17g" text ("inf", "-inf" for infinities).
   */
  static void appendScore(ListpackFormat.Builder lp, double score) {
    double limit = (double) (Long.MAX_VALUE / 2);
    if (score >= -limit && score <= limit && score == (long) score) {
      lp.appendInteger((long) score);
    } else {
      lp.append(
          io.toridb.protocol.DoubleFormat.format(score)
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
  }
}
