package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MonitorIT {
  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /** "+<seconds>.<micros> [db addr] " followed by {@code args} exactly. */
  private static void assertLine(String line, int db, String args) {
    assertTrue(
        line.matches(
            "\\+\\d{10}\\.\\d{6} \\["
                + db
                + " 127\\.0\\.0\\.1:\\d+\\] "
                + java.util.regex.Pattern.quote(args)
                + "\r\n"),
        line);
  }

  @Test
  void monitor_receivesEveryCommandQuotedAsRedisDoes() throws Exception {
    try (RawClient m = server.client();
        RawClient c = server.client()) {
      assertEquals("+OK\r\n", m.call("MONITOR"));
      c.call("SET", "foo", "bar");
      c.call("SELECT", "2");
      c.call("ECHO", "a\"b\\c\n\t\u0001\u00ff");
      assertLine(m.read(), 0, "\"SET\" \"foo\" \"bar\"");
      assertLine(m.read(), 2, "\"SELECT\" \"2\"");
      assertLine(m.read(), 2, "\"ECHO\" \"a\\\"b\\\\c\\n\\t\\x01\\xff\"");
    }
  }

  @Test
  void monitor_hidesPasswordsAndSkipsAdminAndRejectedCommands() throws Exception {
    try (RawClient m = server.client();
        RawClient c = server.client()) {
      m.call("MONITOR");
      c.call("AUTH", "default", "secret");
      c.call("CONFIG", "GET", "hz");
      c.call("NOSUCH");
      c.call("GET");
      c.call("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n");
      assertLine(m.read(), 0, "\"AUTH\" \"(redacted)\" \"(redacted)\"");
      assertLine(
          m.read(), 0, "\"HELLO\" \"2\" \"AUTH\" \"(redacted)\" \"(redacted)\" \"SETNAME\" \"n\"");
    }
  }

  @Test
  void monitoringClient_seesItsOwnCommandsAfterTheirReply_andMayNotTouchKeys() throws Exception {
    try (RawClient m = server.client()) {
      m.call("MONITOR");
      assertEquals("+PONG\r\n", m.call("PING"));
      assertLine(m.read(), 0, "\"PING\"");
      assertEquals("-ERR Replica can't interact with the keyspace\r\n", m.call("GET", "a"));
      // A second MONITOR is ignored without a reply.
      m.send("MONITOR");
      assertEquals("+PONG\r\n", m.call("PING"));
      assertLine(m.read(), 0, "\"PING\"");
    }
  }

  @Test
  void reset_endsMonitoring() throws Exception {
    try (RawClient m = server.client();
        RawClient c = server.client()) {
      m.call("MONITOR");
      assertEquals("+RESET\r\n", m.call("RESET"));
      c.call("SET", "a", "b");
      assertEquals("+PONG\r\n", m.call("PING"));
      assertEquals("$-1\r\n", m.call("GET", "nokey"));
    }
  }

  @Test
  void disconnect_removesTheMonitor() throws Exception {
    try (RawClient m = server.client()) {
      m.call("MONITOR");
      assertTrue(server.server.context().monitor() != null);
    }
    try (RawClient c = server.client()) {
      for (int i = 0; i < 50 && server.server.context().monitor() != null; i++) {
        c.call("PING");
        Thread.sleep(20);
      }
      assertNull(server.server.context().monitor());
    }
  }
}
