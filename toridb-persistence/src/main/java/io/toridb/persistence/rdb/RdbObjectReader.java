package io.toridb.persistence.rdb;

import io.toridb.core.hash.HashValue;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.list.ListValue;
import io.toridb.core.set.SetValue;
import io.toridb.core.string.StringValue;
import io.toridb.core.zset.ZSetValue;

/**
 * Reads one value of a given RDB type as Redis 7.0's rdbLoadObject does, and gives it the encoding
 * Redis would give it under the thresholds in force (see {@link EncodingLimits}):
 *
 * <ul>
 *   <li>strings: {@link RdbType#STRING};
 *   <li>lists: {@link RdbType#LIST_QUICKLIST_2} (listpack and plain nodes), and the older {@link
 *       RdbType#LIST}, {@link RdbType#LIST_ZIPLIST} and {@link RdbType#LIST_QUICKLIST} (ziplist
 *       nodes);
 *   <li>sets: {@link RdbType#SET} (an intset while it fits, as Redis), {@link RdbType#SET_INTSET}
 *       (a hashtable past set-max-intset-entries);
 *   <li>hashes: {@link RdbType#HASH} (a listpack until a field or value is too long or there are
 *       too many), {@link RdbType#HASH_LISTPACK}, {@link RdbType#HASH_ZIPLIST} and {@link
 *       RdbType#HASH_ZIPMAP} (converted only for their entry count, as Redis);
 *   <li>sorted sets: {@link RdbType#ZSET_2} and {@link RdbType#ZSET} (packed afterwards when they
 *       fit), {@link RdbType#ZSET_LISTPACK} and {@link RdbType#ZSET_ZIPLIST} (converted only for
 *       their entry count);
 *   <li>streams: {@link RdbType#STREAM_LISTPACKS_2} and the older {@link RdbType#STREAM_LISTPACKS}
 *       ({@link StreamFormat});
 *   <li>vector sets: {@link RdbType#MODULE_2} of the vector-set module type ({@link
 *       VectorSetFormat}).
 * </ul>
 *
 * Other module values are refused. Every blob is validated as Redis does with sanitize-dump-payload
 * yes: structure, counts, and no duplicate members or fields. An empty collection is refused too,
 * as Redis refuses it; an empty stream is not (streams may be empty).
 */
public final class RdbObjectReader {
  /**
   * Collections are presized for at most this many entries: a count is only bounded by the
   * payload's size, and tables grow anyway, so a lying count cannot multiply the memory used.
   */
  private static final int PRESIZE_LIMIT = 1 << 16;

  private RdbObjectReader() {}

  private static int presize(int n) {
    return Math.min(n, PRESIZE_LIMIT);
  }

  /**
   * Reads a value of RDB type {@code type} from {@code in}.
   *
   * @throws RdbFormatException when the bytes do not hold a valid value of that type
   */
  public static StoredValue read(int type, RdbInput in, EncodingLimits limits) {
    return switch (type) {
      case RdbType.STRING -> StringValue.of(in.readString());
      case RdbType.LIST -> readPlainList(in, limits);
      case RdbType.LIST_QUICKLIST, RdbType.LIST_QUICKLIST_2 -> readQuicklist(type, in, limits);
      case RdbType.LIST_ZIPLIST -> {
        ListValue list = new ListValue(limits.listFill());
        pushAll(list, ZiplistFormat.entries(in.readString()));
        yield nonEmpty(list, list.size());
      }
      case RdbType.SET -> readSet(in, limits);
      case RdbType.SET_INTSET -> readIntset(in, limits);
      case RdbType.HASH -> readHash(in, limits);
      case RdbType.HASH_LISTPACK -> packedHash(ListpackFormat.entries(in.readString()), limits);
      case RdbType.HASH_ZIPLIST -> packedHash(ZiplistFormat.entries(in.readString()), limits);
      case RdbType.HASH_ZIPMAP -> readZipmap(in, limits);
      case RdbType.ZSET, RdbType.ZSET_2 -> readZSet(type, in, limits);
      case RdbType.ZSET_LISTPACK -> packedZSet(ListpackFormat.entries(in.readString()), limits);
      case RdbType.ZSET_ZIPLIST -> packedZSet(ZiplistFormat.entries(in.readString()), limits);
      case RdbType.STREAM_LISTPACKS, RdbType.STREAM_LISTPACKS_2 -> StreamFormat.read(type, in);
      case RdbType.MODULE_2 -> VectorSetFormat.read(in);
      case RdbType.MODULE -> throw new RdbFormatException("module values are not supported");
      default -> throw new RdbFormatException("unknown RDB type " + type);
    };
  }

  private static <T extends StoredValue> T nonEmpty(T value, long size) {
    if (size == 0) {
      throw RdbFormatException.empty("empty collection");
    }
    return value;
  }

  private static void pushAll(ListValue list, byte[][] elements) {
    for (byte[] e : elements) {
      list.push(e, false);
    }
  }

  private static ListValue readPlainList(RdbInput in, EncodingLimits limits) {
    int n = in.readCount(1);
    ListValue list = new ListValue(limits.listFill());
    for (int i = 0; i < n; i++) {
      list.push(in.readString(), false);
    }
    return nonEmpty(list, list.size());
  }

  private static ListValue readQuicklist(int type, RdbInput in, EncodingLimits limits) {
    int nodes = in.readCount(2);
    ListValue list = new ListValue(limits.listFill());
    for (int i = 0; i < nodes; i++) {
      long container = RdbType.CONTAINER_PACKED;
      if (type == RdbType.LIST_QUICKLIST_2) {
        container = in.readLength();
        if (container != RdbType.CONTAINER_PACKED && container != RdbType.CONTAINER_PLAIN) {
          throw new RdbFormatException("bad quicklist node container");
        }
      }
      byte[] data = in.readString();
      if (data.length == 0) {
        throw new RdbFormatException("empty quicklist node");
      }
      if (container == RdbType.CONTAINER_PLAIN) {
        list.push(data, false);
      } else if (type == RdbType.LIST_QUICKLIST_2) {
        pushAll(list, ListpackFormat.entries(data));
      } else {
        pushAll(list, ZiplistFormat.entries(data));
      }
    }
    return nonEmpty(list, list.size());
  }

  private static SetValue readSet(RdbInput in, EncodingLimits limits) {
    int n = in.readCount(1);
    if (n == 0) {
      throw RdbFormatException.empty("empty set");
    }
    long maxIntset = Math.min(limits.setMaxIntsetEntries(), 1L << 30);
    SetValue set = n > maxIntset ? SetValue.emptyHashtable(presize(n)) : SetValue.emptyIntset();
    for (int i = 0; i < n; i++) {
      if (!set.add(in.readString(), limits.setMaxIntsetEntries())) {
        throw new RdbFormatException("duplicate set member");
      }
    }
    return set;
  }

  private static SetValue readIntset(RdbInput in, EncodingLimits limits) {
    long[] values = IntsetFormat.values(in.readString());
    SetValue set = SetValue.emptyIntset();
    for (long v : values) {
      // Ascending and distinct (checked), so each add appends; passing the limit converts.
      set.add(StringValue.digits(v), limits.setMaxIntsetEntries());
    }
    return set;
  }

  private static HashValue readHash(RdbInput in, EncodingLimits limits) {
    int n = in.readCount(2);
    if (n == 0) {
      throw RdbFormatException.empty("empty hash");
    }
    HashValue hash =
        n > limits.hashMaxEntries() ? HashValue.hashtable(presize(n)) : new HashValue();
    for (int i = 0; i < n; i++) {
      byte[] field = in.readString();
      byte[] value = in.readString();
      if (!hash.set(field, value, limits.hashMaxEntries(), limits.hashMaxValue())) {
        throw new RdbFormatException("duplicate hash field");
      }
    }
    return hash;
  }

  /** A hash saved as a listpack or ziplist of fields and values. */
  private static HashValue packedHash(byte[][] entries, EncodingLimits limits) {
    if ((entries.length & 1) != 0) {
      throw new RdbFormatException("odd number of hash entries");
    }
    int n = entries.length / 2;
    if (n == 0) {
      throw RdbFormatException.empty("empty hash");
    }
    HashValue hash =
        n > limits.hashMaxEntries() ? HashValue.hashtable(presize(n)) : new HashValue();
    for (int i = 0; i < entries.length; i += 2) {
      if (!hash.set(entries[i], entries[i + 1], Long.MAX_VALUE, Long.MAX_VALUE)) {
        throw new RdbFormatException("duplicate hash field");
      }
    }
    return hash;
  }

  private static HashValue readZipmap(RdbInput in, EncodingLimits limits) {
    byte[][] pairs = ZipmapFormat.pairs(in.readString());
    long longest = 0;
    for (byte[] p : pairs) {
      longest = Math.max(longest, p.length);
    }
    HashValue hash = packedHash(pairs, limits);
    if (longest > limits.hashMaxValue()) {
      hash.convertToHashtable();
    }
    return hash;
  }

  private static ZSetValue readZSet(int type, RdbInput in, EncodingLimits limits) {
    int n = in.readCount(type == RdbType.ZSET_2 ? 9 : 2);
    if (n == 0) {
      throw RdbFormatException.empty("empty sorted set");
    }
    ZSetValue zset = ZSetValue.empty(false, presize(n));
    for (int i = 0; i < n; i++) {
      byte[] member = in.readString();
      double score = type == RdbType.ZSET_2 ? in.readBinaryDouble() : in.readTextDouble();
      if (Double.isNaN(score)) {
        throw new RdbFormatException("NaN score");
      }
      if (!zset.insert(member, score)) {
        throw new RdbFormatException("duplicate sorted set member");
      }
    }
    zset.packIfFits(limits.zsetMaxEntries(), limits.zsetMaxValue());
    return zset;
  }

  /** A sorted set saved as a listpack or ziplist of members and scores. */
  private static ZSetValue packedZSet(byte[][] entries, EncodingLimits limits) {
    if ((entries.length & 1) != 0) {
      throw new RdbFormatException("odd number of sorted set entries");
    }
    int n = entries.length / 2;
    if (n == 0) {
      throw RdbFormatException.empty("empty sorted set");
    }
    ZSetValue zset = ZSetValue.empty(n <= limits.zsetMaxEntries(), presize(n));
    for (int i = 0; i < entries.length; i += 2) {
      double score = ZSetValue.parseListpackScore(entries[i + 1]);
      if (Double.isNaN(score)) {
        throw new RdbFormatException("NaN score");
      }
      if (!zset.insert(entries[i], score)) {
        throw new RdbFormatException("duplicate sorted set member");
      }
    }
    return zset;
  }
}
