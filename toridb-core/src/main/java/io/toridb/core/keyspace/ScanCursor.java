package io.toridb.core.keyspace;

import io.toridb.core.command.CommandException;

/**
 * The cursor argument of SCAN, HSCAN, SSCAN and ZSCAN: an unsigned 64-bit number, parsed the way
 * Redis parses it with strtoul. See {@link ScanSnapshot} for what the number means.
 */
public final class ScanCursor {
  public static final String INVALID = "ERR invalid cursor";

  private ScanCursor() {}

  /**
   * Parses a cursor with strtoul's rules as Redis applies them: no leading white space, an optional
   * sign ("-1" wraps to 2^64-1), decimal digits, nothing after them; a value above 2^64-1 is
   * invalid. The empty string is cursor 0, and a NUL byte ends the number, as it ends a C string.
   *
   * @return the cursor's 64 bits
   * @throws CommandException "ERR invalid cursor"
   */
  public static long parse(byte[] arg) {
    int n = arg.length;
    for (int i = 0; i < n; i++) {
      if (arg[i] == 0) {
        n = i;
        break;
      }
    }
    if (n == 0) {
      return 0;
    }
    if (isSpace(arg[0])) {
      throw new CommandException(INVALID);
    }
    int i = 0;
    boolean negative = false;
    if (arg[0] == '+' || arg[0] == '-') {
      negative = arg[0] == '-';
      i = 1;
    }
    if (i == n) {
      throw new CommandException(INVALID); // A sign alone: no digits were read.
    }
    long value = 0;
    for (; i < n; i++) {
      int d = arg[i] - '0';
      if (d < 0 || d > 9) {
        throw new CommandException(INVALID);
      }
      // value * 10 + d must stay within 2^64 - 1.
      if (Long.compareUnsigned(value, Long.divideUnsigned(-1L, 10)) > 0) {
        throw new CommandException(INVALID);
      }
      long next = value * 10 + d;
      if (Long.compareUnsigned(next, value * 10) < 0) {
        throw new CommandException(INVALID);
      }
      value = next;
    }
    return negative ? -value : value;
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
  }
}
