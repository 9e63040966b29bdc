package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BGREWRITEAOF, CONFIG SET appendonly and DEBUG LOADAOF: the log turned off and on at run time, a
 * rewrite with the log off, reloading the log from disk, and their refusals.
 */
class PersistenceCommandsIT {
  private static final String STARTED = "+Background append only file rewriting started\r\n";

  @Test
  void bgrewriteaof_withTheLogOff_writesABaseThatDebugLoadaofLoads() throws Exception {
    try (TestServer server = TestServer.start(cfg -> cfg.require("appendonly").set("no"));
        RawClient c = server.client()) {
      assertEquals(
          "-ERR wrong number of arguments for 'bgrewriteaof' command\r\n",
          c.call("BGREWRITEAOF", "now"));
      fill(c);
      String digest = c.call("DEBUG", "DIGEST");
      assertEquals(STARTED, c.call("BGREWRITEAOF"));
      awaitRewrite(c);
      assertTrue(c.call("INFO", "persistence").contains("aof_enabled:0"));
      List<String> manifest = Files.readAllLines(manifestFile(server));
      assertEquals(2, manifest.size(), manifest.toString());
      assertTrue(manifest.get(0).endsWith("type b"), manifest.toString());
      assertTrue(manifest.get(1).endsWith("type i"), manifest.toString());

      // Writes after the rewrite are not logged: the log is off.
      assertEquals("+OK\r\n", c.call("SET", "later", "x"));
      assertEquals("+OK\r\n", c.call("DEBUG", "LOADAOF"));
      assertEquals(digest, c.call("DEBUG", "DIGEST"));
      assertEquals(":0\r\n", c.call("EXISTS", "later"));
      assertTtlBetween(c.call("TTL", "expiring"), 90, 100);
      assertEquals(":-1\r\n", c.call("TTL", "counter"));

      // A second rewrite replaces the first base.
      assertEquals("+OK\r\n", c.call("SET", "later", "y"));
      assertEquals(STARTED, c.call("BGREWRITEAOF"));
      awaitRewrite(c);
      assertEquals("+OK\r\n", c.call("FLUSHALL"));
      assertEquals("+OK\r\n", c.call("DEBUG", "LOADAOF"));
      assertEquals("$1\r\ny\r\n", c.call("GET", "later"));
      try (var files = Files.list(manifestFile(server).getParent())) {
        assertEquals(
            3,
            files.filter(p -> p.getFileName().toString().startsWith("appendonly.aof")).count(),
            "the manifest, one base and one incremental file");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"always", "everysec", "no"})
  void debugLoadaof_withTheLogOn_reloadsEveryWrite_andLogsNothingTwice(String fsync)
      throws Exception {
    TestServer first =
        TestServer.start(
            cfg -> {
              cfg.require("appendfsync").set(fsync);
              cfg.require("auto-aof-rewrite-percentage").set("0");
            });
    String digest;
    try (RawClient c = first.client()) {
      fill(c);
      digest = c.call("DEBUG", "DIGEST");
      assertEquals("+OK\r\n", c.call("DEBUG", "LOADAOF"));
      assertEquals(digest, c.call("DEBUG", "DIGEST"));
      assertTtlBetween(c.call("TTL", "expiring"), 90, 100);
      // Every write is in the file once DEBUG LOADAOF has run; the size counts what is written.
      String size = field(c.call("INFO", "persistence"), "aof_current_size");
      assertEquals("+OK\r\n", c.call("DEBUG", "LOADAOF"));
      assertEquals(digest, c.call("DEBUG", "DIGEST"));
      // Replaying the log appended nothing to it.
      assertEquals(size, field(c.call("INFO", "persistence"), "aof_current_size"));
      assertTrue(c.call("INFO", "persistence").contains("loading:0"));
      // Everything is written: nothing waits in the buffer, in bytes as Redis counts it.
      assertEquals("0", field(c.call("INFO", "persistence"), "aof_buffer_length"));
      // The log keeps the buffers it wrote from for reuse.
      long held = Long.parseLong(field(c.call("INFO", "memory"), "mem_aof_buffer"));
      assertTrue(held > 0, "mem_aof_buffer " + held);
      // Writes still go to the log after a reload.
      assertEquals(":11\r\n", c.call("INCR", "counter"));
      digest = c.call("DEBUG", "DIGEST");
    }
    first.server.shutdown();
    try (TestServer second = TestServer.restart(first);
        RawClient c = second.client()) {
      assertEquals(digest, c.call("DEBUG", "DIGEST"));
    }
  }

  /**
   * Under always, an event loop waits for its worker's commit before it reads again: many clients
   * writing at once, one request at a time and in pipelines, each get their replies in order, and
   * every acknowledged write is back after a restart.
   */
  @ParameterizedTest
  @ValueSource(strings = {"1", "2"})
  void underAlways_manyClientsAtOnce_getRepliesInOrder_andEveryWriteSurvivesARestart(String workers)
      throws Exception {
    int clients = 16;
    int rounds = 150;
    int pipelined = 8;
    TestServer first =
        TestServer.start(
            cfg -> {
              cfg.require("appendfsync").set("always");
              cfg.require("workers").set(workers);
            });
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(clients);
    try {
      List<java.util.concurrent.Future<Long>> done = new java.util.ArrayList<>();
      for (int i = 0; i < clients; i++) {
        String own = "own:" + i;
        done.add(
            pool.submit(
                () -> {
                  long n = 0;
                  try (RawClient c = first.client()) {
                    for (int r = 0; r < rounds; r++) {
                      assertEquals(":" + ++n + "\r\n", c.call("INCR", own));
                      assertTrue(c.call("INCR", "shared").startsWith(":"));
                      if (r % 10 == 0) {
                        for (int p = 0; p < pipelined; p++) {
                          c.send("INCR", own);
                        }
                        c.send("GET", own);
                        for (int p = 0; p < pipelined; p++) {
                          assertEquals(":" + ++n + "\r\n", c.read());
                        }
                        assertEquals(
                            "$" + Long.toString(n).length() + "\r\n" + n + "\r\n", c.read());
                      }
                    }
                  }
                  return n;
                }));
      }
      long[] expected = new long[clients];
      try {
        for (int i = 0; i < clients; i++) {
          expected[i] = done.get(i).get(120, java.util.concurrent.TimeUnit.SECONDS);
        }
      } finally {
        first.server.shutdown();
      }
      try (TestServer second = TestServer.restart(first);
          RawClient c = second.client()) {
        String shared = Integer.toString(clients * rounds);
        assertEquals("$" + shared.length() + "\r\n" + shared + "\r\n", c.call("GET", "shared"));
        for (int i = 0; i < clients; i++) {
          String v = Long.toString(expected[i]);
          assertEquals("$" + v.length() + "\r\n" + v + "\r\n", c.call("GET", "own:" + i));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Timestamp annotations are not written: asking for them is refused, and nothing changes. */
  @Test
  void aofTimestampsAsked_isRefused_andTheServerGoesOn() throws Exception {
    try (TestServer server = TestServer.start(cfg -> {});
        RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("SET", "k", "v"));
      assertEquals(
          "-ERR CONFIG SET failed (possibly related to argument 'aof-timestamp-enabled') -"
              + " argument(s) must be one of the following: no\r\n",
          c.call("CONFIG", "SET", "aof-timestamp-enabled", "yes"));
      assertTrue(c.call("CONFIG", "GET", "aof-timestamp-enabled").endsWith("$2\r\nno\r\n"));
      assertEquals("+PONG\r\n", c.call("PING"));
      assertEquals("$1\r\nv\r\n", c.call("GET", "k"));
    }
  }

  @Test
  void debugLoadaof_withoutAnyLog_isRefused_andKeepsTheData() throws Exception {
    try (TestServer server = TestServer.start(cfg -> cfg.require("appendonly").set("no"));
        RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("SET", "a", "1"));
      assertEquals(
          "-ERR There is no append-only file to load (appendonly is no and appendonlydir holds no"
              + " manifest)\r\n",
          c.call("DEBUG", "LOADAOF"));
      assertEquals("$1\r\n1\r\n", c.call("GET", "a"));
    }
  }

  @Test
  void debugLoadaof_ofADamagedLog_answersAnError_andTheServerGoesOn() throws Exception {
    try (TestServer server = TestServer.start(cfg -> cfg.require("appendonly").set("no"));
        RawClient c = server.client()) {
      fill(c);
      assertEquals(STARTED, c.call("BGREWRITEAOF"));
      awaitRewrite(c);
      Path base = server.dir.resolve("appendonlydir").resolve(baseName(server));
      byte[] bytes = Files.readAllBytes(base);
      bytes[bytes.length / 2] ^= 0x40;
      Files.write(base, bytes);
      String reply = c.call("DEBUG", "LOADAOF");
      assertTrue(reply.startsWith("-ERR Error loading the append only file: Bad AOF: "), reply);
      assertTrue(reply.contains(" at offset "), reply);
      assertTrue(c.call("INFO", "persistence").contains("loading:0"));
      assertEquals("+PONG\r\n", c.call("PING"));
      assertEquals("+OK\r\n", c.call("SET", "after", "1"));
    }
  }

  @Test
  void duringARewriteWithTheLogOff_aSecondOne_debugLoadaof_andTurningTheLogOn_areRefused()
      throws Exception {
    try (TestServer server =
            TestServer.start(
                cfg -> {
                  cfg.require("appendonly").set("no");
                  // 0.2 s per key written into the base: the rewrite lasts long enough to watch.
                  cfg.require("rdb-key-save-delay").set("200000");
                });
        RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("MSET", "a", "1", "b", "2", "c", "3"));
      assertEquals(STARTED, c.call("BGREWRITEAOF"));
      assertTrue(c.call("INFO", "persistence").contains("aof_rewrite_in_progress:1"));
      String running = "-ERR Background append only file rewriting already in progress\r\n";
      assertEquals(running, c.call("BGREWRITEAOF"));
      assertEquals(running, c.call("DEBUG", "LOADAOF"));
      assertTrue(
          c.call("CONFIG", "SET", "appendonly", "yes")
              .startsWith("-ERR CONFIG SET failed (possibly related to argument 'appendonly')"));
      assertTrue(c.call("INFO", "persistence").contains("aof_enabled:0"));
      assertEquals("$1\r\n1\r\n", c.call("GET", "a"));
      awaitRewrite(c);
      assertEquals("+OK\r\n", c.call("FLUSHALL"));
      assertEquals("+OK\r\n", c.call("DEBUG", "LOADAOF"));
      assertEquals(":3\r\n", c.call("DBSIZE"));
    }
  }

  @Test
  void configSetAppendonlyYes_startsALogOfTheDataSet_thatARestartLoads() throws Exception {
    TestServer first = TestServer.start(cfg -> cfg.require("appendonly").set("no"));
    String digest;
    try (RawClient c = first.client()) {
      fill(c);
      assertTrue(c.call("INFO", "persistence").contains("aof_enabled:0"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "yes"));
      assertTrue(c.call("INFO", "persistence").contains("aof_enabled:1"));
      // Writes from the moment the log was turned on are logged, during the rewrite and after.
      assertEquals("+OK\r\n", c.call("SET", "during", "1"));
      awaitRewrite(c);
      String info = c.call("INFO", "persistence");
      assertTrue(info.contains("aof_last_bgrewrite_status:ok"), info);
      assertNotEquals("0", field(info, "aof_base_size"), info);
      assertEquals(":4\r\n", c.call("RPUSH", "list", "d"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "yes"), "already on");
      digest = c.call("DEBUG", "DIGEST");
      assertEquals("+OK\r\n", c.call("DEBUG", "LOADAOF"));
      assertEquals(digest, c.call("DEBUG", "DIGEST"));
    }
    first.server.shutdown();
    try (TestServer second = TestServer.restart(first);
        RawClient c = second.client()) {
      assertEquals(digest, c.call("DEBUG", "DIGEST"));
      assertEquals("$1\r\n1\r\n", c.call("GET", "during"));
    }
  }

  @Test
  void configSetAppendonlyYes_duringABackgroundSave_waitsForIt_andStaysOn() throws Exception {
    try (TestServer server =
            TestServer.start(
                cfg -> {
                  cfg.require("appendonly").set("no");
                  cfg.require("rdb-key-save-delay").set("100000");
                });
        RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("MSET", "a", "1", "b", "2", "c", "3"));
      assertEquals("+Background saving started\r\n", c.call("BGSAVE"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "yes"));
      assertEquals("+OK\r\n", c.call("SET", "d", "4"));
      awaitRewrite(c);
      String info = c.call("INFO", "persistence");
      assertTrue(info.contains("aof_enabled:1"), info);
      assertTrue(info.contains("aof_last_bgrewrite_status:ok"), info);
      assertEquals(
          "*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n", c.call("CONFIG", "GET", "appendonly"));
      assertEquals("+OK\r\n", c.call("DEBUG", "LOADAOF"));
      assertEquals(":4\r\n", c.call("DBSIZE"));
      assertTrue(
          c.call("INFO", "persistence").contains("rdb_changes_since_last_save:0"),
          "the replayed writes count as saved, as in Redis");
    }
  }

  @Test
  void whileTheFirstBaseIsWritten_shutdownIsRefused_andTurningTheLogOffAbandonsIt()
      throws Exception {
    TestServer first =
        TestServer.start(
            cfg -> {
              cfg.require("appendonly").set("no");
              cfg.require("rdb-key-save-delay").set("200000");
            });
    try (RawClient c = first.client()) {
      assertEquals("+OK\r\n", c.call("MSET", "a", "1", "b", "2", "c", "3"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "yes"));
      assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", c.call("SHUTDOWN"));
      assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", c.call("SHUTDOWN", "NOSAVE"));
      // Off again before the base is done: that rewrite leaves the directory alone...
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "no"));
      assertTrue(c.call("INFO", "persistence").contains("aof_rewrite_in_progress:0"));
      // It stops at its next key.
      awaitInfo(c, "aof_last_bgrewrite_status:err");
      assertTrue(Files.notExists(manifestFile(first)), "the abandoned rewrite wrote a manifest");
      // ...and the next start of the log completes.
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "rdb-key-save-delay", "0"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "yes"));
      assertEquals("+OK\r\n", c.call("SET", "d", "4"));
      awaitRewrite(c);
      String info = c.call("INFO", "persistence");
      assertTrue(info.contains("aof_last_bgrewrite_status:ok"), info);
      assertTrue(info.contains("aof_rewrites:1"), info);
    }
    first.server.shutdown();
    try (TestServer second = TestServer.restart(first);
        RawClient c = second.client()) {
      assertEquals(":4\r\n", c.call("DBSIZE"));
      try (var files = Files.list(manifestFile(first).getParent())) {
        assertEquals(
            List.of(
                "appendonly.aof.1.base.aof",
                "appendonly.aof.1.incr.aof",
                "appendonly.aof.manifest",
                "toridb.lock"),
            files.map(p -> p.getFileName().toString()).sorted().toList());
      }
    }
  }

  @Test
  void configSetAppendonlyYes_replacesTheFilesOfAnEarlierLog() throws Exception {
    TestServer first = TestServer.start();
    String digest;
    try (RawClient c = first.client()) {
      assertEquals("+OK\r\n", c.call("SET", "stale", "1"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "no"));
      // Not logged: the files now lag behind the data set.
      assertEquals(":1\r\n", c.call("DEL", "stale"));
      assertEquals("+OK\r\n", c.call("SET", "fresh", "2"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "yes"));
      awaitRewrite(c);
      digest = c.call("DEBUG", "DIGEST");
      assertEquals("+OK\r\n", c.call("DEBUG", "LOADAOF"));
      assertEquals(":0\r\n", c.call("EXISTS", "stale"));
      assertEquals(digest, c.call("DEBUG", "DIGEST"));
    }
    first.server.shutdown();
    try (TestServer second = TestServer.restart(first);
        RawClient c = second.client()) {
      assertEquals(":0\r\n", c.call("EXISTS", "stale"));
      assertEquals("$1\r\n2\r\n", c.call("GET", "fresh"));
    }
  }

  @Test
  void start_withLogFilesButNoManifest_isRefusedNamingThem_andKeepsThem() throws Exception {
    Path dir = Files.createTempDirectory("toridb-test");
    Path incr = dir.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof");
    Files.createDirectories(incr.getParent());
    Files.write(incr, new byte[] {1, 2, 3});
    try {
      Exception e =
          org.junit.jupiter.api.Assertions.assertThrows(
              java.io.IOException.class,
              () -> TestServer.start(cfg -> cfg.require("dir").set(dir.toString())));
      assertTrue(
          e.getMessage().contains("holds appendonly.aof.1.incr.aof but no manifest"),
          e.getMessage());
      assertEquals(3, Files.size(incr));
    } finally {
      Files.delete(incr);
      Files.delete(incr.getParent().resolve("toridb.lock"));
      Files.delete(incr.getParent());
      Files.delete(dir);
    }
  }

  @Test
  void start_afterALogStartedAtRunTimeWasCutShort_deletesItsTemporaryFiles() throws Exception {
    Path dir = Files.createTempDirectory("toridb-test");
    Path log = dir.resolve("appendonlydir");
    Files.createDirectories(log);
    // What a crash during CONFIG SET appendonly yes leaves: no manifest yet, only temporary files.
    Files.write(log.resolve("temp-rewrite-1.incr.aof"), new byte[] {1, 2, 3});
    Files.write(log.resolve("temp-rewrite-1.base.aof"), new byte[] {4, 5});
    try (TestServer server = TestServer.start(cfg -> cfg.require("dir").set(dir.toString()));
        RawClient c = server.client()) {
      assertEquals(":0\r\n", c.call("DBSIZE"));
      assertEquals("+OK\r\n", c.call("SET", "a", "1"));
      try (var files = Files.list(log)) {
        assertEquals(
            List.of("appendonly.aof.1.incr.aof", "appendonly.aof.manifest", "toridb.lock"),
            files.map(p -> p.getFileName().toString()).sorted().toList());
      }
    }
  }

  @Test
  void appendonlyNo_stopsTheLog_andWritesGoOn() throws Exception {
    try (TestServer server = TestServer.start();
        RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("SET", "a", "1"));
      assertEquals(STARTED, c.call("BGREWRITEAOF"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "no"));
      assertTrue(c.call("INFO", "persistence").contains("aof_enabled:0"));
      assertEquals("+OK\r\n", c.call("SET", "a", "2"));
      assertEquals("$1\r\n2\r\n", c.call("GET", "a"));
      assertEquals("+PONG\r\n", c.call("PING"));
    }
  }

  @Test
  void aofUseRdbPreamble_isAccepted() throws Exception {
    try (TestServer server = TestServer.start();
        RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "aof-use-rdb-preamble", "no"));
      assertEquals(
          "*2\r\n$20\r\naof-use-rdb-preamble\r\n$2\r\nno\r\n",
          c.call("CONFIG", "GET", "aof-use-rdb-preamble"));
      assertTrue(
          c.call("CONFIG", "SET", "aof-use-rdb-preamble", "maybe")
              .startsWith("-ERR CONFIG SET failed (possibly related to argument"));
    }
  }

  /** Keys of several types, one with an expiry, one written by a transaction. */
  private static void fill(RawClient c) throws Exception {
    assertEquals("+OK\r\n", c.call("SET", "plain", "v"));
    assertEquals("+OK\r\n", c.call("SET", "expiring", "v", "EX", "100"));
    assertEquals("+OK\r\n", c.call("SET", "counter", "7"));
    assertEquals(":10\r\n", c.call("INCRBY", "counter", "3"));
    assertEquals(":3\r\n", c.call("RPUSH", "list", "a", "b", "c"));
    assertEquals(":2\r\n", c.call("HSET", "hash", "f", "1", "g", "2"));
    assertEquals(":2\r\n", c.call("ZADD", "zset", "1", "a", "2.5", "b"));
    assertEquals(":2\r\n", c.call("SADD", "set", "x", "y"));
    assertEquals("+OK\r\n", c.call("SELECT", "3"));
    assertEquals("+OK\r\n", c.call("MULTI"));
    assertEquals("+QUEUED\r\n", c.call("SET", "in-db-3", "v"));
    assertEquals("+QUEUED\r\n", c.call("LPUSH", "list3", "z"));
    assertEquals("*2\r\n+OK\r\n:1\r\n", c.call("EXEC"));
    assertEquals("+OK\r\n", c.call("SELECT", "0"));
  }

  private static void awaitRewrite(RawClient c) throws Exception {
    awaitInfo(c, "aof_rewrite_in_progress:0");
  }

  private static void awaitInfo(RawClient c, String field) throws Exception {
    for (int i = 0; i < 500; i++) {
      if (c.call("INFO", "persistence").contains(field)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("INFO persistence did not show " + field + " within 10 s");
  }

  private static Path manifestFile(TestServer server) {
    return server.dir.resolve("appendonlydir").resolve("appendonly.aof.manifest");
  }

  private static String baseName(TestServer server) throws Exception {
    for (String line : Files.readAllLines(manifestFile(server))) {
      if (line.endsWith("type b")) {
        return line.split(" ")[1];
      }
    }
    throw new AssertionError("no base in the manifest");
  }

  private static String field(String info, String name) {
    for (String line : info.split("\r\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1);
      }
    }
    throw new AssertionError("no " + name + " in " + info);
  }

  private static void assertTtlBetween(String reply, int low, int high) {
    assertTrue(reply.startsWith(":"), reply);
    int ttl = Integer.parseInt(reply.substring(1).trim());
    assertTrue(ttl >= low && ttl <= high, reply);
  }
}
