package io.toridb.core.hash;

/**
 * Unsigned LEB128 lengths as the hash encodings store them in front of a field (and, in {@link
 * PackedPairs}, of a value), and streams in their packed nodes: seven bits per byte, low bits
 * first, the top bit set on every byte but the last. Lengths below 128 take one byte.
 */
public final class Varint {
  private Varint() {}

  /** Bytes needed for {@code n} (non-negative). */
  public static int size(int n) {
    if (n < 0x80) {
      return 1;
    } else if (n < 0x4000) {
      return 2;
    } else if (n < 0x200000) {
      return 3;
    } else if (n < 0x10000000) {
      return 4;
    }
    return 5;
  }

  /** Writes {@code n} at {@code pos}; returns the position after it. */
  public static int write(byte[] b, int pos, int n) {
    while (n >= 0x80) {
      b[pos++] = (byte) (n | 0x80);
      n >>>= 7;
    }
    b[pos++] = (byte) n;
    return pos;
  }

  /** Reads the number at {@code pos}. */
  public static int read(byte[] b, int pos) {
    int n = 0;
    int shift = 0;
    while (true) {
      int x = b[pos++];
      n |= (x & 0x7F) << shift;
      if (x >= 0) {
        return n;
      }
      shift += 7;
    }
  }
}
