package io.toridb.persistence.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Reads the RDB encoding of values from a byte array, never past a given end, or from a stream of
 * known length (an RDB file). Every length read here is checked against the bytes that remain
 * before anything of that size is allocated, so input that claims more than it holds fails with
 * {@link RdbFormatException} instead of allocating.
 *
 * <p>Lengths (Redis's rdbLoadLen) take the two top bits of their first byte: {@code 00} a 6-bit
 * length, {@code 01} a 14-bit length (big endian, with the next byte), {@code 10000000} a 32-bit
 * and {@code 10000001} a 64-bit big-endian length in the following bytes, {@code 11} a special
 * string encoding in the low six bits (8/16/32-bit little-endian integers, or LZF).
 *
 * <p>Implementation notes: a stream is read through a window ({@code buf[0..end)}) that is refilled
 * and, for a string longer than the window, grown to that string's size, which the check against
 * the stream's remaining length bounds. The CRC64 of a stream covers every byte consumed; it is
 * brought up to date lazily, over the consumed part of the window, before the window moves.
 */
public final class RdbInput {
  /** Special string encodings after a length byte of the form 11xxxxxx. */
  static final int ENC_INT8 = 0;

  static final int ENC_INT16 = 1;
  static final int ENC_INT32 = 2;
  static final int ENC_LZF = 3;

  /** Largest string this server can hold in one array. */
  static final int MAX_STRING = Integer.MAX_VALUE - 8;

  /** Window size for streams. */
  private static final int WINDOW = 1 << 16;

  private byte[] buf;
  private int end;
  private int pos;

  /** The stream behind the window, or null for an array. */
  private final InputStream source;

  /** Bytes of the stream not read into the window yet. */
  private long sourceLeft;

  /** Stream offset of {@code buf[0]}. */
  private long base;

  /** CRC64 of the bytes consumed before {@code buf[crcFrom]}. */
  private long crc;

  private int crcFrom;

  /** Reads {@code buf[from..end)}. */
  public RdbInput(byte[] buf, int from, int end) {
    if (from < 0 || end > buf.length || from > end) {
      throw new IllegalArgumentException("bad bounds");
    }
    this.buf = buf;
    this.pos = from;
    this.end = end;
    this.source = null;
    this.base = 0;
    this.crcFrom = from;
  }

  private RdbInput(InputStream source, long length) {
    this.buf = new byte[(int) Math.min(WINDOW, Math.max(16, length))];
    this.source = source;
    this.sourceLeft = length;
  }

  /**
   * Reads the {@code length} bytes of {@code source} (not closed here). A stream that ends early
   * fails like a truncated payload; I/O errors surface as {@link UncheckedIOException}.
   */
  public static RdbInput of(InputStream source, long length) {
    if (length < 0) {
      throw new IllegalArgumentException("negative length");
    }
    return new RdbInput(source, length);
  }

  /** Bytes left to read. */
  public long remaining() {
    return end - pos + sourceLeft;
  }

  /** Offset of the next byte: in the array, or from the start of the stream. */
  public long position() {
    return base + pos;
  }

  /**
   * The CRC64 (see {@link Crc64}) of every byte consumed so far, from the array's {@code from} or
   * the start of the stream.
   */
  public long checksum() {
    crc = Crc64.update(crc, buf, crcFrom, pos - crcFrom);
    crcFrom = pos;
    return crc;
  }

  /** One unsigned byte. */
  public int readByte() {
    if (pos >= end) {
      fill(1);
    }
    return buf[pos++] & 0xFF;
  }

  /** {@code n} bytes, copied. */
  public byte[] readBytes(long n) {
    if (n >= 0 && n <= end - pos) {
      byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) n);
      pos += (int) n;
      return out;
    }
    if (source == null || n < 0 || n > remaining()) {
      throw new RdbFormatException(pastEnd(n));
    }
    if (n > MAX_STRING) {
      throw new RdbFormatException("string too long");
    }
    // Longer than what the window holds: copy that part, read the rest straight into the result.
    byte[] out = new byte[(int) n];
    int have = end - pos;
    System.arraycopy(buf, pos, out, 0, have);
    pos = end;
    checksum();
    readFully(out, have, out.length - have);
    crc = Crc64.update(crc, out, have, out.length - have);
    base += end + (out.length - have);
    pos = 0;
    end = 0;
    crcFrom = 0;
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
    long v = readUnsigned();
    if (v < 0) {
      throw new RdbFormatException("length too large");
    }
    return v;
  }

  /**
   * As {@link #readLength}, but any unsigned 64-bit number, those past {@link Long#MAX_VALUE} as
   * negative longs: what a module saves with its unsigned values (and a module type's id).
   */
  public long readUnsigned() {
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
    if (n > remaining() / minBytesPerItem || n > Integer.MAX_VALUE) {
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
      fill(n);
    }
  }

  /** Makes {@code n} bytes available in the window, reading the stream; fails at its end. */
  private void fill(long n) {
    if (source == null || n < 0 || n > remaining()) {
      throw new RdbFormatException(pastEnd(n));
    }
    if (n > MAX_STRING) {
      throw new RdbFormatException("string too long");
    }
    checksum();
    int have = end - pos;
    if (n > buf.length) {
      byte[] bigger = new byte[(int) Math.max(n, Math.min(MAX_STRING, 2L * buf.length))];
      System.arraycopy(buf, pos, bigger, 0, have);
      buf = bigger;
    } else {
      System.arraycopy(buf, pos, buf, 0, have);
    }
    base += pos;
    pos = 0;
    crcFrom = 0;
    end = have;
    int want = (int) Math.min(buf.length - end, sourceLeft);
    readFully(buf, end, want);
    end += want;
  }

  /** Reads exactly {@code len} bytes of the stream into {@code b}. */
  private void readFully(byte[] b, int off, int len) {
    try {
      int got = source.readNBytes(b, off, len);
      sourceLeft -= got;
      if (got < len) {
        sourceLeft = 0;
        throw new RdbFormatException("unexpected end of file (it is shorter than it was)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String pastEnd(long n) {
    return source == null
        ? "length past the end of the payload"
        : "unexpected end of file: " + n + " bytes needed, " + remaining() + " left";
  }
}
