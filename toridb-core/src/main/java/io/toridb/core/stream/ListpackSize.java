package io.toridb.core.stream;

import io.toridb.core.command.Args;

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
   * count and fields unless they are the master's ({@code same}), the values, and the element
   * count.
   */
  static long entry(StreamId master, StreamId id, boolean same, byte[][] fv) {
    int fields = fv.length / 2;
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
    // A canonical integer is stored as one (Long.MIN_VALUE's text aside: an estimate needs no
    // more).
    long asInt = Args.parseLongOr(b, Long.MIN_VALUE);
    if (asInt != Long.MIN_VALUE) {
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
}
