package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DebugCommandsIT {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** DEBUG PROTOCOL replies, byte for byte as Redis 7.0.15 sends them (RESP2, RESP3). */
  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "string;$11\\r\\nHello World\\r\\n;$11\\r\\nHello World\\r\\n",
        "integer;:12345\\r\\n;:12345\\r\\n",
        "double;$5\\r\\n3.141\\r\\n;,3.141\\r\\n",
        "bignum;$37\\r\\n1234567999999999999999999999999999999\\r\\n"
            + ";(1234567999999999999999999999999999999\\r\\n",
        "null;$-1\\r\\n;_\\r\\n",
        "array;*3\\r\\n:0\\r\\n:1\\r\\n:2\\r\\n;*3\\r\\n:0\\r\\n:1\\r\\n:2\\r\\n",
        "set;*3\\r\\n:0\\r\\n:1\\r\\n:2\\r\\n;~3\\r\\n:0\\r\\n:1\\r\\n:2\\r\\n",
        "map;*6\\r\\n:0\\r\\n:0\\r\\n:1\\r\\n:1\\r\\n:2\\r\\n:0\\r\\n"
            + ";%3\\r\\n:0\\r\\n#f\\r\\n:1\\r\\n#t\\r\\n:2\\r\\n#f\\r\\n",
        "attrib;$39\\r\\nSome real reply following the attribute\\r\\n"
            + ";|1\\r\\n$14\\r\\nkey-popularity\\r\\n*2\\r\\n$7\\r\\nkey:123\\r\\n:90\\r\\n"
            + "$39\\r\\nSome real reply following the attribute\\r\\n",
        "verbatim;$25\\r\\nThis is a verbatim\\nstring\\r\\n"
            + ";=29\\r\\ntxt:This is a verbatim\\nstring\\r\\n",
        "true;:1\\r\\n;#t\\r\\n",
        "false;:0\\r\\n;#f\\r\\n",
      })
  void protocol_matchesRedis(String type, String resp2, String resp3) throws Exception {
    try (RawClient c = server.client()) {
      assertEquals(unescape(resp2), c.call("DEBUG", "PROTOCOL", type));
      c.call("HELLO", "3");
      assertEquals(unescape(resp3), c.call("DEBUG", "PROTOCOL", type));
    }
  }

  private static String unescape(String s) {
    return s.replace("\\r", "\r").replace("\\n", "\n");
  }

  @Test
  void protocolPush_isResp3Only() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals(
          "-ERR RESP2 is not supported by this command\r\n", c.call("DEBUG", "PROTOCOL", "push"));
      c.call("HELLO", "3");
      assertEquals(">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n", c.call("DEBUG", "PROTOCOL", "push"));
      assertEquals("$40\r\nSome real reply following the push reply\r\n", c.read());
      assertEquals(
          "-ERR Wrong protocol type name. Please use one of the following:"
              + " string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n",
          c.call("DEBUG", "PROTOCOL", "foo"));
    }
  }

  @Test
  void object_describesStringsAsRedis() throws Exception {
    try (RawClient c = server.client()) {
      c.call("SET", "s", "bar");
      c.call("SET", "n", "12");
      c.call("SET", "big", "x".repeat(100));
      assertTrue(
          c.call("DEBUG", "OBJECT", "s")
              .matches(
                  "\\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:4 lru:\\d+"
                      + " lru_seconds_idle:\\d+\r\n"));
      assertTrue(
          c.call("DEBUG", "OBJECT", "n")
              .matches(
                  "\\+Value at:0x[0-9a-f]+ refcount:2147483647 encoding:int serializedlength:2"
                      + " lru:\\d+ lru_seconds_idle:\\d+\r\n"));
      assertTrue(c.call("DEBUG", "OBJECT", "big").contains(" encoding:raw serializedlength:102 "));
      assertEquals("-ERR no such key\r\n", c.call("DEBUG", "OBJECT", "missing"));
    }
  }

  @Test
  void slowCommands_areLatencyEvents_onceTheThresholdIsSet() throws Exception {
    try (RawClient c = server.client()) {
      c.call("LATENCY", "RESET");
      assertEquals("+OK\r\n", c.call("DEBUG", "SLEEP", "0.05"));
      assertEquals("*0\r\n", c.call("LATENCY", "LATEST"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "latency-monitor-threshold", "30"));
      try {
        assertEquals("+OK\r\n", c.call("DEBUG", "SLEEP", "0.05"));
        c.call("PING");
        String latest = c.call("LATENCY", "LATEST");
        assertTrue(latest.startsWith("*1\r\n*4\r\n$7\r\ncommand\r\n"), latest);
        String history = c.call("LATENCY", "HISTORY", "command");
        assertTrue(history.startsWith("*1\r\n*2\r\n:"), history);
        assertTrue(c.call("LATENCY", "DOCTOR").contains("1. command: 1 latency spikes"));
        assertTrue(c.call("LATENCY", "GRAPH", "command").contains("command - high "));
        assertEquals(":1\r\n", c.call("LATENCY", "RESET", "command"));
        assertEquals("*0\r\n", c.call("LATENCY", "LATEST"));
      } finally {
        c.call("CONFIG", "SET", "latency-monitor-threshold", "0");
      }
    }
  }

  @Test
  void sleep_waitsAndAcceptsFractions() throws Exception {
    try (RawClient c = server.client()) {
      long start = System.nanoTime();
      assertEquals("+OK\r\n", c.call("DEBUG", "SLEEP", "0.2"));
      assertTrue(System.nanoTime() - start >= 200_000_000L);
      assertEquals("+OK\r\n", c.call("DEBUG", "SLEEP", "0"));
      assertEquals("+OK\r\n", c.call("DEBUG", "SLEEP", "abc"));
    }
  }

  @Test
  void setActiveExpire_switchesTheCycle() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
      assertFalse(server.server.context().activeExpiry().enabled());
      assertEquals("+OK\r\n", c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
      assertTrue(server.server.context().activeExpiry().enabled());
    }
  }

  @Test
  void errorAndLog() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals("-LOADING fake message\r\n", c.call("DEBUG", "ERROR", "LOADING fake message"));
      assertEquals("-a b\r\n", c.call("DEBUG", "ERROR", "a\nb"));
      assertEquals("+OK\r\n", c.call("DEBUG", "LOG", "hello from the test"));
    }
  }

  /** Redis 7.0.15 gives the same digests for the same data. */
  @Test
  void digest_andDigestValue_matchRedis() throws Exception {
    try (TestServer own = TestServer.start();
        RawClient c = own.client()) {
      assertEquals("+0000000000000000000000000000000000000000\r\n", c.call("DEBUG", "DIGEST"));
      c.call("SET", "b", "hello");
      c.call("SET", "c", "x", "EX", "100");
      assertEquals(
          "*3\r\n+36b23a1456b2dce2c3ed252c456761301dba8060\r\n"
              + "+0745672cb1bf060476eedeb8a28f5ffe1ff5a2be\r\n"
              + "+0000000000000000000000000000000000000000\r\n",
          c.call("debug", "digest-value", "b", "c", "nosuch"));
      assertEquals("*0\r\n", c.call("DEBUG", "DIGEST-VALUE"));
      c.call("DEL", "c");
      assertEquals("+1b346184c7faff092e65a7f662afe61c40f98b9c\r\n", c.call("DEBUG", "DIGEST"));
      assertEquals(
          "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP.\r\n",
          c.call("DEBUG", "DIGEST", "b"));
    }
  }

  @Test
  void unknownOrMisusedSubcommand_returnsRedisError() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals(
          "-ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.\r\n",
          c.call("DEBUG", "foo"));
      assertEquals(
          "-ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.\r\n",
          c.call("DEBUG", "sleep"));
      assertEquals("-ERR wrong number of arguments for 'debug' command\r\n", c.call("DEBUG"));
      assertTrue(c.call("DEBUG", "HELP").startsWith("*47\r\n+DEBUG <subcommand>"));
    }
  }

  @Test
  void disabled_byDefault_withRedisError() throws Exception {
    try (TestServer plain = TestServer.start(cfg -> cfg.require("enable-debug-command").set("no"));
        RawClient c = plain.client()) {
      assertEquals("-" + DebugCommands.NOT_ALLOWED + "\r\n", c.call("DEBUG", "SLEEP", "0"));
      assertTrue(DebugCommands.NOT_ALLOWED.startsWith("ERR DEBUG command not allowed. If the"));
    }
  }

  @Test
  void local_allowsLoopbackConnections() throws Exception {
    try (TestServer local =
            TestServer.start(cfg -> cfg.require("enable-debug-command").set("local"));
        RawClient c = local.client()) {
      assertEquals("+OK\r\n", c.call("DEBUG", "SLEEP", "0"));
    }
  }
}
