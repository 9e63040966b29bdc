package io.toridb.core.string;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.encoding;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.string.StringTestSupport.EMPTY_BULK;
import static io.toridb.core.string.StringTestSupport.NOT_INTEGER;
import static io.toridb.core.string.StringTestSupport.WRONGTYPE;
import static io.toridb.core.string.StringTestSupport.expireAt;
import static io.toridb.core.string.StringTestSupport.putOther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.toridb.core.CommandHarness;
import io.toridb.core.config.Config;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The string commands that edit or read parts of values, and the multi-key ones. */
class StringEditCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private static String arity(String name) {
    return error("ERR wrong number of arguments for '" + name + "' command");
  }

  @Nested
  class MultiKey {
    @Test
    void mget_returnsValuesAndNullsForMissingOrOtherTypes() {
      h.call("MSET", "a", "1", "b", "2");
      putOther(h, "list");
      assertEquals(
          "*4\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n$-1\r\n",
          h.call("MGET", "a", "missing", "b", "list"));
      assertEquals("*2\r\n$1\r\n1\r\n_\r\n", h.call3("MGET", "a", "missing"));
    }

    @Test
    void mset_setsAllAndClearsExpiry() {
      h.call("SET", "a", "old", "EX", "100");
      assertEquals(OK, h.call("MSET", "a", "1", "b", "2", "a", "3"));
      assertEquals(bulk("3"), h.call("GET", "a"));
      assertEquals(bulk("2"), h.call("GET", "b"));
      assertFalse(peek(h, "a").hasExpiry());
    }

    @Test
    void mset_overwritesOtherTypes() {
      putOther(h, "list");
      assertEquals(OK, h.call("MSET", "list", "v"));
      assertEquals(bulk("v"), h.call("GET", "list"));
    }

    @Test
    void msetnx_setsNothingWhenAnyKeyExists() {
      h.call("SET", "a", "1");
      assertEquals(integer(0), h.call("MSETNX", "a", "x", "b", "y"));
      assertNull(peek(h, "b"));
      assertEquals(bulk("1"), h.call("GET", "a"));
    }

    @Test
    void msetnx_setsAllWhenNoneExists() {
      assertEquals(integer(1), h.call("MSETNX", "a", "x", "b", "y"));
      assertEquals(bulk("x"), h.call("GET", "a"));
      assertEquals(bulk("y"), h.call("GET", "b"));
    }

    @Test
    void msetnx_sameKeyTwice_setsLastValue() {
      assertEquals(integer(1), h.call("MSETNX", "a", "x", "a", "y"));
      assertEquals(bulk("y"), h.call("GET", "a"));
    }

    @Test
    void msetnx_otherTypeCountsAsExisting() {
      putOther(h, "list");
      assertEquals(integer(0), h.call("MSETNX", "list", "x"));
    }

    @Test
    void multiKey_withWrongArity_returnRedisError() {
      assertEquals(arity("mget"), h.call("MGET"));
      assertEquals(arity("mset"), h.call("MSET", "a"));
      assertEquals(arity("mset"), h.call("MSET", "a", "1", "b"));
      assertEquals(arity("msetnx"), h.call("MSETNX", "a", "1", "b"));
      assertNull(peek(h, "a"));
    }
  }

  @Nested
  class AppendAndStrlen {
    @Test
    void append_createsAndExtends() {
      assertEquals(integer(5), h.call("APPEND", "k", "hello"));
      assertEquals(integer(11), h.call("APPEND", "k", " world"));
      assertEquals(bulk("hello world"), h.call("GET", "k"));
      assertEquals(integer(11), h.call("STRLEN", "k"));
    }

    @Test
    void append_emptyString_keepsLengthAndMakesRaw() {
      h.call("SET", "k", "12");
      assertEquals(integer(2), h.call("APPEND", "k", ""));
      assertEquals("raw", encoding(h, "k"));
    }

    @Test
    void append_encodings_followRedis() {
      h.call("APPEND", "k", "123");
      assertEquals("int", encoding(h, "k"), "a new key is stored as SET would");
      h.call("APPEND", "k", "4");
      assertEquals("raw", encoding(h, "k"));
      assertEquals(integer(1235), h.call("INCR", "k"));
      assertEquals("int", encoding(h, "k"));
    }

    @Test
    void append_keepsExpiry() {
      h.call("SET", "k", "v", "PXAT", "99999999999999");
      h.call("APPEND", "k", "w");
      assertEquals(99999999999999L, expireAt(h, "k"));
    }

    @Test
    void append_manyTimes_buildsTheWholeString() {
      StringBuilder expected = new StringBuilder();
      for (int i = 0; i < 300; i++) {
        String piece = "p" + i + ",";
        expected.append(piece);
        assertEquals(integer(expected.length()), h.call("APPEND", "k", piece));
      }
      assertEquals(bulk(expected.toString()), h.call("GET", "k"));
      assertEquals(bulk(expected.substring(5, 16)), h.call("GETRANGE", "k", "5", "15"));
    }

    @Test
    void append_onWrongType_returnsWrongtypeError() {
      putOther(h, "list");
      assertEquals(WRONGTYPE, h.call("APPEND", "list", "x"));
    }

    @Test
    void append_pastProtoMaxBulkLen_returnsSizeError() throws Exception {
      Config config = Config.standard();
      config.loadArgs(java.util.List.of("--proto-max-bulk-len", "1mb"));
      CommandHarness small = new CommandHarness(config);
      small.call("SET", "k", "x".repeat(1024 * 1024 - 1));
      assertEquals(integer(1024 * 1024), small.call("APPEND", "k", "y"));
      assertEquals(
          error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
          small.call("APPEND", "k", "z"));
      assertEquals(integer(1024 * 1024), small.call("STRLEN", "k"));
    }

    @Test
    void writesReplayedFromTheLog_obeyNoProtoMaxBulkLen() throws Exception {
      // Written while the limit was higher, replayed after it was lowered: refusing them would
      // lose acknowledged data, so (as Redis's AOF client) replay ignores the limit.
      Config config = Config.standard();
      config.loadArgs(java.util.List.of("--proto-max-bulk-len", "1mb"));
      CommandHarness small = new CommandHarness(config);
      io.netty.buffer.ByteBuf scratch = io.netty.buffer.Unpooled.buffer();
      try {
        byte[][] append = {
          "APPEND".getBytes(), "k".getBytes(), new byte[1024 * 1024 + 10],
        };
        assertNull(small.executor().replay(small.session(), append, scratch));
        byte[][] setrange = {"SETRANGE".getBytes(), "k".getBytes(), "2000000".getBytes(), {'x'}};
        assertNull(small.executor().replay(small.session(), setrange, scratch));
        byte[][] setbit = {"SETBIT".getBytes(), "b".getBytes(), "20000000".getBytes(), {'1'}};
        assertNull(small.executor().replay(small.session(), setbit, scratch));
      } finally {
        scratch.release();
      }
      assertEquals(integer(2_000_001), small.call("STRLEN", "k"));
      assertEquals(integer(2_500_001), small.call("STRLEN", "b"));
      // A client is still held to the limit.
      String tooBig = error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
      assertEquals(tooBig, small.call("APPEND", "k", "y"));
      assertEquals(tooBig, small.call("SETRANGE", "k", "3000000", "y"));
      assertEquals(
          error("ERR bit offset is not an integer or out of range"),
          small.call("SETBIT", "b", "30000000", "1"));
    }

    @Test
    void strlen_onMissingKeyIsZero_onIntegerIsDigitCount() {
      assertEquals(integer(0), h.call("STRLEN", "missing"));
      h.call("SET", "n", "-1234");
      assertEquals(integer(5), h.call("STRLEN", "n"));
    }

    @Test
    void strlen_onWrongType_returnsWrongtypeError() {
      putOther(h, "list");
      assertEquals(WRONGTYPE, h.call("STRLEN", "list"));
    }

    @Test
    void appendAndStrlen_withWrongArity_returnRedisError() {
      assertEquals(arity("append"), h.call("APPEND", "k"));
      assertEquals(arity("strlen"), h.call("STRLEN"));
    }
  }

  @Nested
  class Getrange {
    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "0|3|Hell",
          "0|-1|Hello World",
          "-4|-1|orld",
          "5|3|''",
          "5|5000|' World'",
          "-5000|10000|Hello World",
          "-1|-5|''",
          "-5|-1|World",
          "0|4294967297|Hello World",
          "0|9223372036854775807|Hello World",
          "-9223372036854775808|-1|Hello World",
          "-9223372036854775808|-9223372036854775808|H",
          "20|30|''",
          "10|10|d",
          "-100|-50|H",
        })
    void getrange_slicesLikeRedis(String start, String end, String expected) {
      h.call("SET", "k", "Hello World");
      assertEquals(bulk(expected), h.call("GETRANGE", "k", start, end));
      assertEquals(bulk(expected), h.call("SUBSTR", "k", start, end));
    }

    @Test
    void getrange_onIntegerValue_slicesItsDigits() {
      h.call("SET", "k", "1234");
      assertEquals(bulk("123"), h.call("GETRANGE", "k", "0", "2"));
      assertEquals(bulk("234"), h.call("GETRANGE", "k", "-3", "-1"));
      assertEquals(bulk("4"), h.call("GETRANGE", "k", "3", "5000"));
    }

    @Test
    void getrange_onMissingOrEmpty_returnsEmptyBulk() {
      assertEquals(EMPTY_BULK, h.call("GETRANGE", "missing", "0", "-1"));
      assertEquals(EMPTY_BULK, h.call3("GETRANGE", "missing", "0", "-1"));
      h.call("SET", "e", "");
      assertEquals(EMPTY_BULK, h.call("GETRANGE", "e", "0", "0"));
    }

    @Test
    void getrange_nonIntegerIndex_returnsNotIntegerEvenForMissingKey() {
      h.call("SET", "k", "abc");
      assertEquals(NOT_INTEGER, h.call("GETRANGE", "k", "a", "1"));
      assertEquals(NOT_INTEGER, h.call("GETRANGE", "k", "0", "1.0"));
      assertEquals(NOT_INTEGER, h.call("GETRANGE", "missing", "a", "b"));
    }

    @Test
    void getrange_onWrongType_returnsWrongtypeError() {
      putOther(h, "list");
      assertEquals(WRONGTYPE, h.call("GETRANGE", "list", "0", "1"));
    }

    @Test
    void getrange_withWrongArity_returnsRedisError() {
      assertEquals(arity("getrange"), h.call("GETRANGE", "k", "0"));
      assertEquals(arity("substr"), h.call("SUBSTR", "k", "0"));
    }
  }

  @Nested
  class Setrange {
    @Test
    void setrange_onMissingKey_padsWithZeros() {
      assertEquals(integer(3), h.call("SETRANGE", "k", "0", "foo"));
      assertEquals(bulk("foo"), h.call("GET", "k"));
      assertEquals(integer(4), h.call("SETRANGE", "p", "1", "foo"));
      assertEquals(bulk("\0foo"), h.call("GET", "p"));
      assertEquals("raw", encoding(h, "k"));
    }

    @Test
    void setrange_onExistingString_overwritesAndExtends() {
      h.call("SET", "k", "foo");
      assertEquals(integer(3), h.call("SETRANGE", "k", "1", "b"));
      assertEquals(bulk("fbo"), h.call("GET", "k"));
      assertEquals(integer(7), h.call("SETRANGE", "k", "4", "bar"));
      assertEquals(bulk("fbo\0bar"), h.call("GET", "k"));
    }

    @Test
    void setrange_emptyValue_changesNothingAndCreatesNoKey() {
      assertEquals(integer(0), h.call("SETRANGE", "k", "0", ""));
      assertEquals(integer(0), h.call("SETRANGE", "k", "1000000000000", ""));
      assertNull(peek(h, "k"));
      h.call("SET", "n", "1234");
      assertEquals(integer(4), h.call("SETRANGE", "n", "1000000000000", ""));
      assertEquals("int", encoding(h, "n"));
    }

    @Test
    void setrange_onIntegerValue_makesRaw() {
      h.call("SET", "k", "1234");
      assertEquals(integer(4), h.call("SETRANGE", "k", "0", "2"));
      assertEquals(bulk("2234"), h.call("GET", "k"));
      assertEquals("raw", encoding(h, "k"));
      h.call("SET", "k", "1234");
      assertEquals(integer(6), h.call("SETRANGE", "k", "5", "2"));
      assertEquals(bulk("1234\0002"), h.call("GET", "k"));
    }

    @Test
    void setrange_keepsExpiry() {
      h.call("SET", "k", "hello", "PXAT", "99999999999999");
      h.call("SETRANGE", "k", "0", "J");
      assertEquals(99999999999999L, expireAt(h, "k"));
      assertEquals(bulk("Jello"), h.call("GET", "k"));
    }

    @Test
    void setrange_negativeOffset_returnsOutOfRange() {
      h.call("SET", "k", "hello");
      assertEquals(error("ERR offset is out of range"), h.call("SETRANGE", "k", "-1", "x"));
      assertEquals(error("ERR offset is out of range"), h.call("SETRANGE", "m", "-1", ""));
    }

    @Test
    void setrange_nonIntegerOffset_returnsNotInteger() {
      assertEquals(NOT_INTEGER, h.call("SETRANGE", "k", "abc", "x"));
      assertEquals(NOT_INTEGER, h.call("SETRANGE", "k", "9223372036854775808", "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"536870908", "536870911", "2147483647", "9223372036854775807"})
    void setrange_pastProtoMaxBulkLen_returnsSizeError(String offset) {
      String tooBig = error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
      assertEquals(tooBig, h.call("SETRANGE", "missing", offset, "world"));
      assertNull(peek(h, "missing"));
      h.call("SET", "k", "hello");
      assertEquals(tooBig, h.call("SETRANGE", "k", offset, "world"));
    }

    @Test
    void setrange_onWrongType_returnsWrongtypeEvenForEmptyValue() {
      putOther(h, "list");
      assertEquals(WRONGTYPE, h.call("SETRANGE", "list", "0", "x"));
      assertEquals(WRONGTYPE, h.call("SETRANGE", "list", "0", ""));
    }

    @Test
    void setrange_afterAppend_leavesEarlierBytesIntact() {
      h.call("SET", "k", "abc");
      h.call("APPEND", "k", "def");
      h.call("APPEND", "k", "ghi");
      assertEquals(integer(9), h.call("SETRANGE", "k", "2", "XY"));
      assertEquals(bulk("abXYefghi"), h.call("GET", "k"));
      assertEquals(integer(11), h.call("APPEND", "k", "jk"));
      assertEquals(bulk("abXYefghijk"), h.call("GET", "k"));
    }

    @Test
    void setrange_withWrongArity_returnsRedisError() {
      assertEquals(arity("setrange"), h.call("SETRANGE", "k", "1"));
    }
  }
}
