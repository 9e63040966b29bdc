package io.toridb.core.list;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.list.ListTestSupport.NULL3;
import static io.toridb.core.list.ListTestSupport.NULL_ARRAY;
import static io.toridb.core.list.ListTestSupport.SYNTAX;
import static io.toridb.core.list.ListTestSupport.WRONGTYPE;
import static io.toridb.core.list.ListTestSupport.array;
import static io.toridb.core.list.ListTestSupport.inTransaction;
import static io.toridb.core.list.ListTestSupport.inTransaction3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BLPOP, BRPOP, BLMPOP, BLMOVE and BRPOPLPUSH where they do not wait: served at once from a key
 * with data, the timeout reply when the client would block (the blocking layer answers at once
 * here), and the replies where blocking is not allowed (inside MULTI).
 */
class ListBlockingCommandsTest {
  private final CommandHarness h = new CommandHarness();

  /**
   * Runs a blocking command that finds nothing: it must park the client (no reply yet); then ends
   * the wait by its deadline and returns the timeout reply the client receives.
   */
  private String timedOut3(String... cmd) {
    int before = h.session().protocol();
    h.session().protocol(3);
    try {
      return timedOut(cmd);
    } finally {
      h.session().protocol(before);
    }
  }

  private String timedOut(String... cmd) {
    assertEquals("", h.call(cmd));
    assertTrue(h.server().blocking().expire(h.session().blocked()));
    return h.host().takeSent();
  }

  private static final String NOT_FLOAT = error("ERR timeout is not a float or out of range");
  private static final String NEGATIVE = error("ERR timeout is negative");

  @Nested
  class Pops {
    @Test
    void blpop_servesTheFirstKeyWithData() {
      h.call("RPUSH", "b", "1", "2");
      h.call("RPUSH", "c", "x");
      assertEquals(array("b", "1"), h.call("BLPOP", "a", "b", "c", "0"));
      assertEquals(array("b", "2"), h.call("BRPOP", "a", "b", "c", "0"));
      assertNull(peek(h, "b"));
      assertEquals(array("c", "x"), h.call3("BRPOP", "a", "b", "c", "1.5"));
    }

    @Test
    void blpop_sameKeyTwice_works() {
      h.call("RPUSH", "k", "v");
      assertEquals(array("k", "v"), h.call("BLPOP", "k", "k", "0"));
    }

    @Test
    void blpop_timeoutReply_isNullArray() {
      assertEquals(NULL_ARRAY, timedOut("BLPOP", "a", "b", "0.01"));
      assertEquals(NULL_ARRAY, timedOut("BRPOP", "a", "0"));
      assertEquals(NULL3, timedOut3("BLPOP", "a", "0.01"));
    }

    @Test
    void blpop_timeoutErrors_comeBeforeTheKeys() {
      h.call("SET", "s", "v");
      assertEquals(NOT_FLOAT, h.call("BLPOP", "s", "abc"));
      assertEquals(NEGATIVE, h.call("BLPOP", "s", "-1"));
      assertEquals(NEGATIVE, h.call("BRPOP", "s", "9223372036854775807"));
      assertEquals(NEGATIVE, h.call("BRPOP", "s", "1e400"));
    }

    @Test
    void blpop_wrongTypeBeforeAList_isWrongtype_butAListBeforeItIsServed() {
      h.call("SET", "s", "v");
      h.call("RPUSH", "l", "x");
      assertEquals(WRONGTYPE, h.call("BLPOP", "missing", "s", "l", "0"));
      assertEquals(array("l", "x"), h.call("BLPOP", "l", "s", "0"));
    }

    @Test
    void blpop_arity() {
      assertEquals(arity("blpop"), h.call("BLPOP", "k"));
      assertEquals(arity("brpop"), h.call("BRPOP"));
    }
  }

  @Nested
  class Blmpop {
    @Test
    void blmpop_servesLikeLmpop() {
      h.call("RPUSH", "b", "1", "2", "3");
      assertEquals(
          "*2\r\n" + bulk("b") + array("3", "2"),
          h.call("BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2"));
      assertEquals("*2\r\n" + bulk("b") + array("1"), h.call3("BLMPOP", "1", "1", "b", "LEFT"));
    }

    @Test
    void blmpop_timeoutReply_isNullArray() {
      assertEquals(NULL_ARRAY, timedOut("BLMPOP", "0.01", "2", "a", "b", "LEFT"));
      assertEquals(NULL3, timedOut3("BLMPOP", "0", "1", "a", "RIGHT", "COUNT", "2"));
    }

    @Test
    void blmpop_checksNumkeysSideAndCountBeforeTheTimeout() {
      assertEquals(
          error("ERR numkeys should be greater than 0"), h.call("BLMPOP", "x", "0", "a", "LEFT"));
      assertEquals(SYNTAX, h.call("BLMPOP", "x", "1", "a", "MIDDLE"));
      assertEquals(
          error("ERR count should be greater than 0"),
          h.call("BLMPOP", "x", "1", "a", "LEFT", "COUNT", "0"));
      assertEquals(NOT_FLOAT, h.call("BLMPOP", "x", "1", "a", "LEFT"));
      assertEquals(NEGATIVE, h.call("BLMPOP", "-1", "1", "a", "LEFT"));
      assertEquals(SYNTAX, h.call("BLMPOP", "0", "3", "a", "LEFT"));
      assertEquals(arity("blmpop"), h.call("BLMPOP", "0", "1", "a"));
    }
  }

  @Nested
  class Moves {
    @Test
    void blmove_servesLikeLmove() {
      h.call("RPUSH", "s", "a", "b");
      assertEquals(bulk("a"), h.call("BLMOVE", "s", "d", "LEFT", "RIGHT", "0"));
      assertEquals(bulk("b"), h.call("BRPOPLPUSH", "s", "d", "0"));
      assertEquals(array("b", "a"), h.call("LRANGE", "d", "0", "-1"));
      assertNull(peek(h, "s"));
    }

    @Test
    void blmove_timeoutReply_isNullArrayAsRedisBlockedTimeout() {
      assertEquals(NULL_ARRAY, timedOut("BLMOVE", "s", "d", "LEFT", "RIGHT", "0.01"));
      assertEquals(NULL_ARRAY, timedOut("BRPOPLPUSH", "s", "d", "0"));
      assertEquals(NULL3, timedOut3("BRPOPLPUSH", "s", "d", "0"));
    }

    @Test
    void blmove_errors() {
      h.call("SET", "str", "v");
      h.call("RPUSH", "s", "a");
      assertEquals(SYNTAX, h.call("BLMOVE", "s", "d", "UP", "LEFT", "x"));
      assertEquals(NOT_FLOAT, h.call("BLMOVE", "s", "d", "LEFT", "LEFT", "x"));
      assertEquals(NOT_FLOAT, h.call("BRPOPLPUSH", "str", "d", "x"));
      assertEquals(WRONGTYPE, h.call("BRPOPLPUSH", "str", "d", "0"));
      assertEquals(WRONGTYPE, h.call("BLMOVE", "s", "str", "LEFT", "LEFT", "0"));
      assertEquals(array("a"), h.call("LRANGE", "s", "0", "-1"));
      // A missing source blocks whatever the destination holds.
      assertEquals(NULL_ARRAY, timedOut("BRPOPLPUSH", "missing", "str", "0"));
      assertEquals(arity("brpoplpush"), h.call("BRPOPLPUSH", "s", "d"));
      assertEquals(arity("blmove"), h.call("BLMOVE", "s", "d", "LEFT", "LEFT"));
    }

    @Test
    void blmove_sameListRotates() {
      h.call("RPUSH", "l", "a", "b", "c");
      assertEquals(bulk("c"), h.call("BRPOPLPUSH", "l", "l", "0"));
      assertEquals(array("c", "a", "b"), h.call("LRANGE", "l", "0", "-1"));
    }
  }

  @Nested
  class InsideMulti {
    @ParameterizedTest
    @ValueSource(strings = {"BLPOP", "BRPOP"})
    void pops_replyNullArray(String cmd) {
      assertEquals(NULL_ARRAY, inTransaction(h, cmd, "a", "0"));
      assertEquals(NULL3, inTransaction3(h, cmd, "a", "0"));
    }

    @Test
    void blmpop_repliesNullArray() {
      assertEquals(NULL_ARRAY, inTransaction(h, "BLMPOP", "0", "1", "a", "LEFT"));
    }

    @Test
    void moves_replyNullBulk() {
      assertEquals(NIL, inTransaction(h, "BLMOVE", "a", "b", "LEFT", "RIGHT", "0"));
      assertEquals(NIL, inTransaction(h, "BRPOPLPUSH", "a", "b", "0"));
      assertEquals(NULL3, inTransaction3(h, "BRPOPLPUSH", "a", "b", "0"));
    }

    @Test
    void dataIsStillServed() {
      h.call("RPUSH", "a", "x", "y");
      assertEquals(array("a", "x"), inTransaction(h, "BLPOP", "a", "0"));
      assertEquals(bulk("y"), inTransaction(h, "BLMOVE", "a", "b", "LEFT", "RIGHT", "0"));
    }
  }
}
