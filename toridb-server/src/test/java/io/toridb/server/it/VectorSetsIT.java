package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.toridb.server.ToriServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.VAddParams;
import redis.clients.jedis.params.VSimParams;
import redis.clients.jedis.resps.VSimScoreAttribs;
import redis.clients.jedis.resps.VectorInfo;

/**
 * Vector sets through real clients (Jedis's vector-set API in RESP2 and RESP3, Lettuce's), and sets
 * surviving a restart from the log, from a rewritten log, from a snapshot, a DEBUG RELOAD and a
 * DUMP/RESTORE with their vectors, attributes and search results unchanged.
 */
class VectorSetsIT {
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  @TempDir Path dir;

  @Test
  void jedis_addsSearchesAndInspects_inBothProtocols() {
    for (RedisProtocol protocol : new RedisProtocol[] {RedisProtocol.RESP2, RedisProtocol.RESP3}) {
      try (Jedis j = tori.jedis(protocol)) {
        j.del("jv");
        assertTrue(j.vadd("jv", new float[] {1, 0, 0}, "x", new VAddParams().setAttr("{\"n\":1}")));
        assertTrue(j.vadd("jv", new float[] {0, 1, 0}, "y"));
        assertTrue(j.vadd("jv", new float[] {-1, 0, 0}, "z"));
        assertFalse(j.vadd("jv", new float[] {-1, 0.001f, 0}, "z"));
        assertEquals(3, j.vcard("jv"));
        assertEquals(3, j.vdim("jv"));
        assertEquals(
            List.of("x", "y"), j.vsim("jv", new float[] {1, 0.1f, 0}, new VSimParams().count(2)));
        Map<String, Double> scores =
            j.vsimByElementWithScores("jv", "x", new VSimParams().count(3));
        assertEquals(1.0, scores.get("x"), 1e-6);
        assertEquals(0.5, scores.get("y"), 1e-6);
        Map<String, VSimScoreAttribs> withAttrs =
            j.vsimByElementWithScoresAndAttribs("jv", "x", new VSimParams().count(1));
        assertEquals("{\"n\":1}", withAttrs.get("x").getAttributes());
        assertEquals(
            List.of("x"), j.vsim("jv", new float[] {0, 0, 1}, new VSimParams().filter(".n == 1")));
        assertEquals(3, j.vemb("jv", "y").size());
        assertEquals(1.0, j.vemb("jv", "y").get(1), 1e-6);
        VectorInfo info = j.vinfo("jv");
        assertEquals(3L, info.getSize());
        assertEquals(3L, info.getDimensionality());
        assertEquals(1L, info.getAttributesCount());
        assertFalse(j.vlinks("jv", "x").isEmpty());
        assertEquals("{\"n\":1}", j.vgetattr("jv", "x"));
        assertTrue(j.vsetattr("jv", "y", "{\"n\":2}"));
        assertEquals(3, j.vrandmember("jv", 5).size());
        assertTrue(j.vrem("jv", "z"));
        assertFalse(j.vrem("jv", "z"));
        JedisDataException e =
            assertThrows(JedisDataException.class, () -> j.vadd("jv", new float[] {1, 2}, "w"));
        assertEquals("ERR Vector dimension mismatch - got 2 but set has 3", e.getMessage());
        assertEquals("PONG", j.ping());
      }
    }
  }

  @Test
  void lettuce_addsAndSearches() {
    RedisClient client = RedisClient.create();
    try (StatefulRedisConnection<String, String> c =
        client.connect(RedisURI.Builder.redis(tori.host(), tori.port()).build())) {
      RedisCommands<String, String> sync = c.sync();
      sync.del("lv");
      assertTrue(sync.vadd("lv", "a", 1.0, 0.0));
      assertTrue(sync.vadd("lv", "b", 0.0, 1.0));
      assertEquals(2L, sync.vcard("lv"));
      Map<String, Double> scores = sync.vsimWithScore("lv", 1.0, 0.0);
      assertEquals(1.0, scores.get("a"), 1e-6);
      assertEquals(0.5, scores.get("b"), 1e-6);
      assertEquals(List.of("a", "b"), sync.vsim("lv", "a"));
      assertEquals(2L, sync.vdim("lv"));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }

  /** What a set looks like from outside: exact search results with scores, and stored vectors. */
  private static String state(RespClient c, String key, int n) throws Exception {
    StringBuilder sb = new StringBuilder();
    // A replayed log builds a new graph (levels are random): its height may differ.
    sb.append(
        c.callRaw("VINFO", key)
            .replaceAll("vset-uid\r\n:\\d+", "vset-uid")
            .replaceAll("max-level\r\n:\\d+", "max-level"));
    sb.append(
        c.callRaw(
            "VSIM",
            key,
            "VALUES",
            "4",
            "1",
            "0.5",
            "-1",
            "2",
            "TRUTH",
            "WITHSCORES",
            "WITHATTRIBS",
            "COUNT",
            "20"));
    for (int i = 0; i < n; i += 7) {
      sb.append(c.callRaw("VEMB", key, "e" + i, "RAW"));
    }
    return sb.toString();
  }

  private static void fill(RespClient c, String key, String quant) throws Exception {
    Random r = new Random(42);
    for (int i = 0; i < 60; i++) {
      List<String> args = new ArrayList<>(List.of("VADD", key, "VALUES", "4"));
      for (int d = 0; d < 4; d++) {
        args.add(String.valueOf(r.nextGaussian()));
      }
      args.add("e" + i);
      args.add(quant);
      if (i % 4 == 0) {
        args.add("SETATTR");
        args.add("{\"i\":" + i + "}");
      }
      assertEquals(":1\r\n", c.callRaw(args.toArray(new String[0])));
    }
    c.callRaw("VREM", key, "e3");
    c.callRaw("VSETATTR", key, "e5", "{\"late\":true}");
  }

  @Test
  void vectorSets_surviveRestarts_rewrites_snapshots_reloadsAndDumps() throws Exception {
    String[] keys = {"q8", "f32", "bin"};
    String[] quants = {"Q8", "NOQUANT", "BIN"};
    String[] before = new String[keys.length];
    ToriServer first = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", first.port())) {
      for (int k = 0; k < keys.length; k++) {
        fill(c, keys[k], quants[k]);
        before[k] = state(c, keys[k], 60);
      }
    } finally {
      first.shutdown();
    }
    ToriServer second = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", second.port())) {
      for (int k = 0; k < keys.length; k++) {
        assertEquals(before[k], state(c, keys[k], 60), "replayed log, " + keys[k]);
      }
      c.call("BGREWRITEAOF");
      FunctionsIT.awaitRewrite(c);
    } finally {
      second.shutdown();
    }
    ToriServer third = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", third.port())) {
      String links = c.callRaw("VLINKS", "q8", "e10", "WITHSCORES");
      for (int k = 0; k < keys.length; k++) {
        assertEquals(before[k], state(c, keys[k], 60), "rewritten log, " + keys[k]);
      }
      assertEquals("+OK\r\n", c.callRaw("DEBUG", "RELOAD"));
      assertEquals(links, c.callRaw("VLINKS", "q8", "e10", "WITHSCORES"), "graph kept");
      for (int k = 0; k < keys.length; k++) {
        assertEquals(before[k], state(c, keys[k], 60), "reloaded, " + keys[k]);
      }
      assertEquals("+OK\r\n", c.callRaw("SAVE"));
    } finally {
      third.shutdown();
    }
    ToriServer fourth = SnapshotServers.tori(dir, "appendonly", "no", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", fourth.port())) {
      for (int k = 0; k < keys.length; k++) {
        assertEquals(before[k], state(c, keys[k], 60), "snapshot, " + keys[k]);
      }
    } finally {
      fourth.shutdown();
    }
  }

  @Test
  void dumpAndRestore_copyASet_andRefuseADamagedPayload() throws Exception {
    try (RespClient c = tori.connect()) {
      c.callRaw("DEL", "src", "dst");
      fill(c, "src", "Q8");
      String want = state(c, "src", 60);
      String moved = ToriServerExtension.dumpRestoreAndDamage(c, "src", "dst", "bad");
      assertEquals("-ERR DUMP payload version or checksum are wrong\r\n", moved);
      assertEquals(want, state(c, "dst", 60));
      assertEquals(":0\r\n", c.callRaw("EXISTS", "bad"));
    }
  }
}
