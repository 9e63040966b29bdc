package io.toridb.core.keyspace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Up to 16 bytes held in two little-endian {@code long} words, zero-padded: how short keys and
 * short string values are kept without an array of their own (an array costs a 16-byte header and
 * rounds its length up to 8).
 */
public final class PackedBytes {
  /** The most bytes two words hold. */
  public static final int MAX = 16;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private PackedBytes() {}

  /**
   * Bytes {@code from} to {@code from + 7} of {@code b} as a little-endian word, zero past the end.
   */
  public static long word(byte[] b, int from) {
    if (from + Long.BYTES <= b.length) {
      return (long) LONGS.get(b, from);
    }
    long w = 0;
    for (int i = b.length - 1; i >= from; i--) {
      w = (w << 8) | (b[i] & 0xFF);
    }
    return w;
  }

  /** Byte {@code i} (0-15) of the words. */
  public static byte byteAt(long low, long high, int i) {
    return (byte) (i < Long.BYTES ? low >>> (i << 3) : high >>> ((i - Long.BYTES) << 3));
  }

  /** The first {@code length} bytes of the words as a new array. */
  public static byte[] unpack(long low, long high, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = byteAt(low, high, i);
    }
    return b;
  }

  /** Whether {@code b} is exactly the first {@code length} bytes of the words. */
  public static boolean matches(long low, long high, int length, byte[] b) {
    return b.length == length && word(b, 0) == low && word(b, Long.BYTES) == high;
  }
}
