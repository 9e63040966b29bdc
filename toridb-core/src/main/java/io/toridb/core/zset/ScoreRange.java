package io.toridb.core.zset;

import io.toridb.core.command.CommandException;

/**
 * A score interval of ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE and ZRANGE BYSCORE: {@code min} and
 * {@code max}, each inclusive unless written with a leading {@code (}. Parsed as Redis's
 * zslParseRange does, with a bare {@code strtod}: leading white space, hexadecimal and out-of-range
 * values are accepted, the empty string reads as 0, NaN is refused.
 */
record ScoreRange(double min, boolean minExclusive, double max, boolean maxExclusive) {
  static final String NOT_FLOAT = "ERR min or max is not a float";

  static ScoreRange parse(byte[] min, byte[] max) {
    Strtod p = new Strtod();
    boolean minEx = min.length > 0 && min[0] == '(';
    double lo = bound(p, min, minEx);
    boolean maxEx = max.length > 0 && max[0] == '(';
    double hi = bound(p, max, maxEx);
    return new ScoreRange(lo, minEx, hi, maxEx);
  }

  private static double bound(Strtod p, byte[] arg, boolean exclusive) {
    int from = exclusive ? 1 : 0;
    double v = p.parse(arg, from);
    // The number must run to the end of the C string, which a NUL byte also ends.
    int end = p.end();
    if ((end < arg.length && arg[end] != 0) || Double.isNaN(v)) {
      throw new CommandException(NOT_FLOAT);
    }
    return v;
  }

  /** Whether {@code score} is at or above the lower end (zslValueGteMin). */
  boolean aboveMin(double score) {
    return minExclusive ? score > min : score >= min;
  }

  /** Whether {@code score} is at or below the upper end (zslValueLteMax). */
  boolean belowMax(double score) {
    return maxExclusive ? score < max : score <= max;
  }

  /** True for ranges that can hold nothing whatever the set holds. */
  boolean isEmpty() {
    return min > max || (min == max && (minExclusive || maxExclusive));
  }
}
