package io.toridb.core.sql;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/** SQLite's core scalar functions and the aggregate functions' accumulators. */
final class Functions {
  private Functions() {}

  /** Whether {@code name} with {@code args} arguments is an aggregate (min/max take one). */
  static boolean isAggregate(String name, int args) {
    return switch (name) {
      case "count", "sum", "avg", "total", "group_concat" -> true;
      case "min", "max" -> args == 1;
      default -> false;
    };
  }

  static void checkAggregate(String name, int args, boolean distinct) {
    boolean ok =
        switch (name) {
          case "count" -> args <= 1;
          case "group_concat" -> args == 1 || args == 2;
          default -> args == 1;
        };
    if (!ok) {
      throw new SqlException("wrong number of arguments to function " + name + "()");
    }
    if (distinct && args != 1) {
      throw new SqlException("DISTINCT aggregates must have exactly one argument");
    }
  }

  /** Checks that {@code name} is a known scalar function taking {@code args} arguments. */
  static void check(String name, int args) {
    int min;
    int max;
    switch (name) {
      case "abs",
          "length",
          "lower",
          "upper",
          "typeof",
          "hex",
          "quote",
          "unicode",
          "sign",
          "zeroblob",
          "octet_length" -> {
        min = 1;
        max = 1;
      }
      case "ifnull", "nullif", "instr" -> {
        min = 2;
        max = 2;
      }
      case "coalesce" -> {
        min = 2;
        max = Integer.MAX_VALUE;
      }
      case "min", "max" -> {
        min = 2;
        max = Integer.MAX_VALUE;
      }
      case "substr", "substring", "replace", "iif" -> {
        min = name.equals("substr") || name.equals("substring") ? 2 : 3;
        max = 3;
      }
      case "unhex" -> {
        min = 1;
        max = 2;
      }
      case "vector", "vector_text", "vector_dims" -> {
        min = 1;
        max = 1;
      }
      case "cosine_similarity", "cosine_distance" -> {
        min = 2;
        max = 2;
      }
      case "trim", "ltrim", "rtrim", "round" -> {
        min = 1;
        max = 2;
      }
      case "char", "concat" -> {
        min = name.equals("concat") ? 1 : 0;
        max = Integer.MAX_VALUE;
      }
      case "like" -> {
        min = 2;
        max = 3;
      }
      case "glob" -> {
        min = 2;
        max = 2;
      }
      case "random",
          "randomblob",
          "date",
          "time",
          "datetime",
          "julianday",
          "strftime",
          "unixepoch",
          "changes",
          "last_insert_rowid",
          "total_changes" ->
          throw new SqlException(
              "function " + name + "() is not supported: its result would differ on replay");
      default -> throw new SqlException("no such function: " + name);
    }
    if (args < min || args > max) {
      throw new SqlException("wrong number of arguments to function " + name + "()");
    }
  }

  static Object call(String name, List<Expr> args, Frame f) {
    switch (name) {
      case "coalesce", "ifnull" -> {
        for (Expr e : args) {
          Object v = e.eval(f);
          if (v != null) {
            return v;
          }
        }
        return null;
      }
      case "iif" -> {
        return Boolean.TRUE.equals(SqlValues.truth(args.get(0).eval(f)))
            ? args.get(1).eval(f)
            : args.get(2).eval(f);
      }
      default -> {}
    }
    Object[] v = new Object[args.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = args.get(i).eval(f);
    }
    switch (name) {
      case "abs":
        return abs(v[0]);
      case "vector":
        return v[0] == null ? null : Vectors.blob(v[0]);
      case "vector_text":
        return v[0] == null ? null : Vectors.text(v[0]);
      case "vector_dims":
        return v[0] == null ? null : (Object) (long) Vectors.parse(v[0]).length;
      case "cosine_similarity":
        return Vectors.cosine(v[0], v[1]);
      case "cosine_distance":
        {
          Object sim = Vectors.cosine(v[0], v[1]);
          return sim == null ? null : (Object) (1 - (Double) sim);
        }
      case "nullif":
        return v[0] != null && v[1] != null && SqlValues.compare(v[0], v[1]) == 0 ? null : v[0];
      case "min":
      case "max":
        {
          Object best = null;
          for (Object x : v) {
            if (x == null) {
              return null;
            }
            if (best == null
                || (name.equals("min")
                    ? SqlValues.compare(x, best) < 0
                    : SqlValues.compare(x, best) > 0)) {
              best = x;
            }
          }
          return best;
        }
      case "typeof":
        return SqlValues.typeName(v[0]);
      case "length":
        if (v[0] == null) {
          return null;
        }
        if (v[0] instanceof byte[] b) {
          return (long) b.length;
        }
        String s = SqlValues.text(v[0]);
        // Text ends at a NUL character, as a C string does in SQLite.
        int nul = s.indexOf('\0');
        return (long) s.codePointCount(0, nul < 0 ? s.length() : nul);
      case "octet_length":
        return v[0] == null ? null : (long) bytes(v[0]).length;
      case "lower":
        return v[0] == null ? null : asciiCase(SqlValues.text(v[0]), false);
      case "upper":
        return v[0] == null ? null : asciiCase(SqlValues.text(v[0]), true);
      case "hex":
        if (v[0] == null) {
          return "";
        }
        byte[] raw = bytes(v[0]);
        checkLength(2L * raw.length);
        return HexFormat.of().withUpperCase().formatHex(raw);
      case "unhex":
        return unhex(v);
      case "quote":
        return quote(v[0]);
      case "unicode":
        {
          if (v[0] == null) {
            return null;
          }
          String t = SqlValues.text(v[0]);
          return t.isEmpty() ? null : (Object) (long) t.codePointAt(0);
        }
      case "char":
        {
          StringBuilder out = new StringBuilder();
          for (Object x : v) {
            Long c = SqlValues.toLong(x);
            int cp = c == null ? 0 : (int) Math.max(0, Math.min(0x10FFFF, c));
            // A surrogate alone is no character: U+FFFD in its place, as UTF-8 would have it.
            out.appendCodePoint(cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
            checkLength(out.length());
          }
          return out.toString();
        }
      case "concat":
        {
          StringBuilder out = new StringBuilder();
          for (Object x : v) {
            if (x != null) {
              out.append(SqlValues.text(x));
              checkLength(out.length());
            }
          }
          return out.toString();
        }
      case "sign":
        {
          Object n = SqlValues.numericForCompare(v[0]);
          if (!(n instanceof Long) && !(n instanceof Double)) {
            return null;
          }
          double d = SqlValues.toDouble(n);
          return d > 0 ? 1L : d < 0 ? -1L : 0L;
        }
      case "zeroblob":
        {
          long n = Math.max(0, SqlValues.toLong(v[0]) == null ? 0 : SqlValues.toLong(v[0]));
          checkLength(n);
          return new byte[(int) n];
        }
      case "instr":
        {
          if (v[0] == null || v[1] == null) {
            return null;
          }
          String hay = SqlValues.text(v[0]);
          int at = hay.indexOf(SqlValues.text(v[1]));
          return at < 0 ? 0L : (long) hay.codePointCount(0, at) + 1;
        }
      case "substr":
      case "substring":
        return substr(v);
      case "replace":
        {
          if (v[0] == null || v[1] == null) {
            return null;
          }
          String from = SqlValues.text(v[1]);
          String s0 = SqlValues.text(v[0]);
          // An empty pattern gives the text back before the replacement is looked at (SQLite).
          if (from.isEmpty()) {
            return s0;
          }
          if (v[2] == null) {
            return null;
          }
          String to = SqlValues.text(v[2]);
          if (to.length() > from.length()) {
            // At most this many replacements: refuse before building something too big.
            long most = (long) s0.length() / from.length() * (to.length() - from.length());
            checkLength(s0.length() + most);
          }
          return s0.replace(from, to);
        }
      case "trim":
      case "ltrim":
      case "rtrim":
        return trim(name, v);
      case "round":
        return round(v);
      case "like":
        {
          if (v[0] == null || v[1] == null) {
            return null;
          }
          int esc = -1;
          if (v.length > 2 && v[2] != null) {
            String e = SqlValues.text(v[2]);
            if (e.codePointCount(0, e.length()) != 1) {
              throw new SqlException("ESCAPE expression must be a single character");
            }
            esc = e.codePointAt(0);
          }
          return Expr.bool(like(SqlValues.text(v[0]), SqlValues.text(v[1]), esc));
        }
      case "glob":
        if (v[0] == null || v[1] == null) {
          return null;
        }
        return Expr.bool(glob(SqlValues.text(v[0]), SqlValues.text(v[1])));
      default:
        throw new SqlException("no such function: " + name);
    }
  }

  /** The longest TEXT or BLOB a statement may make, in characters or bytes. */
  static final int MAX_LENGTH = 32 << 20;

  /** Refuses a value longer than {@link #MAX_LENGTH}, with SQLite's error text. */
  static void checkLength(long length) {
    if (length > MAX_LENGTH) {
      throw new SqlException("string or blob too big");
    }
  }

  /** SQLite's upper() and lower(): ASCII letters only. */
  private static String asciiCase(String s, boolean upper) {
    char[] c = s.toCharArray();
    for (int i = 0; i < c.length; i++) {
      if (upper && c[i] >= 'a' && c[i] <= 'z') {
        c[i] -= 32;
      } else if (!upper && c[i] >= 'A' && c[i] <= 'Z') {
        c[i] += 32;
      }
    }
    return new String(c);
  }

  private static byte[] bytes(Object v) {
    return v instanceof byte[] b ? b : SqlValues.text(v).getBytes(StandardCharsets.UTF_8);
  }

  private static Object abs(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Long l) {
      if (l == Long.MIN_VALUE) {
        throw new SqlException("integer overflow");
      }
      return Math.abs(l);
    }
    // A REAL for anything else, text and blobs included (abs('12') is 12.0), as in SQLite.
    return Math.abs(SqlValues.toDouble(v));
  }

  /** unhex(X [, ignored]): the bytes X spells in hex; NULL if it is not hex (SQLite 3.41). */
  private static Object unhex(Object[] v) {
    if (v[0] == null || (v.length > 1 && v[1] == null)) {
      return null;
    }
    String hex = SqlValues.text(v[0]);
    String ignored = v.length > 1 ? SqlValues.text(v[1]) : "";
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(hex.length() / 2);
    int i = 0;
    while (i < hex.length()) {
      char c = hex.charAt(i);
      if (ignored.indexOf(c) >= 0) {
        i++;
        continue;
      }
      if (i + 1 >= hex.length()) {
        return null;
      }
      int hi = Character.digit(c, 16);
      int lo = Character.digit(hex.charAt(i + 1), 16);
      if (hi < 0 || lo < 0 || c > 'f' || hex.charAt(i + 1) > 'f') {
        return null;
      }
      out.write(hi * 16 + lo);
      i += 2;
    }
    return out.toByteArray();
  }

  private static Object quote(Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof Long || v instanceof Double) {
      return SqlValues.text(v);
    }
    if (v instanceof byte[] b) {
      return "X'" + HexFormat.of().withUpperCase().formatHex(b) + "'";
    }
    String text = (String) v;
    int nul = text.indexOf('\0');
    return "'" + (nul < 0 ? text : text.substring(0, nul)).replace("'", "''") + "'";
  }

  private static Object substr(Object[] v) {
    if (v[0] == null || v[1] == null || (v.length > 2 && v[2] == null)) {
      return null;
    }
    long start = SqlValues.toLong(v[1]);
    boolean blob = v[0] instanceof byte[];
    if (blob && ((byte[]) v[0]).length == 0) {
      return null;
    }
    int[] cps = blob ? null : SqlValues.text(v[0]).codePoints().toArray();
    byte[] b = blob ? (byte[]) v[0] : null;
    long len = blob ? b.length : cps.length;
    long count = v.length > 2 ? SqlValues.toLong(v[2]) : Long.MAX_VALUE / 4;
    long from;
    if (start > 0) {
      from = start - 1;
    } else if (start == 0) {
      from = 0;
      count = count == Long.MAX_VALUE / 4 ? count : count - 1;
    } else {
      from = len + start;
    }
    long to;
    if (count < 0) {
      to = from;
      from = from + count;
    } else {
      to = from + count;
    }
    from = Math.max(0, Math.min(len, from));
    to = Math.max(from, Math.min(len, to));
    if (blob) {
      return java.util.Arrays.copyOfRange(b, (int) from, (int) to);
    }
    return new String(cps, (int) from, (int) (to - from));
  }

  private static Object trim(String name, Object[] v) {
    if (v[0] == null || (v.length > 1 && v[1] == null)) {
      return null;
    }
    int[] text = SqlValues.text(v[0]).codePoints().toArray();
    int[] chars = (v.length > 1 ? SqlValues.text(v[1]) : " ").codePoints().toArray();
    int from = 0;
    int to = text.length;
    if (!name.equals("rtrim")) {
      while (from < to && contains(chars, text[from])) {
        from++;
      }
    }
    if (!name.equals("ltrim")) {
      while (to > from && contains(chars, text[to - 1])) {
        to--;
      }
    }
    return new String(text, from, to - from);
  }

  private static boolean contains(int[] set, int c) {
    for (int x : set) {
      if (x == c) {
        return true;
      }
    }
    return false;
  }

  private static Object round(Object[] v) {
    if (v[0] == null || (v.length > 1 && v[1] == null)) {
      return null;
    }
    long digits = v.length > 1 ? Math.max(0, Math.min(30, SqlValues.toLong(v[1]))) : 0;
    double d = SqlValues.toDouble(v[0]);
    if (Double.isNaN(d) || Double.isInfinite(d) || Math.abs(d) >= 4503599627370496.0) {
      return d;
    }
    java.math.BigDecimal b =
        new java.math.BigDecimal(SqlValues.realText(d))
            .setScale((int) digits, java.math.RoundingMode.HALF_UP);
    return b.doubleValue();
  }

  /** SQL LIKE: {@code %} any run, {@code _} one character, ASCII letters without case. */
  static boolean like(String pattern, String value, int escape) {
    return match(codePoints(pattern), 0, codePoints(value), 0, escape, false);
  }

  /** GLOB: {@code *}, {@code ?} and {@code [...]} classes, with case. */
  static boolean glob(String pattern, String value) {
    return match(codePoints(pattern), 0, codePoints(value), 0, -1, true);
  }

  /** The characters of text up to its first NUL, where SQLite's C strings end. */
  static int[] codePoints(String s) {
    int n = s.length();
    int[] out = new int[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == 0) {
        break;
      }
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        out[k++] = Character.toCodePoint(c, s.charAt(++i));
      } else {
        out[k++] = c;
      }
    }
    return k == n ? out : java.util.Arrays.copyOf(out, k);
  }

  /** LIKE with the pattern already as code points (a constant pattern is converted once). */
  static boolean like(int[] pattern, String value, int escape) {
    return match(pattern, 0, codePoints(value), 0, escape, false);
  }

  /** GLOB with the pattern already as code points. */
  static boolean glob(int[] pattern, String value) {
    return match(pattern, 0, codePoints(value), 0, -1, true);
  }

  /**
   * Matches with one remembered star (the last {@code %} or {@code *}): on a mismatch, the star
   * takes one more character and matching resumes after it. Earlier stars never need to take more,
   * so this is linear in practice and never exponential, whatever the pattern.
   */
  private static boolean match(int[] p, int pi, int[] s, int si, int escape, boolean glob) {
    int star = -1;
    int starAt = 0;
    while (si < s.length) {
      if (pi < p.length && isStar(p[pi], escape, glob)) {
        star = ++pi;
        starAt = si;
        continue;
      }
      int taken = pi < p.length ? one(p, pi, s[si], escape, glob) : -1;
      if (taken > 0) {
        pi += taken;
        si++;
        continue;
      }
      if (star < 0) {
        return false;
      }
      pi = star;
      si = ++starAt;
    }
    while (pi < p.length && isStar(p[pi], escape, glob)) {
      pi++;
    }
    return pi == p.length;
  }

  private static boolean isStar(int t, int escape, boolean glob) {
    return glob ? t == '*' : t == '%' && t != escape;
  }

  /**
   * How many pattern characters at {@code pi} match the character {@code c} (one for a literal or
   * {@code _}/{@code ?}, more for an escape or a {@code [...]} class), or -1 if they do not.
   */
  private static int one(int[] p, int pi, int c, int escape, boolean glob) {
    int t = p[pi];
    if (glob ? t == '?' : t == '_' && t != escape) {
      return 1;
    }
    if (glob && t == '[') {
      int end = pi + 1;
      boolean negate = end < p.length && p[end] == '^';
      if (negate) {
        end++;
      }
      int first = end;
      boolean hit = false;
      while (end < p.length && (p[end] != ']' || end == first)) {
        if (end + 2 < p.length && p[end + 1] == '-' && p[end + 2] != ']') {
          hit |= c >= p[end] && c <= p[end + 2];
          end += 3;
        } else {
          hit |= c == p[end];
          end++;
        }
      }
      if (end >= p.length || hit == negate) {
        return -1;
      }
      return end + 1 - pi;
    }
    int width = 1;
    if (!glob && t == escape) {
      if (pi + 1 >= p.length) {
        return -1;
      }
      t = p[pi + 1];
      width = 2;
    }
    return (glob ? c == t : sameIgnoringAsciiCase(c, t)) ? width : -1;
  }

  private static boolean sameIgnoringAsciiCase(int a, int b) {
    if (a == b) {
      return true;
    }
    if (a < 128 && b < 128) {
      return Character.toLowerCase(a) == Character.toLowerCase(b);
    }
    return false;
  }

  /** The running state of one aggregate over one group. */
  static final class Accumulator {
    private final Expr.Aggregate agg;
    private java.util.TreeSet<Object> seen;
    private long count;
    private long intSum;
    private double realSum;
    private boolean real;
    private boolean overflow;

    /** The Kahan-Babuska-Neumaier compensation of {@link #realSum}, as SQLite sums REALs. */
    private double compensation;

    private Object best;
    private StringBuilder text;

    Accumulator(Expr.Aggregate agg) {
      this.agg = agg;
      if (agg.distinct) {
        seen = new java.util.TreeSet<>(SqlValues::compare);
      }
    }

    /** SQLite has no NaN: a REAL that is not a number is NULL. */
    private static Object notNaN(double d) {
      return Double.isNaN(d) ? null : (Object) d;
    }

    private void startReal() {
      realSum = 0;
      compensation = 0;
      addLong(intSum);
    }

    /**
     * Adds an INTEGER as SQLite does: one that a double cannot hold exactly in two parts, so that
     * its low bits survive next to REALs.
     */
    private void addLong(long l) {
      if (l <= -4503599627370496L || l >= 4503599627370496L) {
        long small = l % 16384;
        addReal(l - small);
        addReal(small);
      } else {
        addReal(l);
      }
    }

    private void addReal(double x) {
      double t = realSum + x;
      if (Math.abs(realSum) >= Math.abs(x)) {
        compensation += (realSum - t) + x;
      } else {
        compensation += (x - t) + realSum;
      }
      realSum = t;
    }

    /** The sum with its compensation, unless that overflowed (then the sum alone, as SQLite). */
    private double realTotal() {
      return Double.isFinite(compensation) ? realSum + compensation : realSum;
    }

    /**
     * Adds the current row; true if it became the min() or max() (the row a query's other columns
     * then come from), or is a NULL before any value.
     */
    boolean step(Frame f) {
      if (agg.star) {
        count++;
        return false;
      }
      Object v = agg.args.get(0).eval(f);
      if (agg.name.equals("count") && agg.args.isEmpty()) {
        count++;
        return false;
      }
      if (v == null) {
        // While min() or max() has seen no value, each row is the one its query's other columns
        // show (SQLite loads them unless the aggregate says to skip).
        return best == null && (agg.name.equals("min") || agg.name.equals("max"));
      }
      if (seen != null && !seen.add(v)) {
        return false;
      }
      count++;
      switch (agg.name) {
        case "sum", "avg", "total" -> {
          // Text that spells a number counts as that number (SQLite's numeric type of a value).
          v = SqlValues.numericForCompare(v);
          if (v instanceof Long l) {
            if (!real) {
              try {
                intSum = Math.addExact(intSum, l);
              } catch (ArithmeticException e) {
                // As SQLite: go on approximately, and fail at the end unless a REAL comes.
                overflow = true;
                real = true;
                startReal();
                addLong(l);
              }
            } else {
              addLong(l);
            }
          } else {
            if (!real) {
              real = true;
              startReal();
            }
            overflow = false;
            addReal(SqlValues.toDouble(v));
          }
        }
        case "min" -> {
          if (best == null || SqlValues.compare(v, best) < 0) {
            best = v;
            return true;
          }
        }
        case "max" -> {
          if (best == null || SqlValues.compare(v, best) > 0) {
            best = v;
            return true;
          }
        }
        case "group_concat" -> {
          if (text == null) {
            text = new StringBuilder();
          } else {
            Object sep = agg.args.size() > 1 ? agg.args.get(1).eval(f) : ",";
            if (sep != null) {
              text.append(SqlValues.text(sep));
            }
          }
          text.append(SqlValues.text(v));
          checkLength(text.length());
        }
        default -> {}
      }
      return false;
    }

    Object result() {
      switch (agg.name) {
        case "count":
          return count;
        case "sum":
          if (count == 0) {
            return null;
          }
          if (overflow) {
            throw new SqlException("integer overflow");
          }
          return real ? notNaN(realTotal()) : (Object) intSum;
        case "total":
          return real ? notNaN(realTotal()) : (Object) (double) intSum;
        case "avg":
          if (count == 0) {
            return null;
          }
          return notNaN((real ? realTotal() : (double) intSum) / count);
        case "min":
        case "max":
          return best;
        default:
          return text == null ? null : text.toString();
      }
    }
  }
}
