package io.toridb.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementalSyncTest {
  @TempDir Path dir;

  private static byte[] data(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  /** A force each time another {@code every} bytes have reached the stream, data unchanged. */
  @Test
  void forcesAfterEveryStretchOfBytes_andPassesTheDataThrough() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    List<Integer> sizeAtForce = new ArrayList<>();
    IncrementalSync sync = new IncrementalSync(sink, 1000, () -> sizeAtForce.add(sink.size()));
    byte[] all = data(4500);
    try (OutputStream out = new BufferedOutputStream(sync, 300)) {
      for (int off = 0; off < all.length; off += 77) {
        out.write(all, off, Math.min(77, all.length - off));
      }
      out.write(7);
    }
    byte[] expected = java.util.Arrays.copyOf(all, all.length + 1);
    expected[all.length] = 7;
    assertArrayEquals(expected, sink.toByteArray());
    assertEquals(4, sync.forces());
    // Each force comes once at least 1000 more bytes are in, at the end of the buffered write
    // that brought them (the buffer holds 300).
    assertEquals(4, sizeAtForce.size());
    for (int i = 0; i < sizeAtForce.size(); i++) {
      int before = i == 0 ? 0 : sizeAtForce.get(i - 1);
      int since = sizeAtForce.get(i) - before;
      assertTrue(since >= 1000 && since < 1000 + 300, "force " + i + " after " + since);
    }
  }

  @Test
  void fewerBytesThanTheStretch_forceNothing() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    IncrementalSync sync = new IncrementalSync(sink, 1000, () -> {});
    sync.write(data(999));
    assertEquals(0, sync.forces());
    sync.write(1);
    assertEquals(1, sync.forces());
  }

  /** Over a real file: the bytes are in the file, whether forcing is on or off. */
  @Test
  void overAFile_writesEveryByte() throws IOException {
    byte[] all = data((int) IncrementalSync.BYTES + 12345);
    for (boolean on : new boolean[] {true, false}) {
      Path f = dir.resolve("f-" + on);
      try (FileChannel ch =
              FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = new BufferedOutputStream(IncrementalSync.over(ch, on), 1 << 16)) {
        out.write(all);
        assertEquals(on, IncrementalSync.over(ch, on) instanceof IncrementalSync);
      }
      assertArrayEquals(all, Files.readAllBytes(f));
    }
  }
}
