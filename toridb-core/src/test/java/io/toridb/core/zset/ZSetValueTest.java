package io.toridb.core.zset;

import static io.toridb.core.CommandHarness.captureEffects;
import static io.toridb.core.CommandHarness.captureEvents;
import static io.toridb.core.CommandHarness.encoding;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.zset.ZSetTestSupport.bulk;
import static io.toridb.core.zset.ZSetTestSupport.bulks;
import static io.toridb.core.zset.ZSetTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.DatasetDigest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Encodings and their conversions, DEBUG DIGEST, COPY, keyspace events and propagation. */
class ZSetValueTest {
  private final CommandHarness h = new CommandHarness();

  @Test
  void encoding_convertsWhenAnAdditionBreaksALimit_andNeverBack() {
    config(h, "zset-max-listpack-entries", "3");
    config(h, "zset-max-listpack-value", "5");
    h.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
    assertEquals("listpack", encoding(h, "z"));
    h.call("ZADD", "z", "4", "d");
    assertEquals("skiplist", encoding(h, "z"));
    h.call("ZREM", "z", "a", "b", "c");
    assertEquals("skiplist", encoding(h, "z"));
    h.call("ZADD", "v", "1", "abcde");
    assertEquals("listpack", encoding(h, "v"));
    h.call("ZADD", "v", "1", "abcdef");
    assertEquals("skiplist", encoding(h, "v"));
    // A long first member makes ZADD create the key as a skiplist at once.
    h.call("ZADD", "w", "1", "abcdefgh");
    assertEquals("skiplist", encoding(h, "w"));
    // XX never adds, so it never converts.
    h.call("ZADD", "x", "1", "a");
    h.call("ZADD", "x", "XX", "1", "abcdefgh");
    assertEquals("listpack", encoding(h, "x"));
    config(h, "zset-max-listpack-entries", "0");
    h.call("ZADD", "y", "1", "a");
    assertEquals("skiplist", encoding(h, "y"));
  }

  @Test
  void encoding_existingSetsKeepTheirFormWhenLimitsChange() {
    h.call("ZADD", "z", "1", "a", "2", "b");
    config(h, "zset-max-listpack-entries", "1");
    assertEquals("listpack", encoding(h, "z"));
    h.call("ZINCRBY", "z", "5", "a");
    assertEquals("listpack", encoding(h, "z"));
    h.call("ZADD", "z", "3", "c");
    assertEquals("skiplist", encoding(h, "z"));
  }

  /** The digests Redis 7.0.15 gives for the same commands (DEBUG DIGEST-VALUE). */
  @ParameterizedTest
  @CsvSource({
    "128,43f16f47772605b8cf3e5fab7ff3c172f078457c",
    "0,62aa9e0d6aab6ed4fc7a6fd8e76a5e93bd38377b"
  })
  void digest_matchesRedis(String maxEntries, String expected) {
    config(h, "zset-max-listpack-entries", maxEntries);
    h.call(
        "ZADD",
        "z",
        "1",
        "a",
        "2.5",
        "b",
        "-0",
        "c",
        "inf",
        "d",
        "1e20",
        "e",
        "0.1",
        "f",
        "123456789012",
        "g");
    assertEquals(expected, DatasetDigest.ofValue(peek(h, "z")));
  }

  @Test
  void copy_isDeepAndKeepsTheEncoding() {
    for (String max : new String[] {"128", "0"}) {
      config(h, "zset-max-listpack-entries", max);
      h.call("DEL", "z", "c");
      h.call("ZADD", "z", "1", "a", "2", "b");
      h.call("COPY", "z", "c");
      assertEquals(encoding(h, "z"), encoding(h, "c"));
      assertNotSame(peek(h, "z"), peek(h, "c"));
      h.call("ZADD", "z", "3", "x");
      h.call("ZREM", "c", "a");
      assertEquals(bulks("a", "b", "x"), h.call("ZRANGE", "z", "0", "-1"));
      assertEquals(bulks("b"), h.call("ZRANGE", "c", "0", "-1"));
      assertEquals(
          DatasetDigest.ofValue(peek(h, "c")),
          DatasetDigest.ofValue(((ZSetValue) peek(h, "c")).copy()));
    }
  }

  @Test
  void events_followRedis() {
    List<String> events = captureEvents(h);
    h.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
    h.call("ZADD", "z", "1", "a"); // nothing changes: no event
    h.call("ZADD", "z", "INCR", "1", "a");
    h.call("ZINCRBY", "z", "1", "a");
    h.call("ZREM", "z", "nope");
    h.call("ZREM", "z", "a");
    h.call("ZREMRANGEBYSCORE", "z", "2", "2");
    h.call("ZREMRANGEBYRANK", "z", "5", "6");
    h.call("ZADD", "z", "3", "x");
    h.call("ZREMRANGEBYLEX", "z", "[x", "[x");
    h.call("ZREMRANGEBYRANK", "z", "0", "-1");
    assertEquals(
        List.of(
            "zadd z",
            "zincr z",
            "zincr z",
            "zrem z",
            "zremrangebyscore z",
            "zadd z",
            "zremrangebylex z",
            "zremrangebyrank z",
            "del z"),
        events);
  }

  @Test
  void propagation_isTheCommandWhenSomethingChanged() {
    List<String> effects = captureEffects(h);
    h.call("ZADD", "z", "1", "a");
    h.call("ZADD", "z", "1", "a");
    h.call("ZADD", "z", "NX", "5", "a");
    h.call("ZINCRBY", "z", "2", "a");
    h.call("ZREM", "z", "nope");
    h.call("ZREM", "z", "a", "b");
    assertEquals(List.of("ZADD z 1 a", "ZINCRBY z 2 a", "ZREM z a b"), effects);
  }

  @Test
  void zset_typeAndObjectEncoding() {
    h.call("ZADD", "z", "1", "a");
    assertEquals("+zset\r\n", h.call("TYPE", "z"));
    assertEquals(bulk("listpack"), h.call("OBJECT", "ENCODING", "z"));
    assertTrue(peek(h, "z").toString().startsWith("zset["));
  }
}
