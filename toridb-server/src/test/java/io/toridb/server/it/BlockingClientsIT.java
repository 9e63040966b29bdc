package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * Blocking pops through Jedis and Lettuce, in RESP2 and RESP3, where the client really waits: one
 * connection blocks, another pushes, and the waiting client receives the element.
 */
class BlockingClientsIT {
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  private static RedisClient lettuce;

  @BeforeAll
  static void createClient() {
    lettuce = RedisClient.create();
  }

  @AfterAll
  static void shutdownClient() {
    lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
  }

  private static Jedis jedis(int protocol) {
    return new Jedis(
        new HostAndPort(tori.host(), tori.port()),
        DefaultJedisClientConfig.builder()
            .timeoutMillis(15_000)
            .protocol(protocol == 3 ? RedisProtocol.RESP3 : RedisProtocol.RESP2)
            .build());
  }

  /** Waits until the server reports {@code n} blocked clients. */
  private static void awaitBlocked(Jedis j, int n) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      if (j.info("clients").contains("blocked_clients:" + n + "\r\n")) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("never saw blocked_clients:" + n);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void jedis_waitForAReplica_blocksUntilItsTimeoutOrClientUnblock_andCountsNone(int protocol)
      throws Exception {
    try (Jedis waiter = jedis(protocol);
        Jedis other = jedis(protocol)) {
      waiter.set("k", "v");
      // No replica exists: asking for none answers at once, asking for one waits.
      assertEquals(0, waiter.waitReplicas(0, 0));
      long id = waiter.clientId();
      CompletableFuture<Long> forever =
          CompletableFuture.supplyAsync(() -> waiter.waitReplicas(1, 0));
      awaitBlocked(other, 1);
      assertTrue(
          other
              .clientList()
              .lines()
              .anyMatch(l -> l.contains("id=" + id + " ") && l.contains("cmd=wait")));
      assertEquals(1, other.clientUnblock(id));
      assertEquals(0L, forever.get(10, TimeUnit.SECONDS));
      awaitBlocked(other, 0);
      CompletableFuture<Long> timed =
          CompletableFuture.supplyAsync(() -> waiter.waitReplicas(1, 300));
      assertEquals(0L, timed.get(10, TimeUnit.SECONDS));
      assertEquals(List.of("master", 0L, List.of()), other.role());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void jedis_blpopAndBzpopmin_receiveWhatAnotherClientPushes(int protocol) throws Exception {
    try (Jedis waiter = jedis(protocol);
        Jedis pusher = jedis(protocol)) {
      pusher.flushAll();
      CompletableFuture<List<String>> popped =
          CompletableFuture.supplyAsync(() -> waiter.blpop(0, "jobs"));
      awaitBlocked(pusher, 1);
      pusher.rpush("jobs", "job-1");
      assertEquals(List.of("jobs", "job-1"), popped.get(10, TimeUnit.SECONDS));

      var zpopped = CompletableFuture.supplyAsync(() -> waiter.bzpopmin(0, "ranks"));
      awaitBlocked(pusher, 1);
      pusher.zadd("ranks", 2.5, "m");
      var kv = zpopped.get(10, TimeUnit.SECONDS);
      assertEquals("ranks", kv.getKey());
      assertEquals("m", kv.getValue().getElement());
      assertEquals(2.5, kv.getValue().getScore());
      awaitBlocked(pusher, 0);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void lettuce_blmoveAndBzpopmax_completeWhenDataArrives(int protocol) throws Exception {
    lettuce.setOptions(
        ClientOptions.builder()
            .protocolVersion(protocol == 3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2)
            .build());
    RedisURI uri =
        RedisURI.Builder.redis(tori.host(), tori.port())
            .withTimeout(Duration.ofSeconds(15))
            .build();
    try (StatefulRedisConnection<String, String> waiter = lettuce.connect(uri);
        StatefulRedisConnection<String, String> pusher = lettuce.connect(uri);
        Jedis watcher = jedis(2)) {
      pusher.sync().flushall();
      RedisFuture<String> moved =
          waiter.async().blmove("src", "dst", io.lettuce.core.LMoveArgs.Builder.leftRight(), 0);
      awaitBlocked(watcher, 1);
      pusher.sync().rpush("src", "x");
      assertEquals("x", moved.get(10, TimeUnit.SECONDS));
      assertEquals(List.of("x"), pusher.sync().lrange("dst", 0, -1));

      RedisFuture<KeyValue<String, ScoredValue<String>>> popped = waiter.async().bzpopmax(0, "z");
      awaitBlocked(watcher, 1);
      pusher.sync().zadd("z", 1.0, "a", 7.0, "b");
      KeyValue<String, ScoredValue<String>> kv = popped.get(10, TimeUnit.SECONDS);
      assertEquals("z", kv.getKey());
      assertEquals("b", kv.getValue().getValue());
      assertEquals(7.0, kv.getValue().getScore());
    }
  }
}
