package io.toridb.persistence.rdb;

import java.util.Arrays;

/**
 * Reads the RDB encoding of one value from a byte array, never past a given end. Every length read
 * here is checked against the bytes that remain before anything of that size is allocated, so a
 * payload that claims more than it holds fails with {@link RdbFormatException} instead of
 * allocating.
 *
 * <p>Lengths (Redis's rdbLoadLen) take the two top bits of their first byte: {@code 00} a 6-bit
 * length, {@code 01} a 14-bit length (big endian, with the next byte), {@code 10000000} a 32-bit
 * and {@code 10000001} a 64-bit big-endian length in the following bytes, {@code 11} a special
 * string encoding in the low six bits (8/16/32-bit little-endian integers, or LZF).
 */
public final class RdbInput {
  /** Special string encodings after a length byte of the form 11xxxxxx. */
  static final int ENC_INT8 = 0;

  static final int ENC_INT16 = 1;
  static final int ENC_INT32 = 2;
  static final int ENC_LZF = 3;

  /** Largest string this server can hold in one array. */
  static final int MAX_STRING = Integer.MAX_VALUE - 8;

  private final byte[] buf;
  private final int end;
  private int pos;

  /** Reads {@code buf[from..end)}. */
  public RdbInput(byte[] buf, int from, int end) {
    if (from < 0 || end > buf.length || from > end) {
      throw new IllegalArgumentException("bad bounds");
    }
    this.buf = buf;
    this.pos = from;
    this.end = end;
  }

  /** Bytes left to read. */
  public int remaining() {
    return end - pos;
  }

  public int position() {
    return pos;
  }

  /** One unsigned byte. */
  public int readByte() {
    if (pos >= end) {
      throw new RdbFormatException("unexpected end of payload");
    }
    return buf[pos++] & 0xFF;
  }

  /** {@code n} bytes, copied. */
  public byte[] readBytes(long n) {
    require(n);
    byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) n);
    pos += (int) n;
    return out;
  }

  /** A little-endian IEEE 754 double (RDB 8 and later). */
  public double readBinaryDouble() {
    require(8);
    long bits = 0;
    for (int i = 7; i >= 0; i--) {
      bits = (bits << 8) | (buf[pos + i] & 0xFF);
    }
    pos += 8;
    return Double.longBitsToDouble(bits);
  }

  /**
   * A double in the old text form (RDB_TYPE_ZSET): a length byte, 253 for NaN, 254 for +inf, 255
   * for -inf, otherwise that many bytes of text read as C's {@code sscanf("%lg")} would.
   */
  public double readTextDouble() {
    int len = readByte();
    switch (len) {
      case 253:
        return Double.NaN;
      case 254:
        return Double.POSITIVE_INFINITY;
      case 255:
        return Double.NEGATIVE_INFINITY;
      default:
        byte[] text = readBytes(len);
        try {
          return Double.parseDouble(new String(text, java.nio.charset.StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
          throw new RdbFormatException("bad double text");
        }
    }
  }

  /**
   * A length as Redis's rdbLoadLen; a special string encoding is refused (use {@link #readString}).
   * The result is never negative; a 64-bit length above {@link Long#MAX_VALUE} is refused as it can
   * describe nothing real.
   */
  public long readLength() {
    int first = readByte();
    int kind = first >> 6;
    switch (kind) {
      case 0:
        return first & 0x3F;
      case 1:
        return ((first & 0x3F) << 8) | readByte();
      case 2:
        if (first == 0x80) {
          require(4);
          long v = 0;
          for (int i = 0; i < 4; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
          }
          return v;
        }
        if (first == 0x81) {
          require(8);
          long v = 0;
          for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
          }
          if (v < 0) {
            throw new RdbFormatException("length too large");
          }
          return v;
        }
        throw new RdbFormatException("unknown length encoding");
      default:
        throw new RdbFormatException("encoded value where a length was expected");
    }
  }

  /**
   * A count of items that each take at least {@code minBytesPerItem} bytes: refused when the
   * payload cannot hold that many, so it can size a collection safely.
   */
  public int readCount(int minBytesPerItem) {
    long n = readLength();
    if (n > remaining() / minBytesPerItem) {
      throw new RdbFormatException("count larger than the payload");
    }
    return (int) n;
  }

  /**
   * A string in any of its encodings (Redis's rdbGenericLoadStringObject): plain bytes after a
   * length, an 8/16/32-bit integer (returned as its decimal text), or an LZF-compressed block.
   */
  public byte[] readString() {
    int first = readByte();
    if ((first >> 6) != 3) {
      pos--;
      long len = readLength();
      return readBytes(len);
    }
    switch (first & 0x3F) {
      case ENC_INT8:
        return decimal((byte) readByte());
      case ENC_INT16:
        {
          require(2);
          int v = (buf[pos] & 0xFF) | (buf[pos + 1] << 8);
          pos += 2;
          return decimal((short) v);
        }
      case ENC_INT32:
        {
          require(4);
          int v =
              (buf[pos] & 0xFF)
                  | ((buf[pos + 1] & 0xFF) << 8)
                  | ((buf[pos + 2] & 0xFF) << 16)
                  | (buf[pos + 3] << 24);
          pos += 4;
          return decimal(v);
        }
      case ENC_LZF:
        {
          long compressed = readLength();
          long length = readLength();
          require(compressed);
          if (length > MAX_STRING) {
            throw new RdbFormatException("LZF string too long");
          }
          byte[] out = Lzf.decompress(buf, pos, (int) compressed, (int) length);
          pos += (int) compressed;
          return out;
        }
      default:
        throw new RdbFormatException("unknown string encoding");
    }
  }

  private static byte[] decimal(long v) {
    return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private void require(long n) {
    if (n < 0 || n > end - pos) {
      throw new RdbFormatException("length past the end of the payload");
    }
  }
}
