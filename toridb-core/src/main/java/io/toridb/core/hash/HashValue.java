package io.toridb.core.hash;

import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import java.util.function.BiConsumer;

/**
 * A hash value: field/value pairs of bytes, in one of Redis 7.0's two encodings. It starts as
 * "listpack" ({@link PackedPairs}, pairs packed in one array in insertion order) and becomes
 * "hashtable" ({@link PairTable}) at the moments Redis converts it: when a command is about to
 * store a field or value longer than hash-max-listpack-value, or the hash grows past
 * hash-max-listpack-entries. It never converts back, as in Redis.
 *
 * <p>Instances are only used by the worker that holds the key's lock.
 */
public final class HashValue extends StoredValue {
  /** Redis refuses to grow a listpack past 1 GiB and converts instead (lpSafeToAdd). */
  private static final long LISTPACK_SAFETY_SIZE = 1L << 30;

  private Pairs pairs;

  /** An empty hash, "listpack" encoded. Stored only once it has a pair. */
  public HashValue() {
    pairs = new PackedPairs();
  }

  private HashValue(Pairs pairs) {
    this.pairs = pairs;
  }

  /**
   * An empty hash in the "hashtable" encoding, sized for {@code expected} fields: how Redis builds
   * a hash it loads with more fields than hash-max-listpack-entries. Stored only once it has a
   * pair.
   */
  public static HashValue hashtable(int expected) {
    return new HashValue(new PairTable(expected));
  }

  @Override
  public ValueType type() {
    return ValueType.HASH;
  }

  @Override
  public String encoding() {
    return pairs instanceof PackedPairs ? "listpack" : "hashtable";
  }

  /** Whether the small encoding is in use. */
  public boolean isListpack() {
    return pairs instanceof PackedPairs;
  }

  /** Number of fields. */
  public int size() {
    return pairs.size();
  }

  Pairs pairs() {
    return pairs;
  }

  /** A copy of the value of {@code field}, or null. */
  public byte[] get(byte[] field) {
    int pos = pairs.find(field);
    return pos < 0 ? null : pairs.value(pos);
  }

  /**
   * Calls {@code action} with a copy of every field and its value, in the order HGETALL lists them:
   * for whatever needs the whole content outside this package (rewriting the append-only file,
   * dumping a key).
   */
  public void forEach(BiConsumer<byte[], byte[]> action) {
    for (int p = pairs.first(); p >= 0; p = pairs.next(p)) {
      action.accept(pairs.field(p), pairs.value(p));
    }
  }

  /**
   * Converts to "hashtable" before the arguments {@code argv[from..to]} are stored, if one of them
   * is longer than {@code maxValue} or they would grow the listpack past its safety limit: Redis's
   * hashTypeTryConversion, which HSET, HMSET and HSETNX run first.
   */
  public void convertForArguments(byte[][] argv, int from, int to, long maxValue) {
    if (!(pairs instanceof PackedPairs packed)) {
      return;
    }
    long sum = 0;
    for (int i = from; i <= to; i++) {
      int len = argv[i].length;
      if (len > maxValue) {
        convert();
        return;
      }
      sum += len;
    }
    if (packed.bytes() + sum > LISTPACK_SAFETY_SIZE) {
      convert();
    }
  }

  /**
   * Sets {@code field} to {@code value} as Redis's hashTypeSet does: first converts if either is
   * longer than {@code maxValue}, then stores, then converts if the hash now has more than {@code
   * maxEntries} fields. The arrays are copied, not kept.
   *
   * @return true when the field is new, false when an existing value was replaced
   */
  public boolean set(byte[] field, byte[] value, long maxEntries, long maxValue) {
    if (pairs instanceof PackedPairs && (field.length > maxValue || value.length > maxValue)) {
      convert();
    }
    boolean added = pairs.put(field, value);
    if (pairs instanceof PackedPairs && pairs.size() > maxEntries) {
      convert();
    }
    return added;
  }

  /** Removes {@code field}; true if it was there. The caller removes an emptied hash's key. */
  public boolean delete(byte[] field) {
    return pairs.remove(field);
  }

  /**
   * Moves to the "hashtable" encoding now if it is not there yet: for a loaded hash whose field
   * count passes hash-max-listpack-entries, which Redis converts without looking at lengths.
   */
  public void convertToHashtable() {
    if (pairs instanceof PackedPairs) {
      convert();
    }
  }

  /** Moves every pair into a hash table, keeping nothing of the listpack. */
  void convert() {
    Pairs old = pairs;
    PairTable table = new PairTable(old.size());
    for (int p = old.first(); p >= 0; p = old.next(p)) {
      byte[] a = old.array(p);
      int fo = old.fieldOffset(p);
      int fl = old.fieldLength(p);
      byte[] entry = PairTable.entry(a, fo, fl, a, old.valueOffset(p), old.valueLength(p));
      table.add(entry, PairTable.hash(a, fo, fl));
    }
    pairs = table;
  }

  /**
   * As Redis's xorObjectDigest for hashes: each pair's digest (field then value mixed into a zero
   * digest) is XORed in, so the result does not depend on the order or the encoding.
   */
  @Override
  public void digest(DatasetDigest digest) {
    DatasetDigest pair = DatasetDigest.element();
    for (int p = pairs.first(); p >= 0; p = pairs.next(p)) {
      byte[] a = pairs.array(p);
      pair.reset();
      pair.mix(a, pairs.fieldOffset(p), pairs.fieldLength(p));
      pair.mix(a, pairs.valueOffset(p), pairs.valueLength(p));
      digest.xor(pair);
    }
  }

  /** A copy with the same encoding, as Redis's hashTypeDup; metadata is not copied. */
  @Override
  public StoredValue copy() {
    return new HashValue(pairs.copy());
  }

  @Override
  public long memoryUsage() {
    long[] bytes = {VALUE_OVERHEAD};
    boolean packed = encoding().equals("listpack");
    // A packed pair costs its bytes and two length prefixes; a table entry, two arrays and a slot.
    long perPair = packed ? 4 : 48;
    forEach((field, value) -> bytes[0] += field.length + value.length + perPair);
    return bytes[0];
  }
}
