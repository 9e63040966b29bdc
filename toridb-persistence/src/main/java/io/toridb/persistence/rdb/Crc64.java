package io.toridb.persistence.rdb;

/**
 * The 64-bit CRC that Redis puts at the end of DUMP payloads and RDB files: the "Jones" polynomial
 * 0xad93d23594c935a9, reflected input and output, initial value 0 and no final XOR. The check value
 * of the ASCII text "123456789" is 0xe9c6d914c4b8d9ca.
 *
 * <p>Implementation notes: the reflected form of the polynomial drives a byte-at-a-time table, the
 * usual way to compute a reflected CRC; payloads are short enough that slicing-by-8 is not needed.
 */
public final class Crc64 {
  /** 0xad93d23594c935a9 with its bits reversed, for the reflected (LSB-first) algorithm. */
  private static final long REFLECTED_POLY = Long.reverse(0xad93d23594c935a9L);

  private static final long[] TABLE = new long[256];

  static {
    for (int n = 0; n < 256; n++) {
      long crc = n;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ REFLECTED_POLY : crc >>> 1;
      }
      TABLE[n] = crc;
    }
  }

  private Crc64() {}

  /** The CRC of {@code len} bytes of {@code data} from {@code off}, continuing from {@code crc}. */
  public static long update(long crc, byte[] data, int off, int len) {
    long c = crc;
    for (int i = off, end = off + len; i < end; i++) {
      c = TABLE[(int) ((c ^ data[i]) & 0xFF)] ^ (c >>> 8);
    }
    return c;
  }

  /** The CRC of all of {@code data}, as Redis's {@code crc64(0, data, len)}. */
  public static long of(byte[] data, int off, int len) {
    return update(0, data, off, len);
  }
}
