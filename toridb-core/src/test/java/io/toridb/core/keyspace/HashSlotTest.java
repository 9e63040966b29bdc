package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashSlotTest {
  private static int slot(String key) {
    return HashSlot.of(key.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void crc16IsXmodem() {
    // The check value of CRC-16/XMODEM, and the one Redis's cluster spec gives.
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0x31C3, HashSlot.crc16(check, 0, check.length));
  }

  @Test
  void slotsMatchRedis() {
    // Values from CLUSTER KEYSLOT on Redis 7.0.
    assertEquals(12182, slot("foo"));
    assertEquals(5061, slot("bar"));
    assertEquals(866, slot("hello"));
    assertEquals(0, slot(""));
  }

  @Test
  void hashTagsHashOnlyTheTag() {
    assertEquals(slot("user1000"), slot("{user1000}.following"));
    assertEquals(slot("{user1000}.following"), slot("{user1000}.followers"));
    // An empty tag does not count: the whole key is hashed.
    assertEquals(HashSlot.crc16(b("foo{}{bar}"), 0, 10) & 16383, slot("foo{}{bar}"));
    // The tag ends at the first '}' after the first '{'.
    assertEquals(slot("{bar"), slot("foo{{bar}}zap"));
    assertEquals(slot("bar"), slot("foo{bar}{zap}"));
    // No closing brace: the whole key.
    assertEquals(HashSlot.crc16(b("foo{bar"), 0, 7) & 16383, slot("foo{bar"));
  }

  @Test
  void everySlotIsInRange() {
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < 10_000; i++) {
      byte[] key = new byte[r.nextInt(20)];
      r.nextBytes(key);
      int s = HashSlot.of(key);
      if (s < 0 || s >= HashSlot.COUNT) {
        throw new AssertionError("slot out of range: " + s);
      }
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
