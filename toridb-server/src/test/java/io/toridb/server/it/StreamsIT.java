package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.toridb.server.ToriServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamGroupInfo;
import redis.clients.jedis.resps.StreamPendingSummary;

/**
 * Streams through real clients (Jedis in RESP2 and RESP3, a blocking XREAD through Lettuce), and
 * streams with consumer groups surviving a restart from the log, from a rewritten log, a DEBUG
 * RELOAD, a snapshot and a DUMP/RESTORE.
 */
class StreamsIT {
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  @TempDir Path dir;

  @Test
  void jedis_producesAndConsumesWithAGroup_inBothProtocols() {
    for (RedisProtocol protocol : new RedisProtocol[] {RedisProtocol.RESP2, RedisProtocol.RESP3}) {
      try (Jedis j = tori.jedis(protocol)) {
        j.del("js");
        StreamEntryID first = j.xadd("js", XAddParams.xAddParams(), Map.of("n", "1"));
        StreamEntryID second = j.xadd("js", XAddParams.xAddParams().maxLen(10), Map.of("n", "2"));
        assertTrue(second.compareTo(first) > 0);
        assertEquals(2, j.xlen("js"));
        assertEquals("OK", j.xgroupCreate("js", "workers", new StreamEntryID(0, 0), false));
        List<Map.Entry<String, List<StreamEntry>>> got =
            j.xreadGroup(
                "workers",
                "w1",
                XReadGroupParams.xReadGroupParams().count(1),
                Map.of("js", StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
        assertEquals("js", got.get(0).getKey());
        StreamEntry e = got.get(0).getValue().get(0);
        assertEquals(first, e.getID());
        assertEquals(Map.of("n", "1"), e.getFields());
        StreamPendingSummary pending = j.xpending("js", "workers");
        assertEquals(1, pending.getTotal());
        assertEquals(1L, pending.getConsumerMessageCount().get("w1"));
        assertEquals(1, j.xack("js", "workers", first));
        List<StreamGroupInfo> groups = j.xinfoGroups("js");
        assertEquals(1, groups.size());
        assertEquals("workers", groups.get(0).getName());
        assertEquals(0L, groups.get(0).getPending());
        assertEquals(1L, groups.get(0).getGroupInfo().get("lag"));
        assertEquals(first, groups.get(0).getLastDeliveredId());
        assertEquals(2, j.xrange("js", "-", "+").size());
        JedisDataException bad =
            assertThrows(
                JedisDataException.class,
                () -> j.xadd("js", XAddParams.xAddParams().id(1, 1), Map.of("x", "y")));
        assertEquals(
            "ERR The ID specified in XADD is equal or smaller than the target stream top item",
            bad.getMessage());
        assertEquals("PONG", j.ping());
      }
    }
  }

  @Test
  void lettuce_blockingXread_isWokenByAnotherClientsXadd() throws Exception {
    RedisClient client = RedisClient.create();
    try (StatefulRedisConnection<String, String> reader =
            client.connect(RedisURI.Builder.redis(tori.host(), tori.port()).build());
        StatefulRedisConnection<String, String> writer =
            client.connect(RedisURI.Builder.redis(tori.host(), tori.port()).build())) {
      writer.sync().del("ls");
      writer.sync().xadd("ls", Map.of("old", "1"));
      RedisFuture<List<StreamMessage<String, String>>> waiting =
          reader
              .async()
              .xread(XReadArgs.Builder.block(10_000), XReadArgs.StreamOffset.latest("ls"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!writer.sync().info("clients").contains("blocked_clients:1")) {
        assertTrue(System.nanoTime() < deadline, "the reader never blocked");
        Thread.sleep(5);
      }
      assertFalse(waiting.isDone());
      String id = writer.sync().xadd("ls", Map.of("new", "2"));
      List<StreamMessage<String, String>> got = waiting.get(10, TimeUnit.SECONDS);
      assertEquals(1, got.size());
      assertEquals(id, got.get(0).getId());
      assertEquals(Map.of("new", "2"), got.get(0).getBody());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }

  /** A stream and its groups as clients see them (no times, which a reload may not keep). */
  private static String state(RespClient c, String key) throws Exception {
    return c.callRaw("XRANGE", key, "-", "+")
        + c.callRaw("XINFO", "GROUPS", key)
        + c.callRaw("XPENDING", key, "g")
        + c.callRaw("XINFO", "STREAM", key).replaceAll("radix-tree-nodes\r\n:\\d+", "nodes")
        + c.callRaw("XINFO", "CONSUMERS", key, "g").replaceAll("idle\r\n:\\d+", "idle")
        + c.callRaw("XPENDING", key, "g", "-", "+", "100").replaceAll("\r\n:\\d+\r\n:", "\r\n:");
  }

  private static void fill(RespClient c, String key) throws Exception {
    for (int i = 0; i < 250; i++) {
      c.callRaw("XADD", key, "MAXLEN", "~", "200", "*", "n", String.valueOf(i), "pad", "x" + i);
    }
    c.callRaw("XADD", key, "*", "other", "fields");
    c.callRaw("XGROUP", "CREATE", key, "g", "0");
    c.callRaw("XGROUP", "CREATE", key, "later", "$");
    c.callRaw("XREADGROUP", "GROUP", "g", "a", "COUNT", "5", "STREAMS", key, ">");
    c.callRaw("XREADGROUP", "GROUP", "g", "b", "COUNT", "3", "NOACK", "STREAMS", key, ">");
    c.callRaw("XGROUP", "CREATECONSUMER", key, "g", "idle");
    List<String> ids = ids(c.callRaw("XRANGE", key, "-", "+", "COUNT", "3"));
    assertEquals(":1\r\n", c.callRaw("XACK", key, "g", ids.get(0)));
    assertEquals(":1\r\n", c.callRaw("XDEL", key, ids.get(2)));
  }

  /** The entry IDs in a raw XRANGE reply. */
  private static List<String> ids(String reply) {
    List<String> out = new java.util.ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\r\n(\\d+-\\d+)\r\n").matcher(reply);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void streams_surviveRestarts_rewrites_reloadsAndSnapshots() throws Exception {
    String before;
    ToriServer first = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", first.port())) {
      fill(c, "s");
      c.callRaw("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM");
      before = state(c, "s") + state(c, "empty");
    } finally {
      first.shutdown();
    }
    ToriServer second = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", second.port())) {
      assertEquals(before, state(c, "s") + state(c, "empty"), "replayed log");
      c.call("BGREWRITEAOF");
      FunctionsIT.awaitRewrite(c);
    } finally {
      second.shutdown();
    }
    ToriServer third = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", third.port())) {
      assertEquals(before, state(c, "s") + state(c, "empty"), "rewritten log");
      String digest = c.callRaw("DEBUG", "DIGEST-VALUE", "s");
      assertEquals("+OK\r\n", c.callRaw("DEBUG", "RELOAD"));
      assertEquals(before, state(c, "s") + state(c, "empty"), "reloaded");
      assertEquals(digest, c.callRaw("DEBUG", "DIGEST-VALUE", "s"));
      assertEquals("+OK\r\n", c.callRaw("SAVE"));
    } finally {
      third.shutdown();
    }
    ToriServer fourth = SnapshotServers.tori(dir, "appendonly", "no", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", fourth.port())) {
      assertEquals(before, state(c, "s") + state(c, "empty"), "snapshot");
    } finally {
      fourth.shutdown();
    }
  }

  @Test
  void dumpAndRestore_copyAStream_andRefuseADamagedPayload() throws Exception {
    try (RespClient c = tori.connect()) {
      c.callRaw("DEL", "src", "dst", "bad");
      fill(c, "src");
      String want = state(c, "src");
      String moved = ToriServerExtension.dumpRestoreAndDamage(c, "src", "dst", "bad");
      assertEquals("-ERR DUMP payload version or checksum are wrong\r\n", moved);
      assertEquals(want, state(c, "dst"));
      assertEquals(":0\r\n", c.callRaw("EXISTS", "bad"));
    }
  }

  /**
   * A consumer group under load with four workers: two producers add entries while three consumers
   * wait in XREADGROUP BLOCK 0 and acknowledge what they get. Every entry must reach exactly one
   * consumer, and none may be left undelivered while all consumers wait (a lost wake-up would leave
   * the last entries there until the deadline).
   */
  @Test
  void consumerGroup_deliversEachEntryOnce_toBlockedConsumers_underParallelProducers()
      throws Exception {
    ToriServer server = SnapshotServers.tori(dir, "appendonly", "no", "save", "", "workers", "4");
    int perProducer = 1500;
    java.util.Set<String> produced = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.Map<String, Integer> received = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicInteger total =
        new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> threads = new java.util.ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    try (Jedis admin = new Jedis("127.0.0.1", server.port())) {
      admin.xgroupCreate("q", "g", new StreamEntryID(0, 0), true);
      for (int c = 0; c < 3; c++) {
        String name = "c" + c;
        threads.add(
            new Thread(
                () -> {
                  try (Jedis j = new Jedis("127.0.0.1", server.port(), 30_000)) {
                    while (true) {
                      List<Map.Entry<String, List<StreamEntry>>> got =
                          j.xreadGroup(
                              "g",
                              name,
                              XReadGroupParams.xReadGroupParams().count(10).block(0),
                              Map.of("q", StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
                      boolean last = false;
                      for (StreamEntry e : got.get(0).getValue()) {
                        j.xack("q", "g", e.getID());
                        if (e.getFields().containsKey("stop")) {
                          last = true;
                        } else {
                          received.merge(e.getID().toString(), 1, Integer::sum);
                          total.incrementAndGet();
                        }
                      }
                      if (last) {
                        return;
                      }
                    }
                  } catch (Throwable t) {
                    failures.add(t);
                  }
                }));
      }
      for (int p = 0; p < 2; p++) {
        int producer = p;
        threads.add(
            new Thread(
                () -> {
                  try (Jedis j = new Jedis("127.0.0.1", server.port())) {
                    for (int i = 0; i < perProducer; i++) {
                      produced.add(
                          j.xadd("q", XAddParams.xAddParams(), Map.of("n", producer + ":" + i))
                              .toString());
                    }
                  } catch (Throwable t) {
                    failures.add(t);
                  }
                }));
      }
      threads.forEach(Thread::start);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (total.get() < 2 * perProducer && failures.isEmpty()) {
        assertTrue(
            System.nanoTime() < deadline,
            "delivered " + total.get() + " of " + 2 * perProducer + " before the deadline");
        Thread.sleep(10);
      }
      // A stop entry ends the consumer it reaches; add them until every consumer has had one.
      while (threads.subList(0, 3).stream().anyMatch(Thread::isAlive)) {
        assertTrue(System.nanoTime() < deadline, "consumers did not stop");
        admin.xadd("q", XAddParams.xAddParams(), Map.of("stop", "1"));
        Thread.sleep(20);
      }
      for (Thread t : threads) {
        t.join(30_000);
        assertFalse(t.isAlive(), t.getName() + " still running");
      }
      assertTrue(failures.isEmpty(), failures.toString());
      assertEquals(produced, received.keySet());
      assertTrue(received.values().stream().allMatch(n -> n == 1), "an entry was delivered twice");
      assertEquals(0, admin.xpending("q", "g").getTotal());
    } finally {
      server.shutdown();
    }
  }
}
