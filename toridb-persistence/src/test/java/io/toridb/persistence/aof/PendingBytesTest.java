package io.toridb.persistence.aof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PendingBytesTest {
  @Test
  void holdsRecordsOfEverySizeInOrderAndReadsFromAnyOffset() {
    Random random = new Random(42);
    PendingBytes pending = new PendingBytes();
    for (int round = 0; round < 3; round++) {
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      int records = 0;
      while (expected.size() < 3 * PendingBytes.CHUNK) {
        byte[] record = new byte[size(random)];
        random.nextBytes(record);
        pending.add(record);
        expected.write(record, 0, record.length);
        records++;
      }
      byte[] all = expected.toByteArray();
      assertEquals(all.length, pending.size());
      assertEquals(records, pending.records());
      int[] offsets = {
        0, 1, PendingBytes.CHUNK - 1, PendingBytes.CHUNK, PendingBytes.CHUNK + 1, all.length - 1
      };
      for (int from : offsets) {
        assertArrayEquals(
            Arrays.copyOfRange(all, from, all.length), concat(pending.range(from, pending.size())));
      }
      for (int i = 0; i < 50; i++) {
        int from = random.nextInt(all.length + 1);
        assertArrayEquals(
            Arrays.copyOfRange(all, from, all.length), concat(pending.range(from, pending.size())));
      }
      assertEquals(0, pending.range(all.length, pending.size()).length, "nothing past the end");
      for (int i = 0; i < 50; i++) {
        int from = random.nextInt(all.length + 1);
        int to = from + random.nextInt(all.length - from + 1);
        assertArrayEquals(
            Arrays.copyOfRange(all, from, to),
            concat(pending.range(from, to)),
            "range " + from + " to " + to);
      }
      assertArrayEquals(
          Arrays.copyOfRange(all, PendingBytes.CHUNK - 1, PendingBytes.CHUNK + 1),
          concat(pending.range(PendingBytes.CHUNK - 1, PendingBytes.CHUNK + 1)),
          "across a chunk boundary");
      // Views leave the held bytes as they were: reading twice gives the same.
      assertArrayEquals(all, concat(pending.range(0, pending.size())));
      pending.clear();
      assertTrue(pending.isEmpty());
      assertEquals(0, pending.records());
      assertEquals(0, pending.range(0, pending.size()).length);
    }
  }

  @Test
  void thePoolFollowsTheChunksRecentPeriodsUsed() {
    PendingBytes pending = new PendingBytes();
    byte[] record = new byte[1024];
    int perChunk = PendingBytes.CHUNK / record.length;
    fill(pending, record, 40 * perChunk);
    pending.clear();
    assertEquals(40, pending.pooled(), "a steady rate finds every chunk it used again");
    fill(pending, record, 40 * perChunk);
    pending.clear();
    assertEquals(40, pending.pooled());
    fill(pending, record, 2 * perChunk);
    pending.clear();
    assertEquals(40, pending.pooled(), "one quiet period keeps the chunks of the busy one before");
    fill(pending, record, 2 * perChunk);
    pending.clear();
    assertEquals(2, pending.pooled(), "two quiet periods in a row give the rest back");
    pending.clear();
    assertEquals(2, pending.pooled());
    pending.clear();
    assertEquals(0, pending.pooled());
    fill(pending, record, (PendingBytes.POOL_MAX + 10) * perChunk);
    pending.clear();
    assertEquals(PendingBytes.POOL_MAX, pending.pooled(), "never more than the bound");
  }

  private static void fill(PendingBytes pending, byte[] record, int records) {
    for (int i = 0; i < records; i++) {
      pending.add(record);
    }
  }

  @Test
  void aChunkReusedAfterClearHoldsOnlyNewBytes() {
    PendingBytes pending = new PendingBytes();
    byte[] old = new byte[1000];
    Arrays.fill(old, (byte) 7);
    pending.add(old);
    pending.clear();
    byte[] fresh = {1, 2, 3};
    pending.add(fresh);
    assertArrayEquals(fresh, concat(pending.range(0, pending.size())));
  }

  /**
   * Large records between small ones: the small ones go on filling the chunk they started, after
   * each large record, instead of taking a new chunk each time.
   */
  @Test
  void smallRecordsBetweenLargeOnesShareTheirChunk() {
    PendingBytes pending = new PendingBytes();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    long large = 0;
    for (int i = 0; i < 200; i++) {
      byte[] big = new byte[PendingBytes.OWN_ENTRY];
      Arrays.fill(big, (byte) i);
      byte[] small = new byte[100];
      Arrays.fill(small, (byte) -i);
      pending.add(big);
      pending.add(small);
      expected.write(big, 0, big.length);
      expected.write(small, 0, small.length);
      large += big.length;
    }
    assertEquals(large + PendingBytes.CHUNK, pending.memory(), "one chunk for all the small ones");
    assertArrayEquals(expected.toByteArray(), concat(pending.range(0, pending.size())));
    int from = PendingBytes.OWN_ENTRY + 100 + 7;
    byte[] all = expected.toByteArray();
    assertArrayEquals(
        Arrays.copyOfRange(all, from, all.length), concat(pending.range(from, pending.size())));
  }

  private static int size(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> PendingBytes.OWN_ENTRY + random.nextInt(3 * PendingBytes.CHUNK);
      case 1 -> PendingBytes.OWN_ENTRY - 1 - random.nextInt(10);
      case 2 -> 1;
      default -> 12 + random.nextInt(200);
    };
  }

  private static byte[] concat(ByteBuffer[] buffers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ByteBuffer b : buffers) {
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      out.write(bytes, 0, bytes.length);
    }
    return out.toByteArray();
  }
}
