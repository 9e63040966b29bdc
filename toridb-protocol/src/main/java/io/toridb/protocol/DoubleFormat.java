package io.toridb.protocol;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats doubles the way Redis 7.0 replies with them: glibc's {@code "%.17g"} (17 significant
 * digits, trailing zeros removed, exponent form when the rounded exponent is below -4 or at least
 * 17), with {@code inf}, {@code -inf}, {@code nan} and {@code -nan} (a NaN with its sign bit set)
 * spelled as Redis prints them. Java's own {@code Double.toString} and {@code %g} differ.
 *
 * <p>Implementation notes: the exact decimal value of the double ({@code new BigDecimal(d)}) is
 * rounded half-even to 17 digits, which is what glibc does in the default rounding mode; integers
 * below 1e17 are exact in a long and take a fast path.
 */
public final class DoubleFormat {
  private static final MathContext SEVENTEEN = new MathContext(17, RoundingMode.HALF_EVEN);
  private static final double EXACT_LONG_LIMIT = 1e17;

  private DoubleFormat() {}

  /** The text Redis 7.0 replies with for {@code d}, as a RESP3 double or a RESP2 bulk string. */
  public static String format(double d) {
    if (Double.isNaN(d)) {
      return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
    }
    if (d == Math.rint(d) && Math.abs(d) < EXACT_LONG_LIMIT) {
      return Long.toString((long) d);
    }
    BigDecimal rounded = new BigDecimal(d).round(SEVENTEEN);
    // Decimal exponent of the leading digit, as %g computes it after rounding.
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent < -4 || exponent >= 17) {
      BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
      String m = mantissa.toPlainString();
      StringBuilder sb = new StringBuilder(m.length() + 5).append(m).append('e');
      sb.append(exponent < 0 ? '-' : '+');
      int abs = Math.abs(exponent);
      if (abs < 10) {
        sb.append('0');
      }
      return sb.append(abs).toString();
    }
    return rounded.stripTrailingZeros().toPlainString();
  }
}
