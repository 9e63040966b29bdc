package io.toridb.persistence.rdb;

import java.util.Arrays;

/**
 * A growing byte buffer that writes the RDB encodings of lengths, strings and doubles, as Redis's
 * rdbSaveLen, rdbSaveRawString and rdbSaveBinaryDoubleValue produce them (see {@link RdbInput} for
 * the length layout).
 */
public final class RdbOutput {
  /** Strings up to this long are never worth compressing (Redis's threshold). */
  private static final int COMPRESS_MIN = 21;

  /** A buffer that spills holds at most about this many bytes (an RDB file writer's). */
  private static final int SPILL_AT = 1 << 16;

  /** Where a buffer that streams hands its bytes before it grows past {@link #SPILL_AT}. */
  public interface Spill {
    void write(byte[] b, int off, int len);
  }

  private byte[] buf;
  private int size;
  private final boolean compress;
  private final Spill spill;

  /**
   * An empty buffer; {@code compress} tries LZF on strings longer than 20 bytes, as Redis does with
   * rdbcompression yes.
   */
  public RdbOutput(boolean compress) {
    this(compress, null);
  }

  /**
   * A buffer that hands what it holds to {@code spill} whenever more would not fit in about 64 KB
   * (a single longer string still passes through whole), so that writing a large value does not
   * hold all of it in memory. {@link #size()} and {@link #array()} then cover only what was not
   * spilled yet; {@link #reset()} empties it.
   */
  public RdbOutput(boolean compress, Spill spill) {
    this.buf = new byte[spill == null ? 64 : SPILL_AT];
    this.compress = compress;
    this.spill = spill;
  }

  /** Forgets the content (after it was copied out), keeping the array unless it grew large. */
  public void reset() {
    size = 0;
    if (buf.length > SPILL_AT) {
      buf = new byte[SPILL_AT];
    }
  }

  /** Bytes written so far. */
  public int size() {
    return size;
  }

  /** The bytes written so far, copied. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /** The backing array; its first {@link #size()} bytes are the content. */
  public byte[] array() {
    return buf;
  }

  private void ensure(int more) {
    long needed = (long) size + more;
    if (needed > buf.length && spill != null && size > 0) {
      spill.write(buf, 0, size);
      size = 0;
      needed = more;
    }
    if (needed > buf.length) {
      if (needed > RdbInput.MAX_STRING) {
        throw new IllegalStateException("serialized value too large");
      }
      buf =
          Arrays.copyOf(
              buf, (int) Math.min(RdbInput.MAX_STRING, Math.max(needed, 2L * buf.length)));
    }
  }

  public void writeByte(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  public void writeBytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  /**
   * Redis's rdbSaveLen: 1, 2, 5 or 9 bytes. A negative {@code len} stands for an unsigned 64-bit
   * number past {@link Long#MAX_VALUE} (a module type id, a module's unsigned value).
   */
  public void writeLength(long len) {
    if (len < 0) {
      writeByte(0x81);
      for (int shift = 56; shift >= 0; shift -= 8) {
        writeByte((int) (len >>> shift));
      }
    } else if (len < (1 << 6)) {
      writeByte((int) len);
    } else if (len < (1 << 14)) {
      writeByte((int) ((len >> 8) | 0x40));
      writeByte((int) (len & 0xFF));
    } else if (len <= 0xFFFF_FFFFL) {
      writeByte(0x80);
      for (int shift = 24; shift >= 0; shift -= 8) {
        writeByte((int) (len >>> shift));
      }
    } else {
      writeByte(0x81);
      for (int shift = 56; shift >= 0; shift -= 8) {
        writeByte((int) (len >>> shift));
      }
    }
  }

  /** A little-endian IEEE 754 double. */
  public void writeBinaryDouble(double d) {
    long bits = Double.doubleToRawLongBits(d);
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[size++] = (byte) (bits >>> (8 * i));
    }
  }

  /**
   * A string as Redis's rdbSaveRawString: as an 8/16/32-bit integer when it is the canonical text
   * of one (at most 11 bytes), else LZF-compressed when that saves at least 4 bytes (longer than 20
   * bytes, compression on), else its length and bytes.
   */
  public void writeString(byte[] s, int off, int len) {
    if (len <= 11 && writeSmallInteger(s, off, len)) {
      return;
    }
    if (compress && len >= COMPRESS_MIN) {
      byte[] packed = Lzf.compress(s, off, len);
      if (packed != null) {
        writeByte(0xC0 | RdbInput.ENC_LZF);
        writeLength(packed.length);
        writeLength(len);
        writeBytes(packed, 0, packed.length);
        return;
      }
    }
    writeLength(len);
    writeBytes(s, off, len);
  }

  public void writeString(byte[] s) {
    writeString(s, 0, s.length);
  }

  private boolean writeSmallInteger(byte[] s, int off, int len) {
    long v = IntegerText.parse(s, off, len);
    if (v == IntegerText.NOT_INTEGER || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      return false;
    }
    if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
      writeByte(0xC0 | RdbInput.ENC_INT8);
      writeByte((int) v);
    } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      writeByte(0xC0 | RdbInput.ENC_INT16);
      writeByte((int) v);
      writeByte((int) (v >> 8));
    } else {
      writeByte(0xC0 | RdbInput.ENC_INT32);
      for (int i = 0; i < 4; i++) {
        writeByte((int) (v >> (8 * i)));
      }
    }
    return true;
  }
}
