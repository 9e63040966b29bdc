package io.toridb.core.list;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.keyspace.DatasetDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The packed layout of {@link ListValue}: integer entries, node limits, digests. */
class ListValueTest {
  @AfterEach
  void restoreThreshold() {
    ListValue.packedThreshold(0);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] filled(int n) {
    byte[] out = new byte[n];
    Arrays.fill(out, (byte) 'x');
    return out;
  }

  @ParameterizedTest
  @CsvSource({
    "0,3",
    "-1,3",
    "127,3",
    "-128,3",
    "128,4",
    "123456,5",
    "-8388608,5",
    "8388608,6",
    "9223372036854775807,10",
    "-9223372036854775808,10"
  })
  void canonicalIntegers_arePackedAsListpackIntegers(String text, int bytes) {
    byte[] element = b(text);
    assertEquals(bytes, ListEntries.entrySize(element));
    ListValue list = new ListValue(-2);
    list.push(element, true);
    list.push(b("x"), true);
    assertArrayEquals(element, list.get(1));
    assertArrayEquals(element, list.pop(false));
  }

  @ParameterizedTest
  @ValueSource(strings = {"007", "-0", "+1", " 1", "1 ", "1.0", "9223372036854775808", "0x10", ""})
  void nonCanonicalNumbers_stayStrings(String text) {
    byte[] element = b(text);
    assertEquals(text.length() << 1, ListEntries.codeOf(element));
    ListValue list = new ListValue(-2);
    list.push(element, false);
    list.push(b("12"), false);
    assertArrayEquals(element, list.get(0));
    assertEquals(0, list.indexOf(element));
    assertEquals(1, list.indexOf(b("12")));
  }

  @Test
  void integersAndTheirDigits_areTheSameElement() {
    ListValue list = new ListValue(-2);
    for (String s : new String[] {"1", "01", "1", "-5", "x"}) {
      list.push(b(s), false);
    }
    assertEquals(3, list.indexOf(b("-5")));
    assertEquals(2, list.removeAll(b("1"), 0, false));
    List<String> seen = new ArrayList<>();
    list.forEach(
        list.size() - 1,
        list.size(),
        true,
        (buf, off, len) -> seen.add(new String(buf, off, len, StandardCharsets.ISO_8859_1)));
    assertEquals(List.of("x", "-5", "01"), seen);
  }

  @Test
  void fill_isClampedAsRedis() {
    assertEquals(-5, new ListValue(-100).fill());
    assertEquals(32768, new ListValue(1_000_000).fill());
    assertEquals(-2, new ListValue(-2).fill());
  }

  @Test
  void positiveFill_countsEntriesPerNode() {
    ListValue list = new ListValue(5);
    for (int i = 0; i < 23; i++) {
      list.push(b("e" + i), false);
    }
    assertEquals(5, list.nodeCount());
    list.checkInvariants();
  }

  @Test
  void fillZero_putsOneEntryPerNode() {
    ListValue list = new ListValue(0);
    for (int i = 0; i < 4; i++) {
      list.push(b("e"), i % 2 == 0);
    }
    assertEquals(4, list.nodeCount());
  }

  @Test
  void negativeFill_limitsNodeBytes() {
    ListValue list = new ListValue(-2); // 8 KiB nodes
    for (int i = 0; i < 1000; i++) {
      list.push(filled(16), false);
    }
    // 455 entries of 18 bytes fit in 8192.
    assertEquals(3, list.nodeCount());
    ListValue small = new ListValue(-1); // 4 KiB nodes
    for (int i = 0; i < 1000; i++) {
      small.push(filled(16), true);
    }
    assertEquals(5, small.nodeCount());
  }

  @Test
  void positiveFill_stillStopsAtEightKilobytes() {
    ListValue list = new ListValue(1000);
    for (int i = 0; i < 10; i++) {
      list.push(filled(1000), false);
    }
    assertEquals(2, list.nodeCount());
  }

  @Test
  void elementLargerThanANode_getsItsOwnNode() {
    ListValue list = new ListValue(-1);
    list.push(b("a"), false);
    list.push(filled(5000), false);
    list.push(b("b"), false);
    assertEquals(3, list.nodeCount());
    assertArrayEquals(filled(5000), list.get(1));
    list.checkInvariants();
  }

  @Test
  void packedThreshold_givesLargeElementsPlainNodes() {
    assertTrue(ListValue.packedThreshold(10));
    ListValue list = new ListValue(-2);
    list.push(b("small"), false);
    list.push(b("0123456789"), false);
    list.push(b("tiny"), false);
    list.push(b("0123456789ab"), true);
    assertEquals(4, list.nodeCount());
    list.insert(2, b("x"));
    list.set(1, b("0123456789xyz"));
    list.checkInvariants();
    assertArrayEquals(b("0123456789xyz"), list.get(1));
    assertArrayEquals(b("x"), list.get(2));
  }

  @Test
  void packedThreshold_refusesWhatRedisRefuses() {
    assertFalse(ListValue.packedThreshold((1L << 32) - (1L << 20) + 1));
    assertFalse(ListValue.packedThreshold(-1));
    assertTrue(ListValue.packedThreshold((1L << 32) - (1L << 20)));
    assertTrue(ListValue.packedThreshold(0));
  }

  @Test
  void insertIntoAFullNode_splitsIt() {
    ListValue list = new ListValue(4);
    for (int i = 0; i < 8; i++) {
      list.push(b("" + i), false);
    }
    assertEquals(2, list.nodeCount());
    list.insert(2, b("x"));
    list.checkInvariants();
    assertEquals(3, list.nodeCount());
    assertArrayEquals(b("x"), list.get(2));
    assertArrayEquals(b("2"), list.get(3));
  }

  @Test
  void removeAll_mergesThinNodes() {
    ListValue list = new ListValue(4);
    for (int i = 0; i < 40; i++) {
      list.push(b(i % 4 == 0 ? "keep" : "drop"), false);
    }
    assertEquals(10, list.nodeCount());
    assertEquals(30, list.removeAll(b("drop"), 0, false));
    list.checkInvariants();
    assertEquals(3, list.nodeCount());
  }

  @Test
  void removeRange_dropsWholeNodes() {
    ListValue list = new ListValue(3);
    for (int i = 0; i < 30; i++) {
      list.push(b("" + i), false);
    }
    list.removeRange(2, 20);
    list.checkInvariants();
    assertEquals(10, list.size());
    assertArrayEquals(b("1"), list.get(1));
    assertArrayEquals(b("22"), list.get(2));
    list.removeRange(0, 100);
    assertEquals(0, list.size());
    assertEquals(0, list.nodeCount());
  }

  @Test
  void indexOutsideTheList_isRefused() {
    ListValue list = new ListValue(-2);
    list.push(b("a"), false);
    assertThrows(IndexOutOfBoundsException.class, () -> list.get(1));
    assertThrows(IndexOutOfBoundsException.class, () -> list.set(-1, b("x")));
    assertThrows(IndexOutOfBoundsException.class, () -> list.insert(2, b("x")));
  }

  @Test
  void copy_isDeepAndKeepsTheFill() {
    ListValue list = new ListValue(2);
    for (int i = 0; i < 5; i++) {
      list.push(b("" + i), false);
    }
    ListValue copy = (ListValue) list.copy();
    assertNotSame(list, copy);
    assertEquals(2, copy.fill());
    list.set(0, b("changed"));
    assertArrayEquals(b("0"), copy.get(0));
    copy.checkInvariants();
  }

  @Test
  void digest_matchesRedis() {
    // DEBUG DIGEST-VALUE in Redis 7.0.15 after RPUSH l a b c, and after RPUSH l "" 12 "hello
    // world" (then with an expiry).
    ListValue abc = new ListValue(-2);
    for (String s : new String[] {"a", "b", "c"}) {
      abc.push(b(s), false);
    }
    assertEquals("8bf72d812571eea9b927f3c11beb0c4165a6ff89", DatasetDigest.ofValue(abc));
    ListValue mixed = new ListValue(1);
    for (String s : new String[] {"", "12", "hello world"}) {
      mixed.push(b(s), false);
    }
    assertEquals("d15affeb7d61f91d4eba2f2c030d047ec9f40e6c", DatasetDigest.ofValue(mixed));
  }
}
