package io.toridb.core.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on what SQLite's conformance files do not cover: affinity, NULLs, joins, conflicts,
 * AUTOINCREMENT, the short column form, statement atomicity, and index lookups checked against full
 * scans of the same data.
 */
class SqlEngineTest {
  private Catalog c;

  @BeforeEach
  void setUp() {
    c = Catalog.inMemory();
  }

  private SqlResult run(String sql) {
    return SqlEngine.execute(c, sql);
  }

  /** The rows of a query, each as a list, values as Java objects (byte[] as text). */
  private List<List<Object>> rows(String sql) {
    List<List<Object>> out = new ArrayList<>();
    for (Object[] r : run(sql).rows()) {
      List<Object> row = new ArrayList<>();
      for (Object v : r) {
        row.add(v instanceof byte[] b ? "blob:" + Arrays.toString(b) : v);
      }
      out.add(row);
    }
    return out;
  }

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  private String error(String sql) {
    return assertThrows(SqlException.class, () -> run(sql)).getMessage();
  }

  @Test
  void columnAffinity_convertsOnInsert_andInComparisons() {
    run("CREATE TABLE t(i INTEGER, r REAL, s TEXT, n NUMERIC, b BLOB)");
    run("INSERT INTO t VALUES ('12', '12', 12, '1.50', '7')");
    assertEquals(
        List.of(row(12L, 12.0, "12", 1.5, "7", "integer", "real", "text", "real", "text")),
        rows(
            "SELECT i, r, s, n, b, typeof(i), typeof(r), typeof(s), typeof(n), typeof(b)"
                + " FROM t"));
    assertEquals(List.of(row(1L, 1L, 0L)), rows("SELECT i = '12', s = 12, b = 7 FROM t"));
    assertEquals(List.of(row(3L, 1L, null, 1L)), rows("SELECT 7/2, 7%3, 1/0, 1 < 'a'"));
    assertEquals(List.of(row(9.223372036854776E18)), rows("SELECT 9223372036854775807 + 1"));
  }

  @Test
  void nulls_followThreeValuedLogic() {
    assertEquals(
        List.of(row(null, 0L, null, 1L, null, 0L, 1L)),
        rows(
            "SELECT NULL = NULL, NULL AND 0, NULL OR 0, NULL IS NULL, 1 IN (2, NULL),"
                + " 1 IN (), 1 NOT IN ()"));
    run("CREATE TABLE t(x)");
    run("INSERT INTO t VALUES (1), (NULL), (3)");
    assertEquals(
        List.of(row(3L, 2L, 4L, 2.0, 1L, 3L)),
        rows("SELECT count(*), count(x), sum(x), avg(x), min(x), max(x) FROM t"));
    assertEquals(List.of(row((Object) null), row(1L), row(3L)), rows("SELECT x FROM t ORDER BY x"));
    assertEquals(
        List.of(row(1L), row(3L), row((Object) null)),
        rows("SELECT x FROM t ORDER BY x NULLS LAST"));
  }

  @Test
  void joins_leftJoinFillsNulls_andUsingMatchesByName() {
    run("CREATE TABLE a(id INTEGER PRIMARY KEY, name TEXT)");
    run("CREATE TABLE b(id INT, a_id INT, v TEXT)");
    run("INSERT INTO a VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    run("INSERT INTO b VALUES (10, 1, 'x'), (11, 1, 'y'), (12, 3, 'z')");
    assertEquals(
        List.of(row("one", "x"), row("one", "y"), row("two", null), row("three", "z")),
        rows("SELECT a.name, b.v FROM a LEFT JOIN b ON b.a_id = a.id ORDER BY a.id, b.v"));
    assertEquals(
        List.of(row("two")),
        rows("SELECT name FROM a LEFT JOIN b ON b.a_id = a.id WHERE b.v IS NULL"));
    run("CREATE TABLE c(a_id INT, w TEXT)");
    run("INSERT INTO c VALUES (3, 'w3')");
    assertEquals(List.of(row("z", "w3")), rows("SELECT v, w FROM b JOIN c USING (a_id)"));
    assertEquals(
        List.of(row(2L)),
        rows("SELECT count(*) FROM a WHERE EXISTS" + " (SELECT 1 FROM b WHERE b.a_id = a.id)"));
  }

  @Test
  void compoundSelects_andLimits() {
    assertEquals(
        List.of(row(1L), row(2L), row(3L)),
        rows("SELECT 3 UNION SELECT 1 UNION SELECT 2 UNION SELECT 1"));
    assertEquals(
        List.of(row(3L), row(1L), row(1L)), rows("SELECT 3 UNION ALL SELECT 1 UNION ALL SELECT 1"));
    assertEquals(List.of(row(2L)), rows("VALUES (1), (2), (3) EXCEPT VALUES (1), (3)"));
    assertEquals(List.of(row(2L), row(3L)), rows("VALUES (1), (2), (3) INTERSECT VALUES (3), (2)"));
    assertEquals(
        List.of(row(2L)),
        rows("SELECT column1 FROM (VALUES (1), (2), (3)) ORDER BY 1 LIMIT 1 OFFSET 1"));
    // LIMIT offset, count: SQLite's (and MySQL's) order.
    assertEquals(
        List.of(row(1L)),
        rows("SELECT column1 FROM (VALUES (1), (2), (3)) ORDER BY 1 DESC LIMIT 2, 1"));
  }

  @Test
  void conflicts_abortIgnoreOrReplace() {
    run("CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT UNIQUE, v INT)");
    run("INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2)");
    assertEquals("UNIQUE constraint failed: t.k", error("INSERT INTO t VALUES (3, 'a', 3)"));
    assertEquals(0, run("INSERT OR IGNORE INTO t VALUES (3, 'a', 3)").changes());
    assertEquals(1, run("INSERT OR REPLACE INTO t VALUES (3, 'a', 30)").changes());
    assertEquals(List.of(row(2L, "b", 2L), row(3L, "a", 30L)), rows("SELECT * FROM t ORDER BY id"));
    assertEquals(1, run("REPLACE INTO t(id, k, v) VALUES (2, 'bb', 22)").changes());
    assertEquals("UNIQUE constraint failed: t.k", error("UPDATE t SET k = 'a' WHERE id = 2"));
    assertEquals(List.of(row(2L, "bb"), row(3L, "a")), rows("SELECT id, k FROM t ORDER BY id"));
    assertEquals("datatype mismatch", error("INSERT INTO t VALUES ('x', 'z', 1)"));
  }

  @Test
  void aFailingStatement_changesNothing_evenPartWay() {
    run("CREATE TABLE t(id INTEGER PRIMARY KEY, v INT NOT NULL)");
    run("INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)");
    assertEquals(
        "NOT NULL constraint failed: t.v",
        error("UPDATE t SET v = CASE WHEN id = 3 THEN NULL ELSE v + 10 END"));
    assertEquals("UNIQUE constraint failed: t.id", error("UPDATE t SET id = id + 1"));
    assertEquals(
        List.of(row(1L, 1L), row(2L, 2L), row(3L, 3L)), rows("SELECT * FROM t ORDER BY id"));
  }

  @Test
  void autoincrement_neverReusesARowid_plainRowidsMay() {
    run("CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v)");
    run("CREATE TABLE p(id INTEGER PRIMARY KEY, v)");
    for (String t : new String[] {"a", "p"}) {
      run("INSERT INTO " + t + "(v) VALUES (1), (2), (3)");
      run("DELETE FROM " + t + " WHERE id = 3");
      run("INSERT INTO " + t + "(v) VALUES (4)");
    }
    assertEquals(List.of(row(4L)), rows("SELECT max(id) FROM a"));
    assertEquals(List.of(row(3L)), rows("SELECT max(id) FROM p"));
  }

  @Test
  void shortColumnForm_declaresTypesAndKeys() {
    run(
        "CREATE TABLE users(id:int:pk, email:string:unique, age:int, active:bool, owner:int:fk(users.id))");
    run("INSERT INTO users(email, age, active) VALUES ('a@x', '31', 1)");
    assertEquals(List.of(row(1L, "a@x", 31L, 1L, null)), rows("SELECT * FROM users"));
    assertEquals(
        "UNIQUE constraint failed: users.email", error("INSERT INTO users(email) VALUES ('a@x')"));
  }

  @Test
  void vectorColumns_storeNormalizedVectors_andRankByCosineSimilarity() {
    run("CREATE TABLE docs(id INTEGER PRIMARY KEY, title TEXT, embedding vector(3))");
    run(
        "INSERT INTO docs(title, embedding) VALUES ('x', '[2, 0, 0]'), ('xy', '[1, 1, 0]'),"
            + " ('z', '[0, 0, 5]'), ('none', NULL)");
    // Stored at length 1, as float32 little endian; given as a blob it is normalized too.
    assertEquals(
        List.of(row("[1.0,0.0,0.0]", 12L)),
        rows("SELECT vector_text(embedding), length(embedding) FROM docs WHERE title = 'x'"));
    run("INSERT INTO docs(title, embedding) VALUES ('-x', vector('[-3, 0, 0]'))");
    assertEquals(
        List.of(row("[-1.0,0.0,0.0]")),
        rows("SELECT vector_text(embedding) FROM docs WHERE title = '-x'"));
    List<List<Object>> ranked =
        rows(
            "SELECT title, round(cosine_similarity(embedding, '[1, 0.1, 0]'), 4) AS score FROM docs"
                + " WHERE embedding IS NOT NULL ORDER BY score DESC LIMIT 3");
    assertEquals(List.of(row("x", 0.995), row("xy", 0.774), row("z", 0.0)), ranked);
    assertEquals(
        List.of(row(3L, 0.0)),
        rows(
            "SELECT vector_dims(embedding), cosine_distance(embedding, embedding) - 0.0 FROM docs"
                + " WHERE title = 'z'"));
    assertEquals(
        "vector dimension mismatch for docs.embedding: expected 3, got 2",
        error("INSERT INTO docs(embedding) VALUES ('[1, 2]')"));
    assertEquals(
        "a vector of length 0 (or not finite) cannot be stored in docs.embedding",
        error("UPDATE docs SET embedding = '[0, 0, 0]' WHERE id = 1"));
    assertEquals(
        "not a number in a vector: a", error("INSERT INTO docs(embedding) VALUES ('[a, 1, 2]')"));
    assertEquals(
        "a vector blob needs 4 bytes per component, got 3",
        error("INSERT INTO docs(embedding) VALUES (X'000000')"));
    assertEquals(
        "vector dimension mismatch: 3 and 2 components",
        error("SELECT cosine_similarity(embedding, '[1, 2]') FROM docs"));
    // A FP32 blob passed as hex text (parameters are text).
    run(
        "INSERT INTO docs(title, embedding) VALUES ('hex', vector(unhex('0000803f0000000000000000')))");
    assertEquals(
        List.of(row("[1.0,0.0,0.0]")),
        rows("SELECT vector_text(embedding) FROM docs WHERE title = 'hex'"));
    assertEquals(List.of(row((Object) null)), rows("SELECT unhex('0g')"));
    assertEquals(
        "vector dimension must be between 1 and 65536: vector(0)",
        error("CREATE TABLE bad(v vector(0))"));
  }

  @Test
  void vectorSearch_matchesABruteForceRanking() {
    run("CREATE TABLE items(id INTEGER PRIMARY KEY, v vector(8))");
    Random random = new Random(3);
    List<float[]> stored = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      float[] f = new float[8];
      StringBuilder text = new StringBuilder("[");
      for (int d = 0; d < 8; d++) {
        f[d] = (float) random.nextGaussian();
        text.append(d == 0 ? "" : ",").append(f[d]);
      }
      stored.add(f);
      run("INSERT INTO items(v) VALUES ('" + text + "]')");
    }
    float[] q = {0.5f, -1, 0.25f, 2, 0, 0, 1, -0.5f};
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      expected.add(i);
    }
    expected.sort((a, b) -> Double.compare(cos(stored.get(b), q), cos(stored.get(a), q)));
    List<List<Object>> got =
        rows(
            "SELECT id FROM items ORDER BY cosine_similarity(v, '[0.5,-1,0.25,2,0,0,1,-0.5]') DESC"
                + " LIMIT 10");
    for (int k = 0; k < 10; k++) {
      assertEquals((long) expected.get(k) + 1, got.get(k).get(0), "rank " + k);
    }
  }

  @Test
  void orderByWithLimit_givesTheFirstRowsOfTheWholeOrder_tiesInScanOrder() {
    run("CREATE TABLE t(k INT, v TEXT)");
    Random random = new Random(11);
    for (int i = 0; i < 400; i++) {
      run("INSERT INTO t VALUES (" + (random.nextInt(7) - 3) + ", 'v" + i + "')");
    }
    run("INSERT INTO t VALUES (NULL, 'n1'), (NULL, 'n2')");
    for (String order : new String[] {"k", "k DESC", "k NULLS LAST", "k DESC NULLS FIRST"}) {
      List<List<Object>> all = rows("SELECT k, v FROM t ORDER BY " + order);
      for (int limit : new int[] {0, 1, 5, 37, 99}) {
        for (int offset : new int[] {0, 3}) {
          assertEquals(
              all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size())),
              rows(
                  "SELECT k, v FROM t ORDER BY " + order + " LIMIT " + limit + " OFFSET " + offset),
              order + " " + limit + " " + offset);
        }
      }
    }
  }

  private static double cos(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void hostileInput_failsCleanly_andQuickly() {
    run("CREATE TABLE t(rowid INT, a TEXT)");
    run("INSERT INTO t VALUES (2, 'keep'), (1, 'drop')");
    // A column named rowid does not stand in for the rowid in DELETE and UPDATE.
    assertEquals(1, run("DELETE FROM t WHERE a = 'drop'").changes());
    assertEquals(List.of(row(2L, "keep")), rows("SELECT * FROM t"));
    // Backtracking that would take 10^17 steps with naive matching.
    String text = "a".repeat(60);
    String like = "%a".repeat(30) + "%b";
    assertEquals(
        List.of(row(0L, 0L)),
        rows(
            "SELECT '"
                + text
                + "' LIKE '"
                + like
                + "', '"
                + text
                + "' GLOB '"
                + like.replace('%', '*')
                + "'"));
    assertEquals(
        List.of(row(1L, 1L, 0L)),
        rows(
            "SELECT 'a%c' LIKE 'a\\%c' ESCAPE '\\', 'a%' LIKE 'a%%' ESCAPE '%', 'ab' LIKE 'a%%' ESCAPE '%'"));
    assertEquals("string or blob too big", error("SELECT zeroblob(1000000000)"));
    assertEquals(
        "string or blob too big",
        error("SELECT replace(hex(zeroblob(1048576)), '0', hex(zeroblob(1048576)))"));
    assertEquals(
        "Expression tree is too large (maximum depth 1000)", error("SELECT 1" + "+1".repeat(5000)));
    assertEquals("variable number must be between ?1 and ?32766", error("SELECT ?99999999999"));
    assertEquals(
        "default value of column [a] is not constant",
        error("CREATE TABLE d(a DEFAULT ((SELECT 1)))"));
    assertEquals(
        "ESCAPE expression must be a single character", error("SELECT like('a', 'a', '')"));
    assertEquals(List.of(row(0L, 1L, "\ufffd")), rows("SELECT '٣' + 0, '1٣' + 0, char(55296)"));
    assertEquals(
        List.of(row((Object) null)), rows("SELECT cosine_similarity(X'00000000', X'0000803f')"));
    assertEquals(
        "vector component out of range: Infinity",
        error("SELECT cosine_similarity(X'0000807f', X'0000807f')"));
    // A whole long statement parses in linear time.
    StringBuilder many = new StringBuilder("SELECT 1 IN (0");
    for (int i = 0; i < 200_000; i++) {
      many.append(",0");
    }
    assertEquals(List.of(row(0L)), rows(many.append(')').toString()));
  }

  @Test
  void orFail_keepsTheRowsBeforeTheFailingOne() {
    run("CREATE TABLE u(k UNIQUE)");
    assertEquals(
        "UNIQUE constraint failed: u.k", error("INSERT OR FAIL INTO u VALUES (1), (2), (1), (3)"));
    assertEquals(List.of(row(1L), row(2L)), rows("SELECT k FROM u ORDER BY k"));
    assertEquals("UNIQUE constraint failed: u.k", error("INSERT INTO u VALUES (5), (1)"));
    assertEquals(List.of(row(1L), row(2L)), rows("SELECT k FROM u ORDER BY k"));
  }

  @Test
  void badInput_getsSqliteErrors() {
    run("CREATE TABLE t(a, b)");
    assertEquals("no such column: c", error("SELECT c FROM t"));
    assertEquals("ambiguous column name: a", error("SELECT a FROM t, t AS u"));
    assertEquals(
        "misuse of aggregate function count()", error("SELECT a FROM t WHERE count(*) > 1"));
    assertEquals(
        "table t has 2 columns but 1 values were supplied", error("INSERT INTO t VALUES (1)"));
    assertEquals("table t has no column named z", error("INSERT INTO t(z) VALUES (1)"));
    assertEquals(
        "1st ORDER BY term out of range - should be between 1 and 2",
        error("SELECT a, b FROM t ORDER BY 3"));
    assertEquals("no such function: nope", error("SELECT nope(1)"));
    assertEquals("wrong number of arguments to function abs()", error("SELECT abs(1, 2)"));
    assertEquals("sub-select returns 2 columns - expected 1", error("SELECT (SELECT 1, 2)"));
    assertEquals("duplicate column name: A", error("CREATE TABLE u(a, A)"));
    assertEquals("no such index: nothing", error("DROP INDEX nothing"));
    assertEquals(
        "SELECTs to the left and right of UNION do not have the same number of result columns",
        error("SELECT 1 UNION SELECT 1, 2"));
    assertEquals("near \"FROM\": syntax error", error("SELECT FROM t"));
    assertEquals("incomplete input", error("SELECT (1"));
    StringBuilder deep = new StringBuilder("SELECT ");
    for (int i = 0; i < 100_000; i++) {
      deep.append('(');
    }
    assertEquals("parser stack overflow", error(deep.toString()));
  }

  /**
   * Random data in two tables, one with indexes on every column and one without: every equality
   * lookup and join through an index must find exactly the rows a full scan finds, whatever the
   * types of the values compared.
   */
  @Test
  void indexLookups_findWhatScansFind() {
    run("CREATE TABLE plain(i INT, t TEXT, r REAL, x)");
    run("CREATE TABLE indexed(i INT, t TEXT, r REAL, x)");
    run("CREATE INDEX ii ON indexed(i)");
    run("CREATE INDEX it ON indexed(t)");
    run("CREATE INDEX ir ON indexed(r)");
    run("CREATE INDEX ix ON indexed(x)");
    Random random = new Random(7);
    String[] literals = {
      "1", "2", "'1'", "'2'", "1.0", "2.5", "'2.5'", "NULL", "'a'", "X'31'", "' 1'"
    };
    for (int n = 0; n < 300; n++) {
      String values =
          "("
              + literals[random.nextInt(literals.length)]
              + ", "
              + literals[random.nextInt(literals.length)]
              + ", "
              + literals[random.nextInt(literals.length)]
              + ", "
              + literals[random.nextInt(literals.length)]
              + ")";
      run("INSERT INTO plain VALUES " + values);
      run("INSERT INTO indexed VALUES " + values);
    }
    for (String column : new String[] {"i", "t", "r", "x", "rowid"}) {
      for (String literal : literals) {
        String where = " WHERE " + column + " = " + literal + " ORDER BY rowid";
        assertEquals(
            rows("SELECT rowid, * FROM plain" + where),
            rows("SELECT rowid, * FROM indexed" + where),
            column + " = " + literal);
      }
    }
    // Joins on every pair of columns, through an index, a hash of the inner table, and neither
    // (the OR keeps the planner from looking anything up): the same pairs each time.
    String[] columns = {"i", "t", "r", "x", "rowid"};
    for (String a : columns) {
      for (String b : columns) {
        String join = "SELECT p.rowid, q.rowid FROM plain p JOIN %s q ON %s ORDER BY 1, 2";
        String on = "q." + b + " = p." + a;
        List<List<Object>> scanned = rows(String.format(join, "plain", "(" + on + " OR 0)"));
        // Compared without printing: the lists run to thousands of pairs.
        assertTrue(scanned.equals(rows(String.format(join, "plain", on))), "hash " + on);
        assertTrue(scanned.equals(rows(String.format(join, "indexed", on))), "index " + on);
        assertTrue(
            scanned.equals(rows(String.format(join, "plain", "p." + a + " = q." + b))),
            "hash, sides swapped " + on);
      }
    }
  }
}
