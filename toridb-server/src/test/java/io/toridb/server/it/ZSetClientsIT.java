package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScoredValueScanCursor;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.ZAggregateArgs;
import io.lettuce.core.ZPopArgs;
import io.lettuce.core.ZStoreArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.SortedSetOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.params.ZParams;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;

/**
 * Sorted set commands through Jedis 7 and Lettuce 6, in RESP2 and RESP3: the clients parse scores
 * as bulk strings or doubles and pairs as flat or nested arrays, so each protocol is exercised.
 */
class ZSetClientsIT {
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  private static RedisClient lettuce;

  /** The protocol a client speaks. */
  enum Protocol {
    RESP2,
    RESP3
  }

  @BeforeAll
  static void createLettuce() {
    lettuce = RedisClient.create();
  }

  @AfterAll
  static void shutdownLettuce() {
    lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
  }

  private static Jedis jedis(Protocol protocol) {
    DefaultJedisClientConfig config =
        DefaultJedisClientConfig.builder()
            .timeoutMillis(15_000)
            .protocol(protocol == Protocol.RESP3 ? RedisProtocol.RESP3 : RedisProtocol.RESP2)
            .build();
    return new Jedis(new HostAndPort(tori.host(), tori.port()), config);
  }

  private static StatefulRedisConnection<String, String> lettuce(Protocol protocol) {
    lettuce.setOptions(
        ClientOptions.builder()
            .protocolVersion(
                protocol == Protocol.RESP3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2)
            .build());
    return lettuce.connect(
        RedisURI.Builder.redis(tori.host(), tori.port())
            .withTimeout(Duration.ofSeconds(15))
            .build());
  }

  @BeforeEach
  void flush() {
    try (Jedis j = jedis(Protocol.RESP2)) {
      j.flushAll();
    }
  }

  private static Map<String, Double> scores(Object... memberScore) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < memberScore.length; i += 2) {
      m.put((String) memberScore[i], ((Number) memberScore[i + 1]).doubleValue());
    }
    return m;
  }

  private static List<String> names(List<Tuple> tuples) {
    return tuples.stream().map(Tuple::getElement).collect(Collectors.toList());
  }

  // ---------------------------------------------------------------------------------------------
  // Jedis

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_addScoreRankAndRanges(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      assertEquals(3, j.zadd("z", scores("a", 1, "b", 2.5, "c", 3)));
      assertEquals(0, j.zadd("z", 10, "a", ZAddParams.zAddParams().nx()));
      assertEquals(1, j.zadd("z", scores("a", 1.5), ZAddParams.zAddParams().xx().ch()));
      assertEquals(4.0, j.zaddIncr("z", 2.5, "a", ZAddParams.zAddParams()));
      assertNull(j.zaddIncr("z", 1, "nosuch", ZAddParams.zAddParams().xx()));
      assertEquals(5.5, j.zincrby("z", 1.5, "a"));
      assertEquals(2.5, j.zscore("z", "b"));
      assertNull(j.zscore("z", "x"));
      assertEquals(List.of(2.5, 3.0), j.zmscore("z", "b", "c"));
      assertEquals(0L, j.zrank("z", "b"));
      assertEquals(0L, j.zrevrank("z", "a"));
      assertNull(j.zrank("z", "x"));
      assertEquals(3, j.zcard("z"));
      assertEquals(List.of("b", "c", "a"), j.zrange("z", 0, -1));
      List<Tuple> withScores = j.zrangeWithScores("z", 0, -1);
      assertEquals(new Tuple("b", 2.5), withScores.get(0));
      assertEquals(new Tuple("a", 5.5), withScores.get(2));
      assertEquals(List.of("a", "c", "b"), j.zrevrange("z", 0, -1));
      assertEquals(List.of("c"), j.zrangeByScore("z", "(2.5", "5"));
      assertEquals(List.of("c", "b"), j.zrevrangeByScore("z", 5, 0, 0, 2));
      assertEquals(
          List.of(new Tuple("b", 2.5), new Tuple("c", 3.0)), j.zrangeByScoreWithScores("z", 0, 3));
      assertEquals(2, j.zcount("z", 2, 3));
      // With REV the range is given from max to min, as in Redis.
      assertEquals(List.of("a", "c"), j.zrange("z", ZRangeParams.zrangeByScoreParams(10, 3).rev()));
      assertEquals(List.of(), j.zrange("z", ZRangeParams.zrangeByScoreParams(3, 10).rev()));
      assertEquals(
          List.of(new Tuple("a", 5.5)),
          j.zrangeWithScores("z", ZRangeParams.zrangeParams(0, 0).rev()));
      assertEquals(2, j.zrangestore("dst", "z", ZRangeParams.zrangeByScoreParams(2, 3)));
      assertEquals(List.of("b", "c"), j.zrange("dst", 0, -1));
      assertEquals(1, j.zrem("z", "b", "nope"));
      assertEquals(1, j.zremrangeByScore("z", "-inf", "(4"));
      assertEquals(1, j.zremrangeByRank("z", 0, -1));
      assertEquals(0, j.zcard("z"));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_lexRanges(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      j.zadd("l", scores("a", 0, "b", 0, "c", 0, "d", 0));
      assertEquals(List.of("b", "c"), j.zrangeByLex("l", "(a", "[c"));
      assertEquals(List.of("d", "c"), j.zrevrangeByLex("l", "+", "(b"));
      assertEquals(List.of("c"), j.zrangeByLex("l", "-", "+", 2, 1));
      assertEquals(3, j.zlexcount("l", "[b", "+"));
      assertEquals(2, j.zremrangeByLex("l", "[a", "[b"));
      assertEquals(List.of("c", "d"), j.zrange("l", 0, -1));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_pops(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      j.zadd("p", scores("a", 1, "b", 2, "c", 3, "d", 4, "e", 5));
      assertEquals(new Tuple("a", 1.0), j.zpopmin("p"));
      assertEquals(new Tuple("e", 5.0), j.zpopmax("p"));
      assertEquals(List.of(new Tuple("b", 2.0)), j.zpopmin("p", 1));
      redis.clients.jedis.util.KeyValue<String, List<Tuple>> popped =
          j.zmpop(SortedSetOption.MAX, 1, "nokey", "p");
      assertEquals("p", popped.getKey());
      assertEquals(List.of(new Tuple("d", 4.0)), popped.getValue());
      redis.clients.jedis.util.KeyValue<String, Tuple> blocked = j.bzpopmin(0, "nokey", "p");
      assertEquals("p", blocked.getKey());
      assertEquals(new Tuple("c", 3.0), blocked.getValue());
      assertNull(j.zpopmin("p"));
      assertNull(j.zmpop(SortedSetOption.MIN, "p"));
      assertNull(j.bzpopmax(0.01, "p"));
      assertNull(j.bzmpop(0.01, SortedSetOption.MIN, "p"));
      j.zadd("p", 7, "x");
      redis.clients.jedis.util.KeyValue<String, List<Tuple>> bm =
          j.bzmpop(0, SortedSetOption.MIN, 5, "p");
      assertEquals(List.of(new Tuple("x", 7.0)), bm.getValue());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_algebra(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      j.zadd("s1", scores("a", 1, "b", 2, "c", 3));
      j.zadd("s2", scores("b", 10, "c", 20, "d", 30));
      assertEquals(List.of("a", "b", "c", "d"), j.zunion(new ZParams(), "s1", "s2"));
      assertEquals(
          List.of(new Tuple("b", 12.0), new Tuple("c", 23.0)),
          j.zinterWithScores(new ZParams(), "s1", "s2"));
      assertEquals(
          List.of(new Tuple("b", 10.0), new Tuple("c", 20.0)),
          j.zinterWithScores(new ZParams().aggregate(ZParams.Aggregate.MAX), "s1", "s2"));
      assertEquals(List.of(new Tuple("a", 1.0)), j.zdiffWithScores("s1", "s2"));
      assertEquals(2, j.zintercard("s1", "s2"));
      assertEquals(1, j.zintercard(1, "s1", "s2"));
      assertEquals(4, j.zunionstore("u", new ZParams().weights(2, 1), "s1", "s2"));
      assertEquals(14.0, j.zscore("u", "b"));
      assertEquals(2, j.zinterstore("i", "s1", "s2"));
      assertEquals(1, j.zdiffStore("d", "s1", "s2"));
      assertEquals(List.of("a"), j.zrange("d", 0, -1));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_randomMembersAndScan(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      Map<String, Double> all = new LinkedHashMap<>();
      for (int i = 0; i < 300; i++) {
        all.put("m" + i, (double) i);
      }
      j.zadd("big", all);
      assertTrue(all.containsKey(j.zrandmember("big")));
      assertEquals(10, new HashSet<>(j.zrandmember("big", 10)).size());
      for (Tuple t : j.zrandmemberWithScores("big", -20)) {
        assertEquals(all.get(t.getElement()), t.getScore());
      }
      Set<String> seen = new HashSet<>();
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<Tuple> page = j.zscan("big", cursor, new ScanParams().count(25));
        for (Tuple t : page.getResult()) {
          assertEquals(all.get(t.getElement()), t.getScore());
          seen.add(t.getElement());
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      assertEquals(all.keySet(), seen);
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_errors(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      j.set("str", "v");
      JedisDataException e = assertThrows(JedisDataException.class, () -> j.zadd("str", 1, "a"));
      assertTrue(e.getMessage().startsWith("WRONGTYPE"), e.getMessage());
      j.zadd("z", 1, "a");
      // Redis 7.0 has no ZRANK ... WITHSCORE.
      e = assertThrows(JedisDataException.class, () -> j.zrankWithScore("z", "a"));
      assertEquals("ERR wrong number of arguments for 'zrank' command", e.getMessage());
      e =
          assertThrows(
              JedisDataException.class,
              () ->
                  j.sendCommand(
                      redis.clients.jedis.Protocol.Command.ZADD, "z", "NX", "XX", "1", "a"));
      assertEquals("ERR XX and NX options at the same time are not compatible", e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lettuce

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void lettuce_addScoreAndRanges(Protocol protocol) {
    try (StatefulRedisConnection<String, String> c = lettuce(protocol)) {
      RedisCommands<String, String> r = c.sync();
      assertEquals(3, r.zadd("z", 1.0, "a", 2.5, "b", 3.0, "c"));
      assertEquals(0, r.zadd("z", ZAddArgs.Builder.nx(), 10, "a"));
      assertEquals(4.0, r.zaddincr("z", 3, "a"));
      assertEquals(4.5, r.zincrby("z", 0.5, "a"));
      assertEquals(2.5, r.zscore("z", "b"));
      assertNull(r.zscore("z", "nope"));
      assertEquals(List.of(2.5, 3.0), r.zmscore("z", "b", "c"));
      assertEquals(2L, r.zrank("z", "a"));
      assertEquals(List.of("b", "c", "a"), r.zrange("z", 0, -1));
      List<ScoredValue<String>> scored = r.zrangeWithScores("z", 0, 0);
      assertEquals(ScoredValue.just(2.5, "b"), scored.get(0));
      assertEquals(List.of("c", "a"), r.zrangebyscore("z", Range.create(2.6, 10.0)));
      assertEquals(
          List.of("a"), r.zrevrangebyscore("z", Range.create(0.0, 10.0), Limit.create(0, 1)));
      assertEquals(
          List.of(ScoredValue.just(3.0, "c")),
          r.zrangebyscoreWithScores("z", Range.create(2.6, 3.5)));
      assertEquals(2, r.zcount("z", Range.create(2.5, 3.0)));
      assertEquals(2, r.zrangestore("d", "z", Range.create(0L, 1L)));
      assertEquals(List.of("b", "c"), r.zrange("d", 0, -1));
      assertEquals(1, r.zrem("z", "b"));
      assertEquals(2, r.zremrangebyrank("z", 0, -1));
      assertEquals(0, r.exists("z"));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void lettuce_lexPopsAndAlgebra(Protocol protocol) {
    try (StatefulRedisConnection<String, String> c = lettuce(protocol)) {
      RedisCommands<String, String> r = c.sync();
      r.zadd("l", 0.0, "a", 0.0, "b", 0.0, "c");
      assertEquals(
          List.of("b", "c"),
          r.zrangebylex(
              "l", Range.from(Range.Boundary.excluding("a"), Range.Boundary.unbounded())));
      assertEquals(2, r.zlexcount("l", Range.create("a", "b")));
      r.zadd("p", 1.0, "x", 2.0, "y", 3.0, "z");
      assertEquals(ScoredValue.just(1.0, "x"), r.zpopmin("p"));
      assertEquals(List.of(ScoredValue.just(3.0, "z")), r.zpopmax("p", 1));
      io.lettuce.core.KeyValue<String, ScoredValue<String>> kv = r.bzpopmin(1, "nokey", "p");
      assertEquals("p", kv.getKey());
      assertEquals(ScoredValue.just(2.0, "y"), kv.getValue());
      r.zadd("p", 5, "v");
      io.lettuce.core.KeyValue<String, ScoredValue<String>> m =
          r.zmpop(ZPopArgs.Builder.max(), "p");
      assertEquals(ScoredValue.just(5.0, "v"), m.getValue());
      r.zadd("s1", 1.0, "a", 2.0, "b");
      r.zadd("s2", 10.0, "b", 20.0, "c");
      assertEquals(List.of("a", "b", "c"), r.zunion("s1", "s2"));
      assertEquals(List.of(ScoredValue.just(12.0, "b")), r.zinterWithScores("s1", "s2"));
      assertEquals(
          List.of(ScoredValue.just(2.0, "b")),
          r.zinterWithScores(ZAggregateArgs.Builder.min(), "s1", "s2"));
      assertEquals(List.of("a"), r.zdiff("s1", "s2"));
      assertEquals(1, r.zintercard("s1", "s2"));
      assertEquals(3, r.zunionstore("u", ZStoreArgs.Builder.weights(1, 2), "s1", "s2"));
      assertEquals(22.0, r.zscore("u", "b"));
      assertEquals(1, r.zdiffstore("d", "s1", "s2"));
    }
  }

  @Test
  void lettuce_scanAndRandom() {
    try (StatefulRedisConnection<String, String> c = lettuce(Protocol.RESP3)) {
      RedisCommands<String, String> r = c.sync();
      for (int i = 0; i < 200; i++) {
        r.zadd("big", i, "m" + i);
      }
      Set<String> seen = new HashSet<>();
      ScoredValueScanCursor<String> cursor = r.zscan("big", ScanArgs.Builder.limit(30));
      while (true) {
        cursor.getValues().forEach(v -> seen.add(v.getValue()));
        if (cursor.isFinished()) {
          break;
        }
        cursor = r.zscan("big", cursor, ScanArgs.Builder.limit(30));
      }
      assertEquals(200, seen.size());
      ScoredValue<String> random = r.zrandmemberWithScores("big");
      assertEquals(Double.parseDouble(random.getValue().substring(1)), random.getScore());
      assertEquals(5, new HashSet<>(r.zrandmember("big", 5)).size());
      r.set("str", "v");
      RedisCommandExecutionException e =
          assertThrows(RedisCommandExecutionException.class, () -> r.zadd("str", 1.0, "a"));
      assertTrue(e.getMessage().startsWith("WRONGTYPE"), e.getMessage());
    }
  }
}
