package io.toridb.persistence.rdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Redis's listpack, the blob that small hashes, sorted sets and list nodes are saved as.
 *
 * <p>Layout (all integers little endian): a 4-byte total size, a 2-byte element count (65535 when
 * unknown), the entries, and a terminating 0xFF. Each entry is an encoding byte (with the length
 * for short strings), its data, and a "backlen" of 1 to 5 bytes giving the size of encoding plus
 * data, written big-endian-first in 7-bit groups with the high bit set on all but the first byte so
 * it can be read backwards:
 *
 * <pre>
 * 0xxxxxxx                     7-bit unsigned integer
 * 10xxxxxx data                string of up to 63 bytes
 * 110xxxxx yyyyyyyy            13-bit signed integer
 * 1110xxxx yyyyyyyy data       string of up to 4095 bytes
 * 11110000 len(4) data         string with a 32-bit length
 * 11110001 int16 | 11110010 int24 | 11110011 int32 | 11110100 int64
 * </pre>
 *
 * {@link #entries} checks a listpack as Redis's lpValidateIntegrity does in deep mode (header size,
 * terminator, every entry inside the blob, backlens matching, count matching); {@link Builder}
 * writes one as Redis's lpAppend does, storing canonical integer text as an integer.
 */
public final class ListpackFormat {
  private static final int HEADER = 6;
  private static final int EOF = 0xFF;
  private static final int UNKNOWN_COUNT = 0xFFFF;

  private ListpackFormat() {}

  /**
   * The entries of a listpack, integers as their decimal text.
   *
   * @throws RdbFormatException when the blob is not a valid listpack
   */
  public static byte[][] entries(byte[] lp) {
    int size = lp.length;
    if (size < HEADER + 1) {
      throw new RdbFormatException("listpack too short");
    }
    long total = le(lp, 0, 4);
    if (total != size || (lp[size - 1] & 0xFF) != EOF) {
      throw new RdbFormatException("listpack header mismatch");
    }
    int declared = (int) le(lp, 4, 2);
    // Every entry takes at least two bytes, which bounds the array before the walk.
    byte[][] out =
        new byte
            [Math.min(
                declared == UNKNOWN_COUNT ? (size - HEADER) / 2 : declared, (size - HEADER) / 2)]
            [];
    int count = 0;
    int p = HEADER;
    int last = size - 1;
    while ((lp[p] & 0xFF) != EOF) {
      int b = lp[p] & 0xFF;
      int headerBytes;
      long dataBytes;
      if ((b & 0x80) == 0) {
        headerBytes = 1;
        dataBytes = 0;
      } else if ((b & 0xC0) == 0x80) {
        headerBytes = 1;
        dataBytes = b & 0x3F;
      } else if ((b & 0xE0) == 0xC0) {
        headerBytes = 2;
        dataBytes = 0;
      } else if ((b & 0xF0) == 0xE0) {
        headerBytes = 2;
        dataBytes = p + 1 < last ? ((b & 0x0F) << 8) | (lp[p + 1] & 0xFF) : 0;
      } else if (b == 0xF0) {
        headerBytes = 5;
        dataBytes = p + 4 < last ? le(lp, p + 1, 4) : 0;
      } else if (b >= 0xF1 && b <= 0xF4) {
        headerBytes = 1;
        dataBytes = new int[] {2, 3, 4, 8}[b - 0xF1];
      } else {
        throw new RdbFormatException("bad listpack entry encoding");
      }
      if (p + headerBytes > last) {
        throw new RdbFormatException("listpack entry header past the end");
      }
      long encoded = headerBytes + dataBytes;
      int backlen = backlenSize(encoded);
      if (p + encoded + backlen > last) {
        throw new RdbFormatException("listpack entry past the end");
      }
      int next = (int) (p + encoded + backlen);
      if (decodeBacklen(lp, next - 1, p) != encoded) {
        throw new RdbFormatException("listpack backlen mismatch");
      }
      if (count == out.length) {
        out = Arrays.copyOf(out, Math.max(4, out.length * 2));
      }
      out[count++] = value(lp, p, b, headerBytes, (int) dataBytes);
      p = next;
    }
    if (p != last) {
      throw new RdbFormatException("listpack terminator misplaced");
    }
    if (declared != UNKNOWN_COUNT && declared != count) {
      throw new RdbFormatException("listpack count mismatch");
    }
    return count == out.length ? out : Arrays.copyOf(out, count);
  }

  private static byte[] value(byte[] lp, int p, int b, int headerBytes, int dataBytes) {
    long v;
    if ((b & 0x80) == 0) {
      v = b;
    } else if ((b & 0xC0) == 0x80 || (b & 0xF0) == 0xE0 || b == 0xF0) {
      return Arrays.copyOfRange(lp, p + headerBytes, p + headerBytes + dataBytes);
    } else if ((b & 0xE0) == 0xC0) {
      v = signExtend(((b & 0x1F) << 8) | (lp[p + 1] & 0xFF), 13);
    } else {
      int bits = dataBytes * 8;
      long raw = le(lp, p + 1, dataBytes);
      v = bits == 64 ? raw : signExtend(raw, bits);
    }
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }

  private static long signExtend(long v, int bits) {
    return (v << (64 - bits)) >> (64 - bits);
  }

  /** A little-endian unsigned integer of {@code n} (at most 8) bytes. */
  static long le(byte[] b, int off, int n) {
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  /** Bytes of the backlen of an entry whose encoding and data take {@code l} bytes. */
  static int backlenSize(long l) {
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

  /** Reads a backlen backwards from {@code at}, not before {@code floor}; -1 when invalid. */
  private static long decodeBacklen(byte[] lp, int at, int floor) {
    long v = 0;
    int shift = 0;
    while (true) {
      if (at < floor) {
        return -1;
      }
      int b = lp[at] & 0xFF;
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
      shift += 7;
      at--;
      if (shift > 28) {
        return -1;
      }
    }
  }

  /** Writes a listpack entry by entry, as Redis's lpAppend. */
  public static final class Builder {
    private byte[] buf = new byte[64];
    private int size = HEADER;
    private int count;

    /** Bytes the listpack would take now, terminator included. */
    public int bytes() {
      return size + 1;
    }

    /** Entries appended so far. */
    public int count() {
      return count;
    }

    /**
     * Appends a string; the canonical text of a 64-bit integer is stored as that integer, as
     * Redis's lpEncodeGetType decides.
     */
    public Builder append(byte[] s, int off, int len) {
      long v = IntegerText.parse(s, off, len);
      if (v != IntegerText.NOT_INTEGER || IntegerText.isMin(s, off, len)) {
        return appendInteger(v == IntegerText.NOT_INTEGER ? Long.MIN_VALUE : v);
      }
      int header = len < 64 ? 1 : len < 4096 ? 2 : 5;
      int encoded = header + len;
      ensure((long) encoded + 5);
      if (len < 64) {
        buf[size++] = (byte) (0x80 | len);
      } else if (len < 4096) {
        buf[size++] = (byte) (0xE0 | (len >> 8));
        buf[size++] = (byte) len;
      } else {
        buf[size++] = (byte) 0xF0;
        for (int i = 0; i < 4; i++) {
          buf[size++] = (byte) (len >>> (8 * i));
        }
      }
      System.arraycopy(s, off, buf, size, len);
      size += len;
      writeBacklen(encoded);
      count++;
      return this;
    }

    public Builder append(byte[] s) {
      return append(s, 0, s.length);
    }

    /** Appends an integer in the smallest of the listpack integer encodings. */
    public Builder appendInteger(long v) {
      ensure(10);
      int start = size;
      if (v >= 0 && v <= 127) {
        buf[size++] = (byte) v;
      } else if (v >= -4096 && v <= 4095) {
        long u = v & 0x1FFF;
        buf[size++] = (byte) (0xC0 | (u >> 8));
        buf[size++] = (byte) u;
      } else {
        int n;
        int code;
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
          n = 2;
          code = 0xF1;
        } else if (v >= -8388608 && v <= 8388607) {
          n = 3;
          code = 0xF2;
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
          n = 4;
          code = 0xF3;
        } else {
          n = 8;
          code = 0xF4;
        }
        buf[size++] = (byte) code;
        for (int i = 0; i < n; i++) {
          buf[size++] = (byte) (v >>> (8 * i));
        }
      }
      writeBacklen(size - start);
      count++;
      return this;
    }

    private void writeBacklen(int l) {
      int n = backlenSize(l);
      for (int i = n - 1; i >= 0; i--) {
        int group = (l >>> (7 * i)) & 0x7F;
        // The most significant group comes first and alone lacks the high bit, which is where
        // a backwards reader stops.
        buf[size++] = (byte) (i == n - 1 ? group : group | 0x80);
      }
    }

    private void ensure(long more) {
      long needed = size + more + 1;
      if (needed > buf.length) {
        if (needed > RdbInput.MAX_STRING) {
          throw new IllegalStateException("listpack too large");
        }
        buf =
            Arrays.copyOf(
                buf, (int) Math.min(RdbInput.MAX_STRING, Math.max(needed, 2L * buf.length)));
      }
    }

    /** The finished listpack. */
    public byte[] build() {
      byte[] out = Arrays.copyOf(buf, size + 1);
      out[size] = (byte) EOF;
      int total = size + 1;
      for (int i = 0; i < 4; i++) {
        out[i] = (byte) (total >>> (8 * i));
      }
      int n = Math.min(count, UNKNOWN_COUNT);
      out[4] = (byte) n;
      out[5] = (byte) (n >>> 8);
      return out;
    }
  }
}
