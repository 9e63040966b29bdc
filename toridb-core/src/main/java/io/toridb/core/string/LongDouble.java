package io.toridb.core.string;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The C {@code long double} of Redis on x86-64 (the x87 80-bit extended format: a 64-bit
 * significand, exponents down to 2^-16445 with subnormals), emulated exactly so that INCRBYFLOAT
 * and HINCRBYFLOAT store and reply the very text Redis does.
 *
 * <p>Implementation notes: a finite value is {@code sign * significand * 2^exponent} with the
 * significand below 2^64. Parsing and addition first compute the exact result (a rational from the
 * decimal or hexadecimal text, an exact binary sum) and then round it once to the nearest
 * representable value, ties to even, as glibc's {@code strtold} and the FPU do. Formatting prints
 * the exact binary value rounded to 17 decimals, ties to even, as glibc's {@code "%.17Lf"} does.
 * Values are immutable.
 */
public final class LongDouble {
  /** Significand bits of the x87 extended format. */
  private static final int PRECISION = 64;

  /** Exponent (of the significand's last bit) of the smallest subnormal: 2^-16445. */
  private static final int MIN_EXPONENT = -16445;

  /** Largest exponent of the significand's last bit for a finite value: below 2^16384. */
  private static final int MAX_EXPONENT = 16384 - PRECISION;

  /** string2ld refuses texts of this many characters or more (MAX_LONG_DOUBLE_CHARS). */
  private static final int MAX_CHARS = 5 * 1024;

  public static final LongDouble ZERO = new LongDouble(false, BigInteger.ZERO, 0, false);

  private final boolean negative;
  private final BigInteger significand;
  private final int exponent;
  private final boolean infinite;

  private LongDouble(boolean negative, BigInteger significand, int exponent, boolean infinite) {
    this.negative = negative;
    this.significand = significand;
    this.exponent = exponent;
    this.infinite = infinite;
  }

  /** The exact value of {@code v}; every long fits the 64-bit significand. */
  public static LongDouble of(long v) {
    if (v == 0) {
      return ZERO;
    }
    BigInteger m = BigInteger.valueOf(v);
    return new LongDouble(v < 0, m.abs(), 0, false);
  }

  public boolean isInfinite() {
    return infinite;
  }

  public boolean isZero() {
    return !infinite && significand.signum() == 0;
  }

  /**
   * Parses {@code text} as Redis's string2ld does: the whole text must be what {@code strtold}
   * accepts (decimal or hexadecimal, optional sign and exponent, "inf"/"infinity"), with no leading
   * space, not NaN, and not overflowing or underflowing to zero.
   *
   * @return the value, or null when Redis would refuse the text
   */
  public static LongDouble parse(byte[] text) {
    return parse(text, text.length);
  }

  /** As {@link #parse(byte[])} for the first {@code len} bytes of {@code text}. */
  public static LongDouble parse(byte[] text, int len) {
    if (len == 0 || len >= MAX_CHARS) {
      return null;
    }
    int i = 0;
    boolean neg = false;
    if (text[0] == '+' || text[0] == '-') {
      neg = text[0] == '-';
      i = 1;
    }
    if (i == len) {
      return null;
    }
    if (matchesIgnoreCase(text, i, len, "inf") || matchesIgnoreCase(text, i, len, "infinity")) {
      return new LongDouble(neg, BigInteger.ZERO, 0, true);
    }
    boolean hex = len - i > 2 && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X');
    LongDouble v = hex ? parseHex(text, i + 2, len, neg) : parseDecimal(text, i, len, neg);
    if (v == null || v.infinite) {
      // Overflow: strtold returns HUGE_VAL with ERANGE, which string2ld refuses.
      return null;
    }
    return v;
  }

  private static boolean matchesIgnoreCase(byte[] text, int from, int len, String word) {
    if (len - from != word.length()) {
      return false;
    }
    for (int k = 0; k < word.length(); k++) {
      int c = text[from + k] | 0x20;
      if (c != word.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** digits [. digits] [(e|E) [sign] digits], at least one digit before the exponent. */
  private static LongDouble parseDecimal(byte[] t, int i, int len, boolean neg) {
    StringBuilder digits = new StringBuilder();
    long scale = 0; // value = digits * 10^scale
    int mantissaDigits = 0;
    boolean dot = false;
    for (; i < len; i++) {
      int c = t[i];
      if (c >= '0' && c <= '9') {
        mantissaDigits++;
        if (digits.length() > 0 || c != '0') {
          digits.append((char) c);
        }
        if (dot) {
          scale--;
        }
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        break;
      }
    }
    if (mantissaDigits == 0) {
      return null;
    }
    if (i < len) {
      if ((t[i] | 0x20) != 'e') {
        return null;
      }
      long exp = parseExponent(t, i + 1, len);
      if (exp == Long.MIN_VALUE) {
        return null;
      }
      scale += exp;
    }
    if (digits.length() == 0) {
      return new LongDouble(neg, BigInteger.ZERO, 0, false);
    }
    // The value lies in [10^(magnitude-1), 10^magnitude): decide overflow and underflow before
    // building powers of ten for absurd exponents.
    long magnitude = scale + digits.length();
    if (magnitude > 4934) {
      return new LongDouble(neg, BigInteger.ZERO, 0, true);
    }
    if (magnitude < -4952) {
      return null; // Rounds to zero: ERANGE with a zero result, refused.
    }
    BigInteger n = new BigInteger(digits.toString());
    BigInteger d = BigInteger.ONE;
    if (scale >= 0) {
      n = n.multiply(BigInteger.TEN.pow((int) scale));
    } else {
      d = BigInteger.TEN.pow((int) -scale);
    }
    return rounded(neg, n, d, 0, true);
  }

  /** hexdigits [. hexdigits] [(p|P) [sign] digits], after the "0x". */
  private static LongDouble parseHex(byte[] t, int i, int len, boolean neg) {
    BigInteger m = BigInteger.ZERO;
    long binaryScale = 0;
    int hexDigits = 0;
    boolean dot = false;
    for (; i < len; i++) {
      int c = t[i];
      int d = Character.digit(c, 16);
      if (c < 128 && d >= 0) {
        hexDigits++;
        m = m.shiftLeft(4).or(BigInteger.valueOf(d));
        if (dot) {
          binaryScale -= 4;
        }
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        break;
      }
    }
    if (hexDigits == 0) {
      // strtold reads just the "0" and stops at the 'x', leaving trailing text: refused.
      return null;
    }
    if (i < len) {
      if ((t[i] | 0x20) != 'p') {
        return null;
      }
      long exp = parseExponent(t, i + 1, len);
      if (exp == Long.MIN_VALUE) {
        return null;
      }
      binaryScale += exp;
    }
    if (m.signum() == 0) {
      return new LongDouble(neg, BigInteger.ZERO, 0, false);
    }
    long top = binaryScale + m.bitLength();
    if (top > 16385) {
      return new LongDouble(neg, BigInteger.ZERO, 0, true);
    }
    if (top < MIN_EXPONENT - 2) {
      return null;
    }
    return rounded(neg, m, BigInteger.ONE, binaryScale, true);
  }

  /**
   * An exponent: [sign] digits to the end of the text; saturates far outside any meaningful range.
   * Returns Long.MIN_VALUE when malformed.
   */
  private static long parseExponent(byte[] t, int i, int len) {
    boolean neg = false;
    if (i < len && (t[i] == '+' || t[i] == '-')) {
      neg = t[i] == '-';
      i++;
    }
    if (i == len) {
      return Long.MIN_VALUE;
    }
    long e = 0;
    for (; i < len; i++) {
      int c = t[i];
      if (c < '0' || c > '9') {
        return Long.MIN_VALUE;
      }
      if (e < 1_000_000_000L) {
        e = e * 10 + (c - '0');
      }
    }
    return neg ? -e : e;
  }

  /**
   * The representable value nearest to {@code num / den * 2^scale} (num, den positive), ties to
   * even; infinite past the largest finite value.
   *
   * @param zeroIsNull whether a nonzero value that rounds to zero yields null (parsing, where
   *     strtold reports the underflow) rather than zero
   */
  private static LongDouble rounded(
      boolean neg, BigInteger num, BigInteger den, long scale, boolean zeroIsNull) {
    // floor(log2(num/den)) is diff or diff-1, whichever the comparison below says.
    long diff = (long) num.bitLength() - den.bitLength();
    boolean atLeast =
        diff >= 0
            ? num.compareTo(den.shiftLeft((int) diff)) >= 0
            : num.shiftLeft((int) -diff).compareTo(den) >= 0;
    long floorLog2 = diff - (atLeast ? 0 : 1) + scale;
    // Exponent of the significand's last bit: 64 significant bits, or the subnormal limit.
    long e = Math.max(floorLog2 - (PRECISION - 1), MIN_EXPONENT);
    if (e > MAX_EXPONENT) {
      return new LongDouble(neg, BigInteger.ZERO, 0, true);
    }
    long shift = scale - e;
    BigInteger n = shift >= 0 ? num.shiftLeft((int) shift) : num;
    BigInteger d = shift >= 0 ? den : den.shiftLeft((int) -shift);
    BigInteger[] qr = n.divideAndRemainder(d);
    BigInteger q = qr[0];
    int half = qr[1].shiftLeft(1).compareTo(d);
    if (half > 0 || (half == 0 && q.testBit(0))) {
      q = q.add(BigInteger.ONE);
      if (q.bitLength() > PRECISION) {
        q = q.shiftRight(1);
        e++;
        if (e > MAX_EXPONENT) {
          return new LongDouble(neg, BigInteger.ZERO, 0, true);
        }
      }
    }
    if (q.signum() == 0) {
      return zeroIsNull ? null : new LongDouble(neg, BigInteger.ZERO, 0, false);
    }
    return new LongDouble(neg, q, (int) e, false);
  }

  /**
   * The sum rounded as the FPU rounds it; infinite when it overflows, null when it is NaN (infinity
   * plus its opposite).
   */
  public LongDouble add(LongDouble o) {
    if (infinite || o.infinite) {
      if (infinite && o.infinite && negative != o.negative) {
        return null;
      }
      return infinite ? this : o;
    }
    if (o.isZero()) {
      return isZero() ? (negative && o.negative ? this : ZERO) : this;
    }
    if (isZero()) {
      return o;
    }
    int low = Math.min(exponent, o.exponent);
    BigInteger a = signed().shiftLeft(exponent - low);
    BigInteger b = o.signed().shiftLeft(o.exponent - low);
    BigInteger sum = a.add(b);
    if (sum.signum() == 0) {
      return ZERO;
    }
    return rounded(sum.signum() < 0, sum.abs(), BigInteger.ONE, low, false);
  }

  private BigInteger signed() {
    return negative ? significand.negate() : significand;
  }

  /** The exact value; only for finite values. */
  public BigDecimal toBigDecimal() {
    BigDecimal v;
    if (exponent >= 0) {
      v = new BigDecimal(significand.shiftLeft(exponent));
    } else {
      // m / 2^k == m * 5^k / 10^k, exactly.
      v = new BigDecimal(significand.multiply(BigInteger.valueOf(5).pow(-exponent)), -exponent);
    }
    return negative ? v.negate() : v;
  }

  /**
   * The text Redis stores for an INCRBYFLOAT result: {@code "%.17Lf"} with trailing zeros (and a
   * trailing '.') removed, and "-0" written as "0"; "inf"/"-inf" for infinities.
   */
  public String toHumanString() {
    if (infinite) {
      return negative ? "-inf" : "inf";
    }
    return human(toBigDecimal(), negative);
  }

  /**
   * {@code value} as Redis's human long double format shows it ({@link #toHumanString}): GEOPOS
   * writes its coordinates so.
   */
  public static String human(double value) {
    return human(new BigDecimal(value), value < 0 || (value == 0 && 1 / value < 0));
  }

  private static String human(BigDecimal value, boolean negative) {
    String s = value.abs().setScale(17, RoundingMode.HALF_EVEN).toPlainString();
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    s = s.substring(0, end);
    // C prints the sign even when the digits round to zero ("-0.000..."), which Redis then
    // rewrites as "0"; either way a zero result has no sign.
    return negative && !s.equals("0") ? "-" + s : s;
  }

  @Override
  public String toString() {
    return toHumanString();
  }
}
