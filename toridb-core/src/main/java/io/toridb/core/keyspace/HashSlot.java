package io.toridb.core.keyspace;

/**
 * The hash slot of a key, as Redis Cluster computes it: CRC16 (XMODEM: polynomial 0x1021, initial
 * value 0) of the key modulo 16384, or of its hash tag alone when the key has one: the bytes
 * between the first '{' and the first '}' after it, if there is at least one byte between them.
 */
public final class HashSlot {
  /** How many slots the key space is split into. */
  public static final int COUNT = 16384;

  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      TABLE[i] = crc & 0xffff;
    }
  }

  private HashSlot() {}

  public static int of(byte[] key) {
    int open = -1;
    for (int i = 0; i < key.length; i++) {
      if (key[i] == '{') {
        open = i;
        break;
      }
    }
    if (open >= 0) {
      for (int close = open + 1; close < key.length; close++) {
        if (key[close] == '}') {
          if (close > open + 1) {
            return crc16(key, open + 1, close) & (COUNT - 1);
          }
          break;
        }
      }
    }
    return crc16(key, 0, key.length) & (COUNT - 1);
  }

  /** The slot of a stored key, read in place (a packed key is not unpacked). */
  public static int of(Key key) {
    int n = key.length();
    int open = -1;
    for (int i = 0; i < n; i++) {
      if (key.byteAt(i) == '{') {
        open = i;
        break;
      }
    }
    int from = 0;
    int to = n;
    if (open >= 0) {
      for (int close = open + 1; close < n; close++) {
        if (key.byteAt(close) == '}') {
          if (close > open + 1) {
            from = open + 1;
            to = close;
          }
          break;
        }
      }
    }
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ key.byteAt(i)) & 0xff]) & 0xffff;
    }
    return crc & (COUNT - 1);
  }

  /** CRC16/XMODEM of {@code b[from..to)}. */
  static int crc16(byte[] b, int from, int to) {
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ b[i]) & 0xff]) & 0xffff;
    }
    return crc;
  }
}
