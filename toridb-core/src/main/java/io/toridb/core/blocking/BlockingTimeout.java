package io.toridb.core.blocking;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandException;

/** The timeout argument of the blocking commands, read as Redis's getTimeoutFromObjectOrReply. */
public final class BlockingTimeout {
  private BlockingTimeout() {}

  static final String NOT_FLOAT = "ERR timeout is not a float or out of range";
  static final String NEGATIVE = "ERR timeout is negative";
  static final String OUT_OF_RANGE = "ERR timeout is out of range";

  /**
   * The absolute deadline in Unix milliseconds for a timeout of {@code arg} seconds (a float),
   * counted from {@code now}; 0 means wait forever.
   */
  public static long deadline(byte[] arg, long now) {
    double seconds = Args.parseDouble(arg, NOT_FLOAT);
    double scaled = seconds * 1000.0;
    // C's conversion of an out-of-range double gives LLONG_MIN on x86, which Redis then calls
    // negative; Java would saturate, so treat those as Redis does.
    long millis = scaled >= 0x1p63 || scaled < -0x1p63 ? Long.MIN_VALUE : (long) scaled;
    if (millis < 0) {
      throw new CommandException(NEGATIVE);
    }
    if (millis == 0) {
      return 0;
    }
    if (millis > Long.MAX_VALUE - now) {
      throw new CommandException(OUT_OF_RANGE);
    }
    return now + millis;
  }
}
