package io.toridb.core.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The sqllogictest runner itself, against a fake executor that answers from a table. */
class SqlLogicTestRunnerTest {
  private static final SqlResult DONE = new SqlResult(null, List.of(), 0);

  /** Answers each SQL text from a table (a result, or an exception to throw); others succeed. */
  private static final class Fake implements Function<String, SqlResult> {
    final Map<String, Object> answers = new HashMap<>();
    final List<String> executed = new ArrayList<>();

    Fake on(String sql, Object answer) {
      answers.put(sql, answer);
      return this;
    }

    @Override
    public SqlResult apply(String sql) {
      executed.add(sql);
      Object answer = answers.getOrDefault(sql, DONE);
      if (answer instanceof RuntimeException e) {
        throw e;
      }
      return (SqlResult) answer;
    }
  }

  /** A query result of {@code columns} columns holding {@code values} row after row. */
  private static SqlResult rows(int columns, Object... values) {
    List<String> names = IntStream.range(0, columns).mapToObj(i -> "c" + i).toList();
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < values.length; i += columns) {
      Object[] row = new Object[columns];
      System.arraycopy(values, i, row, 0, columns);
      rows.add(row);
    }
    return new SqlResult(names, rows, 0);
  }

  private static SqlLogicTestRunner.Result run(Fake fake, String... lines) {
    return new SqlLogicTestRunner(fake).run("t.test", String.join("\n", lines) + "\n");
  }

  private static String md5OfLines(List<String> values) throws Exception {
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    for (String v : values) {
      md5.update((v + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(md5.digest());
  }

  @Test
  void formatsNullAndTextAsTheDriverDoes() {
    for (char type : new char[] {'T', 'I', 'R'}) {
      assertEquals("NULL", SqlLogicTestRunner.formatValue(null, type));
    }
    assertEquals("(empty)", SqlLogicTestRunner.formatValue("", 'T'));
    assertEquals("abc def", SqlLogicTestRunner.formatValue("abc def", 'T'));
    assertEquals("a@b@c@", SqlLogicTestRunner.formatValue("a\tb\nc\u007f", 'T'));
    // Each UTF-8 byte of a non-ASCII character is replaced: é is two bytes.
    assertEquals("caf@@", SqlLogicTestRunner.formatValue("café", 'T'));
    // The driver's C string ends at a NUL.
    assertEquals("ab", SqlLogicTestRunner.formatValue("ab\0cd", 'T'));
    assertEquals("(empty)", SqlLogicTestRunner.formatValue("\0cd", 'T'));
    assertEquals("hi@", SqlLogicTestRunner.formatValue(new byte[] {'h', 'i', (byte) 0xff}, 'T'));
    // Numbers read as text the way SQLite renders them.
    assertEquals("-12", SqlLogicTestRunner.formatValue(-12L, 'T'));
    assertEquals("1.0", SqlLogicTestRunner.formatValue(1.0, 'T'));
    assertEquals("0.1", SqlLogicTestRunner.formatValue(0.1, 'T'));
    assertEquals("100.0", SqlLogicTestRunner.formatValue(100.0, 'T'));
    assertEquals("1.0e+20", SqlLogicTestRunner.formatValue(1e20, 'T'));
    assertEquals("1.5e-05", SqlLogicTestRunner.formatValue(1.5e-5, 'T'));
    assertEquals("-2.5", SqlLogicTestRunner.formatValue(-2.5, 'T'));
  }

  @Test
  void formatsIntegersAsTheDriverDoes() {
    assertEquals("42", SqlLogicTestRunner.formatValue(42L, 'I'));
    assertEquals("-7", SqlLogicTestRunner.formatValue(-7L, 'I'));
    // Reals truncate toward zero.
    assertEquals("3", SqlLogicTestRunner.formatValue(3.9, 'I'));
    assertEquals("-3", SqlLogicTestRunner.formatValue(-3.9, 'I'));
    // Text converts like SQLite: spaces, sign, leading digits, else 0.
    assertEquals("12", SqlLogicTestRunner.formatValue("  12abc", 'I'));
    assertEquals("-5", SqlLogicTestRunner.formatValue("-5", 'I'));
    assertEquals("1", SqlLogicTestRunner.formatValue("1.9e3", 'I'));
    assertEquals("0", SqlLogicTestRunner.formatValue("abc", 'I'));
    assertEquals("0", SqlLogicTestRunner.formatValue("", 'I'));
    assertEquals("7", SqlLogicTestRunner.formatValue(new byte[] {'7', 'x'}, 'I'));
    // The driver prints the column's low 32 bits (sqlite3_column_int, %d).
    assertEquals("1", SqlLogicTestRunner.formatValue(4294967297L, 'I'));
    assertEquals("-2147483648", SqlLogicTestRunner.formatValue(2147483648L, 'I'));
    assertEquals(
        Long.MAX_VALUE, SqlLogicTestRunner.textToInteger("99999999999999999999".getBytes()));
    assertEquals(
        Long.MIN_VALUE, SqlLogicTestRunner.textToInteger(" -99999999999999999999".getBytes()));
  }

  @Test
  void formatsRealsAsTheDriverDoes() {
    assertEquals("1.000", SqlLogicTestRunner.formatValue(1L, 'R'));
    assertEquals("2.500", SqlLogicTestRunner.formatValue(2.5, 'R'));
    assertEquals("-0.333", SqlLogicTestRunner.formatValue(-1.0 / 3, 'R'));
    assertEquals("0.667", SqlLogicTestRunner.formatValue(2.0 / 3, 'R'));
    // An exact tie rounds away from zero, as SQLite's printf does.
    assertEquals("1.063", SqlLogicTestRunner.formatValue(1.0625, 'R'));
    assertEquals("0.000", SqlLogicTestRunner.formatValue(0.0, 'R'));
    assertEquals("0.000", SqlLogicTestRunner.formatValue(-0.0, 'R'));
    assertEquals("-0.000", SqlLogicTestRunner.formatValue(-0.0001, 'R'));
    // At most 16 significant digits; these two are expected results in the evidence scripts.
    assertEquals(
        "-9223372036854776000.000", SqlLogicTestRunner.formatValue(-9223372036854775808.0, 'R'));
    assertEquals(
        "-18446744073709550000.000", SqlLogicTestRunner.formatValue(-18446744073709551616.0, 'R'));
    // Text converts through its longest numeric prefix.
    assertEquals("3.250", SqlLogicTestRunner.formatValue("3.25xyz", 'R'));
    assertEquals("1500.000", SqlLogicTestRunner.formatValue(" 1.5e3", 'R'));
    assertEquals("-0.500", SqlLogicTestRunner.formatValue("-.5e0x", 'R'));
    assertEquals("0.000", SqlLogicTestRunner.formatValue("abc", 'R'));
    assertEquals("Inf", SqlLogicTestRunner.formatValue(Double.POSITIVE_INFINITY, 'R'));
  }

  @Test
  void passesMatchingRecordsAndFormatsEachColumnByItsType() {
    Fake fake = new Fake().on("SELECT *", rows(4, null, "", "a\nb", 2.5, 7L, "x", "y", 1L));
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "hash-threshold 8",
            "",
            "statement ok",
            "CREATE TABLE t(a, b)",
            "",
            "query TTTR nosort",
            "SELECT *",
            "----",
            "NULL",
            "(empty)",
            "a@b",
            "2.500",
            "7",
            "x",
            "y",
            "1.000");
    assertEquals(List.of(), result.failures());
    assertEquals(2, result.passed());
    assertEquals(List.of("CREATE TABLE t(a, b)", "SELECT *"), fake.executed);
  }

  @Test
  void rowsortSortsWholeRowsAsStringsAndValuesortEachValue() {
    // Sorted as text, "10" comes before "9".
    Fake fake = new Fake().on("SELECT a, b", rows(2, 9L, "b", 10L, "x", 9L, "a"));
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "query IT rowsort",
            "SELECT a, b",
            "----",
            "10",
            "x",
            "9",
            "a",
            "9",
            "b",
            "",
            "query IT valuesort",
            "SELECT a, b",
            "----",
            "10",
            "9",
            "9",
            "a",
            "b",
            "x",
            "",
            "query IT nosort",
            "SELECT a, b",
            "----",
            "10",
            "x",
            "9",
            "a",
            "9",
            "b");
    assertEquals(2, result.passed());
    assertEquals(1, result.failed());
    SqlLogicTestRunner.Failure failure = result.failures().get(0);
    assertEquals(21, failure.line());
    assertEquals("wrong result", failure.message());
    assertEquals("9\nb\n10\nx\n9\na", failure.actual());
  }

  @Test
  void comparesHashedResultsByCountAndMd5OfTheSortedValues() throws Exception {
    Fake fake = new Fake().on("SELECT n", rows(1, 10L, 9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L));
    String hash = md5OfLines(List.of("1", "10", "2", "3", "4", "5", "6", "7", "8", "9"));
    String otherHash = md5OfLines(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10"));
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "query I rowsort",
            "SELECT n",
            "----",
            "10 values hashing to " + hash,
            "",
            "query I rowsort",
            "SELECT n",
            "----",
            "11 values hashing to " + hash,
            "",
            "query I rowsort",
            "SELECT n",
            "----",
            "10 values hashing to " + otherHash);
    assertEquals(1, result.passed());
    assertEquals(2, result.failed());
    assertEquals(6, result.failures().get(0).line());
    assertEquals("wrong result hash", result.failures().get(0).message());
    assertTrue(result.failures().get(0).actual().startsWith("10 values hashing to " + hash));
    assertEquals(11, result.failures().get(1).line());
  }

  @Test
  void skipifAndOnlyifMatchTheEngineSqlite() {
    Fake fake = new Fake();
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "skipif sqlite",
            "statement ok",
            "A",
            "",
            "onlyif mysql",
            "statement ok",
            "B",
            "",
            "onlyif sqlite",
            "statement ok",
            "C",
            "",
            "skipif mysql",
            "statement ok",
            "D",
            "",
            "skipif postgresql",
            "onlyif SQLite",
            "statement ok",
            "E",
            "",
            "onlyif sqlite",
            "skipif sqlite",
            "query I nosort",
            "F",
            "----",
            "1");
    assertEquals(List.of("C", "D", "E"), fake.executed);
    assertEquals(3, result.passed());
    assertEquals(3, result.skipped());
    assertEquals(0, result.failed());
  }

  @Test
  void statementErrorPassesOnlyWhenTheExecutorThrows() {
    SqlException noTable = new SqlException("no such table: t9");
    Fake fake =
        new Fake().on("BAD", new SqlException("near \"BAD\": syntax error")).on("MISSING", noTable);
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "statement error",
            "BAD",
            "",
            "statement error",
            "GOOD",
            "",
            "statement ok",
            "MISSING",
            "",
            "statement ok",
            "GOOD");
    assertEquals(2, result.passed());
    assertEquals(2, result.failed());
    assertEquals(4, result.failures().get(0).line());
    assertEquals("statement should have failed", result.failures().get(0).message());
    assertEquals(7, result.failures().get(1).line());
    assertEquals("statement failed", result.failures().get(1).message());
    assertSame(noTable, result.failures().get(1).error());
  }

  @Test
  void haltStopsTheFileUnlessSkipped() {
    Fake fake = new Fake();
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "statement ok",
            "A",
            "",
            "onlyif mssql",
            "halt",
            "",
            "statement ok",
            "B",
            "",
            "halt",
            "",
            "statement ok",
            "C");
    assertEquals(List.of("A", "B"), fake.executed);
    assertEquals(2, result.passed());
    assertEquals(0, result.skipped());
  }

  @Test
  void reportsAWrongResultWithItsLineSqlAndBothSides() {
    Fake fake = new Fake().on("SELECT a\nFROM t", rows(1, 1L, 3L));
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "# a comment line",
            "statement ok",
            "CREATE TABLE t(a)",
            "",
            "query I nosort",
            "SELECT a",
            "# comments inside a record are skipped too",
            "FROM t",
            "----",
            "1",
            "2");
    assertEquals(1, result.passed());
    assertEquals(1, result.failed());
    SqlLogicTestRunner.Failure failure = result.failures().get(0);
    assertEquals("t.test", failure.file());
    assertEquals(5, failure.line());
    assertEquals("SELECT a\nFROM t", failure.sql());
    assertEquals("wrong result", failure.message());
    assertEquals("1\n2", failure.expected());
    assertEquals("1\n3", failure.actual());
    assertNull(failure.error());
    assertTrue(failure.toString().startsWith("t.test:5: wrong result"), failure.toString());
    assertTrue(result.report(20).startsWith("t.test: 1 passed, 1 failed, 0 skipped"));
  }

  @Test
  void aMissingOrExtraValueFails() {
    Fake fake = new Fake().on("SELECT 1", rows(1, 1L)).on("SELECT none", rows(1));
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "query I nosort",
            "SELECT 1",
            "----",
            "1",
            "1",
            "",
            "query I nosort",
            "SELECT 1",
            "----",
            "",
            "query I nosort",
            "SELECT 1",
            "",
            "query I nosort",
            "SELECT none",
            "",
            "query I nosort",
            "SELECT none",
            "----");
    assertEquals(2, result.passed());
    assertEquals(List.of(1, 7, 11), result.failures().stream().map(f -> f.line()).toList());
  }

  @Test
  void reportsQueryErrorsAndWrongColumnCounts() {
    SqlException error = new SqlException("no such column: z");
    Fake fake = new Fake().on("SELECT z", error).on("SELECT 1, 2", rows(2, 1L, 2L));
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "query I nosort",
            "SELECT z",
            "----",
            "1",
            "",
            "query I nosort",
            "SELECT 1, 2",
            "----",
            "1",
            "",
            "query I nosort",
            "INSERT INTO t VALUES(1)",
            "----",
            "",
            "query IX nosort",
            "SELECT 1, 2",
            "----",
            "1",
            "2");
    assertEquals(0, result.passed());
    assertEquals(4, result.failed());
    assertEquals("query failed", result.failures().get(0).message());
    assertSame(error, result.failures().get(0).error());
    assertEquals(
        "wrong number of result columns: expected 1 but got 2", result.failures().get(1).message());
    assertEquals(
        "wrong number of result columns: expected 1 but got 0", result.failures().get(2).message());
    assertEquals("unknown type character 'X' in type string", result.failures().get(3).message());
    // A query with an unknown type is not run.
    assertEquals(3, fake.executed.size());
  }

  @Test
  void queriesWithTheSameLabelMustAgree() {
    Fake fake =
        new Fake()
            .on("SELECT 1", rows(1, 1L))
            .on("SELECT 1.0", rows(1, 1.0))
            .on("SELECT 2", rows(1, 2L));
    SqlLogicTestRunner.Result result =
        run(
            fake,
            "query I nosort label-1",
            "SELECT 1",
            "----",
            "1",
            "",
            "query I nosort label-1",
            "SELECT 1.0",
            "----",
            "1",
            "",
            "query I nosort label-1",
            "SELECT 2",
            "----",
            "2",
            "",
            "skipif sqlite",
            "query I nosort label-2",
            "SELECT 5",
            "----",
            "5",
            "",
            "query I nosort label-2",
            "SELECT 2",
            "----",
            "2");
    assertEquals(2, result.passed());
    assertEquals(1, result.skipped());
    assertEquals(List.of(11, 22), result.failures().stream().map(f -> f.line()).toList());
    assertEquals(
        "labeled result [label-1] does not agree with previous values",
        result.failures().get(0).message());
  }

  @Test
  void anUnknownRecordStopsTheFile() {
    Fake fake = new Fake();
    SqlLogicTestRunner.Result result =
        run(fake, "statement ok", "A", "", "frobnicate", "", "statement ok", "B");
    assertEquals(List.of("A"), fake.executed);
    assertEquals(1, result.failed());
    assertEquals(4, result.failures().get(0).line());
  }

  @Test
  void readsCrlfScriptsAndBlankLinesOfSpaces() {
    Fake fake = new Fake().on("SELECT 1", rows(1, 1L));
    SqlLogicTestRunner.Result result =
        new SqlLogicTestRunner(fake)
            .run(
                "crlf.test",
                "statement ok\r\nCREATE TABLE t(a)\r\n   \r\nquery I nosort\r\nSELECT 1\r\n----\r\n1");
    assertEquals(List.of("CREATE TABLE t(a)", "SELECT 1"), fake.executed);
    assertEquals(2, result.passed());
    assertEquals(0, result.failed());
  }

  @Test
  void md5IsOverEachValueFollowedByANewline() throws Exception {
    List<String> values = List.of("NULL", "(empty)", "1.000", "x");
    assertEquals(md5OfLines(values), SqlLogicTestRunner.md5(values));
    assertEquals(md5OfLines(List.of()), SqlLogicTestRunner.md5(List.of()));
  }
}
