package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Startup problems end the process with status 1 and one line that says what is wrong: a port
 * already in use, an unknown directive, a bad value, an unreadable config file.
 */
class StartupErrorsIT {
  @TempDir Path dir;

  /** Runs the server's main with {@code args}; returns its exit status and output. */
  private Result run(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean exited = p.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    assertTrue(exited, "the server kept running instead of failing");
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private record Result(int status, String output) {}

  @Test
  void portInUse_exitsWithStatusOneAndSaysWhichAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Result r =
          run("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString());
      assertEquals(1, r.status(), r.output());
      assertTrue(r.output().contains("Could not bind to 127.0.0.1:" + port), r.output());
    }
  }

  @Test
  void unknownDirective_exitsWithStatusOneNamingIt() throws Exception {
    Result r = run("--no-such-directive", "1", "--dir", dir.toString());
    assertEquals(1, r.status(), r.output());
    assertTrue(r.output().contains("'no-such-directive' is not a known directive"), r.output());
  }

  @Test
  void badValue_exitsWithStatusOneWithRedisReason() throws Exception {
    Result r = run("--port", "notanumber", "--dir", dir.toString());
    assertEquals(1, r.status(), r.output());
    assertTrue(r.output().contains("argument couldn't be parsed into an integer"), r.output());
  }

  @Test
  void unreadableConfigFile_exitsWithStatusOneNamingTheFile() throws Exception {
    Path missing = dir.resolve("missing.conf");
    Result r = run(missing.toString());
    assertEquals(1, r.status(), r.output());
    assertTrue(r.output().contains("Can't read config file '" + missing + "'"), r.output());
  }

  @Test
  void badLineInConfigFile_exitsWithStatusOneNamingTheLine() throws Exception {
    Path conf = dir.resolve("toridb.conf");
    Files.writeString(conf, "# comment\nport 0\nfrobnicate yes\n");
    Result r = run(conf.toString(), "--dir", dir.toString());
    assertEquals(1, r.status(), r.output());
    assertTrue(r.output().contains("at line 3 of " + conf), r.output());
  }

  @Test
  void damagedSnapshot_exitsWithStatusOne_inOneLineNamingTheFileAndTheProblem() throws Exception {
    Path dump = dir.resolve("dump.rdb");
    // A valid empty file with one flipped checksum byte: "REDIS0010", EOF, CRC64.
    byte[] file = new byte[18];
    System.arraycopy("REDIS0010".getBytes(StandardCharsets.US_ASCII), 0, file, 0, 9);
    file[9] = (byte) 0xFF;
    long crc = io.toridb.persistence.rdb.Crc64.of(file, 0, 10);
    for (int i = 0; i < 8; i++) {
      file[10 + i] = (byte) (crc >>> (8 * i));
    }
    file[17] ^= 0x40;
    Files.write(dump, file);
    Result r =
        run("--port", "0", "--bind", "127.0.0.1", "--dir", dir.toString(), "--appendonly", "no");
    assertEquals(1, r.status(), r.output());
    String line =
        r.output()
            .lines()
            .filter(l -> l.contains("Bad RDB file"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(r.output()));
    assertTrue(line.contains(dump.toAbsolutePath().toString()), line);
    assertTrue(line.contains("wrong checksum"), line);
    // The damaged file is left alone (nothing is saved while loading).
    assertEquals(file.length, Files.size(dump));

    Files.writeString(dump, "not a snapshot");
    Result garbage =
        run("--port", "0", "--bind", "127.0.0.1", "--dir", dir.toString(), "--appendonly", "no");
    assertEquals(1, garbage.status(), garbage.output());
    assertTrue(garbage.output().contains("not an RDB file"), garbage.output());
  }
}
