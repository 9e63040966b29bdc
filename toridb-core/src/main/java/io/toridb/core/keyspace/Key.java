package io.toridb.core.keyspace;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key: a byte string with Redis's equality, a well-mixed hash and unsigned byte order.
 *
 * <p>Two forms, equal to each other whenever their bytes are. {@link #of(byte[])} wraps an array
 * without copying: what a lookup uses, over the request's own argument. {@link #compact()} gives
 * the form the keyspace stores: a key of at most 16 bytes keeps its bytes in two fields of one
 * 32-byte object, where a wrapper and its array take 48 bytes or more; longer keys stay wrapped.
 * Neither form caches its hash (the map keeps each entry's hash beside it), so a stored key costs
 * no more than its bytes need.
 */
public abstract sealed class Key implements Comparable<Key> permits Key.Wrapped, Key.Packed {
  /** Longest key kept in the packed form. */
  static final int PACKED_MAX = PackedBytes.MAX;

  private Key() {}

  /** A key over {@code bytes}, which the caller must not modify afterwards. */
  public static Key of(byte[] bytes) {
    return new Wrapped(bytes);
  }

  public static Key of(String s) {
    return new Wrapped(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The key's bytes; callers must not modify them. A packed key makes a new array on every call, so
   * paths that run per request use {@link #length()} and {@link #byteAt} or keep the result.
   */
  public abstract byte[] bytes();

  public abstract int length();

  public abstract byte byteAt(int i);

  /** This key in the form the keyspace stores; {@code this} when it is already compact. */
  public abstract Key compact();

  /** A well-mixed 32-bit hash of the bytes, also used for lock striping and SCAN order. */
  public static int hash(byte[] b) {
    long h = start(b.length);
    for (int i = 0; i < b.length; i += Long.BYTES) {
      h = step(h, PackedBytes.word(b, i));
    }
    return finish(h);
  }

  // The hash reads a key eight bytes at a time, as little-endian words zero-padded at the end,
  // so that a packed key (two such words) hashes alike without unpacking.
  private static final long SEED = 0x9747b28c_2f6b1e35L;
  private static final long MULTIPLIER = 0x9e3779b97f4a7c15L;

  private static long start(int length) {
    return SEED ^ (length * MULTIPLIER);
  }

  private static long step(long h, long word) {
    return Long.rotateLeft((h ^ word) * MULTIPLIER, 29);
  }

  private static int finish(long h) {
    return avalanche((int) (h ^ (h >>> 32)));
  }

  /** Final avalanche (murmur3 fmix32) so that low and high bits are both usable. */
  private static int avalanche(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  @Override
  public int compareTo(Key o) {
    if (this instanceof Wrapped a && o instanceof Wrapped b) {
      return Arrays.compareUnsigned(a.bytes, b.bytes);
    }
    int n = Math.min(length(), o.length());
    for (int i = 0; i < n; i++) {
      int c = Integer.compare(byteAt(i) & 0xFF, o.byteAt(i) & 0xFF);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(length(), o.length());
  }

  @Override
  public String toString() {
    return new String(bytes(), StandardCharsets.ISO_8859_1);
  }

  /** A key over an array: lookups, and stored keys longer than {@link #PACKED_MAX}. */
  static final class Wrapped extends Key {
    private final byte[] bytes;

    Wrapped(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public byte[] bytes() {
      return bytes;
    }

    @Override
    public int length() {
      return bytes.length;
    }

    @Override
    public byte byteAt(int i) {
      return bytes[i];
    }

    @Override
    public Key compact() {
      return bytes.length <= PACKED_MAX ? new Packed(bytes) : this;
    }

    @Override
    public int hashCode() {
      return hash(bytes);
    }

    @Override
    public boolean equals(Object o) {
      if (o instanceof Packed p) {
        return p.matches(bytes);
      }
      return o instanceof Wrapped w && Arrays.equals(w.bytes, bytes);
    }
  }

  /** A key of at most 16 bytes held in two little-endian words, zero-padded. */
  static final class Packed extends Key {
    private final long low;
    private final long high;
    private final int length;

    Packed(byte[] b) {
      low = PackedBytes.word(b, 0);
      high = PackedBytes.word(b, Long.BYTES);
      length = b.length;
    }

    boolean matches(byte[] b) {
      return PackedBytes.matches(low, high, length, b);
    }

    @Override
    public byte[] bytes() {
      return PackedBytes.unpack(low, high, length);
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public byte byteAt(int i) {
      if (i < 0 || i >= length) {
        throw new IndexOutOfBoundsException(i);
      }
      return PackedBytes.byteAt(low, high, i);
    }

    @Override
    public Key compact() {
      return this;
    }

    @Override
    public int hashCode() {
      long h = start(length);
      if (length > 0) {
        h = step(h, low);
      }
      if (length > Long.BYTES) {
        h = step(h, high);
      }
      return finish(h);
    }

    @Override
    public boolean equals(Object o) {
      if (o instanceof Packed p) {
        return p.length == length && p.low == low && p.high == high;
      }
      return o instanceof Wrapped w && matches(w.bytes);
    }
  }
}
