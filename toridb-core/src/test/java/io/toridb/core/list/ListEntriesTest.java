package io.toridb.core.list;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The entry codec of list nodes: codes, varint widths, integer text. */
class ListEntriesTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] filled(int n) {
    byte[] out = new byte[n];
    Arrays.fill(out, (byte) 'x');
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 63, 64, 8191, 8192, 1048575, 1048576})
  void stringEntries_roundTripAtEveryVarintWidth(int len) {
    byte[] element = filled(len);
    byte[] data = ListEntries.encode(element);
    assertEquals(ListEntries.entrySize(element), data.length);
    int code = ListEntries.readCode(data, 0);
    assertEquals(code, ListEntries.readCodeBackward(data, data.length));
    assertEquals(len << 1, code);
    ListValue list = new ListValue(-2);
    list.push(element, false);
    assertArrayEquals(element, list.get(0));
  }

  @ParameterizedTest
  @CsvSource({"0,1", "63,1", "64,2", "8191,2", "8192,3", "1048576,4", "134217728,5"})
  void stringCodes_growBySevenBits(int len, int bytes) {
    assertEquals(bytes, ListEntries.varintSize(len << 1));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 7, -7, 10, 99, -100, Long.MAX_VALUE, Long.MIN_VALUE, 1234567890123L})
  void formatLong_writesTheDecimalText(long v) {
    byte[] out = new byte[20];
    int len = ListEntries.formatLong(v, out);
    assertEquals(Long.toString(v), new String(out, 0, len, StandardCharsets.ISO_8859_1));
  }

  @Test
  void sixteenByteElements_takeEighteenBytesAsInAListpack() {
    assertEquals(18, ListEntries.entrySize(b("value-0000000001")));
  }
}
