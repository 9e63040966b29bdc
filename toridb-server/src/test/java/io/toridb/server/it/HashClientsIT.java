package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
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

/**
 * Hash commands through Jedis and Lettuce, in RESP2 and RESP3: each client's typed results (maps,
 * nested HRANDFIELD pairs, doubles, scan cursors) decode what ToriDB sends.
 */
class HashClientsIT {
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  /** Enough fields to make a "hashtable" hash. */
  private static final int BIG = 600;

  enum Protocol {
    RESP2,
    RESP3
  }

  private static Map<String, String> bigContent() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < BIG; i++) {
      m.put("field:" + i, "value:" + i);
    }
    return m;
  }

  @Nested
  class WithJedis {
    private Jedis connect(Protocol protocol) {
      return new Jedis(
          new HostAndPort(tori.host(), tori.port()),
          DefaultJedisClientConfig.builder()
              .timeoutMillis(15_000)
              .protocol(protocol == Protocol.RESP3 ? RedisProtocol.RESP3 : RedisProtocol.RESP2)
              .build());
    }

    @BeforeEach
    void flush() {
      try (Jedis j = connect(Protocol.RESP2)) {
        j.flushAll();
      }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void setGetAndCounters(Protocol protocol) {
      try (Jedis j = connect(protocol)) {
        assertEquals(1, j.hset("h", "a", "1"));
        assertEquals(2, j.hset("h", Map.of("b", "2", "c", "3")));
        assertEquals("OK", j.hmset("h", Map.of("d", "4")));
        assertEquals(0, j.hsetnx("h", "a", "x"));
        assertEquals("1", j.hget("h", "a"));
        assertNull(j.hget("h", "zz"));
        assertEquals(List.of("1", "2"), j.hmget("h", "a", "b"));
        assertEquals(Map.of("a", "1", "b", "2", "c", "3", "d", "4"), j.hgetAll("h"));
        assertEquals(Set.of("a", "b", "c", "d"), j.hkeys("h"));
        assertEquals(Set.of("1", "2", "3", "4"), new HashSet<>(j.hvals("h")));
        assertEquals(4, j.hlen("h"));
        assertEquals(1, j.hstrlen("h", "a"));
        assertTrue(j.hexists("h", "b"));
        assertEquals(11, j.hincrBy("h", "a", 10));
        assertEquals(2.5, j.hincrByFloat("h", "f", 2.5));
        assertEquals(2, j.hdel("h", "a", "b", "zz"));
        assertFalse(j.hexists("h", "a"));
        assertEquals("listpack", j.objectEncoding("h"));
        j.set("s", "x");
        JedisDataException e = assertThrows(JedisDataException.class, () -> j.hget("s", "a"));
        assertTrue(e.getMessage().startsWith("WRONGTYPE"));
        j.hset("h", "s", "abc");
        e = assertThrows(JedisDataException.class, () -> j.hincrBy("h", "s", 1));
        assertEquals("ERR hash value is not an integer", e.getMessage());
      }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void bigHash_scanAndRandomFields(Protocol protocol) {
      try (Jedis j = connect(protocol)) {
        Map<String, String> content = bigContent();
        j.hset("big", content);
        assertEquals("hashtable", j.objectEncoding("big"));
        assertEquals(content, j.hgetAll("big"));
        Map<String, String> scanned = new HashMap<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
          ScanResult<Map.Entry<String, String>> r =
              j.hscan("big", cursor, new ScanParams().count(50));
          r.getResult().forEach(en -> scanned.put(en.getKey(), en.getValue()));
          cursor = r.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        assertEquals(content, scanned);
        assertTrue(content.containsKey(j.hrandfield("big")));
        List<String> fields = j.hrandfield("big", 10);
        assertEquals(10, new HashSet<>(fields).size());
        List<Map.Entry<String, String>> pairs = j.hrandfieldWithValues("big", -20);
        assertEquals(20, pairs.size());
        for (Map.Entry<String, String> p : pairs) {
          assertEquals(content.get(p.getKey()), p.getValue());
        }
        pairs = j.hrandfieldWithValues("big", 5);
        assertEquals(5, pairs.size());
      }
    }
  }

  @Nested
  class WithLettuce {
    private static RedisClient client;

    @BeforeAll
    static void createClient() {
      client = RedisClient.create();
    }

    @AfterAll
    static void shutdownClient() {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }

    private StatefulRedisConnection<String, String> connect(Protocol protocol) {
      client.setOptions(
          ClientOptions.builder()
              .protocolVersion(
                  protocol == Protocol.RESP3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2)
              .build());
      return client.connect(
          RedisURI.Builder.redis(tori.host(), tori.port())
              .withTimeout(Duration.ofSeconds(15))
              .build());
    }

    @BeforeEach
    void flush() {
      try (StatefulRedisConnection<String, String> c = connect(Protocol.RESP2)) {
        c.sync().flushall();
      }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void setGetAndCounters(Protocol protocol) {
      try (StatefulRedisConnection<String, String> c = connect(protocol)) {
        RedisCommands<String, String> r = c.sync();
        assertTrue(r.hset("h", "a", "1"));
        Map<String, String> bc = new LinkedHashMap<>();
        bc.put("b", "2");
        bc.put("c", "3");
        assertEquals(2, r.hset("h", bc));
        assertFalse(r.hsetnx("h", "a", "x"));
        assertEquals("1", r.hget("h", "a"));
        assertNull(r.hget("h", "zz"));
        assertEquals(
            List.of(KeyValue.just("a", "1"), KeyValue.empty("zz")), r.hmget("h", "a", "zz"));
        assertEquals(Map.of("a", "1", "b", "2", "c", "3"), r.hgetall("h"));
        assertEquals(List.of("a", "b", "c"), r.hkeys("h"));
        assertEquals(List.of("1", "2", "3"), r.hvals("h"));
        assertEquals(3, r.hlen("h"));
        assertEquals(1, r.hstrlen("h", "a"));
        assertTrue(r.hexists("h", "b"));
        assertEquals(-9, r.hincrby("h", "a", -10));
        assertEquals(10.5, r.hincrbyfloat("h", "f", 10.5));
        assertEquals(1, r.hdel("h", "a", "zz"));
        r.set("s", "x");
        RedisCommandExecutionException e =
            assertThrows(RedisCommandExecutionException.class, () -> r.hlen("s"));
        assertTrue(e.getMessage().startsWith("WRONGTYPE"));
        r.hset("h", "s", "abc");
        e = assertThrows(RedisCommandExecutionException.class, () -> r.hincrbyfloat("h", "s", 1));
        assertEquals("ERR hash value is not a float", e.getMessage());
      }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void bigHash_scanAndRandomFields(Protocol protocol) {
      try (StatefulRedisConnection<String, String> c = connect(protocol)) {
        RedisCommands<String, String> r = c.sync();
        Map<String, String> content = bigContent();
        r.hset("big", content);
        assertEquals("hashtable", r.objectEncoding("big"));
        assertEquals(content, r.hgetall("big"));
        Map<String, String> scanned = new HashMap<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
          MapScanCursor<String, String> m = r.hscan("big", cursor, ScanArgs.Builder.limit(50));
          scanned.putAll(m.getMap());
          cursor = m;
        } while (!cursor.isFinished());
        assertEquals(content, scanned);
        assertTrue(content.containsKey(r.hrandfield("big")));
        KeyValue<String, String> one = r.hrandfieldWithvalues("big");
        assertEquals(content.get(one.getKey()), one.getValue());
        assertEquals(7, new HashSet<>(r.hrandfield("big", 7)).size());
        List<KeyValue<String, String>> pairs = r.hrandfieldWithvalues("big", -30);
        assertEquals(30, pairs.size());
        for (KeyValue<String, String> p : pairs) {
          assertEquals(content.get(p.getKey()), p.getValue());
        }
      }
    }
  }
}
