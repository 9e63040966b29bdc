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

  /**
   * The text Redis 7.2 and later reply with for {@code d} (its d2string): an integral value within
   * the range of a long as an integer, anything else with the fewest digits that read back as the
   * same double, written as a plain decimal when its exponent is small and as {@code 1.5e-7}-style
   * scientific notation otherwise. Used by commands that only exist from Redis 8 on.
   */
  public static String shortest(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
    }
    double half = (double) (Long.MAX_VALUE / 2);
    if (d == Math.rint(d) && d >= -half && d <= half) {
      return Long.toString((long) d);
    }
    boolean negative = d < 0;
    BigDecimal b = shortestDigits(Math.abs(d));
    String digits = b.unscaledValue().toString();
    int k = -b.scale();
    String body = layout(digits, k, negative);
    return negative ? "-" + body : body;
  }

  /**
   * The fewest significant digits that read back as {@code d} (positive, finite). Java 17's
   * Double.toString always reads back but sometimes carries a digit or more too many (1e23 comes
   * out as 9.999999999999999E22), so its digits are rounded to one fewer while that still reads
   * back: a shorter correctly rounded decimal never reads back when a longer one does not.
   */
  private static BigDecimal shortestDigits(double d) {
    BigDecimal best = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    BigDecimal exact = new BigDecimal(d);
    for (int p = best.precision() - 1; p >= 1; p--) {
      BigDecimal shorter =
          exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
      if (shorter.doubleValue() != d) {
        break;
      }
      best = shorter.stripTrailingZeros();
    }
    return best;
  }

  /**
   * The digits with the decimal exponent {@code k} of the last one, as fpconv_dtoa lays them out.
   */
  private static String layout(String digits, int k, boolean negative) {
    int n = digits.length();
    int exp = Math.abs(k + n - 1);
    StringBuilder sb = new StringBuilder(n + 8);
    if (k >= 0 && exp < n + 7) {
      return sb.append(digits).append("0".repeat(k)).toString();
    }
    if (k < 0 && (k > -7 || exp < 4)) {
      int offset = n + k;
      if (offset <= 0) {
        return sb.append("0.").append("0".repeat(-offset)).append(digits).toString();
      }
      return sb.append(digits, 0, offset).append('.').append(digits, offset, n).toString();
    }
    int shown = Math.min(n, 18 - (negative ? 1 : 0));
    sb.append(digits.charAt(0));
    if (shown > 1) {
      sb.append('.').append(digits, 1, shown);
    }
    sb.append('e').append(k + shown - 1 < 0 ? '-' : '+').append(exp);
    return sb.toString();
  }
}
