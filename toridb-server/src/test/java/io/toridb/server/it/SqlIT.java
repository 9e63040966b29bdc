package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.toridb.server.ToriServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * SQL tables over the wire: Jedis and Lettuce sending SQL, tables surviving a restart from the log,
 * a rewritten log, DEBUG RELOAD, a snapshot and DUMP/RESTORE, and concurrent writers on a table
 * losing no row.
 */
class SqlIT {
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  @TempDir Path dir;

  /** Sends SQL through Jedis's generic command path. */
  private static Object sql(Jedis j, String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return j.sendCommand(() -> "SQL".getBytes(StandardCharsets.US_ASCII), argv);
  }

  private static String text(Object o) {
    return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
  }

  @Test
  void jedis_createsInsertsAndQueries_inBothProtocols() {
    for (RedisProtocol protocol : new RedisProtocol[] {RedisProtocol.RESP2, RedisProtocol.RESP3}) {
      try (Jedis j = tori.jedis(protocol)) {
        j.del("orders", "users");
        sql(j, "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT UNIQUE, age INT)");
        sql(j, "CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INT, total REAL)");
        assertEquals(
            2L, sql(j, "INSERT INTO users(email, age) VALUES (?, ?), ('b@x', 17)", "a@x", "31"));
        sql(j, "INSERT INTO orders(user_id, total) VALUES (1, 9.5), (1, 10), (2, 3.25)");
        @SuppressWarnings("unchecked")
        List<List<Object>> rows =
            (List<List<Object>>)
                sql(
                    j,
                    "SELECT u.email, count(*), sum(o.total) FROM users u JOIN orders o ON"
                        + " o.user_id = u.id GROUP BY u.email ORDER BY 3 DESC");
        assertEquals(2, rows.size());
        assertEquals("a@x", text(rows.get(0).get(0)));
        assertEquals(2L, rows.get(0).get(1));
        Object sum = rows.get(0).get(2);
        double total = sum instanceof Double d ? d : Double.parseDouble(text(sum));
        assertEquals(19.5, total, 0.0, protocol.name());
        JedisDataException e =
            assertThrows(
                JedisDataException.class, () -> sql(j, "INSERT INTO users(email) VALUES ('a@x')"));
        assertEquals("ERR UNIQUE constraint failed: users.email", e.getMessage());
        assertEquals("table", j.type("users"));
      }
    }
  }

  @Test
  void lettuce_sendsSqlAsACustomCommand() {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", tori.port()));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().del("notes");
      ProtocolKeyword sql =
          new ProtocolKeyword() {
            @Override
            public byte[] getBytes() {
              return "SQL".getBytes(StandardCharsets.US_ASCII);
            }

            @Override
            public String name() {
              return "SQL";
            }
          };
      c.sync()
          .dispatch(
              sql,
              new NestedMultiOutput<>(StringCodec.UTF8),
              new CommandArgs<>(StringCodec.UTF8).add("CREATE TABLE notes(body TEXT)"));
      c.sync()
          .dispatch(
              sql,
              new NestedMultiOutput<>(StringCodec.UTF8),
              new CommandArgs<>(StringCodec.UTF8).add("INSERT INTO notes VALUES (?)").add("hello"));
      List<Object> rows =
          c.sync()
              .dispatch(
                  sql,
                  new NestedMultiOutput<>(StringCodec.UTF8),
                  new CommandArgs<>(StringCodec.UTF8)
                      .add("WITHCOLUMNS")
                      .add("SELECT body, length(body) AS n FROM notes"));
      assertEquals(List.of(List.of("body", "n"), List.of("hello", 5L)), rows);
    } finally {
      client.shutdown();
    }
  }

  private static void fill(RespClient c) throws Exception {
    c.callRaw(
        "SQL",
        "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT UNIQUE, v REAL,"
            + " b BLOB, n INT DEFAULT 7)");
    for (int i = 0; i < 200; i++) {
      c.callRaw("SQL", "INSERT INTO t(k, v, b) VALUES (?, ?, X'00ff')", "k" + i, i + ".5");
    }
    c.callRaw("SQL", "CREATE INDEX t_v ON t(v)");
    c.callRaw("SQL", "DELETE FROM t WHERE id > 190");
    c.callRaw("SQL", "UPDATE t SET n = NULL WHERE id % 3 = 0");
    c.callRaw("SQL", "CREATE TABLE empty(x)");
  }

  private static String state(RespClient c) throws Exception {
    return c.callRaw("SQL", "SELECT * FROM t ORDER BY id")
        + c.callRaw("SQL", "SELECT count(*), typeof(b) FROM t WHERE v > 100.0 GROUP BY 2")
        + c.callRaw("SQL", "SELECT count(*) FROM empty")
        + c.callRaw("DEBUG", "DIGEST-VALUE", "t", "empty");
  }

  @Test
  void tables_surviveRestarts_rewrites_reloadsAndSnapshots() throws Exception {
    String before;
    ToriServer first = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", first.port())) {
      fill(c);
      before = state(c);
    } finally {
      first.shutdown();
    }
    ToriServer second = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", second.port())) {
      assertEquals(before, state(c), "replayed log");
      c.call("BGREWRITEAOF");
      FunctionsIT.awaitRewrite(c);
    } finally {
      second.shutdown();
    }
    ToriServer third = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", third.port())) {
      assertEquals(before, state(c), "rewritten log");
      assertEquals("+OK\r\n", c.callRaw("DEBUG", "RELOAD"));
      assertEquals(before, state(c), "reloaded");
      // AUTOINCREMENT remembers the deleted rows' ids across all of it.
      assertEquals(":1\r\n", c.callRaw("SQL", "INSERT INTO t(k) VALUES ('new')"));
      assertEquals("*1\r\n*1\r\n:201\r\n", c.callRaw("SQL", "SELECT id FROM t WHERE k = 'new'"));
      assertEquals(":1\r\n", c.callRaw("SQL", "DELETE FROM t WHERE k = 'new'"));
      assertEquals("+OK\r\n", c.callRaw("SAVE"));
    } finally {
      third.shutdown();
    }
    ToriServer fourth = SnapshotServers.tori(dir, "appendonly", "no", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", fourth.port())) {
      assertEquals(before, state(c), "snapshot");
      assertEquals(
          "-ERR UNIQUE constraint failed: t.k\r\n",
          c.callRaw("SQL", "INSERT INTO t(k) VALUES ('k1')"));
    } finally {
      fourth.shutdown();
    }
  }

  @Test
  void dumpAndRestore_copyATable_andRefuseADamagedPayload() throws Exception {
    try (RespClient c = tori.connect()) {
      c.callRaw("DEL", "src", "dst", "bad");
      c.callRaw("SQL", "CREATE TABLE src(a INT, b TEXT)");
      c.callRaw("SQL", "INSERT INTO src VALUES (1, 'one'), (2, NULL)");
      String moved = ToriServerExtension.dumpRestoreAndDamage(c, "src", "dst", "bad");
      assertEquals("-ERR DUMP payload version or checksum are wrong\r\n", moved);
      assertEquals(
          "*2\r\n*2\r\n:1\r\n$3\r\none\r\n*2\r\n:2\r\n$-1\r\n",
          c.callRaw("SQL", "SELECT dst.a, b FROM dst ORDER BY a"));
      assertEquals(":0\r\n", c.callRaw("EXISTS", "bad"));
    }
  }

  /**
   * Four writers on the server's two workers each insert rows and bump one counter row: none may be
   * lost.
   */
  @Test
  void concurrentWriters_loseNoRow() throws Exception {
    try (RespClient c = tori.connect()) {
      c.callRaw("DEL", "hits");
      c.callRaw("SQL", "CREATE TABLE hits(id INTEGER PRIMARY KEY, who TEXT, n INT)");
      c.callRaw("SQL", "INSERT INTO hits(id, who, n) VALUES (0, 'counter', 0)");
    }
    int writers = 4;
    int each = 150;
    List<Thread> threads = new ArrayList<>();
    AtomicInteger failures = new AtomicInteger();
    for (int w = 0; w < writers; w++) {
      String who = "w" + w;
      Thread t =
          new Thread(
              () -> {
                try (RespClient c = tori.connect()) {
                  for (int i = 0; i < each; i++) {
                    String a =
                        c.callRaw("SQL", "INSERT INTO hits(who, n) VALUES (?, ?)", who, "" + i);
                    String b = c.callRaw("SQL", "UPDATE hits SET n = n + 1 WHERE id = 0");
                    if (!a.equals(":1\r\n") || !b.equals(":1\r\n")) {
                      failures.incrementAndGet();
                    }
                  }
                } catch (Exception e) {
                  failures.incrementAndGet();
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(0, failures.get());
    try (RespClient c = tori.connect()) {
      assertEquals(
          "*1\r\n*2\r\n:" + (writers * each) + "\r\n:" + (writers * each) + "\r\n",
          c.callRaw("SQL", "SELECT count(*) - 1, (SELECT n FROM hits WHERE id = 0) FROM hits"));
      String perWriter =
          c.callRaw("SQL", "SELECT who, count(*) FROM hits WHERE id > 0 GROUP BY who");
      for (int w = 0; w < writers; w++) {
        assertTrue(perWriter.contains("w" + w + "\r\n:" + each + "\r\n"), perWriter);
      }
    }
  }
}
