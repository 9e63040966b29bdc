package io.toridb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and rendering of server replies. */
class RespReplyParserTest {

  /** What redis-server 7.0.15 sent for DEBUG PROTOCOL string..false over RESP3. */
  private static final String DEBUG_PROTOCOL_RESP3 =
      "$11\r\nHello World\r\n"
          + ":12345\r\n"
          + ",3.141\r\n"
          + "(1234567999999999999999999999999999999\r\n"
          + "_\r\n"
          + "*3\r\n:0\r\n:1\r\n:2\r\n"
          + "~3\r\n:0\r\n:1\r\n:2\r\n"
          + "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"
          + "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
          + "$39\r\nSome real reply following the attribute\r\n"
          + ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
          + "$40\r\nSome real reply following the push reply\r\n"
          + "=29\r\ntxt:This is a verbatim\nstring\r\n"
          + "#t\r\n"
          + "#f\r\n";

  @Test
  void parseAll_ofRedisDebugProtocolOutput_rendersEveryType() throws Exception {
    List<RespReply> replies = RespReplyParser.parseAll(Wire.bytes(DEBUG_PROTOCOL_RESP3));
    String rendered = replies.stream().map(RespReply::render).collect(Collectors.joining("\n"));
    String expected =
        String.join(
            "\n",
            "\"Hello World\"",
            "(integer) 12345",
            "(double) 3.141",
            "(big number) 1234567999999999999999999999999999999",
            "(null)",
            "(array 3)",
            "  1) (integer) 0",
            "  2) (integer) 1",
            "  3) (integer) 2",
            "(set 3)",
            "  1) (integer) 0",
            "  2) (integer) 1",
            "  3) (integer) 2",
            "(map 3)",
            "  1) (integer) 0 => (false)",
            "  2) (integer) 1 => (true)",
            "  3) (integer) 2 => (false)",
            "(attribute 1)",
            "  1) \"key-popularity\" => (array 2)",
            "                           1) \"key:123\"",
            "                           2) (integer) 90",
            "\"Some real reply following the attribute\"",
            "(push 2)",
            "  1) \"server-cpu-usage\"",
            "  2) (integer) 42",
            "\"Some real reply following the push reply\"",
            "(verbatim txt) \"This is a verbatim\\nstring\"",
            "(true)",
            "(false)");
    assertEquals(expected, rendered);
    assertEquals(14, replies.size());
    assertEquals(DEBUG_PROTOCOL_RESP3, Wire.latin1(encodeAll(replies)));
  }

  @Test
  void parse_ofEachNullForm_givesThreeDistinctReplies() throws Exception {
    RespReply nullBulk = RespReplyParser.parseOne(Wire.bytes("$-1\r\n"));
    RespReply nullArray = RespReplyParser.parseOne(Wire.bytes("*-1\r\n"));
    RespReply nullValue = RespReplyParser.parseOne(Wire.bytes("_\r\n"));
    assertEquals(RespReply.nullBulkString(), nullBulk);
    assertEquals(RespReply.nullArray(), nullArray);
    assertEquals(RespReply.nullValue(), nullValue);
    assertTrue(nullBulk.isNull() && nullArray.isNull() && nullValue.isNull());
    assertNotEquals(nullBulk, nullArray);
    assertNotEquals(nullBulk, nullValue);
    assertNotEquals(nullArray, nullValue);
    assertEquals("(nil bulk)", nullBulk.render());
    assertEquals("(nil array)", nullArray.render());
    assertEquals("(null)", nullValue.render());
    assertFalse(RespReply.bulkString("").isNull());
    assertFalse(RespReply.array().isNull());
  }

  @Test
  void parse_ofScalars_exposesTheirValues() throws Exception {
    assertEquals("OK", RespReplyParser.parseOne(Wire.bytes("+OK\r\n")).text());
    RespReply error = RespReplyParser.parseOne(Wire.bytes("-ERR unknown\r\n"));
    assertTrue(error.isError());
    assertEquals("(error) \"ERR unknown\"", error.render());
    assertEquals(
        Long.MIN_VALUE,
        RespReplyParser.parseOne(Wire.bytes(":-9223372036854775808\r\n")).integer());
    assertEquals(1.5, RespReplyParser.parseOne(Wire.bytes(",1.5\r\n")).doubleValue());
    assertEquals(
        Double.NEGATIVE_INFINITY, RespReplyParser.parseOne(Wire.bytes(",-inf\r\n")).doubleValue());
    assertTrue(Double.isNaN(RespReplyParser.parseOne(Wire.bytes(",nan\r\n")).doubleValue()));
    assertEquals(
        new BigInteger("-123456789012345678901234567890"),
        RespReplyParser.parseOne(Wire.bytes("(-123456789012345678901234567890\r\n")).bigNumber());
    assertTrue(RespReplyParser.parseOne(Wire.bytes("#t\r\n")).bool());
    RespReply verbatim = RespReplyParser.parseOne(Wire.bytes("=8\r\nmkd:# hi\r\n"));
    assertEquals("mkd", verbatim.verbatimFormat());
    assertEquals("# hi", verbatim.text());
    RespReply bulkError = RespReplyParser.parseOne(Wire.bytes("!11\r\nSYNTAX a\r\nb\r\n"));
    assertTrue(bulkError.isError());
    assertEquals("(bulk error) \"SYNTAX a\\r\\nb\"", bulkError.render());
  }

  @Test
  void parse_ofMap_exposesPairs() throws Exception {
    RespReply map = RespReplyParser.parseOne(Wire.bytes("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n"));
    assertEquals(2, map.size());
    assertEquals(RespReply.simpleString("b"), map.get(2));
    assertEquals(RespReply.integer(2), map.get(3));
    assertEquals(
        RespReply.map(
            RespReply.simpleString("a"),
            RespReply.integer(1),
            RespReply.simpleString("b"),
            RespReply.integer(2)),
        map);
  }

  @Test
  void parse_ofAttributeInsideArray_attachesItToTheNextElement() throws Exception {
    RespReply array = RespReplyParser.parseOne(Wire.bytes("*2\r\n|1\r\n+k\r\n+v\r\n:1\r\n:2\r\n"));
    assertEquals(2, array.size());
    RespReply attribute =
        RespReply.attribute(RespReply.simpleString("k"), RespReply.simpleString("v"));
    assertEquals(RespReply.integer(1).withAttribute(attribute), array.get(0));
    assertNull(array.get(1).attribute());
    assertEquals(
        String.join(
            "\n",
            "(array 2)",
            "  1) (attribute 1)",
            "       1) (simple) \"k\" => (simple) \"v\"",
            "     (integer) 1",
            "  2) (integer) 2"),
        array.render());
  }

  @Test
  void render_escapesBytesAsRedisCliDoes() {
    RespReply bulk = RespReply.bulkString(Wire.bytes("a\"b\\\r\n\t\u0007\b\u0000\u00ff~ "));
    assertEquals("\"a\\\"b\\\\\\r\\n\\t\\a\\b\\x00\\xff~ \"", bulk.render());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "?x\r\n",
        "\u0080\r\n",
        "+OK\n",
        "+OK\rX",
        "+a\nb\r\n",
        ":01\r\n",
        ":-0\r\n",
        ":+1\r\n",
        ":\r\n",
        ": 1\r\n",
        ":9223372036854775808\r\n",
        ":1.5\r\n",
        "$3\r\nabcXY",
        "$-2\r\n",
        "$01\r\na\r\n",
        "$?\r\n",
        "*?\r\n",
        "*-2\r\n",
        "%-1\r\n",
        "~-1\r\n",
        ">-1\r\n",
        "!-1\r\n",
        "=-1\r\n",
        "*2147483648\r\n",
        "%1073741824\r\n",
        "$536870913\r\n",
        "#x\r\n",
        "#tt\r\n",
        "#\r\n",
        "_x\r\n",
        "=3\r\nabc\r\n",
        "=5\r\ntxt-a\r\n",
        "(12a\r\n",
        "(\r\n",
        "(-\r\n",
        ",\r\n",
        "|1\r\n+a\r\n+b\r\n|0\r\n:1\r\n"
      })
  void parse_ofMalformedReply_failsWithRespFormatException(String wire) {
    assertThrows(RespFormatException.class, () -> RespReplyParser.parseAll(Wire.bytes(wire)));
  }

  @Test
  void parse_afterFormatError_isResetAndLeavesReaderIndexAtTheReply() throws Exception {
    RespReplyParser parser = new RespReplyParser();
    ByteBuf in = Wire.buffer("*2\r\n:1\r\n:x\r\n");
    try {
      assertThrows(RespFormatException.class, () -> parser.parse(in));
      assertEquals(0, in.readerIndex());
      in.skipBytes(in.readableBytes());
      in.writeBytes(Wire.bytes("+OK\r\n"));
      assertEquals(RespReply.simpleString("OK"), parser.parse(in));
    } finally {
      Wire.release(in);
    }
  }

  @Test
  void parse_ofPartialReply_returnsNullAndConsumesNothingUntilComplete() throws Exception {
    RespReplyParser parser = new RespReplyParser();
    ByteBuf in = Wire.buffer("*2\r\n$3\r\nfo");
    try {
      assertNull(parser.parse(in));
      assertEquals(0, in.readerIndex());
      in.writeBytes(Wire.bytes("o\r\n:7\r"));
      assertNull(parser.parse(in));
      in.writeBytes(Wire.bytes("\n+next\r\n"));
      assertEquals(
          RespReply.array(RespReply.bulkString("foo"), RespReply.integer(7)), parser.parse(in));
      assertEquals("+next\r\n", Wire.readable(in));
      assertEquals(RespReply.simpleString("next"), parser.parse(in));
      assertNull(parser.parse(in));
    } finally {
      Wire.release(in);
    }
  }

  @Test
  void parse_withHugeClaimedCountOrLength_waitsWithoutAllocating() throws Exception {
    String[] claims = {
      "*2147483647\r\n:1\r\n:2\r\n", "$536870000\r\n" + "x".repeat(100), "%1073741823\r\n+a\r\n"
    };
    for (int round = 0; round < 2; round++) {
      for (String claim : claims) {
        ByteBuf in = Unpooled.wrappedBuffer(Wire.bytes(claim));
        RespReplyParser parser = new RespReplyParser();
        long before = Wire.allocatedBytes();
        assertNull(parser.parse(in));
        long allocated = Wire.allocatedBytes() - before;
        if (round == 1) {
          assertTrue(allocated < 64 * 1024, claim.substring(0, 12) + " allocated " + allocated);
        }
        assertEquals(0, in.readerIndex());
        in.release();
      }
    }
  }

  @Test
  void parse_nestedDeeperThanMaxDepth_fails() throws Exception {
    String nested = "*1\r\n*1\r\n*1\r\n:1\r\n";
    ByteBuf ok = Wire.buffer(nested);
    ByteBuf deep = Wire.buffer(nested);
    try {
      assertEquals(
          RespReply.array(RespReply.array(RespReply.array(RespReply.integer(1)))),
          new RespReplyParser(3, 1024).parse(ok));
      assertThrows(RespFormatException.class, () -> new RespReplyParser(2, 1024).parse(deep));
    } finally {
      Wire.release(ok);
      Wire.release(deep);
    }
  }

  @Test
  void parseOne_withTrailingBytesOrTwoReplies_fails() {
    assertThrows(
        RespFormatException.class, () -> RespReplyParser.parseOne(Wire.bytes("+a\r\n+b\r\n")));
    assertThrows(RespFormatException.class, () -> RespReplyParser.parseOne(Wire.bytes("+a\r\n+")));
    assertThrows(RespFormatException.class, () -> RespReplyParser.parseOne(new byte[0]));
  }

  @Test
  void read_fromStream_readsOneReplyAtATimeAndNothingMore() throws Exception {
    ByteArrayInputStream in = new ByteArrayInputStream(Wire.bytes("*1\r\n$2\r\nhi\r\n:5\r\n"));
    RespReplyParser parser = new RespReplyParser();
    assertEquals(RespReply.array(RespReply.bulkString("hi")), parser.read(in));
    assertEquals(4, in.available());
    assertEquals(RespReply.integer(5), parser.read(in));
    assertNull(parser.read(in));
  }

  @ParameterizedTest
  @ValueSource(strings = {"$5\r\nab", "+OK", "+OK\r", "*2\r\n:1\r\n", "$2\r\nab\r"})
  void read_fromStreamEndingInsideReply_failsWithEof(String wire) {
    ByteArrayInputStream in = new ByteArrayInputStream(Wire.bytes(wire));
    assertThrows(EOFException.class, () -> new RespReplyParser().read(in));
  }

  @Test
  void read_fromStreamWithMalformedReply_failsWithRespFormatException() {
    ByteArrayInputStream in = new ByteArrayInputStream(Wire.bytes(":x\r\n"));
    assertThrows(RespFormatException.class, () -> new RespReplyParser().read(in));
  }

  @Test
  void factories_rejectValuesThatCannotBeSent() {
    assertThrows(IllegalArgumentException.class, () -> RespReply.simpleString("a\r\nb"));
    assertThrows(IllegalArgumentException.class, () -> RespReply.verbatim("md", new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> RespReply.map(RespReply.integer(1)));
    assertThrows(IllegalArgumentException.class, () -> RespReply.bigNumber("1.5"));
    assertThrows(
        IllegalArgumentException.class,
        () -> RespReply.integer(1).withAttribute(RespReply.integer(2)));
    assertThrows(IllegalStateException.class, () -> RespReply.nullBulkString().bytes());
    assertThrows(IllegalStateException.class, () -> RespReply.integer(1).elements());
  }

  private static byte[] encodeAll(List<RespReply> replies) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    replies.forEach(r -> out.writeBytes(r.encode()));
    return out.toByteArray();
  }
}
