package io.toridb.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Test;

class MemoryCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private long usage(String key) {
    String reply = h.call("MEMORY", "USAGE", key);
    assertTrue(reply.startsWith(":"), reply);
    return Long.parseLong(reply.substring(1).trim());
  }

  @Test
  void missingOrExpiredKey_isNull() throws Exception {
    assertEquals("$-1\r\n", h.call("MEMORY", "USAGE", "nokey"));
    assertEquals("_\r\n", h.call3("MEMORY", "USAGE", "nokey"));
    h.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
    h.call("SET", "gone", "v", "PX", "1");
    Thread.sleep(5);
    assertEquals("$-1\r\n", h.call("MEMORY", "USAGE", "gone"));
  }

  @Test
  void usage_growsWithTheValue() {
    h.call("SET", "small", "x");
    h.call("SET", "big", "x".repeat(10_000));
    assertTrue(usage("big") > usage("small") + 9_000);
    h.call("HSET", "h1", "f", "v");
    for (int i = 0; i < 200; i++) {
      h.call("HSET", "h200", "field:" + i, "value:" + i);
      h.call("RPUSH", "l200", "element:" + i);
      h.call("SADD", "s200", "member:" + i);
      h.call("ZADD", "z200", Integer.toString(i), "member:" + i);
    }
    assertTrue(usage("h200") > usage("h1") + 200 * 10);
    h.call("RPUSH", "l1", "e");
    assertTrue(usage("l200") > usage("l1") + 200 * 9);
    h.call("SADD", "s1", "m");
    assertTrue(usage("s200") > usage("s1") + 200 * 8);
    h.call("ZADD", "z1", "1", "m");
    assertTrue(usage("z200") > usage("z1") + 200 * 8);
  }

  @Test
  void options_areCheckedAsRedisDoes() {
    h.call("SET", "k", "v");
    assertTrue(h.call("MEMORY", "USAGE", "k", "SAMPLES", "0").startsWith(":"));
    assertEquals("-ERR syntax error\r\n", h.call("MEMORY", "USAGE", "k", "SAMPLES", "-1"));
    assertEquals(
        "-ERR value is not an integer or out of range\r\n",
        h.call("MEMORY", "USAGE", "k", "SAMPLES", "x"));
    assertEquals("-ERR syntax error\r\n", h.call("MEMORY", "USAGE", "k", "SAMPLES"));
    assertEquals("-ERR syntax error\r\n", h.call("MEMORY", "USAGE", "k", "OTHER", "1"));
    assertEquals(
        "-ERR wrong number of arguments for 'memory|usage' command\r\n", h.call("MEMORY", "USAGE"));
    assertTrue(h.call("MEMORY", "HELP").startsWith("*6\r\n+MEMORY <subcommand>"));
  }
}
