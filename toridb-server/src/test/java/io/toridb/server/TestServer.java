package io.toridb.server;

import io.toridb.core.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** A ToriServer started in-process on a free port, with DEBUG enabled, for over-the-wire tests. */
final class TestServer implements AutoCloseable {
  final ToriServer server;
  final Path dir;

  private TestServer(ToriServer server, Path dir) {
    this.server = server;
    this.dir = dir;
  }

  static TestServer start() throws Exception {
    return start(c -> {});
  }

  /** Starts a server; {@code tweak} may change the configuration before it starts. */
  static TestServer start(Consumer<Config> tweak) throws Exception {
    Path dir = Files.createTempDirectory("toridb-test");
    Config config = Config.standard();
    config.require("port").set("0");
    config.require("dir").set(dir.toString());
    config.require("enable-debug-command").set("yes");
    config.require("workers").set("2");
    config.require("io-threads").set("1");
    tweak.accept(config);
    ToriServer server = new ToriServer(config);
    try {
      server.start();
    } catch (Exception e) {
      Files.deleteIfExists(dir);
      throw e;
    }
    return new TestServer(server, dir);
  }

  /**
   * Starts a server on the data directory of {@code stopped}, whose server was shut down; closing
   * the new one deletes that directory.
   */
  static TestServer restart(TestServer stopped) throws Exception {
    TestServer t = start(cfg -> cfg.require("dir").set(stopped.dir.toString()));
    Files.deleteIfExists(t.dir);
    return new TestServer(t.server, stopped.dir);
  }

  int port() {
    return server.port();
  }

  RawClient client() throws Exception {
    return new RawClient(port());
  }

  @Override
  public void close() throws Exception {
    server.shutdown();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
