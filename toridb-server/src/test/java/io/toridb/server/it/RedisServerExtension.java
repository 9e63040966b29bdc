package io.toridb.server.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} process, the reference the differential tests compare ToriDB with.
 * One process serves the whole test run (it is kept in the root extension store and killed when the
 * run ends). Register it on a static field; a missing {@code redis-server} fails the class with a
 * hint to run {@code scripts/test}.
 */
public final class RedisServerExtension implements BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RedisServerExtension.class);

  private RedisProcess process;

  @Override
  public void beforeAll(ExtensionContext context) {
    process =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                RedisProcess.class, k -> RedisProcess.start(), RedisProcess.class);
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return process.port;
  }

  /** A new raw RESP connection to this Redis. */
  public RespClient connect() throws IOException {
    return new RespClient(host(), port());
  }

  /** The running process; closing it kills it. */
  static final class RedisProcess implements AutoCloseable {
    private static final int ATTEMPTS = 5;
    private static final long READY_TIMEOUT_MS = 20_000;

    final int port;
    private final Process process;
    private final Path dir;

    private RedisProcess(int port, Process process, Path dir) {
      this.port = port;
      this.process = process;
      this.dir = dir;
    }

    static RedisProcess start() {
      String binary = ExternalTools.require("redis-server");
      List<String> failures = new ArrayList<>();
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        try {
          RedisProcess p = tryStart(binary);
          if (p != null) {
            return p;
          }
        } catch (IOException e) {
          failures.add(e.getMessage());
        }
      }
      throw new IllegalStateException("could not start redis-server: " + failures);
    }

    /** Starts Redis on a port that was free a moment ago; null if another process took it. */
    private static RedisProcess tryStart(String binary) throws IOException {
      int port = freePort();
      Path dir = Files.createTempDirectory("redis-it");
      Path log = dir.resolve("redis.log");
      Process process =
          new ProcessBuilder(
                  binary,
                  "--port",
                  String.valueOf(port),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  // As ToriDB by default, so that both log every write and report it alike.
                  "--appendonly",
                  "yes",
                  "--dir",
                  dir.toString(),
                  "--enable-debug-command",
                  "yes")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
      while (System.currentTimeMillis() < deadline) {
        if (!process.isAlive()) {
          String output = Files.readString(log, StandardCharsets.UTF_8);
          ToriServerExtension.deleteRecursively(dir);
          if (output.contains("Address already in use")) {
            return null;
          }
          throw new IOException("redis-server exited: " + output);
        }
        if (answersPing(port)) {
          return new RedisProcess(port, process, dir);
        }
        sleep(50);
      }
      process.destroyForcibly();
      throw new IOException("redis-server did not answer PING on port " + port);
    }

    private static boolean answersPing(int port) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        s.setSoTimeout(1000);
        s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] buf = new byte[7];
        int n = s.getInputStream().readNBytes(buf, 0, 7);
        return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      ToriServerExtension.deleteRecursively(dir);
    }
  }

  /** A port nothing listens on right now (the caller must cope with losing a race for it). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
