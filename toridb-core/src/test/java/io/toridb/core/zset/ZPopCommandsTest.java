package io.toridb.core.zset;

import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.captureEffects;
import static io.toridb.core.CommandHarness.captureEvents;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.zset.ZSetTestSupport.EMPTY;
import static io.toridb.core.zset.ZSetTestSupport.NULL3;
import static io.toridb.core.zset.ZSetTestSupport.NULL_ARRAY;
import static io.toridb.core.zset.ZSetTestSupport.SYNTAX;
import static io.toridb.core.zset.ZSetTestSupport.WRONGTYPE;
import static io.toridb.core.zset.ZSetTestSupport.array;
import static io.toridb.core.zset.ZSetTestSupport.bulk;
import static io.toridb.core.zset.ZSetTestSupport.bulks;
import static io.toridb.core.zset.ZSetTestSupport.dbl;
import static io.toridb.core.zset.ZSetTestSupport.pairs3;
import static io.toridb.core.zset.ZSetTestSupport.putOther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ZPOPMIN, ZPOPMAX, ZMPOP and the blocking forms: reply shapes per protocol, errors, events and the
 * effect each pop propagates. Blocking forms are tested where they answer at once (data present, or
 * the timeout reply that parking gives in this build).
 */
class ZPopCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private void fill(boolean skiplist) {
    if (skiplist) {
      ZSetTestSupport.config(h, "zset-max-listpack-entries", "0");
    }
    h.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
  }

  @Nested
  class Zpop {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zpop_shapes(boolean skiplist) {
      fill(skiplist);
      assertEquals(bulks("a", "1"), h.call("ZPOPMIN", "z"));
      // Without a count the reply stays flat in RESP3.
      assertEquals(array(bulk("c"), dbl("3")), h.call3("ZPOPMAX", "z"));
      h.call("ZADD", "z", "1", "a", "3", "c");
      assertEquals(bulks("a", "1", "b", "2"), h.call("ZPOPMIN", "z", "2"));
      assertEquals(pairs3("c", "3"), h.call3("ZPOPMAX", "z", "5"));
      assertNull(peek(h, "z"));
    }

    @Test
    void zpop_edgeCasesAndErrors() {
      assertEquals(EMPTY, h.call("ZPOPMIN", "nokey"));
      assertEquals(EMPTY, h.call3("ZPOPMIN", "nokey", "3"));
      fill(false);
      assertEquals(EMPTY, h.call("ZPOPMAX", "z", "0"));
      String notPositive = error("ERR value is out of range, must be positive");
      assertEquals(notPositive, h.call("ZPOPMIN", "z", "-1"));
      assertEquals(notPositive, h.call("ZPOPMIN", "z", "abc"));
      assertEquals(SYNTAX, h.call("ZPOPMIN", "z", "1", "2"));
      assertEquals(arity("zpopmin"), h.call("ZPOPMIN"));
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("ZPOPMIN", "l"));
      assertEquals(WRONGTYPE, h.call("ZPOPMAX", "l", "0"));
    }

    @Test
    void zpop_eventsAndEffects() {
      fill(false);
      List<String> events = captureEvents(h);
      List<String> effects = captureEffects(h);
      h.call("ZPOPMIN", "z", "2");
      h.call("ZPOPMAX", "z");
      h.call("ZPOPMAX", "z");
      h.call("ZPOPMIN", "nokey");
      assertEquals(List.of("zpopmin z", "zpopmax z", "del z"), events);
      assertEquals(List.of("ZPOPMIN z 2", "ZPOPMAX z"), effects);
    }
  }

  @Nested
  class Zmpop {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zmpop_popsFromTheFirstNonEmptyKey(boolean skiplist) {
      fill(skiplist);
      String expected = array(bulk("z"), array(array(bulk("a"), bulk("1"))));
      assertEquals(expected, h.call("ZMPOP", "2", "nokey", "z", "MIN"));
      assertEquals(
          array(bulk("z"), pairs3("c", "3", "b", "2")),
          h.call3("ZMPOP", "1", "z", "MAX", "COUNT", "10"));
      assertNull(peek(h, "z"));
      assertEquals(NULL_ARRAY, h.call("ZMPOP", "1", "z", "MIN"));
      assertEquals(NULL3, h.call3("ZMPOP", "1", "z", "MIN"));
    }

    @Test
    void zmpop_errors() {
      fill(false);
      String numkeys = error("ERR numkeys should be greater than 0");
      String count = error("ERR count should be greater than 0");
      assertEquals(numkeys, h.call("ZMPOP", "0", "z", "MIN"));
      assertEquals(numkeys, h.call("ZMPOP", "abc", "z", "MIN"));
      assertEquals(SYNTAX, h.call("ZMPOP", "5", "z", "MIN"));
      assertEquals(SYNTAX, h.call("ZMPOP", "9223372036854775807", "z", "MIN"));
      assertEquals(SYNTAX, h.call("ZMPOP", "1", "z", "LEFT"));
      assertEquals(count, h.call("ZMPOP", "1", "z", "MIN", "COUNT", "0"));
      assertEquals(count, h.call("ZMPOP", "1", "z", "MIN", "COUNT", "x"));
      assertEquals(SYNTAX, h.call("ZMPOP", "1", "z", "MIN", "COUNT"));
      assertEquals(SYNTAX, h.call("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"));
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("ZMPOP", "2", "l", "z", "MIN"));
    }

    @Test
    void zmpop_propagatesAsZpopWithTheCountTaken() {
      fill(false);
      List<String> effects = captureEffects(h);
      h.call("ZMPOP", "1", "z", "MAX", "COUNT", "2");
      h.call("ZMPOP", "1", "z", "MIN", "COUNT", "10");
      assertEquals(List.of("ZPOPMAX z 2", "ZPOPMIN z 1"), effects);
    }
  }

  @Nested
  class Blocking {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void bzpop_servesAtOnceWhenAKeyHasData(boolean skiplist) {
      fill(skiplist);
      assertEquals(bulks("z", "a", "1"), h.call("BZPOPMIN", "nokey", "z", "0"));
      assertEquals(array(bulk("z"), bulk("c"), dbl("3")), h.call3("BZPOPMAX", "z", "0"));
      assertEquals(
          array(bulk("z"), array(array(bulk("b"), bulk("2")))),
          h.call("BZMPOP", "0", "2", "nokey", "z", "MIN", "COUNT", "5"));
      assertNull(peek(h, "z"));
    }

    @Test
    void bzpop_withoutData_parksAndTimesOutWithNull() {
      assertEquals(NULL_ARRAY, timedOut(2, "BZPOPMIN", "nokey", "0.01"));
      assertEquals(NULL3, timedOut(3, "BZPOPMAX", "nokey", "0"));
      assertEquals(NULL_ARRAY, timedOut(2, "BZMPOP", "0.01", "1", "nokey", "MAX"));
    }

    /** Runs a blocking pop that must park, ends its wait by the deadline, returns the reply. */
    private String timedOut(int protocol, String... cmd) {
      CommandHarness c = new CommandHarness(h);
      c.session().protocol(protocol);
      assertEquals("", c.call(cmd));
      assertTrue(h.server().blocking().expire(c.session().blocked()));
      return c.host().takeSent();
    }

    @Test
    void bzpop_errors_timeoutFirst() {
      putOther(h, "l");
      assertEquals(
          error("ERR timeout is not a float or out of range"), h.call("BZPOPMIN", "l", "x"));
      assertEquals(error("ERR timeout is negative"), h.call("BZPOPMIN", "l", "-1"));
      assertEquals(WRONGTYPE, h.call("BZPOPMIN", "nokey", "l", "0"));
      assertEquals(arity("bzpopmin"), h.call("BZPOPMIN", "z"));
      // BZMPOP checks its other arguments before the timeout.
      assertEquals(
          error("ERR numkeys should be greater than 0"), h.call("BZMPOP", "x", "0", "z", "MIN"));
      assertEquals(
          error("ERR timeout is not a float or out of range"),
          h.call("BZMPOP", "x", "1", "z", "MIN"));
      assertEquals(SYNTAX, h.call("BZMPOP", "0", "1", "z", "BAD"));
      assertEquals(WRONGTYPE, h.call("BZMPOP", "0", "1", "l", "MIN"));
    }

    @Test
    void bzpop_eventsAndEffects() {
      fill(false);
      List<String> events = captureEvents(h);
      List<String> effects = captureEffects(h);
      h.call("BZPOPMIN", "z", "0");
      h.call("BZMPOP", "0", "1", "z", "MAX", "COUNT", "5");
      assertEquals(List.of("zpopmin z", "zpopmax z", "del z"), events);
      assertEquals(List.of("ZPOPMIN z", "ZPOPMAX z 2"), effects);
    }
  }
}
