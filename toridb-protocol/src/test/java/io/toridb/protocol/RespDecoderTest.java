package io.toridb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request decoder against Redis 7.0.15's {@code processInlineBuffer} and {@code
 * processMultibulkBuffer}. Expected texts and outcomes were checked against a real redis-server
 * 7.0.15 by sending the same bytes.
 */
class RespDecoderTest {
  private static final int INLINE_LIMIT = ProtocolLimits.DEFAULT_INLINE;

  // ---- requests that decode ----

  @Test
  void multibulk_withBinaryArguments_decodesThemVerbatim() {
    Decoding.Outcome out =
        Decoding.decode("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\na\r\n\u0000\u00ffb\r\n");
    assertEquals(List.of(List.of("SET", "k", "a\r\n\u0000\u00ffb")), out.requests());
    assertNull(out.error());
    assertTrue(out.idle());
    assertEquals(0, out.unread());
  }

  @Test
  void multibulk_withEmptyArgument_decodesEmptyBytes() {
    assertEquals(
        List.of(List.of("SET", "k", "")),
        Decoding.decode("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n").requests());
  }

  @Test
  void multibulk_withZeroOrNegativeCount_isSkippedAsEmptyRequest() {
    Decoding.Outcome out = Decoding.decode("*0\r\n*-1\r\n*-7\r\n*-9223372036854775808\r\nPING\r\n");
    assertEquals(List.of(List.of("PING")), out.requests());
    assertNull(out.error());
  }

  @Test
  void multibulk_byteAfterHeaderCr_isSkippedWithoutBeingChecked() {
    assertEquals(List.of(List.of("PING")), Decoding.decode("*1\rX$4\rYPINGzz").requests());
  }

  @Test
  void multibulk_twoBytesAfterArgument_areSkippedWithoutBeingChecked() {
    assertEquals(
        List.of(List.of("SET", "k", ""), List.of("GET")),
        Decoding.decode("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\nab*1\r\n$3\r\nGET\r\n").requests());
  }

  @Test
  void multibulk_headerEndedByLfOnly_waitsForCr() {
    Decoding.Outcome out = Decoding.decode("*1\n");
    assertEquals(List.of(), out.requests());
    assertNull(out.error());
    assertTrue(out.idle());
    assertEquals(3, out.unread());
  }

  @Test
  void multibulk_headerWithCrAsLastByte_waitsForTheByteAfterIt() {
    Decoding.Outcome out = Decoding.decode("*1\r");
    assertEquals(3, out.unread());
    assertNull(out.error());
    Decoding.Outcome body = Decoding.decode("*1\r\n$4\r");
    assertEquals(3, body.unread());
    assertFalse(body.idle());
  }

  @Test
  void multibulk_partlyReceived_consumesCompleteHeadersAndIsNotIdle() throws Exception {
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    List<List<String>> requests = new ArrayList<>();
    ByteBuf in = Wire.buffer("*2\r\n$3\r\nGET\r\n$1");
    try {
      decoder.decode(in, argv -> requests.add(Decoding.strings(argv)));
      assertEquals("$1", Wire.readable(in));
      assertFalse(decoder.isIdle());
      in.writeBytes(Wire.bytes("\r\nk\r\n"));
      decoder.decode(in, argv -> requests.add(Decoding.strings(argv)));
      assertEquals(List.of(List.of("GET", "k")), requests);
      assertTrue(decoder.isIdle());
      assertFalse(in.isReadable());
    } finally {
      Wire.release(in);
    }
  }

  @Test
  void inline_withLfOnlyOrCrLfEnding_decodes() {
    assertEquals(
        List.of(List.of("PING"), List.of("ECHO", "a"), List.of("PING")),
        Decoding.decode("PING\nECHO a\r\nPING\r\r\n").requests());
  }

  @Test
  void inline_emptyAndBlankLines_areSkipped() {
    Decoding.Outcome out = Decoding.decode("\r\n\n   \n\t\r\nPING\n");
    assertEquals(List.of(List.of("PING")), out.requests());
    assertEquals(0, out.unread());
  }

  @Test
  void inline_withoutLineEnd_waits() {
    Decoding.Outcome out = Decoding.decode("PING");
    assertEquals(List.of(), out.requests());
    assertEquals(4, out.unread());
    assertTrue(out.idle());
  }

  @Test
  void inline_startingWithBlank_isInlineEvenIfAStarFollows() {
    assertEquals(
        List.of(List.of("*1"), List.of("$4"), List.of("PING")),
        Decoding.decode(" *1\r\n$4\r\nPING\r\n").requests());
  }

  @Test
  void inline_withQuotes_splitsLikeSdssplitargs() {
    assertEquals(
        List.of(List.of("SET", "a b", "", "it's", "x\u0000y\n")),
        Decoding.decode("SET \"a b\" '' 'it\\'s' \"x\\x00y\\n\"\r\n").requests());
  }

  @Test
  void inline_withNulBeforeLineEnd_waitsAsRedisStrchrDoes() {
    Decoding.Outcome out = Decoding.decode("PI\u0000NG\r\n");
    assertEquals(List.of(), out.requests());
    assertNull(out.error());
    assertEquals(7, out.unread());
  }

  @Test
  void multibulk_withNulInHeader_waitsAsRedisStrchrDoes() {
    Decoding.Outcome out = Decoding.decode("*1\r\n$\u0000\r\n");
    assertNull(out.error());
    assertEquals(4, out.unread());
    assertFalse(out.idle());
  }

  @Test
  void pipeline_withErrorAfterValidRequest_deliversTheValidRequestFirst() {
    Decoding.Outcome out = Decoding.decode("PING\r\n*1\r\n$-1\r\n");
    assertEquals(List.of(List.of("PING")), out.requests());
    assertEquals("invalid bulk length", out.error());
  }

  @Test
  void decode_afterProtocolError_isResetAndDecodesTheNextRequest() throws Exception {
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    ByteBuf bad = Wire.buffer("*2\r\n$3\r\nGET\r\n!\r\n");
    ByteBuf good = Wire.buffer("*1\r\n$4\r\nPING\r\n");
    try {
      assertThrows(ProtocolException.class, () -> decoder.decode(bad, argv -> {}));
      assertTrue(decoder.isIdle());
      List<List<String>> requests = new ArrayList<>();
      decoder.decode(good, argv -> requests.add(Decoding.strings(argv)));
      assertEquals(List.of(List.of("PING")), requests);
    } finally {
      Wire.release(bad);
      Wire.release(good);
    }
  }

  @Test
  void reset_dropsPartialRequest() throws Exception {
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    ByteBuf in = Wire.buffer("*2\r\n$3\r\nGET\r\n");
    try {
      decoder.decode(in, argv -> {});
      assertFalse(decoder.isIdle());
      decoder.reset();
      assertTrue(decoder.isIdle());
    } finally {
      Wire.release(in);
    }
  }

  @Test
  void decode_leavesInputReferenceCountAlone() throws Exception {
    ByteBuf in = Wire.buffer("*1\r\n$4\r\nPING\r\nPING\r\n");
    try {
      new RespDecoder(ProtocolLimits.DEFAULTS).decode(in, argv -> {});
      assertEquals(1, in.refCnt());
    } finally {
      Wire.release(in);
    }
  }

  // ---- error paths, with Redis's texts ----

  @Test
  void inline_pastInlineLimitWithoutLineEnd_failsWithTooBigInlineRequest() {
    assertNull(Decoding.decode("a".repeat(INLINE_LIMIT)).error());
    assertEquals("too big inline request", Decoding.decode("a".repeat(INLINE_LIMIT + 1)).error());
  }

  @Test
  void inline_withNulPastInlineLimit_failsWithTooBigInlineRequest() {
    String wire = "PI\u0000NG\r\n" + "x".repeat(INLINE_LIMIT);
    assertEquals("too big inline request", Decoding.decode(wire).error());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ECHO \"abc\r\n",
        "ECHO 'abc\r\n",
        "ECHO \"a\"b\r\n",
        "ECHO 'a'b\r\n",
        "ECHO a\"b c\"d\r\n",
        "ECHO \"a\\\"\r\n",
        "ECHO \"\r\n"
      })
  void inline_withUnbalancedQuotes_failsWithUnbalancedQuotes(String wire) {
    Decoding.Outcome out = Decoding.decode(wire);
    assertEquals("unbalanced quotes in request", out.error());
    assertTrue(out.idle());
  }

  @Test
  void multibulk_countLinePastInlineLimitWithoutCr_failsWithTooBigMbulkCountString() {
    assertNull(Decoding.decode("*" + "1".repeat(INLINE_LIMIT - 1)).error());
    assertEquals(
        "too big mbulk count string", Decoding.decode("*" + "1".repeat(INLINE_LIMIT)).error());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "*\r\n",
        "*x\r\n",
        "*1x\r\n",
        "* 1\r\n",
        "*+1\r\n",
        "*01\r\n",
        "*-0\r\n",
        "*-\r\n",
        "*--1\r\n",
        "*1 \r\n",
        "*2147483648\r\n",
        "*9223372036854775807\r\n",
        "*9223372036854775808\r\n",
        "*-9223372036854775809\r\n",
        "*100000000000000000000\r\n",
        "*1\n$4\r\nPING\r\n"
      })
  void multibulk_withMalformedOrHugeCount_failsWithInvalidMultibulkLength(String wire) {
    assertEquals("invalid multibulk length", Decoding.decode(wire).error());
  }

  @Test
  void multibulk_overConfiguredMaximum_failsWithInvalidMultibulkLength() {
    RespDecoder decoder = new RespDecoder(new ProtocolLimits(INLINE_LIMIT, 1024, 3));
    assertEquals(
        List.of(List.of("a", "b", "c")),
        Decoding.decode(decoder, List.of(Wire.bytes("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n")))
            .requests());
    assertEquals(
        "invalid multibulk length",
        Decoding.decode(decoder, List.of(Wire.bytes("*4\r\n"))).error());
  }

  @Test
  void multibulk_unauthenticatedWithMoreThanTenArguments_failsWithUnauthenticatedLength() {
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    decoder.setAuthenticated(false);
    assertNull(Decoding.decode(decoder, List.of(Wire.bytes("*10\r\n"))).error());
    decoder.reset();
    assertEquals(
        "unauthenticated multibulk length",
        Decoding.decode(decoder, List.of(Wire.bytes("*11\r\n"))).error());
    decoder.setAuthenticated(true);
    assertNull(Decoding.decode(decoder, List.of(Wire.bytes("*11\r\n"))).error());
  }

  @Test
  void multibulk_unauthenticatedWithInvalidCount_failsWithInvalidLengthFirst() {
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    decoder.setAuthenticated(false);
    assertEquals(
        "invalid multibulk length",
        Decoding.decode(decoder, List.of(Wire.bytes("*2147483648\r\n"))).error());
  }

  @Test
  void bulkHeader_pastInlineLimitWithoutCr_failsWithTooBigBulkCountString() {
    assertNull(Decoding.decode("*1\r\n$" + "1".repeat(INLINE_LIMIT - 1)).error());
    assertEquals(
        "too big bulk count string", Decoding.decode("*1\r\n$" + "1".repeat(INLINE_LIMIT)).error());
  }

  @Test
  void bulkHeader_notStartingWithDollar_failsWithExpectedDollar() {
    assertEquals("expected '$', got '*'", Decoding.decode("*1\r\n*1\r\n").error());
    assertEquals("expected '$', got 'P'", Decoding.decode("*1\r\nPING\r\n").error());
    assertEquals("expected '$', got '\u0080'", Decoding.decode("*1\r\n\u0080\r\n").error());
  }

  @Test
  void bulkHeader_startingWithCrOrLf_reportsItAsSpace() {
    assertEquals("expected '$', got ' '", Decoding.decode("*1\r\n\r$4\r\nPING\r\n").error());
    assertEquals("expected '$', got ' '", Decoding.decode("*1\r\n\n$4\r\nPING\r\n").error());
  }

  @Test
  void bulkHeader_notStartingWithDollar_waitsForTheWholeLineBeforeFailing() {
    Decoding.Outcome out = Decoding.decode("*1\r\nX");
    assertNull(out.error());
    assertEquals(1, out.unread());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$-1",
        "$-0",
        "$-5",
        "$01",
        "$ 1",
        "$1 ",
        "$+1",
        "$",
        "$1x",
        "$0x10",
        "$536870913",
        "$9223372036854775808",
        "$-9223372036854775808"
      })
  void bulkHeader_withMalformedNegativeOrHugeLength_failsWithInvalidBulkLength(String header) {
    assertEquals("invalid bulk length", Decoding.decode("*1\r\n" + header + "\r\n").error());
  }

  @Test
  void bulkHeader_atProtoMaxBulkLen_isAcceptedAndOneMoreFails() {
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS.withMaxBulkBytes(10));
    assertEquals(
        List.of(List.of("0123456789")),
        Decoding.decode(decoder, List.of(Wire.bytes("*1\r\n$10\r\n0123456789\r\n"))).requests());
    assertEquals(
        "invalid bulk length",
        Decoding.decode(decoder, List.of(Wire.bytes("*1\r\n$11\r\n"))).error());
    assertNull(Decoding.decode("*1\r\n$536870912\r\n").error());
  }

  @Test
  void bulkHeader_unauthenticatedOver16384Bytes_failsWithUnauthenticatedBulkLength() {
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    decoder.setAuthenticated(false);
    assertNull(Decoding.decode(decoder, List.of(Wire.bytes("*1\r\n$16384\r\n"))).error());
    decoder.reset();
    assertEquals(
        "unauthenticated bulk length",
        Decoding.decode(decoder, List.of(Wire.bytes("*1\r\n$16385\r\n"))).error());
    assertEquals(
        "invalid bulk length",
        Decoding.decode(decoder, List.of(Wire.bytes("*1\r\n$536870913\r\n"))).error());
  }

  @Test
  void protocolException_replyText_hasRedisPrefix() {
    ProtocolException e = new ProtocolException(ProtocolException.INVALID_BULK_LENGTH);
    assertEquals("ERR Protocol error: invalid bulk length", e.replyText());
  }

  // ---- claimed lengths never allocate ----

  @Test
  void multibulk_withHugeClaimedCountAndFewArguments_allocatesOnlyWhatArrived() throws Exception {
    String wire = "*2147483647\r\n$4\r\nPING\r\n$3\r\nGET\r\n";
    assertClaimDoesNotAllocate(wire, wire.length());
  }

  @Test
  void bulk_withHugeClaimedLengthAndFewBytes_waitsWithoutAllocating() throws Exception {
    String header = "*1\r\n$536870000\r\n";
    assertClaimDoesNotAllocate(header + "x".repeat(100), header.length());
  }

  /**
   * Decodes {@code wire} twice (the first to warm up) and checks the second allocated little. The
   * buffer is an untracked heap buffer: the paranoid leak detector's access records would otherwise
   * be counted as the decoder's allocations.
   */
  private static void assertClaimDoesNotAllocate(String wire, int consumed) throws Exception {
    for (int round = 0; round < 2; round++) {
      RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
      ByteBuf in = Unpooled.wrappedBuffer(Wire.bytes(wire));
      List<byte[][]> requests = new ArrayList<>();
      try {
        long before = Wire.allocatedBytes();
        decoder.decode(in, requests::add);
        long allocated = Wire.allocatedBytes() - before;
        assertEquals(List.of(), requests);
        assertFalse(decoder.isIdle());
        assertEquals(consumed, in.readerIndex());
        if (round == 1) {
          assertTrue(allocated < 64 * 1024, "decode allocated " + allocated + " bytes");
        }
      } finally {
        Wire.release(in);
      }
    }
  }

  @Test
  void decodeWithMax_stopsAfterThatManyRequestsAndLeavesTheRestUnread() throws Exception {
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    String first = "*1\r\n$4\r\nPING\r\n";
    ByteBuf in = Unpooled.wrappedBuffer(Wire.bytes(first + "PING\r\n*1\r\n$4\r\nPING\r\n"));
    List<byte[][]> requests = new ArrayList<>();
    try {
      assertEquals(1, decoder.decode(in, requests::add, 1));
      assertEquals(1, requests.size());
      assertEquals(first.length(), in.readerIndex());
      assertEquals(2, decoder.decode(in, requests::add, 5));
      assertEquals(3, requests.size());
      assertFalse(in.isReadable());
    } finally {
      Wire.release(in);
    }
  }
}
