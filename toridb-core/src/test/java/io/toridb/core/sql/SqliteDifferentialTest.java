package io.toridb.core.sql;

import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * A randomized differential test of the SQL engine against real SQLite (through its JDBC driver):
 * each seed makes a random schema, fills it, changes it and queries it, and every statement runs on
 * both. When SQLite fails, the engine must fail too (with any message); when SQLite succeeds, the
 * engine must give the same rows (values compared with their types, REAL with a relative tolerance
 * of 1e-12 since summation order may differ in the last bit), or the same count of changed rows.
 * After each statement that writes, the written table is compared whole.
 *
 * <p>Queries with an ORDER BY over every result column are compared in order (rows that SQLite's
 * ordering cannot tell apart, such as 1 and 1.0, may come in either order); the others as
 * multisets. {@code group_concat} only appears as a whole result column, whose parts are compared
 * sorted (their order follows the scan order).
 *
 * <p>Seeds are fixed so that a failure reproduces; the report names the seed, the statement and
 * both results. With {@code -Dsqlite.differential.script=true} the test also prints every statement
 * of a failing seed up to the failure, one a line, ready to replay.
 */
class SqliteDifferentialTest {
  /** Mismatches reported per seed before it stops. */
  private static final int MAX_FAILURES_PER_SEED = 5;

  /** Statements after the initial schema and rows. */
  private static final int STATEMENTS_PER_SEED = 450;

  /**
   * Seeds 1 to 20, or {@code -Dsqlite.differential.count=N} from {@code
   * -Dsqlite.differential.first=F} for a longer search.
   */
  static java.util.stream.LongStream seeds() {
    long first = Long.getLong("sqlite.differential.first", 1);
    long count = Long.getLong("sqlite.differential.count", 20);
    return java.util.stream.LongStream.range(first, first + count);
  }

  @ParameterizedTest(name = "seed {0}")
  @org.junit.jupiter.params.provider.MethodSource("seeds")
  void engineGivesSqlitesResults(long seed) throws Exception {
    try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite::memory:")) {
      Run run = new Run(seed, sqlite);
      run.go();
      if (!run.failures.isEmpty()) {
        if (Boolean.getBoolean("sqlite.differential.script")) {
          System.out.println("-- seed " + seed + ": statements up to the last failure");
          for (String s : run.history.subList(0, run.lastFailureAt)) {
            System.out.println(s + ";");
          }
        }
        fail(
            run.failures.size()
                + " mismatch(es) with SQLite for seed "
                + seed
                + ":\n"
                + String.join("\n", run.failures));
      }
    }
  }

  // ---- running statements on both ----

  /** What a statement gave: an error, or rows (queries) or a count of changes. */
  private record Outcome(String error, List<Object[]> rows, long changes) {
    static Outcome failed(String message) {
      return new Outcome(message == null ? "(no message)" : message, null, 0);
    }

    @Override
    public String toString() {
      if (error != null) {
        return "error: " + error;
      }
      if (rows == null) {
        return "changes " + changes;
      }
      StringBuilder out = new StringBuilder().append(rows.size()).append(" row(s)");
      int shown = 0;
      for (Object[] r : rows) {
        if (shown++ == 30) {
          out.append(" ...");
          break;
        }
        out.append(shown == 1 ? ": " : ", ").append('(');
        for (int i = 0; i < r.length; i++) {
          out.append(i == 0 ? "" : ", ").append(show(r[i]));
        }
        out.append(')');
      }
      return out.toString();
    }
  }

  /** A statement the generator made, with what its comparison needs to know. */
  private record Stmt(
      String sql,
      boolean query,
      boolean ordered,
      boolean limited,
      Map<Integer, String> concatColumns,
      String writes) {
    static Stmt write(String sql, String table) {
      return new Stmt(sql, false, false, false, Map.of(), table);
    }
  }

  private static final class Run {
    final long seed;
    final Connection sqlite;
    final Catalog catalog = Catalog.inMemory();
    final Gen gen;
    final List<String> failures = new ArrayList<>();
    final List<String> history = new ArrayList<>();
    int statementNumber;
    int lastFailureAt;

    Run(long seed, Connection sqlite) {
      this.seed = seed;
      this.sqlite = sqlite;
      this.gen = new Gen(new Random(seed));
    }

    void go() {
      for (String ddl : gen.schema()) {
        if (!step(Stmt.write(ddl, null))) {
          return;
        }
      }
      for (int i = 0; i < 25; i++) {
        if (!step(gen.insert())) {
          return;
        }
      }
      for (int i = 0; i < STATEMENTS_PER_SEED; i++) {
        if (!step(gen.next()) || failures.size() >= MAX_FAILURES_PER_SEED) {
          return;
        }
      }
    }

    /** Runs one statement on both; false when the two databases may no longer be alike. */
    boolean step(Stmt s) {
      statementNumber++;
      history.add(s.sql());
      Outcome expected = onSqlite(s.sql(), s.query());
      Outcome actual = onEngine(s.sql(), s.query());
      String problem = difference(s, expected, actual);
      if (problem != null) {
        report(s.sql(), problem, expected, actual);
        return s.query();
      }
      if (s.writes() != null) {
        // (also after a failed statement, which must have changed nothing)
        String check = "SELECT rowid, * FROM " + s.writes() + " ORDER BY rowid";
        Stmt contents = new Stmt(check, true, true, false, Map.of(), null);
        Outcome e = onSqlite(check, true);
        Outcome a = onEngine(check, true);
        String p = difference(contents, e, a);
        if (p != null) {
          report(s.sql(), "the table differs after the statement (" + check + "): " + p, e, a);
          return false;
        }
      }
      return true;
    }

    void report(String sql, String problem, Outcome expected, Outcome actual) {
      lastFailureAt = statementNumber;
      failures.add(
          "seed "
              + seed
              + ", statement #"
              + statementNumber
              + ": "
              + sql
              + "\n  problem: "
              + problem
              + "\n  sqlite : "
              + expected
              + "\n  engine : "
              + actual);
    }

    Outcome onSqlite(String sql, boolean query) {
      try (java.sql.Statement st = sqlite.createStatement()) {
        if (!query) {
          return new Outcome(null, null, st.executeUpdate(sql));
        }
        try (ResultSet rs = st.executeQuery(sql)) {
          int n = rs.getMetaData().getColumnCount();
          List<Object[]> rows = new ArrayList<>();
          while (rs.next()) {
            Object[] r = new Object[n];
            for (int i = 0; i < n; i++) {
              Object v = rs.getObject(i + 1);
              r[i] = v instanceof Integer x ? Long.valueOf(x) : v;
            }
            rows.add(r);
          }
          return new Outcome(null, rows, 0);
        }
      } catch (SQLException e) {
        return Outcome.failed(e.getMessage());
      }
    }

    Outcome onEngine(String sql, boolean query) {
      try {
        SqlResult r = SqlEngine.execute(catalog, sql);
        if (query != r.isQuery()) {
          return Outcome.failed("engine: query=" + r.isQuery() + ", expected " + query);
        }
        return query ? new Outcome(null, r.rows(), 0) : new Outcome(null, null, r.changes());
      } catch (SqlException e) {
        return Outcome.failed(e.getMessage());
      } catch (RuntimeException | StackOverflowError e) {
        return Outcome.failed("CRASH " + e);
      }
    }
  }

  // ---- comparing ----

  /** Why the engine's outcome is not SQLite's, or null when it is. */
  static String difference(Stmt s, Outcome expected, Outcome actual) {
    if (actual.error() != null && actual.error().startsWith("CRASH ")) {
      return "the engine threw " + actual.error().substring(6);
    }
    if (expected.error() != null || actual.error() != null) {
      if (expected.error() != null && actual.error() != null) {
        return null;
      }
      return expected.error() != null ? "SQLite fails, the engine does not" : "the engine fails";
    }
    if (!s.query()) {
      return expected.changes() == actual.changes() ? null : "changes differ";
    }
    List<Object[]> want = canonical(expected.rows(), s.concatColumns());
    List<Object[]> got = canonical(actual.rows(), s.concatColumns());
    if (want.size() != got.size()) {
      return "row counts differ";
    }
    for (int i = 0; i < want.size(); i++) {
      if (want.get(i).length != got.get(i).length) {
        return "column counts differ";
      }
    }
    if (!s.ordered() || !s.concatColumns().isEmpty()) {
      return sameMultiset(want, got) ? null : "rows differ (compared as a multiset)";
    }
    // In order, but rows SQLite's ordering cannot tell apart may come in either order; and the
    // last such run under a LIMIT may be cut at different members.
    int i = 0;
    while (i < want.size()) {
      int j = i + 1;
      while (j < want.size() && sqliteOrderEqual(want.get(i), want.get(j))) {
        j++;
      }
      for (int k = i; k < j; k++) {
        if (!sqliteOrderEqual(want.get(i), got.get(k))) {
          return "rows differ at row " + (k + 1) + " (compared in order)";
        }
      }
      boolean lastRunUnderLimit = s.limited() && j == want.size();
      if (!lastRunUnderLimit && !sameMultiset(want.subList(i, j), got.subList(i, j))) {
        return "rows differ at rows " + (i + 1) + ".." + j + " (compared in order)";
      }
      i = j;
    }
    return null;
  }

  /** The rows with each group_concat column's parts sorted. */
  private static List<Object[]> canonical(List<Object[]> rows, Map<Integer, String> concat) {
    if (concat.isEmpty()) {
      return rows;
    }
    List<Object[]> out = new ArrayList<>();
    for (Object[] r : rows) {
      Object[] c = r.clone();
      for (Map.Entry<Integer, String> e : concat.entrySet()) {
        if (e.getKey() < c.length && c[e.getKey()] instanceof String text) {
          String[] parts = text.split(java.util.regex.Pattern.quote(e.getValue()), -1);
          Arrays.sort(parts);
          c[e.getKey()] = String.join(e.getValue(), parts);
        }
      }
      out.add(c);
    }
    return out;
  }

  private static boolean sameMultiset(List<Object[]> a, List<Object[]> b) {
    List<Object[]> x = new ArrayList<>(a);
    List<Object[]> y = new ArrayList<>(b);
    x.sort(ROW_ORDER);
    y.sort(ROW_ORDER);
    for (int i = 0; i < x.size(); i++) {
      Object[] p = x.get(i);
      Object[] q = y.get(i);
      for (int k = 0; k < p.length; k++) {
        if (!sameValue(p[k], q[k])) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Equal with the same type; REAL within a relative 1e-12. Two tolerances for what SQLite leaves
   * to chance or to its version: an INTEGER and a REAL of the same value are equal (which of two
   * equal values DISTINCT, GROUP BY or a compound SELECT keeps depends on the order its plan reads
   * rows in), and so are two texts of a REAL that read back as the same number (SQLite's 17-digit
   * expansion is not always correctly rounded in its last digit).
   */
  static boolean sameValue(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Long x && b instanceof Long y) {
      return x.equals(y);
    }
    if (a instanceof Double x && b instanceof Double y) {
      return closeReals(x, y);
    }
    if (a instanceof Long x && b instanceof Double y) {
      return x.doubleValue() == y && (long) y.doubleValue() == x;
    }
    if (a instanceof Double x && b instanceof Long y) {
      return y.doubleValue() == x && (long) x.doubleValue() == y;
    }
    if (a instanceof String x && b instanceof String y) {
      return x.equals(y) || sameRealText(x, y);
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    return false;
  }

  private static final java.util.regex.Pattern REAL_TEXT =
      java.util.regex.Pattern.compile("-?\\d+\\.\\d+(e[+-]\\d+)?");

  private static boolean sameRealText(String x, String y) {
    return REAL_TEXT.matcher(x).matches()
        && REAL_TEXT.matcher(y).matches()
        && Double.parseDouble(x) == Double.parseDouble(y);
  }

  private static boolean closeReals(double x, double y) {
    if (x == y || Double.compare(x, y) == 0) {
      return true;
    }
    if (Double.isInfinite(x) || Double.isInfinite(y) || Double.isNaN(x) || Double.isNaN(y)) {
      return false;
    }
    return Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y));
  }

  /** Whether SQLite's ordering puts the two rows level (1 and 1.0 are level). */
  private static boolean sqliteOrderEqual(Object[] a, Object[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      Object x = a[i];
      Object y = b[i];
      if ((x instanceof Long || x instanceof Double)
          && (y instanceof Long || y instanceof Double)) {
        if (x instanceof Double dx && y instanceof Double dy
            ? !closeReals(dx, dy)
            : number(x).compareTo(number(y)) != 0) {
          return false;
        }
      } else if (!sameValue(x, y)) {
        return false;
      }
    }
    return true;
  }

  private static int typeRank(Object v) {
    if (v == null) {
      return 0;
    }
    if (v instanceof Long || v instanceof Double) {
      return 1;
    }
    return v instanceof String ? 2 : 3;
  }

  private static BigDecimal number(Object v) {
    if (v instanceof Long l) {
      return BigDecimal.valueOf(l);
    }
    double d = (Double) v;
    if (Double.isInfinite(d) || Double.isNaN(d)) {
      return Double.isNaN(d) || d < 0
          ? BigDecimal.valueOf(-1e308).pow(2).negate()
          : BigDecimal.valueOf(1e308).pow(2);
    }
    return new BigDecimal(d);
  }

  /** A total order on values, for sorting rows before a multiset comparison. */
  private static final Comparator<Object> VALUE_ORDER =
      (a, b) -> {
        int c = Integer.compare(typeRank(a), typeRank(b));
        if (c != 0 || a == null) {
          return c;
        }
        if (typeRank(a) == 1) {
          // Equal numbers tie whatever their types, so that a multiset comparison pairs 0 with
          // 0.0 (see sameValue).
          return number(a).compareTo(number(b));
        }
        if (a instanceof String x) {
          return x.compareTo((String) b);
        }
        return Arrays.compareUnsigned((byte[]) a, (byte[]) b);
      };

  private static final Comparator<Object[]> ROW_ORDER =
      (a, b) -> {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
          int c = VALUE_ORDER.compare(a[i], b[i]);
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(a.length, b.length);
      };

  /** A value as a typed literal: 12, 12.0 (REAL), '12', X'3132', NULL. */
  static String show(Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof Long l) {
      return l.toString();
    }
    if (v instanceof Double d) {
      String t = Double.toString(d);
      return t.contains(".") || t.contains("E") || t.contains("N") || t.contains("I")
          ? t
          : t + ".0";
    }
    if (v instanceof String s) {
      return "'" + s.replace("'", "''") + "'";
    }
    if (v instanceof byte[] b) {
      return "X'" + HexFormat.of().withUpperCase().formatHex(b) + "'";
    }
    return v.getClass().getSimpleName() + ":" + v;
  }

  // ---- generating ----

  private static final String[] INTS = {
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "-5",
    "10",
    "12",
    "100",
    "-100",
    "2147483647",
    "-2147483648",
    "4294967296",
    "1000000000000",
    "9223372036854775807",
    "-9223372036854775807"
  };
  private static final String[] SMALL_INTS = {"0", "1", "2", "3", "-1", "5", "10", "12", "-3"};
  private static final String[] REALS = {
    "0.0", "1.0", "-1.0", "0.5", "1.5", "-2.5", "3.25", "100.0", "1e2", "2.5e-3", "1.0e15", "1e20",
    "-3.5e10", "123.456", "9.5e18", "0.1", "-0.0", "1e300"
  };
  private static final String[] TEXTS = {
    "''",
    "'a'",
    "'A'",
    "'abc'",
    "'ABC'",
    "'b'",
    "'hello'",
    "'12'",
    "' 3'",
    "'1e2'",
    "'3.0'",
    "'-7'",
    "'0x10'",
    "'12abc'",
    "'a%b'",
    "'a_b'",
    "' '",
    "'x''y'",
    "'1.5'",
    "' 12 '",
    "'9223372036854775808'",
    "'\u00c9t\u00e9'",
    "'10'",
    "'2'",
    "'abc '"
  };
  private static final String[] BLOBS = {
    "X''", "X'00'", "X'41'", "X'4142'", "X'3132'", "X'FF'", "X'61'", "X'31'"
  };
  private static final String[] LIKE_PATTERNS = {
    "'a%'", "'%b%'", "'_'", "'1%'", "'A%'", "'%'", "'a_c'", "'%1'", "''", "'%e%'", "'_2'", "'%a'"
  };
  private static final String[] GLOB_PATTERNS = {
    "'a*'", "'*b*'", "'?'", "'1*'", "'A*'", "'*'", "'[a-c]*'", "'[^a]*'", "'?2'", "'*[0-9]'", "''"
  };
  private static final String[] TYPES = {"INTEGER", "INT", "TEXT", "REAL", "NUMERIC", "BLOB", ""};
  private static final String[] COLUMN_NAMES = {"a", "b", "c", "d", "e"};

  private static final class ColumnDef {
    final String name;
    final String type;
    final boolean rowidAlias;

    ColumnDef(String name, String type, boolean rowidAlias) {
      this.name = name;
      this.type = type;
      this.rowidAlias = rowidAlias;
    }
  }

  private static final class TableDef {
    final String name;
    final List<ColumnDef> columns = new ArrayList<>();

    TableDef(String name) {
      this.name = name;
    }

    List<String> names() {
      List<String> out = new ArrayList<>();
      for (ColumnDef c : columns) {
        out.add(c.name);
      }
      return out;
    }
  }

  /** A FROM source as expressions see it: how to name it, and its columns. */
  private record Source(String qualifier, List<String> columns, boolean rowid) {}

  /**
   * What an expression can read: the sources of its own query (bare names allowed for those in
   * {@code bare}), and the scope of the query around it for correlated subqueries.
   */
  private static final class Scope {
    final List<Source> sources;
    final Set<String> bare;
    final Scope outer;
    final int subqueryDepth;

    Scope(List<Source> sources, Set<String> bare, Scope outer) {
      this(sources, bare, outer, outer == null ? 0 : outer.subqueryDepth + 1);
    }

    private Scope(List<Source> sources, Set<String> bare, Scope outer, int subqueryDepth) {
      this.sources = sources;
      this.bare = bare;
      this.outer = outer;
      this.subqueryDepth = subqueryDepth;
    }

    /** The same sources without the queries around (their columns out of reach). */
    Scope alone() {
      return new Scope(sources, bare, null, subqueryDepth);
    }
  }

  /** A generated SELECT: its text, width, and whether its ORDER BY covers every column. */
  private record Select(
      String sql, int width, boolean ordered, boolean limited, Map<Integer, String> concat) {}

  private static final class Gen {
    final Random r;
    final List<TableDef> tables = new ArrayList<>();
    int indexes;
    int aliases;

    Gen(Random r) {
      this.r = r;
    }

    boolean chance(int percent) {
      return r.nextInt(100) < percent;
    }

    <T> T pick(T[] from) {
      return from[r.nextInt(from.length)];
    }

    <T> T pick(List<T> from) {
      return from.get(r.nextInt(from.size()));
    }

    TableDef table() {
      return pick(tables);
    }

    // -- schema and rows --

    List<String> schema() {
      List<String> out = new ArrayList<>();
      int n = 2 + r.nextInt(2);
      for (int t = 0; t < n; t++) {
        TableDef def = new TableDef("t" + t);
        List<String> names = new ArrayList<>(Arrays.asList(COLUMN_NAMES));
        java.util.Collections.shuffle(names, r);
        int columns = 2 + r.nextInt(3);
        StringBuilder sql = new StringBuilder("CREATE TABLE ").append(def.name).append(" (");
        boolean primaryKey = false;
        for (int i = 0; i < columns; i++) {
          String name = names.get(i);
          String type = pick(TYPES);
          boolean rowidAlias = i == 0 && chance(35);
          if (rowidAlias) {
            type = "INTEGER";
          }
          sql.append(i == 0 ? "" : ", ").append(name);
          if (!type.isEmpty()) {
            sql.append(' ').append(type);
          }
          if (rowidAlias) {
            sql.append(" PRIMARY KEY");
            primaryKey = true;
          } else {
            if (!primaryKey && chance(8)) {
              sql.append(" PRIMARY KEY");
              primaryKey = true;
            } else if (chance(15)) {
              sql.append(" UNIQUE");
            }
            if (chance(15)) {
              sql.append(" NOT NULL");
            }
            if (chance(25)) {
              String value = literal();
              sql.append(" DEFAULT ").append(value.startsWith("-") ? "(" + value + ")" : value);
            }
          }
          def.columns.add(new ColumnDef(name, type, rowidAlias));
        }
        sql.append(')');
        tables.add(def);
        out.add(sql.toString());
      }
      return out;
    }

    String literal() {
      int k = r.nextInt(100);
      if (k < 33) {
        return pick(INTS);
      }
      if (k < 52) {
        return pick(REALS);
      }
      if (k < 82) {
        return pick(TEXTS);
      }
      if (k < 91) {
        return "NULL";
      }
      return pick(BLOBS);
    }

    /** A value for a rowid column: mostly small integers, so that new rowids stay max+1. */
    String rowidValue() {
      int k = r.nextInt(100);
      if (k < 70) {
        return Integer.toString(r.nextInt(40) - 5);
      }
      if (k < 85) {
        return "NULL";
      }
      return pick(new String[] {"'7'", "3.0", "'x'", "2.5", "' 8'", "X'31'"});
    }

    String valueFor(ColumnDef c) {
      return c.rowidAlias ? rowidValue() : literal();
    }

    Stmt insert() {
      TableDef t = table();
      String verb =
          chance(80)
              ? "INSERT"
              : pick(new String[] {"INSERT OR IGNORE", "INSERT OR REPLACE", "REPLACE"});
      List<ColumnDef> cols = new ArrayList<>(t.columns);
      boolean named = chance(60);
      if (named) {
        java.util.Collections.shuffle(cols, r);
        cols = cols.subList(0, 1 + r.nextInt(cols.size()));
      }
      StringBuilder sql = new StringBuilder(verb).append(" INTO ").append(t.name);
      if (named) {
        sql.append(" (");
        for (int i = 0; i < cols.size(); i++) {
          sql.append(i == 0 ? "" : ", ").append(cols.get(i).name);
        }
        sql.append(')');
      }
      if (chance(12) && tables.size() > 1) {
        // INSERT ... SELECT, in a fixed order so that rowids are given alike.
        TableDef from = table();
        String alias = "s" + (++aliases);
        Scope scope = new Scope(List.of(new Source(alias, from.names(), true)), Set.of(), null);
        sql.append(" SELECT ");
        for (int i = 0; i < cols.size(); i++) {
          sql.append(i == 0 ? "" : ", ");
          sql.append(cols.get(i).rowidAlias ? "NULL" : expr(scope, 1));
        }
        sql.append(" FROM ").append(from.name).append(" AS ").append(alias);
        if (chance(60)) {
          sql.append(" WHERE ").append(expr(scope, 2));
        }
        sql.append(" ORDER BY ").append(alias).append(".rowid LIMIT ").append(1 + r.nextInt(4));
        return Stmt.write(sql.toString(), t.name);
      }
      sql.append(" VALUES ");
      int rows = 1 + r.nextInt(3);
      for (int k = 0; k < rows; k++) {
        sql.append(k == 0 ? "(" : ", (");
        for (int i = 0; i < cols.size(); i++) {
          sql.append(i == 0 ? "" : ", ").append(valueFor(cols.get(i)));
        }
        sql.append(')');
      }
      return Stmt.write(sql.toString(), t.name);
    }

    Stmt next() {
      int k = r.nextInt(100);
      if (k < 70) {
        Select s = select();
        return new Stmt(s.sql(), true, s.ordered(), s.limited(), s.concat(), null);
      }
      if (k < 80) {
        return insert();
      }
      if (k < 88) {
        return update();
      }
      if (k < 95) {
        return delete();
      }
      return createIndex();
    }

    /** The scope of an UPDATE or DELETE: bare column names, or the table's name. */
    Scope tableScope(TableDef t) {
      return new Scope(
          List.of(new Source(t.name, t.names(), true)), new LinkedHashSet<>(t.names()), null);
    }

    Stmt update() {
      TableDef t = table();
      Scope scope = tableScope(t);
      StringBuilder sql =
          new StringBuilder(
                  chance(85)
                      ? "UPDATE "
                      : pick(new String[] {"UPDATE OR IGNORE ", "UPDATE OR REPLACE "}))
              .append(t.name)
              .append(" SET ");
      List<ColumnDef> cols = new ArrayList<>(t.columns);
      java.util.Collections.shuffle(cols, r);
      int n = 1 + r.nextInt(Math.min(2, cols.size()));
      for (int i = 0; i < n; i++) {
        ColumnDef c = cols.get(i);
        sql.append(i == 0 ? "" : ", ").append(c.name).append(" = ");
        sql.append(c.rowidAlias ? rowidValue() : expr(scope, 2));
      }
      if (chance(85)) {
        sql.append(" WHERE ").append(expr(scope, 3));
      }
      return Stmt.write(sql.toString(), t.name);
    }

    Stmt delete() {
      TableDef t = table();
      String sql = "DELETE FROM " + t.name;
      if (chance(92)) {
        sql += " WHERE " + expr(tableScope(t), 3);
      }
      return Stmt.write(sql, t.name);
    }

    Stmt createIndex() {
      TableDef t = table();
      List<String> names = new ArrayList<>(t.names());
      java.util.Collections.shuffle(names, r);
      int n = 1 + r.nextInt(Math.min(2, names.size()));
      String sql =
          "CREATE "
              + (chance(20) ? "UNIQUE " : "")
              + "INDEX i"
              + (indexes++)
              + " ON "
              + t.name
              + " ("
              + String.join(", ", names.subList(0, n))
              + ")";
      return Stmt.write(sql, null);
    }

    // -- queries --

    /** A FROM clause: its text, its sources and the names a USING join lets go bare. */
    private record From(String sql, List<Source> sources, Set<String> bare) {}

    From from(int maxSources, Scope outer) {
      List<Source> sources = new ArrayList<>();
      Set<String> bare = new LinkedHashSet<>();
      StringBuilder sql = new StringBuilder();
      int n = 1 + (maxSources > 1 ? r.nextInt(maxSources) : 0);
      for (int i = 0; i < n; i++) {
        String alias = "r" + (++aliases);
        String item;
        List<String> columns;
        boolean derived = outer == null && chance(8);
        if (derived) {
          Select sub = derivedTable();
          item = "(" + sub.sql() + ") AS " + alias;
          columns = new ArrayList<>();
          for (int k = 0; k < sub.width(); k++) {
            columns.add("x" + k);
          }
        } else {
          TableDef t = table();
          item = t.name + " AS " + alias;
          columns = t.names();
        }
        Source source = new Source(alias, columns, !derived);
        if (i == 0) {
          sql.append(item);
          sources.add(source);
          continue;
        }
        List<String> shared = new ArrayList<>();
        for (String c : columns) {
          for (Source s : sources) {
            if (s.columns().contains(c) && !shared.contains(c)) {
              shared.add(c);
            }
          }
        }
        int k = r.nextInt(100);
        if (k < 15) {
          sql.append(", ").append(item);
          sources.add(source);
        } else if (k < 25) {
          sql.append(" CROSS JOIN ").append(item);
          sources.add(source);
        } else if (k < 40 && !shared.isEmpty() && sources.size() == 1) {
          String c = pick(shared);
          sql.append(chance(50) ? " LEFT JOIN " : " JOIN ").append(item);
          sql.append(" USING (").append(c).append(')');
          sources.add(source);
          bare.add(c);
        } else {
          boolean left = chance(45);
          sql.append(left ? " LEFT JOIN " : chance(50) ? " JOIN " : " INNER JOIN ").append(item);
          sources.add(source);
          Scope scope = new Scope(sources, Set.of(), outer);
          String on;
          if (chance(70)) {
            Source before = sources.get(r.nextInt(sources.size() - 1));
            on =
                before.qualifier()
                    + "."
                    + pick(before.columns())
                    + " "
                    + pick(new String[] {"=", "=", "=", "<", ">=", "<>"})
                    + " "
                    + alias
                    + "."
                    + pick(columns);
            if (chance(30)) {
              on += " AND " + expr(scope, 2);
            }
          } else {
            on = expr(scope, 2);
          }
          sql.append(" ON ").append(on);
        }
      }
      // A USING column reads bare only while no third source has a column of that name.
      bare.removeIf(
          c -> sources.stream().filter(source -> source.columns().contains(c)).count() > 2);
      return new From(sql.toString(), sources, bare);
    }

    Select derivedTable() {
      TableDef t = table();
      String alias = "s" + (++aliases);
      Scope scope = new Scope(List.of(new Source(alias, t.names(), true)), Set.of(), null);
      int width = 1 + r.nextInt(3);
      StringBuilder sql = new StringBuilder("SELECT ");
      for (int i = 0; i < width; i++) {
        sql.append(i == 0 ? "" : ", ").append(expr(scope, 2)).append(" AS x").append(i);
      }
      sql.append(" FROM ").append(t.name).append(" AS ").append(alias);
      if (chance(50)) {
        sql.append(" WHERE ").append(expr(scope, 2));
      }
      return new Select(sql.toString(), width, false, false, Map.of());
    }

    /** A top-level SELECT. */
    Select select() {
      if (chance(15)) {
        return compound();
      }
      From from = from(3, null);
      Scope scope = new Scope(from.sources(), from.bare(), null);
      boolean aggregate = chance(30);
      boolean distinct = chance(15);
      StringBuilder sql = new StringBuilder(distinct ? "SELECT DISTINCT " : "SELECT ");
      Map<Integer, String> concat = new TreeMap<>();
      List<String> items = new ArrayList<>();
      String groupBy = "";
      String having = "";
      if (aggregate) {
        List<String> keys = new ArrayList<>();
        int nkeys = r.nextInt(3);
        for (int i = 0; i < nkeys; i++) {
          String key = chance(75) ? columnRef(scope) : expr(scope, 1);
          if (!key.matches("-?[0-9]+")) {
            // (an integer would name a result column)
            keys.add(key);
          }
        }
        if (!keys.isEmpty()) {
          groupBy = " GROUP BY " + String.join(", ", keys);
        }
        int width = 1 + r.nextInt(3);
        for (int i = 0; i < width; i++) {
          if (!keys.isEmpty() && chance(35)) {
            items.add(pick(keys));
          } else if (chance(10)) {
            String sep = chance(50) ? "," : "~";
            items.add(
                "group_concat("
                    + expr(scope, 1)
                    + (sep.equals(",") && chance(50) ? "" : ", '" + sep + "'")
                    + ")");
            concat.put(i, sep);
          } else {
            items.add(aggregateExpr(scope, keys));
          }
        }
        if (chance(30)) {
          having = " HAVING " + havingExpr(scope, keys);
        }
      } else if (chance(6)) {
        items.add("*");
      } else {
        int width = 1 + r.nextInt(4);
        for (int i = 0; i < width; i++) {
          items.add(expr(scope, 3));
        }
      }
      sql.append(String.join(", ", items)).append(" FROM ").append(from.sql());
      if (chance(60)) {
        sql.append(" WHERE ").append(expr(scope, 3));
      }
      sql.append(groupBy).append(having);
      int width = items.size();
      if (items.get(0).equals("*")) {
        // Each USING join shows its column once.
        width = -from.bare().size();
        for (Source source : from.sources()) {
          width += source.columns().size();
        }
      }
      return orderAndLimit(sql, width, concat);
    }

    Select orderAndLimit(StringBuilder sql, int width, Map<Integer, String> concat) {
      boolean ordered = chance(70);
      boolean limited = false;
      if (ordered) {
        sql.append(" ORDER BY ");
        for (int i = 1; i <= width; i++) {
          sql.append(i == 1 ? "" : ", ").append(i);
          if (chance(30)) {
            sql.append(" DESC");
          }
        }
        if (concat.isEmpty() && chance(30)) {
          limited = true;
          sql.append(" LIMIT ").append(r.nextInt(6));
          if (chance(50)) {
            sql.append(" OFFSET ").append(r.nextInt(4));
          }
        }
      }
      return new Select(sql.toString(), width, ordered, limited, concat);
    }

    Select compound() {
      int width = 1 + r.nextInt(3);
      int cores = 2 + (chance(25) ? 1 : 0);
      StringBuilder sql = new StringBuilder();
      for (int c = 0; c < cores; c++) {
        if (c > 0) {
          sql.append(' ')
              .append(pick(new String[] {"UNION", "UNION ALL", "INTERSECT", "EXCEPT"}))
              .append(' ');
        }
        From from = from(2, null);
        Scope scope = new Scope(from.sources(), from.bare(), null);
        sql.append("SELECT ");
        boolean aggregate = chance(20);
        for (int i = 0; i < width; i++) {
          sql.append(i == 0 ? "" : ", ")
              .append(aggregate ? aggregateExpr(scope, List.of()) : expr(scope, 2));
        }
        sql.append(" FROM ").append(from.sql());
        if (chance(50)) {
          sql.append(" WHERE ").append(expr(scope, 2));
        }
      }
      return orderAndLimit(sql, width, Map.of());
    }

    String aggregateExpr(Scope scope, List<String> keys) {
      int k = r.nextInt(100);
      if (k < 55) {
        return aggregateCall(scope);
      }
      if (k < 70) {
        return "("
            + aggregateCall(scope)
            + " "
            + pick(new String[] {"+", "-", "*", "/", "%", "||"})
            + " "
            + (keys.isEmpty() || chance(50) ? literal() : pick(keys))
            + ")";
      }
      if (k < 80) {
        return "coalesce(" + aggregateCall(scope) + ", " + literal() + ")";
      }
      if (k < 90) {
        return "CASE WHEN "
            + aggregateCall(scope)
            + " > "
            + literal()
            + " THEN "
            + literal()
            + " ELSE "
            + aggregateCall(scope)
            + " END";
      }
      return "typeof(" + aggregateCall(scope) + ")";
    }

    String aggregateCall(Scope scope) {
      // An aggregate whose arguments read only a query around belongs to that query: keep that
      // rare, as it makes the query around an aggregate one (or an error).
      Scope own = scope.outer != null && r.nextInt(50) > 0 ? scope.alone() : scope;
      String e = expr(own, 2);
      switch (r.nextInt(12)) {
        case 0:
          return "count(*)";
        case 1:
          return "count(" + e + ")";
        case 2:
          return "count(DISTINCT " + e + ")";
        case 3:
          return "sum(" + e + ")";
        case 4:
          return "avg(" + e + ")";
        case 5:
          return "min(" + e + ")";
        case 6:
          return "max(" + e + ")";
        case 7:
          return "total(" + e + ")";
        case 8:
          return "length(group_concat(" + e + "))";
        case 9:
          return "sum(DISTINCT " + e + ")";
        case 10:
          return "min(" + columnRef(own) + ")";
        default:
          return "max(" + columnRef(own) + ")";
      }
    }

    String havingExpr(Scope scope, List<String> keys) {
      String left = !keys.isEmpty() && chance(30) ? pick(keys) : aggregateCall(scope);
      String cond =
          left + " " + pick(new String[] {"=", "<>", "<", ">", "<=", ">="}) + " " + literal();
      if (chance(25)) {
        cond += (chance(50) ? " AND " : " OR ") + aggregateCall(scope) + " IS NOT NULL";
      }
      return cond;
    }

    // -- expressions --

    String columnRef(Scope scope) {
      Scope s = scope;
      while (s.outer != null && chance(25)) {
        s = s.outer;
      }
      if (s.sources.isEmpty()) {
        return literal();
      }
      Source source = pick(s.sources);
      String c = pick(source.columns());
      if (s == scope && s.bare.contains(c) && chance(60)) {
        return c;
      }
      if (chance(4) && source.rowid()) {
        return source.qualifier() + ".rowid";
      }
      return source.qualifier() + "." + c;
    }

    String expr(Scope scope, int depth) {
      if (depth <= 0 || chance(25)) {
        return chance(60) ? columnRef(scope) : literal();
      }
      int d = depth - 1;
      boolean subqueries = scope.subqueryDepth < 2;
      int k = r.nextInt(subqueries ? 19 : 15);
      switch (k) {
        case 0:
          return binary(scope, d, pick(new String[] {"+", "-", "*", "/", "%"}));
        case 1:
          return binary(scope, d, "||");
        case 2:
          return binary(scope, d, pick(new String[] {"=", "==", "<>", "!=", "<", "<=", ">", ">="}));
        case 3:
          return chance(80)
              ? binary(scope, d, chance(50) ? "AND" : "OR")
              : "(NOT " + expr(scope, d) + ")";
        case 4:
          switch (r.nextInt(4)) {
            case 0:
              return "(" + expr(scope, d) + " IS NULL)";
            case 1:
              return "(" + expr(scope, d) + " IS NOT NULL)";
            case 2:
              return binary(scope, d, "IS");
            default:
              return binary(scope, d, "IS NOT");
          }
        case 5:
          return "("
              + expr(scope, d)
              + (chance(25) ? " NOT" : "")
              + " BETWEEN "
              + expr(scope, d)
              + " AND "
              + expr(scope, d)
              + ")";
        case 6:
          {
            StringBuilder out =
                new StringBuilder("(").append(expr(scope, d)).append(chance(25) ? " NOT" : "");
            out.append(" IN (");
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
              out.append(i == 0 ? "" : ", ").append(chance(70) ? literal() : expr(scope, d));
            }
            return out.append("))").toString();
          }
        case 7:
          return caseExpr(scope, d, true);
        case 8:
          return caseExpr(scope, d, false);
        case 9:
          return "CAST("
              + expr(scope, d)
              + " AS "
              + pick(new String[] {"INTEGER", "REAL", "TEXT", "NUMERIC", "BLOB", "INT"})
              + ")";
        case 10:
        case 11:
          return function(scope, d);
        case 12:
          if (chance(50)) {
            return "("
                + expr(scope, d)
                + (chance(25) ? " NOT" : "")
                + " LIKE "
                + (chance(75) ? pick(LIKE_PATTERNS) : expr(scope, d))
                + ")";
          }
          return "("
              + expr(scope, d)
              + (chance(25) ? " NOT" : "")
              + " GLOB "
              + (chance(75) ? pick(GLOB_PATTERNS) : expr(scope, d))
              + ")";
        case 13:
          return "(- " + expr(scope, d) + ")";
        case 14:
          return chance(50) ? columnRef(scope) : literal();
        case 15:
          {
            // x IN (SELECT ...)
            Sub sub = subquery(scope);
            return "("
                + expr(scope, d)
                + (chance(25) ? " NOT" : "")
                + " IN (SELECT "
                + (chance(20) ? "DISTINCT " : "")
                + (chance(70) ? columnRef(sub.scope) : expr(sub.scope, 1))
                + sub.rest
                + "))";
          }
        case 16:
          {
            Sub sub = subquery(scope);
            return "(" + (chance(25) ? "NOT " : "") + "EXISTS (SELECT 1" + sub.rest + "))";
          }
        default:
          {
            Sub sub = subquery(scope);
            if (chance(60)) {
              return "(SELECT " + aggregateCall(sub.scope) + sub.rest + ")";
            }
            return "(SELECT "
                + expr(sub.scope, 1)
                + sub.rest
                + " ORDER BY 1"
                + (chance(50) ? " DESC" : "")
                + ", "
                + sub.alias
                + ".rowid LIMIT 1)";
          }
      }
    }

    /** A one-table subquery in an expression: its scope and its text from FROM on. */
    private record Sub(Scope scope, String alias, String rest) {}

    Sub subquery(Scope outer) {
      TableDef t = table();
      String alias = "s" + (++aliases);
      Scope scope = new Scope(List.of(new Source(alias, t.names(), true)), Set.of(), outer);
      String rest = " FROM " + t.name + " AS " + alias;
      if (chance(80)) {
        rest += " WHERE " + expr(scope, 2);
      }
      return new Sub(scope, alias, rest);
    }

    String binary(Scope scope, int d, String op) {
      String left = expr(scope, d);
      String right = expr(scope, d);
      if (chance(15)) {
        return left + " " + op + " " + right;
      }
      return "(" + left + " " + op + " " + right + ")";
    }

    String caseExpr(Scope scope, int d, boolean searched) {
      StringBuilder out = new StringBuilder("CASE");
      if (!searched) {
        out.append(' ').append(expr(scope, d));
      }
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        out.append(" WHEN ").append(searched || chance(30) ? expr(scope, d) : literal());
        out.append(" THEN ").append(expr(scope, d));
      }
      if (chance(60)) {
        out.append(" ELSE ").append(expr(scope, d));
      }
      return out.append(" END").toString();
    }

    String function(Scope scope, int d) {
      String x = expr(scope, d);
      switch (r.nextInt(12)) {
        case 0:
          return "abs(" + x + ")";
        case 1:
          return "coalesce("
              + x
              + ", "
              + expr(scope, d)
              + (chance(30) ? ", " + literal() : "")
              + ")";
        case 2:
          return "length(" + x + ")";
        case 3:
          return "lower(" + x + ")";
        case 4:
          return "upper(" + x + ")";
        case 5:
          return "substr("
              + x
              + ", "
              + (chance(80) ? pick(SMALL_INTS) : expr(scope, d))
              + (chance(60) ? ", " + pick(SMALL_INTS) : "")
              + ")";
        case 6:
          return "typeof(" + x + ")";
        case 7:
          return "nullif(" + x + ", " + expr(scope, d) + ")";
        case 8:
          return "ifnull(" + x + ", " + expr(scope, d) + ")";
        case 9:
          return "round(" + x + (chance(50) ? ", " + r.nextInt(4) : "") + ")";
        case 10:
          return "instr(" + x + ", " + (chance(60) ? pick(TEXTS) : expr(scope, d)) + ")";
        case 11:
          return "replace("
              + x
              + ", "
              + (chance(60) ? pick(TEXTS) : expr(scope, d))
              + ", "
              + (chance(60) ? pick(TEXTS) : expr(scope, d))
              + ")";
        default:
          return "abs(" + x + ")";
      }
    }
  }
}
