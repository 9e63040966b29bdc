package io.toridb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of the request decoder over generated streams: valid streams decode to their requests
 * however the bytes are split into reads, and garbage only ever yields {@link ProtocolException},
 * the same one for every split, without allocating from claimed lengths.
 */
class RespDecoderPropertyTest {

  @Property(tries = 300, seed = "7001")
  void decode_ofValidStream_yieldsEveryRequestInOrder(@ForAll("streams") RequestStreams.Stream s) {
    Decoding.Outcome out = Decoding.decode(s.wire());
    assertNull(out.error());
    assertEquals(s.requests(), out.requests());
    assertTrue(out.idle());
    assertEquals(0, out.unread());
  }

  @Property(tries = 40, seed = "7002")
  void decode_splitAtEveryByteBoundary_matchesWholeStream(
      @ForAll("shortStreams") RequestStreams.Stream s) {
    Decoding.Outcome whole = Decoding.decode(s.wire());
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    for (int cut = 0; cut <= s.wire().length; cut++) {
      assertEquals(whole, Decoding.decode(decoder, Wire.split(s.wire(), cut)), "cut at " + cut);
    }
  }

  @Property(tries = 300, seed = "7003")
  void decode_splitAtRandomPoints_matchesWholeStream(
      @ForAll("streams") RequestStreams.Stream s, @ForAll List<@IntRange(min = 0) Integer> cuts) {
    Decoding.Outcome whole = Decoding.decode(s.wire());
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    assertEquals(whole, Decoding.decode(decoder, Wire.split(s.wire(), cutPoints(cuts, s.wire()))));
  }

  @Property(tries = 200, seed = "7010")
  void decode_overCompositeBufferOfReads_matchesWholeStream(
      @ForAll("streams") RequestStreams.Stream s, @ForAll List<@IntRange(min = 0) Integer> cuts) {
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    List<byte[]> reads = Wire.split(s.wire(), cutPoints(cuts, s.wire()));
    assertEquals(Decoding.decode(s.wire()), Decoding.decodeComposite(decoder, reads));
  }

  @Property(tries = 100, seed = "7004")
  void decode_oneByteAtATime_matchesWholeStream(@ForAll("streams") RequestStreams.Stream s) {
    List<byte[]> bytes = new ArrayList<>();
    for (byte b : s.wire()) {
      bytes.add(new byte[] {b});
    }
    Decoding.Outcome out = Decoding.decode(new RespDecoder(ProtocolLimits.DEFAULTS), bytes);
    assertEquals(Decoding.decode(s.wire()), out);
  }

  @Property(tries = 1000, seed = "7005")
  void decode_ofGarbage_failsOnlyWithProtocolExceptionAndLeavesDecoderIdle(
      @ForAll("garbage") byte[] garbage) {
    Decoding.Outcome out = Decoding.decode(garbage);
    if (out.error() != null) {
      assertTrue(out.idle());
    }
  }

  @Property(tries = 500, seed = "7006")
  void decode_ofGarbage_hasTheSameOutcomeForEverySplit(
      @ForAll("garbage") byte[] garbage, @ForAll List<@IntRange(min = 0) Integer> cuts) {
    Decoding.Outcome whole = Decoding.decode(garbage);
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    assertEquals(whole, Decoding.decode(decoder, Wire.split(garbage, cutPoints(cuts, garbage))));
  }

  @Property(tries = 300, seed = "7007")
  void decode_ofMutatedValidStream_failsOnlyWithProtocolExceptionAlikeForEverySplit(
      @ForAll("streams") RequestStreams.Stream s,
      @ForAll("mutations") List<int[]> mutations,
      @ForAll List<@IntRange(min = 0) Integer> cuts) {
    byte[] wire = s.wire().clone();
    if (wire.length == 0) {
      return;
    }
    for (int[] m : mutations) {
      wire[m[0] % wire.length] = (byte) m[1];
    }
    int keep = mutations.isEmpty() ? wire.length : mutations.get(0)[0] % (wire.length + 1);
    byte[] truncated = Arrays.copyOf(wire, keep);
    for (byte[] input : List.of(wire, truncated)) {
      Decoding.Outcome whole = Decoding.decode(input);
      RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
      assertEquals(whole, Decoding.decode(decoder, Wire.split(input, cutPoints(cuts, input))));
    }
  }

  @Property(tries = 300, seed = "7008")
  void decode_ofGarbage_neverAllocatesFromClaimedLengths(@ForAll("garbage") byte[] garbage) {
    // An untracked heap buffer, so that only the decoder's own allocations are measured.
    ByteBuf in = Unpooled.wrappedBuffer(garbage);
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    long before = Wire.allocatedBytes();
    try {
      decoder.decode(in, argv -> {});
    } catch (ProtocolException expected) {
      // Garbage may be rejected; only the allocations matter here.
    }
    long allocated = Wire.allocatedBytes() - before;
    assertTrue(allocated < 256 * 1024, "allocated " + allocated + " bytes");
  }

  @Property(tries = 200, seed = "7009")
  void decode_unauthenticatedStreamWithinLimits_matchesAuthenticated(
      @ForAll("streams") RequestStreams.Stream s) {
    // Generated requests have at most 6 arguments of at most 24 bytes.
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
    decoder.setAuthenticated(false);
    assertEquals(Decoding.decode(s.wire()), Decoding.decode(decoder, List.of(s.wire())));
  }

  @Property(tries = 300, seed = "7011")
  void decode_throughSmallWindows_matchesTheDefaultWindow(
      @ForAll("streams") RequestStreams.Stream s,
      @ForAll @IntRange(min = RespDecoder.MIN_WINDOW_BYTES, max = 160) int window,
      @ForAll List<@IntRange(min = 0) Integer> cuts) {
    // Streams of several hundred bytes cut into passes of a few dozen: lines and arguments that
    // straddle the window or are longer than it, and passes that start mid-request.
    RespDecoder decoder = new RespDecoder(ProtocolLimits.DEFAULTS, window);
    assertEquals(
        Decoding.decode(s.wire()),
        Decoding.decode(decoder, Wire.split(s.wire(), cutPoints(cuts, s.wire()))));
  }

  @Property(tries = 500, seed = "7012")
  void decode_ofDamagedInputThroughSmallWindows_failsAlikeUnderTightLimits(
      @ForAll("streams") RequestStreams.Stream s,
      @ForAll("garbage") byte[] garbage,
      @ForAll("mutations") List<int[]> mutations,
      @ForAll @IntRange(min = RespDecoder.MIN_WINDOW_BYTES, max = 160) int window,
      @ForAll List<@IntRange(min = 0) Integer> cuts) {
    // Limits below the window size and above it, so that every over-limit check meets lines that
    // end inside the window, past it, and not at all.
    byte[] wire = new byte[s.wire().length + garbage.length];
    System.arraycopy(s.wire(), 0, wire, 0, s.wire().length);
    System.arraycopy(garbage, 0, wire, s.wire().length, garbage.length);
    for (int[] m : mutations) {
      if (wire.length > 0) {
        wire[m[0] % wire.length] = (byte) m[1];
      }
    }
    // Under limits this tight the outcome may depend on how the bytes arrive, so both decoders
    // get the same reads.
    ProtocolLimits tight = new ProtocolLimits(40 + window % 90, 30, 5);
    List<byte[]> reads = Wire.split(wire, cutPoints(cuts, wire));
    assertEquals(
        Decoding.decode(new RespDecoder(tight), reads),
        Decoding.decode(new RespDecoder(tight, window), reads));
  }

  @Provide
  Arbitrary<RequestStreams.Stream> streams() {
    return RequestStreams.streams(8);
  }

  /** Streams short enough to be cut at every byte, each cut a full decode. */
  @Provide
  Arbitrary<RequestStreams.Stream> shortStreams() {
    return RequestStreams.streams(4);
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    return RequestStreams.garbage();
  }

  @Provide
  Arbitrary<List<int[]>> mutations() {
    Arbitrary<Integer> at = Arbitraries.integers().between(0, 1 << 20);
    Arbitrary<Integer> value =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0, 255),
            Arbitraries.of((int) '\r', (int) '\n', (int) '*', (int) '$', (int) '-', (int) '"', 0));
    return Combinators.combine(at, value).as((a, v) -> new int[] {a, v}).list().ofMaxSize(3);
  }

  /** Distinct ascending offsets inside {@code data}, from arbitrary integers. */
  private static int[] cutPoints(List<Integer> cuts, byte[] data) {
    TreeSet<Integer> points = new TreeSet<>();
    for (int c : cuts) {
      points.add(c % (data.length + 1));
    }
    return points.stream().mapToInt(Integer::intValue).toArray();
  }
}
