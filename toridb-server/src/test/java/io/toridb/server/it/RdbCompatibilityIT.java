package io.toridb.server.it;

import static io.toridb.server.it.SnapshotServers.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.server.ToriServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dump.rdb files move between ToriDB and a real Redis 7.0 in both directions: a file ToriDB saves
 * (SAVE or BGSAVE) loads into redis-server, and a file redis-server saves loads into ToriDB, with
 * the same DEBUG DIGEST, the same expiry times and the same encodings.
 */
class RdbCompatibilityIT {
  @TempDir Path dir;

  /** Keys of every type in every encoding Redis 7.0 saves, in three databases, some expiring. */
  static void populate(RespClient c) throws IOException {
    call(c, "FLUSHALL");
    call(c, "SET", "str:int", "12345");
    call(c, "SET", "str:negative", "-9223372036854775808");
    call(c, "SET", "str:embstr", "hello");
    call(c, "SET", "str:raw", "r".repeat(100));
    call(c, "SET", "str:compressible", "abc".repeat(400));
    call(c, "SET", "str:empty", "");
    call(c, "SET", "str:binary", "\u0000\u0001\r\n\u00ff\u00fe");
    call(c, "RPUSH", "list:small", "a", "b", "c", "1", "-2", "300000");
    List<String> big = new ArrayList<>(List.of("RPUSH", "list:big"));
    for (int i = 0; i < 1500; i++) {
      big.add(i % 4 == 0 ? Integer.toString(i * 7) : "element-" + i);
    }
    call(c, big.toArray(new String[0]));
    call(c, "RPUSH", "list:long-elements", "x".repeat(5000), "y".repeat(9000), "z");
    call(c, "SADD", "set:intset", "1", "2", "3", "-5", "100000", "9223372036854775807");
    List<String> members = new ArrayList<>(List.of("SADD", "set:hashtable"));
    for (int i = 0; i < 300; i++) {
      members.add("member-" + i);
    }
    call(c, members.toArray(new String[0]));
    List<String> ints = new ArrayList<>(List.of("SADD", "set:many-integers"));
    for (int i = 0; i < 600; i++) {
      ints.add(Integer.toString(i));
    }
    call(c, ints.toArray(new String[0]));
    call(c, "HSET", "hash:listpack", "f", "v", "n", "1", "neg", "-42");
    List<String> fields = new ArrayList<>(List.of("HSET", "hash:hashtable"));
    for (int i = 0; i < 600; i++) {
      fields.add("field-" + i);
      fields.add("value-" + i);
    }
    call(c, fields.toArray(new String[0]));
    call(c, "HSET", "hash:long-value", "f", "v".repeat(100));
    call(c, "ZADD", "zset:listpack", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0.1", "e");
    List<String> scored = new ArrayList<>(List.of("ZADD", "zset:skiplist"));
    for (int i = 0; i < 200; i++) {
      scored.add(Double.toString(i * 1.5 - 20));
      scored.add("m-" + i);
    }
    call(c, scored.toArray(new String[0]));
    call(c, "ZADD", "zset:long-member", "3", "m".repeat(100));
    call(c, "PEXPIREAT", "str:embstr", "4102444800123");
    call(c, "PEXPIREAT", "hash:hashtable", "4102444801000");
    call(c, "PEXPIREAT", "list:big", "4102444802000");
    call(c, "PEXPIREAT", "zset:listpack", "4102444803000");
    call(c, "SELECT", "5");
    call(c, "SET", "db5:key", "five");
    call(c, "SADD", "db5:set", "x", "y");
    call(c, "SELECT", "15");
    call(c, "HSET", "db15:hash", "a", "1");
    call(c, "PEXPIREAT", "db15:hash", "4102444804000");
    call(c, "SELECT", "0");
  }

  private static String call(RespClient c, String... argv) throws IOException {
    String reply = c.call(argv).rawText();
    assertTrue(!reply.startsWith("-"), String.join(" ", argv) + ": " + reply);
    return reply;
  }

  /** For every key of every database: type, encoding and PEXPIRETIME. */
  static Map<String, String> describe(RespClient c) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (int db : new int[] {0, 5, 15}) {
      call(c, "SELECT", Integer.toString(db));
      List<String> keys = new ArrayList<>();
      for (io.toridb.protocol.RespReply k : c.call("KEYS", "*").resp().elements()) {
        keys.add(new String(k.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      keys.sort(null);
      for (String name : keys) {
        out.put(
            db + "/" + name,
            c.call("TYPE", name).rawText().trim()
                + " "
                + c.call("OBJECT", "ENCODING", name).rawText().trim()
                + " "
                + c.call("PEXPIRETIME", name).rawText().trim());
      }
    }
    call(c, "SELECT", "0");
    return out;
  }

  private static String digest(RespClient c) throws IOException {
    return c.call("DEBUG", "DIGEST").rawText();
  }

  @Test
  void fileSavedByToriDb_loadsIntoRedis() throws Exception {
    for (String command : new String[] {"SAVE", "BGSAVE"}) {
      Path toriDir = dir.resolve("tori-" + command);
      Path redisDir = dir.resolve("redis-" + command);
      java.nio.file.Files.createDirectories(toriDir);
      String digest;
      Map<String, String> keys;
      ToriServer tori = SnapshotServers.tori(toriDir);
      try (RespClient c = SnapshotServers.connect(tori)) {
        populate(c);
        digest = digest(c);
        keys = describe(c);
        if (command.equals("SAVE")) {
          assertEquals("+OK\r\n", c.call("SAVE").rawText());
        } else {
          assertEquals("+Background saving started\r\n", c.call("BGSAVE").rawText());
          assertTrue(
              SnapshotServers.await(
                  20_000,
                  () -> {
                    try {
                      return info(c, "rdb_bgsave_in_progress").equals("0");
                    } catch (IOException e) {
                      return false;
                    }
                  }));
          assertEquals("ok", info(c, "rdb_last_bgsave_status"));
        }
      } finally {
        tori.shutdown();
      }
      SnapshotServers.copy(toriDir, redisDir);
      try (SnapshotServers.Redis redis = SnapshotServers.Redis.start(redisDir);
          RespClient r = redis.connect()) {
        assertEquals(digest, digest(r), command + "; Redis log:\n" + redis.log());
        assertEquals(keys, describe(r), command);
        assertTrue(redis.log().contains("Done loading RDB, keys loaded: 22, keys expired: 0"));
      }
    }
  }

  @Test
  void fileSavedByRedis_loadsIntoToriDb() throws Exception {
    Path redisDir = dir.resolve("redis");
    Path toriDir = dir.resolve("tori");
    java.nio.file.Files.createDirectories(redisDir);
    String digest;
    Map<String, String> keys;
    try (SnapshotServers.Redis redis = SnapshotServers.Redis.start(redisDir);
        RespClient r = redis.connect()) {
      populate(r);
      // Plain quicklist nodes, which Redis writes for elements past the packed threshold.
      call(r, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000");
      call(r, "RPUSH", "list:plain-nodes", "a", "p".repeat(2000), "b");
      call(r, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0");
      digest = digest(r);
      keys = describe(r);
      assertEquals("+OK\r\n", r.call("SAVE").rawText());
    }
    SnapshotServers.copy(redisDir, toriDir);
    ToriServer tori = SnapshotServers.tori(toriDir);
    try (RespClient c = SnapshotServers.connect(tori)) {
      assertEquals(digest, digest(c));
      assertEquals(keys, describe(c));
      assertEquals("23", info(c, "rdb_last_load_keys_loaded"));
      assertEquals("0", info(c, "rdb_last_load_keys_expired"));
      assertEquals("0", info(c, "loading"));
    } finally {
      tori.shutdown();
    }
  }

  @Test
  void keysExpiredWhenTheFileLoads_areSkippedAndCounted() throws Exception {
    Path redisDir = dir.resolve("redis");
    Path toriDir = dir.resolve("tori");
    java.nio.file.Files.createDirectories(redisDir);
    try (SnapshotServers.Redis redis = SnapshotServers.Redis.start(redisDir);
        RespClient r = redis.connect()) {
      call(r, "SET", "short", "v", "PX", "300");
      call(r, "SET", "long", "v", "EX", "100000");
      call(r, "SET", "none", "v");
      assertEquals("+OK\r\n", r.call("SAVE").rawText());
    }
    SnapshotServers.sleep(400);
    SnapshotServers.copy(redisDir, toriDir);
    ToriServer tori = SnapshotServers.tori(toriDir);
    try (RespClient c = SnapshotServers.connect(tori)) {
      assertEquals(":2\r\n", c.call("DBSIZE").rawText());
      assertEquals("2", info(c, "rdb_last_load_keys_loaded"));
      assertEquals("1", info(c, "rdb_last_load_keys_expired"));
    } finally {
      tori.shutdown();
    }
  }

  @Test
  void lfuCounters_travelWithTheFile() throws Exception {
    Path redisDir = dir.resolve("redis");
    Path toriDir = dir.resolve("tori");
    java.nio.file.Files.createDirectories(redisDir);
    String freq;
    try (SnapshotServers.Redis redis =
            SnapshotServers.Redis.start(redisDir, "--maxmemory-policy", "allkeys-lfu");
        RespClient r = redis.connect()) {
      call(r, "SET", "k", "v");
      for (int i = 0; i < 200; i++) {
        r.call("GET", "k");
      }
      freq = r.call("OBJECT", "FREQ", "k").rawText();
      assertEquals("+OK\r\n", r.call("SAVE").rawText());
    }
    SnapshotServers.copy(redisDir, toriDir);
    ToriServer tori = SnapshotServers.tori(toriDir, "maxmemory-policy", "allkeys-lfu");
    try (RespClient c = SnapshotServers.connect(tori)) {
      assertEquals(freq, c.call("OBJECT", "FREQ", "k").rawText());
    } finally {
      tori.shutdown();
    }
  }
}
