package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** requirepass over the wire: what a connection may do before and after it authenticates. */
class AuthIT {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(c -> c.require("requirepass").set("s3cret"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void commands_beforeAuth_getNoauth() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals("-NOAUTH Authentication required.\r\n", c.call("PING"));
      assertEquals("-NOAUTH Authentication required.\r\n", c.call("CLIENT", "ID"));
      assertEquals(
          "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
          c.call("AUTH", "nope"));
      assertEquals("+OK\r\n", c.call("AUTH", "s3cret"));
      assertEquals("+PONG\r\n", c.call("PING"));
    }
  }

  @Test
  void hello3WithAuth_authenticatesAndSwitchesProtocol() throws Exception {
    try (RawClient c = server.client()) {
      assertTrue(
          c.call("HELLO", "3")
              .startsWith("-NOAUTH HELLO must be called with the client already authenticated"));
      String hello = c.call("HELLO", "3", "AUTH", "default", "s3cret");
      assertTrue(hello.startsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"), hello);
      assertEquals("_\r\n", c.call("GET", "nokey"));
    }
  }

  private static String command(String... args) {
    StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      b.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
    }
    return b.toString();
  }

  @Test
  void pipelinedAuth_thenLargeRequest_inOneWrite_isAccepted() throws Exception {
    String[] mset = new String[13];
    mset[0] = "MSET";
    for (int i = 1; i < 13; i++) {
      mset[i] = "k" + i;
    }
    String big = "v".repeat(20_000);
    try (RawClient c = server.client()) {
      // As in Redis, AUTH runs before the next request is parsed, so the requests after it get
      // the authenticated limits even though they arrive in the same packet.
      c.sendRaw(command("AUTH", "s3cret") + command(mset) + command("SET", "big", big));
      assertEquals("+OK\r\n", c.read());
      assertEquals("+OK\r\n", c.read());
      assertEquals("+OK\r\n", c.read());
      assertEquals("$2\r\nk2\r\n", c.call("GET", "k1"));
      assertEquals("$20000\r\n".length() + 20_000 + 2, c.call("GET", "big").length());
    }
  }

  @Test
  void pipelinedWrongAuth_thenLargeRequest_isRefusedByTheDecoder() throws Exception {
    String[] eleven = new String[11];
    java.util.Arrays.fill(eleven, "x");
    try (RawClient c = server.client()) {
      c.sendRaw(command("AUTH", "nope") + command(eleven));
      assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.read());
      assertEquals("-ERR Protocol error: unauthenticated multibulk length\r\n", c.read());
      assertTrue(c.closedWithin(5000));
    }
  }

  @Test
  void unauthenticated_largeRequests_areRefusedByTheDecoder() throws Exception {
    try (RawClient c = server.client()) {
      String[] eleven = new String[11];
      java.util.Arrays.fill(eleven, "x");
      c.send(eleven);
      assertEquals("-ERR Protocol error: unauthenticated multibulk length\r\n", c.read());
      assertTrue(c.closedWithin(5000));
    }
    try (RawClient c = server.client()) {
      c.send("AUTH", "x".repeat(16385));
      assertEquals("-ERR Protocol error: unauthenticated bulk length\r\n", c.read());
      assertTrue(c.closedWithin(5000));
    }
  }

  @Test
  void authenticated_largeRequests_areAccepted() throws Exception {
    try (RawClient c = server.client()) {
      c.call("AUTH", "default", "s3cret");
      assertEquals("+OK\r\n", c.call("SET", "big", "y".repeat(20000)));
      String[] many = new String[12];
      many[0] = "ECHO";
      java.util.Arrays.fill(many, 1, 12, "x");
      assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", c.call(many));
    }
  }

  @Test
  void reset_forgetsAuthentication() throws Exception {
    try (RawClient c = server.client()) {
      c.call("AUTH", "s3cret");
      assertEquals("+RESET\r\n", c.call("RESET"));
      assertEquals("-NOAUTH Authentication required.\r\n", c.call("PING"));
    }
  }
}
