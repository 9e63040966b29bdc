package io.toridb.persistence.aof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real log file: writes land at the position asked for, whatever was written before. */
class LogFileTest {
  @TempDir Path dir;

  private static ByteBuffer text(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void oneBufferAndSeveralBuffers_eachLandAtTheirPosition() throws Exception {
    Path path = dir.resolve("f.aof");
    try (LogFile f = LogFile.open(path)) {
      f.write(new ByteBuffer[] {text("0123456789")}, 0);
      // Several buffers after one: the gathering write must not start where the last one ended.
      f.write(new ByteBuffer[] {text("ab"), text("cd")}, 2);
      // One buffer after several, before where they ended.
      f.write(new ByteBuffer[] {text("X")}, 1);
      // Several at the end, then one past them.
      f.write(new ByteBuffer[] {text("kl"), text("mn")}, 10);
      f.write(new ByteBuffer[] {text("Z")}, 14);
      assertEquals(15, f.size());
    }
    assertArrayEquals(
        "0Xabcd6789klmnZ".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(path));
  }

  @Test
  void aBufferIsWrittenWhole_andConsumed() throws Exception {
    Path path = dir.resolve("g.aof");
    byte[] big = new byte[3 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    ByteBuffer b = ByteBuffer.allocateDirect(big.length);
    b.put(big).flip();
    try (LogFile f = LogFile.open(path)) {
      f.write(new ByteBuffer[] {b}, 5);
    }
    assertEquals(0, b.remaining());
    byte[] back = Files.readAllBytes(path);
    assertEquals(5 + big.length, back.length);
    assertArrayEquals(big, java.util.Arrays.copyOfRange(back, 5, back.length));
  }
}
