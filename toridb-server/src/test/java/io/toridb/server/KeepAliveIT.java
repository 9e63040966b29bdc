package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.EpollSocketChannel;
import org.junit.jupiter.api.Test;

/** tcp-keepalive: set on each new client socket as Redis sets it, so CONFIG SET applies. */
class KeepAliveIT {
  /** The server side of the newest client connection. */
  private static EpollSocketChannel newest(TestServer t) {
    ClientConnection last = null;
    for (ClientConnection c : t.server.clients().all()) {
      last = c;
    }
    assertTrue(last != null && last.channel() instanceof EpollSocketChannel, "an epoll client");
    return (EpollSocketChannel) last.channel();
  }

  @Test
  void newConnections_getTheCurrentInterval() throws Exception {
    try (TestServer t = TestServer.start()) {
      try (RawClient c = t.client()) {
        assertEquals("+PONG\r\n", c.call("PING"));
        EpollSocketChannel ch = newest(t);
        assertTrue(ch.config().isKeepAlive());
        assertEquals(300, ch.config().getTcpKeepIdle());
        assertEquals(100, ch.config().getTcpKeepIntvl());
        assertEquals(3, ch.config().getTcpKeepCnt());
        assertEquals("+OK\r\n", c.call("CONFIG", "SET", "tcp-keepalive", "60"));
      }
      try (RawClient c = t.client()) {
        assertEquals("+PONG\r\n", c.call("PING"));
        EpollSocketChannel ch = newest(t);
        assertEquals(60, ch.config().getTcpKeepIdle());
        assertEquals(20, ch.config().getTcpKeepIntvl());
        assertEquals("+OK\r\n", c.call("CONFIG", "SET", "tcp-keepalive", "0"));
      }
      try (RawClient c = t.client()) {
        assertEquals("+PONG\r\n", c.call("PING"));
        assertTrue(!newest(t).config().isKeepAlive());
        // Beyond what Linux takes: on, with the kernel's timing (as Redis), and the client served.
        assertEquals("+OK\r\n", c.call("CONFIG", "SET", "tcp-keepalive", "100000"));
      }
      try (RawClient c = t.client()) {
        assertEquals("+PONG\r\n", c.call("PING"));
        EpollSocketChannel ch = newest(t);
        assertTrue(ch.config().isKeepAlive());
        assertTrue(ch.config().getTcpKeepIdle() != 32767, "not clamped");
      }
    }
  }
}
