package io.toridb.core.zset;

import static io.toridb.core.CommandHarness.arity;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ZRANGE in all its forms, ZRANGESTORE, ZCOUNT, ZLEXCOUNT and ZREMRANGEBY*. Range tests run on a
 * set in each encoding: {@code a..e} scored 1..5.
 */
class ZRangeCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private static final String LIMIT_NEEDS_BY =
      error(
          "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  private static final String MIN_MAX_FLOAT = error("ERR min or max is not a float");
  private static final String MIN_MAX_LEX = error("ERR min or max not valid string range item");

  private void fill(boolean skiplist) {
    if (skiplist) {
      ZSetTestSupport.config(h, "zset-max-listpack-entries", "0");
    }
    h.call("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
    assertEquals(skiplist ? "skiplist" : "listpack", encoding(h, "z"));
  }

  private String range(String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = "ZRANGE";
    System.arraycopy(args, 0, argv, 1, args.length);
    return h.call(argv);
  }

  @Nested
  class ByRank {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zrange_indexes(boolean skiplist) {
      fill(skiplist);
      assertEquals(bulks("a", "b", "c", "d", "e"), range("z", "0", "-1"));
      assertEquals(bulks("b", "c", "d"), range("z", "1", "3"));
      assertEquals(bulks("d", "e"), range("z", "-2", "-1"));
      assertEquals(bulks("a", "b", "c", "d", "e"), range("z", "-100", "100"));
      assertEquals(EMPTY, range("z", "3", "1"));
      assertEquals(EMPTY, range("z", "5", "10"));
      assertEquals(bulks("e", "d"), range("z", "0", "1", "REV"));
      assertEquals(bulks("c", "b", "a"), h.call("ZREVRANGE", "z", "2", "10"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zrange_withScores_isFlatInResp2AndPairsInResp3(boolean skiplist) {
      fill(skiplist);
      assertEquals(bulks("a", "1", "b", "2"), range("z", "0", "1", "WITHSCORES"));
      assertEquals(pairs3("a", "1", "b", "2"), h.call3("ZRANGE", "z", "0", "1", "WITHSCORES"));
      assertEquals(pairs3("e", "5"), h.call3("ZREVRANGE", "z", "0", "0", "withscores"));
    }

    @Test
    void zrange_errors() {
      fill(false);
      assertEquals(NOT_INTEGER, range("z", "a", "1"));
      assertEquals(NOT_INTEGER, range("z", "0", "1.5"));
      assertEquals(LIMIT_NEEDS_BY, range("z", "0", "-1", "LIMIT", "0", "1"));
      // LIMIT with count -1 is the same as no LIMIT.
      assertEquals(bulks("a", "b", "c", "d", "e"), range("z", "0", "-1", "LIMIT", "0", "-1"));
      assertEquals(SYNTAX, range("z", "0", "-1", "LIMIT", "1"));
      assertEquals(SYNTAX, range("z", "0", "-1", "BAD"));
      assertEquals(SYNTAX, range("z", "0", "-1", "REV", "REV"));
      assertEquals(SYNTAX, h.call("ZREVRANGE", "z", "0", "-1", "REV"));
      assertEquals(arity("zrange"), range("z", "0"));
      assertEquals(EMPTY, range("nokey", "0", "-1"));
      putOther(h, "l");
      assertEquals(WRONGTYPE, range("l", "0", "-1"));
      // Argument errors come before the type check.
      assertEquals(NOT_INTEGER, range("l", "x", "1"));
    }
  }

  @Nested
  class ByScore {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zrangebyscore_bounds(boolean skiplist) {
      fill(skiplist);
      assertEquals(bulks("b", "c", "d"), h.call("ZRANGEBYSCORE", "z", "2", "4"));
      assertEquals(bulks("c", "d"), h.call("ZRANGEBYSCORE", "z", "(2", "4"));
      assertEquals(bulks("c"), h.call("ZRANGEBYSCORE", "z", "(2", "(4"));
      assertEquals(EMPTY, h.call("ZRANGEBYSCORE", "z", "(2", "(2"));
      assertEquals(bulks("b"), h.call("ZRANGEBYSCORE", "z", "2", "2"));
      assertEquals(EMPTY, h.call("ZRANGEBYSCORE", "z", "4", "2"));
      assertEquals(bulks("a", "b", "c", "d", "e"), h.call("ZRANGEBYSCORE", "z", "-inf", "+inf"));
      assertEquals(bulks("d", "c"), h.call("ZREVRANGEBYSCORE", "z", "4", "(2"));
      assertEquals(bulks("d", "c"), range("z", "4", "(2", "BYSCORE", "REV"));
      assertEquals(bulks("b", "2", "c", "3"), h.call("ZRANGEBYSCORE", "z", "2", "3", "WITHSCORES"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @CsvSource({
      "false,1,2,'b,c'",
      "true,1,2,'b,c'",
      "false,1,-1,'b,c,d,e'",
      "true,1,-5,'b,c,d,e'",
      "false,1,0,''",
      "true,4,3,'e'",
      "false,5,3,''",
      "true,-1,2,''"
    })
    void zrangebyscore_limit(boolean skiplist, String offset, String count, String expected) {
      fill(skiplist);
      String[] members = expected.isEmpty() ? new String[0] : expected.split(",");
      assertEquals(
          bulks(members), h.call("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", offset, count));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zrevrangebyscore_limitCountsFromTheTop(boolean skiplist) {
      fill(skiplist);
      assertEquals(
          bulks("d", "c"), h.call("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "1", "2"));
      assertEquals(bulks("a"), h.call("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "4", "5"));
      assertEquals(EMPTY, h.call("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "5", "5"));
    }

    @ParameterizedTest
    @CsvSource({"'',5", "' 2',5", "0x2,5", "1e-400,1e400", "(,5"})
    void zrangebyscore_boundsReadWithStrtod(String min, String max) {
      fill(false);
      // All valid for Redis's strtod: an empty string is 0, white space and hex are read.
      assertEquals('*', h.call("ZRANGEBYSCORE", "z", min, max).charAt(0));
    }

    @ParameterizedTest
    @CsvSource({"a,b", "nan,5", "-nan,5", "'2 ',5", "((2,5", "1,5x"})
    void zrangebyscore_badBounds(String min, String max) {
      fill(false);
      assertEquals(MIN_MAX_FLOAT, h.call("ZRANGEBYSCORE", "z", min, max));
      assertEquals(MIN_MAX_FLOAT, h.call("ZCOUNT", "z", min, max));
      assertEquals(MIN_MAX_FLOAT, h.call("ZREMRANGEBYSCORE", "z", min, max));
    }

    @Test
    void zrangebyscore_optionErrors() {
      fill(false);
      assertEquals(NOT_INTEGER, h.call("ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "a", "1"));
      assertEquals(SYNTAX, h.call("ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "1"));
      assertEquals(SYNTAX, h.call("ZRANGEBYSCORE", "z", "0", "1", "REV"));
      assertEquals(SYNTAX, h.call("ZRANGEBYSCORE", "z", "0", "1", "BYSCORE"));
      assertEquals(SYNTAX, range("z", "0", "1", "BYSCORE", "BYLEX"));
    }
  }

  @Nested
  class ByLex {
    private void fillLex(boolean skiplist) {
      if (skiplist) {
        ZSetTestSupport.config(h, "zset-max-listpack-entries", "0");
      }
      h.call("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "", "0", "ab");
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zrangebylex_bounds(boolean skiplist) {
      fillLex(skiplist);
      assertEquals(bulks("", "a", "ab", "b", "c", "d", "e"), h.call("ZRANGEBYLEX", "l", "-", "+"));
      assertEquals(bulks("a", "ab", "b", "c"), h.call("ZRANGEBYLEX", "l", "[a", "[c"));
      assertEquals(bulks("ab", "b"), h.call("ZRANGEBYLEX", "l", "(a", "(c"));
      assertEquals(EMPTY, h.call("ZRANGEBYLEX", "l", "[c", "[a"));
      assertEquals(EMPTY, h.call("ZRANGEBYLEX", "l", "+", "-"));
      assertEquals(bulks("c", "b", "ab"), h.call("ZREVRANGEBYLEX", "l", "[c", "(a"));
      assertEquals(bulks("b", "c"), h.call("ZRANGEBYLEX", "l", "[a", "+", "LIMIT", "2", "2"));
      assertEquals(bulks("d", "c"), h.call("ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "1", "2"));
      assertEquals(bulks("b", "c"), range("l", "[b", "[c", "BYLEX"));
      assertEquals(bulks("c", "b"), range("l", "[c", "[b", "BYLEX", "REV"));
      assertEquals(integer(4), h.call("ZLEXCOUNT", "l", "[a", "[c"));
      assertEquals(integer(7), h.call("ZLEXCOUNT", "l", "-", "+"));
      assertEquals(integer(0), h.call("ZLEXCOUNT", "l", "(e", "+"));
    }

    @ParameterizedTest
    @CsvSource({"a,c", "[a,c", "+a,+", "-a,+", "'',+"})
    void zrangebylex_badItems(String min, String max) {
      fillLex(false);
      assertEquals(MIN_MAX_LEX, h.call("ZRANGEBYLEX", "l", min, max));
      assertEquals(MIN_MAX_LEX, h.call("ZLEXCOUNT", "l", min, max));
      assertEquals(MIN_MAX_LEX, h.call("ZREMRANGEBYLEX", "l", min, max));
    }

    @Test
    void zrangebylex_withScores_isRefused() {
      fillLex(false);
      assertEquals(
          error("ERR syntax error, WITHSCORES not supported in combination with BYLEX"),
          range("l", "-", "+", "BYLEX", "WITHSCORES"));
      assertEquals(
          error("ERR syntax error, WITHSCORES not supported in combination with BYLEX"),
          h.call("ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"));
    }

    @Test
    void zrangebylex_mixedScores_walksTheListpackInScoreOrder() {
      // Redis leaves this unspecified; on a listpack it walks in order, which this follows.
      h.call("ZADD", "m", "1", "b", "2", "a", "3", "d", "4", "c");
      assertEquals(bulks("b", "a", "d", "c"), h.call("ZRANGEBYLEX", "m", "-", "+"));
      // The first member at or above "a" is b (score 1); the walk goes on while members are <= b.
      assertEquals(bulks("b", "a"), h.call("ZRANGEBYLEX", "m", "[a", "[b"));
      assertEquals(bulks("b", "a"), h.call("ZRANGEBYLEX", "m", "[b", "[c"));
      assertEquals(integer(2), h.call("ZLEXCOUNT", "m", "[b", "[c"));
    }
  }

  @Nested
  class Counting {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zcount(boolean skiplist) {
      fill(skiplist);
      assertEquals(integer(5), h.call("ZCOUNT", "z", "-inf", "+inf"));
      assertEquals(integer(3), h.call("ZCOUNT", "z", "2", "4"));
      assertEquals(integer(1), h.call("ZCOUNT", "z", "(2", "(4"));
      assertEquals(integer(0), h.call("ZCOUNT", "z", "4", "2"));
      assertEquals(integer(0), h.call("ZCOUNT", "z", "10", "20"));
      assertEquals(integer(0), h.call("ZCOUNT", "nokey", "0", "1"));
      putOther(h, "o");
      assertEquals(WRONGTYPE, h.call("ZCOUNT", "o", "0", "1"));
    }
  }

  @Nested
  class Removal {
    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zremrangebyrank(boolean skiplist) {
      fill(skiplist);
      assertEquals(integer(2), h.call("ZREMRANGEBYRANK", "z", "0", "1"));
      assertEquals(integer(1), h.call("ZREMRANGEBYRANK", "z", "-1", "-1"));
      assertEquals(integer(0), h.call("ZREMRANGEBYRANK", "z", "5", "10"));
      assertEquals(integer(0), h.call("ZREMRANGEBYRANK", "z", "1", "0"));
      assertEquals(bulks("c", "d"), range("z", "0", "-1"));
      assertEquals(integer(2), h.call("ZREMRANGEBYRANK", "z", "0", "-1"));
      assertNull(peek(h, "z"));
      assertEquals(NOT_INTEGER, h.call("ZREMRANGEBYRANK", "z", "a", "1"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zremrangebyscore(boolean skiplist) {
      fill(skiplist);
      assertEquals(integer(2), h.call("ZREMRANGEBYSCORE", "z", "(1", "3"));
      assertEquals(integer(0), h.call("ZREMRANGEBYSCORE", "z", "10", "20"));
      assertEquals(bulks("a", "d", "e"), range("z", "0", "-1"));
      assertEquals(integer(3), h.call("ZREMRANGEBYSCORE", "z", "-inf", "+inf"));
      assertNull(peek(h, "z"));
    }

    @ParameterizedTest(name = "skiplist={0}")
    @ValueSource(booleans = {false, true})
    void zremrangebylex(boolean skiplist) {
      if (skiplist) {
        ZSetTestSupport.config(h, "zset-max-listpack-entries", "0");
      }
      h.call("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d");
      assertEquals(integer(2), h.call("ZREMRANGEBYLEX", "l", "[b", "(d"));
      assertEquals(integer(0), h.call("ZREMRANGEBYLEX", "l", "[x", "[z"));
      assertEquals(bulks("a", "d"), range("l", "0", "-1"));
      assertEquals(integer(2), h.call("ZREMRANGEBYLEX", "l", "-", "+"));
      assertNull(peek(h, "l"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX"})
    void zremrange_missingKeyAndWrongType(String cmd) {
      String lo = cmd.endsWith("LEX") ? "-" : "0";
      String hi = cmd.endsWith("LEX") ? "+" : "1";
      assertEquals(integer(0), h.call(cmd, "nokey", lo, hi));
      putOther(h, "o");
      assertEquals(WRONGTYPE, h.call(cmd, "o", lo, hi));
      assertEquals(arity(cmd.toLowerCase()), h.call(cmd, "o", lo));
    }
  }

  @Nested
  class Store {
    @BeforeEach
    void source() {
      fill(false);
    }

    @Test
    void zrangestore_storesEachKindOfRange() {
      assertEquals(integer(5), h.call("ZRANGESTORE", "d", "z", "0", "-1"));
      assertEquals(
          bulks("a", "1", "b", "2", "c", "3", "d", "4", "e", "5"),
          h.call("ZRANGE", "d", "0", "-1", "WITHSCORES"));
      assertEquals(integer(2), h.call("ZRANGESTORE", "d", "z", "0", "1", "REV"));
      assertEquals(bulks("d", "4", "e", "5"), h.call("ZRANGE", "d", "0", "-1", "WITHSCORES"));
      assertEquals(
          integer(2), h.call("ZRANGESTORE", "d", "z", "(1", "4", "BYSCORE", "LIMIT", "1", "2"));
      assertEquals(bulks("c", "d"), range("d", "0", "-1"));
      assertEquals(integer(3), h.call("ZRANGESTORE", "d", "z", "[b", "[d", "BYLEX"));
      assertEquals(bulks("b", "c", "d"), range("d", "0", "-1"));
    }

    @Test
    void zrangestore_emptyResultDeletesDestination() {
      h.call("ZRANGESTORE", "d", "z", "0", "0");
      assertEquals(integer(0), h.call("ZRANGESTORE", "d", "z", "10", "20"));
      assertNull(peek(h, "d"));
      h.call("SET", "d", "string");
      assertEquals(integer(0), h.call("ZRANGESTORE", "d", "nokey", "0", "-1"));
      assertNull(peek(h, "d"));
    }

    @Test
    void zrangestore_overwritesOtherTypesAndClearsTtl() {
      h.call("SET", "d", "string", "EX", "1000");
      assertEquals(integer(1), h.call("ZRANGESTORE", "d", "z", "0", "0"));
      assertEquals(integer(-1), h.call("TTL", "d"));
      assertEquals("zset", peek(h, "d").type().typeName());
    }

    @Test
    void zrangestore_errors() {
      assertEquals(SYNTAX, h.call("ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"));
      assertEquals(LIMIT_NEEDS_BY, h.call("ZRANGESTORE", "d", "z", "0", "-1", "LIMIT", "0", "1"));
      assertEquals(NOT_INTEGER, h.call("ZRANGESTORE", "d", "z", "a", "b"));
      assertEquals(arity("zrangestore"), h.call("ZRANGESTORE", "d", "z", "0"));
      h.call("SET", "s", "x");
      assertEquals(WRONGTYPE, h.call("ZRANGESTORE", "d", "s", "0", "-1"));
    }

    @Test
    void zrangestore_encodingFollowsTheLimits() {
      ZSetTestSupport.config(h, "zset-max-listpack-entries", "3");
      h.call("ZRANGESTORE", "d", "z", "0", "2");
      assertEquals("listpack", encoding(h, "d"));
      h.call("ZRANGESTORE", "d", "z", "0", "3");
      assertEquals("skiplist", encoding(h, "d"));
      h.call("ZRANGESTORE", "d", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "3");
      assertEquals("listpack", encoding(h, "d"));
      ZSetTestSupport.config(h, "zset-max-listpack-value", "0");
      h.call("ZRANGESTORE", "d", "z", "0", "0");
      assertEquals("skiplist", encoding(h, "d"));
    }
  }

  @Test
  void ranges_skipOffsetsPastTheEnd() {
    fill(true);
    assertEquals(EMPTY, h.call("ZRANGEBYLEX", "z", "-", "+", "LIMIT", "10", "1"));
  }
}
