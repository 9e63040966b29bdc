package io.toridb.core.hash;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.hash.HashTestSupport.NOT_FLOAT;
import static io.toridb.core.hash.HashTestSupport.NOT_INTEGER;
import static io.toridb.core.hash.HashTestSupport.WRONGTYPE;
import static io.toridb.core.hash.HashTestSupport.array;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** HSET, HMSET, HSETNX, HDEL, HINCRBY and HINCRBYFLOAT, on both encodings where it matters. */
class HashWriteCommandsTest {
  private final CommandHarness h = new CommandHarness();

  /** Makes {@code key} a "hashtable" hash by giving it one long value. */
  private void makeTable(String key) {
    h.call("HSET", key, "long", "x".repeat(100));
    assertEquals(bulk("hashtable"), h.call("OBJECT", "ENCODING", key));
  }

  @Nested
  class Hset {
    @Test
    void hset_onMissingKey_createsHashAndCountsNewFields() {
      assertEquals(integer(2), h.call("HSET", "h", "a", "1", "b", "2"));
      assertEquals(bulk("1"), h.call("HGET", "h", "a"));
      assertEquals("+hash\r\n", h.call("TYPE", "h"));
    }

    @Test
    void hset_onExistingFields_countsOnlyNewOnes() {
      h.call("HSET", "h", "a", "1");
      assertEquals(integer(1), h.call("HSET", "h", "a", "10", "b", "2"));
      assertEquals(bulk("10"), h.call("HGET", "h", "a"));
    }

    @Test
    void hset_withRepeatedFieldInOneCall_lastValueWins() {
      assertEquals(integer(1), h.call("HSET", "h", "a", "1", "a", "2"));
      assertEquals(bulk("2"), h.call("HGET", "h", "a"));
      assertEquals(integer(1), h.call("HLEN", "h"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void hset_keepsBinaryFieldsAndValues(boolean table) {
      if (table) {
        makeTable("h");
      }
      String field = "a\0b\r\n\u00ff";
      h.call("HSET", "h", field, "\0\u0001", "", "empty");
      assertEquals(bulk("\0\u0001"), h.call("HGET", "h", field));
      assertEquals(bulk("empty"), h.call("HGET", "h", ""));
    }

    @Test
    void hset_withOddArguments_returnsArityErrorNamingTheCommand() {
      assertEquals(arity("hset"), h.call("HSET", "h", "a", "1", "b"));
      assertEquals(arity("hmset"), h.call("HMSET", "h", "a", "1", "b"));
      assertEquals(arity("hset"), h.call("HSET", "h", "a"));
      assertEquals(arity("hmset"), h.call("hmset", "h"));
      assertNull(peek(h, "h"));
    }

    @Test
    void hset_onWrongType_returnsWrongtype() {
      h.call("SET", "s", "x");
      assertEquals(WRONGTYPE, h.call("HSET", "s", "a", "1"));
      assertEquals(WRONGTYPE, h.call("HMSET", "s", "a", "1"));
    }

    @Test
    void hmset_repliesOk() {
      assertEquals(OK, h.call("HMSET", "h", "a", "1", "b", "2"));
      assertEquals(OK, h.call("HMSET", "h", "a", "3"));
      assertEquals(array("3", "2"), h.call("HMGET", "h", "a", "b"));
    }

    @Test
    void hset_onExistingHash_keepsExpiry() {
      h.call("HSET", "h", "a", "1");
      h.call("EXPIRE", "h", "1000");
      h.call("HSET", "h", "b", "2");
      h.call("HDEL", "h", "a");
      h.call("HINCRBY", "h", "n", "1");
      assertEquals(integer(1000), h.call("TTL", "h"));
    }
  }

  @Nested
  class Hsetnx {
    @Test
    void hsetnx_setsOnlyAbsentFields() {
      assertEquals(integer(1), h.call("HSETNX", "h", "a", "1"));
      assertEquals(integer(0), h.call("HSETNX", "h", "a", "2"));
      assertEquals(bulk("1"), h.call("HGET", "h", "a"));
      assertEquals(integer(1), h.call("HSETNX", "h", "b", "2"));
    }

    @Test
    void hsetnx_onTable_setsOnlyAbsentFields() {
      makeTable("h");
      assertEquals(integer(1), h.call("HSETNX", "h", "a", "1"));
      assertEquals(integer(0), h.call("HSETNX", "h", "a", "2"));
      assertEquals(bulk("1"), h.call("HGET", "h", "a"));
    }

    @Test
    void hsetnx_errors() {
      h.call("SET", "s", "x");
      assertEquals(WRONGTYPE, h.call("HSETNX", "s", "a", "1"));
      assertEquals(arity("hsetnx"), h.call("HSETNX", "h", "a"));
      assertEquals(arity("hsetnx"), h.call("HSETNX", "h", "a", "1", "b"));
    }
  }

  @Nested
  class Hdel {
    @Test
    void hdel_countsRemovedFields() {
      h.call("HSET", "h", "a", "1", "b", "2", "c", "3");
      assertEquals(integer(0), h.call("HDEL", "h", "x", "y"));
      assertEquals(integer(2), h.call("HDEL", "h", "a", "c", "f", "a"));
      assertEquals(array("b", "2"), h.call("HGETALL", "h"));
    }

    @Test
    void hdel_ofLastField_removesKey() {
      h.call("HSET", "h", "a", "1", "b", "2", "c", "3");
      assertEquals(integer(3), h.call("HDEL", "h", "a", "b", "c", "d", "e"));
      assertEquals(integer(0), h.call("EXISTS", "h"));
    }

    @Test
    void hdel_onTable_removesFieldsAndKey() {
      makeTable("h");
      h.call("HSET", "h", "a", "1");
      assertEquals(integer(1), h.call("HDEL", "h", "a"));
      assertEquals(NIL, h.call("HGET", "h", "a"));
      assertEquals(integer(1), h.call("HDEL", "h", "long"));
      assertNull(peek(h, "h"));
    }

    @Test
    void hdel_onMissingKey_returnsZero() {
      assertEquals(integer(0), h.call("HDEL", "nope", "a"));
    }

    @Test
    void hdel_errors() {
      h.call("SET", "s", "x");
      assertEquals(WRONGTYPE, h.call("HDEL", "s", "a"));
      assertEquals(arity("hdel"), h.call("HDEL", "h"));
    }
  }

  @Nested
  class Hincrby {
    @Test
    void hincrby_onMissingKeyAndField_startsFromZero() {
      assertEquals(integer(2), h.call("HINCRBY", "h", "f", "2"));
      assertEquals(integer(5), h.call("HINCRBY", "h", "f", "3"));
      assertEquals(integer(-5), h.call("HINCRBY", "h", "g", "-5"));
      assertEquals(bulk("5"), h.call("HGET", "h", "f"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void hincrby_over32BitValues(boolean table) {
      if (table) {
        makeTable("h");
      }
      h.call("HSET", "h", "tmp", "17179869184");
      assertEquals(integer(17179869185L), h.call("HINCRBY", "h", "tmp", "1"));
      assertEquals(integer(34359738369L), h.call("HINCRBY", "h", "tmp", "17179869184"));
    }

    @ParameterizedTest
    @ValueSource(strings = {" 11", "11 ", "abc", "", "1.5", "007", "+1", "-0"})
    void hincrby_onNonIntegerValue_returnsHashValueError(String value) {
      h.call("HSET", "h", "f", value);
      assertEquals(error("ERR hash value is not an integer"), h.call("HINCRBY", "h", "f", "1"));
      assertEquals(bulk(value), h.call("HGET", "h", "f"));
    }

    @Test
    void hincrby_detectsOverflow() {
      h.call("HSET", "h", "n", "-9223372036854775484");
      assertEquals(integer(-9223372036854775485L), h.call("HINCRBY", "h", "n", "-1"));
      String overflow = error("ERR increment or decrement would overflow");
      assertEquals(overflow, h.call("HINCRBY", "h", "n", "-10000"));
      h.call("HSET", "h", "m", "9223372036854775807");
      assertEquals(overflow, h.call("HINCRBY", "h", "m", "1"));
      assertEquals(integer(0), h.call("HINCRBY", "h", "m", "-9223372036854775807"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1.5", "", " 1", "9223372036854775808"})
    void hincrby_withBadIncrement_refusesBeforeLookingAtKey(String increment) {
      h.call("SET", "s", "x");
      assertEquals(NOT_INTEGER, h.call("HINCRBY", "s", "f", increment));
      assertEquals(NOT_INTEGER, h.call("HINCRBY", "nokey", "f", increment));
      assertNull(peek(h, "nokey"));
    }

    @Test
    void hincrby_errors() {
      h.call("SET", "s", "x");
      assertEquals(WRONGTYPE, h.call("HINCRBY", "s", "f", "1"));
      assertEquals(arity("hincrby"), h.call("HINCRBY", "h", "f"));
    }
  }

  @Nested
  class Hincrbyfloat {
    @Test
    void hincrbyfloat_formatsAsRedis() {
      assertEquals(bulk("1.23"), h.call("HINCRBYFLOAT", "h", "f", "1.23"));
      assertEquals(bulk("2"), h.call("HINCRBYFLOAT", "h", "f", "0.77"));
      assertEquals(bulk("1.9"), h.call("HINCRBYFLOAT", "h", "f", "-0.1"));
      assertEquals(bulk("1.9"), h.call("HGET", "h", "f"));
    }

    @ParameterizedTest
    @CsvSource({
      "10.5, 0.1, 10.6",
      "5.0e3, 2.0e2, 5200",
      "17179869184, 17179869184, 34359738368",
      "3, -3, 0",
      "0x10, 1, 17",
      "1, 1e-20, 1"
    })
    void hincrbyfloat_addsWithLongDoublePrecision(String start, String inc, String result) {
      h.call("HSET", "h", "f", start);
      assertEquals(bulk(result), h.call("HINCRBYFLOAT", "h", "f", inc));
    }

    @ParameterizedTest
    @ValueSource(strings = {" 11", "11 ", "abc", "", "1\u00002", "nan"})
    void hincrbyfloat_onNonFloatValue_returnsHashValueError(String value) {
      h.call("HSET", "h", "f", value);
      assertEquals(error("ERR hash value is not a float"), h.call("HINCRBYFLOAT", "h", "f", "1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", " 1", "1 ", "nan", "1e99999"})
    void hincrbyfloat_withBadIncrement_returnsNotFloat(String increment) {
      assertEquals(NOT_FLOAT, h.call("HINCRBYFLOAT", "h", "f", increment));
      assertNull(peek(h, "h"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"inf", "+inf", "-inf", "Infinity"})
    void hincrbyfloat_withInfiniteIncrement_refusesAndCreatesNothing(String increment) {
      assertEquals(
          error("ERR value is NaN or Infinity"), h.call("HINCRBYFLOAT", "hfoo", "f", increment));
      assertEquals(integer(0), h.call("EXISTS", "hfoo"));
    }

    @Test
    void hincrbyfloat_whoseResultOverflows_refuses() {
      h.call("HSET", "h", "f", "1.1e4932");
      assertEquals(
          error("ERR increment would produce NaN or Infinity"),
          h.call("HINCRBYFLOAT", "h", "f", "1e4932"));
      assertEquals(bulk("1.1e4932"), h.call("HGET", "h", "f"));
    }

    @Test
    void hincrbyfloat_errors() {
      h.call("SET", "s", "x");
      assertEquals(WRONGTYPE, h.call("HINCRBYFLOAT", "s", "f", "1"));
      assertEquals(arity("hincrbyfloat"), h.call("HINCRBYFLOAT", "h", "f"));
    }
  }
}
