package io.toridb.core.sql;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SQL command through the real executor: reply shapes in RESP2 and RESP3, parameters, errors,
 * tables as keys, what it logs (replayed on a second server to the same tables) and atomicity.
 */
class SqlCommandsTest {
  private CommandHarness h;

  @BeforeEach
  void setUp() {
    h = new CommandHarness();
  }

  private String sql(String statement, String... parameters) {
    String[] argv = new String[2 + parameters.length];
    argv[0] = "SQL";
    argv[1] = statement;
    System.arraycopy(parameters, 0, argv, 2, parameters.length);
    return h.call(argv);
  }

  private void people() {
    assertEquals(
        integer(0),
        sql(
            "CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INT, score REAL)"));
    assertEquals(
        integer(3),
        sql(
            "INSERT INTO people(name, age, score) VALUES ('ann', 31, 1.5), ('bob', 25, NULL),"
                + " ('cy', 40, 2)"));
  }

  @Test
  void select_repliesRowsOfTypedValues_inResp2AndResp3() {
    people();
    assertEquals(
        "*3\r\n"
            + "*4\r\n:1\r\n$3\r\nann\r\n:31\r\n$3\r\n1.5\r\n"
            + "*4\r\n:2\r\n$3\r\nbob\r\n:25\r\n$-1\r\n"
            + "*4\r\n:3\r\n$2\r\ncy\r\n:40\r\n$3\r\n2.0\r\n",
        sql("SELECT * FROM people ORDER BY id"));
    h.call("HELLO", "3");
    assertEquals(
        "*1\r\n*2\r\n,1.5\r\n_\r\n", sql("SELECT score, NULL FROM people WHERE name = 'ann'"));
  }

  @Test
  void withColumns_putsTheColumnNamesFirst() {
    people();
    assertEquals(
        "*2\r\n*2\r\n$4\r\nname\r\n$1\r\nn\r\n*2\r\n$3\r\nann\r\n:1\r\n",
        h.call(
            "SQL",
            "WITHCOLUMNS",
            "SELECT name, count(*) AS n FROM people WHERE age > 30"
                + " GROUP BY 1 ORDER BY 1 LIMIT 1"));
  }

  @Test
  void parameters_bindInOrder_asText() {
    people();
    assertEquals("*1\r\n*1\r\n$3\r\nbob\r\n", sql("SELECT name FROM people WHERE age = ?", "25"));
    assertEquals(integer(1), sql("UPDATE people SET age = ?2 WHERE name = ?1", "bob", "26"));
    assertEquals("*1\r\n*1\r\n:26\r\n", sql("SELECT age FROM people WHERE name = 'bob'"));
    assertEquals(
        error("ERR wrong number of parameters: the statement takes 1 but 2 were given"),
        sql("SELECT name FROM people WHERE age = ?", "25", "26"));
  }

  @Test
  void badStatements_getSqliteErrors_andChangeNothing() {
    people();
    assertEquals(error("ERR near \"SELEC\": syntax error"), sql("SELEC * FROM people"));
    assertEquals(error("ERR no such table: nobody"), sql("SELECT * FROM nobody"));
    assertEquals(error("ERR no such column: height"), sql("SELECT height FROM people"));
    assertEquals(error("ERR table people already exists"), sql("CREATE TABLE people(x)"));
    assertEquals(
        error("ERR NOT NULL constraint failed: people.name"),
        sql("INSERT INTO people(age) VALUES (1)"));
    assertEquals(error("ERR incomplete input"), sql("SELECT * FROM"));
    assertEquals(error("ERR empty statement"), sql(" ; "));
    assertEquals(error("ERR unrecognized token: \"'open\""), sql("SELECT 'open"));
    assertEquals(
        error("ERR function random() is not supported: its result would differ on replay"),
        sql("INSERT INTO people(name) VALUES (random())"));
    assertEquals(CommandHarness.arity("sql"), h.call("SQL"));
    // The first two rows go in, the third clashes: the statement changes nothing.
    assertEquals(
        error("ERR UNIQUE constraint failed: people.id"),
        sql("INSERT INTO people(id, name) VALUES (10, 'x'), (11, 'y'), (1, 'z')"));
    assertEquals("*1\r\n*1\r\n:3\r\n", sql("SELECT count(*) FROM people"));
    assertEquals("+PONG\r\n", h.call("PING"));
  }

  @Test
  void tables_areKeys_ofTypeTable() {
    people();
    assertEquals("+table\r\n", h.call("TYPE", "people"));
    assertEquals("*1\r\n$6\r\npeople\r\n", h.call("KEYS", "*"));
    h.call("SET", "str", "v");
    assertEquals(
        error("WRONGTYPE Operation against a key holding the wrong kind of value"),
        sql("SELECT * FROM str"));
    assertEquals(
        error("WRONGTYPE Operation against a key holding the wrong kind of value"),
        h.call("GET", "people"));
    // Names ignore case: the key is the lower-cased name.
    assertEquals("*1\r\n*1\r\n:3\r\n", sql("SELECT count(*) FROM PEOPLE"));
    assertEquals(integer(1), h.call("DEL", "people"));
    assertEquals(error("ERR no such table: people"), sql("SELECT * FROM people"));
  }

  @Test
  void writes_logTheirStatements_andReplayToTheSameTables() {
    List<byte[][]> log = new ArrayList<>();
    h.server().propagation((db, argv) -> log.add(argv));
    people();
    sql("SELECT * FROM people");
    sql("UPDATE people SET age = age + 1 WHERE age > ?", "30");
    sql("UPDATE people SET age = 0 WHERE 0");
    sql("DELETE FROM people WHERE name = 'cy'");
    sql("CREATE INDEX people_age ON people(age)");
    sql("INSERT INTO people(name) VALUES ('dee'); INSERT INTO people(id, name) VALUES (1, 'dup')");
    List<String> logged = new ArrayList<>();
    for (byte[][] argv : log) {
      logged.add(CommandHarness.join(argv));
    }
    assertEquals(
        List.of(
            "SQL CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INT, score"
                + " REAL)",
            "SQL INSERT INTO people(name, age, score) VALUES ('ann', 31, 1.5), ('bob', 25, NULL),"
                + " ('cy', 40, 2)",
            "SQL UPDATE people SET age = age + 1 WHERE age > ? 30",
            "SQL DELETE FROM people WHERE name = 'cy'",
            "SQL CREATE INDEX people_age ON people(age)",
            "SQL INSERT INTO people(name) VALUES ('dee')"),
        logged);
    CommandHarness replica = new CommandHarness();
    for (byte[][] argv : log) {
      String reply = replica.callBytes(argv);
      assertTrue(!reply.startsWith("-"), CommandHarness.join(argv) + " -> " + reply);
    }
    String all = "SELECT * FROM people ORDER BY id";
    assertEquals(sql(all), replica.call("SQL", all));
    assertEquals(
        h.call("DEBUG", "DIGEST-VALUE", "people"), replica.call("DEBUG", "DIGEST-VALUE", "people"));
  }

  @Test
  void multiExec_runsSqlWithTheOtherCommands() {
    people();
    assertEquals(OK, h.call("MULTI"));
    h.call("SQL", "INSERT INTO people(name) VALUES ('eve')");
    h.call("SET", "k", "v");
    assertEquals("*2\r\n:1\r\n+OK\r\n", h.call("EXEC"));
    assertEquals("*1\r\n*1\r\n:4\r\n", sql("SELECT count(*) FROM people"));
    assertEquals(bulk("v"), h.call("GET", "k"));
  }

  @Test
  void beginCommit_showsTheTransactionItsOwnRows_andOthersNothingUntilCommit() {
    people();
    CommandHarness other = new CommandHarness(h);
    assertEquals(OK, h.call("BEGIN"));
    assertEquals(integer(1), sql("INSERT INTO people(name) VALUES ('tx')"));
    assertEquals("*1\r\n*1\r\n:4\r\n", sql("SELECT count(*) FROM people"));
    assertEquals("*1\r\n*1\r\n:3\r\n", other.call("SQL", "SELECT count(*) FROM people"));
    assertEquals(OK, h.call("COMMIT"));
    assertEquals("*1\r\n*1\r\n:4\r\n", other.call("SQL", "SELECT count(*) FROM people"));
    assertEquals(OK, h.call("BEGIN"));
    sql("DELETE FROM people");
    assertEquals(OK, h.call("ROLLBACK"));
    assertEquals("*1\r\n*1\r\n:4\r\n", sql("SELECT count(*) FROM people"));
  }

  @Test
  void scriptsAndWatch_treatTablesAsKeys() {
    people();
    assertEquals(
        integer(4),
        h.call(
            "EVAL",
            "redis.call('SQL', 'INSERT INTO people(name) VALUES (?)', ARGV[1])"
                + " return redis.call('SQL', 'SELECT count(*) FROM people')[1][1]",
            "0",
            "dan"));
    CommandHarness other = new CommandHarness(h);
    assertEquals(OK, h.call("WATCH", "people"));
    other.call("SQL", "UPDATE people SET age = 1 WHERE name = 'dan'");
    assertEquals(OK, h.call("MULTI"));
    h.call("SQL", "DELETE FROM people");
    assertEquals("*-1\r\n", h.call("EXEC"));
    assertEquals("*1\r\n*1\r\n:4\r\n", sql("SELECT count(*) FROM people"));
    // As any command's runtime error: queued, and the error is EXEC's reply for it.
    assertEquals(OK, h.call("MULTI"));
    assertEquals("+QUEUED\r\n", h.call("SQL", "DELET FROM people"));
    assertEquals("*1\r\n-ERR near \"DELET\": syntax error\r\n", h.call("EXEC"));
  }

  @Test
  void copyOfATable_isIndependent() {
    people();
    assertEquals(integer(1), h.call("COPY", "people", "staff"));
    sql("DELETE FROM staff");
    assertEquals("*1\r\n*1\r\n:3\r\n", sql("SELECT count(*) FROM people"));
    assertEquals("*1\r\n*1\r\n:0\r\n", sql("SELECT count(*) FROM staff"));
    assertEquals(OK, h.call("RENAME", "people", "crew"));
    assertEquals("*1\r\n*1\r\n$3\r\nann\r\n", sql("SELECT crew.name FROM crew WHERE id = 1"));
    assertEquals(error("ERR no such table: people"), sql("SELECT * FROM people"));
  }
}
