package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.config.Config;
import io.toridb.server.ToriServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * An in-process ToriDB shared by the tests of one class: on a free port, with a temporary data
 * directory and the DEBUG command enabled. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ToriServerExtension tori = new ToriServerExtension().with("requirepass", "secret");
 * }</pre>
 */
public final class ToriServerExtension implements BeforeAllCallback, AfterAllCallback {
  /**
   * {@code -Dtoridb.it.server=host:port} points the tests whose server needs no special
   * configuration at an already running server instead (a ToriDB started by hand, or a Redis to
   * check the tests themselves).
   */
  static final String EXTERNAL_PROPERTY = "toridb.it.server";

  private final Map<String, String> overrides = new LinkedHashMap<>();
  private final int defaultOverrides;
  private ToriServer server;
  private Path dir;
  private String externalHost;
  private int externalPort;

  public ToriServerExtension() {
    overrides.put("enable-debug-command", "yes");
    // Several engineers share two cores: keep the server small.
    overrides.put("workers", "2");
    overrides.put("io-threads", "1");
    defaultOverrides = overrides.size();
  }

  /** Sets a directive before the server starts, as {@code --name value} would. */
  public ToriServerExtension with(String directive, String value) {
    overrides.put(directive, value);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    stop();
    List<String> leaks = LeakRecorder.collect();
    if (!leaks.isEmpty()) {
      throw new AssertionFailedError(
          "Netty reported "
              + leaks.size()
              + " buffer leak(s) during or before "
              + context.getDisplayName()
              + ":\n"
              + String.join("\n", leaks));
    }
  }

  /** Starts the server (done by the extension; public for tests that manage it themselves). */
  public void start() throws Exception {
    String external = System.getProperty(EXTERNAL_PROPERTY, "").trim();
    if (!external.isEmpty() && overrides.size() == defaultOverrides) {
      int colon = external.lastIndexOf(':');
      externalHost = external.substring(0, colon);
      externalPort = Integer.parseInt(external.substring(colon + 1));
      return;
    }
    dir = Files.createTempDirectory("toridb-it");
    Config config = Config.standard();
    set(config, "port", "0");
    set(config, "bind", "127.0.0.1");
    set(config, "dir", dir.toString());
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      set(config, e.getKey(), e.getValue());
    }
    server = new ToriServer(config);
    server.start();
  }

  public void stop() throws IOException {
    if (server != null) {
      server.shutdown();
      server = null;
    }
    if (dir != null) {
      deleteRecursively(dir);
      dir = null;
    }
  }

  private static void set(Config config, String name, String value) {
    String error = config.require(name).set(value);
    if (error != null) {
      throw new IllegalArgumentException("bad test config " + name + " " + value + ": " + error);
    }
  }

  public ToriServer server() {
    return server;
  }

  public String host() {
    return externalHost != null ? externalHost : "127.0.0.1";
  }

  public int port() {
    return externalHost != null ? externalPort : server.port();
  }

  /** A new raw RESP connection to this server. */
  public RespClient connect() throws IOException {
    return new RespClient(host(), port());
  }

  /**
   * In one script, so that the payload never leaves the server: DUMPs {@code src}, RESTOREs it as
   * {@code dst}, then RESTOREs it as {@code bad} with its 21st byte changed, and replies what that
   * last RESTORE replied.
   */
  public static String dumpRestoreAndDamage(RespClient c, String src, String dst, String bad)
      throws IOException {
    return c.callRaw(
        "EVAL",
        "local d = redis.call('DUMP', KEYS[1]) redis.call('RESTORE', KEYS[2], 0, d)"
            + " local bad = string.sub(d, 1, 20) .. 'x' .. string.sub(d, 22)"
            + " return redis.pcall('RESTORE', KEYS[3], 0, bad)",
        "3",
        src,
        dst,
        bad);
  }

  /** A new Jedis connection to this server that speaks {@code protocol}. */
  public Jedis jedis(RedisProtocol protocol) {
    return new Jedis(
        new HostAndPort(host(), port()),
        DefaultJedisClientConfig.builder().protocol(protocol).build());
  }

  /** A setting made with CONFIG SET for one test; closing it puts the value before it back. */
  public interface Setting extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /**
   * CONFIG SETs {@code directive} to {@code value} (which must succeed) until the result closes.
   */
  public Setting configured(String directive, String value) throws IOException {
    String previous;
    try (RespClient c = connect()) {
      previous = c.call("CONFIG", "GET", directive).resp().elements().get(1).text();
      assertEquals("+OK\r\n", c.callRaw("CONFIG", "SET", directive, value));
    }
    return () -> {
      try (RespClient c = connect()) {
        assertEquals("+OK\r\n", c.callRaw("CONFIG", "SET", directive, previous));
      }
    };
  }

  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
