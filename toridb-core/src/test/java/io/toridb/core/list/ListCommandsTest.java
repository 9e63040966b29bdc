package io.toridb.core.list;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.list.ListTestSupport.EMPTY_ARRAY;
import static io.toridb.core.list.ListTestSupport.NOT_INTEGER;
import static io.toridb.core.list.ListTestSupport.NULL3;
import static io.toridb.core.list.ListTestSupport.NULL_ARRAY;
import static io.toridb.core.list.ListTestSupport.SYNTAX;
import static io.toridb.core.list.ListTestSupport.WRONGTYPE;
import static io.toridb.core.list.ListTestSupport.array;
import static io.toridb.core.list.ListTestSupport.integers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ListCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private void rpush(String key, String... elements) {
    String[] args = new String[elements.length + 2];
    args[0] = "RPUSH";
    args[1] = key;
    System.arraycopy(elements, 0, args, 2, elements.length);
    h.call(args);
  }

  private String range(String key) {
    return h.call("LRANGE", key, "0", "-1");
  }

  @Nested
  class Push {
    @Test
    void lpush_prependsEachElementInTurn() {
      assertEquals(integer(3), h.call("LPUSH", "l", "a", "b", "c"));
      assertEquals(array("c", "b", "a"), range("l"));
    }

    @Test
    void rpush_appendsInOrder() {
      assertEquals(integer(2), h.call("RPUSH", "l", "a", "b"));
      assertEquals(integer(4), h.call("rpush", "l", "c", "d"));
      assertEquals(array("a", "b", "c", "d"), range("l"));
    }

    @Test
    void push_createsAQuicklistEvenForOneElement() {
      h.call("LPUSH", "l", "x");
      assertEquals("quicklist", peek(h, "l").encoding());
      assertEquals(bulk("quicklist"), h.call("OBJECT", "ENCODING", "l"));
      assertEquals("+list\r\n", h.call("TYPE", "l"));
    }

    @Test
    void pushx_onMissingKey_returnsZeroAndCreatesNothing() {
      assertEquals(integer(0), h.call("LPUSHX", "l", "a"));
      assertEquals(integer(0), h.call("RPUSHX", "l", "a", "b"));
      assertNull(peek(h, "l"));
    }

    @Test
    void pushx_onExistingList_pushes() {
      rpush("l", "m");
      assertEquals(integer(3), h.call("LPUSHX", "l", "a", "b"));
      assertEquals(integer(4), h.call("RPUSHX", "l", "z"));
      assertEquals(array("b", "a", "m", "z"), range("l"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"})
    void push_onWrongType_returnsWrongtype(String cmd) {
      h.call("SET", "s", "v");
      assertEquals(WRONGTYPE, h.call(cmd, "s", "a"));
      assertEquals(bulk("v"), h.call("GET", "s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lpush", "rpush", "lpushx", "rpushx"})
    void push_withoutElement_isAnArityError(String cmd) {
      assertEquals(arity(cmd), h.call(cmd, "l"));
      assertEquals(arity(cmd), h.call(cmd));
    }

    @Test
    void push_keepsBinaryAndEmptyElements() {
      rpush("l", "", "a\0b\r\n\u00ff", "");
      assertEquals(array("", "a\0b\r\n\u00ff", ""), range("l"));
    }

    @Test
    void push_keepsTheKeysExpiry() {
      rpush("l", "a");
      h.call("PEXPIREAT", "l", "99999999999999");
      rpush("l", "b");
      h.call("LPUSH", "l", "c");
      assertEquals(integer(99999999999999L), h.call("PEXPIRETIME", "l"));
    }
  }

  @Nested
  class Pop {
    @Test
    void lpopAndRpop_takeFromTheirEnds() {
      rpush("l", "a", "b", "c");
      assertEquals(bulk("a"), h.call("LPOP", "l"));
      assertEquals(bulk("c"), h.call("RPOP", "l"));
      assertEquals(bulk("b"), h.call("LPOP", "l"));
      assertNull(peek(h, "l"));
    }

    @Test
    void pop_onMissingKey_isNullBulkInResp2AndNullInResp3() {
      assertEquals(NIL, h.call("LPOP", "nope"));
      assertEquals(NIL, h.call("RPOP", "nope"));
      assertEquals(NULL3, h.call3("LPOP", "nope"));
      assertEquals(NULL3, h.call3("RPOP", "nope"));
    }

    @Test
    void popWithCount_onMissingKey_isNullArrayInResp2AndNullInResp3() {
      assertEquals(NULL_ARRAY, h.call("LPOP", "nope", "1"));
      assertEquals(NULL_ARRAY, h.call("RPOP", "nope", "0"));
      assertEquals(NULL3, h.call3("LPOP", "nope", "0"));
      assertEquals(NULL3, h.call3("RPOP", "nope", "5"));
    }

    @Test
    void popWithCount_returnsElementsInPopOrder() {
      h.call("LPUSH", "l", "aa", "bb", "cc", "dd", "ee", "ff", "gg");
      assertEquals(array("gg"), h.call("LPOP", "l", "1"));
      assertEquals(array("ff", "ee"), h.call("LPOP", "l", "2"));
      assertEquals(array("aa", "bb"), h.call("RPOP", "l", "2"));
      assertEquals(array("cc"), h.call("RPOP", "l", "1"));
      assertEquals(array("dd"), h.call("RPOP", "l", "123"));
      assertNull(peek(h, "l"));
    }

    @Test
    void popWithCountZero_onExistingList_isAnEmptyArrayAndPopsNothing() {
      rpush("l", "a");
      assertEquals(EMPTY_ARRAY, h.call("LPOP", "l", "0"));
      assertEquals(EMPTY_ARRAY, h.call3("RPOP", "l", "0"));
      assertEquals(integer(1), h.call("LLEN", "l"));
    }

    @Test
    void popWithBadCount_isOutOfRangeError() {
      String positive = error("ERR value is out of range, must be positive");
      assertEquals(positive, h.call("LPOP", "l", "-1"));
      assertEquals(positive, h.call("RPOP", "l", "abc"));
      rpush("l", "a");
      assertEquals(positive, h.call("LPOP", "l", "-123"));
    }

    @Test
    void pop_withTooManyArguments_isAnArityError() {
      assertEquals(arity("lpop"), h.call("LPOP", "key", "1", "1"));
      assertEquals(arity("rpop"), h.call("RPOP", "key", "2", "2"));
      assertEquals(arity("lpop"), h.call("LPOP"));
    }

    @Test
    void pop_onWrongType_returnsWrongtype() {
      h.call("SET", "s", "v");
      assertEquals(WRONGTYPE, h.call("LPOP", "s"));
      assertEquals(WRONGTYPE, h.call("RPOP", "s", "1"));
      assertEquals(WRONGTYPE, h.call("RPOP", "s", "0"));
    }

    @Test
    void pop_countIsParsedBeforeTheKeyIsLookedUp() {
      h.call("SET", "s", "v");
      assertEquals(error("ERR value is out of range, must be positive"), h.call("LPOP", "s", "x"));
    }
  }

  @Nested
  class Lmpop {
    @Test
    void lmpop_popsFromTheFirstNonEmptyKey() {
      rpush("b", "1", "2", "3");
      assertEquals(
          "*2\r\n" + bulk("b") + array("1", "2"),
          h.call("LMPOP", "3", "a", "b", "c", "LEFT", "COUNT", "2"));
      assertEquals("*2\r\n" + bulk("b") + array("3"), h.call("LMPOP", "2", "a", "b", "right"));
      assertNull(peek(h, "b"));
    }

    @Test
    void lmpop_right_popsFromTheTail() {
      rpush("a", "1", "2", "3");
      assertEquals(
          "*2\r\n" + bulk("a") + array("3", "2", "1"),
          h.call("LMPOP", "1", "a", "RIGHT", "COUNT", "10"));
    }

    @Test
    void lmpop_onlyMissingKeys_isNullArray() {
      assertEquals(NULL_ARRAY, h.call("LMPOP", "2", "a", "b", "LEFT"));
      assertEquals(NULL3, h.call3("LMPOP", "2", "a", "b", "LEFT"));
    }

    @Test
    void lmpop_resp3_keepsTheTwoElementArray() {
      rpush("a", "x");
      assertEquals("*2\r\n" + bulk("a") + array("x"), h.call3("LMPOP", "1", "a", "LEFT"));
    }

    @Test
    void lmpop_wrongTypeBeforeAList_isWrongtype() {
      h.call("SET", "s", "v");
      rpush("l", "x");
      assertEquals(WRONGTYPE, h.call("LMPOP", "2", "s", "l", "LEFT"));
      assertEquals("*2\r\n" + bulk("l") + array("x"), h.call("LMPOP", "2", "l", "s", "LEFT"));
    }

    @Test
    void lmpop_argumentErrors() {
      String numkeys = error("ERR numkeys should be greater than 0");
      String count = error("ERR count should be greater than 0");
      assertEquals(numkeys, h.call("LMPOP", "0", "a", "LEFT"));
      assertEquals(numkeys, h.call("LMPOP", "-1", "a", "LEFT"));
      assertEquals(numkeys, h.call("LMPOP", "abc", "a", "LEFT"));
      assertEquals(SYNTAX, h.call("LMPOP", "2", "a", "LEFT"));
      assertEquals(SYNTAX, h.call("LMPOP", "9223372036854775807", "a", "LEFT"));
      assertEquals(SYNTAX, h.call("LMPOP", "1", "a", "MIDDLE"));
      assertEquals(count, h.call("LMPOP", "1", "a", "LEFT", "COUNT", "0"));
      assertEquals(count, h.call("LMPOP", "1", "a", "LEFT", "COUNT", "x"));
      assertEquals(SYNTAX, h.call("LMPOP", "1", "a", "LEFT", "COUNT"));
      assertEquals(SYNTAX, h.call("LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"));
      assertEquals(SYNTAX, h.call("LMPOP", "1", "a", "LEFT", "foo"));
      assertEquals(arity("lmpop"), h.call("LMPOP", "1", "a"));
    }
  }

  @Nested
  class Reading {
    @Test
    void llen_countsElements() {
      assertEquals(integer(0), h.call("LLEN", "l"));
      rpush("l", "a", "b");
      assertEquals(integer(2), h.call("LLEN", "l"));
    }

    @Test
    void llenLindexLrangeLpos_onWrongType_returnWrongtype() {
      h.call("SET", "s", "v");
      assertEquals(WRONGTYPE, h.call("LLEN", "s"));
      assertEquals(WRONGTYPE, h.call("LINDEX", "s", "0"));
      assertEquals(WRONGTYPE, h.call("LINDEX", "s", "x"));
      assertEquals(WRONGTYPE, h.call("LRANGE", "s", "0", "-1"));
      assertEquals(WRONGTYPE, h.call("LPOS", "s", "v"));
    }

    @Test
    void lindex_readsBothWays() {
      rpush("l", "a", "b", "c");
      assertEquals(bulk("a"), h.call("LINDEX", "l", "0"));
      assertEquals(bulk("c"), h.call("LINDEX", "l", "2"));
      assertEquals(bulk("c"), h.call("LINDEX", "l", "-1"));
      assertEquals(bulk("a"), h.call("LINDEX", "l", "-3"));
      assertEquals(NIL, h.call("LINDEX", "l", "3"));
      assertEquals(NIL, h.call("LINDEX", "l", "-4"));
      assertEquals(NULL3, h.call3("LINDEX", "l", "100"));
    }

    @Test
    void lindex_missingKeyWinsOverABadIndex() {
      assertEquals(NIL, h.call("LINDEX", "nope", "abc"));
      rpush("l", "a");
      assertEquals(NOT_INTEGER, h.call("LINDEX", "l", "abc"));
    }

    @ParameterizedTest
    @CsvSource({
      "0,-1,a b c d e",
      "1,2,b c",
      "-2,-1,d e",
      "-100,1,a b",
      "3,100,d e",
      "2,1,''",
      "5,10,''",
      "-1,-2,''",
      "0,-100,''",
      "-9223372036854775808,9223372036854775807,a b c d e"
    })
    void lrange_followsRedisIndexRules(long start, long end, String expected) {
      rpush("l", "a", "b", "c", "d", "e");
      String[] parts = expected.isEmpty() ? new String[0] : expected.split(" ");
      assertEquals(array(parts), h.call("LRANGE", "l", "" + start, "" + end));
    }

    @Test
    void lrange_onMissingKey_isEmptyArray_butIndexesAreCheckedFirst() {
      assertEquals(EMPTY_ARRAY, h.call("LRANGE", "nope", "0", "-1"));
      assertEquals(EMPTY_ARRAY, h.call3("LRANGE", "nope", "0", "-1"));
      assertEquals(NOT_INTEGER, h.call("LRANGE", "nope", "a", "1"));
      assertEquals(NOT_INTEGER, h.call("LRANGE", "nope", "0", "1.5"));
    }
  }

  @Nested
  class Lpos {
    @Test
    void lpos_basicsRankCountAndMaxlen() {
      rpush("l", "a", "b", "c", "1", "2", "3", "c", "c");
      assertEquals(integer(0), h.call("LPOS", "l", "a"));
      assertEquals(integer(2), h.call("LPOS", "l", "c"));
      assertEquals(integer(6), h.call("LPOS", "l", "c", "RANK", "2"));
      assertEquals(NIL, h.call("LPOS", "l", "c", "RANK", "4"));
      assertEquals(integer(7), h.call("LPOS", "l", "c", "RANK", "-1"));
      assertEquals(integer(6), h.call("LPOS", "l", "c", "RANK", "-2"));
      assertEquals(integers(2, 6, 7), h.call("LPOS", "l", "c", "COUNT", "0"));
      assertEquals(integers(2), h.call("LPOS", "l", "c", "COUNT", "1"));
      assertEquals(integers(2, 6), h.call("LPOS", "l", "c", "COUNT", "2"));
      assertEquals(integers(2, 6, 7), h.call("LPOS", "l", "c", "COUNT", "100"));
      assertEquals(integers(6, 7), h.call("LPOS", "l", "c", "COUNT", "0", "RANK", "2"));
      assertEquals(integers(7, 6), h.call("LPOS", "l", "c", "COUNT", "2", "RANK", "-1"));
      assertEquals(integers(0), h.call("LPOS", "l", "a", "COUNT", "0", "MAXLEN", "1"));
      assertEquals(EMPTY_ARRAY, h.call("LPOS", "l", "c", "COUNT", "0", "MAXLEN", "1"));
      assertEquals(integers(2), h.call("LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3"));
      assertEquals(
          integers(7, 6), h.call("LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3", "RANK", "-1"));
      assertEquals(integers(6), h.call("LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7", "RANK", "2"));
      assertEquals(NIL, h.call("LPOS", "l", "x", "RANK", "-1"));
      assertEquals(EMPTY_ARRAY, h.call("LPOS", "l", "x", "COUNT", "2", "RANK", "-1"));
    }

    @Test
    void lpos_minimumRank_actsAsRankOneFromTheTail() {
      rpush("l", "c", "x", "c");
      assertEquals(integer(2), h.call("LPOS", "l", "c", "RANK", "-9223372036854775808"));
      assertEquals(
          integers(2, 0), h.call("LPOS", "l", "c", "RANK", "-9223372036854775808", "COUNT", "0"));
    }

    @Test
    void lpos_onMissingKey_isNullOrEmptyArray() {
      assertEquals(NIL, h.call("LPOS", "nope", "c"));
      assertEquals(NULL3, h.call3("LPOS", "nope", "c"));
      assertEquals(EMPTY_ARRAY, h.call("LPOS", "nope", "c", "COUNT", "0", "RANK", "2"));
    }

    @Test
    void lpos_argumentErrors() {
      rpush("l", "a");
      assertEquals(
          error(
              "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ..."
                  + " or use negative to start from the end of the list"),
          h.call("LPOS", "l", "a", "RANK", "0"));
      assertEquals(NOT_INTEGER, h.call("LPOS", "l", "a", "RANK", "x"));
      assertEquals(error("ERR COUNT can't be negative"), h.call("LPOS", "l", "a", "COUNT", "-1"));
      assertEquals(error("ERR COUNT can't be negative"), h.call("LPOS", "l", "a", "COUNT", "x"));
      assertEquals(error("ERR MAXLEN can't be negative"), h.call("LPOS", "l", "a", "MAXLEN", "-1"));
      assertEquals(SYNTAX, h.call("LPOS", "l", "a", "RANK"));
      assertEquals(SYNTAX, h.call("LPOS", "l", "a", "FOO", "1"));
      // Options are checked before the key: errors win over a missing key.
      assertEquals(SYNTAX, h.call("LPOS", "nope", "a", "COUNT"));
      assertEquals(arity("lpos"), h.call("LPOS", "l"));
    }
  }

  @Nested
  class Lset {
    @Test
    void lset_replacesByIndex() {
      rpush("l", "a", "b", "c");
      assertEquals(OK, h.call("LSET", "l", "0", "x"));
      assertEquals(OK, h.call("LSET", "l", "-1", "z"));
      assertEquals(array("x", "b", "z"), range("l"));
    }

    @Test
    void lset_errors() {
      assertEquals(error("ERR no such key"), h.call("LSET", "nope", "0", "x"));
      assertEquals(error("ERR no such key"), h.call("LSET", "nope", "x", "x"));
      h.call("SET", "s", "v");
      assertEquals(WRONGTYPE, h.call("LSET", "s", "0", "x"));
      rpush("l", "a");
      assertEquals(NOT_INTEGER, h.call("LSET", "l", "x", "y"));
      assertEquals(error("ERR index out of range"), h.call("LSET", "l", "1", "y"));
      assertEquals(error("ERR index out of range"), h.call("LSET", "l", "-2", "y"));
    }
  }

  @Nested
  class Linsert {
    @Test
    void linsert_beforeAndAfterTheFirstPivot() {
      rpush("l", "a", "c", "c");
      assertEquals(integer(4), h.call("LINSERT", "l", "BEFORE", "c", "b"));
      assertEquals(integer(5), h.call("LINSERT", "l", "after", "c", "d"));
      assertEquals(integer(6), h.call("LINSERT", "l", "AFTER", "c", "e"));
      assertEquals(array("a", "b", "c", "e", "d", "c"), range("l"));
    }

    @Test
    void linsert_missingPivotOrKey() {
      rpush("l", "a");
      assertEquals(integer(-1), h.call("LINSERT", "l", "BEFORE", "zz", "b"));
      assertEquals(integer(0), h.call("LINSERT", "nope", "BEFORE", "zz", "b"));
      assertNull(peek(h, "nope"));
    }

    @Test
    void linsert_badPositionIsSyntaxErrorEvenOnMissingKey() {
      assertEquals(SYNTAX, h.call("LINSERT", "nope", "MIDDLE", "a", "b"));
      h.call("SET", "s", "v");
      assertEquals(SYNTAX, h.call("LINSERT", "s", "MIDDLE", "a", "b"));
      assertEquals(WRONGTYPE, h.call("LINSERT", "s", "BEFORE", "a", "b"));
    }
  }

  @Nested
  class Lrem {
    @Test
    void lrem_fromHeadFromTailAndAll() {
      rpush("l", "a", "b", "a", "c", "a", "b");
      assertEquals(integer(1), h.call("LREM", "l", "1", "a"));
      assertEquals(array("b", "a", "c", "a", "b"), range("l"));
      assertEquals(integer(1), h.call("LREM", "l", "-1", "b"));
      assertEquals(array("b", "a", "c", "a"), range("l"));
      assertEquals(integer(2), h.call("LREM", "l", "0", "a"));
      assertEquals(array("b", "c"), range("l"));
      assertEquals(integer(0), h.call("LREM", "l", "0", "zz"));
    }

    @Test
    void lrem_lastElementsDeleteTheKey() {
      rpush("l", "a", "a");
      assertEquals(integer(2), h.call("LREM", "l", "-9223372036854775808", "a"));
      assertNull(peek(h, "l"));
    }

    @Test
    void lrem_matchesBytesNotNumbers() {
      rpush("l", "1", "01", "1.0", "1");
      assertEquals(integer(2), h.call("LREM", "l", "0", "1"));
      assertEquals(array("01", "1.0"), range("l"));
    }

    @Test
    void lrem_errors() {
      assertEquals(integer(0), h.call("LREM", "nope", "0", "a"));
      assertEquals(NOT_INTEGER, h.call("LREM", "nope", "x", "a"));
      h.call("SET", "s", "v");
      assertEquals(WRONGTYPE, h.call("LREM", "s", "0", "a"));
    }
  }

  @Nested
  class Ltrim {
    @ParameterizedTest
    @CsvSource({
      "0,-1,a b c d e",
      "1,-1,b c d e",
      "1,2,b c",
      "-2,-1,d e",
      "-100,0,a",
      "0,100,a b c d e",
      "0,-6,''",
      "3,1,''",
      "10,20,''"
    })
    void ltrim_keepsTheRange(long start, long end, String expected) {
      rpush("l", "a", "b", "c", "d", "e");
      assertEquals(OK, h.call("LTRIM", "l", "" + start, "" + end));
      if (expected.isEmpty()) {
        assertNull(peek(h, "l"));
      } else {
        assertEquals(array(expected.split(" ")), range("l"));
      }
    }

    @Test
    void ltrim_errors() {
      assertEquals(OK, h.call("LTRIM", "nope", "0", "1"));
      assertEquals(NOT_INTEGER, h.call("LTRIM", "nope", "a", "1"));
      h.call("SET", "s", "v");
      assertEquals(WRONGTYPE, h.call("LTRIM", "s", "0", "1"));
    }
  }

  @Nested
  class Move {
    @ParameterizedTest
    @CsvSource({
      "LEFT,LEFT,a,b c,a x y",
      "LEFT,RIGHT,a,b c,x y a",
      "RIGHT,LEFT,c,a b,c x y",
      "RIGHT,RIGHT,c,a b,x y c"
    })
    void lmove_movesOneElement(String from, String to, String moved, String src, String dst) {
      rpush("s", "a", "b", "c");
      rpush("d", "x", "y");
      assertEquals(bulk(moved), h.call("LMOVE", "s", "d", from, to));
      assertEquals(array(src.split(" ")), range("s"));
      assertEquals(array(dst.split(" ")), range("d"));
    }

    @Test
    void rpoplpush_createsTheDestinationAndDeletesAnEmptiedSource() {
      rpush("s", "a");
      assertEquals(bulk("a"), h.call("RPOPLPUSH", "s", "d"));
      assertNull(peek(h, "s"));
      assertEquals(array("a"), range("d"));
    }

    @Test
    void move_onTheSameList_rotates() {
      rpush("l", "a", "b", "c");
      assertEquals(bulk("c"), h.call("RPOPLPUSH", "l", "l"));
      assertEquals(array("c", "a", "b"), range("l"));
      assertEquals(bulk("c"), h.call("LMOVE", "l", "l", "LEFT", "RIGHT"));
      assertEquals(array("a", "b", "c"), range("l"));
      h.call("DEL", "l");
      rpush("l", "only");
      assertEquals(bulk("only"), h.call("LMOVE", "l", "l", "LEFT", "LEFT"));
      assertEquals(array("only"), range("l"));
    }

    @Test
    void move_missingSource_isNullAndLeavesAWrongTypeDestinationAlone() {
      h.call("SET", "str", "v");
      assertEquals(NIL, h.call("RPOPLPUSH", "nope", "str"));
      assertEquals(NULL3, h.call3("LMOVE", "nope", "d", "LEFT", "LEFT"));
    }

    @Test
    void move_wrongTypeDestination_changesNothing() {
      rpush("s", "a");
      h.call("SET", "str", "v");
      assertEquals(WRONGTYPE, h.call("RPOPLPUSH", "s", "str"));
      assertEquals(WRONGTYPE, h.call("LMOVE", "str", "s", "LEFT", "LEFT"));
      assertEquals(array("a"), range("s"));
    }

    @Test
    void lmove_badSideIsSyntaxError() {
      assertEquals(SYNTAX, h.call("LMOVE", "s", "d", "UP", "LEFT"));
      assertEquals(SYNTAX, h.call("LMOVE", "s", "d", "LEFT", "DOWN"));
      assertEquals(arity("lmove"), h.call("LMOVE", "s", "d", "LEFT"));
      assertEquals(arity("rpoplpush"), h.call("RPOPLPUSH", "s"));
    }
  }

  @Nested
  class Values {
    @Test
    void copy_isDeep() {
      rpush("a", "1", "2");
      assertEquals(integer(1), h.call("COPY", "a", "b"));
      rpush("a", "3");
      assertEquals(array("1", "2"), range("b"));
      assertEquals("quicklist", peek(h, "b").encoding());
    }

    @Test
    void digestValue_matchesRedisWithAndWithoutExpiry() {
      // DEBUG DIGEST-VALUE / DEBUG DIGEST in Redis 7.0.15.
      rpush("l", "", "12", "hello world");
      StoredValue v = peek(h, "l");
      assertEquals("d15affeb7d61f91d4eba2f2c030d047ec9f40e6c", DatasetDigest.ofValue(v));
      h.call("PEXPIREAT", "l", "99999999999999");
      assertEquals("37df0114a15813498facc4d44667cbe5d35a4fef", DatasetDigest.ofValue(v));
      h.call("FLUSHALL");
      rpush("l", "a", "b", "c");
      assertEquals(
          "625aa282e03653452879ea5bf1ee7a453f83f55b",
          DatasetDigest.ofKeyspace(h.server().keyspace()));
    }
  }
}
