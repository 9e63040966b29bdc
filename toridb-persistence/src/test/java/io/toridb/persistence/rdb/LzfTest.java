package io.toridb.persistence.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LzfTest {
  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void decompress_literalRunAndOverlappingBackReference() {
    // "a" then a back reference of length 7 + 2 at distance 1: "aaaaaaaaaa".
    byte[] block = {0x00, 'a', (byte) 0xE0, 0x00, 0x00};
    assertArrayEquals(ascii("aaaaaaaaaa"), Lzf.decompress(block, 0, block.length, 10));
  }

  @Test
  void decompress_redisCompressedString() {
    // DUMP of SET k "hello world " x 40 from Redis 7.0.15: an LZF string.
    byte[] payload = io.toridb.persistence.dump.GoldenDumps.named("string-lzf").payload();
    RdbInput in = new RdbInput(payload, 1, payload.length - 10);
    assertArrayEquals(ascii("hello world ".repeat(40)), in.readString());
  }

  @Test
  void decompress_wrongLength_refused() {
    byte[] block = {0x02, 'a', 'b', 'c'};
    assertArrayEquals(ascii("abc"), Lzf.decompress(block, 0, 4, 3));
    assertThrows(RdbFormatException.class, () -> Lzf.decompress(block, 0, 4, 4));
    assertThrows(RdbFormatException.class, () -> Lzf.decompress(block, 0, 4, 2));
  }

  @Test
  void decompress_malformed_refused() {
    // Literal run longer than the input.
    assertThrows(RdbFormatException.class, () -> Lzf.decompress(new byte[] {0x05, 'a'}, 0, 2, 6));
    // Back reference before the start of the output.
    assertThrows(
        RdbFormatException.class,
        () -> Lzf.decompress(new byte[] {0x00, 'a', 0x20, 0x05}, 0, 4, 4));
    // Back reference cut short.
    assertThrows(
        RdbFormatException.class, () -> Lzf.decompress(new byte[] {0x00, 'a', 0x20}, 0, 3, 4));
    assertThrows(
        RdbFormatException.class,
        () -> Lzf.decompress(new byte[] {0x00, 'a', (byte) 0xE0, 0x01}, 0, 4, 20));
  }

  @Test
  void decompress_hugeClaimedLength_allocatesOnlyWhatInputProduces() {
    byte[] block = {0x00, 'a'};
    assertThrows(
        RdbFormatException.class, () -> Lzf.decompress(block, 0, 2, Integer.MAX_VALUE - 8));
  }

  @Test
  void compress_repetitiveText_shrinksAndRoundTrips() {
    byte[] in = ascii("abcabcabcabcabcabcabcabcabcabcabcabcabc-xyz".repeat(20));
    byte[] packed = Lzf.compress(in, 0, in.length);
    assertNotNull(packed);
    assertTrue(packed.length < in.length / 5);
    assertArrayEquals(in, Lzf.decompress(packed, 0, packed.length, in.length));
  }

  @Test
  void compress_incompressible_returnsNull() {
    byte[] in = new byte[100];
    new java.util.Random(7).nextBytes(in);
    assertNull(Lzf.compress(in, 0, in.length));
    assertNull(Lzf.compress(ascii("abcd"), 0, 4));
  }

  @Property(tries = 300)
  void compress_thenDecompress_givesInputBack(@ForAll @Size(max = 3000) byte[] in) {
    // Small alphabets make matches (long and overlapping ones) likely.
    for (int i = 0; i < in.length; i++) {
      in[i] = (byte) (in[i] & 0x03);
    }
    byte[] packed = Lzf.compress(in, 0, in.length);
    if (packed != null) {
      assertTrue(packed.length <= in.length - 4);
      assertArrayEquals(in, Lzf.decompress(packed, 0, packed.length, in.length));
    }
  }

  @Test
  void compress_longRuns_useExtendedLengthsAndFarOffsets() {
    byte[] in = new byte[70_000];
    for (int i = 0; i < in.length; i++) {
      in[i] = (byte) ((i / 9000) + (i % 3 == 0 ? 1 : 0));
    }
    byte[] packed = Lzf.compress(in, 0, in.length);
    assertNotNull(packed);
    assertEquals(in.length, Lzf.decompress(packed, 0, packed.length, in.length).length);
    assertArrayEquals(in, Lzf.decompress(packed, 0, packed.length, in.length));
  }
}
