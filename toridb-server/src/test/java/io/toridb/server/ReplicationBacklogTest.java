package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The replication backlog against a plain record of every byte written: what it holds, from which
 * offset, and the ranges it copies out, across many wraps of its ring.
 */
class ReplicationBacklogTest {
  @Test
  void holdsTheLastBytes_andCopiesAnyRangeOfThem() {
    Random random = new Random(7);
    for (int size : new int[] {1, 7, 64, 1000}) {
      long start = random.nextInt(1000);
      Replication.Backlog backlog = new Replication.Backlog(size, start);
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      assertEquals(start + 1, backlog.firstOffset());
      assertEquals(0, backlog.histlen());
      for (int round = 0; round < 500; round++) {
        byte[] chunk = new byte[random.nextInt(size * 2 + 3)];
        random.nextBytes(chunk);
        backlog.write(chunk, 0, chunk.length);
        all.write(chunk, 0, chunk.length);
        byte[] written = all.toByteArray();
        long end = start + written.length;
        long held = Math.min(size, written.length);
        assertEquals(held, backlog.histlen());
        assertEquals(end - held + 1, backlog.firstOffset());
        if (held == 0) {
          continue;
        }
        long from = backlog.firstOffset() + (held == 0 ? 0 : random.nextLong(held));
        long to = from + random.nextLong(end - from + 1);
        ByteBuf out = Unpooled.buffer();
        backlog.copy(from, to, out);
        byte[] expected = Arrays.copyOfRange(written, (int) (from - start - 1), (int) (to - start));
        byte[] got = new byte[out.readableBytes()];
        out.readBytes(got);
        out.release();
        assertArrayEquals(expected, got, "size " + size + " round " + round);
      }
    }
  }

  @Test
  void copiesNothing_forAnEmptyRange() {
    Replication.Backlog backlog = new Replication.Backlog(16, 100);
    backlog.write("abc".getBytes(), 0, 3);
    ByteBuf out = Unpooled.buffer();
    backlog.copy(104, 103, out);
    assertEquals(0, out.readableBytes());
    backlog.copy(101, 103, out);
    assertEquals("abc", out.toString(java.nio.charset.StandardCharsets.US_ASCII));
    out.release();
  }

  @Test
  void encodedSize_isTheSizeOfTheRespArray() {
    byte[][] argv = {"SET".getBytes(), "key".getBytes(), "x".repeat(12).getBytes()};
    String resp = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$12\r\n" + "x".repeat(12) + "\r\n";
    assertEquals(resp.length(), RespRequests.size(argv));
    ByteBuf encoded = RespRequests.encode(argv);
    assertEquals(resp, encoded.toString(java.nio.charset.StandardCharsets.US_ASCII));
    encoded.release();
  }
}
