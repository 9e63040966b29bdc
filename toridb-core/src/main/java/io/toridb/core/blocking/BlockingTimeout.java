package io.toridb.core.blocking;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandException;
import java.math.BigDecimal;

/** The timeout argument of the blocking commands, read as Redis's getTimeoutFromObjectOrReply. */
public final class BlockingTimeout {
  private BlockingTimeout() {}

  static final String NOT_FLOAT = "ERR timeout is not a float or out of range";
  static final String NEGATIVE = "ERR timeout is negative";
  static final String OUT_OF_RANGE = "ERR timeout is out of range";
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

  /**
   * The absolute deadline in Unix milliseconds for a timeout of {@code arg} seconds (a float),
   * counted from {@code now}; 0 means wait forever.
   */
  public static long deadline(byte[] arg, long now) {
    double seconds = Args.parseDouble(arg, NOT_FLOAT);
    // Redis multiplies in long double, exact where a double is not: work in decimal. C's
    // conversion of an out-of-range value gives LLONG_MIN on x86, which Redis then calls negative.
    long millis = Long.MIN_VALUE;
    if (!Double.isInfinite(seconds)) {
      BigDecimal scaled;
      try {
        scaled = new BigDecimal(Args.latin1(arg)).multiply(THOUSAND);
      } catch (NumberFormatException e) {
        throw new CommandException(NOT_FLOAT);
      }
      if (scaled.compareTo(LONG_MAX) <= 0 && scaled.compareTo(LONG_MIN) >= 0) {
        millis = scaled.longValue();
      }
    }
    return absolute(millis, now);
  }

  /** The deadline {@code millis} after {@code now}; 0 (forever) for 0; errors as Redis's. */
  private static long absolute(long millis, long now) {
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

  static final String NOT_INTEGER = "ERR timeout is not an integer or out of range";

  /**
   * The absolute deadline for a timeout of {@code arg} milliseconds (an integer, XREAD's BLOCK),
   * counted from {@code now}; 0 means wait forever.
   */
  public static long deadlineMillis(byte[] arg, long now) {
    long millis = Args.parseLong(arg, NOT_INTEGER);
    return absolute(millis, now);
  }
}
