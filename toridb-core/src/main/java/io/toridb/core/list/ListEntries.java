package io.toridb.core.list;

import io.toridb.core.command.Args;
import java.util.Arrays;

/**
 * The entries {@link ListValue} packs into its nodes. An entry is {@code code, payload, code'}: the
 * code as a little-endian base-128 varint (high bit = more bytes follow), the payload, then the
 * code's varint bytes again in reverse order, so that an entry can be read from either end (as a
 * listpack's backlen allows). An even code {@code 2n} announces a string of n bytes; an odd code
 * {@code 2n+1} an integer kept as n little-endian two's complement bytes, used for elements that
 * are canonical decimal integers, which read back as the same digits. A 16-byte string takes 18
 * bytes and "123456" 5, as in a listpack.
 *
 * <p>Every element has exactly one encoding, so two elements are equal exactly when their entries
 * are byte for byte equal.
 */
final class ListEntries {
  private ListEntries() {}

  /** Bytes of the varint of {@code code}, read as unsigned. */
  static int varintSize(int code) {
    if ((code & ~0x7F) == 0) {
      return 1;
    } else if ((code & ~0x3FFF) == 0) {
      return 2;
    } else if ((code & ~0x1FFFFF) == 0) {
      return 3;
    } else if ((code & ~0xFFFFFFF) == 0) {
      return 4;
    }
    return 5;
  }

  static boolean isInteger(int code) {
    return (code & 1) != 0;
  }

  /** Bytes an entry with {@code code} takes: the varint twice and the payload. */
  static int sizeOf(int code) {
    return 2 * varintSize(code) + (code >>> 1);
  }

  /**
   * The code of {@code element}: an integer's when it is a canonical decimal integer (so that it
   * reads back as the same bytes), else a string's.
   */
  static int codeOf(byte[] element) {
    if (element.length <= 20 && Args.isCanonicalLong(element)) {
      return (integerBytes(Args.parseLongOr(element, 0)) << 1) | 1;
    }
    return element.length << 1; // unsigned: lengths up to 2^31 - 1 fit
  }

  /** Bytes {@code element} takes in a node. */
  static int entrySize(byte[] element) {
    return sizeOf(codeOf(element));
  }

  /** Fewest bytes that hold {@code v} in two's complement. */
  private static int integerBytes(long v) {
    int k = 1;
    while (k < 8 && (v < -(1L << (8 * k - 1)) || v >= (1L << (8 * k - 1)))) {
      k++;
    }
    return k;
  }

  /** The code of the entry that starts at {@code off}. */
  static int readCode(byte[] d, int off) {
    int b = d[off];
    if (b >= 0) {
      return b;
    }
    int v = b & 0x7F;
    int shift = 7;
    do {
      b = d[++off];
      v |= (b & 0x7F) << shift;
      shift += 7;
    } while (b < 0);
    return v;
  }

  /** The code of the entry that ends just before {@code end}. */
  static int readCodeBackward(byte[] d, int end) {
    int p = end - 1;
    int b = d[p];
    if (b >= 0) {
      return b;
    }
    int v = b & 0x7F;
    int shift = 7;
    do {
      b = d[--p];
      v |= (b & 0x7F) << shift;
      shift += 7;
    } while (b < 0);
    return v;
  }

  static long readInteger(byte[] d, int off, int bytes) {
    long v = 0;
    for (int j = bytes - 1; j >= 0; j--) {
      v = (v << 8) | (d[off + j] & 0xFF);
    }
    int unused = 64 - 8 * bytes;
    return (v << unused) >> unused; // sign-extend
  }

  /** A copy of the element whose entry starts at {@code off}. */
  static byte[] elementAt(byte[] d, int off) {
    int code = readCode(d, off);
    int start = off + varintSize(code);
    if (isInteger(code)) {
      byte[] digits = new byte[20];
      int len = formatLong(readInteger(d, start, code >>> 1), digits);
      return Arrays.copyOf(digits, len);
    }
    return Arrays.copyOfRange(d, start, start + (code >>> 1));
  }

  /** Writes the decimal text of {@code v} at the start of {@code out}; returns its length. */
  static int formatLong(long v, byte[] out) {
    // Work with the negative value so that Long.MIN_VALUE needs no special case.
    boolean negative = v < 0;
    long n = negative ? v : -v;
    int len = 1;
    for (long t = n / 10; t != 0; t /= 10) {
      len++;
    }
    if (negative) {
      len++;
    }
    for (int p = len - 1; p >= (negative ? 1 : 0); p--) {
      out[p] = (byte) ('0' - (n % 10));
      n /= 10;
    }
    if (negative) {
      out[0] = '-';
    }
    return len;
  }

  /** The entry of {@code element}, exactly {@link #entrySize} bytes. */
  static byte[] encode(byte[] element) {
    int code = codeOf(element);
    byte[] d = new byte[sizeOf(code)];
    writeEntry(d, 0, element, code);
    return d;
  }

  /** Writes {@code element} as an entry at {@code off}; returns the offset after it. */
  static int writeEntry(byte[] d, int off, byte[] element) {
    return writeEntry(d, off, element, codeOf(element));
  }

  private static int writeEntry(byte[] d, int off, byte[] element, int code) {
    int h = varintSize(code);
    int v = code;
    for (int j = 0; j < h; j++) {
      int b = v & 0x7F;
      v >>>= 7;
      d[off + j] = (byte) (j < h - 1 ? b | 0x80 : b);
    }
    int payload = code >>> 1;
    if (isInteger(code)) {
      long x = Args.parseLongOr(element, 0);
      for (int j = 0; j < payload; j++) {
        d[off + h + j] = (byte) (x >>> (8 * j));
      }
    } else {
      System.arraycopy(element, 0, d, off + h, payload);
    }
    int trailer = off + h + payload;
    for (int j = 0; j < h; j++) {
      d[trailer + h - 1 - j] = d[off + j];
    }
    return trailer + h;
  }
}
