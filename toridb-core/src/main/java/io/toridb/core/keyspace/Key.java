package io.toridb.core.keyspace;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key as stored in the keyspace: the client's bytes, copied once when the key enters the
 * keyspace, with its hash cached. Lookups wrap the request's argument array without copying.
 */
public final class Key implements Comparable<Key> {
  private final byte[] bytes;
  private final int hash;

  public Key(byte[] bytes) {
    this.bytes = bytes;
    this.hash = hash(bytes);
  }

  public static Key of(String s) {
    return new Key(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The key's bytes; callers must not modify them. */
  public byte[] bytes() {
    return bytes;
  }

  /** A well-mixed 32-bit hash of the bytes, also used for lock striping and SCAN order. */
  public static int hash(byte[] b) {
    int h = 0x9747b28c;
    for (byte x : b) {
      h = (h ^ (x & 0xFF)) * 0x01000193;
    }
    // Final avalanche (murmur3 fmix32) so that low and high bits are both usable.
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int compareTo(Key o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
