package io.toridb.server.it;

import io.toridb.core.config.Config;
import io.toridb.server.ToriServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Servers for the snapshot tests, each over a data directory of the test's choosing: a private
 * redis-server 7.0 process (the shared one of {@link RedisServerExtension} cannot be pointed at a
 * file) and an in-process ToriDB.
 */
final class SnapshotServers {
  private SnapshotServers() {}

  /** A redis-server process on a free port, serving {@code dir}; closing it kills it. */
  static final class Redis implements AutoCloseable {
    final int port;
    final Path dir;
    private final Process process;
    private final Path log;

    private Redis(int port, Path dir, Process process, Path log) {
      this.port = port;
      this.dir = dir;
      this.process = process;
      this.log = log;
    }

    /**
     * Starts Redis with {@code dir} as its data directory, dump.rdb as its file, no save points and
     * no append-only file unless {@code args} (more "--name value" pairs) say otherwise.
     */
    static Redis start(Path dir, String... args) throws IOException {
      String binary = ExternalTools.require("redis-server");
      IOException last = null;
      for (int attempt = 0; attempt < 5; attempt++) {
        int port = RedisServerExtension.freePort();
        Path log = Files.createTempFile("redis-snapshot", ".log");
        List<String> command = new ArrayList<>();
        command.addAll(
            List.of(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
                "--enable-debug-command",
                "yes",
                "--logfile",
                log.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Redis r = new Redis(port, dir, p, log);
        if (r.awaitReady()) {
          return r;
        }
        last = new IOException("redis-server did not start: " + r.log());
        r.close();
      }
      throw last;
    }

    private boolean awaitReady() {
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline && process.isAlive()) {
        try (RespClient c = new RespClient("127.0.0.1", port)) {
          String ping = c.call("PING").rawText();
          if (ping.equals("+PONG\r\n")) {
            return true;
          }
        } catch (IOException e) {
          // Not listening yet, or still loading.
        }
        sleep(50);
      }
      return false;
    }

    RespClient connect() throws IOException {
      return new RespClient("127.0.0.1", port);
    }

    boolean alive() {
      return process.isAlive();
    }

    /** Waits until the process exits; true when it did within the time. */
    boolean awaitExit(long millis) throws InterruptedException {
      return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    String log() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // A leftover log in the temporary directory does no harm.
      }
    }
  }

  /**
   * A ToriDB over {@code dir}, started: appendonly no and no save points unless {@code kv} (name,
   * value pairs) say otherwise.
   */
  static ToriServer tori(Path dir, String... kv) throws Exception {
    Config config = Config.standard();
    List<String> all = new ArrayList<>();
    all.addAll(
        List.of(
            "port",
            "0",
            "bind",
            "127.0.0.1",
            "dir",
            dir.toString(),
            "appendonly",
            "no",
            "save",
            "",
            "enable-debug-command",
            "yes",
            "workers",
            "2",
            "io-threads",
            "1"));
    all.addAll(List.of(kv));
    for (int i = 0; i + 1 < all.size(); i += 2) {
      String error = config.require(all.get(i)).set(all.get(i + 1));
      if (error != null) {
        throw new IllegalArgumentException(all.get(i) + ": " + error);
      }
    }
    ToriServer server = new ToriServer(config);
    server.start();
    return server;
  }

  static RespClient connect(ToriServer server) throws IOException {
    return new RespClient("127.0.0.1", server.port());
  }

  /** Whether a TCP connection to {@code port} is refused. */
  static boolean closed(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Waits up to {@code millis} for {@code condition}; returns its last value. */
  static boolean await(long millis, BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      sleep(20);
    }
    return condition.getAsBoolean();
  }

  /** A field of INFO persistence (or any section), as text. */
  static String info(RespClient c, String field) throws IOException {
    String text = new String(c.call("INFO", "persistence").payload(), StandardCharsets.UTF_8);
    for (String line : text.split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    throw new IllegalStateException("no " + field + " in INFO: " + text);
  }

  /** The same commands on several clients. */
  static void everywhere(List<RespClient> clients, String... argv) throws IOException {
    for (RespClient c : clients) {
      c.call(argv);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void copy(Path fromDir, Path toDir) throws IOException {
    Files.createDirectories(toDir);
    Files.copy(
        fromDir.resolve("dump.rdb"),
        toDir.resolve("dump.rdb"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
