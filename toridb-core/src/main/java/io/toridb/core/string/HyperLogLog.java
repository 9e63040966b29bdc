package io.toridb.core.string;

import java.util.Arrays;

/**
 * A HyperLogLog as Redis stores it in a string, so that its bytes (GET, DUMP, the snapshot) are
 * Redis's own and either server reads the other's:
 *
 * <pre>
 * offset 0   "HYLL"
 * offset 4   encoding: 0 dense, 1 sparse
 * offset 5   3 bytes, zero
 * offset 8   the cardinality last counted, 8 bytes little endian; its top bit set means stale
 * offset 16  the registers
 * </pre>
 *
 * 16384 registers of 6 bits. Dense: the registers one after the other, each from the lowest bit of
 * its first byte up (12,288 bytes). Sparse: runs, {@code 00xxxxxx} for 1 to 64 zero registers,
 * {@code 01xxxxxx yyyyyyyy} for 1 to 16,384, {@code 1vvvvvxx} for 1 to 4 registers of value 1 to
 * 32. An element sets register {@code h & 16383} of its 64-bit MurmurHash2 {@code h} (seed
 * 0xadc83b19) to the position of the lowest set bit of {@code h >> 14}, counting from 1, if that is
 * higher. A sparse HLL turns dense when a register would exceed 32 or it would grow past
 * hll-sparse-max-bytes. The count is Ertl's improved estimator over the registers' histogram, as
 * Redis 7.0.
 *
 * <p>Operations take the value's bytes and return new bytes when they change them; a value is never
 * changed in place.
 */
final class HyperLogLog {
  private HyperLogLog() {}

  static final int HEADER = 16;
  static final int REGISTERS = 16384;
  static final int P = 14;
  static final int Q = 64 - P;
  static final int DENSE_SIZE = HEADER + (REGISTERS * 6 + 7) / 8;
  static final int DENSE = 0;
  static final int SPARSE = 1;
  private static final int SPARSE_VAL_MAX_VALUE = 32;
  private static final int SPARSE_VAL_MAX_LEN = 4;
  private static final int SPARSE_ZERO_MAX_LEN = 64;
  private static final int SPARSE_XZERO_MAX_LEN = 16384;

  /** 0.5 / ln 2. */
  private static final double ALPHA_INF = 0.721347520444481703680;

  static final String INVALID = "INVALIDOBJ Corrupted HLL object detected";
  static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";

  /** Thrown on a value whose registers do not decode (Redis's -1 and C_ERR). */
  static final class Corrupted extends RuntimeException {
    Corrupted() {
      super(INVALID, null, false, false);
    }
  }

  /** An empty HLL: sparse, one XZERO run of 16384. */
  static byte[] empty() {
    byte[] b = new byte[HEADER + 2];
    b[0] = 'H';
    b[1] = 'Y';
    b[2] = 'L';
    b[3] = 'L';
    b[4] = SPARSE;
    setXzero(b, HEADER, REGISTERS);
    return b;
  }

  /** Whether {@code b} is a HyperLogLog as far as its header and size tell (isHLLObjectOrReply). */
  static boolean looksValid(byte[] b) {
    if (b.length < HEADER || b[0] != 'H' || b[1] != 'Y' || b[2] != 'L' || b[3] != 'L') {
      return false;
    }
    int encoding = b[4] & 0xff;
    if (encoding > SPARSE) {
      return false;
    }
    return encoding != DENSE || b.length == DENSE_SIZE;
  }

  static int encoding(byte[] b) {
    return b[4] & 0xff;
  }

  static boolean cacheValid(byte[] b) {
    return (b[15] & 0x80) == 0;
  }

  static long cachedCount(byte[] b) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[8 + i] & 0xff);
    }
    return v;
  }

  static void setCachedCount(byte[] b, long card) {
    for (int i = 0; i < 8; i++) {
      b[8 + i] = (byte) (card >>> (8 * i));
    }
  }

  static void invalidateCache(byte[] b) {
    b[15] |= (byte) 0x80;
  }

  // ---------------------------------------------------------------------------------------------
  // Hashing

  /** MurmurHash64A, as Redis's (endian neutral: the input read little endian). */
  static long murmur64a(byte[] key, long seed) {
    final long m = 0xc6a4a7935bd1e995L;
    final int r = 47;
    int len = key.length;
    long h = seed ^ (len * m);
    int end = len - (len & 7);
    for (int i = 0; i < end; i += 8) {
      long k = 0;
      for (int j = 7; j >= 0; j--) {
        k = (k << 8) | (key[i + j] & 0xffL);
      }
      k *= m;
      k ^= k >>> r;
      k *= m;
      h ^= k;
      h *= m;
    }
    int rest = len & 7;
    if (rest > 0) {
      for (int j = rest - 1; j >= 0; j--) {
        h ^= (key[end + j] & 0xffL) << (8 * j);
      }
      h *= m;
    }
    h ^= h >>> r;
    h *= m;
    h ^= h >>> r;
    return h;
  }

  /** The register of {@code element} (low 16 bits) and the count to set it to (above). */
  static int patLen(byte[] element) {
    long hash = murmur64a(element, 0xadc83b19L);
    int index = (int) (hash & (REGISTERS - 1));
    hash >>>= P;
    hash |= 1L << Q;
    int count = Long.numberOfTrailingZeros(hash) + 1;
    return (count << 16) | index;
  }

  // ---------------------------------------------------------------------------------------------
  // Dense registers

  static int denseGet(byte[] b, int index) {
    int bit = index * 6;
    int i = HEADER + (bit >> 3);
    int fb = bit & 7;
    int b0 = b[i] & 0xff;
    int b1 = i + 1 < b.length ? b[i + 1] & 0xff : 0;
    return ((b0 >> fb) | (b1 << (8 - fb))) & 63;
  }

  static void denseSet(byte[] b, int index, int value) {
    int bit = index * 6;
    int i = HEADER + (bit >> 3);
    int fb = bit & 7;
    int v = value;
    b[i] = (byte) ((b[i] & ~(63 << fb)) | (v << fb));
    if (i + 1 < b.length) {
      int fb8 = 8 - fb;
      b[i + 1] = (byte) ((b[i + 1] & ~(63 >> fb8)) | (v >> fb8));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Adding

  /**
   * Adds {@code element} to {@code hll} (a copy the caller owns); returns the new bytes (the same
   * array unless the sparse form grew or turned dense) in {@code out[0]}, and whether a register
   * changed.
   */
  static boolean add(byte[][] hll, byte[] element, long sparseMaxBytes) {
    int pat = patLen(element);
    return set(hll, pat & 0xffff, pat >>> 16, sparseMaxBytes);
  }

  /** Sets register {@code index} to {@code count} if that is higher (hllSparseSet/hllDenseSet). */
  static boolean set(byte[][] hll, int index, int count, long sparseMaxBytes) {
    byte[] b = hll[0];
    if (encoding(b) == DENSE) {
      if (count > denseGet(b, index)) {
        denseSet(b, index, count);
        return true;
      }
      return false;
    }
    return sparseSet(hll, index, count, sparseMaxBytes);
  }

  private static boolean isZero(byte[] b, int p) {
    return (b[p] & 0xc0) == 0;
  }

  private static boolean isXzero(byte[] b, int p) {
    return (b[p] & 0xc0) == 0x40;
  }

  private static boolean isVal(byte[] b, int p) {
    return (b[p] & 0x80) != 0;
  }

  private static int zeroLen(byte[] b, int p) {
    return (b[p] & 0x3f) + 1;
  }

  /** An XZERO's length; a second byte past the end reads as 0, as Redis reads its string's NUL. */
  private static int xzeroLen(byte[] b, int p) {
    int low = p + 1 < b.length ? b[p + 1] & 0xff : 0;
    return (((b[p] & 0x3f) << 8) | low) + 1;
  }

  private static int valValue(byte[] b, int p) {
    return ((b[p] >> 2) & 0x1f) + 1;
  }

  private static int valLen(byte[] b, int p) {
    return (b[p] & 0x3) + 1;
  }

  private static void setVal(byte[] b, int p, int value, int len) {
    b[p] = (byte) (((value - 1) << 2) | (len - 1) | 0x80);
  }

  private static void setZero(byte[] b, int p, int len) {
    b[p] = (byte) (len - 1);
  }

  private static void setXzero(byte[] b, int p, int len) {
    int l = len - 1;
    b[p] = (byte) ((l >> 8) | 0x40);
    b[p + 1] = (byte) (l & 0xff);
  }

  private static boolean sparseSet(byte[][] hll, int index, int count, long sparseMaxBytes) {
    byte[] b = hll[0];
    if (count > SPARSE_VAL_MAX_VALUE) {
      return promote(hll, index, count);
    }
    int end = b.length;
    int p = HEADER;
    int first = 0;
    int prev = -1;
    int span = 0;
    // Find the opcode that covers the register.
    while (p < end) {
      int oplen = 1;
      if (isZero(b, p)) {
        span = zeroLen(b, p);
      } else if (isVal(b, p)) {
        span = valLen(b, p);
      } else {
        if (p + 1 >= end) {
          throw new Corrupted();
        }
        span = xzeroLen(b, p);
        oplen = 2;
      }
      if (index <= first + span - 1) {
        break;
      }
      prev = p;
      p += oplen;
      first += span;
    }
    if (span == 0 || p >= end) {
      throw new Corrupted();
    }
    int next = isXzero(b, p) ? p + 2 : p + 1;
    if (next >= end) {
      next = -1;
    }
    boolean zero = false;
    boolean xzero = false;
    boolean val = false;
    int runlen;
    if (isZero(b, p)) {
      zero = true;
      runlen = zeroLen(b, p);
    } else if (isXzero(b, p)) {
      xzero = true;
      runlen = xzeroLen(b, p);
    } else {
      val = true;
      runlen = valLen(b, p);
    }
    if (val) {
      if (valValue(b, p) >= count) {
        return false;
      }
      if (runlen == 1) {
        setVal(b, p, count, 1);
        merge(hll, prev);
        return true;
      }
    }
    if (zero && runlen == 1) {
      setVal(b, p, count, 1);
      merge(hll, prev);
      return true;
    }
    // Split the run into up to three opcodes (at most five bytes).
    byte[] seq = new byte[5];
    int n = 0;
    int last = first + span - 1;
    if (zero || xzero) {
      if (index != first) {
        n = putZeros(seq, n, index - first);
      }
      setVal(seq, n, count, 1);
      n++;
      if (index != last) {
        n = putZeros(seq, n, last - index);
      }
    } else {
      int curval = valValue(b, p);
      if (index != first) {
        setVal(seq, n, curval, index - first);
        n++;
      }
      setVal(seq, n, count, 1);
      n++;
      if (index != last) {
        setVal(seq, n, curval, last - index);
        n++;
      }
    }
    int oldlen = xzero ? 2 : 1;
    int delta = n - oldlen;
    if (delta > 0 && (long) b.length + delta > sparseMaxBytes) {
      return promote(hll, index, count);
    }
    byte[] grown = b;
    if (delta != 0) {
      grown = new byte[b.length + delta];
      System.arraycopy(b, 0, grown, 0, p);
      int afterOld = p + oldlen;
      System.arraycopy(b, afterOld, grown, p + n, b.length - afterOld);
    }
    System.arraycopy(seq, 0, grown, p, n);
    hll[0] = grown;
    merge(hll, prev);
    return true;
  }

  /** Writes a run of {@code len} zero registers at {@code n} (ZERO up to 64, else XZERO). */
  private static int putZeros(byte[] seq, int n, int len) {
    if (len > SPARSE_ZERO_MAX_LEN) {
      setXzero(seq, n, len);
      return n + 2;
    }
    setZero(seq, n, len);
    return n + 1;
  }

  /**
   * Merges adjacent VAL opcodes of the same value, scanning up to five opcodes from {@code prev}
   * (or the start), as Redis does after every change, and marks the count stale.
   */
  private static void merge(byte[][] hll, int prev) {
    byte[] b = hll[0];
    int end = b.length;
    int p = prev >= 0 ? prev : HEADER;
    int scan = 5;
    while (p < end && scan-- > 0) {
      if (isXzero(b, p)) {
        p += 2;
        continue;
      } else if (isZero(b, p)) {
        p++;
        continue;
      }
      if (p + 1 < end && isVal(b, p + 1)) {
        int v1 = valValue(b, p);
        int v2 = valValue(b, p + 1);
        if (v1 == v2) {
          int len = valLen(b, p) + valLen(b, p + 1);
          if (len <= SPARSE_VAL_MAX_LEN) {
            setVal(b, p + 1, v1, len);
            byte[] shrunk = new byte[end - 1];
            System.arraycopy(b, 0, shrunk, 0, p);
            System.arraycopy(b, p + 1, shrunk, p, end - p - 1);
            b = shrunk;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    invalidateCache(b);
    hll[0] = b;
  }

  private static boolean promote(byte[][] hll, int index, int count) {
    byte[] dense = toDense(hll[0]);
    if (count > denseGet(dense, index)) {
      denseSet(dense, index, count);
    }
    invalidateCache(dense);
    hll[0] = dense;
    return true;
  }

  /**
   * Told each run of a sparse HLL: {@code length} registers from {@code first} hold {@code value}.
   */
  private interface Runs {
    void run(int first, int length, int value);
  }

  /**
   * Walks the runs of a sparse HLL and throws Corrupted unless they cover the registers exactly,
   * stopping at the first run that would pass the last register (Redis as this project's
   * differential tests run it refuses such a value in every command, the merges included).
   */
  private static void walk(byte[] b, Runs runs) {
    int idx = 0;
    int p = HEADER;
    int end = b.length;
    while (p < end) {
      int len;
      int value;
      if (isZero(b, p)) {
        len = zeroLen(b, p);
        value = 0;
        p++;
      } else if (isXzero(b, p)) {
        len = xzeroLen(b, p);
        value = 0;
        p += 2;
      } else {
        len = valLen(b, p);
        value = valValue(b, p);
        p++;
      }
      if (idx + len > REGISTERS) {
        throw new Corrupted();
      }
      runs.run(idx, len, value);
      idx += len;
    }
    if (idx != REGISTERS) {
      throw new Corrupted();
    }
  }

  /** The dense form of a sparse HLL (its header kept but for the encoding). */
  static byte[] toDense(byte[] b) {
    if (encoding(b) == DENSE) {
      return b;
    }
    byte[] dense = new byte[DENSE_SIZE];
    System.arraycopy(b, 0, dense, 0, HEADER);
    dense[4] = DENSE;
    walk(
        b,
        (first, length, value) -> {
          if (value != 0) {
            for (int i = first; i < first + length; i++) {
              denseSet(dense, i, value);
            }
          }
        });
    return dense;
  }

  // ---------------------------------------------------------------------------------------------
  // Counting and merging

  /** The registers' histogram; for a sparse HLL whose runs do not add up, throws Corrupted. */
  static int[] histogram(byte[] b) {
    int[] h = new int[64];
    if (encoding(b) == DENSE) {
      for (int i = 0; i < REGISTERS; i++) {
        h[denseGet(b, i)]++;
      }
      return h;
    }
    walk(b, (first, length, value) -> h[value] += length);
    return h;
  }

  /** The histogram of raw registers, one byte each (a merge of several HLLs). */
  static int[] histogramOfRaw(byte[] registers) {
    int[] h = new int[64];
    for (byte r : registers) {
      h[r]++;
    }
    return h;
  }

  /** Ertl's estimator over a register histogram (hllCount). */
  static long count(int[] histogram) {
    double m = REGISTERS;
    double z = m * tau((m - histogram[Q + 1]) / m);
    for (int j = Q; j >= 1; --j) {
      z += histogram[j];
      z *= 0.5;
    }
    z += m * sigma(histogram[0] / m);
    double e = ALPHA_INF * m * m / z;
    // Past what a long holds (all registers at their maximum makes z 0): what llroundl gives on
    // x86-64, Redis's usual platform.
    if (!(e < 0x1p63)) {
      return Long.MIN_VALUE;
    }
    return Math.round(e);
  }

  private static double sigma(double x) {
    if (x == 1.0) {
      return Double.POSITIVE_INFINITY;
    }
    double zPrime;
    double y = 1;
    double z = x;
    do {
      x *= x;
      zPrime = z;
      z += x * y;
      y += y;
    } while (zPrime != z);
    return z;
  }

  private static double tau(double x) {
    if (x == 0.0 || x == 1.0) {
      return 0.0;
    }
    double zPrime;
    double y = 1.0;
    double z = 1 - x;
    do {
      x = Math.sqrt(x);
      zPrime = z;
      y *= 0.5;
      z -= Math.pow(1 - x, 2) * y;
    } while (zPrime != z);
    return z / 3;
  }

  /** Raises {@code max}'s registers (one byte each) to {@code b}'s (hllMerge). */
  static void mergeInto(byte[] max, byte[] b) {
    if (encoding(b) == DENSE) {
      for (int i = 0; i < REGISTERS; i++) {
        int v = denseGet(b, i);
        if (v > max[i]) {
          max[i] = (byte) v;
        }
      }
      return;
    }
    walk(
        b,
        (first, length, value) -> {
          if (value != 0) {
            for (int i = first; i < first + length; i++) {
              if (value > max[i]) {
                max[i] = (byte) value;
              }
            }
          }
        });
  }

  /** PFDEBUG DECODE's text of a sparse HLL. */
  static String decode(byte[] b) {
    StringBuilder s = new StringBuilder();
    int p = HEADER;
    while (p < b.length) {
      if (isZero(b, p)) {
        s.append("z:").append(zeroLen(b, p)).append(' ');
        p++;
      } else if (isXzero(b, p)) {
        s.append("Z:").append(xzeroLen(b, p)).append(' ');
        p += 2;
      } else {
        s.append("v:").append(valValue(b, p)).append(',').append(valLen(b, p)).append(' ');
        p++;
      }
    }
    return s.toString().trim();
  }

  static byte[] copy(byte[] b) {
    return Arrays.copyOf(b, b.length);
  }
}
