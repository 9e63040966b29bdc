package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** Set commands through Jedis 7 and Lettuce 6.8, in RESP2 and RESP3. */
class SetClientsIT {
  private static final String WRONGTYPE =
      "WRONGTYPE Operation against a key holding the wrong kind of value";

  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  private static RedisClient lettuce;

  /** The protocol a client is told to speak. */
  enum Protocol {
    RESP2,
    RESP3
  }

  @BeforeAll
  static void createClient() {
    lettuce = RedisClient.create();
  }

  @AfterAll
  static void shutdownClient() {
    lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
  }

  private static Jedis jedis(Protocol protocol) {
    return new Jedis(
        new HostAndPort(tori.host(), tori.port()),
        DefaultJedisClientConfig.builder()
            .timeoutMillis(15_000)
            .protocol(protocol == Protocol.RESP2 ? RedisProtocol.RESP2 : RedisProtocol.RESP3)
            .build());
  }

  private static StatefulRedisConnection<String, String> lettuce(Protocol protocol) {
    lettuce.setOptions(
        ClientOptions.builder()
            .protocolVersion(
                protocol == Protocol.RESP2 ? ProtocolVersion.RESP2 : ProtocolVersion.RESP3)
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

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_setCommands(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      assertEquals(3, j.sadd("s", "a", "b", "c"));
      assertEquals(0, j.sadd("s", "a"));
      assertEquals(Set.of("a", "b", "c"), j.smembers("s"));
      assertEquals(3, j.scard("s"));
      assertTrue(j.sismember("s", "a"));
      assertFalse(j.sismember("s", "z"));
      assertEquals(List.of(true, false), j.smismember("s", "b", "z"));
      assertEquals(1, j.srem("s", "c", "zz"));
      assertTrue(Set.of("a", "b").contains(j.srandmember("s")));
      assertEquals(5, j.srandmember("s", -5).size());
      assertEquals(Set.of("a", "b"), new HashSet<>(j.srandmember("s", 10)));
      assertNull(j.srandmember("nokey"));

      assertEquals(4, j.sadd("i", "3", "1", "2", "4"));
      assertEquals("intset", j.objectEncoding("i"));
      assertEquals(1, j.sadd("i", "x"));
      assertEquals("hashtable", j.objectEncoding("i"));
      assertEquals(1, j.smove("i", "s", "x"));
      assertEquals(0, j.smove("i", "s", "x"));

      assertEquals(Set.of(), j.sinter("s", "nokey"));
      j.sadd("t", "a", "x", "q");
      assertEquals(Set.of("a", "x"), j.sinter("s", "t"));
      assertEquals(2, j.sintercard("s", "t"));
      assertEquals(1, j.sintercard(1, "s", "t"));
      assertEquals(2, j.sinterstore("d", "s", "t"));
      assertEquals(Set.of("a", "x"), j.smembers("d"));
      assertEquals(Set.of("a", "b", "x", "q"), j.sunion("s", "t"));
      assertEquals(4, j.sunionstore("d", "s", "t"));
      assertEquals(Set.of("b"), j.sdiff("s", "t"));
      assertEquals(1, j.sdiffstore("d", "s", "t"));
      assertEquals(0, j.sdiffstore("d", "s", "s"));
      assertFalse(j.exists("d"));

      String popped = j.spop("t");
      assertTrue(Set.of("a", "x", "q").contains(popped));
      assertEquals(2, j.spop("t", 5).size());
      assertFalse(j.exists("t"));
      assertNull(j.spop("t"));
      assertEquals(Set.of(), j.spop("t", 3));

      j.set("str", "v");
      JedisDataException e = assertThrows(JedisDataException.class, () -> j.sadd("str", "a"));
      assertEquals(WRONGTYPE, e.getMessage());
      e = assertThrows(JedisDataException.class, () -> j.spop("s", -1));
      assertEquals("ERR value is out of range, must be positive", e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_sscan_iteratesABigSetCompletely(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      List<String> members = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        members.add("member:" + i);
      }
      j.sadd("big", members.toArray(new String[0]));
      Set<String> seen = new HashSet<>();
      String cursor = ScanParams.SCAN_POINTER_START;
      int calls = 0;
      do {
        ScanResult<String> page = j.sscan("big", cursor, new ScanParams().count(50));
        seen.addAll(page.getResult());
        cursor = page.getCursor();
        calls++;
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      assertEquals(new HashSet<>(members), seen);
      assertTrue(calls > 10, "calls " + calls);
      ScanResult<String> matched =
          j.sscan("big", "0", new ScanParams().match("member:1?").count(10_000));
      assertEquals(10, matched.getResult().size());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void lettuce_setCommands(Protocol protocol) {
    try (StatefulRedisConnection<String, String> c = lettuce(protocol)) {
      RedisCommands<String, String> r = c.sync();
      assertEquals(3, r.sadd("s", "a", "b", "c"));
      assertEquals(Set.of("a", "b", "c"), r.smembers("s"));
      assertEquals(3, r.scard("s"));
      assertTrue(r.sismember("s", "a"));
      assertEquals(List.of(false, true), r.smismember("s", "z", "b"));
      assertEquals(1, r.srem("s", "c"));
      assertTrue(Set.of("a", "b").contains(r.srandmember("s")));
      assertEquals(4, r.srandmember("s", -4).size());
      assertEquals(Set.of("a", "b"), new HashSet<>(r.srandmember("s", 3)));
      assertTrue(r.smove("s", "m", "a"));
      assertFalse(r.smove("s", "m", "a"));
      r.sadd("i", "5", "1", "3");
      assertEquals("intset", r.objectEncoding("i"));
      assertEquals(Set.of("1", "3", "5"), r.sunion("i", "nokey"));
      assertEquals(Set.of("1", "3", "5"), r.sinter("i", "i", "i"));
      r.sadd("j", "1", "x");
      assertEquals(Set.of("1"), r.sinter("i", "j"));
      assertEquals(1, r.sintercard("i", "j"));
      assertEquals(1, r.sintercard(1, "i", "j"));
      assertEquals(1, r.sinterstore("d", "i", "j"));
      assertEquals(4, r.sunionstore("d", "i", "j"));
      assertEquals(Set.of("3", "5"), r.sdiff("i", "j"));
      assertEquals(2, r.sdiffstore("d", "i", "j"));
      assertEquals("intset", r.objectEncoding("d"));
      assertEquals(2, r.spop("d", 5).size());
      assertEquals(0, r.exists("d"));
      assertNull(r.spop("d"));

      ValueScanCursor<String> page = r.sscan("j", ScanCursor.INITIAL, ScanArgs.Builder.limit(100));
      assertTrue(page.isFinished());
      assertEquals(Set.of("1", "x"), new HashSet<>(page.getValues()));

      r.set("str", "v");
      RedisCommandExecutionException e =
          assertThrows(RedisCommandExecutionException.class, () -> r.smembers("str"));
      assertEquals(WRONGTYPE, e.getMessage());
    }
  }
}
