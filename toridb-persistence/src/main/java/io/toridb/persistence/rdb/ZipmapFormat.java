package io.toridb.persistence.rdb;

import java.util.Arrays;

/**
 * Redis's zipmap, how Redis 2.4 and older saved small hashes (RDB_TYPE_HASH_ZIPMAP); still loaded.
 *
 * <p>Layout: a 1-byte count (254 and above: unknown), then for each pair the field's length, the
 * field, the value's length, one byte of free space count, the value and that many free bytes, and
 * a terminating 0xFF. A length is one byte below 254, else 0xFE and a 4-byte little-endian integer.
 */
public final class ZipmapFormat {
  private static final int BIGLEN = 254;
  private static final int END = 0xFF;

  private ZipmapFormat() {}

  /**
   * Fields and values alternating, checked as Redis's zipmapValidateIntegrity in deep mode (every
   * part inside the blob, not empty, count matching).
   */
  public static byte[][] pairs(byte[] zm) {
    int size = zm.length;
    if (size < 2 || (zm[size - 1] & 0xFF) != END) {
      throw new RdbFormatException("zipmap header mismatch");
    }
    int last = size - 1;
    byte[][] out = new byte[8][];
    int n = 0;
    int p = 1;
    while ((zm[p] & 0xFF) != END) {
      for (int part = 0; part < 2; part++) {
        int lenSize = (zm[p] & 0xFF) < BIGLEN ? 1 : 5;
        if (p + lenSize > last) {
          throw new RdbFormatException("zipmap length past the end");
        }
        long len = lenSize == 1 ? zm[p] & 0xFF : ListpackFormat.le(zm, p + 1, 4);
        p += lenSize;
        int free = 0;
        if (part == 1) {
          free = zm[p] & 0xFF;
          p++;
        }
        if (p + len + free > last) {
          throw new RdbFormatException("zipmap entry past the end");
        }
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = Arrays.copyOfRange(zm, p, p + (int) len);
        p += (int) len + free;
      }
    }
    int count = n / 2;
    if (count == 0) {
      throw new RdbFormatException("empty zipmap");
    }
    int declared = zm[0] & 0xFF;
    if (declared < BIGLEN && declared != count) {
      throw new RdbFormatException("zipmap count mismatch");
    }
    return Arrays.copyOf(out, n);
  }
}
