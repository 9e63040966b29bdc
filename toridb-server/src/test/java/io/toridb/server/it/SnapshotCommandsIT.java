package io.toridb.server.it;

import static io.toridb.server.it.SnapshotServers.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.server.ToriServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SAVE, BGSAVE, LASTSAVE, SHUTDOWN and DEBUG RELOAD side by side with a real Redis 7.0 in the same
 * situations: each step sends the same command to both and expects the same reply bytes.
 */
class SnapshotCommandsIT {
  @TempDir Path dir;

  /** The same command on ToriDB and Redis: the replies must be identical; returns ToriDB's. */
  private static String both(RespClient tori, RespClient redis, String... argv) throws IOException {
    String t = tori.call(argv).rawText();
    String r = redis.call(argv).rawText();
    assertEquals(r, t, String.join(" ", argv));
    return t;
  }

  private static boolean idle(RespClient c) {
    try {
      return info(c, "rdb_bgsave_in_progress").equals("0");
    } catch (IOException e) {
      return false;
    }
  }

  private static void fill(RespClient c, int keys) throws IOException {
    List<String> mset = new ArrayList<>(List.of("MSET"));
    for (int i = 0; i < keys; i++) {
      mset.add("key:" + i);
      mset.add("value:" + i);
    }
    c.call(mset.toArray(new String[0]));
  }

  @Test
  void saveBgsaveAndLastsave_replyAsRedis() throws Exception {
    Path toriDir = Files.createDirectories(dir.resolve("tori"));
    Path redisDir = Files.createDirectories(dir.resolve("redis"));
    ToriServer server = SnapshotServers.tori(toriDir, "appendonly", "yes");
    try (SnapshotServers.Redis redis =
            SnapshotServers.Redis.start(redisDir, "--appendonly", "yes");
        RespClient t = SnapshotServers.connect(server);
        RespClient r = redis.connect()) {
      List<RespClient> clients = List.of(t, r);
      both(t, r, "BGSAVE", "FOO");
      both(t, r, "BGSAVE", "SCHEDULE", "X");
      both(t, r, "SAVE", "X");
      both(t, r, "LASTSAVE", "X");
      fill(t, 300);
      fill(r, 300);
      assertEquals("300", info(t, "rdb_changes_since_last_save"));
      long before = Long.parseLong(t.call("LASTSAVE").rawText().substring(1).trim());
      both(t, r, "SAVE");
      assertEquals("0", info(t, "rdb_changes_since_last_save"));
      assertEquals("0", info(r, "rdb_changes_since_last_save"));
      long after = Long.parseLong(t.call("LASTSAVE").rawText().substring(1).trim());
      assertTrue(after >= before);
      assertEquals(Long.toString(after), info(t, "rdb_last_save_time"));
      assertTrue(Files.exists(toriDir.resolve("dump.rdb")));

      // A slow background save (10 ms per key): what may and may not run meanwhile.
      SnapshotServers.everywhere(clients, "CONFIG", "SET", "rdb-key-save-delay", "10000");
      both(t, r, "BGSAVE");
      assertEquals("1", info(t, "rdb_bgsave_in_progress"));
      both(t, r, "BGSAVE");
      both(t, r, "BGSAVE", "SCHEDULE");
      both(t, r, "SAVE");
      // An append-only file rewrite waits for the background save.
      both(t, r, "BGREWRITEAOF");
      assertEquals("1", info(t, "aof_rewrite_scheduled"));
      assertEquals("1", info(r, "aof_rewrite_scheduled"));
      SnapshotServers.everywhere(clients, "CONFIG", "SET", "rdb-key-save-delay", "0");
      assertTrue(SnapshotServers.await(20_000, () -> idle(t) && idle(r)));
      assertEquals("ok", info(t, "rdb_last_bgsave_status"));
      // SAVE and one BGSAVE: refused commands do not count.
      assertEquals("2", info(t, "rdb_saves"));
      assertEquals(info(r, "rdb_saves"), info(t, "rdb_saves"));
      // ... and starts once it is done.
      assertTrue(
          SnapshotServers.await(
              20_000,
              () -> {
                try {
                  return info(t, "aof_rewrite_scheduled").equals("0")
                      && info(t, "aof_rewrite_in_progress").equals("0")
                      && info(t, "aof_rewrites").equals("1");
                } catch (IOException e) {
                  return false;
                }
              }));

      // Inside MULTI, BGSAVE is scheduled; the cron starts it.
      both(t, r, "MULTI");
      both(t, r, "BGSAVE");
      both(t, r, "EXEC");
      assertTrue(
          SnapshotServers.await(
              20_000,
              () -> {
                try {
                  return info(t, "rdb_saves").equals("3") && idle(t);
                } catch (IOException e) {
                  return false;
                }
              }));
      // SAVE is refused inside MULTI.
      both(t, r, "MULTI");
      both(t, r, "SAVE");
      both(t, r, "DISCARD");
    } finally {
      server.shutdown();
    }
  }

  @Test
  void failedSaves_replyAsRedis_andStopWrites() throws Exception {
    Path toriDir = Files.createDirectories(dir.resolve("tori"));
    Path redisDir = Files.createDirectories(dir.resolve("redis"));
    ToriServer server = SnapshotServers.tori(toriDir, "save", "3600 1");
    try (SnapshotServers.Redis redis = SnapshotServers.Redis.start(redisDir, "--save", "3600 1");
        RespClient t = SnapshotServers.connect(server);
        RespClient r = redis.connect()) {
      both(t, r, "SET", "k", "v");
      String lastsave = t.call("LASTSAVE").rawText();
      // Nowhere to write the temporary file.
      Files.delete(toriDir);
      Files.delete(redisDir);
      both(t, r, "SAVE");
      assertEquals(lastsave, t.call("LASTSAVE").rawText());
      assertEquals("1", info(t, "rdb_changes_since_last_save"));
      both(t, r, "BGSAVE");
      assertTrue(SnapshotServers.await(20_000, () -> idle(t) && idle(r)));
      assertEquals("err", info(t, "rdb_last_bgsave_status"));
      assertEquals("err", info(r, "rdb_last_bgsave_status"));
      // stop-writes-on-bgsave-error: writes (and PING) are refused, reads are not.
      both(t, r, "SET", "k", "v2");
      both(t, r, "PING");
      both(t, r, "GET", "k");
      both(t, r, "CONFIG", "SET", "stop-writes-on-bgsave-error", "no");
      both(t, r, "SET", "k", "v2");
      both(t, r, "CONFIG", "SET", "stop-writes-on-bgsave-error", "yes");
      both(t, r, "SET", "k", "v3");
      // SHUTDOWN cannot save either: it fails and the server keeps running.
      both(t, r, "SHUTDOWN");
      both(t, r, "PING");
      // Once the directory is back, a save succeeds and writes are accepted again. (Redis, which
      // changed into the deleted directory at startup, cannot follow here.)
      Files.createDirectories(toriDir);
      assertEquals("+OK\r\n", t.call("SAVE").rawText());
      assertEquals("+OK\r\n", t.call("SET", "k", "v3").rawText());
      assertEquals("ok", info(t, "rdb_last_bgsave_status"));
      Files.delete(toriDir.resolve("dump.rdb"));
      Files.delete(toriDir);
      // FORCE stops the server although the save fails.
      t.send("SHUTDOWN", "FORCE");
      r.send("SHUTDOWN", "FORCE");
      assertTrue(t.closedByServer());
      assertTrue(r.closedByServer());
      assertTrue(redis.awaitExit(10_000));
      server.awaitTermination();
    } finally {
      server.shutdown();
    }
  }

  @Test
  void shutdown_savesAsRedis_andTheNextStartLoadsTheFile() throws Exception {
    Path toriDir = Files.createDirectories(dir.resolve("tori"));
    // Save points configured, no argument: saved.
    ToriServer first = SnapshotServers.tori(toriDir, "save", "3600 1");
    String digest;
    try (RespClient t = SnapshotServers.connect(first)) {
      RdbCompatibilityIT.populate(t);
      digest = t.call("DEBUG", "DIGEST").rawText();
      t.send("SHUTDOWN");
      assertTrue(t.closedByServer());
      first.awaitTermination();
    }
    assertTrue(Files.exists(toriDir.resolve("dump.rdb")));
    // No save points, no argument: not saved (the file stays as it was).
    ToriServer second = SnapshotServers.tori(toriDir);
    try (RespClient t = SnapshotServers.connect(second)) {
      assertEquals(digest, t.call("DEBUG", "DIGEST").rawText());
      t.call("FLUSHALL");
      t.call("SET", "only", "1");
      t.send("SHUTDOWN");
      assertTrue(t.closedByServer());
      second.awaitTermination();
    }
    // NOSAVE with save points: not saved either.
    ToriServer third = SnapshotServers.tori(toriDir, "save", "3600 1");
    try (RespClient t = SnapshotServers.connect(third)) {
      assertEquals(digest, t.call("DEBUG", "DIGEST").rawText());
      t.call("FLUSHDB");
      t.send("SHUTDOWN", "NOSAVE");
      assertTrue(t.closedByServer());
      third.awaitTermination();
    }
    // SAVE without save points: saved.
    ToriServer fourth = SnapshotServers.tori(toriDir);
    try (RespClient t = SnapshotServers.connect(fourth)) {
      assertEquals(digest, t.call("DEBUG", "DIGEST").rawText());
      t.call("FLUSHALL");
      t.call("SET", "last", "1");
      t.send("SHUTDOWN", "SAVE");
      assertTrue(t.closedByServer());
      fourth.awaitTermination();
    }
    ToriServer fifth = SnapshotServers.tori(toriDir);
    try (RespClient t = SnapshotServers.connect(fifth)) {
      assertEquals(":1\r\n", t.call("DBSIZE").rawText());
      assertEquals("$1\r\n1\r\n", t.call("GET", "last").rawText());
    } finally {
      fifth.shutdown();
    }
  }

  @Test
  void stopWithoutShutdownCommand_savesWhenSavePointsAreConfigured() throws Exception {
    Path toriDir = Files.createDirectories(dir.resolve("tori"));
    ToriServer first = SnapshotServers.tori(toriDir, "save", "3600 1");
    try (RespClient t = SnapshotServers.connect(first)) {
      t.call("SET", "k", "v");
    }
    // As SIGTERM does.
    first.shutdown();
    ToriServer second = SnapshotServers.tori(toriDir);
    try (RespClient t = SnapshotServers.connect(second)) {
      assertEquals("$1\r\nv\r\n", t.call("GET", "k").rawText());
    } finally {
      second.shutdown();
    }
  }

  @Test
  void debugReload_keepsTheDataAndRepliesAsRedis() throws Exception {
    Path toriDir = Files.createDirectories(dir.resolve("tori"));
    Path redisDir = Files.createDirectories(dir.resolve("redis"));
    ToriServer server = SnapshotServers.tori(toriDir);
    try (SnapshotServers.Redis redis = SnapshotServers.Redis.start(redisDir);
        RespClient t = SnapshotServers.connect(server);
        RespClient r = redis.connect()) {
      List<RespClient> clients = List.of(t, r);
      RdbCompatibilityIT.populate(t);
      RdbCompatibilityIT.populate(r);
      // A sorted set that became small again converts to a listpack when loaded, in both.
      for (int i = 0; i < 190; i++) {
        SnapshotServers.everywhere(clients, "ZREM", "zset:skiplist", "m-" + i);
      }
      both(t, r, "OBJECT", "ENCODING", "zset:skiplist");
      String digest = both(t, r, "DEBUG", "DIGEST");
      both(t, r, "DEBUG", "RELOAD");
      assertEquals(digest, both(t, r, "DEBUG", "DIGEST"));
      both(t, r, "OBJECT", "ENCODING", "zset:skiplist");
      assertEquals(RdbCompatibilityIT.describe(r), RdbCompatibilityIT.describe(t));
      both(t, r, "DEBUG", "RELOAD", "BADOPTION");
      // NOSAVE: back to the file as it was.
      both(t, r, "SET", "after", "1");
      both(t, r, "DEBUG", "RELOAD", "NOSAVE");
      both(t, r, "EXISTS", "after");
      // NOSAVE NOFLUSH MERGE: the file's keys added to (and replacing) what is there.
      both(t, r, "SET", "extra", "1");
      both(t, r, "SET", "str:int", "changed");
      both(t, r, "DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE");
      both(t, r, "GET", "extra");
      both(t, r, "GET", "str:int");
      both(t, r, "DEBUG", "DIGEST");
      assertEquals("22", info(t, "rdb_last_load_keys_loaded"));
    } finally {
      server.shutdown();
    }
  }

  @Test
  void flushall_savesWhenSavePointsAreConfigured_asRedis() throws Exception {
    Path toriDir = Files.createDirectories(dir.resolve("tori"));
    Path redisDir = Files.createDirectories(dir.resolve("redis"));
    ToriServer server = SnapshotServers.tori(toriDir);
    try (SnapshotServers.Redis redis = SnapshotServers.Redis.start(redisDir);
        RespClient t = SnapshotServers.connect(server);
        RespClient r = redis.connect()) {
      both(t, r, "SET", "k", "v");
      both(t, r, "FLUSHALL");
      assertEquals(info(r, "rdb_changes_since_last_save"), info(t, "rdb_changes_since_last_save"));
      assertFalse(Files.exists(toriDir.resolve("dump.rdb")));
      both(t, r, "CONFIG", "SET", "save", "3600 1 300 100 60 10000");
      both(t, r, "CONFIG", "GET", "save");
      both(t, r, "SET", "k", "v");
      both(t, r, "FLUSHALL");
      assertEquals("0", info(t, "rdb_changes_since_last_save"));
      assertEquals("0", info(r, "rdb_changes_since_last_save"));
      assertTrue(Files.exists(toriDir.resolve("dump.rdb")));
      both(t, r, "CONFIG", "SET", "save", "1 2 3");
      both(t, r, "CONFIG", "SET", "save", "0 1");
      both(t, r, "CONFIG", "SET", "save", "10 -1");
      both(t, r, "CONFIG", "SET", "save", "10 x");
      both(t, r, "CONFIG", "SET", "save", "+10 0020");
      both(t, r, "CONFIG", "GET", "save");
      both(t, r, "CONFIG", "SET", "save", "");
      both(t, r, "CONFIG", "GET", "save");
    } finally {
      server.shutdown();
    }
  }

  @Test
  void savePoints_triggerABackgroundSave() throws Exception {
    Path toriDir = Files.createDirectories(dir.resolve("tori"));
    ToriServer server = SnapshotServers.tori(toriDir, "save", "1 3", "hz", "50");
    try (RespClient t = SnapshotServers.connect(server)) {
      t.call("SET", "a", "1");
      t.call("SET", "b", "1");
      // Two changes: below the point, nothing happens.
      SnapshotServers.sleep(2500);
      assertEquals("0", info(t, "rdb_saves"));
      assertFalse(Files.exists(toriDir.resolve("dump.rdb")));
      t.call("SET", "c", "1");
      assertTrue(
          SnapshotServers.await(
              10_000,
              () -> {
                try {
                  return info(t, "rdb_saves").equals("1")
                      && idle(t)
                      && info(t, "rdb_changes_since_last_save").equals("0");
                } catch (IOException e) {
                  return false;
                }
              }));
      assertTrue(Files.exists(toriDir.resolve("dump.rdb")));
    } finally {
      server.shutdown();
    }
  }
}
