package io.toridb.core.zset;

import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.captureEffects;
import static io.toridb.core.CommandHarness.captureEvents;
import static io.toridb.core.CommandHarness.encoding;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.zset.ZSetTestSupport.EMPTY;
import static io.toridb.core.zset.ZSetTestSupport.NOT_INTEGER;
import static io.toridb.core.zset.ZSetTestSupport.SYNTAX;
import static io.toridb.core.zset.ZSetTestSupport.WRONGTYPE;
import static io.toridb.core.zset.ZSetTestSupport.bulks;
import static io.toridb.core.zset.ZSetTestSupport.integer;
import static io.toridb.core.zset.ZSetTestSupport.pairs3;
import static io.toridb.core.zset.ZSetTestSupport.putOther;
import static io.toridb.core.zset.ZSetTestSupport.putSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.toridb.core.CommandHarness;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ZUNION, ZINTER, ZDIFF, ZINTERCARD and the STORE forms, with sorted sets and plain sets. */
class ZSetAlgebraCommandsTest {
  private final CommandHarness h = new CommandHarness();

  @BeforeEach
  void sets() {
    h.call("ZADD", "s1", "1", "a", "2", "b", "3", "c");
    h.call("ZADD", "s2", "10", "b", "20", "c", "30", "d");
  }

  @ParameterizedTest(name = "skiplist={0}")
  @ValueSource(booleans = {false, true})
  void union_interDiff_inBothEncodings(boolean skiplist) {
    if (skiplist) {
      ZSetTestSupport.config(h, "zset-max-listpack-entries", "0");
      h.call("DEL", "s1", "s2");
      sets();
      assertEquals("skiplist", encoding(h, "s1"));
    }
    assertEquals(
        bulks("a", "1", "b", "12", "c", "23", "d", "30"),
        h.call("ZUNION", "2", "s1", "s2", "WITHSCORES"));
    assertEquals(bulks("b", "12", "c", "23"), h.call("ZINTER", "2", "s1", "s2", "WITHSCORES"));
    assertEquals(bulks("a", "1"), h.call("ZDIFF", "2", "s1", "s2", "WITHSCORES"));
    assertEquals(bulks("a"), h.call("ZDIFF", "2", "s1", "s2"));
    assertEquals(pairs3("b", "12", "c", "23"), h.call3("ZINTER", "2", "s1", "s2", "WITHSCORES"));
  }

  @Test
  void weightsAndAggregates() {
    assertEquals(
        bulks("a", "2", "b", "9", "d", "15", "c", "16"),
        h.call("ZUNION", "2", "s1", "s2", "WEIGHTS", "2", "0.5", "WITHSCORES"));
    assertEquals(
        bulks("a", "1", "b", "2", "c", "3", "d", "30"),
        h.call("ZUNION", "2", "s1", "s2", "AGGREGATE", "MIN", "WITHSCORES"));
    assertEquals(
        bulks("b", "10", "c", "20"),
        h.call("ZINTER", "2", "s1", "s2", "aggregate", "max", "WITHSCORES"));
    // A zero weight gives 0; inf * 0 and inf + -inf are NaN, which count as 0.
    assertEquals(
        bulks("a", "0", "b", "0", "c", "0"),
        h.call("ZUNION", "1", "s1", "WEIGHTS", "0", "WITHSCORES"));
    h.call("ZADD", "i", "inf", "x");
    h.call("ZADD", "j", "-inf", "x");
    assertEquals(bulks("x", "0"), h.call("ZUNION", "2", "i", "j", "WITHSCORES"));
    assertEquals(bulks("x", "0"), h.call("ZUNION", "1", "i", "WEIGHTS", "0", "WITHSCORES"));
  }

  @Test
  void sameKeyTwice() {
    assertEquals(
        bulks("a", "2", "b", "4", "c", "6"), h.call("ZUNION", "2", "s1", "s1", "WITHSCORES"));
    assertEquals(
        bulks("a", "3", "b", "6", "c", "9"),
        h.call("ZINTER", "2", "s1", "s1", "WEIGHTS", "1", "2", "WITHSCORES"));
    assertEquals(EMPTY, h.call("ZDIFF", "2", "s1", "s1"));
  }

  @Test
  void missingKeysAreEmptyInputs() {
    assertEquals(bulks("a", "b", "c"), h.call("ZUNION", "2", "s1", "nokey"));
    assertEquals(EMPTY, h.call("ZINTER", "2", "s1", "nokey"));
    assertEquals(EMPTY, h.call("ZDIFF", "2", "nokey", "s1"));
    assertEquals(integer(0), h.call("ZINTERCARD", "2", "s1", "nokey"));
  }

  @Test
  void plainSetsScoreOne() {
    putSet(h, "plain", "a", "x", "c");
    assertEquals(
        bulks("x", "1", "a", "2", "b", "2", "c", "4"),
        h.call("ZUNION", "2", "s1", "plain", "WITHSCORES"));
    assertEquals(
        bulks("a", "6", "c", "8"),
        h.call("ZINTER", "2", "plain", "s1", "WEIGHTS", "5", "1", "WITHSCORES"));
    assertEquals(bulks("x", "1"), h.call("ZDIFF", "2", "plain", "s1", "WITHSCORES"));
    assertEquals(integer(2), h.call("ZINTERCARD", "2", "plain", "s1"));
    assertEquals(integer(3), h.call("ZUNIONSTORE", "d", "1", "plain"));
    assertEquals(
        bulks("a", "1", "c", "1", "x", "1"), h.call("ZRANGE", "d", "0", "-1", "WITHSCORES"));
  }

  @Test
  void zintercard_limit() {
    assertEquals(integer(2), h.call("ZINTERCARD", "2", "s1", "s2"));
    assertEquals(integer(1), h.call("ZINTERCARD", "2", "s1", "s2", "LIMIT", "1"));
    assertEquals(integer(2), h.call("ZINTERCARD", "2", "s1", "s2", "LIMIT", "0"));
    String negative = error("ERR LIMIT can't be negative");
    assertEquals(negative, h.call("ZINTERCARD", "2", "s1", "s2", "LIMIT", "-1"));
    assertEquals(negative, h.call("ZINTERCARD", "2", "s1", "s2", "LIMIT", "x"));
    assertEquals(SYNTAX, h.call("ZINTERCARD", "2", "s1", "s2", "WITHSCORES"));
    assertEquals(SYNTAX, h.call("ZINTERCARD", "2", "s1", "s2", "WEIGHTS", "1", "1"));
  }

  @Test
  void errors() {
    assertEquals(
        error("ERR at least 1 input key is needed for 'zunion' command"),
        h.call("ZUNION", "0", "s1"));
    assertEquals(
        error("ERR at least 1 input key is needed for 'zinterstore' command"),
        h.call("ZINTERSTORE", "d", "0", "s1"));
    assertEquals(NOT_INTEGER, h.call("ZUNION", "x", "s1"));
    assertEquals(SYNTAX, h.call("ZUNION", "3", "s1", "s2"));
    assertEquals(SYNTAX, h.call("ZUNION", "2", "s1", "s2", "WEIGHTS", "1"));
    assertEquals(
        error("ERR weight value is not a float"),
        h.call("ZUNION", "2", "s1", "s2", "WEIGHTS", "1", "x"));
    assertEquals(SYNTAX, h.call("ZUNION", "2", "s1", "s2", "AGGREGATE", "AVG"));
    assertEquals(SYNTAX, h.call("ZUNION", "2", "s1", "s2", "AGGREGATE"));
    assertEquals(SYNTAX, h.call("ZDIFF", "2", "s1", "s2", "WEIGHTS", "1", "2"));
    assertEquals(SYNTAX, h.call("ZUNIONSTORE", "d", "2", "s1", "s2", "WITHSCORES"));
    assertEquals(arity("zunion"), h.call("ZUNION", "1"));
    putOther(h, "l");
    assertEquals(WRONGTYPE, h.call("ZUNION", "2", "s1", "l"));
    // The type check comes before the options.
    assertEquals(WRONGTYPE, h.call("ZINTER", "2", "l", "s1", "BADOPTION"));
  }

  @Test
  void store_replacesDestinationAndChoosesEncoding() {
    h.call("SET", "d", "string", "EX", "100");
    assertEquals(integer(4), h.call("ZUNIONSTORE", "d", "2", "s1", "s2"));
    assertEquals(integer(-1), h.call("TTL", "d"));
    assertEquals("listpack", encoding(h, "d"));
    ZSetTestSupport.config(h, "zset-max-listpack-entries", "3");
    assertEquals(integer(4), h.call("ZUNIONSTORE", "d", "2", "s1", "s2"));
    assertEquals("skiplist", encoding(h, "d"));
    assertEquals(integer(2), h.call("ZINTERSTORE", "d", "2", "s1", "s2"));
    assertEquals("listpack", encoding(h, "d"));
    ZSetTestSupport.config(h, "zset-max-listpack-value", "0");
    assertEquals(integer(1), h.call("ZDIFFSTORE", "d", "2", "s1", "s2"));
    assertEquals("skiplist", encoding(h, "d"));
  }

  @Test
  void store_emptyResultDeletesDestination() {
    h.call("ZADD", "d", "1", "x");
    List<String> events = captureEvents(h);
    List<String> effects = captureEffects(h);
    assertEquals(integer(0), h.call("ZINTERSTORE", "d", "2", "s1", "nokey"));
    assertNull(peek(h, "d"));
    assertEquals(integer(0), h.call("ZDIFFSTORE", "d", "2", "s1", "s1"));
    assertEquals(List.of("del d"), events);
    assertEquals(List.of("ZINTERSTORE d 2 s1 nokey"), effects);
  }

  @Test
  void store_eventsAndEffects() {
    List<String> events = captureEvents(h);
    List<String> effects = captureEffects(h);
    h.call("ZUNIONSTORE", "d", "2", "s1", "s2");
    h.call("ZINTERSTORE", "d", "2", "s1", "s2");
    h.call("ZDIFFSTORE", "d", "2", "s1", "s2");
    h.call("ZRANGESTORE", "d", "s1", "0", "0");
    assertEquals(
        List.of("zunionstore d", "zinterstore d", "zdiffstore d", "zrangestore d"), events);
    assertEquals(4, effects.size());
    assertEquals("ZUNIONSTORE d 2 s1 s2", effects.get(0));
  }
}
