package io.toridb.core.scripting;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;

/**
 * Numbers as C's {@code %g} writes them: a Lua number as an argument of redis.call ({@code %.17g},
 * as Redis formats it), and as Lua 5.1's {@code tostring} writes it ({@code %.14g}).
 */
final class NumberText {
  private NumberText() {}

  static byte[] g17(double d) {
    return format(d).getBytes(StandardCharsets.US_ASCII);
  }

  static String format(double d) {
    return format(d, 17);
  }

  /** C's {@code %.<precision>g} of {@code d}. */
  static String format(double d, int precision) {
    if (Double.isNaN(d)) {
      return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    if (d == Math.rint(d) && Math.abs(d) < Math.pow(10, precision)) {
      return Long.toString((long) d);
    }
    BigDecimal rounded = new BigDecimal(d).round(new MathContext(precision));
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent < -4 || exponent >= precision) {
      String digits = rounded.unscaledValue().abs().toString();
      digits = stripZeros(digits.substring(0, 1) + "." + digits.substring(1));
      String sign = rounded.signum() < 0 ? "-" : "";
      String exp = String.format("%s%02d", exponent < 0 ? "-" : "+", Math.abs(exponent));
      return sign + digits + "e" + exp;
    }
    return stripZeros(rounded.toPlainString());
  }

  private static String stripZeros(String s) {
    if (s.indexOf('.') < 0) {
      return s;
    }
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    return s.substring(0, end);
  }
}
