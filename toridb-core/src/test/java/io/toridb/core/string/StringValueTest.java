package io.toridb.core.string;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.command.Args;
import io.toridb.core.keyspace.PackedBytes;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class StringValueTest {
  private static String text(StringValue v) {
    return Args.latin1(v.bytes());
  }

  @Test
  void append_neverChangesWhatAnOlderValueShows() {
    StringValue a = StringValue.of(Args.bytes("ab"));
    StringValue b = a.append(Args.bytes("cd"));
    StringValue c = b.append(Args.bytes("ef"));
    // b handed its room on to c, so appending to b again must not overwrite c's bytes.
    StringValue d = b.append(Args.bytes("XY"));
    assertEquals("ab", text(a));
    assertEquals("abcd", text(b));
    assertEquals("abcdef", text(c));
    assertEquals("abcdXY", text(d));
    assertEquals("abcdefgh", text(c.append(Args.bytes("gh"))));
    assertEquals("abcdef", text(c));
  }

  @Test
  void append_onACopy_doesNotShareTheRoom() {
    StringValue a = StringValue.of(Args.bytes("ab")).append(Args.bytes("c"));
    StringValue copy = (StringValue) a.copy();
    StringValue fromCopy = copy.append(Args.bytes("X"));
    StringValue fromOriginal = a.append(Args.bytes("Y"));
    assertEquals("abcX", text(fromCopy));
    assertEquals("abcY", text(fromOriginal));
  }

  @Test
  void setLong_changesOnlyAPlainCounter_andLeavesTheOldBytes() {
    StringValue counter = StringValue.ofLong(20_000);
    byte[] before = counter.array();
    StringValue copy = (StringValue) counter.copy();
    assertTrue(counter.countsInPlace());
    counter.setLong(-123_456_789_012L);
    assertArrayEquals(Args.bytes("-123456789012"), counter.bytes());
    assertArrayEquals(Args.bytes("20000"), before);
    assertArrayEquals(Args.bytes("20000"), copy.bytes());
    assertTrue(counter.isInt());
    StringValue small = StringValue.of(Args.bytes("12"));
    StringValue grown = StringValue.of(Args.bytes("1")).append(Args.bytes("2"));
    StringValue text = StringValue.of(Args.bytes("a long value that is not a number"));
    for (StringValue v : new StringValue[] {small, grown, text}) {
      assertFalse(v.countsInPlace());
      assertThrows(IllegalStateException.class, () -> v.setLong(1));
    }
  }

  @Test
  void append_amortizesGrowth() {
    StringValue v = StringValue.of(Args.bytes("x"));
    byte[] piece = Args.bytes("0123456789");
    int reallocations = 0;
    for (int i = 0; i < 10_000; i++) {
      StringValue next = v.append(piece);
      if (next.array() != v.array()) {
        reallocations++;
      }
      v = next;
    }
    assertEquals(100_001, v.length());
    assertEquals("raw", v.encoding());
    assertEquals(true, reallocations < 30, "reallocations: " + reallocations);
  }

  @Test
  void overwrite_padsWithZerosAndLeavesTheOriginal() {
    StringValue a = StringValue.of(Args.bytes("abc"));
    StringValue b = a.overwrite(5, Args.bytes("Z"));
    assertEquals("abc\0\0Z", text(b));
    assertEquals("abc", text(a));
    assertEquals("raw", b.encoding());
  }

  @Test
  void encodings_followRedis() {
    assertEquals("int", StringValue.of(Args.bytes("-12")).encoding());
    assertEquals("embstr", StringValue.of(Args.bytes("012")).encoding());
    assertEquals("embstr", StringValue.plain(Args.bytes("12")).encoding());
    assertEquals("raw", StringValue.plain(Args.bytes("x".repeat(45))).encoding());
    assertEquals("int", StringValue.ofLong(5).encoding());
  }

  @Test
  void digits_ofSmallValues_areShared() {
    assertSame(StringValue.digits(42), StringValue.digits(42));
    assertArrayEquals(Args.bytes("-9223372036854775808"), StringValue.digits(Long.MIN_VALUE));
  }

  @Property
  void digits_matchLongToString(@ForAll long v) {
    assertEquals(Long.toString(v), Args.latin1(StringValue.digits(v)));
  }

  @Property
  void everyLength_keepsItsBytesEncodingAndCopies(@ForAll byte[] bytes) {
    for (StringValue v :
        new StringValue[] {StringValue.of(bytes.clone()), StringValue.plain(bytes.clone())}) {
      assertEquals(bytes.length <= PackedBytes.MAX, v instanceof StringValue.Small);
      assertArrayEquals(bytes, v.bytes());
      assertArrayEquals(bytes, java.util.Arrays.copyOf(v.array(), v.length()));
      assertEquals(bytes.length, v.length());
      StringValue copy = (StringValue) v.copy();
      assertArrayEquals(bytes, copy.bytes());
      assertEquals(v.encoding(), copy.encoding());
      assertEquals(v.isInt(), copy.isInt());
    }
  }

  @Test
  void smallValues_keepTheirEncoding_andEditLikeOthers() {
    StringValue counter = StringValue.of(Args.bytes("-123456789012345"));
    assertTrue(counter instanceof StringValue.Small);
    assertEquals("int", counter.encoding());
    assertTrue(counter.isInt());
    StringValue text = StringValue.of(Args.bytes("0123456789abcdef"));
    assertEquals("embstr", text.encoding());
    assertEquals("0123456789abcdefXY", text(text.append(Args.bytes("XY"))));
    assertEquals("0123456789abcdef", text(text));
    assertEquals("01Z3456789abcdef", text(text.overwrite(2, Args.bytes("Z"))));
    assertEquals("raw", text.overwrite(2, Args.bytes("Z")).encoding());
    assertEquals(StringValue.VALUE_OVERHEAD + 16, text.memoryUsage());
    assertEquals("", text(StringValue.of(new byte[0])));
  }
}
