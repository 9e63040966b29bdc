package io.toridb.core.string;

import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.encoding;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.string.StringTestSupport.NOT_INTEGER;
import static io.toridb.core.string.StringTestSupport.WRONGTYPE;
import static io.toridb.core.string.StringTestSupport.expireAt;
import static io.toridb.core.string.StringTestSupport.putOther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CounterCommandsTest {
  private static final String OVERFLOW = error("ERR increment or decrement would overflow");
  private static final String NOT_FLOAT = error("ERR value is not a valid float");
  private static final String NAN_OR_INF = error("ERR increment would produce NaN or Infinity");

  private final CommandHarness h = new CommandHarness();

  @Test
  void incr_onMissingKey_startsFromZero() {
    assertEquals(integer(1), h.call("INCR", "k"));
    assertEquals(integer(2), h.call("INCR", "k"));
    assertEquals(bulk("2"), h.call("GET", "k"));
    assertEquals(integer(-1), h.call("DECR", "d"));
  }

  @Test
  void incrbyAndDecrby_addTheirArgument() {
    assertEquals(integer(100), h.call("INCRBY", "k", "100"));
    assertEquals(integer(50), h.call("DECRBY", "k", "50"));
    assertEquals(integer(-50), h.call("DECRBY", "k", "100"));
    assertEquals(integer(-51), h.call("DECR", "k"));
  }

  @Test
  void incrby_over32Bits_works() {
    h.call("SET", "k", "17179869184");
    assertEquals(integer(34359738368L), h.call("INCRBY", "k", "17179869184"));
    h.call("SET", "m", "17179869184");
    assertEquals(integer(-1), h.call("DECRBY", "m", "17179869185"));
  }

  @Test
  void incr_result_isIntEncodedAndReplyIsInteger() {
    h.call("SET", "k", "9999");
    assertEquals(integer(10000), h.call("INCR", "k"));
    assertEquals("int", encoding(h, "k"));
    assertEquals(":10001\r\n", h.call3("INCR", "k"));
  }

  @Test
  void incr_keepsExpiry() {
    h.call("SET", "k", "5", "PXAT", "99999999999999");
    h.call("INCR", "k");
    assertEquals(99999999999999L, expireAt(h, "k"));
  }

  @Test
  void incr_onAPlainCounter_changesItInPlaceKeepingExpiry() {
    h.call("SET", "k", "20000", "PXAT", "99999999999999");
    h.call("INCR", "k");
    Object counter = peek(h, "k");
    assertEquals(integer(20002), h.call("INCR", "k"));
    assertEquals(integer(19995), h.call("DECRBY", "k", "7"));
    assertSame(counter, peek(h, "k"));
    assertEquals(bulk("19995"), h.call("GET", "k"));
    assertEquals("int", encoding(h, "k"));
    assertEquals(99999999999999L, expireAt(h, "k"));
  }

  @Test
  void incr_afterCopy_leavesTheCopyAlone() {
    h.call("SET", "k", "20000");
    h.call("INCR", "k");
    h.call("COPY", "k", "c");
    h.call("INCR", "k");
    assertEquals(bulk("20002"), h.call("GET", "k"));
    assertEquals(bulk("20001"), h.call("GET", "c"));
  }

  @Test
  void incr_onAnInlineOrAppendedValue_storesANewCounter() {
    h.call("SET", "small", "12");
    h.call("SET", "grown", "1");
    h.call("APPEND", "grown", "2");
    Object small = peek(h, "small");
    Object grown = peek(h, "grown");
    assertEquals(integer(13), h.call("INCR", "small"));
    assertEquals(integer(13), h.call("INCR", "grown"));
    assertNotSame(small, peek(h, "small"));
    assertNotSame(grown, peek(h, "grown"));
  }

  @Test
  void incr_onExpiredKey_startsFromZero() {
    h.call("SET", "k", "41", "PXAT", "1");
    assertEquals(integer(1), h.call("INCR", "k"));
    assertEquals(StringValue.NO_EXPIRY, expireAt(h, "k"));
  }

  @Test
  void incr_atLimits_returnsOverflowAndKeepsValue() {
    h.call("SET", "max", "9223372036854775807");
    assertEquals(OVERFLOW, h.call("INCR", "max"));
    assertEquals(integer(Long.MAX_VALUE), h.call("INCRBY", "max", "0"));
    assertEquals(integer(Long.MAX_VALUE - 1), h.call("DECR", "max"));
    h.call("SET", "min", "-9223372036854775808");
    assertEquals(OVERFLOW, h.call("DECR", "min"));
    assertEquals(OVERFLOW, h.call("INCRBY", "min", "-1"));
    assertEquals(integer(Long.MIN_VALUE + 1), h.call("INCR", "min"));
    h.call("SET", "z", "1");
    assertEquals(OVERFLOW, h.call("DECRBY", "z", "-9223372036854775807"));
    assertEquals(bulk("1"), h.call("GET", "z"));
  }

  @Test
  void decrby_longMin_returnsDecrementOverflow() {
    assertEquals(
        error("ERR decrement would overflow"), h.call("DECRBY", "k", "-9223372036854775808"));
    assertNull(peek(h, "k"));
    assertEquals(integer(Long.MIN_VALUE), h.call("INCRBY", "k", "-9223372036854775808"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        " 11",
        "11 ",
        " 11 ",
        "+1",
        "01",
        "-0",
        "abc",
        "",
        "1.5",
        "12345678901234567890",
        "-9223372036854775809",
        "1\u00002"
      })
  void incr_onNonCanonicalInteger_returnsNotIntegerError(String value) {
    h.call("SET", "k", value);
    assertEquals(NOT_INTEGER, h.call("INCR", "k"));
    assertEquals(NOT_INTEGER, h.call("DECRBY", "k", "1"));
    assertEquals(bulk(value), h.call("GET", "k"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "1.5", "", " 1", "9223372036854775808"})
  void incrby_nonIntegerIncrement_returnsNotIntegerError(String increment) {
    assertEquals(NOT_INTEGER, h.call("INCRBY", "k", increment));
    assertEquals(NOT_INTEGER, h.call("DECRBY", "k", increment));
    assertNull(peek(h, "k"));
  }

  @Test
  void incrby_nonIntegerIncrement_isReportedBeforeWrongType() {
    putOther(h, "list");
    assertEquals(NOT_INTEGER, h.call("INCRBY", "list", "x"));
    assertEquals(WRONGTYPE, h.call("INCRBY", "list", "1"));
  }

  @Test
  void counters_onWrongType_returnWrongtypeError() {
    putOther(h, "list");
    assertEquals(WRONGTYPE, h.call("INCR", "list"));
    assertEquals(WRONGTYPE, h.call("DECR", "list"));
    assertEquals(WRONGTYPE, h.call("DECRBY", "list", "2"));
    assertEquals(WRONGTYPE, h.call("INCRBYFLOAT", "list", "1.5"));
  }

  @Test
  void counters_afterAppend_parseTheWholeValue() {
    h.call("SET", "k", "12");
    h.call("APPEND", "k", "3");
    h.call("APPEND", "k", "4");
    assertEquals(integer(1235), h.call("INCR", "k"));
    h.call("APPEND", "k", "5");
    assertEquals(bulk("12355.5"), h.call("INCRBYFLOAT", "k", "0.5"));
  }

  @Test
  void counters_withWrongArity_returnRedisError() {
    assertEquals(error("ERR wrong number of arguments for 'incr' command"), h.call("INCR"));
    assertEquals(
        error("ERR wrong number of arguments for 'decr' command"), h.call("DECR", "a", "b"));
    assertEquals(
        error("ERR wrong number of arguments for 'incrby' command"), h.call("INCRBY", "a"));
    assertEquals(
        error("ERR wrong number of arguments for 'decrby' command"),
        h.call("DECRBY", "a", "1", "2"));
    assertEquals(
        error("ERR wrong number of arguments for 'incrbyfloat' command"),
        h.call("INCRBYFLOAT", "a"));
  }

  // INCRBYFLOAT: expected texts were produced by Redis 7.0.15.

  @ParameterizedTest
  @CsvSource({
    "10.5, 0.1, 10.6",
    "0.1, 0.2, 0.3",
    "1.1, 2.2, 3.3",
    "1, -1.1, -0.1",
    "17179869184, 1.5, 17179869185.5",
    "17179869184, 17179869184, 34359738368",
    "0.024390243902439025, -0.024390243902439025, 0",
    "5, 0x10, 21",
    "0, 5.0e3, 5000",
    "1.5, 1.5, 3",
    "3.0, -3.0, 0",
    "123456789.123456789, 0, 123456789.12345678899873747",
    "9223372036854775807, 1, 9223372036854775808",
  })
  void incrbyfloat_printsAsRedis(String start, String increment, String expected) {
    h.call("SET", "k", start);
    assertEquals(bulk(expected), h.call("INCRBYFLOAT", "k", increment));
    assertEquals(bulk(expected), h.call("GET", "k"));
  }

  @Test
  void incrbyfloat_onMissingKey_startsFromZero() {
    assertEquals(bulk("1"), h.call("INCRBYFLOAT", "k", "1"));
    assertEquals(bulk("1.25"), h.call("INCRBYFLOAT", "k", "0.25"));
    assertEquals(bulk("0"), h.call("INCRBYFLOAT", "tiny", "-1e-20"));
    assertEquals(bulk("0.00000381469726562"), h.call("INCRBYFLOAT", "tie", "0.000003814697265625"));
  }

  @Test
  void incrbyfloat_replyIsBulkInResp3() {
    assertEquals(bulk("1.5"), h.call3("INCRBYFLOAT", "k", "1.5"));
  }

  @Test
  void incrbyfloat_resultIsEmbstrEvenWhenIntegral() {
    h.call("SET", "k", "1");
    h.call("INCRBYFLOAT", "k", "1");
    assertEquals("embstr", encoding(h, "k"));
  }

  @Test
  void incrbyfloat_keepsExpiry() {
    h.call("SET", "k", "1", "PXAT", "99999999999999");
    h.call("INCRBYFLOAT", "k", "1.5");
    assertEquals(99999999999999L, expireAt(h, "k"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "", " 1", "1 ", "nan", "1e", "1e5000", "1e-5000", "0x", "."})
  void incrbyfloat_badIncrement_returnsNotFloatError(String increment) {
    assertEquals(NOT_FLOAT, h.call("INCRBYFLOAT", "k", increment));
    assertNull(peek(h, "k"));
  }

  @ParameterizedTest
  @ValueSource(strings = {" 11", "11 ", " 11 ", "abc", "1\u00002", "nan"})
  void incrbyfloat_onNonNumericValue_returnsNotFloatError(String value) {
    h.call("SET", "k", value);
    assertEquals(NOT_FLOAT, h.call("INCRBYFLOAT", "k", "1.0"));
    assertEquals(bulk(value), h.call("GET", "k"));
  }

  @Test
  void incrbyfloat_toInfinity_returnsNanOrInfinityError() {
    h.call("SET", "k", "0");
    assertEquals(NAN_OR_INF, h.call("INCRBYFLOAT", "k", "+inf"));
    assertEquals(NAN_OR_INF, h.call("INCRBYFLOAT", "k", "-Infinity"));
    h.call("SET", "inf", "inf");
    assertEquals(NAN_OR_INF, h.call("INCRBYFLOAT", "inf", "1"));
    h.call("SET", "huge", "1.18973149535723176502e4932");
    assertEquals(NAN_OR_INF, h.call("INCRBYFLOAT", "huge", "1.18973149535723176502e4932"));
    assertEquals(bulk("0"), h.call("GET", "k"));
  }

  @Test
  void incrbyfloat_beyondDoubleRange_keepsLongDoublePrecision() {
    String expected =
        "19999999999999999999337175931169129132112019969483113441559409598984346973767612"
            + "37442002538437770786408934944501080264463042694991879211671948416288603928375359"
            + "18200039206381557326219209014213335878306791577877829121087126122536729803237260"
            + "434173178506889763247582601711514636284849020905456510092687857156096";
    h.call("SET", "k", "1e308");
    assertEquals(bulk(expected), h.call("INCRBYFLOAT", "k", "1e308"));
  }
}
