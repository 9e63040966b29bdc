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
  void holdsRecordsOfEverySizeInOrderAndReadsAnyRange() {
    Random random = new Random(42);
    PendingBytes pending = new PendingBytes();
    for (int round = 0; round < 3; round++) {
      long base = pending.end();
      assertEquals(base, pending.begin(), "everything before was released");
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      while (expected.size() < 3 * PendingBytes.CHUNK) {
        byte[] record = new byte[size(random)];
        random.nextBytes(record);
        pending.add(record);
        expected.write(record, 0, record.length);
      }
      byte[] all = expected.toByteArray();
      assertEquals(all.length, pending.size());
      assertEquals(base + all.length, pending.end());
      int[] offsets = {
        0, 1, PendingBytes.CHUNK - 1, PendingBytes.CHUNK, PendingBytes.CHUNK + 1, all.length - 1
      };
      for (int from : offsets) {
        assertArrayEquals(Arrays.copyOfRange(all, from, all.length), read(pending, base, from));
      }
      for (int i = 0; i < 50; i++) {
        int from = random.nextInt(all.length + 1);
        int to = from + random.nextInt(all.length - from + 1);
        assertArrayEquals(
            Arrays.copyOfRange(all, from, to),
            concat(pending.views(base + from, base + to)),
            "bytes " + from + " to " + to);
      }
      assertEquals(0, pending.views(pending.end(), pending.end()).length, "nothing past the end");
      // Views leave the held bytes as they were: reading twice gives the same.
      assertArrayEquals(all, read(pending, base, 0));
      // Releasing part of the bytes keeps the rest readable at the same offsets.
      int half = all.length / 2;
      pending.release(base + half);
      assertEquals(base + half, pending.begin());
      assertArrayEquals(Arrays.copyOfRange(all, half, all.length), read(pending, base, half));
      pending.release(pending.end());
      assertTrue(pending.isEmpty());
    }
  }

  @Test
  void bytesPutInTheRoomGiven_areHeldInOrder_andNeverStraddleChunks() {
    PendingBytes pending = new PendingBytes();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] record = new byte[1 + random.nextInt(PendingBytes.OWN_ENTRY - 1)];
      random.nextBytes(record);
      ByteBuffer room = pending.room(record.length);
      assertTrue(room.remaining() >= record.length);
      room.put(record);
      pending.added(record.length);
      expected.write(record, 0, record.length);
    }
    assertArrayEquals(expected.toByteArray(), read(pending, 0, 0));
  }

  @Test
  void thePoolFollowsTheChunksRecentPeriodsUsed() {
    PendingBytes pending = new PendingBytes();
    byte[] record = new byte[1024];
    int perChunk = PendingBytes.CHUNK / record.length;
    fill(pending, record, 40 * perChunk);
    pending.release(pending.end());
    // The last chunk is still being filled: it stays in use, the 39 others go to the pool.
    assertEquals(39, pending.pooled(), "a steady rate finds every chunk it used again");
    fill(pending, record, 40 * perChunk);
    pending.release(pending.end());
    assertEquals(40, pending.pooled());
    fill(pending, record, 2 * perChunk);
    pending.release(pending.end());
    assertEquals(40, pending.pooled(), "one quiet period keeps the chunks of the busy one before");
    fill(pending, record, 2 * perChunk);
    pending.release(pending.end());
    assertEquals(2, pending.pooled(), "two quiet periods in a row give the rest back");
    pending.release(pending.end());
    pending.release(pending.end());
    assertEquals(0, pending.pooled());
    fill(pending, record, (PendingBytes.POOL_MAX + 10) * perChunk);
    pending.release(pending.end());
    assertEquals(PendingBytes.POOL_MAX, pending.pooled(), "never more than the bound");
  }

  @Test
  void memoryCountsEachChunkOnce_andReleasingGivesItBack() {
    PendingBytes pending = new PendingBytes();
    pending.add(new byte[100]);
    pending.add(new byte[PendingBytes.OWN_ENTRY]);
    pending.add(new byte[100]);
    assertEquals(PendingBytes.CHUNK + PendingBytes.OWN_ENTRY, pending.memory());
    pending.add(new byte[PendingBytes.CHUNK - 300]);
    assertEquals(
        PendingBytes.CHUNK + PendingBytes.OWN_ENTRY + PendingBytes.CHUNK - 300,
        pending.memory(),
        "large records are kept as they are, the small ones share one chunk");
    pending.release(pending.end());
    assertEquals(PendingBytes.CHUNK, pending.memory(), "the chunk being filled stays");
    pending.add(new byte[PendingBytes.CHUNK / 2]);
    pending.add(new byte[PendingBytes.CHUNK / 2]);
    pending.release(pending.end());
    assertEquals(
        PendingBytes.CHUNK,
        pending.memory(),
        "large records go once on disk, the chunk being filled stays");
  }

  private static void fill(PendingBytes pending, byte[] record, int records) {
    for (int i = 0; i < records; i++) {
      pending.add(record);
    }
  }

  @Test
  void aChunkReusedAfterReleaseHoldsOnlyNewBytes() {
    PendingBytes pending = new PendingBytes();
    byte[] old = new byte[1000];
    Arrays.fill(old, (byte) 7);
    int perChunk = PendingBytes.CHUNK / old.length;
    fill(pending, old, perChunk + 1);
    pending.release(pending.end());
    assertEquals(1, pending.pooled(), "the first chunk is free again");
    fill(pending, old, perChunk - 1);
    byte[] fresh = new byte[200];
    Arrays.fill(fresh, (byte) 3);
    pending.add(fresh);
    pending.add(fresh);
    assertEquals(0, pending.pooled(), "the fresh records went to the pooled chunk");
    byte[] want = new byte[400];
    Arrays.fill(want, (byte) 3);
    assertArrayEquals(want, concat(pending.views(pending.end() - 400, pending.end())));
  }

  /**
   * A chunk whose first bytes are released while the bytes after a large record in it are not (the
   * rest of the chunk, an entry of its own) stays out of the pool until those are released too.
   */
  @Test
  void aChunkStillHoldingBytesAfterALargeRecord_isNotReused() {
    PendingBytes pending = new PendingBytes();
    pending.add(filled(100, 1));
    pending.add(filled(PendingBytes.OWN_ENTRY, 2));
    byte[] kept = filled(100, 3);
    long keptAt = pending.end();
    pending.add(kept);
    byte[] small = filled(1000, 4);
    int perChunk = PendingBytes.CHUNK / small.length;
    fill(pending, small, perChunk);
    pending.release(keptAt);
    fill(pending, filled(1000, 9), 3 * perChunk);
    assertArrayEquals(kept, concat(pending.views(keptAt, keptAt + kept.length)));
    pending.release(pending.end());
    assertArrayEquals(new byte[0], concat(pending.views(pending.end(), pending.end())));
  }

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) value);
    return b;
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
    assertArrayEquals(expected.toByteArray(), read(pending, 0, 0));
    int from = PendingBytes.OWN_ENTRY + 100 + 7;
    byte[] all = expected.toByteArray();
    assertArrayEquals(Arrays.copyOfRange(all, from, all.length), read(pending, 0, from));
  }

  private static int size(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> PendingBytes.OWN_ENTRY + random.nextInt(3 * PendingBytes.CHUNK);
      case 1 -> PendingBytes.OWN_ENTRY - 1 - random.nextInt(10);
      case 2 -> 1;
      default -> 12 + random.nextInt(200);
    };
  }

  /** The bytes from {@code from} (counted from stream offset {@code base}) to the end. */
  private static byte[] read(PendingBytes pending, long base, int from) {
    return concat(pending.views(base + from, pending.end()));
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
