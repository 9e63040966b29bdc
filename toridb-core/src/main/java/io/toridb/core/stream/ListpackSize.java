package io.toridb.core.stream;

import java.util.Arrays;

/**
 * The sizes of stream entries in Redis's listpack encoding, so that a stream closes its nodes where
 * Redis would (stream-node-max-bytes). Only sizes are computed here; nothing is encoded.
 */
final class ListpackSize {
  private ListpackSize() {}

  /** A listpack's header (total bytes, element count) and end byte. */
  static final int HEADER_AND_END = 6 + 1;

  /** A new node: the header and the master entry (count, deleted, field count, fields, 0). */
  static long masterEntry(byte[][] fields) {
    long n = HEADER_AND_END + integer(1) + integer(0) + integer(fields.length) + integer(0);
    for (byte[] f : fields) {
      n += string(f);
    }
    return n;
  }

  /**
   * One entry of node {@code master}: flags, the ID's differences from the master ID, the field
   * count and fields unless they are the master's, the values, and the element count.
   */
  static long entry(StreamId master, StreamId id, byte[][] masterFields, byte[][] fv) {
    int fields = fv.length / 2;
    boolean same = fields == masterFields.length;
    for (int i = 0; same && i < fields; i++) {
      same = Arrays.equals(fv[2 * i], masterFields[i]);
    }
    long n =
        integer(same ? 2 : 0) + integer(id.ms() - master.ms()) + integer(id.seq() - master.seq());
    if (same) {
      for (int i = 0; i < fields; i++) {
        n += string(fv[2 * i + 1]);
      }
      return n + integer(fields + 3);
    }
    n += integer(fields);
    for (byte[] b : fv) {
      n += string(b);
    }
    return n + integer(2L * fields + 4);
  }

  /** An integer element, its back-length byte included. */
  static int integer(long v) {
    int enc;
    if (v >= 0 && v <= 127) {
      enc = 1;
    } else if (v >= -4096 && v <= 4095) {
      enc = 2;
    } else if (v >= -32768 && v <= 32767) {
      enc = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      enc = 4;
    } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      enc = 5;
    } else {
      enc = 9;
    }
    return enc + 1;
  }

  /** A string element (stored as an integer when it is one), its back-length included. */
  static long string(byte[] b) {
    Long asInt = canonicalLong(b);
    if (asInt != null) {
      return integer(asInt);
    }
    int len = b.length;
    long enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5L + len;
    return enc + backLength(enc);
  }

  private static int backLength(long l) {
    if (l <= 127) {
      return 1;
    } else if (l < 16383) {
      return 2;
    } else if (l < 2097151) {
      return 3;
    } else if (l < 268435455) {
      return 4;
    }
    return 5;
  }

  /** The value of a canonical decimal integer (as Redis's string2ll accepts), or null. */
  private static Long canonicalLong(byte[] b) {
    int n = b.length;
    if (n == 0 || n > 20) {
      return null;
    }
    if (n == 1 && b[0] == '0') {
      return 0L;
    }
    int i = b[0] == '-' ? 1 : 0;
    if (i == n || b[i] < '1' || b[i] > '9') {
      return null;
    }
    long v = 0;
    for (; i < n; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return null;
      }
      if (v > (Long.MAX_VALUE - d) / 10) {
        // Out of range (Long.MIN_VALUE included, as a size estimate it makes no difference).
        return null;
      }
      v = v * 10 + d;
    }
    return b[0] == '-' ? -v : v;
  }
}
