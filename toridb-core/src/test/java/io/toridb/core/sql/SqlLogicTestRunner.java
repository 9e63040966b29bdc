package io.toridb.core.sql;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a script in SQLite's sqllogictest format against a SQL executor and lists the records whose
 * outcome differs from the script.
 *
 * <p>The rules are those of the reference driver ({@code sqllogictest.c} with its SQLite engine
 * {@code slt_sqlite.c}) in verify mode, with the executor standing in for SQLite: {@code skipif
 * sqlite} skips a record and {@code onlyif sqlite} keeps it. The script is read line by line as the
 * driver reads it: a line starting with {@code #} is a comment wherever it is, a line of only white
 * space is blank, blank lines end records, and the first line of a record says what it is:
 *
 * <ul>
 *   <li>{@code statement ok} or {@code statement error}, then the SQL: the record passes if the
 *       executor returns, or throws a {@link RuntimeException}, as announced.
 *   <li>{@code query <types> [<sort mode> [<label>]]}, then the SQL, then optionally a {@code ----}
 *       line and the expected values: one per line (row after row), or the single line {@code N
 *       values hashing to <md5>}. Every value is formatted as the driver formats it (see {@link
 *       #formatValue}), then sorted as the sort mode asks ({@code nosort}, {@code rowsort}, {@code
 *       valuesort}). The form of the expected text decides the comparison: a hash line compares the
 *       count and the MD5 of the values (each followed by a newline); value lines compare the whole
 *       list, so a missing or extra value fails (the driver itself only compares as many lines as
 *       both sides have).
 *   <li>{@code hash-threshold N}: recorded, but it decides nothing here, since the expected text
 *       already says whether it is hashed.
 *   <li>{@code halt}: stops the script (unless a {@code skipif} or {@code onlyif} skips it, which
 *       is how scripts stop for other engines only).
 * </ul>
 *
 * <p>Labels are checked as the driver checks them: queries of one script with the same label must
 * give the same hash. A query whose own result is wrong reports that and leaves the label alone, so
 * one wrong result is not reported twice; a skipped labelled query contributes the hash of its
 * expected text.
 */
public final class SqlLogicTestRunner {
  /** The engine the scripts' {@code skipif} and {@code onlyif} lines are matched against. */
  public static final String ENGINE = "sqlite";

  /** The driver's threshold when a script sets none (it only matters when writing results). */
  static final int DEFAULT_HASH_THRESHOLD = 8;

  private static final Pattern HASH_LINE =
      Pattern.compile("(\\d+) values hashing to ([0-9a-fA-F]{32})");
  private static final Pattern REAL_PREFIX =
      Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  /** Failure texts quote at most this many values of a result. */
  private static final int SHOWN_VALUES = 40;

  private final Function<String, SqlResult> executor;

  /**
   * A runner that hands each record's SQL to {@code executor}, which returns the statement's result
   * or throws a {@link RuntimeException} (normally a {@link SqlException}) when it fails.
   */
  public SqlLogicTestRunner(Function<String, SqlResult> executor) {
    this.executor = Objects.requireNonNull(executor);
  }

  /** Runs the script in the file at {@code path}, naming it by the path in failures. */
  public Result runFile(Path path) throws IOException {
    return run(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
  }

  /** Runs the script {@code script}, naming it {@code file} in failures. */
  public Result run(String file, String script) {
    List<Failure> failures = new ArrayList<>();
    int passed = 0;
    int skipped = 0;
    int hashThreshold = DEFAULT_HASH_THRESHOLD;
    Map<String, String> labels = new HashMap<>();
    records:
    for (Record r : parse(script)) {
      String kind = r.token(0);
      if (r.skipped()) {
        // Only skipped statements and queries count; a skipped halt is how a script stops for other
        // engines, not a test.
        if (!kind.equals("statement") && !kind.equals("query")) {
          continue;
        }
        String problem = kind.equals("query") ? checkSkippedLabel(r, labels) : null;
        if (problem == null) {
          skipped++;
        } else {
          failures.add(new Failure(file, r.line(), r.sql(), problem, null, null, null));
        }
        continue;
      }
      switch (kind) {
        case "statement" -> {
          Failure failure = runStatement(file, r);
          if (failure == null) {
            passed++;
          } else {
            failures.add(failure);
          }
        }
        case "query" -> {
          if (r.token(1).isEmpty()) {
            // The driver gives up on the whole script here.
            failures.add(failure(file, r, "missing type string"));
            break records;
          }
          Failure failure = runQuery(file, r, labels);
          if (failure == null) {
            passed++;
          } else {
            failures.add(failure);
          }
        }
        case "hash-threshold" -> hashThreshold = (int) textToInteger(ascii(r.token(1)));
        case "halt" -> {
          break records;
        }
        default -> {
          // The driver stops at a record it does not know rather than guess at the rest.
          failures.add(failure(file, r, "unknown record type: '" + kind + "'"));
          break records;
        }
      }
    }
    return new Result(file, passed, skipped, hashThreshold, List.copyOf(failures));
  }

  private Failure runStatement(String file, Record r) {
    RuntimeException error = null;
    try {
      executor.apply(r.sql());
    } catch (RuntimeException e) {
      error = e;
    }
    return switch (r.token(1)) {
      case "ok" ->
          error == null
              ? null
              : new Failure(file, r.line(), r.sql(), "statement failed", null, null, error);
      case "error" -> error != null ? null : failure(file, r, "statement should have failed");
      default -> failure(file, r, "statement argument should be 'ok' or 'error'");
    };
  }

  private Failure runQuery(String file, Record r, Map<String, String> labels) {
    String types = r.token(1);
    for (int i = 0; i < types.length(); i++) {
      char c = types.charAt(i);
      if (c != 'T' && c != 'I' && c != 'R') {
        return failure(file, r, "unknown type character '" + c + "' in type string");
      }
    }
    String sortMode = r.token(2);
    if (!sortMode.isEmpty()
        && !sortMode.equals("nosort")
        && !sortMode.equals("rowsort")
        && !sortMode.equals("valuesort")) {
      return failure(file, r, "unknown sort method: '" + sortMode + "'");
    }
    SqlResult result;
    try {
      result = executor.apply(r.sql());
    } catch (RuntimeException e) {
      return new Failure(file, r.line(), r.sql(), "query failed", null, null, e);
    }
    int columns = result == null || !result.isQuery() ? 0 : result.columns().size();
    if (columns != types.length()) {
      return failure(
          file,
          r,
          "wrong number of result columns: expected " + types.length() + " but got " + columns);
    }
    List<String> values = new ArrayList<>();
    for (Object[] row : result.rows() == null ? List.<Object[]>of() : result.rows()) {
      if (row.length != columns) {
        return failure(file, r, "a row has " + row.length + " values for " + columns + " columns");
      }
      for (int i = 0; i < columns; i++) {
        try {
          values.add(formatValue(row[i], types.charAt(i)));
        } catch (IllegalArgumentException e) {
          return new Failure(file, r.line(), r.sql(), "unexpected value", null, null, e);
        }
      }
    }
    values = sortValues(values, columns, sortMode);

    List<String> expected = r.expected() == null ? List.of() : r.expected();
    Matcher hashLine = expected.size() == 1 ? HASH_LINE.matcher(expected.get(0)) : null;
    if (hashLine != null && hashLine.matches()) {
      String hash = md5(values);
      if (Long.parseLong(hashLine.group(1)) != values.size()
          || !hashLine.group(2).equalsIgnoreCase(hash)) {
        return new Failure(
            file,
            r.line(),
            r.sql(),
            "wrong result hash",
            expected.get(0),
            values.size() + " values hashing to " + hash + "\n" + show(values),
            null);
      }
    } else if (!expected.equals(values)) {
      return new Failure(
          file, r.line(), r.sql(), "wrong result", show(expected), show(values), null);
    }

    String label = r.token(3);
    if (!label.isEmpty()) {
      String hash = md5(values);
      String previous = labels.putIfAbsent(label, hash);
      if (previous != null && !previous.equals(hash)) {
        return failure(
            file, r, "labeled result [" + label + "] does not agree with previous values");
      }
    }
    return null;
  }

  /**
   * A skipped query with a label still states what the label hashes to: the driver records the hash
   * of its expected text, or checks it against the label's earlier queries. Returns the problem, or
   * null.
   */
  private static String checkSkippedLabel(Record r, Map<String, String> labels) {
    String label = r.token(3);
    List<String> expected = r.expected();
    if (label.isEmpty() || expected == null || expected.isEmpty()) {
      return null;
    }
    Matcher hashLine = HASH_LINE.matcher(expected.get(0));
    String hash = hashLine.matches() ? hashLine.group(2).toLowerCase(Locale.ROOT) : md5(expected);
    String previous = labels.putIfAbsent(label, hash);
    return previous == null || previous.equals(hash)
        ? null
        : "labeled result [" + label + "] does not agree with previous values";
  }

  private static Failure failure(String file, Record r, String message) {
    return new Failure(file, r.line(), r.sql(), message, null, null, null);
  }

  private static String show(List<String> values) {
    if (values.size() <= SHOWN_VALUES) {
      return String.join("\n", values);
    }
    return String.join("\n", values.subList(0, SHOWN_VALUES))
        + "\n... ("
        + (values.size() - SHOWN_VALUES)
        + " more)";
  }

  // ---------------------------------------------------------------------------------------------
  // Values as the driver prints them

  /**
   * {@code value} (null, {@link Long}, {@link Double}, {@link String} or {@code byte[]}) as the
   * driver prints it for a column of type {@code type}:
   *
   * <ul>
   *   <li>NULL is {@code NULL} whatever the type.
   *   <li>{@code T}: the value's text as SQLite gives it ({@code sqlite3_column_text}), cut at a
   *       NUL, {@code (empty)} if that leaves nothing, and every byte of its UTF-8 below {@code '
   *       '} or above {@code '~'} replaced by {@code @} (so a two-byte character gives {@code @@}).
   *   <li>{@code I}: the value converted to an integer as SQLite converts it, then printed with
   *       {@code %d} of its low 32 bits: the driver reads the column with {@code
   *       sqlite3_column_int}, so the scripts' expected values were made that way.
   *   <li>{@code R}: the value converted to a double as SQLite converts it, printed like SQLite's
   *       {@code %.3f} (at most 16 significant digits, then zeros).
   * </ul>
   *
   * @throws IllegalArgumentException for a value of another class, or an unknown type
   */
  static String formatValue(Object value, char type) {
    if (value == null) {
      return "NULL";
    }
    return switch (type) {
      case 'T' -> formatText(textBytes(value));
      case 'I' -> Integer.toString((int) toInteger(value));
      case 'R' -> formatReal(toReal(value));
      default -> throw new IllegalArgumentException("unknown type character: " + type);
    };
  }

  private static String formatText(byte[] bytes) {
    int end = 0;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    if (end == 0) {
      return "(empty)";
    }
    char[] out = new char[end];
    for (int i = 0; i < end; i++) {
      int b = bytes[i] & 0xff;
      out[i] = b < ' ' || b > '~' ? '@' : (char) b;
    }
    return new String(out);
  }

  /** The bytes {@code sqlite3_column_text} would give for {@code value}. */
  private static byte[] textBytes(Object value) {
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    if (value instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof Double || value instanceof Float) {
      return ascii(realToText(((Number) value).doubleValue()));
    }
    if (value instanceof Number n) {
      return ascii(Long.toString(n.longValue()));
    }
    throw new IllegalArgumentException("not an SQL value: " + value.getClass().getName());
  }

  /** {@code value} as {@code sqlite3_column_int64} would give it. */
  private static long toInteger(Object value) {
    if (value instanceof Double || value instanceof Float) {
      // A Java cast truncates toward zero and saturates at the long range, as SQLite's does.
      return (long) ((Number) value).doubleValue();
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof String s) {
      return textToInteger(s.getBytes(StandardCharsets.UTF_8));
    }
    if (value instanceof byte[] bytes) {
      return textToInteger(bytes);
    }
    throw new IllegalArgumentException("not an SQL value: " + value.getClass().getName());
  }

  /** {@code value} as {@code sqlite3_column_double} would give it. */
  private static double toReal(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      return textToReal(s.getBytes(StandardCharsets.UTF_8));
    }
    if (value instanceof byte[] bytes) {
      return textToReal(bytes);
    }
    throw new IllegalArgumentException("not an SQL value: " + value.getClass().getName());
  }

  /**
   * Text to integer as SQLite does it ({@code sqlite3Atoi64}): leading white space, an optional
   * sign, then the digits that follow; anything else ends the number, no digits give 0, and a
   * number beyond 64 bits is clamped to the nearest bound.
   */
  static long textToInteger(byte[] text) {
    int i = 0;
    while (i < text.length && isSpace(text[i])) {
      i++;
    }
    boolean negative = false;
    if (i < text.length && (text[i] == '-' || text[i] == '+')) {
      negative = text[i] == '-';
      i++;
    }
    int start = i;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') {
      i++;
    }
    if (i == start) {
      return 0;
    }
    BigInteger n = new BigInteger(new String(text, start, i - start, StandardCharsets.US_ASCII));
    if (negative) {
      n = n.negate();
    }
    return n.max(LONG_MIN).min(LONG_MAX).longValue();
  }

  /**
   * Text to double as SQLite does it ({@code sqlite3AtoF}): the value of the longest numeric prefix
   * after leading white space (digits with an optional fraction and exponent), else 0.
   */
  static double textToReal(byte[] text) {
    int i = 0;
    while (i < text.length && isSpace(text[i])) {
      i++;
    }
    Matcher m =
        REAL_PREFIX.matcher(new String(text, i, text.length - i, StandardCharsets.ISO_8859_1));
    return m.lookingAt() ? Double.parseDouble(m.group()) : 0.0;
  }

  /**
   * {@code d} as SQLite's {@code printf("%.3f")}: rounded half up at the third decimal, but with no
   * more than 16 significant digits, further integer digits printing as zeros (so -2^63 prints as
   * {@code -9223372036854776000.000}, as the scripts expect).
   */
  static String formatReal(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d < 0 ? "-Inf" : "Inf";
    }
    BigDecimal x = new BigDecimal(Math.abs(d));
    int integerDigits = x.precision() - x.scale();
    if (integerDigits + 3 > 16) {
      x = x.round(new MathContext(16, RoundingMode.HALF_UP));
    }
    String text = x.setScale(3, RoundingMode.HALF_UP).toPlainString();
    // SQLite takes the sign from the value, not from the rounded digits: -0.0001 is "-0.000".
    return d < 0 ? "-" + text : text;
  }

  /**
   * {@code d} as SQLite turns a REAL into text ({@code printf("%!.15g")}): 15 significant digits,
   * trailing zeros dropped but at least one decimal ({@code 1.0}), exponent form ({@code 1.0e+20})
   * below 1e-4 or from 1e15.
   */
  static String realToText(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d < 0 ? "-Inf" : "Inf";
    }
    String sign = d < 0 ? "-" : "";
    if (d == 0) {
      return "0.0";
    }
    BigDecimal x = new BigDecimal(Math.abs(d)).round(new MathContext(15, RoundingMode.HALF_UP));
    int exponent = x.precision() - x.scale() - 1;
    if (exponent < -4 || exponent >= 15) {
      String digits = x.unscaledValue().toString().replaceFirst("0+$", "");
      String mantissa = digits.charAt(0) + "." + (digits.length() > 1 ? digits.substring(1) : "0");
      String e = Integer.toString(Math.abs(exponent));
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }
    String plain = x.stripTrailingZeros().toPlainString();
    return sign + (plain.indexOf('.') < 0 ? plain + ".0" : plain);
  }

  /**
   * Sorts the formatted values of a result as the sort mode asks: {@code rowsort} orders whole rows
   * ({@code columns} values each) by comparing their values in turn, {@code valuesort} orders the
   * values one by one, anything else keeps the order. Comparison is {@code strcmp}'s, which for
   * these ASCII texts is {@link String#compareTo}.
   */
  static List<String> sortValues(List<String> values, int columns, String sortMode) {
    switch (sortMode) {
      case "rowsort" -> {
        if (columns == 0) {
          return values;
        }
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i + columns <= values.size(); i += columns) {
          rows.add(values.subList(i, i + columns));
        }
        rows.sort(
            (a, b) -> {
              for (int i = 0; i < columns; i++) {
                int c = a.get(i).compareTo(b.get(i));
                if (c != 0) {
                  return c;
                }
              }
              return 0;
            });
        List<String> sorted = new ArrayList<>(values.size());
        rows.forEach(sorted::addAll);
        return sorted;
      }
      case "valuesort" -> {
        List<String> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted;
      }
      default -> {
        return values;
      }
    }
  }

  /** The hash of a result as the scripts write it: MD5 of each value followed by a newline. */
  static String md5(List<String> values) {
    MessageDigest md5;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (String v : values) {
      md5.update(v.getBytes(StandardCharsets.UTF_8));
      md5.update((byte) '\n');
    }
    StringBuilder hex = new StringBuilder(32);
    for (byte b : md5.digest()) {
      hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return hex.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing, line for line as the driver reads a script

  /** One record of a script, as read; {@code expected} is null when there is no {@code ----}. */
  private record Record(
      int line, List<String> conditions, String[] tokens, String sql, List<String> expected) {
    String token(int i) {
      return tokens[i];
    }

    /** Whether a {@code skipif ENGINE} or an {@code onlyif} of another engine skips the record. */
    boolean skipped() {
      for (String condition : conditions) {
        String[] parts = tokenize(condition);
        boolean match = parts[1].equalsIgnoreCase(ENGINE);
        if (parts[0].equals("skipif") == match) {
          return true;
        }
      }
      return false;
    }
  }

  private static List<Record> parse(String script) {
    Cursor in = new Cursor(script);
    List<Record> records = new ArrayList<>();
    while (in.findStartOfNextRecord()) {
      String[] tokens = tokenize(in.line);
      int line = in.lineNumber;
      List<String> conditions = new ArrayList<>();
      while (tokens[0].equals("skipif") || tokens[0].equals("onlyif")) {
        conditions.add(in.line);
        in.nextLine();
        tokens = tokenize(in.line);
        line = in.lineNumber;
      }
      String sql = null;
      List<String> expected = null;
      if (tokens[0].equals("statement")) {
        List<String> lines = new ArrayList<>();
        while (in.nextLine() && !in.line.isEmpty()) {
          lines.add(in.line);
        }
        sql = String.join("\n", lines);
      } else if (tokens[0].equals("query")) {
        List<String> lines = new ArrayList<>();
        while (!in.nextIsBlank()
            && in.nextLine()
            && !in.line.isEmpty()
            && !in.line.equals("----")) {
          lines.add(in.line);
        }
        sql = String.join("\n", lines);
        if (in.line.equals("----")) {
          expected = new ArrayList<>();
          while (in.nextLine() && !in.line.isEmpty()) {
            expected.add(in.line);
          }
        }
      }
      records.add(new Record(line, List.copyOf(conditions), tokens, sql, expected));
    }
    return records;
  }

  /** The first four white-space separated words of {@code line}, "" for those missing. */
  private static String[] tokenize(String line) {
    String[] tokens = {"", "", "", ""};
    int i = 0;
    for (int t = 0; t < tokens.length; t++) {
      while (i < line.length() && isSpace(line.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < line.length() && !isSpace(line.charAt(i))) {
        i++;
      }
      tokens[t] = line.substring(start, i);
    }
    return tokens;
  }

  /** C's {@code isspace}, which is what the driver and SQLite's conversions skip. */
  private static boolean isSpace(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The driver's reading position in a script. */
  private static final class Cursor {
    private final String[] lines;
    private int next;
    private boolean started;
    private boolean atEnd;
    String line = "";
    int lineNumber;

    Cursor(String script) {
      String[] split = script.split("\n", -1);
      // A final newline ends the last line rather than starting an empty one.
      this.lines =
          split.length > 0 && split[split.length - 1].isEmpty()
              ? Arrays.copyOf(split, split.length - 1)
              : split;
    }

    /**
     * Moves to the next line that is not a comment; a trailing CR is dropped and a line of only
     * white space reads as empty. False, with an empty line, at the end of the script.
     */
    boolean nextLine() {
      while (true) {
        if (next >= lines.length) {
          line = "";
          atEnd = true;
          return false;
        }
        lineNumber = next + 1;
        String l = lines[next++];
        if (l.endsWith("\r")) {
          l = l.substring(0, l.length() - 1);
        }
        if (isBlank(l)) {
          l = "";
        }
        if (!l.startsWith("#")) {
          line = l;
          return true;
        }
      }
    }

    /** Whether the next raw line (comment or not) is blank, or there is none. */
    boolean nextIsBlank() {
      return next >= lines.length || isBlank(lines[next]);
    }

    /** Skips the rest of the current record and the blank lines after it. */
    boolean findStartOfNextRecord() {
      if (started) {
        while (!line.isEmpty() && !atEnd) {
          nextLine();
        }
      } else {
        started = true;
        nextLine();
      }
      while (line.isEmpty() && !atEnd) {
        nextLine();
      }
      return !atEnd;
    }

    private static boolean isBlank(String s) {
      for (int i = 0; i < s.length(); i++) {
        if (!isSpace(s.charAt(i))) {
          return false;
        }
      }
      return true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Outcome

  /**
   * A record whose outcome differs from the script.
   *
   * @param file the script's name
   * @param line the line of the record's {@code statement} or {@code query} line
   * @param sql the record's SQL (null for records without any)
   * @param message what went wrong, in the driver's words where it has some
   * @param expected what the script expects, or null
   * @param actual what the executor gave, or null
   * @param error what the executor threw, or null
   */
  public record Failure(
      String file,
      int line,
      String sql,
      String message,
      String expected,
      String actual,
      Throwable error) {
    @Override
    public String toString() {
      StringBuilder s = new StringBuilder().append(file).append(':').append(line).append(": ");
      s.append(message);
      if (sql != null) {
        s.append("\n  sql: ").append(sql.replace("\n", "\n       "));
      }
      if (expected != null) {
        s.append("\n  expected:\n    ").append(expected.replace("\n", "\n    "));
      }
      if (actual != null) {
        s.append("\n  actual:\n    ").append(actual.replace("\n", "\n    "));
      }
      if (error != null) {
        s.append("\n  error: ").append(error);
      }
      return s.toString();
    }
  }

  /**
   * The outcome of one script. Every statement and query record up to a {@code halt} counts once:
   * passed, failed or skipped.
   *
   * @param file the script's name
   * @param passed records that ran as the script expects
   * @param skipped records that {@code skipif} or {@code onlyif} left out
   * @param hashThreshold the script's last {@code hash-threshold}, or the driver's default
   * @param failures the other records, in script order
   */
  public record Result(
      String file, int passed, int skipped, int hashThreshold, List<Failure> failures) {
    /** How many records failed. */
    public int failed() {
      return failures.size();
    }

    /** A line such as {@code select1.test: 1024 passed, 3 failed, 0 skipped}. */
    public String summary() {
      return file + ": " + passed + " passed, " + failed() + " failed, " + skipped + " skipped";
    }

    /** The summary followed by the first {@code limit} failures. */
    public String report(int limit) {
      StringBuilder s = new StringBuilder(summary());
      for (int i = 0; i < failures.size(); i++) {
        if (i == limit) {
          s.append("\n\n... and ").append(failures.size() - limit).append(" more failures");
          break;
        }
        s.append("\n\n").append(failures.get(i));
      }
      return s.toString();
    }
  }
}
