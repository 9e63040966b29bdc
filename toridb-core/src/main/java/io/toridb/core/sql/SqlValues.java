package io.toridb.core.sql;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * SQLite's value rules over the five storage classes: null, {@link Long} (INTEGER), {@link Double}
 * (REAL), {@link String} (TEXT) and {@code byte[]} (BLOB). Ordering puts NULL first, then numbers
 * (compared by value across INTEGER and REAL), then text, then blobs; conversions follow SQLite's
 * (text to number by its longest numeric prefix, a real to text with 15 significant digits).
 */
final class SqlValues {
  private SqlValues() {}

  /** Column affinities, as SQLite derives them from a declared type. */
  enum Affinity {
    INTEGER,
    REAL,
    NUMERIC,
    TEXT,
    BLOB
  }

  /** The affinity of a declared column type, by SQLite's rules, plus ToriDB's own type names. */
  static Affinity affinity(String declared) {
    if (declared == null || declared.isEmpty()) {
      return Affinity.BLOB;
    }
    String t = declared.toUpperCase(java.util.Locale.ROOT);
    switch (t) {
      case "STRING", "JSON", "DATETIME" -> {
        return Affinity.TEXT;
      }
      case "BOOL", "BOOLEAN" -> {
        return Affinity.INTEGER;
      }
      case "VECTOR" -> {
        return Affinity.BLOB;
      }
      default -> {}
    }
    if (Vectors.declaredDim(declared) > 0) {
      return Affinity.BLOB;
    }
    if (t.contains("INT")) {
      return Affinity.INTEGER;
    }
    if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
      return Affinity.TEXT;
    }
    if (t.contains("BLOB")) {
      return Affinity.BLOB;
    }
    if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
      return Affinity.REAL;
    }
    return Affinity.NUMERIC;
  }

  /** {@code v} with {@code affinity} applied, as when it is stored in a column of that affinity. */
  static Object apply(Affinity affinity, Object v) {
    if (v == null) {
      return null;
    }
    switch (affinity) {
      case TEXT:
        if (v instanceof Long || v instanceof Double) {
          return text(v);
        }
        return v;
      case INTEGER:
      case NUMERIC:
        if (v instanceof String s) {
          Object n = exactNumber(s);
          if (n == null) {
            return v;
          }
          v = n;
        }
        if (v instanceof Double d && isIntegral(d)) {
          return d.longValue();
        }
        return v;
      case REAL:
        if (v instanceof String s) {
          Object n = exactNumber(s);
          return n == null ? v : (Object) toDouble(n);
        }
        if (v instanceof Long l) {
          return l.doubleValue();
        }
        return v;
      default:
        return v;
    }
  }

  /** Numeric affinity for a comparison: text that is a well-formed number becomes that number. */
  static Object numericForCompare(Object v) {
    if (v instanceof String s) {
      Object n = exactNumber(s);
      return n == null ? v : n;
    }
    return v;
  }

  /** Whether {@code d} is a whole number an INTEGER can hold (then they compare equal). */
  static boolean isIntegral(double d) {
    return d == Math.rint(d) && d >= -9.223372036854775808E18 && d < 9.223372036854775808E18;
  }

  /**
   * The number {@code s} spells exactly (surrounding spaces allowed), as a Long or a Double, or
   * null when it is not a well-formed number.
   */
  static Object exactNumber(String s) {
    int nul = s.indexOf('\0');
    // Text ends at a NUL for SQLite's conversions, as a C string does.
    String t = (nul < 0 ? s : s.substring(0, nul)).strip();
    if (t.isEmpty()) {
      return null;
    }
    int i = 0;
    int n = t.length();
    if (t.charAt(0) == '+' || t.charAt(0) == '-') {
      i++;
    }
    int digits = 0;
    boolean real = false;
    while (i < n && isAsciiDigit(t.charAt(i))) {
      i++;
      digits++;
    }
    if (i < n && t.charAt(i) == '.') {
      real = true;
      i++;
      while (i < n && isAsciiDigit(t.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return null;
    }
    if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
      real = true;
      i++;
      if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
        i++;
      }
      int exp = 0;
      while (i < n && isAsciiDigit(t.charAt(i))) {
        i++;
        exp++;
      }
      if (exp == 0) {
        return null;
      }
    }
    if (i != n) {
      return null;
    }
    if (!real) {
      try {
        return Long.parseLong(t.charAt(0) == '+' ? t.substring(1) : t);
      } catch (NumberFormatException tooLarge) {
        return Double.parseDouble(t);
      }
    }
    return Double.parseDouble(t);
  }

  /** The number at the start of {@code s}, as SQLite reads text in arithmetic (0 when none). */
  static Object numberPrefix(String s) {
    int nul = s.indexOf('\0');
    if (nul >= 0) {
      // What comes before the NUL, as a REAL when there is a number there (as SQLite reads such
      // text), else 0.
      Object before = numberPrefix(s.substring(0, nul));
      return startsWithNumber(s.substring(0, nul)) ? (Object) toDouble(before) : before;
    }
    int n = s.length();
    int i = 0;
    while (i < n && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    int start = i;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int intEnd;
    int digits = 0;
    while (i < n && isAsciiDigit(s.charAt(i))) {
      i++;
      digits++;
    }
    intEnd = i;
    boolean real = false;
    if (i < n && s.charAt(i) == '.') {
      int j = i + 1;
      int frac = 0;
      while (j < n && isAsciiDigit(s.charAt(j))) {
        j++;
        frac++;
      }
      if (digits + frac > 0) {
        real = frac > 0 || digits > 0;
        i = j;
        digits += frac;
      }
    }
    if (digits == 0) {
      return 0L;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      int j = i + 1;
      if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
        j++;
      }
      int e = j;
      while (j < n && isAsciiDigit(s.charAt(j))) {
        j++;
      }
      if (j > e) {
        real = true;
        i = j;
      }
    }
    String num = s.substring(start, real ? i : intEnd);
    if (!real) {
      try {
        return Long.parseLong(num.startsWith("+") ? num.substring(1) : num);
      } catch (NumberFormatException tooLarge) {
        return Double.parseDouble(num);
      }
    }
    return Double.parseDouble(num);
  }

  /** Whether {@code s} starts (after spaces and a sign) with a number. */
  private static boolean startsWithNumber(String s) {
    int i = 0;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    if (i < s.length() && s.charAt(i) == '.') {
      i++;
    }
    return i < s.length() && isAsciiDigit(s.charAt(i));
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** {@code v} as a number for arithmetic: null stays null, text and blobs by their prefix. */
  static Object toNumber(Object v) {
    if (v == null || v instanceof Long || v instanceof Double) {
      return v;
    }
    if (v instanceof String s) {
      return numberPrefix(s);
    }
    return numberPrefix(new String((byte[]) v, StandardCharsets.UTF_8));
  }

  static double toDouble(Object v) {
    Object n = toNumber(v);
    return n == null ? 0 : n instanceof Long l ? l : (Double) n;
  }

  /**
   * {@code v} as an INTEGER, as CAST(v AS INTEGER) and the integer operators read it: text and
   * blobs by their leading integer (SQLite's sqlite3Atoi64: "1e2" is 1), reals truncated toward
   * zero and clamped to the INTEGER range; null stays null.
   */
  static Long toLong(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d) {
      return (long) d.doubleValue();
    }
    String s = v instanceof String t ? t : new String((byte[]) v, StandardCharsets.UTF_8);
    return integerPrefix(s);
  }

  /** The integer at the start of {@code s}, clamped to the INTEGER range; 0 when none. */
  static long integerPrefix(String s) {
    int n = s.length();
    int i = 0;
    while (i < n && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    boolean negative = false;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    long value = 0;
    boolean overflow = false;
    while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      int digit = s.charAt(i) - '0';
      if (!overflow) {
        // Accumulated as a negative number, whose range reaches Long.MIN_VALUE.
        if (value < (Long.MIN_VALUE + digit) / 10) {
          overflow = true;
        } else {
          value = value * 10 - digit;
        }
      }
      i++;
    }
    if (overflow) {
      return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    if (negative) {
      return value;
    }
    return value == Long.MIN_VALUE ? Long.MAX_VALUE : -value;
  }

  /** Whether {@code v} counts as true in WHERE, CASE and the logic operators (null if NULL). */
  static Boolean truth(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    return toDouble(v) != 0;
  }

  /** {@code v} as TEXT: a real with up to 15 significant digits and a ".0" when whole. */
  static String text(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Long l) {
      return Long.toString(l);
    }
    if (v instanceof Double d) {
      return realText(d);
    }
    return new String((byte[]) v, StandardCharsets.UTF_8);
  }

  /**
   * A REAL as SQLite 3.54 writes it as text: 15 significant digits, or 17 when 15 do not read back
   * as the same number; plain notation for decimal exponents from -4 to 16, else {@code 1.5e+20};
   * always a decimal point; {@code -0.0} as {@code 0.0}. (SQLite's own 17-digit expansion is not
   * always correctly rounded in the last digit; this one is, so the two can differ there, and both
   * read back as the same number.)
   */
  static String realText(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Inf" : "-Inf";
    }
    if (d == 0) {
      return "0.0";
    }
    BigDecimal b = new BigDecimal(d).round(new MathContext(15)).stripTrailingZeros();
    if (b.doubleValue() != d) {
      b = new BigDecimal(d).round(new MathContext(17)).stripTrailingZeros();
    }
    int exponent = b.precision() - b.scale() - 1;
    if (exponent < -4 || exponent > 16) {
      String digits = b.unscaledValue().abs().toString();
      StringBuilder out = new StringBuilder();
      if (d < 0) {
        out.append('-');
      }
      out.append(digits.charAt(0)).append('.');
      out.append(digits.length() > 1 ? digits.substring(1) : "0");
      out.append('e').append(exponent < 0 ? '-' : '+');
      int e = Math.abs(exponent);
      if (e < 10) {
        out.append('0');
      }
      return out.append(e).toString();
    }
    String plain = b.toPlainString();
    return plain.indexOf('.') < 0 ? plain + ".0" : plain;
  }

  /** The rank of a value's storage class in SQLite's ordering. */
  private static int rank(Object v) {
    if (v == null) {
      return 0;
    }
    if (v instanceof Long || v instanceof Double) {
      return 1;
    }
    return v instanceof String ? 2 : 3;
  }

  /** SQLite's total order (BINARY collation): NULL, numbers, text, blobs. */
  static int compare(Object a, Object b) {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    switch (ra) {
      case 0:
        return 0;
      case 1:
        if (a instanceof Long x && b instanceof Long y) {
          return Long.compare(x, y);
        }
        return compareNumbers(a, b);
      case 2:
        return compareText((String) a, (String) b);
      default:
        return Arrays.compareUnsigned((byte[]) a, (byte[]) b);
    }
  }

  private static int compareNumbers(Object a, Object b) {
    if (a instanceof Long x && b instanceof Double y) {
      return -compareRealLong(y, x);
    }
    if (a instanceof Double x && b instanceof Long y) {
      return compareRealLong(x, y);
    }
    double x = (Double) a;
    double y = (Double) b;
    // Numerically: 0.0 and -0.0 are equal.
    return x < y ? -1 : x > y ? 1 : 0;
  }

  private static int compareRealLong(double r, long l) {
    if (Double.isNaN(r)) {
      return -1;
    }
    if (r < -9.223372036854775808E18) {
      return -1;
    }
    if (r >= 9.223372036854775808E18) {
      return 1;
    }
    long whole = (long) r;
    if (whole != l) {
      return whole < l ? -1 : 1;
    }
    double frac = r - whole;
    return frac > 0 ? 1 : frac < 0 ? -1 : 0;
  }

  /** Text in code point order, which is the byte order of its UTF-8 (SQLite's BINARY). */
  static int compareText(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
          return Integer.compare(a.codePointAt(i), b.codePointAt(i));
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  /** Whether two values are the same for DISTINCT, GROUP BY and UNION (NULLs are). */
  static boolean same(Object a, Object b) {
    return compare(a, b) == 0;
  }

  /** SQLite's typeof() name. */
  static String typeName(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Long) {
      return "integer";
    }
    if (v instanceof Double) {
      return "real";
    }
    return v instanceof String ? "text" : "blob";
  }
}
