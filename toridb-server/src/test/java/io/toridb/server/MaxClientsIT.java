package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MaxClientsIT {
  @Test
  void connectionsBeyondMaxclients_getRedisErrorAndAreClosed() throws Exception {
    try (TestServer server = TestServer.start(c -> c.require("maxclients").set("2"));
        RawClient a = server.client();
        RawClient b = server.client()) {
      assertEquals("+PONG\r\n", a.call("PING"));
      assertEquals("+PONG\r\n", b.call("PING"));
      try (RawClient c = server.client()) {
        assertEquals("-ERR max number of clients reached\r\n", c.read());
        assertTrue(c.closedWithin(5000));
      }
      String info = a.call("INFO", "stats");
      assertTrue(info.contains("\r\nrejected_connections:1\r\n"), info);
      // Lowering the limit at runtime applies to new connections.
      assertEquals("+OK\r\n", a.call("CONFIG", "SET", "maxclients", "1"));
      try (RawClient c = server.client()) {
        assertEquals("-ERR max number of clients reached\r\n", c.read());
      }
    }
  }
}
