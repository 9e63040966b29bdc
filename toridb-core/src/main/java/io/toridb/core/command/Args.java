package io.toridb.core.command;

import java.nio.charset.StandardCharsets;

/**
 * Parsing of command arguments from their bytes, with Redis's rules and error texts. Failures throw
 * {@link CommandException}.
 */
public final class Args {
  private Args() {}

  /** Bytes as a String with one char per byte, so any bytes survive a round trip. */
  public static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Case-insensitive comparison of an argument with an ASCII keyword given in upper case. */
  public static boolean is(byte[] arg, String upperKeyword) {
    int n = upperKeyword.length();
    if (arg.length != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      int c = arg[i];
      if (c >= 'a' && c <= 'z') {
        c -= 32;
      }
      if (c != upperKeyword.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The argument upper-cased as a String, for switch statements over options. */
  public static String upper(byte[] arg) {
    char[] out = new char[arg.length];
    for (int i = 0; i < arg.length; i++) {
      int c = arg[i] & 0xFF;
      if (c >= 'a' && c <= 'z') {
        c -= 32;
      }
      out[i] = (char) c;
    }
    return new String(out);
  }

  /** Parses a long as Redis's string2ll, or throws "value is not an integer or out of range". */
  public static long parseLong(byte[] b) {
    return parseLong(b, Errors.NOT_INTEGER);
  }

  /** Parses a long as Redis's string2ll, or throws {@code error}. */
  public static long parseLong(byte[] b, String error) {
    long v = parseLongOr(b, Long.MIN_VALUE);
    if (v == Long.MIN_VALUE && !isLongMin(b)) {
      throw new CommandException(error);
    }
    return v;
  }

  /** Parses an int, or throws "value is not an integer or out of range". */
  public static int parseInt(byte[] b) {
    long v = parseLong(b);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new CommandException(Errors.NOT_INTEGER);
    }
    return (int) v;
  }

  /** True when the bytes are a canonical long: what Redis stores with the "int" encoding. */
  public static boolean isCanonicalLong(byte[] b) {
    return b.length > 0
        && b.length <= 20
        && (parseLongOr(b, Long.MIN_VALUE) != Long.MIN_VALUE || isLongMin(b));
  }

  private static final byte[] LONG_MIN = bytes(Long.toString(Long.MIN_VALUE));

  private static boolean isLongMin(byte[] b) {
    return java.util.Arrays.equals(b, LONG_MIN);
  }

  /**
   * Parses a canonical decimal long (no spaces, no '+', no leading zeros, "-0" refused) or returns
   * {@code fallback}.
   */
  public static long parseLongOr(byte[] b, long fallback) {
    int n = b.length;
    if (n == 0 || n > 20) {
      return fallback;
    }
    if (n == 1 && b[0] == '0') {
      return 0;
    }
    int i = 0;
    boolean negative = false;
    if (b[0] == '-') {
      negative = true;
      i = 1;
      if (n == 1) {
        return fallback;
      }
    }
    if (b[i] < '1' || b[i] > '9') {
      return fallback;
    }
    // Accumulate negatively so that Long.MIN_VALUE fits.
    long v = 0;
    for (; i < n; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return fallback;
      }
      if (v < (Long.MIN_VALUE + d) / 10) {
        return fallback;
      }
      v = v * 10 - d;
    }
    if (negative) {
      return v;
    }
    if (v == Long.MIN_VALUE) {
      return fallback;
    }
    return -v;
  }

  /**
   * Parses a double as Redis's string2d/strtold checks do: no leading space, no trailing garbage,
   * "inf"/"-inf" accepted, NaN refused. Throws "value is not a valid float".
   */
  public static double parseDouble(byte[] b) {
    return parseDouble(b, Errors.NOT_FLOAT);
  }

  public static double parseDouble(byte[] b, String error) {
    if (b.length == 0 || b.length > 5000 || isSpace(b[0]) || isSpace(b[b.length - 1])) {
      throw new CommandException(error);
    }
    String s = latin1(b);
    double d;
    switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "inf", "+inf", "infinity", "+infinity" -> d = Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> d = Double.NEGATIVE_INFINITY;
      default -> {
        if (!looksNumeric(s)) {
          throw new CommandException(error);
        }
        try {
          d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new CommandException(error);
        }
      }
    }
    if (Double.isNaN(d)) {
      throw new CommandException(error);
    }
    return d;
  }

  /**
   * Java accepts "1d", "0x1p3", "NaN", "Infinity"; strtod-style input is digits, sign, '.', 'e'.
   */
  private static boolean looksNumeric(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
  }
}
