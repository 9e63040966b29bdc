package io.toridb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Round trips of random reply trees: through {@link RespReply#encode} and the parser (every RESP3
 * type, attributes included), through {@link RespWriter} in RESP3 and RESP2 and back through the
 * parser, split into reads at random points, and through a blocking stream.
 */
class RespReplyPropertyTest {

  @Property(tries = 500, seed = "8001")
  void encodeThenParse_givesTheSameReply(@ForAll("anyReplies") RespReply reply) throws Exception {
    assertEquals(reply, RespReplyParser.parseOne(reply.encode()));
  }

  @Property(tries = 300, seed = "8002")
  void parse_ofRepliesSplitIntoRandomReads_givesEachReplyOnceComplete(
      @ForAll("replyLists") List<RespReply> replies, @ForAll List<@IntRange(min = 0) Integer> cuts)
      throws Exception {
    byte[] wire = encodeAll(replies);
    RespReplyParser parser = new RespReplyParser();
    List<RespReply> parsed = new ArrayList<>();
    ByteBuf cumulation = PooledByteBufAllocator.DEFAULT.directBuffer();
    try {
      for (byte[] read : Wire.split(wire, cutPoints(cuts, wire))) {
        cumulation.writeBytes(read);
        RespReply r;
        while ((r = parser.parse(cumulation)) != null) {
          parsed.add(r);
        }
        cumulation.discardReadBytes();
      }
      assertFalse(cumulation.isReadable());
    } finally {
      Wire.release(cumulation);
    }
    assertEquals(replies, parsed);
  }

  @Property(tries = 40, seed = "8003")
  void parse_splitAtEveryByteBoundary_givesTheSameReply(@ForAll("anyReplies") RespReply reply)
      throws Exception {
    byte[] wire = reply.encode();
    for (int cut = 0; cut <= wire.length; cut++) {
      RespReplyParser parser = new RespReplyParser();
      ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer();
      try {
        in.writeBytes(wire, 0, cut);
        if (cut < wire.length) {
          assertNull(parser.parse(in), "cut at " + cut);
        }
        in.writeBytes(wire, cut, wire.length - cut);
        assertEquals(reply, parser.parse(in), "cut at " + cut);
      } finally {
        Wire.release(in);
      }
    }
  }

  @Property(tries = 300, seed = "8004")
  void readFromStream_givesEachReplyThenNull(@ForAll("replyLists") List<RespReply> replies)
      throws Exception {
    BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(encodeAll(replies)));
    RespReplyParser parser = new RespReplyParser();
    for (RespReply expected : replies) {
      assertEquals(expected, parser.read(in));
    }
    assertNull(parser.read(in));
  }

  @Property(tries = 500, seed = "8005")
  void writtenInResp3_parsesBackAsTheReply(@ForAll("writableReplies") RespReply reply)
      throws Exception {
    assertEquals(asResp3Writes(reply), parseWritten(reply, 3));
  }

  @Property(tries = 500, seed = "8006")
  void writtenInResp2_parsesBackAsItsResp2Form(@ForAll("writableReplies") RespReply reply)
      throws Exception {
    assertEquals(asResp2(reply), parseWritten(reply, 2));
  }

  @Property(tries = 1000, seed = "8007")
  void render_ofDifferentReplies_differs(
      @ForAll("nearReplies") RespReply a, @ForAll("nearReplies") RespReply b) {
    if (a.equals(b)) {
      assertEquals(a.render(), b.render());
    } else {
      assertNotEquals(a.render(), b.render());
    }
  }

  // ---- generators ----

  @Provide
  Arbitrary<RespReply> anyReplies() {
    return replies(3, wideLeaves(true), true);
  }

  @Provide
  Arbitrary<List<RespReply>> replyLists() {
    return replies(2, wideLeaves(true), true).list().ofMaxSize(5);
  }

  /** Replies RespWriter can produce: no RESP3 null of their own, no attributes or bulk errors. */
  @Provide
  Arbitrary<RespReply> writableReplies() {
    return replies(3, wideLeaves(false), false);
  }

  /** Replies from a narrow alphabet, so that two of them often differ only a little. */
  @Provide
  Arbitrary<RespReply> nearReplies() {
    Arbitrary<byte[]> ab =
        Arbitraries.strings().withChars("a\"\\ ").ofMaxLength(2).map(Wire::bytes);
    Arbitrary<RespReply> leaves =
        Arbitraries.oneOf(
            ab.map(RespReply::bulkString),
            ab.map(b -> RespReply.simpleString(Wire.latin1(b))),
            ab.map(b -> RespReply.simpleError(Wire.latin1(b))),
            ab.map(b -> RespReply.verbatim("txt", b)),
            ab.map(RespReply::bulkError),
            Arbitraries.longs().between(0, 2).map(RespReply::integer),
            Arbitraries.of("1", "2", "inf").map(RespReply::doubleText),
            Arbitraries.of("1", "2").map(RespReply::bigNumber),
            Arbitraries.of(
                RespReply.nullBulkString(),
                RespReply.nullArray(),
                RespReply.nullValue(),
                RespReply.bool(true),
                RespReply.bool(false)));
    return replies(2, leaves, true);
  }

  private static Arbitrary<RespReply> wideLeaves(boolean everyType) {
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(20);
    Arbitrary<String> line =
        Arbitraries.strings()
            .withCharRange('\u0000', '\u00ff')
            .excludeChars('\r', '\n')
            .ofMaxLength(12);
    Arbitrary<Double> doubles =
        Arbitraries.oneOf(
            Arbitraries.doubles(),
            Arbitraries.longs().map(Double::longBitsToDouble),
            Arbitraries.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e17));
    List<Arbitrary<? extends RespReply>> leaves = new ArrayList<>();
    leaves.add(line.map(RespReply::simpleString));
    leaves.add(line.map(RespReply::simpleError));
    leaves.add(Arbitraries.longs().map(RespReply::integer));
    leaves.add(bytes.map(RespReply::bulkString));
    leaves.add(Arbitraries.just(RespReply.nullBulkString()));
    leaves.add(Arbitraries.just(RespReply.nullArray()));
    leaves.add(Arbitraries.of(true, false).map(RespReply::bool));
    leaves.add(doubles.map(RespReply::doubleValue));
    leaves.add(
        Arbitraries.bigIntegers()
            .between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40))
            .map(RespReply::bigNumber));
    leaves.add(
        Combinators.combine(Arbitraries.strings().withCharRange('a', 'z').ofLength(3), bytes)
            .as(RespReply::verbatim));
    if (everyType) {
      leaves.add(Arbitraries.just(RespReply.nullValue()));
      leaves.add(bytes.map(RespReply::bulkError));
    }
    return Arbitraries.oneOf(leaves);
  }

  /** Trees of up to {@code depth} levels of aggregates over {@code leaves}. */
  private static Arbitrary<RespReply> replies(
      int depth, Arbitrary<RespReply> leaves, boolean attributes) {
    Arbitrary<RespReply> node = leaves;
    if (depth > 0) {
      Arbitrary<RespReply> child = replies(depth - 1, leaves, attributes);
      Arbitrary<RespReply.Kind> kinds =
          Arbitraries.of(
              RespReply.Kind.ARRAY, RespReply.Kind.MAP, RespReply.Kind.SET, RespReply.Kind.PUSH);
      Arbitrary<RespReply> aggregate =
          Combinators.combine(kinds, child.list().ofMaxSize(4))
              .as(
                  (kind, elements) -> {
                    return RespReply.aggregate(
                        kind, kind.isKeyed() ? evenPrefix(elements) : elements);
                  });
      node = Arbitraries.frequencyOf(Tuple.of(2, leaves), Tuple.of(1, aggregate));
    }
    if (!attributes) {
      return node;
    }
    Arbitrary<RespReply> attribute =
        leaves.list().ofMaxSize(4).map(kv -> RespReply.attribute(evenPrefix(kv)));
    return Combinators.combine(node, attribute, Arbitraries.integers().between(0, 9))
        .as((n, a, roll) -> roll == 0 ? n.withAttribute(a) : n);
  }

  /** Keys and values in turn: drops a trailing key without a value. */
  private static List<RespReply> evenPrefix(List<RespReply> kv) {
    return kv.subList(0, kv.size() - kv.size() % 2);
  }

  // ---- writer mapping ----

  private static RespReply parseWritten(RespReply reply, int protocol) throws Exception {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
    try {
      RespWriter w = new RespWriter(buf, protocol);
      write(w, reply);
      w.flush();
      RespReply parsed = new RespReplyParser().parse(buf);
      assertFalse(buf.isReadable(), "bytes left after the reply");
      return parsed;
    } finally {
      Wire.release(buf);
    }
  }

  /** Writes {@code r} through the writer's API. */
  private static void write(RespWriter w, RespReply r) {
    switch (r.kind()) {
      case SIMPLE_STRING -> w.simple(Wire.latin1(r.bytes()));
      case SIMPLE_ERROR -> w.error(Wire.latin1(r.bytes()));
      case INTEGER -> w.integer(r.integer());
      case BULK_STRING -> w.bulkOrNull(r.isNull() ? null : r.bytes());
      case BOOLEAN -> w.bool(r.bool());
      case DOUBLE -> w.doubleValue(doubleOf(r));
      case BIG_NUMBER -> w.bigNumber(r.bigNumber().toString());
      case VERBATIM_STRING -> w.verbatim(r.verbatimFormat(), r.verbatimText());
      case ARRAY, MAP, SET, PUSH -> {
        if (r.isNull()) {
          w.nullArray();
          return;
        }
        switch (r.kind()) {
          case ARRAY -> w.arrayHeader(r.size());
          case MAP -> w.mapHeader(r.size());
          case SET -> w.setHeader(r.size());
          default -> w.pushHeader(r.size());
        }
        r.elements().forEach(e -> write(w, e));
      }
      default -> throw new IllegalArgumentException("not writable: " + r.kind());
    }
  }

  /** The double a DOUBLE reply was made from, keeping the sign of a NaN. */
  private static double doubleOf(RespReply r) {
    boolean negativeNan = Wire.latin1(r.bytes()).equals("-nan");
    return negativeNan ? Double.longBitsToDouble(0xfff8000000000000L) : r.doubleValue();
  }

  /** What RESP3 makes of a writable reply: both RESP2 nulls become RESP3's null. */
  private static RespReply asResp3Writes(RespReply r) {
    if (r.isNull()) {
      return RespReply.nullValue();
    }
    if (r.kind().isAggregate()) {
      return RespReply.aggregate(r.kind(), map(r.elements(), RespReplyPropertyTest::asResp3Writes));
    }
    return r;
  }

  /** The RESP2 form of a writable reply, as Redis downgrades each RESP3 type. */
  private static RespReply asResp2(RespReply r) {
    return switch (r.kind()) {
      case BOOLEAN -> RespReply.integer(r.bool() ? 1 : 0);
      case DOUBLE, BIG_NUMBER -> RespReply.bulkString(r.bytes());
      case VERBATIM_STRING -> RespReply.bulkString(r.verbatimText());
      case MAP, SET, PUSH -> RespReply.array(map(r.elements(), RespReplyPropertyTest::asResp2));
      case ARRAY ->
          r.isNull() ? r : RespReply.array(map(r.elements(), RespReplyPropertyTest::asResp2));
      default -> r;
    };
  }

  private static List<RespReply> map(List<RespReply> in, Function<RespReply, RespReply> f) {
    List<RespReply> out = new ArrayList<>(in.size());
    in.forEach(e -> out.add(f.apply(e)));
    return out;
  }

  private static byte[] encodeAll(List<RespReply> replies) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    replies.forEach(r -> out.writeBytes(r.encode()));
    return out.toByteArray();
  }

  private static int[] cutPoints(List<Integer> cuts, byte[] data) {
    TreeSet<Integer> points = new TreeSet<>();
    for (int c : cuts) {
      points.add(c % (data.length + 1));
    }
    return points.stream().mapToInt(Integer::intValue).toArray();
  }
}
