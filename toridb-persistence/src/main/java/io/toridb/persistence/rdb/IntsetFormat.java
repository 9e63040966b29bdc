package io.toridb.persistence.rdb;

/**
 * Redis's intset blob, how a set of integers is saved (RDB_TYPE_SET_INTSET): a 4-byte element width
 * (2, 4 or 8), a 4-byte count, then the integers in strictly ascending order, all little endian.
 */
public final class IntsetFormat {
  private static final int HEADER = 8;

  private IntsetFormat() {}

  /**
   * The integers of an intset blob, checked as Redis's intsetValidateIntegrity in deep mode: known
   * width, size matching the count, not empty, strictly ascending (so no duplicates).
   */
  public static long[] values(byte[] blob) {
    if (blob.length < HEADER) {
      throw new RdbFormatException("intset too short");
    }
    long width = ListpackFormat.le(blob, 0, 4);
    if (width != 2 && width != 4 && width != 8) {
      throw new RdbFormatException("bad intset encoding");
    }
    long count = ListpackFormat.le(blob, 4, 4);
    if (HEADER + count * width != blob.length) {
      throw new RdbFormatException("intset size mismatch");
    }
    if (count == 0) {
      throw new RdbFormatException("empty intset");
    }
    int w = (int) width;
    long[] out = new long[(int) count];
    for (int i = 0; i < count; i++) {
      long raw = ListpackFormat.le(blob, HEADER + i * w, w);
      out[i] = w == 8 ? raw : (raw << (64 - 8 * w)) >> (64 - 8 * w);
      if (i > 0 && out[i] <= out[i - 1]) {
        throw new RdbFormatException("intset out of order");
      }
    }
    return out;
  }

  /** The blob for {@code values}, which must be strictly ascending, in the narrowest width. */
  public static byte[] encode(long[] values, int count) {
    int w = 2;
    if (count > 0) {
      w = Math.max(width(values[0]), width(values[count - 1]));
    }
    byte[] out = new byte[HEADER + count * w];
    put(out, 0, w, 4);
    put(out, 4, count, 4);
    for (int i = 0; i < count; i++) {
      put(out, HEADER + i * w, values[i], w);
    }
    return out;
  }

  private static int width(long v) {
    if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      return 2;
    }
    return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? 4 : 8;
  }

  private static void put(byte[] b, int off, long v, int n) {
    for (int i = 0; i < n; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }
}
