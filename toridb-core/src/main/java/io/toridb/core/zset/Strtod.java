package io.toridb.core.zset;

import io.toridb.core.command.Args;

/**
 * C's {@code strtod} as glibc implements it, for the two ways Redis reads sorted set numbers:
 * scores, weights and increments through {@code string2d} (the whole argument must be a number, no
 * leading space, no overflow or underflow to zero, no NaN) and range bounds through a bare {@code
 * strtod} (which accepts leading white space and overflow, and stops at a NUL byte as C strings
 * do).
 *
 * <p>Accepted forms, after optional white space and sign: decimal digits with an optional point and
 * exponent, hexadecimal {@code 0x} digits with an optional point and binary {@code p} exponent,
 * {@code inf}, {@code infinity} and {@code nan} (with an optional {@code (chars)}), letters in any
 * case. Decimal text is converted with correct rounding, as glibc does.
 *
 * <p>One instance per call site; {@link #end()} and {@link #rangeError()} describe the last parse.
 */
public final class Strtod {
  private int end;
  private boolean rangeError;

  /** Where the last parse stopped: the index after the number, or {@code from} if none was read. */
  public int end() {
    return end;
  }

  /** Whether the last parse set {@code ERANGE}: overflow to infinity or underflow to zero. */
  public boolean rangeError() {
    return rangeError;
  }

  /**
   * Parses from {@code b[from]} up to the first NUL byte or the end of {@code b}; returns 0 with
   * {@link #end()} at {@code from} when no number is there.
   */
  public double parse(byte[] b, int from) {
    rangeError = false;
    end = from;
    int n = b.length;
    for (int k = from; k < n; k++) {
      if (b[k] == 0) {
        n = k;
        break;
      }
    }
    int i = from;
    while (i < n && isSpace(b[i])) {
      i++;
    }
    boolean negative = false;
    if (i < n && (b[i] == '+' || b[i] == '-')) {
      negative = b[i] == '-';
      i++;
    }
    double v;
    if (matchesWord(b, i, n, "INF")) {
      v = Double.POSITIVE_INFINITY;
      end = matchesWord(b, i, n, "INFINITY") ? i + 8 : i + 3;
    } else if (matchesWord(b, i, n, "NAN")) {
      v = Double.NaN;
      end = i + 3;
      if (end < n && b[end] == '(') {
        int k = end + 1;
        while (k < n && (isAlnum(b[k]) || b[k] == '_')) {
          k++;
        }
        if (k < n && b[k] == ')') {
          end = k + 1;
        }
      }
    } else if (i + 1 < n && b[i] == '0' && (b[i + 1] == 'x' || b[i + 1] == 'X')) {
      v = parseHex(b, i, n);
    } else {
      v = parseDecimal(b, i, n);
    }
    if (end == from) {
      return 0;
    }
    return negative ? -v : v;
  }

  private double parseDecimal(byte[] b, int start, int n) {
    int i = start;
    boolean nonZeroDigit = false;
    int digits = 0;
    while (i < n && isDigit(b[i])) {
      nonZeroDigit |= b[i] != '0';
      i++;
      digits++;
    }
    if (i < n && b[i] == '.') {
      i++;
      while (i < n && isDigit(b[i])) {
        nonZeroDigit |= b[i] != '0';
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return 0; // end stays where it was: no conversion.
    }
    int mantissaEnd = i;
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
      int k = i + 1;
      if (k < n && (b[k] == '+' || b[k] == '-')) {
        k++;
      }
      if (k < n && isDigit(b[k])) {
        while (k < n && isDigit(b[k])) {
          k++;
        }
        i = k;
      }
    }
    end = i;
    String text = new String(b, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1);
    double v;
    try {
      v = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      // An exponent too long for Java: its sign decides between overflow and underflow.
      v = text.indexOf('-', mantissaEnd - start) >= 0 ? 0 : Double.POSITIVE_INFINITY;
    }
    rangeError = Double.isInfinite(v) || (v == 0 && nonZeroDigit);
    return v;
  }

  private double parseHex(byte[] b, int start, int n) {
    int i = start + 2;
    StringBuilder mantissa = new StringBuilder();
    boolean nonZeroDigit = false;
    int digits = 0;
    while (i < n && isHexDigit(b[i])) {
      nonZeroDigit |= b[i] != '0';
      mantissa.append((char) b[i++]);
      digits++;
    }
    if (i < n && b[i] == '.') {
      int k = i + 1;
      StringBuilder fraction = new StringBuilder(".");
      while (k < n && isHexDigit(b[k])) {
        nonZeroDigit |= b[k] != '0';
        fraction.append((char) b[k++]);
        digits++;
      }
      if (digits > 0) {
        mantissa.append(fraction);
        i = k;
      }
    }
    if (digits == 0) {
      // "0x" with no hex digits: only the "0" is a number.
      end = start + 1;
      return 0;
    }
    String exponent = "0";
    if (i < n && (b[i] == 'p' || b[i] == 'P')) {
      int k = i + 1;
      int signAt = k;
      if (k < n && (b[k] == '+' || b[k] == '-')) {
        k++;
      }
      if (k < n && isDigit(b[k])) {
        while (k < n && isDigit(b[k])) {
          k++;
        }
        exponent = Args.latin1(java.util.Arrays.copyOfRange(b, signAt, k));
        i = k;
      }
    }
    end = i;
    double v;
    try {
      v = Double.parseDouble("0x" + mantissa + "p" + exponent);
    } catch (NumberFormatException e) {
      v = exponent.startsWith("-") ? 0 : Double.POSITIVE_INFINITY;
    }
    rangeError = Double.isInfinite(v) || (v == 0 && nonZeroDigit);
    return v;
  }

  private static boolean matchesWord(byte[] b, int i, int n, String upperWord) {
    if (n - i < upperWord.length()) {
      return false;
    }
    for (int k = 0; k < upperWord.length(); k++) {
      int c = b[i + k];
      if (c >= 'a' && c <= 'z') {
        c -= 32;
      }
      if (c != upperWord.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHexDigit(byte c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isAlnum(byte c) {
    return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /**
   * Redis's {@code string2d}: the whole argument is one number, without leading white space, that
   * did not overflow or underflow to zero, and is not NaN. Returns NaN when it is not.
   */
  static double string2d(byte[] b) {
    if (b.length == 0 || isSpace(b[0])) {
      return Double.NaN;
    }
    Strtod p = new Strtod();
    double v = p.parse(b, 0);
    if (p.end != b.length || (p.rangeError && (Double.isInfinite(v) || v == 0))) {
      return Double.NaN;
    }
    return v;
  }
}
