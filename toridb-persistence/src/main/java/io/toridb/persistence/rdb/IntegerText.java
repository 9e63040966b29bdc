package io.toridb.persistence.rdb;

/**
 * Redis's string2ll over a slice: the strict decimal form of a 64-bit integer (no sign but '-', no
 * leading zeros, no spaces, "-0" refused), the test every listpack, ziplist and integer string
 * encoding uses to decide that a string may be stored as a number.
 */
final class IntegerText {
  /**
   * Returned by {@link #parse} for text that is not such an integer (Long.MIN_VALUE is handled).
   */
  static final long NOT_INTEGER = Long.MIN_VALUE;

  private static final byte[] MIN_TEXT =
      Long.toString(Long.MIN_VALUE).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private IntegerText() {}

  /** Whether {@code b[off..off+len)} is the canonical text of a 64-bit integer. */
  static boolean isInteger(byte[] b, int off, int len) {
    return parse(b, off, len) != NOT_INTEGER || isMin(b, off, len);
  }

  static boolean isMin(byte[] b, int off, int len) {
    return java.util.Arrays.equals(b, off, off + len, MIN_TEXT, 0, MIN_TEXT.length);
  }

  /**
   * The value of the canonical integer text, or {@link #NOT_INTEGER} (also for Long.MIN_VALUE
   * itself, which callers that care tell apart with {@link #isMin}).
   */
  static long parse(byte[] b, int off, int len) {
    if (len == 0 || len > 20) {
      return NOT_INTEGER;
    }
    if (len == 1 && b[off] == '0') {
      return 0;
    }
    int i = off;
    int end = off + len;
    boolean negative = b[i] == '-';
    if (negative) {
      i++;
      if (i == end) {
        return NOT_INTEGER;
      }
    }
    if (b[i] < '1' || b[i] > '9') {
      return NOT_INTEGER;
    }
    long v = 0;
    for (; i < end; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
        return NOT_INTEGER;
      }
      v = v * 10 - d;
    }
    if (negative) {
      return v;
    }
    return v == Long.MIN_VALUE ? NOT_INTEGER : -v;
  }
}
