package io.toridb.core.zset;

import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.encoding;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.zset.ZSetTestSupport.EMPTY;
import static io.toridb.core.zset.ZSetTestSupport.NIL;
import static io.toridb.core.zset.ZSetTestSupport.NOT_FLOAT;
import static io.toridb.core.zset.ZSetTestSupport.NOT_INTEGER;
import static io.toridb.core.zset.ZSetTestSupport.NULL3;
import static io.toridb.core.zset.ZSetTestSupport.SYNTAX;
import static io.toridb.core.zset.ZSetTestSupport.WRONGTYPE;
import static io.toridb.core.zset.ZSetTestSupport.array;
import static io.toridb.core.zset.ZSetTestSupport.bulk;
import static io.toridb.core.zset.ZSetTestSupport.bulks;
import static io.toridb.core.zset.ZSetTestSupport.dbl;
import static io.toridb.core.zset.ZSetTestSupport.integer;
import static io.toridb.core.zset.ZSetTestSupport.pairs3;
import static io.toridb.core.zset.ZSetTestSupport.putOther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZRANDMEMBER and ZSCAN, each in both
 * encodings where the encoding can matter ({@code zset-max-listpack-entries 0} forces skiplist).
 */
class ZSetCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private void forceSkiplist(boolean skiplist) {
    if (skiplist) {
      ZSetTestSupport.config(h, "zset-max-listpack-entries", "0");
    }
  }

  @Nested
  class Zadd {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zadd_countsAddedMembersOnly(boolean skiplist) {
      forceSkiplist(skiplist);
      assertEquals(integer(2), h.call("ZADD", "z", "1", "a", "2", "b"));
      assertEquals(integer(1), h.call("ZADD", "z", "3", "a", "4", "c"));
      assertEquals(
          bulks("b", "2", "a", "3", "c", "4"), h.call("ZRANGE", "z", "0", "-1", "WITHSCORES"));
      assertEquals(skiplist ? "skiplist" : "listpack", encoding(h, "z"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zadd_ch_countsUpdatedToo(boolean skiplist) {
      forceSkiplist(skiplist);
      h.call("ZADD", "z", "1", "a", "2", "b");
      assertEquals(integer(2), h.call("ZADD", "z", "CH", "5", "a", "2", "b", "3", "c"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zadd_nxXxGtLt_followRedis(boolean skiplist) {
      forceSkiplist(skiplist);
      h.call("ZADD", "z", "5", "a");
      assertEquals(integer(1), h.call("ZADD", "z", "NX", "1", "a", "1", "b"));
      assertEquals(bulk("5"), h.call("ZSCORE", "z", "a"));
      assertEquals(integer(0), h.call("ZADD", "z", "XX", "7", "a", "1", "c"));
      assertEquals(bulk("7"), h.call("ZSCORE", "z", "a"));
      assertEquals(NIL, h.call("ZSCORE", "z", "c"));
      assertEquals(integer(0), h.call("ZADD", "z", "GT", "CH", "6", "a"));
      assertEquals(integer(1), h.call("ZADD", "z", "GT", "CH", "8", "a"));
      assertEquals(integer(0), h.call("ZADD", "z", "LT", "CH", "9", "a"));
      assertEquals(integer(1), h.call("ZADD", "z", "lt", "ch", "2", "a"));
      // GT/LT still add new members.
      assertEquals(integer(1), h.call("ZADD", "z", "GT", "100", "new"));
      assertEquals(integer(0), h.call("ZADD", "z", "XX", "GT", "100", "other"));
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "NX,XX|ERR XX and NX options at the same time are not compatible",
          "NX,GT|ERR GT, LT, and/or NX options at the same time are not compatible",
          "NX,LT|ERR GT, LT, and/or NX options at the same time are not compatible",
          "GT,LT|ERR GT, LT, and/or NX options at the same time are not compatible"
        })
    void zadd_conflictingOptions_returnRedisErrors(String options, String text) {
      String[] o = options.split(",");
      assertEquals(error(text), h.call("ZADD", "z", o[0], o[1], "1", "a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "nan", " 1", "1 ", "", "1e400", "-1e400", "1e-400", "1x"})
    void zadd_badScore_returnsNotFloat(String score) {
      assertEquals(NOT_FLOAT, h.call("ZADD", "z", score, "a"));
      assertNull(peek(h, "z"));
    }

    @ParameterizedTest
    @CsvSource({"0x10,16", "1e3,1000", "+5,5", ".5,0.5", "5.,5", "inf,inf", "-INFINITY,-inf"})
    void zadd_acceptsWhatStrtodAccepts(String score, String shown) {
      assertEquals(integer(1), h.call("ZADD", "z", score, "m"));
      assertEquals(bulk(shown), h.call("ZSCORE", "z", "m"));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "ZADD z",
          "ZADD z 1",
          "ZADD z 1 a 2",
          "ZADD z NX",
          "ZADD z NX CH",
        })
    void zadd_missingPairs_isSyntaxErrorOrArity(String command) {
      String reply = h.call(command.split(" "));
      assertTrue(reply.equals(SYNTAX) || reply.equals(arity("zadd")), reply);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ZADD z 1 a 2", "ZADD z NX 1"})
    void zadd_oddArguments_isSyntaxError(String command) {
      assertEquals(SYNTAX, h.call(command.split(" ")));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zadd_incr_repliesNewScoreOrNull(boolean skiplist) {
      forceSkiplist(skiplist);
      assertEquals(bulk("1.5"), h.call("ZADD", "z", "INCR", "1.5", "a"));
      assertEquals(dbl("3"), h.call3("ZADD", "z", "INCR", "1.5", "a"));
      assertEquals(NIL, h.call("ZADD", "z", "INCR", "NX", "1", "a"));
      assertEquals(NULL3, h.call3("ZADD", "z", "INCR", "XX", "1", "nosuch"));
      assertEquals(NIL, h.call("ZADD", "z", "INCR", "GT", "-1", "a"));
      assertEquals(
          error("ERR INCR option supports a single increment-element pair"),
          h.call("ZADD", "z", "INCR", "1", "a", "2", "b"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zadd_incrToNaN_isErrorAndChangesNothing(boolean skiplist) {
      forceSkiplist(skiplist);
      h.call("ZADD", "z", "inf", "a");
      assertEquals(
          error("ERR resulting score is not a number (NaN)"),
          h.call("ZADD", "z", "INCR", "-inf", "a"));
      assertEquals(bulk("inf"), h.call("ZSCORE", "z", "a"));
    }

    @org.junit.jupiter.api.Test
    void zadd_xxOnMissingKey_createsNothing() {
      assertEquals(integer(0), h.call("ZADD", "z", "XX", "1", "a"));
      assertEquals(NIL, h.call("ZADD", "z", "XX", "INCR", "1", "a"));
      assertNull(peek(h, "z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ZADD", "ZINCRBY"})
    void zaddAndZincrby_onWrongType_returnWrongtype(String cmd) {
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call(cmd, "l", "1", "a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ZADD", "ZINCRBY"})
    void zadd_badScoreBeatsWrongType(String cmd) {
      putOther(h, "l");
      assertEquals(NOT_FLOAT, h.call(cmd, "l", "x", "a"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zadd_negativeZero_isKeptOnlyBySkiplist(boolean skiplist) {
      forceSkiplist(skiplist);
      h.call("ZADD", "z", "-0", "a");
      // A listpack stores an integral score as an integer, so -0 becomes 0 there.
      assertEquals(bulk(skiplist ? "-0" : "0"), h.call("ZSCORE", "z", "a"));
      // Zero and -0 are the same score: no update.
      assertEquals(integer(0), h.call("ZADD", "z", "CH", "0", "a"));
    }
  }

  @Nested
  class Zincrby {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zincrby_createsAndIncrements(boolean skiplist) {
      forceSkiplist(skiplist);
      assertEquals(bulk("2"), h.call("ZINCRBY", "z", "2", "a"));
      assertEquals(bulk("2.5"), h.call("ZINCRBY", "z", "0.5", "a"));
      assertEquals(dbl("-1.5"), h.call3("ZINCRBY", "z", "-4", "a"));
      h.call("ZINCRBY", "y", "0.1", "m");
      assertEquals(bulk("0.30000000000000004"), h.call("ZINCRBY", "y", "0.2", "m"));
    }

    @org.junit.jupiter.api.Test
    void zincrby_errors() {
      assertEquals(NOT_FLOAT, h.call("ZINCRBY", "z", "abc", "a"));
      // Option words are read as options, leaving an odd number of arguments.
      assertEquals(SYNTAX, h.call("ZINCRBY", "z", "nx", "a"));
      assertEquals(arity("zincrby"), h.call("ZINCRBY", "z", "1"));
      assertEquals(arity("zincrby"), h.call("ZINCRBY", "z", "1", "a", "b"));
      h.call("ZADD", "z", "-inf", "a");
      assertEquals(
          error("ERR resulting score is not a number (NaN)"), h.call("ZINCRBY", "z", "inf", "a"));
    }
  }

  @Nested
  class Zrem {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zrem_removesAndDeletesEmptyKey(boolean skiplist) {
      forceSkiplist(skiplist);
      h.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
      assertEquals(integer(2), h.call("ZREM", "z", "a", "nope", "b", "a"));
      assertEquals(integer(1), h.call("ZCARD", "z"));
      assertEquals(integer(1), h.call("ZREM", "z", "c", "d"));
      assertNull(peek(h, "z"));
      assertEquals(integer(0), h.call("ZREM", "z", "c"));
    }

    @org.junit.jupiter.api.Test
    void zrem_errors() {
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("ZREM", "l", "a"));
      assertEquals(arity("zrem"), h.call("ZREM", "z"));
    }
  }

  @Nested
  class Reads {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zscoreAndZmscore_inBothProtocols(boolean skiplist) {
      forceSkiplist(skiplist);
      h.call("ZADD", "z", "1.5", "a", "1e20", "b", "0.1", "c", "-inf", "d");
      assertEquals(bulk("1.5"), h.call("ZSCORE", "z", "a"));
      assertEquals(bulk("1e+20"), h.call("ZSCORE", "z", "b"));
      assertEquals(bulk("0.10000000000000001"), h.call("ZSCORE", "z", "c"));
      assertEquals(dbl("-inf"), h.call3("ZSCORE", "z", "d"));
      assertEquals(NIL, h.call("ZSCORE", "z", "x"));
      assertEquals(NULL3, h.call3("ZSCORE", "nokey", "x"));
      assertEquals(array(bulk("1.5"), NIL, bulk("-inf")), h.call("ZMSCORE", "z", "a", "x", "d"));
      assertEquals(array(dbl("1.5"), NULL3), h.call3("ZMSCORE", "z", "a", "x"));
      assertEquals(array(NIL, NIL), h.call("ZMSCORE", "nokey", "a", "b"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zrankAndZrevrank(boolean skiplist) {
      forceSkiplist(skiplist);
      h.call("ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d");
      assertEquals(integer(0), h.call("ZRANK", "z", "a"));
      assertEquals(integer(2), h.call("ZRANK", "z", "c"));
      assertEquals(integer(1), h.call("ZREVRANK", "z", "c"));
      assertEquals(integer(3), h.call("ZREVRANK", "z", "a"));
      assertEquals(NIL, h.call("ZRANK", "z", "x"));
      assertEquals(NULL3, h.call3("ZREVRANK", "nokey", "x"));
    }

    @org.junit.jupiter.api.Test
    void zrank_withScore_isRefusedAsIn70() {
      h.call("ZADD", "z", "1", "a");
      assertEquals(arity("zrank"), h.call("ZRANK", "z", "a", "WITHSCORE"));
      assertEquals(arity("zrevrank"), h.call("ZREVRANK", "z", "a", "WITHSCORE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ZCARD", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK"})
    void reads_onWrongType(String cmd) {
      putOther(h, "l");
      String[] args = cmd.equals("ZCARD") ? new String[] {cmd, "l"} : new String[] {cmd, "l", "a"};
      assertEquals(WRONGTYPE, h.call(args));
    }

    @org.junit.jupiter.api.Test
    void zcard_countsMembers() {
      assertEquals(integer(0), h.call("ZCARD", "z"));
      h.call("ZADD", "z", "1", "a", "2", "b");
      assertEquals(integer(2), h.call("ZCARD", "z"));
      assertEquals(arity("zcard"), h.call("ZCARD", "z", "x"));
    }
  }

  @Nested
  class Zrandmember {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zrandmember_wholeSetComesHighestFirst(boolean skiplist) {
      forceSkiplist(skiplist);
      h.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
      assertEquals(bulks("c", "b", "a"), h.call("ZRANDMEMBER", "z", "3"));
      assertEquals(
          bulks("c", "3", "b", "2", "a", "1"), h.call("ZRANDMEMBER", "z", "10", "WITHSCORES"));
      assertEquals(
          pairs3("c", "3", "b", "2", "a", "1"), h.call3("ZRANDMEMBER", "z", "3", "withscores"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zrandmember_samplesAreMembers(boolean skiplist) {
      forceSkiplist(skiplist);
      for (int i = 0; i < 50; i++) {
        h.call("ZADD", "z", String.valueOf(i), "m" + i);
      }
      String one = h.call("ZRANDMEMBER", "z");
      assertTrue(one.matches("\\$\\d\\r\\nm\\d+\\r\\n"), one);
      String distinct = h.call("ZRANDMEMBER", "z", "10");
      assertEquals(
          10,
          new java.util.HashSet<>(java.util.Arrays.asList(distinct.split("\r\n")))
              .stream().filter(s -> s.startsWith("m")).count());
      String many = h.call("ZRANDMEMBER", "z", "30");
      assertEquals(
          30,
          new java.util.HashSet<>(java.util.Arrays.asList(many.split("\r\n")))
              .stream().filter(s -> s.startsWith("m")).count());
      String repeated = h.call("ZRANDMEMBER", "z", "-100");
      assertTrue(repeated.startsWith("*100\r\n"), repeated);
      String scored = h.call3("ZRANDMEMBER", "z", "-3", "WITHSCORES");
      assertTrue(scored.startsWith("*3\r\n*2\r\n$"), scored);
      assertTrue(h.call("ZRANDMEMBER", "z", "-3", "WITHSCORES").startsWith("*6\r\n"));
    }

    @org.junit.jupiter.api.Test
    void zrandmember_edgeCasesAndErrors() {
      assertEquals(NIL, h.call("ZRANDMEMBER", "nokey"));
      assertEquals(NULL3, h.call3("ZRANDMEMBER", "nokey"));
      assertEquals(EMPTY, h.call("ZRANDMEMBER", "nokey", "5"));
      h.call("ZADD", "z", "1", "a");
      assertEquals(EMPTY, h.call("ZRANDMEMBER", "z", "0"));
      assertEquals(NOT_INTEGER, h.call("ZRANDMEMBER", "z", "abc"));
      assertEquals(SYNTAX, h.call("ZRANDMEMBER", "z", "1", "bad"));
      assertEquals(SYNTAX, h.call("ZRANDMEMBER", "z", "1", "withscores", "x"));
      assertEquals(
          error(
              "ERR value is out of range, value must between -9223372036854775807 and"
                  + " 9223372036854775807"),
          h.call("ZRANDMEMBER", "z", "-9223372036854775808"));
      assertEquals(
          error("ERR value is out of range"),
          h.call("ZRANDMEMBER", "z", "-9223372036854770000", "WITHSCORES"));
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("ZRANDMEMBER", "l"));
      assertEquals(WRONGTYPE, h.call("ZRANDMEMBER", "l", "1"));
    }
  }

  @Nested
  class Zscan {
    @org.junit.jupiter.api.Test
    void zscan_listpack_returnsAllWithStoredScoreText() {
      h.call("ZADD", "z", "1", "a", "2.5", "b", "1e20", "c", "123456789012345678", "d");
      assertEquals(
          array(bulk("0"), bulks("a", "1", "b", "2.5", "d", "123456789012345680", "c", "1e+20")),
          h.call("ZSCAN", "z", "0"));
      assertEquals(array(bulk("0"), bulks("b", "2.5")), h.call("ZSCAN", "z", "0", "MATCH", "b*"));
    }

    @org.junit.jupiter.api.Test
    void zscan_skiplist_iteratesEveryMemberOnce() {
      ZSetTestSupport.config(h, "zset-max-listpack-entries", "0");
      java.util.Set<String> expected = new java.util.HashSet<>();
      for (int i = 0; i < 500; i++) {
        h.call("ZADD", "z", String.valueOf(i * 1e17), "m" + i);
        expected.add("m" + i);
      }
      java.util.Set<String> seen = new java.util.HashSet<>();
      String cursor = "0";
      int calls = 0;
      do {
        String reply = h.call("ZSCAN", "z", cursor, "COUNT", "20");
        String[] lines = reply.split("\r\n");
        cursor = lines[2];
        for (int i = 4; i + 3 < lines.length; i += 4) {
          seen.add(lines[i + 1]);
          // Skiplist scores are shown with %.17g: 1e+17, not 100000000000000000.
          if (lines[i + 1].equals("m1")) {
            assertEquals("1e+17", lines[i + 3]);
          }
        }
        calls++;
      } while (!cursor.equals("0"));
      assertEquals(expected, seen);
      assertTrue(calls > 5, "a COUNT of 20 takes several calls");
    }

    @org.junit.jupiter.api.Test
    void zscan_errorsAndMissingKey() {
      assertEquals(array(bulk("0"), EMPTY), h.call("ZSCAN", "nokey", "0", "BADOPTION"));
      assertEquals(error("ERR invalid cursor"), h.call("ZSCAN", "z", "abc"));
      h.call("ZADD", "z", "1", "a");
      assertEquals(SYNTAX, h.call("ZSCAN", "z", "0", "TYPE", "zset"));
      assertEquals(SYNTAX, h.call("ZSCAN", "z", "0", "COUNT", "0"));
      assertEquals(NOT_INTEGER, h.call("ZSCAN", "z", "0", "COUNT", "x"));
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("ZSCAN", "l", "0"));
      assertEquals(arity("zscan"), h.call("ZSCAN", "z"));
    }
  }
}
