package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LMPopArgs;
import io.lettuce.core.LMoveArgs;
import io.lettuce.core.LPosArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.LPosParams;

/**
 * List commands through Jedis 7 and Lettuce 6.8, in RESP2 and RESP3: every command the clients
 * expose, their parsed results (including the null and nested shapes of LPOP with a count, LMPOP
 * and the blocking pops), errors, and a list large enough to span many nodes.
 */
class ListClientsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  private static RedisClient lettuce;

  /** The protocol a client speaks: its default, or forced RESP2 / RESP3. */
  enum Protocol {
    DEFAULT,
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
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder().timeoutMillis((int) TIMEOUT.toMillis());
    if (protocol == Protocol.RESP2) {
      config.protocol(RedisProtocol.RESP2);
    } else if (protocol == Protocol.RESP3) {
      config.protocol(RedisProtocol.RESP3);
    }
    return new Jedis(new HostAndPort(tori.host(), tori.port()), config.build());
  }

  private static <K, V> StatefulRedisConnection<K, V> lettuce(
      Protocol protocol, io.lettuce.core.codec.RedisCodec<K, V> codec) {
    ClientOptions.Builder options = ClientOptions.builder();
    if (protocol == Protocol.RESP2) {
      options.protocolVersion(ProtocolVersion.RESP2);
    } else if (protocol == Protocol.RESP3) {
      options.protocolVersion(ProtocolVersion.RESP3);
    }
    lettuce.setOptions(options.build());
    RedisURI uri = RedisURI.Builder.redis(tori.host(), tori.port()).withTimeout(TIMEOUT).build();
    return lettuce.connect(codec, uri);
  }

  private static StatefulRedisConnection<String, String> lettuce(Protocol protocol) {
    return lettuce(protocol, io.lettuce.core.codec.StringCodec.UTF8);
  }

  @BeforeEach
  void flush() {
    try (Jedis j = jedis(Protocol.DEFAULT)) {
      j.flushAll();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Jedis

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_pushPopAndRead(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      assertEquals(3, j.rpush("l", "a", "b", "c"));
      assertEquals(5, j.lpush("l", "y", "z"));
      assertEquals(6, j.lpushx("l", "x"));
      assertEquals(0, j.rpushx("missing", "x"));
      assertEquals(List.of("x", "z", "y", "a", "b", "c"), j.lrange("l", 0, -1));
      assertEquals(6, j.llen("l"));
      assertEquals("a", j.lindex("l", 3));
      assertNull(j.lindex("l", 100));
      assertEquals("x", j.lpop("l"));
      assertEquals("c", j.rpop("l"));
      assertEquals(List.of("z", "y"), j.lpop("l", 2));
      assertEquals(List.of("b", "a"), j.rpop("l", 5));
      assertNull(j.lpop("l"));
      assertNull(j.lpop("l", 2));
      assertNull(j.rpop("l", 0));
      assertEquals(0, j.llen("l"));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_editAndSearch(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      j.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c");
      assertEquals(2L, j.lpos("l", "c"));
      assertEquals(7L, j.lpos("l", "c", LPosParams.lPosParams().rank(-1)));
      assertNull(j.lpos("l", "nope"));
      assertEquals(List.of(2L, 6L, 7L), j.lpos("l", "c", LPosParams.lPosParams(), 0));
      assertEquals(List.of(7L, 6L), j.lpos("l", "c", LPosParams.lPosParams().rank(-1), 2));
      assertEquals(List.of(2L), j.lpos("l", "c", LPosParams.lPosParams().maxlen(3), 0));
      assertEquals("OK", j.lset("l", 0, "A"));
      assertEquals(9, j.linsert("l", ListPosition.AFTER, "A", "a2"));
      assertEquals(-1, j.linsert("l", ListPosition.BEFORE, "nope", "x"));
      assertEquals(3, j.lrem("l", 0, "c"));
      assertEquals("OK", j.ltrim("l", 1, -2));
      assertEquals(List.of("a2", "b", "1", "2"), j.lrange("l", 0, -1));
      JedisDataException e = assertThrows(JedisDataException.class, () -> j.lset("l", 10, "x"));
      assertEquals("ERR index out of range", e.getMessage());
      j.set("s", "v");
      e = assertThrows(JedisDataException.class, () -> j.lpush("s", "x"));
      assertTrue(e.getMessage().startsWith("WRONGTYPE"), e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_moveAndMultiPop(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      j.rpush("s", "a", "b", "c");
      assertEquals("a", j.lmove("s", "d", ListDirection.LEFT, ListDirection.RIGHT));
      assertEquals("c", j.rpoplpush("s", "d"));
      assertEquals(List.of("c", "a"), j.lrange("d", 0, -1));
      assertNull(j.rpoplpush("missing", "d"));
      var popped = j.lmpop(ListDirection.RIGHT, 2, "missing", "d");
      assertEquals("d", popped.getKey());
      assertEquals(List.of("a", "c"), popped.getValue());
      assertNull(j.lmpop(ListDirection.LEFT, "missing", "d"));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_blockingCommands_servedOrTimedOut(Protocol protocol) {
    try (Jedis j = jedis(protocol)) {
      j.rpush("b", "1", "2", "3", "4", "5");
      assertEquals(List.of("b", "1"), j.blpop(1, "a", "b"));
      var kv = j.brpop(0.5, "a", "b");
      assertEquals("b", kv.getKey());
      assertEquals("5", kv.getValue());
      assertEquals("2", j.blmove("b", "c", ListDirection.LEFT, ListDirection.LEFT, 0.5));
      assertEquals("4", j.brpoplpush("b", "c", 1));
      var multi = j.blmpop(0.5, ListDirection.LEFT, 5, "a", "b");
      assertEquals("b", multi.getKey());
      assertEquals(List.of("3"), multi.getValue());
      // Nothing to serve: each times out with a null reply.
      assertNull(j.blpop(0.05, "a", "b"));
      assertNull(j.blmpop(0.05, ListDirection.RIGHT, "a"));
      assertNull(j.blmove("a", "c", ListDirection.LEFT, ListDirection.LEFT, 0.05));
    }
  }

  @Test
  void jedis_pipelinedPushes_buildALongList() {
    try (Jedis j = jedis(Protocol.DEFAULT)) {
      Pipeline p = j.pipelined();
      for (int i = 0; i < 20_000; i++) {
        p.rpush("big", "element-" + i);
      }
      p.sync();
      assertEquals(20_000, j.llen("big"));
      assertEquals("element-12345", j.lindex("big", 12345));
      assertEquals("element-19999", j.lindex("big", -1));
      j.linsert("big", ListPosition.BEFORE, "element-10000", "inserted");
      assertEquals(10_000L, j.lpos("big", "inserted"));
      j.lset("big", 5000, "replaced");
      assertEquals(
          List.of("element-4999", "replaced", "element-5001"), j.lrange("big", 4999, 5001));
      assertEquals(1, j.lrem("big", -1, "element-3"));
      j.ltrim("big", 100, -101);
      assertEquals(19_800, j.llen("big"));
      assertEquals("element-101", j.lindex("big", 0));
      List<String> all = j.lrange("big", 0, -1);
      assertEquals(19_800, all.size());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lettuce

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void lettuce_pushPopAndRead(Protocol protocol) {
    try (StatefulRedisConnection<String, String> c = lettuce(protocol)) {
      RedisCommands<String, String> r = c.sync();
      assertEquals(3L, r.rpush("l", "a", "b", "c"));
      assertEquals(4L, r.lpush("l", "z"));
      assertEquals(5L, r.rpushx("l", "d"));
      assertEquals(0L, r.lpushx("missing", "d"));
      assertEquals(List.of("z", "a", "b", "c", "d"), r.lrange("l", 0, -1));
      assertEquals(5L, r.llen("l"));
      assertEquals("b", r.lindex("l", -3));
      assertNull(r.lindex("l", 5));
      assertEquals("z", r.lpop("l"));
      assertEquals(List.of("d", "c"), r.rpop("l", 2));
      assertEquals(List.of("a", "b"), r.lpop("l", 10));
      assertNull(r.rpop("l"));
      assertEquals(List.of(), r.lpop("l", 3));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void lettuce_editSearchAndMove(Protocol protocol) {
    try (StatefulRedisConnection<String, String> c = lettuce(protocol)) {
      RedisCommands<String, String> r = c.sync();
      r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c");
      assertEquals(6L, r.lpos("l", "c", LPosArgs.Builder.rank(2)));
      assertEquals(List.of(6L, 7L), r.lpos("l", "c", 0, LPosArgs.Builder.rank(2)));
      assertEquals(List.of(2L), r.lpos("l", "c", 0, LPosArgs.Builder.maxlen(3)));
      assertNull(r.lpos("l", "x"));
      assertEquals(9L, r.linsert("l", true, "1", "0"));
      assertEquals("OK", r.lset("l", -1, "last"));
      assertEquals(2L, r.lrem("l", 2, "c"));
      assertEquals("OK", r.ltrim("l", 0, 4));
      assertEquals(List.of("a", "b", "0", "1", "2"), r.lrange("l", 0, -1));
      assertEquals("a", r.lmove("l", "m", LMoveArgs.Builder.leftRight()));
      assertEquals("2", r.rpoplpush("l", "m"));
      assertEquals(List.of("2", "a"), r.lrange("m", 0, -1));
      KeyValue<String, List<String>> popped = r.lmpop(LMPopArgs.Builder.left().count(2), "x", "l");
      assertEquals("l", popped.getKey());
      assertEquals(List.of("b", "0"), popped.getValue());
      RedisCommandExecutionException e =
          assertThrows(RedisCommandExecutionException.class, () -> r.lset("nope", 0, "x"));
      assertEquals("ERR no such key", e.getMessage());
      e =
          assertThrows(
              RedisCommandExecutionException.class,
              () -> r.lpos("l", "1", LPosArgs.Builder.rank(0)));
      assertTrue(e.getMessage().startsWith("ERR RANK can't be zero"), e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void lettuce_blockingCommands_servedOrTimedOut(Protocol protocol) {
    try (StatefulRedisConnection<String, String> c = lettuce(protocol)) {
      RedisCommands<String, String> r = c.sync();
      r.rpush("b", "1", "2", "3", "4", "5");
      assertEquals(KeyValue.just("b", "1"), r.blpop(1, "a", "b"));
      assertEquals(KeyValue.just("b", "5"), r.brpop(0.5, "b"));
      assertEquals("2", r.blmove("b", "c", LMoveArgs.Builder.leftLeft(), 0.5));
      assertEquals("4", r.brpoplpush(1, "b", "c"));
      KeyValue<String, List<String>> multi =
          r.blmpop(0.5, LMPopArgs.Builder.right().count(3), "a", "b");
      assertEquals("b", multi.getKey());
      assertEquals(List.of("3"), multi.getValue());
      assertNull(r.blpop(0.05, "a", "b"));
      assertNull(r.brpoplpush(0.05, "a", "c"));
      assertNull(r.blmpop(0.05, LMPopArgs.Builder.left(), "a"));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void lettuce_binaryElements_areKeptExactly(Protocol protocol) {
    try (StatefulRedisConnection<byte[], byte[]> c = lettuce(protocol, ByteArrayCodec.INSTANCE)) {
      RedisCommands<byte[], byte[]> r = c.sync();
      List<byte[]> elements = new ArrayList<>();
      for (int i = 0; i < 256; i++) {
        byte[] e = new byte[i];
        for (int k = 0; k < i; k++) {
          e[k] = (byte) (k * 31 + i);
        }
        elements.add(e);
      }
      byte[] key = {0, (byte) 0xff, '\r', '\n'};
      r.rpush(key, elements.toArray(new byte[0][]));
      List<byte[]> back = r.lrange(key, 0, -1);
      assertEquals(256, back.size());
      for (int i = 0; i < 256; i++) {
        assertArrayEquals(elements.get(i), back.get(i), "element " + i);
      }
      assertArrayEquals(elements.get(200), r.lindex(key, 200));
      assertEquals(199L, r.lpos(key, elements.get(199)));
    }
  }
}
