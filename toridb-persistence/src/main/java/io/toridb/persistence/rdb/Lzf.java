package io.toridb.persistence.rdb;

import java.util.Arrays;

/**
 * The LZF compression format Redis uses for long strings in DUMP payloads and RDB files.
 *
 * <p>A compressed block is a sequence of instructions, each starting with a control byte {@code c}:
 *
 * <ul>
 *   <li>{@code c < 32}: a literal run, the next {@code c + 1} bytes are copied to the output;
 *   <li>otherwise a back reference: {@code len = c >> 5}, and when {@code len == 7} one more byte
 *       is added to it; then one byte {@code low}; the output repeats {@code len + 2} bytes that
 *       start {@code ((c & 0x1f) << 8) + low + 1} bytes back from the current end (the copy may
 *       overlap what it produces).
 * </ul>
 *
 * Decompression checks every instruction against both buffers, so a corrupt block is refused rather
 * than read or written out of bounds. Compression is a greedy single pass over a hash of three-byte
 * prefixes; its output need not equal Redis's, only decode to the same bytes.
 */
public final class Lzf {
  private static final int MAX_LITERAL = 32;
  private static final int MAX_OFFSET = 1 << 13;
  private static final int MAX_MATCH = 7 + 255 + 2;
  private static final int HASH_BITS = 14;

  private Lzf() {}

  /**
   * Decompresses {@code len} bytes of {@code in} from {@code off} into exactly {@code outLength}
   * bytes.
   *
   * @throws RdbFormatException when the block is malformed or does not produce exactly {@code
   *     outLength} bytes
   */
  public static byte[] decompress(byte[] in, int off, int len, int outLength) {
    // The output only grows as instructions really produce bytes, so a huge claimed length costs
    // nothing until the input backs it up (every input byte yields at most 88 output bytes).
    byte[] out = new byte[(int) Math.min(outLength, 64L + 96L * len)];
    int ip = off;
    int end = off + len;
    int op = 0;
    while (ip < end) {
      int ctrl = in[ip++] & 0xFF;
      if (ctrl < MAX_LITERAL) {
        int run = ctrl + 1;
        if (run > outLength - op) {
          throw new RdbFormatException("LZF literal run past the output length");
        }
        if (run > end - ip) {
          throw new RdbFormatException("LZF literal run past the input");
        }
        out = ensure(out, op + run, outLength);
        System.arraycopy(in, ip, out, op, run);
        ip += run;
        op += run;
      } else {
        int ref = (ctrl >> 5);
        if (ip >= end) {
          throw new RdbFormatException("LZF back reference past the input");
        }
        if (ref == 7) {
          ref += in[ip++] & 0xFF;
          if (ip >= end) {
            throw new RdbFormatException("LZF back reference past the input");
          }
        }
        int back = ((ctrl & 0x1F) << 8) + (in[ip++] & 0xFF) + 1;
        int copy = ref + 2;
        if (copy > outLength - op) {
          throw new RdbFormatException("LZF back reference past the output length");
        }
        if (back > op) {
          throw new RdbFormatException("LZF back reference before the output");
        }
        out = ensure(out, op + copy, outLength);
        int from = op - back;
        for (int k = 0; k < copy; k++) {
          out[op++] = out[from + k];
        }
      }
    }
    if (op != outLength) {
      throw new RdbFormatException("LZF output length mismatch");
    }
    return out.length == op ? out : Arrays.copyOf(out, op);
  }

  private static byte[] ensure(byte[] out, int needed, int max) {
    if (needed <= out.length) {
      return out;
    }
    long grown = Math.max(needed, Math.min((long) out.length * 2, max));
    return Arrays.copyOf(out, (int) grown);
  }

  /**
   * Compresses {@code len} bytes of {@code in} from {@code off}, or returns null when the result
   * would not be at least 4 bytes shorter (Redis then stores the string as it is).
   */
  public static byte[] compress(byte[] in, int off, int len) {
    int limit = len - 4;
    if (limit <= 0) {
      return null;
    }
    byte[] out = new byte[limit];
    // The hash table is reused by the thread; entries of earlier calls are recognized by their
    // stamp instead of being cleared (a snapshot compresses millions of short strings).
    Scratch scratch = SCRATCH.get();
    if (scratch.stamp > Integer.MAX_VALUE - len - 2) {
      Arrays.fill(scratch.table, 0);
      scratch.stamp = 0;
    }
    int[] table = scratch.table;
    int valid = scratch.stamp;
    int base = valid + 1 - off;
    scratch.stamp = valid + len + 1;
    int op = 0;
    int litStart = off;
    int ip = off;
    int end = off + len;
    while (ip + 2 < end) {
      int h = hash(in, ip);
      int stored = table[h];
      int ref = stored > valid ? stored - base : -1;
      table[h] = base + ip;
      if (ref >= 0
          && ip - ref <= MAX_OFFSET
          && in[ref] == in[ip]
          && in[ref + 1] == in[ip + 1]
          && in[ref + 2] == in[ip + 2]) {
        int max = Math.min(MAX_MATCH, end - ip);
        int m = 3;
        while (m < max && in[ref + m] == in[ip + m]) {
          m++;
        }
        op = literals(in, litStart, ip - litStart, out, op);
        if (op < 0 || op + 3 > limit) {
          return null;
        }
        int distance = ip - ref - 1;
        int code = m - 2;
        if (code < 7) {
          out[op++] = (byte) ((code << 5) | (distance >> 8));
        } else {
          out[op++] = (byte) ((7 << 5) | (distance >> 8));
          out[op++] = (byte) (code - 7);
        }
        out[op++] = (byte) distance;
        for (int k = ip + 1; k < ip + m && k + 2 < end; k++) {
          table[hash(in, k)] = base + k;
        }
        ip += m;
        litStart = ip;
      } else {
        ip++;
      }
    }
    op = literals(in, litStart, end - litStart, out, op);
    if (op < 0) {
      return null;
    }
    return Arrays.copyOf(out, op);
  }

  /** Writes literal runs for {@code n} bytes; returns the new position, or -1 when out of room. */
  private static int literals(byte[] in, int from, int n, byte[] out, int op) {
    while (n > 0) {
      int run = Math.min(n, MAX_LITERAL);
      if (op + 1 + run > out.length) {
        return -1;
      }
      out[op++] = (byte) (run - 1);
      System.arraycopy(in, from, out, op, run);
      op += run;
      from += run;
      n -= run;
    }
    return op;
  }

  /** A thread's hash table and the stamp below which its entries belong to earlier calls. */
  private static final class Scratch {
    final int[] table = new int[1 << HASH_BITS];
    int stamp;
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static int hash(byte[] b, int i) {
    int v = ((b[i] & 0xFF) << 16) | ((b[i + 1] & 0xFF) << 8) | (b[i + 2] & 0xFF);
    return (v * 0x9E3779B1) >>> (32 - HASH_BITS);
  }
}
