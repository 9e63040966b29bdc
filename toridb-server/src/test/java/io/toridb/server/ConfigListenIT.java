package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** CONFIG SET port and bind move the listening sockets at runtime, as in Redis. */
class ConfigListenIT {
  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void setPort_listensOnTheNewPortAndKeepsConnectedClients() throws Exception {
    try (TestServer server = TestServer.start(c -> c.require("bind").set("127.0.0.1"));
        RawClient a = server.client()) {
      int oldPort = server.port();
      int newPort = freePort();
      assertEquals("+OK\r\n", a.call("CONFIG", "SET", "port", Integer.toString(newPort)));
      assertEquals(newPort, server.port());
      assertEquals("+PONG\r\n", a.call("PING"));
      try (RawClient b = new RawClient(newPort)) {
        assertEquals("+PONG\r\n", b.call("PING"));
        assertEquals(
            "*2\r\n$4\r\nport\r\n$"
                + Integer.toString(newPort).length()
                + "\r\n"
                + newPort
                + "\r\n",
            b.call("CONFIG", "GET", "port"));
      }
      assertThrows(ConnectException.class, () -> new RawClient(oldPort));
    }
  }

  @Test
  void setPort_toABusyPort_failsAndRollsEverythingBack() throws Exception {
    try (TestServer server = TestServer.start(c -> c.require("bind").set("127.0.0.1"));
        ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        RawClient a = server.client()) {
      int port = server.port();
      assertEquals(
          "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this"
              + " port. Check server logs.\r\n",
          a.call(
              "CONFIG",
              "SET",
              "maxmemory",
              "10000001",
              "port",
              Integer.toString(busy.getLocalPort()),
              "client-query-buffer-limit",
              "10m"));
      assertEquals("*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", a.call("CONFIG", "GET", "maxmemory"));
      assertEquals(
          "*2\r\n$25\r\nclient-query-buffer-limit\r\n$10\r\n1073741824\r\n",
          a.call("CONFIG", "GET", "client-query-buffer-limit"));
      assertEquals(port, server.port());
      try (RawClient b = server.client()) {
        assertEquals("+PONG\r\n", b.call("PING"));
      }
    }
  }

  @Test
  void setPort_toTheSameValue_keepsTheListener() throws Exception {
    try (TestServer server = TestServer.start(c -> c.require("bind").set("127.0.0.1"));
        RawClient a = server.client()) {
      int port = server.port();
      assertEquals("+OK\r\n", a.call("CONFIG", "SET", "port", "0"));
      assertEquals(port, server.port());
    }
  }

  @Test
  void setBind_movesTheListenerAndRefusesAnAddressItCannotBind() throws Exception {
    try (TestServer server = TestServer.start(c -> c.require("bind").set("127.0.0.1"));
        RawClient a = server.client()) {
      int port = server.port();
      assertEquals(
          "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to"
              + " specified addresses.\r\n",
          a.call("CONFIG", "SET", "bind", "127.0.0.1 192.0.2.1"));
      assertEquals("*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n", a.call("CONFIG", "GET", "bind"));
      try (RawClient b = new RawClient(port)) {
        assertEquals("+PONG\r\n", b.call("PING"));
      }
      // An optional address that cannot be bound is skipped, as at startup.
      assertEquals("+OK\r\n", a.call("CONFIG", "SET", "bind", "127.0.0.1 -192.0.2.1"));
      try (RawClient b = new RawClient(port)) {
        assertEquals("+PONG\r\n", b.call("PING"));
      }
    }
  }
}
