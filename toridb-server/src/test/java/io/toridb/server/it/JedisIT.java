package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.LCSParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.LCSMatchResult;
import redis.clients.jedis.resps.ScanResult;

/** String and keyspace commands through Jedis 7, in RESP2 and RESP3. */
class JedisIT {
  private static final String WRONG_INT = "ERR value is not an integer or out of range";

  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  /** How Jedis is told to speak: its default (no HELLO), or HELLO 2 / HELLO 3 at connect. */
  enum Protocol {
    DEFAULT(null),
    RESP2(RedisProtocol.RESP2),
    RESP3(RedisProtocol.RESP3);

    final RedisProtocol jedis;

    Protocol(RedisProtocol jedis) {
      this.jedis = jedis;
    }
  }

  private static Jedis connect(Protocol protocol) {
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder().timeoutMillis(15_000);
    if (protocol.jedis != null) {
      config.protocol(protocol.jedis);
    }
    return new Jedis(new HostAndPort(tori.host(), tori.port()), config.build());
  }

  private static Jedis connect() {
    return connect(Protocol.DEFAULT);
  }

  @BeforeEach
  void flush() {
    try (Jedis j = connect()) {
      j.flushAll();
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void stringCommands_roundTripThroughJedis(Protocol protocol) {
    try (Jedis j = connect(protocol)) {
      assertEquals("PONG", j.ping());
      assertEquals("OK", j.set("k", "v"));
      assertEquals("v", j.get("k"));
      assertNull(j.get("missing"));
      assertEquals("v", j.setGet("k", "w"));
      assertEquals("w", j.getSet("k", "x"));
      assertEquals(0, j.setnx("k", "y"));
      assertEquals(1, j.setnx("n", "y"));
      assertEquals("OK", j.mset("a", "1", "b", "2"));
      assertEquals(List.of("1", "2", "x"), j.mget("a", "b", "k"));
      assertEquals(Arrays.asList("1", null), j.mget("a", "nope"));
      assertEquals(0, j.msetnx("a", "9", "c", "3"));
      assertEquals(1, j.msetnx("c", "3", "d", "4"));
      assertEquals(6, j.append("k", "yzabc"));
      assertEquals("xyzabc", j.get("k"));
      assertEquals(6, j.strlen("k"));
      assertEquals("yza", j.getrange("k", 1, 3));
      assertEquals("abc", j.getrange("k", -3, -1));
      assertEquals(8, j.setrange("k", 6, "de"));
      assertEquals("xyzabcde", j.get("k"));
      assertEquals("1", j.getDel("a"));
      assertNull(j.getDel("a"));
      assertEquals(1, j.incr("counter"));
      assertEquals(11, j.incrBy("counter", 10));
      assertEquals(10, j.decr("counter"));
      assertEquals(5, j.decrBy("counter", 5));
      assertEquals(6.5, j.incrByFloat("counter", 1.5), 0.0);
      assertEquals("6.5", j.get("counter"));
      assertEquals("OK", j.setex("ex", 1000, "v"));
      assertTrue(j.ttl("ex") > 990);
      assertEquals("OK", j.psetex("pex", 1_000_000, "v"));
      assertTrue(j.pttl("pex") > 990_000);
      assertEquals("v", j.getEx("pex", GetExParams.getExParams().persist()));
      assertEquals(-1, j.ttl("pex"));
      assertEquals("v", j.getEx("pex", GetExParams.getExParams().exAt(4102444800L)));
      assertEquals(4102444800L, j.expireTime("pex"));
      j.mset("l1", "ohmytext", "l2", "mynewtext");
      assertEquals("mytext", j.lcs("l1", "l2", LCSParams.LCSParams()).getMatchString());
      assertEquals(6, j.lcs("l1", "l2", LCSParams.LCSParams().len()).getLen());
      LCSMatchResult idx = j.lcs("l1", "l2", LCSParams.LCSParams().idx().withMatchLen());
      assertEquals(6, idx.getLen());
      assertEquals(2, idx.getMatches().size());
      assertEquals(4, idx.getMatches().get(0).getMatchLen());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void setOptions_behaveAsRedis(Protocol protocol) {
    try (Jedis j = connect(protocol)) {
      assertEquals("OK", j.set("k", "v", SetParams.setParams().nx().ex(1000)));
      assertNull(j.set("k", "v", SetParams.setParams().nx()));
      assertEquals("OK", j.set("k", "v2", SetParams.setParams().xx().keepTtl()));
      assertTrue(j.ttl("k") > 990);
      assertNull(j.set("missing", "v", SetParams.setParams().xx()));
      assertEquals("OK", j.set("k", "v3", SetParams.setParams().pxAt(4102444800123L)));
      assertEquals(4102444800123L, j.pexpireTime("k"));
      assertEquals("v3", j.setGet("k", "v4", SetParams.setParams().px(1_000_000)));
      assertTrue(j.pttl("k") > 990_000);
      JedisDataException e =
          assertThrows(
              JedisDataException.class, () -> j.set("k", "v", SetParams.setParams().ex(0)));
      assertEquals("ERR invalid expire time in 'set' command", e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void keyspaceCommands_roundTripThroughJedis(Protocol protocol) {
    try (Jedis j = connect(protocol)) {
      j.mset("a", "1", "b", "2", "c", "3");
      assertEquals(3, j.dbSize());
      assertEquals(2, j.exists("a", "b", "zz"));
      assertTrue(j.exists("a"));
      assertEquals("string", j.type("a"));
      assertEquals("none", j.type("zz"));
      assertEquals(2, j.del("a", "b", "zz"));
      assertEquals(1, j.unlink("c"));
      j.set("r", "v");
      assertEquals("OK", j.rename("r", "r2"));
      assertEquals(0, j.renamenx("r2", "r2"));
      j.set("other", "o");
      assertEquals(0, j.renamenx("r2", "other"));
      assertTrue(j.copy("r2", "r3", false));
      assertFalse(j.copy("r2", "other", false));
      assertTrue(j.copy("r2", "other", true));
      assertEquals("v", j.get("other"));
      assertEquals(1, j.move("r3", 1));
      assertEquals(1, j.expire("r2", 1000));
      assertEquals(0, j.expire("r2", 1000, ExpiryOption.NX));
      assertEquals(1, j.expire("r2", 2000, ExpiryOption.GT));
      assertEquals(0, j.expire("r2", 3000, ExpiryOption.LT));
      assertTrue(j.ttl("r2") > 1990);
      assertEquals(1, j.expireAt("r2", 4102444800L));
      assertEquals(4102444800L, j.expireTime("r2"));
      assertEquals(4102444800000L, j.pexpireTime("r2"));
      assertEquals(1, j.pexpire("r2", 5_000_000));
      assertTrue(j.pttl("r2") > 4_990_000);
      assertEquals(1, j.persist("r2"));
      assertEquals(-1, j.ttl("r2"));
      assertEquals(-2, j.ttl("zz"));
      assertEquals(2, j.touch("r2", "other", "zz"));
      j.set("int", "12345");
      assertEquals("int", j.objectEncoding("int"));
      assertEquals("embstr", j.objectEncoding("r2"));
      assertEquals(Set.of("int", "other", "r2"), j.keys("*"));
      assertEquals(Set.of("r2"), j.keys("r?"));
      Set<String> scanned = new HashSet<>();
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = j.scan(cursor, new ScanParams().count(2));
        scanned.addAll(page.getResult());
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      assertEquals(Set.of("int", "other", "r2"), scanned);
      assertEquals("OK", j.select(1));
      assertEquals("v", j.get("r3"));
      assertEquals("OK", j.swapDB(0, 1));
      assertEquals(3, j.dbSize());
      assertEquals("OK", j.flushDB());
      assertEquals(0, j.dbSize());
      assertEquals("OK", j.select(0));
      assertEquals("v", j.get("r3"));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void errors_surfaceAsJedisDataExceptionsWithRedisTexts(Protocol protocol) {
    try (Jedis j = connect(protocol)) {
      j.set("s", "abc");
      assertEquals(
          WRONG_INT, assertThrows(JedisDataException.class, () -> j.incr("s")).getMessage());
      j.set("max", String.valueOf(Long.MAX_VALUE));
      assertEquals(
          "ERR increment or decrement would overflow",
          assertThrows(JedisDataException.class, () -> j.incr("max")).getMessage());
      assertEquals(
          "ERR no such key",
          assertThrows(JedisDataException.class, () -> j.rename("nope", "x")).getMessage());
      assertEquals(
          "ERR DB index is out of range",
          assertThrows(JedisDataException.class, () -> j.select(16)).getMessage());
      // The connection stays usable after errors.
      assertEquals("abc", j.get("s"));
    }
  }

  @Test
  void pipeline_of1000Commands_repliesInOrder() {
    try (Jedis j = connect()) {
      Pipeline p = j.pipelined();
      List<Response<?>> responses = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        responses.add(p.set("p" + i, "v" + i));
        responses.add(p.incr("pc"));
        responses.add(p.get("p" + i));
        responses.add(p.append("pa", "x"));
      }
      p.sync();
      for (int i = 0; i < 250; i++) {
        assertEquals("OK", responses.get(4 * i).get());
        assertEquals((long) i + 1, responses.get(4 * i + 1).get());
        assertEquals("v" + i, responses.get(4 * i + 2).get());
        assertEquals((long) i + 1, responses.get(4 * i + 3).get());
      }
      assertEquals("250", j.get("pc"));
      assertEquals(252, j.dbSize());
    }
  }

  @Test
  void manyConnections_concurrentIncrs_countExactly() throws Exception {
    int threads = 64;
    int perThread = 500;
    int counters = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  try (Jedis j = connect()) {
                    for (int i = 0; i < perThread; i++) {
                      j.incr("counter:" + (i % counters));
                      if (i % 50 == 0) {
                        String key = "own:" + id + ":" + i;
                        j.set(key, key);
                        assertEquals(key, j.get(key));
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    try (Jedis j = connect()) {
      long total = 0;
      for (int c = 0; c < counters; c++) {
        long v = Long.parseLong(j.get("counter:" + c));
        assertEquals((long) threads * perThread / counters, v);
        total += v;
      }
      assertEquals((long) threads * perThread, total);
      assertEquals(threads * (perThread / 50), j.keys("own:*").size());
    }
  }

  @Test
  void largeValue_10MB_roundTripsIntact() {
    byte[] value = new byte[10 * 1024 * 1024];
    new Random(42).nextBytes(value);
    try (Jedis j = connect()) {
      assertEquals("OK", j.set("big".getBytes(), value));
      assertArrayEquals(value, j.get("big".getBytes()));
      assertEquals(value.length, j.strlen("big"));
      assertEquals(value.length + 1, j.append("big".getBytes(), new byte[] {7}));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void binaryKeysAndValues_allByteValues_areKeptExactly(Protocol protocol) {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    try (Jedis j = connect(protocol)) {
      assertEquals("OK", j.set(all, all));
      assertArrayEquals(all, j.get(all));
      for (int i = 0; i < 256; i++) {
        byte[] key = {(byte) i};
        byte[] value = {(byte) (255 - i), (byte) i, 0};
        j.set(key, value);
        assertArrayEquals(value, j.get(key));
      }
      assertEquals(257, j.dbSize());
      assertEquals(257, j.keys("*".getBytes()).size());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void requirepass_refusesUntilAuthenticated(Protocol protocol) throws Exception {
    ToriServerExtension secured = new ToriServerExtension().with("requirepass", "s3cret");
    secured.start();
    try {
      HostAndPort address = new HostAndPort(secured.host(), secured.port());
      try (Jedis anonymous = new Jedis(address, DefaultJedisClientConfig.builder().build())) {
        JedisDataException e = assertThrows(JedisDataException.class, () -> anonymous.get("k"));
        assertEquals("NOAUTH Authentication required.", e.getMessage());
        e = assertThrows(JedisDataException.class, () -> anonymous.auth("wrong"));
        assertEquals(
            "WRONGPASS invalid username-password pair or user is disabled.", e.getMessage());
        assertEquals("OK", anonymous.auth("s3cret"));
        assertEquals("OK", anonymous.set("k", "v"));
      }
      DefaultJedisClientConfig.Builder config =
          DefaultJedisClientConfig.builder().password("s3cret");
      if (protocol.jedis != null) {
        config.protocol(protocol.jedis);
      }
      try (Jedis j = new Jedis(address, config.build())) {
        assertEquals("v", j.get("k"));
      }
    } finally {
      secured.stop();
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void databaseInClientConfig_selectsThatDatabase(Protocol protocol) {
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().database(3);
    if (protocol.jedis != null) {
      config.protocol(protocol.jedis);
    }
    try (Jedis db3 = new Jedis(new HostAndPort(tori.host(), tori.port()), config.build())) {
      assertEquals("OK", db3.set("in3", "v"));
      assertEquals(1, db3.dbSize());
    }
    try (Jedis j = connect()) {
      assertNull(j.get("in3"));
      j.select(3);
      assertEquals("v", j.get("in3"));
    }
  }
}
