package io.toridb.protocol;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats doubles the way Redis 7.0 replies with them: C's {@code "%.17g"} (17 significant digits,
 * trailing zeros removed, exponent form outside [1e-5, 1e17)), with {@code inf}, {@code -inf} and
 * {@code nan} spelled as Redis does. Java's own {@code Double.toString} and {@code %g} differ.
 */
public final class DoubleFormat {
  private static final MathContext SEVENTEEN = new MathContext(17, RoundingMode.HALF_EVEN);
  private static final double EXACT_LONG_LIMIT = 1e17;

  private DoubleFormat() {}

  public static String format(double d) {
    if (Double.isNaN(d)) {
      return "nan";
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
