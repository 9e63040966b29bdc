package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.config.Config;
import io.toridb.server.ToriServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MIGRATE between two standalone servers: moving, copying and replacing keys with their values and
 * TTLs, the deletion surviving a restart of the source, and every refusal with Redis's text.
 */
class MigrateIT {
  @TempDir Path dir;

  private final List<ToriServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    for (ToriServer s : servers) {
      s.shutdown();
    }
  }

  private ToriServer start(Path d) throws Exception {
    Files.createDirectories(d);
    Config config = Config.standard();
    config.require("port").set("0");
    config.require("dir").set(d.toString());
    ToriServer s = new ToriServer(config);
    s.start();
    servers.add(s);
    return s;
  }

  private static String call(ToriServer s, String... argv) throws IOException {
    try (RespClient c = new RespClient("127.0.0.1", s.port())) {
      Reply r = c.call(argv);
      byte[] p = r.payload();
      if (p == null && r.rawText().startsWith(":")) {
        return r.rawText().substring(1).trim();
      }
      return p == null ? r.render() : new String(p, StandardCharsets.UTF_8);
    }
  }

  @Test
  void movesCopiesAndReplacesKeys() throws Exception {
    ToriServer source = start(dir.resolve("a"));
    ToriServer target = start(dir.resolve("b"));
    String port = Integer.toString(target.port());
    call(source, "RPUSH", "list", "a", "b", "c");
    call(source, "SET", "ttl", "v", "PX", "100000");
    call(source, "SET", "copied", "1");
    call(source, "SET", "k1", "x");
    call(source, "SET", "k2", "y");
    assertEquals("OK", call(source, "MIGRATE", "127.0.0.1", port, "list", "0", "5000"));
    assertEquals("0", call(source, "EXISTS", "list"));
    assertEquals("3", call(target, "LLEN", "list"));
    assertEquals("OK", call(source, "MIGRATE", "127.0.0.1", port, "ttl", "3", "5000"));
    long ttl = Long.parseLong(call(target, "PTTL", "ttl").trim());
    assertEquals("0", call(target, "EXISTS", "ttl"));
    try (RespClient c = new RespClient("127.0.0.1", target.port())) {
      c.call("SELECT", "3");
      assertEquals(":1\r\n", c.call("EXISTS", "ttl").rawText());
      String pttl = c.call("PTTL", "ttl").rawText();
      long ms = Long.parseLong(pttl.substring(1).trim());
      assertTrue(ms > 90_000 && ms <= 100_000, pttl);
    }
    assertEquals(-2, ttl);
    assertEquals("OK", call(source, "MIGRATE", "127.0.0.1", port, "copied", "0", "5000", "COPY"));
    assertEquals("1", call(source, "GET", "copied"));
    assertEquals("1", call(target, "GET", "copied"));
    call(source, "SET", "copied", "2");
    assertEquals(
        "ERR Target instance replied with error: BUSYKEY Target key name already exists.",
        call(source, "MIGRATE", "127.0.0.1", port, "copied", "0", "5000"));
    assertEquals("2", call(source, "GET", "copied"));
    assertEquals(
        "OK", call(source, "MIGRATE", "127.0.0.1", port, "copied", "0", "5000", "REPLACE"));
    assertEquals("2", call(target, "GET", "copied"));
    assertEquals("0", call(source, "EXISTS", "copied"));
    assertEquals(
        "OK",
        call(source, "MIGRATE", "127.0.0.1", port, "", "0", "5000", "KEYS", "k1", "k2", "none"));
    assertEquals("0", call(source, "EXISTS", "k1", "k2"));
    assertEquals("2", call(target, "EXISTS", "k1", "k2"));
    assertEquals("NOKEY", call(source, "MIGRATE", "127.0.0.1", port, "none", "0", "5000"));
    // The deletions reached the source's log.
    ToriServer first = servers.remove(0);
    first.shutdown();
    ToriServer again = start(dir.resolve("a"));
    assertEquals("0", call(again, "EXISTS", "list", "ttl", "k1", "k2", "copied"));
  }

  @Test
  void refusesBadCallsWithRedisErrors() throws Exception {
    ToriServer source = start(dir.resolve("a"));
    call(source, "SET", "k", "v");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String p = Integer.toString(closed);
    assertEquals(
        "IOERR error or timeout connecting to the client",
        call(source, "MIGRATE", "127.0.0.1", p, "k", "0", "500"));
    assertEquals(
        "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
        call(source, "MIGRATE", "127.0.0.1", p, "k", "0", "500", "KEYS", "k"));
    assertEquals("ERR syntax error", call(source, "MIGRATE", "127.0.0.1", p, "k", "0", "500", "X"));
    assertEquals(
        "ERR syntax error", call(source, "MIGRATE", "127.0.0.1", p, "k", "0", "500", "AUTH"));
    assertEquals(
        "ERR value is not an integer or out of range",
        call(source, "MIGRATE", "127.0.0.1", p, "k", "x", "500"));
    assertEquals(
        "ERR wrong number of arguments for 'migrate' command",
        call(source, "MIGRATE", "127.0.0.1", p, "k", "0"));
    ToriServer target = start(dir.resolve("b"));
    String port = Integer.toString(target.port());
    String auth = call(source, "MIGRATE", "127.0.0.1", port, "k", "0", "5000", "AUTH", "pw");
    assertTrue(auth.startsWith("ERR Target instance replied with error: ERR AUTH"), auth);
    assertEquals("v", call(source, "GET", "k"));
    assertEquals(
        "ERR Target instance replied with error: ERR DB index is out of range",
        call(source, "MIGRATE", "127.0.0.1", port, "k", "99", "5000"));
    assertEquals("v", call(source, "GET", "k"));
    assertEquals("PONG", call(source, "PING"));
    assertEquals(
        "*1\r\n$1\r\nk\r\n",
        raw(source, "COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "1", "AUTH", "keys"));
    assertEquals(
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
        raw(
            source, "COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "1", "AUTH2", "u", "keys",
            "KEYS", "a", "b"));
    try (RespClient c = new RespClient("127.0.0.1", source.port())) {
      assertEquals("+OK\r\n", c.call("BEGIN").rawText());
      assertEquals(
          "-ERR MIGRATE inside BEGIN is not allowed\r\n",
          c.call("MIGRATE", "127.0.0.1", port, "k", "0", "500").rawText());
      assertEquals("+OK\r\n", c.call("ROLLBACK").rawText());
    }
  }

  private static String raw(ToriServer s, String... argv) throws IOException {
    try (RespClient c = new RespClient("127.0.0.1", s.port())) {
      return c.call(argv).rawText();
    }
  }

  @Test
  void aTargetThatStopsReadingTimesOutAndConnectionsAreReused() throws Exception {
    ToriServer source = start(dir.resolve("a"));
    // A listener that never accepts: the kernel takes the connection, nobody reads it.
    try (ServerSocket silent = new ServerSocket(0)) {
      call(source, "SET", "big", "x".repeat(1));
      call(source, "SETRANGE", "big", Integer.toString(32 << 20), "y");
      String reply =
          call(
              source,
              "MIGRATE",
              "127.0.0.1",
              Integer.toString(silent.getLocalPort()),
              "big",
              "0",
              "300");
      assertTrue(reply.startsWith("IOERR error or timeout"), reply);
      assertEquals("1", call(source, "EXISTS", "big"));
    }
    ToriServer target = start(dir.resolve("b"));
    String port = Integer.toString(target.port());
    long before = connections(target);
    for (int i = 0; i < 3; i++) {
      call(source, "SET", "k" + i, "v");
      assertEquals("OK", call(source, "MIGRATE", "127.0.0.1", port, "k" + i, "0", "5000"));
    }
    // One connection for the three MIGRATEs, one for the INFO that reads the count.
    assertEquals(2, connections(target) - before);
    assertEquals("3", call(target, "EXISTS", "k0", "k1", "k2"));
  }

  private static long connections(ToriServer s) throws IOException {
    for (String line : call(s, "INFO", "stats").split("\r\n")) {
      if (line.startsWith("total_connections_received:")) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1));
      }
    }
    throw new AssertionError("no total_connections_received");
  }
}
