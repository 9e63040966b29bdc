package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * DUMP and RESTORE between a real Redis 7.0 and ToriDB in both directions, for every type and
 * encoding: a value dumped by one server and restored into the other has the same DEBUG
 * DIGEST-VALUE and OBJECT ENCODING there. Plus TTL, ABSTTL, REPLACE, IDLETIME, FREQ and error
 * replies compared side by side.
 */
class DumpRestoreIT {
  @RegisterExtension static final RedisServerExtension redis = new RedisServerExtension();
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  private static RespClient r;
  private static RespClient t;

  @BeforeAll
  static void connect() throws IOException {
    r = redis.connect();
    t = tori.connect();
  }

  @AfterAll
  static void close() throws IOException {
    r.close();
    t.close();
  }

  private static List<String> range(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  private static String[] cmd(String name, String key, List<String> args) {
    List<String> all = new ArrayList<>();
    all.add(name);
    all.add(key);
    all.addAll(args);
    return all.toArray(String[]::new);
  }

  private static List<String> pairs(int n, String a, String b) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(a + i);
      out.add(b + i);
    }
    return out;
  }

  /** Each case: a name and the command that builds key "k". */
  static Stream<Arguments> values() {
    String binary = "\u0000\u00ff\r\n\u0001bin\u007f\u0080";
    return Stream.of(
        Arguments.of("string int", new String[] {"SET", "k", "12345"}),
        Arguments.of("string int64", new String[] {"SET", "k", "-9223372036854775808"}),
        Arguments.of("string embstr", new String[] {"SET", "k", "hello"}),
        Arguments.of("string empty", new String[] {"SET", "k", ""}),
        Arguments.of("string raw", new String[] {"SET", "k", "r".repeat(45)}),
        Arguments.of("string lzf", new String[] {"SET", "k", "compress me ".repeat(200)}),
        Arguments.of("string binary", new String[] {"SET", "k", binary.repeat(9)}),
        Arguments.of("list short", new String[] {"RPUSH", "k", "a", "1", "-70000", binary}),
        Arguments.of("list long", cmd("RPUSH", "k", range("element-", 5000))),
        Arguments.of(
            "list long values", cmd("RPUSH", "k", List.of("v".repeat(9000), "w".repeat(70), "x"))),
        Arguments.of(
            "set intset", new String[] {"SADD", "k", "1", "-2", "300000", "9223372036854775807"}),
        Arguments.of("set hashtable", new String[] {"SADD", "k", "a", "b", binary}),
        Arguments.of("set big intset", cmd("SADD", "k", range("", 1000))),
        Arguments.of("set big strings", cmd("SADD", "k", range("m", 1000))),
        Arguments.of(
            "hash listpack", new String[] {"HSET", "k", "f", "v", "n", "12", binary, binary}),
        Arguments.of("hash hashtable", cmd("HSET", "k", pairs(1000, "f", "v"))),
        Arguments.of("hash long value", new String[] {"HSET", "k", "f", "v".repeat(65)}),
        Arguments.of(
            "zset listpack",
            new String[] {"ZADD", "k", "1", "a", "2.5", "b", "-inf", "c", "1e-300", binary}),
        Arguments.of("zset skiplist", cmd("ZADD", "k", pairs(500, "", "member-"))),
        Arguments.of(
            "zset long member", new String[] {"ZADD", "k", "3", "m".repeat(65), "-0", "z"}));
  }

  private static void both(String... argv) throws IOException {
    Reply a = r.call(argv);
    Reply b = t.call(argv);
    assertFalse(a.isError(), () -> String.join(" ", argv) + " on Redis: " + a);
    assertFalse(b.isError(), () -> String.join(" ", argv) + " on ToriDB: " + b);
  }

  private static String digest(RespClient c, String key) throws IOException {
    return c.call("DEBUG", "DIGEST-VALUE", key).rawText();
  }

  private static String encoding(RespClient c, String key) throws IOException {
    return c.call("OBJECT", "ENCODING", key).rawText();
  }

  private static Reply restore(RespClient c, String key, String ttl, byte[] payload, String... opts)
      throws IOException {
    byte[][] argv = new byte[4 + opts.length][];
    argv[0] = b("RESTORE");
    argv[1] = b(key);
    argv[2] = b(ttl);
    argv[3] = payload;
    for (int i = 0; i < opts.length; i++) {
      argv[4 + i] = b(opts[i]);
    }
    return c.call(argv);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void redisDump_restoresIntoToriDb(String name, String[] build) throws IOException {
    both("FLUSHALL");
    both(build);
    byte[] payload = r.call("DUMP", "k").payload();
    assertEquals("+OK\r\n", restore(t, "copy", "0", payload).rawText());
    assertEquals(digest(r, "k"), digest(t, "copy"), "digest");
    // What Redis itself makes of its payload is the reference for the encoding.
    assertEquals("+OK\r\n", restore(r, "copy", "0", payload).rawText());
    assertEquals(encoding(r, "copy"), encoding(t, "copy"), "encoding");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void toriDbDump_restoresIntoRedis(String name, String[] build) throws IOException {
    both("FLUSHALL");
    both(build);
    byte[] payload = t.call("DUMP", "k").payload();
    assertEquals("+OK\r\n", restore(r, "copy", "0", payload).rawText());
    assertEquals(digest(t, "k"), digest(r, "copy"), "digest");
    assertEquals(encoding(r, "k"), encoding(r, "copy"), "encoding in Redis");
    assertEquals("+OK\r\n", restore(t, "copy", "0", payload).rawText());
    assertEquals(encoding(r, "copy"), encoding(t, "copy"), "encoding in ToriDB");
    assertEquals(digest(t, "k"), digest(t, "copy"));
  }

  @Test
  void encodingThresholds_appliedOnRestoreAsRedis() throws IOException {
    both("FLUSHALL");
    both("HSET", "h", "a", "1", "b", "2", "c", "3");
    both("HSET", "hv", "a", "x".repeat(80));
    both("ZADD", "z", "1", "a", "2", "b", "3", "c");
    both("SADD", "s", "1", "2", "3");
    byte[] h = r.call("DUMP", "h").payload();
    byte[] z = r.call("DUMP", "z").payload();
    byte[] s = r.call("DUMP", "s").payload();
    both("CONFIG", "SET", "hash-max-listpack-entries", "2");
    both("CONFIG", "SET", "zset-max-listpack-entries", "2");
    both("CONFIG", "SET", "set-max-intset-entries", "2");
    try {
      for (String[] kv : new String[][] {{"h2", "h"}, {"z2", "z"}, {"s2", "s"}}) {
        byte[] p = kv[1].equals("h") ? h : kv[1].equals("z") ? z : s;
        assertEquals(restore(r, kv[0], "0", p).rawText(), restore(t, kv[0], "0", p).rawText());
        assertEquals(encoding(r, kv[0]), encoding(t, kv[0]), kv[0]);
      }
    } finally {
      both("CONFIG", "SET", "hash-max-listpack-entries", "512");
      both("CONFIG", "SET", "zset-max-listpack-entries", "128");
      both("CONFIG", "SET", "set-max-intset-entries", "512");
    }
  }

  @Test
  void ttlOptions_andErrors_sameAsRedis() throws IOException {
    both("FLUSHALL");
    both("SET", "src", "bar");
    byte[] payload = r.call("DUMP", "src").payload();
    long future = System.currentTimeMillis() + 1_000_000;
    long past = System.currentTimeMillis() - 1_000;
    String[][] calls = {
      {"a", "0"},
      {"a", "0"},
      {"a", "0", "REPLACE"},
      {"b", "100000"},
      {"c", Long.toString(future), "ABSTTL"},
      {"d", Long.toString(past), "ABSTTL"},
      {"a", Long.toString(past), "ABSTTL", "REPLACE"},
      {"e", "0", "IDLETIME", "-1"},
      {"e", "0", "FREQ", "300"},
      {"e", "0", "IDLETIME", "5", "FREQ", "5"},
      {"e", "0", "bogus"},
      {"e", "-5"},
      {"e", "notanumber"},
      {"e", "0", "IDLETIME", "1000"},
    };
    for (String[] c : calls) {
      String[] opts = java.util.Arrays.copyOfRange(c, 2, c.length);
      assertEquals(
          restore(r, c[0], c[1], payload, opts).rawText(),
          restore(t, c[0], c[1], payload, opts).rawText(),
          String.join(" ", c));
    }
    for (String key : new String[] {"a", "b", "c", "d", "e"}) {
      assertEquals(r.call("EXISTS", key).rawText(), t.call("EXISTS", key).rawText(), key);
    }
    assertEquals(r.call("PEXPIRETIME", "c").rawText(), t.call("PEXPIRETIME", "c").rawText());
    long ttlR = Long.parseLong(r.call("TTL", "b").rawText().substring(1).trim());
    long ttlT = Long.parseLong(t.call("TTL", "b").rawText().substring(1).trim());
    assertTrue(Math.abs(ttlR - ttlT) <= 2);
    String idle = t.call("OBJECT", "IDLETIME", "e").rawText();
    assertTrue(idle.startsWith(":100"), idle);
    // Payload errors: wrong checksum, truncated, newer version, stream type.
    byte[] flipped = payload.clone();
    flipped[flipped.length - 1] ^= 1;
    byte[] cut = java.util.Arrays.copyOf(payload, 9);
    for (byte[] p : new byte[][] {flipped, cut, b("...")}) {
      assertEquals(restore(r, "x", "0", p).rawText(), restore(t, "x", "0", p).rawText());
    }
  }

  @Test
  void freq_underLfu_sameAsRedis() throws IOException {
    both("FLUSHALL");
    both("SET", "src", "bar");
    byte[] payload = r.call("DUMP", "src").payload();
    both("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
    try {
      assertEquals(
          restore(r, "f", "0", payload, "FREQ", "100").rawText(),
          restore(t, "f", "0", payload, "FREQ", "100").rawText());
      assertEquals(
          r.call("OBJECT", "FREQ", "f").rawText(), t.call("OBJECT", "FREQ", "f").rawText());
    } finally {
      both("CONFIG", "SET", "maxmemory-policy", "noeviction");
    }
  }

  @Test
  void jedisBinaryDumpAndRestore_inBothProtocols() {
    for (RedisProtocol protocol : new RedisProtocol[] {RedisProtocol.RESP2, RedisProtocol.RESP3}) {
      try (Jedis j =
          new Jedis(
              new HostAndPort(tori.host(), tori.port()),
              DefaultJedisClientConfig.builder()
                  .timeoutMillis(15_000)
                  .protocol(protocol)
                  .build())) {
        j.flushAll();
        j.hset("h", java.util.Map.of("f", "v", "g", "w"));
        byte[] payload = j.dump("h");
        assertEquals("OK", j.restore("h2", 60_000, payload));
        assertEquals(java.util.Map.of("f", "v", "g", "w"), j.hgetAll("h2"));
        assertTrue(j.ttl("h2") > 0);
        assertEquals(null, j.dump("missing"));
      }
    }
  }

  @Test
  void dumpOfMissingKey_nil() throws IOException {
    assertEquals(r.call("DUMP", "nokey").rawText(), t.call("DUMP", "nokey").rawText());
  }
}
