package io.toridb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every reply the writer produces, byte for byte, in RESP2 and RESP3. Expected bytes follow Redis
 * 7.0.15's {@code addReply*} functions (checked against redis-server's DEBUG PROTOCOL output);
 * chars in expected strings are ISO-8859-1 bytes.
 */
class RespWriterTest {

  static Stream<Arguments> replies() {
    String kilobyte = "x".repeat(1024);
    return Stream.of(
        reply("ok", w -> w.ok(), "+OK\r\n", "+OK\r\n"),
        reply("simple", w -> w.simple("PONG"), "+PONG\r\n", "+PONG\r\n"),
        reply("simple with CR LF", w -> w.simple("a\r\nb"), "+a  b\r\n", "+a  b\r\n"),
        reply("error", w -> w.error("ERR no"), "-ERR no\r\n", "-ERR no\r\n"),
        reply("error with LF", w -> w.error("ERR a\nb"), "-ERR a b\r\n", "-ERR a b\r\n"),
        reply(
            "error latin1",
            w -> w.error("ERR \u00e9\u0100"),
            "-ERR \u00e9?\r\n",
            "-ERR \u00e9?\r\n"),
        reply("integer 0", w -> w.integer(0), ":0\r\n", ":0\r\n"),
        reply("integer 1023", w -> w.integer(1023), ":1023\r\n", ":1023\r\n"),
        reply("integer 1024", w -> w.integer(1024), ":1024\r\n", ":1024\r\n"),
        reply("integer -1", w -> w.integer(-1), ":-1\r\n", ":-1\r\n"),
        reply("integer -10", w -> w.integer(-10), ":-10\r\n", ":-10\r\n"),
        reply(
            "integer max",
            w -> w.integer(Long.MAX_VALUE),
            ":9223372036854775807\r\n",
            ":9223372036854775807\r\n"),
        reply(
            "integer min",
            w -> w.integer(Long.MIN_VALUE),
            ":-9223372036854775808\r\n",
            ":-9223372036854775808\r\n"),
        reply("zeroOrOne", w -> w.zeroOrOne(true), ":1\r\n", ":1\r\n"),
        reply("bulk", w -> w.bulk(Wire.bytes("abc")), "$3\r\nabc\r\n", "$3\r\nabc\r\n"),
        reply("bulk empty", w -> w.bulk(new byte[0]), "$0\r\n\r\n", "$0\r\n\r\n"),
        reply(
            "bulk binary",
            w -> w.bulk(Wire.bytes("\r\n\u0000\u00ff")),
            "$4\r\n\r\n\u0000\u00ff\r\n",
            "$4\r\n\r\n\u0000\u00ff\r\n"),
        reply(
            "bulk slice",
            w -> w.bulk(Wire.bytes("abcdef"), 2, 3),
            "$3\r\ncde\r\n",
            "$3\r\ncde\r\n"),
        reply(
            "bulk string utf8",
            w -> w.bulk("\u00e9"),
            "$2\r\n\u00c3\u00a9\r\n",
            "$2\r\n\u00c3\u00a9\r\n"),
        reply(
            "bulk 1024 bytes",
            w -> w.bulk(Wire.bytes(kilobyte)),
            "$1024\r\n" + kilobyte + "\r\n",
            "$1024\r\n" + kilobyte + "\r\n"),
        reply("bulkLong", w -> w.bulkLong(-42), "$3\r\n-42\r\n", "$3\r\n-42\r\n"),
        reply(
            "bulkLong min",
            w -> w.bulkLong(Long.MIN_VALUE),
            "$20\r\n-9223372036854775808\r\n",
            "$20\r\n-9223372036854775808\r\n"),
        reply("bulkOrNull value", w -> w.bulkOrNull(Wire.bytes("v")), "$1\r\nv\r\n", "$1\r\nv\r\n"),
        reply("bulkOrNull null", w -> w.bulkOrNull(null), "$-1\r\n", "_\r\n"),
        reply("nullBulk", RespWriter::nullBulk, "$-1\r\n", "_\r\n"),
        reply("nullArray", RespWriter::nullArray, "*-1\r\n", "_\r\n"),
        header("arrayHeader 0", w -> w.arrayHeader(0), "*0\r\n", "*0\r\n"),
        header("arrayHeader 3", w -> w.arrayHeader(3), "*3\r\n", "*3\r\n"),
        reply("emptyArray", RespWriter::emptyArray, "*0\r\n", "*0\r\n"),
        header("mapHeader 0", w -> w.mapHeader(0), "*0\r\n", "%0\r\n"),
        header("mapHeader 2", w -> w.mapHeader(2), "*4\r\n", "%2\r\n"),
        header(
            "mapHeader past int range when doubled",
            w -> w.mapHeader(1_500_000_000),
            "*3000000000\r\n",
            "%1500000000\r\n"),
        header("setHeader", w -> w.setHeader(2), "*2\r\n", "~2\r\n"),
        header("pushHeader", w -> w.pushHeader(3), "*3\r\n", ">3\r\n"),
        reply("double 1.5", w -> w.doubleValue(1.5), "$3\r\n1.5\r\n", ",1.5\r\n"),
        reply(
            "double 0.1",
            w -> w.doubleValue(0.1),
            "$19\r\n0.10000000000000001\r\n",
            ",0.10000000000000001\r\n"),
        reply("double 3", w -> w.doubleValue(3.0), "$1\r\n3\r\n", ",3\r\n"),
        reply("double -0", w -> w.doubleValue(-0.0), "$2\r\n-0\r\n", ",-0\r\n"),
        reply("double 1e17", w -> w.doubleValue(1e17), "$5\r\n1e+17\r\n", ",1e+17\r\n"),
        reply(
            "double inf",
            w -> w.doubleValue(Double.POSITIVE_INFINITY),
            "$3\r\ninf\r\n",
            ",inf\r\n"),
        reply(
            "double -inf",
            w -> w.doubleValue(Double.NEGATIVE_INFINITY),
            "$4\r\n-inf\r\n",
            ",-inf\r\n"),
        reply("double nan", w -> w.doubleValue(Double.NaN), "$3\r\nnan\r\n", ",nan\r\n"),
        reply("bool true", w -> w.bool(true), ":1\r\n", "#t\r\n"),
        reply("bool false", w -> w.bool(false), ":0\r\n", "#f\r\n"),
        reply("verbatim", w -> w.verbatim("txt", "hi"), "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"),
        reply(
            "verbatim bytes with LF",
            w -> w.verbatim("mkd", Wire.bytes("a\nb")),
            "$3\r\na\nb\r\n",
            "=7\r\nmkd:a\nb\r\n"),
        reply(
            "verbatim short format", w -> w.verbatim("md", "x"), "$1\r\nx\r\n", "=5\r\nmd :x\r\n"),
        reply(
            "verbatim long format",
            w -> w.verbatim("markdown", "x"),
            "$1\r\nx\r\n",
            "=5\r\nmar:x\r\n"),
        reply(
            "bigNumber",
            w -> w.bigNumber("-1234567999999999999999999999999999999"),
            "$38\r\n-1234567999999999999999999999999999999\r\n",
            "(-1234567999999999999999999999999999999\r\n"),
        reply("raw", w -> w.raw(Wire.bytes("+RAW\r\n")), "+RAW\r\n", "+RAW\r\n"),
        reply(
            "map of key to double",
            w -> {
              w.mapHeader(1);
              w.bulk("k");
              w.doubleValue(2.5);
            },
            "*2\r\n$1\r\nk\r\n$3\r\n2.5\r\n",
            "%1\r\n$1\r\nk\r\n,2.5\r\n"),
        reply(
            "set of booleans",
            w -> {
              w.setHeader(2);
              w.bool(true);
              w.bool(false);
            },
            "*2\r\n:1\r\n:0\r\n",
            "~2\r\n#t\r\n#f\r\n"),
        reply(
            "pubsub message",
            w -> {
              w.pushHeader(3);
              w.bulk("message");
              w.bulk("ch");
              w.bulk("hi");
            },
            "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
            ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"));
  }

  /** A whole reply. */
  private static Arguments reply(
      String name, Consumer<RespWriter> write, String resp2, String resp3) {
    return Arguments.of(name, write, resp2, resp3, true);
  }

  /** An aggregate header alone, without its elements. */
  private static Arguments header(
      String name, Consumer<RespWriter> write, String resp2, String resp3) {
    return Arguments.of(name, write, resp2, resp3, false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  void reply_inResp2AndResp3_isByteExact(
      String name, Consumer<RespWriter> write, String resp2, String resp3, boolean whole) {
    assertEquals(resp2, written(2, write), "RESP2");
    assertEquals(resp3, written(3, write), "RESP3");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  void reply_parsedAndEncodedAgain_givesTheSameBytes(
      String name, Consumer<RespWriter> write, String resp2, String resp3, boolean whole)
      throws Exception {
    if (!whole) {
      return;
    }
    for (String wire : new String[] {resp2, resp3}) {
      RespReply parsed = RespReplyParser.parseOne(Wire.bytes(wire));
      assertEquals(wire, Wire.latin1(parsed.encode()));
    }
  }

  @Test
  void bulkPacked_writesExactlyTheFirstLengthBytesOfTheWords() {
    byte[] all = new byte[16];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) (0xF0 - i * 7);
    }
    long low =
        java.nio.ByteBuffer.wrap(all, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    long high =
        java.nio.ByteBuffer.wrap(all, 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    for (int n = 0; n <= 16; n++) {
      byte[] expected = java.util.Arrays.copyOf(all, n);
      int length = n;
      for (int protocol = 2; protocol <= 3; protocol++) {
        assertEquals(
            written(protocol, w -> w.bulk(expected)),
            written(protocol, w -> w.bulkPacked(low, high, length)),
            "length " + n);
      }
    }
    // Further replies follow the value, not the words' padding.
    assertEquals(
        "$1\r\n\u00f0\r\n:1\r\n",
        written(
            2,
            w -> {
              w.bulkPacked(low, high, 1);
              w.integer(1);
            }));
    assertThrows(IllegalArgumentException.class, () -> written(2, w -> w.bulkPacked(0, 0, 17)));
    assertThrows(IllegalArgumentException.class, () -> written(2, w -> w.bulkPacked(0, 0, -1)));
  }

  @Test
  void attributeHeader_inResp3_writesPipe() {
    assertEquals("|1\r\n", written(3, w -> w.attributeHeader(1)));
  }

  @Test
  void attributeHeader_inResp2_isRefused() {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer();
    try {
      RespWriter w = new RespWriter(buf, 2);
      assertThrows(IllegalStateException.class, () -> w.attributeHeader(1));
    } finally {
      Wire.release(buf);
    }
  }

  @Test
  void reset_pointsAtNewBufferAndProtocol() {
    ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer();
    ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer();
    try {
      RespWriter w = new RespWriter();
      assertSame(w, w.reset(a, 2));
      w.nullBulk();
      w.reset(b, 3);
      assertTrue(w.isResp3());
      assertEquals(3, w.protocol());
      assertSame(b, w.buffer());
      w.nullBulk();
      w.flush();
      assertEquals("$-1\r\n", Wire.readable(a));
      assertEquals("_\r\n", Wire.readable(b));
    } finally {
      Wire.release(a);
      Wire.release(b);
    }
  }

  @Test
  void staged_reachesBufferOnlyWhenFlushed() {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
    try {
      RespWriter w = new RespWriter(buf, 2);
      w.integer(12345);
      assertEquals(0, buf.readableBytes());
      assertSame(buf, w.buffer());
      assertEquals(":12345\r\n", Wire.readable(buf));
    } finally {
      Wire.release(buf);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void reply_longerThanTheStage_keepsEveryByteInOrder(boolean workerWriter) {
    // Thousands of small pieces overflow the staging array several times over, and values large
    // enough to bypass it (1 KiB and more, or longer than a one-message writer's small array) fall
    // between them: the bytes must still come out in call order.
    StringBuilder expected = new StringBuilder();
    Consumer<RespWriter> write =
        w -> {
          w.arrayHeader(3000);
          expected.append("*3000\r\n");
          for (int i = 0; i < 3000; i++) {
            if (i % 500 == 7 || i % 500 == 250) {
              byte[] big = new byte[i % 500 == 7 ? 1024 + i : 200 + i % 700];
              Arrays.fill(big, (byte) ('a' + i % 26));
              w.bulk(big);
              expected.append('$').append(big.length).append("\r\n");
              expected.append(new String(big, StandardCharsets.US_ASCII)).append("\r\n");
            } else if (i % 3 == 0) {
              w.integer(-i * 1_000_003L);
              expected.append(':').append(-i * 1_000_003L).append("\r\n");
            } else {
              w.bulkPacked(0x3837363534333231L, 0x3635343332313039L, i % 17);
              String digits = "1234567890123456".substring(0, i % 17);
              expected.append('$').append(digits.length()).append("\r\n");
              expected.append(digits).append("\r\n");
            }
          }
        };
    String out;
    if (workerWriter) {
      ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
      try {
        RespWriter w = new RespWriter().reset(buf, 2);
        write.accept(w);
        w.reset(null, 2);
        out = Wire.readable(buf);
      } finally {
        Wire.release(buf);
      }
    } else {
      out = written(2, write);
    }
    assertEquals(expected.toString(), out);
  }

  @Test
  void flush_thatFails_leavesNothingBehindForTheNextBuffer() {
    ByteBuf full = Unpooled.buffer(4, 4);
    ByteBuf next = Unpooled.buffer();
    try {
      RespWriter w = new RespWriter().reset(full, 2);
      w.bulk(new byte[100]);
      assertThrows(IndexOutOfBoundsException.class, w::flush);
      w.bulk(new byte[100]);
      assertThrows(IndexOutOfBoundsException.class, () -> w.reset(next, 2));
      assertSame(next, w.buffer());
      w.ok();
      w.flush();
      assertEquals("+OK\r\n", Wire.readable(next));
    } finally {
      Wire.release(full);
      Wire.release(next);
    }
  }

  @Test
  void integer_extremes_areWrittenExactly() {
    for (long v :
        new long[] {
          Long.MIN_VALUE, Long.MIN_VALUE + 1, -10, -9, -1, 9, 10, 1023, 1024, Long.MAX_VALUE
        }) {
      assertEquals(":" + v + "\r\n", written(2, w -> w.integer(v)));
    }
    for (int n : new int[] {1, 9, 10, 1023, 1024, Integer.MAX_VALUE}) {
      assertEquals("*" + n + "\r\n", written(2, w -> w.arrayHeader(n)));
    }
  }

  @Test
  void flush_withoutBuffer_isRefused() {
    RespWriter w = new RespWriter();
    w.ok();
    assertThrows(IllegalStateException.class, w::flush);
  }

  static String written(int protocol, Consumer<RespWriter> write) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
    try {
      RespWriter w = new RespWriter(buf, protocol);
      write.accept(w);
      w.flush();
      return Wire.readable(buf);
    } finally {
      Wire.release(buf);
    }
  }
}
