package io.toridb.core.zset;

import io.toridb.core.command.CommandException;
import java.util.Arrays;

/**
 * A member interval of ZRANGEBYLEX, ZLEXCOUNT, ZREMRANGEBYLEX and ZRANGE BYLEX: each end is {@code
 * [member} (inclusive), {@code (member} (exclusive), {@code -} (below every member) or {@code +}
 * (above every member), as Redis's zslParseLexRange reads them. Members compare as unsigned bytes.
 */
final class LexRange {
  static final String INVALID = "ERR min or max not valid string range item";

  /** Marks of the infinite ends; compared by identity. */
  private static final byte[] MIN_STRING = new byte[0];

  private static final byte[] MAX_STRING = new byte[0];

  private final byte[] min;
  private final boolean minExclusive;
  private final byte[] max;
  private final boolean maxExclusive;

  private LexRange(byte[] min, boolean minEx, byte[] max, boolean maxEx) {
    this.min = min;
    this.minExclusive = minEx;
    this.max = max;
    this.maxExclusive = maxEx;
  }

  static LexRange parse(byte[] min, byte[] max) {
    byte[] lo = item(min);
    byte[] hi = item(max);
    return new LexRange(lo, isExclusive(min), hi, isExclusive(max));
  }

  private static byte[] item(byte[] arg) {
    if (arg.length == 0) {
      throw new CommandException(INVALID);
    }
    switch (arg[0]) {
      case '+':
        if (arg.length > 1 && arg[1] != 0) { // C compares up to the NUL.
          throw new CommandException(INVALID);
        }
        return MAX_STRING;
      case '-':
        if (arg.length > 1 && arg[1] != 0) {
          throw new CommandException(INVALID);
        }
        return MIN_STRING;
      case '(':
      case '[':
        return Arrays.copyOfRange(arg, 1, arg.length);
      default:
        throw new CommandException(INVALID);
    }
  }

  /** "+" and "-" count as exclusive, as in Redis (it changes nothing for them). */
  private static boolean isExclusive(byte[] arg) {
    return arg[0] != '[';
  }

  /** Redis's sdscmplex: the infinite ends below and above everything, else unsigned bytes. */
  private static int compare(byte[] a, byte[] b) {
    if (a == b) {
      return 0;
    }
    if (a == MIN_STRING || b == MAX_STRING) {
      return -1;
    }
    if (a == MAX_STRING || b == MIN_STRING) {
      return 1;
    }
    return Arrays.compareUnsigned(a, b);
  }

  /** zslLexValueGteMin. */
  boolean aboveMin(byte[] member) {
    int c = compare(member, min);
    return minExclusive ? c > 0 : c >= 0;
  }

  /** zslLexValueLteMax. */
  boolean belowMax(byte[] member) {
    int c = compare(member, max);
    return maxExclusive ? c < 0 : c <= 0;
  }

  /** True for ranges that can hold nothing whatever the set holds. */
  boolean isEmpty() {
    int c = compare(min, max);
    return c > 0 || (c == 0 && (minExclusive || maxExclusive));
  }
}
