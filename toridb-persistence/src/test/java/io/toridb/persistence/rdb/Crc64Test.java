package io.toridb.persistence.rdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Crc64Test {
  @Test
  void checkValue_matchesRedissTestVector() {
    byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xe9c6d914c4b8d9caL, Crc64.of(data, 0, data.length));
  }

  @Test
  void empty_isZero() {
    assertEquals(0L, Crc64.of(new byte[0], 0, 0));
  }

  @Test
  void update_inPieces_equalsOneCall() {
    byte[] data = "Lorem ipsum dolor sit amet".getBytes(StandardCharsets.US_ASCII);
    long whole = Crc64.of(data, 0, data.length);
    long pieces = Crc64.update(Crc64.update(0, data, 0, 7), data, 7, data.length - 7);
    assertEquals(whole, pieces);
  }
}
