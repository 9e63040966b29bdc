package io.toridb.persistence.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Listpack, ziplist, intset and zipmap blobs: layouts, validation, round trips. */
class BlobFormatsTest {
  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static byte[] hex(String h) {
    return HexFormat.of().parseHex(h.replace(" ", ""));
  }

  @Test
  void listpack_integerEncodings_asRedisWritesThem() {
    ListpackFormat.Builder b = new ListpackFormat.Builder();
    for (long v :
        new long[] {
          0,
          127,
          128,
          -1,
          -4096,
          4095,
          4096,
          -32768,
          32767,
          32768,
          -8388608,
          8388607,
          8388608,
          Integer.MIN_VALUE,
          Integer.MAX_VALUE,
          1L << 31,
          Long.MIN_VALUE,
          Long.MAX_VALUE
        }) {
      b.append(ascii(Long.toString(v)));
    }
    byte[] lp = b.build();
    String[] back =
        Arrays.stream(ListpackFormat.entries(lp)).map(e -> text(e)).toArray(String[]::new);
    assertEquals("0", back[0]);
    assertEquals(Long.toString(Long.MIN_VALUE), back[16]);
    assertEquals(Long.toString(Long.MAX_VALUE), back[17]);
    // 0 and 127: one byte each with a one-byte backlen; 128: a 13-bit integer.
    assertEquals("00017f01c08002", HexFormat.of().formatHex(lp, 6, 13));
  }

  @Test
  void listpack_header_countAndSize() {
    byte[] lp = new ListpackFormat.Builder().append(ascii("a")).append(ascii("bb")).build();
    // total 14 bytes, 2 entries, "a" (81 61 02), "bb" (82 62 62 03), end.
    assertEquals("0e000000020081610282626203ff", HexFormat.of().formatHex(lp));
  }

  @Test
  void listpack_nonCanonicalIntegersStayStrings() {
    byte[] lp =
        new ListpackFormat.Builder()
            .append(ascii("007"))
            .append(ascii("-0"))
            .append(ascii("+1"))
            .append(ascii("9223372036854775808"))
            .build();
    byte[][] e = ListpackFormat.entries(lp);
    assertEquals("007", text(e[0]));
    assertEquals("-0", text(e[1]));
    assertEquals("+1", text(e[2]));
    assertEquals("9223372036854775808", text(e[3]));
  }

  @Property(tries = 200)
  void listpack_roundTrip(@ForAll @Size(max = 50) java.util.List<@Size(max = 5000) byte[]> items) {
    ListpackFormat.Builder b = new ListpackFormat.Builder();
    items.forEach(b::append);
    byte[][] back = ListpackFormat.entries(b.build());
    assertEquals(items.size(), back.length);
    for (int i = 0; i < back.length; i++) {
      byte[] want = items.get(i);
      if (IntegerText.isInteger(want, 0, want.length)) {
        assertEquals(Long.parseLong(text(want)), Long.parseLong(text(back[i])));
      } else {
        assertArrayEquals(want, back[i]);
      }
    }
  }

  @Test
  void listpack_longStrings_use12And32BitHeadersAndMultiByteBacklens() {
    byte[] s12 = new byte[4095];
    byte[] s32 = new byte[20_000];
    Arrays.fill(s12, (byte) 'x');
    Arrays.fill(s32, (byte) 'y');
    byte[][] back =
        ListpackFormat.entries(new ListpackFormat.Builder().append(s12).append(s32).build());
    assertArrayEquals(s12, back[0]);
    assertArrayEquals(s32, back[1]);
  }

  @Test
  void listpack_corrupt_refused() {
    byte[] good = new ListpackFormat.Builder().append(ascii("a")).append(ascii("bb")).build();
    ListpackFormat.entries(good);
    // Wrong total size, missing terminator, count mismatch, bad backlen, bad encoding byte.
    byte[] size = good.clone();
    size[0]++;
    byte[] end = good.clone();
    end[end.length - 1] = 0;
    byte[] count = good.clone();
    count[4] = 3;
    byte[] backlen = good.clone();
    backlen[8] = 9;
    byte[] encoding = good.clone();
    encoding[6] = (byte) 0xF7;
    byte[] stringPastEnd = good.clone();
    stringPastEnd[9] = (byte) 0x8F;
    for (byte[] bad :
        new byte[][] {size, end, count, backlen, encoding, stringPastEnd, hex("00")}) {
      assertThrows(RdbFormatException.class, () -> ListpackFormat.entries(bad));
    }
    // An unknown count (65535) is accepted.
    byte[] unknown = good.clone();
    unknown[4] = (byte) 0xFF;
    unknown[5] = (byte) 0xFF;
    assertEquals(2, ListpackFormat.entries(unknown).length);
  }

  @Test
  void ziplist_everyEncoding_decodes() {
    // prevlen, encoding, data for: "ab", 12 (immediate), -2 (int8), 1000 (int16), -100000 (int24),
    // 2^31-1 (int32), 2^40 (int64).
    byte[] body =
        hex(
            "00 02 6162"
                + " 04 fd"
                + " 02 fe fe"
                + " 03 c0 e803"
                + " 04 f0 6079fe"
                + " 05 d0 ffffff7f"
                + " 06 e0 0000000000010000");
    int total = 10 + body.length + 1;
    int tail = total - 1 - 10;
    byte[] zl = new byte[total];
    zl[0] = (byte) total;
    zl[4] = (byte) tail;
    zl[8] = 7;
    System.arraycopy(body, 0, zl, 10, body.length);
    zl[total - 1] = (byte) 0xFF;
    String[] back =
        Arrays.stream(ZiplistFormat.entries(zl)).map(e -> text(e)).toArray(String[]::new);
    assertArrayEquals(
        new String[] {"ab", "12", "-2", "1000", "-100000", "2147483647", "1099511627776"}, back);
    byte[] wrongTail = zl.clone();
    wrongTail[4]--;
    byte[] wrongPrev = zl.clone();
    wrongPrev[14] = 5;
    byte[] wrongCount = zl.clone();
    wrongCount[8] = 6;
    for (byte[] bad : new byte[][] {wrongTail, wrongPrev, wrongCount}) {
      assertThrows(RdbFormatException.class, () -> ZiplistFormat.entries(bad));
    }
  }

  @Test
  void intset_roundTripAndWidths() {
    long[] small = {-5, 1, 300};
    byte[] blob = IntsetFormat.encode(small, 3);
    assertEquals("0200000003000000fbff01002c01", HexFormat.of().formatHex(blob));
    assertArrayEquals(small, IntsetFormat.values(blob));
    long[] wide = {Long.MIN_VALUE, 0, Long.MAX_VALUE};
    assertArrayEquals(wide, IntsetFormat.values(IntsetFormat.encode(wide, 3)));
    assertEquals(8 + 12, IntsetFormat.encode(new long[] {1, 100_000, 200_000}, 3).length);
  }

  @Test
  void intset_corrupt_refused() {
    for (String bad :
        new String[] {
          "02000000", // short header
          "0300000001000000010000", // unknown width
          "020000000200000001000100", // not ascending
          "02000000020000000100", // count larger than the data
          "0200000000000000", // empty
        }) {
      assertThrows(RdbFormatException.class, () -> IntsetFormat.values(hex(bad)), bad);
    }
  }

  @Test
  void zipmap_pairs_andCorruption() {
    byte[] zm = hex("02 03 666f6f 03 00 626172 05 68656c6c6f 05 02 776f726c64 0000 ff");
    String[] back = Arrays.stream(ZipmapFormat.pairs(zm)).map(e -> text(e)).toArray(String[]::new);
    assertArrayEquals(new String[] {"foo", "bar", "hello", "world"}, back);
    byte[] count = zm.clone();
    count[0] = 3;
    byte[] past = zm.clone();
    past[1] = 40;
    for (byte[] bad : new byte[][] {count, past, hex("00ff"), hex("01")}) {
      assertThrows(RdbFormatException.class, () -> ZipmapFormat.pairs(bad));
    }
  }
}
