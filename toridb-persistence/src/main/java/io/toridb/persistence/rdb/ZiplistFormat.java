package io.toridb.persistence.rdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Redis's ziplist, which RDB files before version 10 (Redis 7.0) used for small lists, hashes and
 * sorted sets; Redis 7.0 still loads it and converts it to a listpack.
 *
 * <p>Layout (integers little endian unless said): 4-byte total size, 4-byte offset of the last
 * entry, 2-byte entry count (65535 when unknown), the entries, and a terminating 0xFF. Each entry
 * is the size of the previous entry (one byte below 254, else 0xFE and 4 bytes), an encoding, and
 * the data:
 *
 * <pre>
 * 00pppppp                     string of up to 63 bytes
 * 01pppppp qqqqqqqq            string of up to 16383 bytes (length big endian)
 * 10000000 len(4, big endian)  string with a 32-bit length
 * 11000000 int16 | 11010000 int32 | 11100000 int64 | 11110000 int24 | 11111110 int8
 * 1111xxxx                     xxxx from 0001 to 1101: the integer xxxx - 1 (0 to 12)
 * </pre>
 *
 * {@link #entries} validates as Redis's ziplistValidateIntegrity in deep mode.
 */
public final class ZiplistFormat {
  private static final int HEADER = 10;
  private static final int END = 0xFF;

  private ZiplistFormat() {}

  /**
   * The entries of a ziplist, integers as their decimal text.
   *
   * @throws RdbFormatException when the blob is not a valid ziplist
   */
  public static byte[][] entries(byte[] zl) {
    int size = zl.length;
    if (size < HEADER + 1) {
      throw new RdbFormatException("ziplist too short");
    }
    if (ListpackFormat.le(zl, 0, 4) != size || (zl[size - 1] & 0xFF) != END) {
      throw new RdbFormatException("ziplist header mismatch");
    }
    long tail = ListpackFormat.le(zl, 4, 4);
    if (tail > size - 1) {
      throw new RdbFormatException("ziplist tail offset out of range");
    }
    int declared = (int) ListpackFormat.le(zl, 8, 2);
    int last = size - 1;
    byte[][] out = new byte[Math.min(declared, (size - HEADER) / 2)][];
    int count = 0;
    int p = HEADER;
    int prev = -1;
    long prevRaw = 0;
    while ((zl[p] & 0xFF) != END) {
      // The previous entry's size.
      int prevLenSize = (zl[p] & 0xFF) < 254 ? 1 : 5;
      if (p + prevLenSize > last) {
        throw new RdbFormatException("ziplist entry header past the end");
      }
      long prevLen = prevLenSize == 1 ? zl[p] & 0xFF : ListpackFormat.le(zl, p + 1, 4);
      int e = p + prevLenSize;
      int enc = zl[e] & 0xFF;
      int lenSize;
      long len;
      boolean string = enc < 0xC0;
      if (string) {
        int kind = enc >> 6;
        lenSize = kind == 0 ? 1 : kind == 1 ? 2 : enc == 0x80 ? 5 : -1;
        if (lenSize < 0) {
          throw new RdbFormatException("bad ziplist string encoding");
        }
        if (e + lenSize > last) {
          throw new RdbFormatException("ziplist entry header past the end");
        }
        if (kind == 0) {
          len = enc & 0x3F;
        } else if (kind == 1) {
          len = ((enc & 0x3F) << 8) | (zl[e + 1] & 0xFF);
        } else {
          len = be32(zl, e + 1);
        }
      } else {
        lenSize = 1;
        len = intSize(enc);
        if (len < 0) {
          throw new RdbFormatException("bad ziplist integer encoding");
        }
      }
      long header = prevLenSize + lenSize;
      if (p + header + len > last) {
        throw new RdbFormatException("ziplist entry past the end");
      }
      if (p - prevLen < HEADER) {
        throw new RdbFormatException("ziplist prevlen out of range");
      }
      if (prevLen != prevRaw) {
        throw new RdbFormatException("ziplist prevlen mismatch");
      }
      int data = (int) (p + header);
      if (count == out.length) {
        out = Arrays.copyOf(out, Math.max(4, out.length * 2));
      }
      out[count++] =
          string
              ? Arrays.copyOfRange(zl, data, data + (int) len)
              : Long.toString(integer(zl, data, enc)).getBytes(StandardCharsets.US_ASCII);
      prevRaw = header + len;
      prev = p;
      p = (int) (p + header + len);
    }
    if (p != last) {
      throw new RdbFormatException("ziplist terminator misplaced");
    }
    if (prev >= 0 && prev != tail) {
      throw new RdbFormatException("ziplist tail offset mismatch");
    }
    if (declared != 0xFFFF && declared != count) {
      throw new RdbFormatException("ziplist count mismatch");
    }
    return count == out.length ? out : Arrays.copyOf(out, count);
  }

  private static long be32(byte[] b, int off) {
    return ((long) (b[off] & 0xFF) << 24)
        | ((b[off + 1] & 0xFF) << 16)
        | ((b[off + 2] & 0xFF) << 8)
        | (b[off + 3] & 0xFF);
  }

  /** Data bytes of an integer encoding, or -1 for an invalid one. */
  private static int intSize(int enc) {
    switch (enc) {
      case 0xFE:
        return 1;
      case 0xC0:
        return 2;
      case 0xF0:
        return 3;
      case 0xD0:
        return 4;
      case 0xE0:
        return 8;
      default:
        return enc >= 0xF1 && enc <= 0xFD ? 0 : -1;
    }
  }

  private static long integer(byte[] zl, int at, int enc) {
    switch (enc) {
      case 0xFE:
        return zl[at];
      case 0xC0:
        return (short) ListpackFormat.le(zl, at, 2);
      case 0xF0:
        return (ListpackFormat.le(zl, at, 3) << 40) >> 40;
      case 0xD0:
        return (int) ListpackFormat.le(zl, at, 4);
      case 0xE0:
        return ListpackFormat.le(zl, at, 8);
      default:
        return (enc & 0x0F) - 1;
    }
  }
}
