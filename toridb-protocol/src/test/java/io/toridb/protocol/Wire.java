package io.toridb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.ThreadMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helpers for wire bytes and the buffers that carry them. */
final class Wire {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Wire() {}

  /** The bytes of a string whose chars are ISO-8859-1 bytes ("\u0080" is byte 0x80). */
  static byte[] bytes(String latin1) {
    return latin1.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /**
   * A pooled direct buffer holding {@code bytes}; the caller releases it. Pooled direct buffers are
   * what the server reads into, and the paranoid leak detector tracks them.
   */
  static ByteBuf buffer(byte[] bytes) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(bytes.length, 1));
    return buf.writeBytes(bytes);
  }

  static ByteBuf buffer(String latin1) {
    return buffer(bytes(latin1));
  }

  /** The readable bytes of {@code buf}, without consuming them. */
  static String readable(ByteBuf buf) {
    return buf.toString(buf.readerIndex(), buf.readableBytes(), StandardCharsets.ISO_8859_1);
  }

  /** Releases {@code buf} and checks that this was its last reference. */
  static void release(ByteBuf buf) {
    assertEquals(1, buf.refCnt(), "buffer reference count before the test's release");
    buf.release();
  }

  /** Bytes allocated on the heap by the current thread so far. */
  static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /** Splits {@code data} at the given ascending offsets. */
  static List<byte[]> split(byte[] data, int... cuts) {
    List<byte[]> chunks = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      chunks.add(Arrays.copyOfRange(data, from, cut));
      from = cut;
    }
    chunks.add(Arrays.copyOfRange(data, from, data.length));
    return chunks;
  }
}
