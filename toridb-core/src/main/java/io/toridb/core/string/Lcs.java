package io.toridb.core.string;

import java.util.Arrays;

/**
 * The longest common subsequence of two byte strings, computed and walked back exactly as Redis's
 * LCS command does, so that the subsequence and the reported match ranges are the same.
 *
 * <p>Implementation notes: the classic dynamic-programming table, {@code (alen+1) x (blen+1)},
 * row-major. Cells are stored as 16-bit chars modulo 2^16, which halves the memory of 32-bit cells
 * and loses nothing: the two neighbours compared while filling and walking back, cells (i-1, j) and
 * (i, j-1), always differ by at most one, so comparing their difference as a signed short gives the
 * true order. The true length is counted while walking back. The length alone needs only two rows.
 */
final class Lcs {
  private Lcs() {}

  /** Bytes Redis would allocate for the table (32-bit cells), which it bounds. */
  static long tableBytes(int alen, int blen) {
    return (alen + 1L) * (blen + 1L) * 4L;
  }

  /** Number of table cells, for deciding whether the table can be allocated at all. */
  static long tableCells(int alen, int blen) {
    return (alen + 1L) * (blen + 1L);
  }

  /** The length of the longest common subsequence, in O(blen) memory. */
  static int length(byte[] a, int alen, byte[] b, int blen) {
    int[] prev = new int[blen + 1];
    int[] cur = new int[blen + 1];
    for (int i = 1; i <= alen; i++) {
      byte ai = a[i - 1];
      for (int j = 1; j <= blen; j++) {
        if (ai == b[j - 1]) {
          cur[j] = prev[j - 1] + 1;
        } else {
          cur[j] = Math.max(prev[j], cur[j - 1]);
        }
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[blen];
  }

  /** What the walk back found: the subsequence and the matching ranges, last ones first. */
  static final class Result {
    /** The common subsequence. */
    final byte[] lcs;

    /** Per reported range: aStart, aEnd, bStart, bEnd, length. */
    final int[] ranges;

    final int rangeCount;

    Result(byte[] lcs, int[] ranges, int rangeCount) {
      this.lcs = lcs;
      this.ranges = ranges;
      this.rangeCount = rangeCount;
    }
  }

  /**
   * Computes the subsequence and, when {@code withRanges}, the contiguous matching ranges of at
   * least {@code minMatchLen} bytes (0 = all).
   *
   * @throws OutOfMemoryError when the table cannot be allocated
   */
  static Result compute(
      byte[] a, int alen, byte[] b, int blen, boolean withRanges, long minMatchLen) {
    int width = blen + 1;
    char[] t = new char[(int) tableCells(alen, blen)];
    for (int i = 1; i <= alen; i++) {
      byte ai = a[i - 1];
      int row = i * width;
      int up = row - width;
      for (int j = 1; j <= blen; j++) {
        if (ai == b[j - 1]) {
          t[row + j] = (char) (t[up + j - 1] + 1);
        } else {
          char fromUp = t[up + j];
          char fromLeft = t[row + j - 1];
          t[row + j] = (short) (fromUp - fromLeft) > 0 ? fromUp : fromLeft;
        }
      }
    }

    // Walk back from the end, collecting bytes from the end of `out`.
    byte[] out = new byte[Math.min(alen, blen)];
    int found = 0;
    int[] ranges = new int[withRanges ? 20 : 0];
    int rangeCount = 0;
    int aStart = -1; // -1: no range in progress
    int aEnd = 0;
    int bStart = 0;
    int bEnd = 0;
    int i = alen;
    int j = blen;
    while (i > 0 && j > 0) {
      boolean emit = false;
      if (a[i - 1] == b[j - 1]) {
        out[out.length - 1 - found++] = a[i - 1];
        if (aStart < 0) {
          aStart = aEnd = i - 1;
          bStart = bEnd = j - 1;
        } else if (aStart == i && bStart == j) {
          aStart--;
          bStart--;
        } else {
          emit = true;
        }
        // A range that reached the start of either string is complete.
        if (aStart == 0 || bStart == 0) {
          emit = true;
        }
        i--;
        j--;
      } else {
        char fromUp = t[(i - 1) * width + j];
        char fromLeft = t[i * width + j - 1];
        if ((short) (fromUp - fromLeft) > 0) {
          i--;
        } else {
          j--;
        }
        if (aStart >= 0) {
          emit = true;
        }
      }
      if (emit) {
        int matchLen = aEnd - aStart + 1;
        if (withRanges && (minMatchLen == 0 || matchLen >= minMatchLen)) {
          if (ranges.length < (rangeCount + 1) * 5) {
            ranges = Arrays.copyOf(ranges, ranges.length * 2);
          }
          int k = rangeCount * 5;
          ranges[k] = aStart;
          ranges[k + 1] = aEnd;
          ranges[k + 2] = bStart;
          ranges[k + 3] = bEnd;
          ranges[k + 4] = matchLen;
          rangeCount++;
        }
        aStart = -1;
      }
    }
    byte[] lcs =
        found == out.length ? out : Arrays.copyOfRange(out, out.length - found, out.length);
    return new Result(lcs, ranges, rangeCount);
  }
}
