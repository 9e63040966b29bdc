package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.CopyArgs;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LcsArgs;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.StringMatchResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * String and keyspace commands through Lettuce 6.8: with its default handshake (HELLO 3), and with
 * RESP2 and RESP3 forced through {@link ClientOptions#getProtocolVersion()}.
 */
class LettuceIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  private static RedisClient client;

  /** Lettuce's default negotiation, or a forced protocol version. */
  enum Protocol {
    DEFAULT(null, ProtocolVersion.RESP3),
    RESP2(ProtocolVersion.RESP2, ProtocolVersion.RESP2),
    RESP3(ProtocolVersion.RESP3, ProtocolVersion.RESP3);

    final ProtocolVersion forced;
    final ProtocolVersion expected;

    Protocol(ProtocolVersion forced, ProtocolVersion expected) {
      this.forced = forced;
      this.expected = expected;
    }
  }

  @BeforeAll
  static void createClient() {
    client = RedisClient.create();
  }

  @AfterAll
  static void shutdownClient() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
  }

  private static RedisURI uri() {
    return RedisURI.Builder.redis(tori.host(), tori.port()).withTimeout(TIMEOUT).build();
  }

  private static StatefulRedisConnection<String, String> connect(Protocol protocol) {
    return connect(protocol, uri());
  }

  private static StatefulRedisConnection<String, String> connect(Protocol protocol, RedisURI uri) {
    ClientOptions.Builder options = ClientOptions.builder();
    if (protocol.forced != null) {
      options.protocolVersion(protocol.forced);
    }
    client.setOptions(options.build());
    StatefulRedisConnection<String, String> c = client.connect(uri);
    assertEquals(
        protocol.expected,
        ((StatefulRedisConnectionImpl<?, ?>) c).getConnectionState().getNegotiatedProtocolVersion(),
        "negotiated protocol");
    return c;
  }

  @BeforeEach
  void flush() {
    try (StatefulRedisConnection<String, String> c = connect(Protocol.RESP2)) {
      c.sync().flushall();
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void stringCommands_roundTripThroughLettuce(Protocol protocol) {
    try (StatefulRedisConnection<String, String> c = connect(protocol)) {
      RedisCommands<String, String> r = c.sync();
      assertEquals("PONG", r.ping());
      assertEquals("OK", r.set("k", "v"));
      assertEquals("v", r.get("k"));
      assertNull(r.get("missing"));
      assertEquals("v", r.setGet("k", "w"));
      assertEquals("w", r.getset("k", "x"));
      assertFalse(r.setnx("k", "y"));
      assertTrue(r.setnx("n", "y"));
      assertEquals("OK", r.mset(java.util.Map.of("a", "1", "b", "2")));
      assertEquals(
          List.of(KeyValue.just("a", "1"), KeyValue.just("b", "2"), KeyValue.empty("nope")),
          r.mget("a", "b", "nope"));
      assertFalse(r.msetnx(java.util.Map.of("a", "9", "c", "3")));
      assertEquals(6, r.append("k", "yzabc"));
      assertEquals(6, r.strlen("k"));
      assertEquals("yza", r.getrange("k", 1, 3));
      assertEquals(8, r.setrange("k", 6, "de"));
      assertEquals("xyzabcde", r.get("k"));
      assertEquals("1", r.getdel("a"));
      assertNull(r.getdel("a"));
      assertEquals(1, r.incr("counter"));
      assertEquals(11, r.incrby("counter", 10));
      assertEquals(10, r.decr("counter"));
      assertEquals(5, r.decrby("counter", 5));
      assertEquals(6.5, r.incrbyfloat("counter", 1.5), 0.0);
      assertEquals("6.5", r.get("counter"));
      assertEquals("OK", r.setex("ex", 1000, "v"));
      assertTrue(r.ttl("ex") > 990);
      assertEquals("OK", r.psetex("pex", 1_000_000, "v"));
      assertEquals("v", r.getex("pex", new GetExArgs().persist()));
      assertEquals(-1, r.ttl("pex"));
      assertEquals("v", r.getex("pex", new GetExArgs().exAt(4102444800L)));
      assertEquals(4102444800L, r.expiretime("pex"));
      assertEquals(1, r.del("k"));
      assertEquals("OK", r.set("k", "v", new SetArgs().nx().ex(1000)));
      assertNull(r.set("k", "v", new SetArgs().nx()));
      assertEquals("OK", r.set("k", "v2", new SetArgs().xx().keepttl()));
      assertTrue(r.ttl("k") > 990);
      r.mset(java.util.Map.of("l1", "ohmytext", "l2", "mynewtext"));
      StringMatchResult lcs = r.lcs(LcsArgs.Builder.keys("l1", "l2"));
      assertEquals("mytext", lcs.getMatchString());
      StringMatchResult idx = r.lcs(LcsArgs.Builder.keys("l1", "l2").withIdx().withMatchLen());
      assertEquals(6, idx.getLen());
      assertEquals(2, idx.getMatches().size());
      RedisCommandExecutionException e =
          assertThrows(RedisCommandExecutionException.class, () -> r.incr("k"));
      assertEquals("ERR value is not an integer or out of range", e.getMessage());
      assertEquals("v2", r.get("k"));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void keyspaceCommands_roundTripThroughLettuce(Protocol protocol) {
    try (StatefulRedisConnection<String, String> c = connect(protocol)) {
      RedisCommands<String, String> r = c.sync();
      r.mset(java.util.Map.of("a", "1", "b", "2", "c", "3"));
      assertEquals(3, r.dbsize());
      assertEquals(2, r.exists("a", "b", "zz"));
      assertEquals("string", r.type("a"));
      assertEquals("none", r.type("zz"));
      assertEquals(2, r.del("a", "b", "zz"));
      assertEquals(1, r.unlink("c"));
      r.set("r", "v");
      assertEquals("OK", r.rename("r", "r2"));
      r.set("other", "o");
      assertFalse(r.renamenx("r2", "other"));
      assertTrue(r.copy("r2", "r3"));
      assertFalse(r.copy("r2", "other"));
      assertTrue(r.copy("r2", "other", CopyArgs.Builder.replace(true)));
      assertEquals("v", r.get("other"));
      assertTrue(r.move("r3", 1));
      assertTrue(r.expire("r2", 1000));
      assertFalse(r.expire("r2", 1000, ExpireArgs.Builder.nx()));
      assertTrue(r.expire("r2", 2000, ExpireArgs.Builder.gt()));
      assertFalse(r.expire("r2", 3000, ExpireArgs.Builder.lt()));
      assertTrue(r.ttl("r2") > 1990);
      assertTrue(r.expireat("r2", 4102444800L));
      assertEquals(4102444800000L, r.pexpiretime("r2"));
      assertTrue(r.pexpire("r2", 5_000_000));
      assertTrue(r.pttl("r2") > 4_990_000);
      assertTrue(r.persist("r2"));
      assertEquals(-1, r.ttl("r2"));
      assertEquals(-2, r.ttl("zz"));
      assertEquals(2, r.touch("r2", "other", "zz"));
      r.set("int", "12345");
      assertEquals("int", r.objectEncoding("int"));
      assertEquals(Set.of("int", "other", "r2"), new HashSet<>(r.keys("*")));
      Set<String> scanned = new HashSet<>();
      KeyScanCursor<String> cursor = r.scan(ScanArgs.Builder.limit(2));
      scanned.addAll(cursor.getKeys());
      while (!cursor.isFinished()) {
        cursor = r.scan(ScanCursor.of(cursor.getCursor()), ScanArgs.Builder.limit(2));
        scanned.addAll(cursor.getKeys());
      }
      assertEquals(Set.of("int", "other", "r2"), scanned);
      assertEquals("OK", r.select(1));
      assertEquals("v", r.get("r3"));
      assertEquals("OK", r.swapdb(0, 1));
      assertEquals(3, r.dbsize());
      assertEquals("OK", r.flushdb());
      assertEquals("OK", r.select(0));
      assertEquals("v", r.get("r3"));
    }
  }

  @Test
  void asyncPipeline_autoflushOff_1000Commands_repliesInOrder() throws Exception {
    try (StatefulRedisConnection<String, String> c = connect(Protocol.DEFAULT)) {
      RedisAsyncCommands<String, String> a = c.async();
      c.setAutoFlushCommands(false);
      List<RedisFuture<String>> sets = new ArrayList<>();
      List<RedisFuture<Long>> incrs = new ArrayList<>();
      List<RedisFuture<String>> gets = new ArrayList<>();
      for (int i = 0; i < 333; i++) {
        sets.add(a.set("p" + i, "v" + i));
        incrs.add(a.incr("pc"));
        gets.add(a.get("p" + i));
      }
      RedisFuture<Long> size = a.dbsize();
      c.flushCommands();
      List<RedisFuture<?>> all = new ArrayList<>(sets);
      all.addAll(incrs);
      all.addAll(gets);
      all.add(size);
      assertTrue(LettuceFutures.awaitAll(TIMEOUT, all.toArray(new RedisFuture<?>[0])));
      for (int i = 0; i < 333; i++) {
        assertEquals("OK", sets.get(i).get());
        assertEquals(i + 1, incrs.get(i).get());
        assertEquals("v" + i, gets.get(i).get());
      }
      assertEquals(334, size.get());
      c.setAutoFlushCommands(true);
    }
  }

  @Test
  void manyConnections_concurrentAsyncIncrs_countExactly() throws Exception {
    // Fewer commands than JedisIT's 64 x 500: under the build's paranoid Netty leak detection
    // every buffer Lettuce allocates records a stack trace, which makes each command slow.
    int connections = 64;
    int perConnection = 128;
    List<StatefulRedisConnection<String, String>> open = new ArrayList<>();
    try {
      List<RedisFuture<?>> futures = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        open.add(connect(i % 2 == 0 ? Protocol.RESP2 : Protocol.RESP3));
      }
      // Each connection queues its commands and sends them in one flush, so all 64 pipelines
      // reach the server at about the same time.
      for (int i = 0; i < connections; i++) {
        open.get(i).setAutoFlushCommands(false);
        RedisAsyncCommands<String, String> a = open.get(i).async();
        for (int n = 0; n < perConnection; n++) {
          futures.add(a.incr("counter:" + (n % 4)));
        }
        futures.add(a.set("own:" + i, "v" + i));
      }
      for (StatefulRedisConnection<String, String> c : open) {
        c.flushCommands();
        c.setAutoFlushCommands(true);
      }
      assertTrue(
          LettuceFutures.awaitAll(120, TimeUnit.SECONDS, futures.toArray(new RedisFuture<?>[0])));
      RedisCommands<String, String> r = open.get(0).sync();
      for (int k = 0; k < 4; k++) {
        assertEquals(String.valueOf(connections * perConnection / 4), r.get("counter:" + k));
      }
      for (int i = 0; i < connections; i++) {
        assertEquals("v" + i, r.get("own:" + i));
      }
    } finally {
      open.forEach(StatefulRedisConnection::close);
    }
  }

  @Test
  void largeValue_10MB_roundTripsIntact() {
    byte[] value = new byte[10 * 1024 * 1024];
    new Random(7).nextBytes(value);
    try (StatefulRedisConnection<byte[], byte[]> c =
        client.connect(ByteArrayCodec.INSTANCE, uri())) {
      assertEquals("OK", c.sync().set("big".getBytes(), value));
      assertArrayEquals(value, c.sync().get("big".getBytes()));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void binaryKeysAndValues_allByteValues_areKeptExactly(Protocol protocol) {
    ClientOptions.Builder options = ClientOptions.builder();
    if (protocol.forced != null) {
      options.protocolVersion(protocol.forced);
    }
    client.setOptions(options.build());
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    try (StatefulRedisConnection<byte[], byte[]> c =
        client.connect(ByteArrayCodec.INSTANCE, uri())) {
      RedisCommands<byte[], byte[]> r = c.sync();
      assertEquals("OK", r.set(all, all));
      assertArrayEquals(all, r.get(all));
      for (int i = 0; i < 256; i++) {
        byte[] key = {(byte) i};
        byte[] value = {0, (byte) i, (byte) (255 - i)};
        r.set(key, value);
        assertArrayEquals(value, r.get(key));
      }
      assertEquals(257, r.dbsize());
      assertEquals(257, r.keys("*".getBytes()).size());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void requirepass_connectsOnlyWithThePassword(Protocol protocol) throws Exception {
    ToriServerExtension secured = new ToriServerExtension().with("requirepass", "s3cret");
    secured.start();
    try {
      RedisURI good =
          RedisURI.Builder.redis(secured.host(), secured.port())
              .withPassword("s3cret".toCharArray())
              .withTimeout(TIMEOUT)
              .build();
      try (StatefulRedisConnection<String, String> c = connect(protocol, good)) {
        assertEquals("OK", c.sync().set("k", "v"));
        assertEquals("v", c.sync().get("k"));
      }
      RedisURI bad =
          RedisURI.Builder.redis(secured.host(), secured.port())
              .withPassword("wrong".toCharArray())
              .withTimeout(TIMEOUT)
              .build();
      // Lettuce reports the refused handshake either with the server's WRONGPASS or, when the
      // failure races its own handler removal, with an internal message; the exact reply text
      // is checked over a raw socket in AuthIT.
      RedisConnectionException e =
          assertThrows(RedisConnectionException.class, () -> connect(protocol, bad));
      assertTrue(e.getMessage() != null, "connection failure without a message");
      try (StatefulRedisConnection<String, String> c = connect(protocol, good)) {
        assertEquals("v", c.sync().get("k"));
      }
    } finally {
      secured.stop();
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void databaseInUri_selectsThatDatabase(Protocol protocol) {
    RedisURI db3 =
        RedisURI.Builder.redis(tori.host(), tori.port())
            .withDatabase(3)
            .withTimeout(TIMEOUT)
            .build();
    try (StatefulRedisConnection<String, String> c = connect(protocol, db3)) {
      assertEquals("OK", c.sync().set("in3", "v"));
      assertEquals(1, c.sync().dbsize());
    }
    try (StatefulRedisConnection<String, String> c = connect(Protocol.RESP2)) {
      assertNull(c.sync().get("in3"));
      c.sync().select(3);
      assertEquals("v", c.sync().get("in3"));
    }
  }
}
