package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.config.Config;
import io.toridb.server.ToriServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication between ToriDB servers and with Redis 7.0 both ways: full synchronization of every
 * type over several databases, the stream that follows (transactions, scripts, expiries, SQL),
 * partial resynchronization after a lost link, WAIT, promotion, read-only replicas, and the
 * refusals with Redis's texts. Data sets are compared with DEBUG DIGEST, which ToriDB computes as
 * Redis does.
 */
class ReplicationIT {
  @TempDir Path dir;

  private final List<ToriServer> servers = new ArrayList<>();
  private final List<SnapshotServers.Redis> redises = new ArrayList<>();

  @AfterEach
  void stop() {
    for (ToriServer s : servers) {
      s.shutdown();
    }
    for (SnapshotServers.Redis r : redises) {
      r.close();
    }
  }

  private ToriServer tori(String name, String... kv) throws Exception {
    Path d = dir.resolve(name);
    Files.createDirectories(d);
    Config config = Config.standard();
    config.require("port").set("0");
    config.require("dir").set(d.toString());
    config.require("enable-debug-command").set("yes");
    for (int i = 0; i + 1 < kv.length; i += 2) {
      String error = config.require(kv[i]).set(kv[i + 1]);
      assertEquals(null, error, kv[i]);
    }
    ToriServer s = new ToriServer(config);
    s.start();
    servers.add(s);
    return s;
  }

  private SnapshotServers.Redis redis(String name, String... args) throws Exception {
    Path d = dir.resolve(name);
    Files.createDirectories(d);
    SnapshotServers.Redis r = SnapshotServers.Redis.start(d, args);
    redises.add(r);
    return r;
  }

  private static String call(int port, String... argv) throws IOException {
    try (RespClient c = new RespClient("127.0.0.1", port)) {
      return text(c.call(argv));
    }
  }

  private static String text(Reply r) {
    byte[] p = r.payload();
    if (p == null) {
      String raw = r.rawText();
      return raw.startsWith(":") || raw.startsWith("+") ? raw.substring(1).trim() : r.render();
    }
    return new String(p, StandardCharsets.UTF_8);
  }

  private static String raw(int port, String... argv) throws IOException {
    try (RespClient c = new RespClient("127.0.0.1", port)) {
      return c.call(argv).rawText();
    }
  }

  private static String info(int port, String field) throws IOException {
    for (String line : call(port, "INFO", "replication").split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    return null;
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static BooleanSupplier sameDigest(int a, int b) {
    return () -> {
      try {
        return call(a, "DEBUG", "DIGEST").equals(call(b, "DEBUG", "DIGEST"));
      } catch (IOException e) {
        return false;
      }
    };
  }

  private static BooleanSupplier linkUp(int replica) {
    return infoIs(replica, "master_link_status", "up");
  }

  /** Whether INFO replication's {@code field} reads {@code value}. */
  private static BooleanSupplier infoIs(int port, String field, String value) {
    return () -> value.equals(uncheckedInfo(port, field));
  }

  /** Writes of every type in databases 0 and 3, with expiries. */
  private static void writeData(int port, String tag) throws IOException {
    try (RespClient c = new RespClient("127.0.0.1", port)) {
      for (int i = 0; i < 50; i++) {
        c.call("SET", tag + "s" + i, "v" + i);
      }
      c.call("RPUSH", tag + "list", "a", "b", "c");
      c.call("HSET", tag + "hash", "f1", "1", "f2", "2");
      c.call("SADD", tag + "set", "x", "y", "z");
      c.call("ZADD", tag + "zset", "1", "a", "2.5", "b");
      c.call("XADD", tag + "stream", "1-1", "f", "v");
      c.call("SET", tag + "ttl", "v", "PX", "500000");
      c.call("SELECT", "3");
      c.call("SET", tag + "in3", "three");
      c.call("INCRBYFLOAT", tag + "float", "1.25");
    }
  }

  @Test
  void toriReplicatesTori_fullThenStreamThenPartial() throws Exception {
    ToriServer primary = tori("m");
    ToriServer replica = tori("r");
    int m = primary.port();
    int r = replica.port();
    writeData(m, "before:");
    call(r, "SET", "stale", "gone after the sync");
    assertEquals("OK", call(r, "REPLICAOF", "127.0.0.1", Integer.toString(m)));
    await("the link", linkUp(r));
    await("the data set", sameDigest(m, r));
    assertEquals("0", call(r, "EXISTS", "stale"));
    try (RespClient c = new RespClient("127.0.0.1", r)) {
      c.call("SELECT", "3");
      assertEquals("three", text(c.call("GET", "before:in3")));
    }

    // The stream: writes, a transaction, a script, an expiry, SQL.
    writeData(m, "after:");
    try (RespClient c = new RespClient("127.0.0.1", m)) {
      c.call("MULTI");
      c.call("INCR", "counter");
      c.call("LPUSH", "after:list", "d");
      assertEquals("*2\r\n:1\r\n:4\r\n", c.call("EXEC").rawText());
      c.call(
          "EVAL",
          "redis.call('set', KEYS[1], 'lua'); return redis.call('incr', KEYS[2])",
          "2",
          "script",
          "counter");
      c.call("SET", "short", "v", "PX", "50");
      // A value larger than the backlog (1 MB) and than the encoder's kept buffer.
      c.call("SET", "big", "x".repeat(2_000_000));
      c.call("SQL", "CREATE TABLE t (id int primary key, name string)");
      c.call("SQL", "INSERT INTO t VALUES (1, 'one'), (2, 'two')");
    }
    await("the stream", sameDigest(m, r));
    assertEquals("2", call(r, "GET", "counter"));
    assertEquals("lua", call(r, "GET", "script"));
    await(
        "the expired key",
        () -> {
          try {
            return call(r, "EXISTS", "short").equals("0");
          } catch (IOException e) {
            return false;
          }
        });
    assertTrue(call(r, "SQL", "SELECT name FROM t WHERE id = 2").contains("two"));

    // A message published on the primary reaches the replica's subscribers, as in Redis.
    try (RespClient sub = new RespClient("127.0.0.1", r)) {
      sub.send("SUBSCRIBE", "news");
      assertTrue(sub.read().rawText().contains("subscribe"));
      assertEquals("0", call(m, "PUBLISH", "news", "hello"));
      String message = sub.read().rawText();
      assertTrue(message.contains("message") && message.endsWith("$5\r\nhello\r\n"), message);
    }
    // Read-only: writes and write scripts from the replica's own clients are refused.
    assertEquals("READONLY You can't write against a read only replica.", call(r, "SET", "k", "v"));
    assertEquals(
        "READONLY You can't write against a read only replica. script: SHA, on @user_script:1.",
        call(r, "EVAL", "return redis.call('set', 'k', 'v')", "0")
            .replaceAll("[0-9a-f]{40}", "SHA"));
    assertEquals(
        "READONLY Can not run script with write flag on readonly replica",
        call(r, "EVAL", "#!lua\nreturn 1", "0"));
    assertEquals("v0", call(r, "EVAL", "return redis.call('get', 'after:s0')", "0"));

    // ROLE and INFO on both sides.
    String role = raw(m, "ROLE");
    assertTrue(role.startsWith("*3\r\n$6\r\nmaster\r\n:"), role);
    assertTrue(
        role.contains(
            "*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$"
                + Integer.toString(r).length()
                + "\r\n"
                + r
                + "\r\n"),
        role);
    String replicaRole = raw(r, "ROLE");
    assertTrue(
        replicaRole.startsWith(
            "*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:" + m + "\r\n$9\r\nconnected\r\n:"),
        replicaRole);
    assertEquals("1", info(m, "connected_slaves"));
    assertEquals("slave", info(r, "role"));
    assertEquals(info(m, "master_replid"), info(r, "master_replid"));
    await(
        "the offsets",
        () -> {
          try {
            return info(m, "master_repl_offset").equals(info(r, "master_repl_offset"));
          } catch (IOException e) {
            return false;
          }
        });

    // WAIT: the replica acknowledges what was written; asking for two times out with one.
    call(m, "SET", "waited", "1");
    assertEquals("1", call(m, "WAIT", "1", "5000"));
    long start = System.currentTimeMillis();
    assertEquals("1", call(m, "WAIT", "2", "200"));
    assertTrue(System.currentTimeMillis() - start >= 150);
    assertTrue(call(r, "WAIT", "1", "10").startsWith("ERR WAIT cannot be used with replica"));

    // A lost link continues where it stopped.
    String full = call(m, "INFO", "stats");
    assertTrue(full.contains("sync_full:1"), full);
    try (RespClient db3 = new RespClient("127.0.0.1", m)) {
      // The stream is in database 3 when the link is lost, and goes on there without a SELECT.
      db3.call("SELECT", "3");
      db3.call("SET", "before-loss", "1");
      await("the write before the loss", sameDigest(m, r));
      assertEquals("1", call(r, "CLIENT", "KILL", "TYPE", "master"));
      db3.call("SET", "while-down", "1");
      await("the link again", linkUp(r));
      db3.call("SET", "after-return", "1");
    }
    await("the data set again", sameDigest(m, r));
    String stats = call(m, "INFO", "stats");
    assertTrue(stats.contains("sync_full:1") && stats.contains("sync_partial_ok:1"), stats);
    assertEquals("0", call(r, "EXISTS", "while-down", "after-return"));
  }

  @Test
  void aReplicaLeavesExpiryToItsPrimary() throws Exception {
    ToriServer primary = tori("m");
    ToriServer replica = tori("r");
    int m = primary.port();
    int r = replica.port();
    call(r, "REPLICAOF", "127.0.0.1", Integer.toString(m));
    await("the link", linkUp(r));
    assertEquals("OK", call(m, "DEBUG", "SET-ACTIVE-EXPIRE", "0"));
    call(m, "SET", "short", "v", "PX", "100");
    call(m, "SET", "other", "v");
    await("the keys", sameDigest(m, r));
    Thread.sleep(300);
    // Expired for the replica's clients, yet kept until the primary deletes it.
    assertEquals("(nil bulk)", call(r, "GET", "short"));
    assertEquals("0", call(r, "EXISTS", "short"));
    assertEquals("2", call(r, "DBSIZE"));
    Thread.sleep(300);
    assertEquals("2", call(r, "DBSIZE"));
    assertEquals("(nil bulk)", call(m, "GET", "short"));
    await(
        "the primary's deletion",
        () -> {
          try {
            return call(r, "DBSIZE").equals("1");
          } catch (IOException e) {
            return false;
          }
        });
  }

  @Test
  void aPausedReplicaReceivesTheStreamButRunsItOnlyAfterThePause() throws Exception {
    ToriServer primary = tori("m", "repl-ping-replica-period", "3600");
    ToriServer replica = tori("r");
    int m = primary.port();
    int r = replica.port();
    call(r, "REPLICAOF", "127.0.0.1", Integer.toString(m));
    await("the link", linkUp(r));
    call(m, "SET", "foo", "bar");
    String before = info(m, "master_repl_offset");
    await("the replica's offset", infoIs(r, "slave_repl_offset", before));
    assertEquals("OK", call(r, "CLIENT", "PAUSE", "100000", "WRITE"));
    call(m, "SET", "foo2", "bar2");
    String after = info(m, "master_repl_offset");
    await("the stream's arrival", infoIs(r, "slave_read_repl_offset", after));
    // Received, not run: the write waits for the pause like any client's.
    assertEquals(before, info(r, "slave_repl_offset"));
    assertEquals("(nil bulk)", call(r, "GET", "foo2"));
    assertEquals("OK", call(r, "CLIENT", "UNPAUSE"));
    await("the write after the pause", infoIs(r, "slave_repl_offset", after));
    assertEquals("bar2", call(r, "GET", "foo2"));
    // A paused primary's stream does not grow: WAIT's GETACK waits for the pause's end (the
    // replica's own acknowledgements still answer WAIT).
    assertEquals("OK", call(m, "CLIENT", "PAUSE", "100000", "WRITE"));
    assertEquals("1", call(m, "WAIT", "1", "3000"));
    assertEquals(after, info(m, "master_repl_offset"));
    assertEquals("OK", call(m, "CLIENT", "UNPAUSE"));
    await(
        "the GETACK after the pause", () -> !after.equals(uncheckedInfo(m, "master_repl_offset")));
  }

  private static String uncheckedInfo(int port, String field) {
    try {
      return info(port, field);
    } catch (IOException e) {
      return null;
    }
  }

  @Test
  void redisCliRdb_getsTheSnapshotThatRedisLoads() throws Exception {
    ToriServer primary = tori("m");
    int m = primary.port();
    writeData(m, "a:");
    call(
        m,
        "FUNCTION",
        "LOAD",
        "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
    Path rdb = dir.resolve("dump.rdb");
    Process cli =
        new ProcessBuilder(
                ExternalTools.require("redis-cli"),
                "-p",
                Integer.toString(m),
                "--rdb",
                rdb.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, cli.waitFor(), output);
    assertTrue(output.contains("Transfer finished with success"), output);
    // Redis loads it and holds the same data set.
    Path redisDir = dir.resolve("redis");
    Files.createDirectories(redisDir);
    Files.copy(rdb, redisDir.resolve("dump.rdb"));
    SnapshotServers.Redis redis = SnapshotServers.Redis.start(redisDir);
    redises.add(redis);
    assertEquals(call(m, "DEBUG", "DIGEST"), call(redis.port, "DEBUG", "DIGEST"));
    assertEquals("1", call(redis.port, "FCALL", "f", "0"));
    // The functions alone (rdb-filter-only functions).
    Path functions = dir.resolve("functions.rdb");
    cli =
        new ProcessBuilder(
                ExternalTools.require("redis-cli"),
                "-p",
                Integer.toString(m),
                "--functions-rdb",
                functions.toString())
            .redirectErrorStream(true)
            .start();
    output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, cli.waitFor(), output);
    Path onlyDir = dir.resolve("only");
    Files.createDirectories(onlyDir);
    Files.copy(functions, onlyDir.resolve("dump.rdb"));
    SnapshotServers.Redis only = SnapshotServers.Redis.start(onlyDir);
    redises.add(only);
    assertEquals("0", call(only.port, "DBSIZE"));
    assertEquals("1", call(only.port, "FCALL", "f", "0"));
    assertEquals(
        "ERR Unsupported rdb-filter-only option: keys",
        call(m, "REPLCONF", "rdb-filter-only", "keys"));
    assertEquals(
        "ERR value is out of range, value must between 0 and 1",
        call(m, "REPLCONF", "rdb-only", "2"));
    assertEquals("0", info(m, "connected_slaves"));
  }

  private static BooleanSupplier role(int port, String role) {
    return infoIs(port, "role", role);
  }

  @Test
  void failover_handsThePrimaryRoleToAReplicaWithoutLosingAWrite() throws Exception {
    ToriServer primary = tori("m");
    ToriServer replica = tori("r");
    int m = primary.port();
    int r = replica.port();
    // Bad uses first, with Redis's texts.
    assertEquals("ERR FAILOVER requires connected replicas.", call(m, "FAILOVER"));
    assertEquals("ERR No failover in progress.", call(m, "FAILOVER", "ABORT"));
    assertEquals(
        "ERR FAILOVER timeout must be greater than 0", call(m, "FAILOVER", "TIMEOUT", "0"));
    assertEquals("ERR syntax error", call(m, "FAILOVER", "NOW"));
    assertEquals(
        "ERR value is not an integer or out of range", call(m, "FAILOVER", "TIMEOUT", "soon"));
    assertEquals(
        "ERR value is not an integer or out of range",
        call(m, "FAILOVER", "TO", "127.0.0.1", "port"));
    assertEquals(
        "ERR PSYNC FAILOVER can't be sent to a master.", call(m, "PSYNC", "?", "-1", "FAILOVER"));
    call(r, "REPLICAOF", "127.0.0.1", Integer.toString(m));
    await("the link", linkUp(r));
    assertEquals("ERR FAILOVER is not valid when server is a replica.", call(r, "FAILOVER"));
    assertEquals(
        "ERR PSYNC FAILOVER replid must match my replid.",
        call(r, "PSYNC", "0".repeat(40), "1", "FAILOVER"));
    assertEquals("slave", info(r, "role"));
    assertEquals(
        "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
        call(m, "FAILOVER", "FORCE"));
    assertEquals(
        "ERR FAILOVER target HOST and PORT is not a replica.",
        call(m, "FAILOVER", "TO", "127.0.0.1", "1"));
    writeData(m, "a:");
    await("the data set", sameDigest(m, r));
    try (RespClient c = new RespClient("127.0.0.1", m)) {
      assertEquals("+OK\r\n", c.call("FAILOVER", "TO", "127.0.0.1", Integer.toString(r)).rawText());
      assertEquals(
          "ERR REPLICAOF not allowed while failing over.", call(m, "REPLICAOF", "NO", "ONE"));
      // A write sent during the hand-over waits, then meets a replica.
      assertTrue(c.call("SET", "during", "1").rawText().startsWith("-READONLY"));
    }
    await("the new primary", role(r, "master"));
    await("the old primary following it", linkUp(m));
    assertEquals("no-failover", info(m, "master_failover_state"));
    call(r, "SET", "after", "1");
    await("the same data", sameDigest(m, r));
    assertEquals("1", call(m, "GET", "after"));
    // The old primary continued the history: no second full synchronization.
    String stats = call(r, "INFO", "stats");
    assertTrue(stats.contains("sync_full:0\r\n") && stats.contains("sync_partial_ok:1\r\n"), stats);
  }

  @Test
  void failover_betweenToriAndRedisBothWays() throws Exception {
    // A Redis primary hands over to a ToriDB replica (Redis sends PSYNC ... FAILOVER).
    SnapshotServers.Redis redisPrimary = redis("rm");
    ToriServer toriReplica = tori("tr");
    int t = toriReplica.port();
    writeData(redisPrimary.port, "a:");
    call(t, "REPLICAOF", "127.0.0.1", Integer.toString(redisPrimary.port));
    await("the link", linkUp(t));
    await("the data set", sameDigest(redisPrimary.port, t));
    assertEquals("OK", call(redisPrimary.port, "FAILOVER"));
    await("ToriDB as primary", role(t, "master"));
    await("Redis following it", linkUp(redisPrimary.port));
    call(t, "SET", "fromTori", "1");
    await("the same data", sameDigest(redisPrimary.port, t));
    // And back: ToriDB hands over to its Redis replica.
    assertEquals("OK", call(t, "FAILOVER"));
    await("Redis as primary again", role(redisPrimary.port, "master"));
    await("ToriDB following it", linkUp(t));
    call(redisPrimary.port, "SET", "fromRedis", "1");
    await("the same data again", sameDigest(redisPrimary.port, t));
  }

  @Test
  void redisReplicatesTori_andToriAcknowledgesRedisWait() throws Exception {
    ToriServer primary = tori("m");
    int m = primary.port();
    writeData(m, "a:");
    SnapshotServers.Redis replica = redis("r", "--replicaof", "127.0.0.1 " + m);
    await("the link", linkUp(replica.port));
    await("the data set", sameDigest(m, replica.port));
    writeData(m, "b:");
    call(m, "EVAL", "redis.call('set', 'x', 1); redis.call('incr', 'x')", "0");
    try (RespClient c = new RespClient("127.0.0.1", m)) {
      c.call("SET", "w", "1");
      assertEquals(":1\r\n", c.call("WAIT", "1", "5000").rawText());
    }
    await("the stream", sameDigest(m, replica.port));
    assertEquals("2", call(replica.port, "GET", "x"));
    String list = call(m, "CLIENT", "LIST", "TYPE", "replica");
    assertTrue(list.contains("flags=S"), list);
    // Kill the replica's link: Redis continues with PSYNC.
    call(m, "CLIENT", "KILL", "TYPE", "replica");
    call(m, "SET", "later", "1");
    await("the link again", linkUp(replica.port));
    await("the data set again", sameDigest(m, replica.port));
    assertTrue(replica.log().contains("Successful partial resynchronization"), replica.log());
  }

  @Test
  void toriReplicatesRedis_diskAndDiskless() throws Exception {
    for (String diskless : new String[] {"yes", "no"}) {
      SnapshotServers.Redis primary =
          redis(
              "m" + diskless, "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0");
      writeData(primary.port, "a:");
      ToriServer replica = tori("r" + diskless);
      int r = replica.port();
      call(r, "REPLICAOF", "127.0.0.1", Integer.toString(primary.port));
      await("the link", linkUp(r));
      await("the data set", sameDigest(primary.port, r));
      writeData(primary.port, "b:");
      try (RespClient c = primary.connect()) {
        c.call("MULTI");
        c.call("INCR", "n");
        c.call("SADD", "a:set", "w");
        c.call("EXEC");
        c.call("EVAL", "redis.call('spop', KEYS[1]); return 1", "1", "a:set");
        c.call(
            "FUNCTION",
            "LOAD",
            "#!lua name=lib\nredis.register_function{function_name='f', callback=function(k) return 1"
                + " end, flags={'no-writes'}}");
        c.call("SET", "w", "1");
        assertEquals(":1\r\n", c.call("WAIT", "1", "5000").rawText());
      }
      await("the stream", sameDigest(primary.port, r));
      assertEquals("1", call(r, "FCALL", "f", "0"));
      call(primary.port, "CLIENT", "KILL", "TYPE", "replica");
      call(primary.port, "SET", "later", "1");
      await("the link again", linkUp(r));
      await("the data set again", sameDigest(primary.port, r));
      assertTrue(primary.log().contains("Partial resynchronization request"), primary.log());
    }
  }

  @Test
  void promotion_keepsTheDataAndContinuesTheHistory() throws Exception {
    ToriServer primary = tori("m");
    ToriServer replica = tori("r");
    ToriServer other = tori("o");
    int m = primary.port();
    int r = replica.port();
    int o = other.port();
    writeData(m, "a:");
    call(r, "REPLICAOF", "127.0.0.1", Integer.toString(m));
    await("r's link", linkUp(r));
    // The stream is in database 3 when the second replica joins: it must be told so again.
    writeData(m, "b:");
    call(o, "REPLICAOF", "127.0.0.1", Integer.toString(m));
    await("o's link", linkUp(o));
    try (RespClient c = new RespClient("127.0.0.1", m)) {
      c.call("SELECT", "3");
      c.call("SET", "db3-after-join", "x");
    }
    writeData(m, "c:");
    await("r's data", sameDigest(m, r));
    await("o's data", sameDigest(m, o));
    assertEquals(
        "OK Already connected to specified master",
        call(r, "REPLICAOF", "127.0.0.1", Integer.toString(m)));
    String oldId = info(m, "master_replid");
    primary.shutdown();
    assertEquals("OK", call(r, "REPLICAOF", "NO", "ONE"));
    assertEquals("master", info(r, "role"));
    assertEquals(oldId, info(r, "master_replid2"));
    assertNotEquals(oldId, info(r, "master_replid"));
    assertEquals("OK", call(r, "SET", "after-promotion", "1"));
    // The other replica follows the new primary and continues from its offset.
    call(o, "REPLICAOF", "127.0.0.1", Integer.toString(r));
    await("o's new link", linkUp(o));
    await("o's data", sameDigest(r, o));
    assertTrue(call(r, "INFO", "stats").contains("sync_partial_ok:1"));
    assertEquals("1", call(o, "GET", "after-promotion"));
  }

  @Test
  void refusesBadInputsWithRedisTexts() throws Exception {
    ToriServer s = tori("m");
    int p = s.port();
    assertEquals("ERR Invalid master port", call(p, "REPLICAOF", "127.0.0.1", "port"));
    assertEquals("ERR Invalid master port", call(p, "REPLICAOF", "127.0.0.1", "70000"));
    assertEquals(
        "ERR wrong number of arguments for 'replicaof' command", call(p, "REPLICAOF", "x"));
    assertEquals("ERR syntax error", call(p, "REPLCONF", "listening-port"));
    assertEquals("ERR Unrecognized REPLCONF option: bogus", call(p, "REPLCONF", "bogus", "1"));
    assertEquals(
        "ERR value is not an integer or out of range", call(p, "REPLCONF", "listening-port", "x"));
    assertEquals("OK", call(p, "REPLCONF", "listening-port", "1234", "capa", "eof"));
    assertEquals(
        "ERR value is not an integer or out of range", call(p, "PSYNC", "?", "notanumber"));
    try (RespClient c = new RespClient("127.0.0.1", p)) {
      c.call("MULTI");
      assertEquals("-ERR Command not allowed inside a transaction\r\n", c.call("SYNC").rawText());
    }
    assertEquals("master", info(p, "role"));
    // A primary that is not there: the link stays down, the replica serves what it has.
    int closed;
    try (ServerSocket ss = new ServerSocket(0)) {
      closed = ss.getLocalPort();
    }
    call(p, "SET", "k", "v");
    assertEquals("OK", call(p, "REPLICAOF", "127.0.0.1", Integer.toString(closed)));
    Thread.sleep(300);
    assertEquals("down", info(p, "master_link_status"));
    assertEquals("v", call(p, "GET", "k"));
    // Without stale data: only the commands flagged stale run, and no EXEC of others.
    try (RespClient c = new RespClient("127.0.0.1", p)) {
      c.call("MULTI");
      c.call("GET", "k");
      assertEquals("OK", call(p, "CONFIG", "SET", "replica-serve-stale-data", "no"));
      assertEquals(
          "-EXECABORT Transaction discarded because of: MASTERDOWN Link with MASTER is down and"
              + " replica-serve-stale-data is set to 'no'.\r\n",
          c.call("EXEC").rawText());
    }
    assertEquals(
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        call(p, "GET", "k"));
    assertEquals("down", info(p, "master_link_status"));
    // Scripts as in Redis 7.0: none without a shebang, none without allow-stale, and no call of a
    // command that is not flagged stale.
    assertEquals(
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        call(p, "EVAL", "return 1", "0"));
    assertEquals(
        "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and"
            + " 'allow-stale' flag is not set on the script.",
        call(p, "EVAL", "#!lua flags=no-writes\nreturn 1", "0"));
    assertEquals("1", call(p, "EVAL", "#!lua flags=no-writes,allow-stale\nreturn 1", "0"));
    assertTrue(
        call(p, "EVAL", "#!lua flags=no-writes,allow-stale\nreturn redis.call('get', 'k')", "0")
            .contains("Can not execute the command on a stale replica"));
    assertEquals("OK", call(p, "CONFIG", "SET", "replica-serve-stale-data", "yes"));
    assertEquals("v", call(p, "GET", "k"));
    assertTrue(raw(p, "ROLE").contains("$7\r\nconnect"), raw(p, "ROLE"));
    String configured = "127.0.0.1 " + closed;
    assertTrue(
        raw(p, "CONFIG", "GET", "replicaof")
            .endsWith("$" + configured.length() + "\r\n" + configured + "\r\n"));
    assertEquals("OK", call(p, "REPLICAOF", "NO", "ONE"));
    assertEquals("OK", call(p, "SET", "k", "w"));
    // Garbage from a "primary": the link fails and is tried again, the server keeps serving.
    try (ServerSocket fake = new ServerSocket(0)) {
      call(p, "REPLICAOF", "127.0.0.1", Integer.toString(fake.getLocalPort()));
      try (java.net.Socket link = fake.accept()) {
        link.getOutputStream().write("+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC short 1\r\n".getBytes());
        link.getOutputStream().flush();
        Thread.sleep(200);
      }
      try (java.net.Socket link = fake.accept()) {
        link.getOutputStream()
            .write(
                ("+PONG\r\n+OK\r\n+OK\r\n+FULLRESYNC " + "a".repeat(40) + " 5\r\n$10\r\nnotanrdb!!")
                    .getBytes());
        link.getOutputStream().flush();
        Thread.sleep(300);
      }
    }
    assertEquals("w", call(p, "GET", "k"));
    assertEquals("down", info(p, "master_link_status"));
    call(p, "REPLICAOF", "NO", "ONE");
    try (var files = Files.list(dir.resolve("m"))) {
      assertTrue(
          files.noneMatch(f -> f.getFileName().toString().startsWith("temp-")),
          "no temporary file left");
    }
  }

  @Test
  void aReplicaThatDoesNotRead_isDropped() throws Exception {
    ToriServer s = tori("m", "client-output-buffer-limit", "replica 1mb 0 0");
    int p = s.port();
    try (RespClient c = new RespClient("127.0.0.1", p)) {
      c.socket().setReceiveBufferSize(4096);
      c.call("REPLCONF", "listening-port", "1");
      c.send("PSYNC", "?", "-1");
      Thread.sleep(500);
      assertEquals("1", info(p, "connected_slaves"));
      String value = "x".repeat(64 * 1024);
      try (RespClient w = new RespClient("127.0.0.1", p)) {
        for (int i = 0; i < 200 && "1".equals(info(p, "connected_slaves")); i++) {
          w.call("SET", "k" + i, value);
        }
      }
      await(
          "the replica dropped",
          () -> {
            try {
              return "0".equals(info(p, "connected_slaves"));
            } catch (IOException e) {
              return false;
            }
          });
    }
    assertEquals("OK", call(p, "SET", "still", "serving"));
  }
}
