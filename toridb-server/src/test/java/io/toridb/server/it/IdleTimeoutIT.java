package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * timeout: a client idle for longer is closed, as Redis closes it; clients Redis exempts (blocked
 * in a command, subscribed, MONITOR) and clients that keep sending stay.
 */
class IdleTimeoutIT {
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  @Test
  void idleClients_areClosed_exemptAndActiveOnesStay() throws Exception {
    try (var timeout = tori.configured("timeout", "1");
        RespClient idle = tori.connect();
        RespClient subscriber = tori.connect();
        RespClient blocked = tori.connect();
        RespClient monitor = tori.connect();
        RespClient active = tori.connect()) {
      assertEquals("+PONG\r\n", idle.callRaw("PING"));
      subscriber.call("SUBSCRIBE", "news");
      blocked.send("BLPOP", "nothing-here", "0");
      assertEquals("+OK\r\n", monitor.callRaw("MONITOR"));
      // Idle time counts in whole seconds, and must exceed the timeout: up to 3 s.
      long end = System.currentTimeMillis() + 3500;
      while (System.currentTimeMillis() < end) {
        assertEquals("+PONG\r\n", active.callRaw("PING"));
        Thread.sleep(250);
      }
      idle.socket().setSoTimeout(2000);
      assertTrue(idle.closedByServer(), "the idle client is closed");
      assertEquals("+PONG\r\n", active.callRaw("PING"));
      // Still served: a message reaches the subscriber, a push the blocked client.
      assertEquals(":1\r\n", active.callRaw("PUBLISH", "news", "hello"));
      assertEquals(
          "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", subscriber.read().rawText());
      assertEquals(":1\r\n", active.callRaw("RPUSH", "nothing-here", "v"));
      assertEquals("*2\r\n$12\r\nnothing-here\r\n$1\r\nv\r\n", blocked.read().rawText());
      // Its reply is interaction: the client that waited 3 s is not idle now (4 cron ticks).
      Thread.sleep(400);
      assertEquals("+PONG\r\n", blocked.callRaw("PING"));
      String list = active.callRaw("CLIENT", "LIST");
      assertTrue(list.contains("cmd=monitor"), "MONITOR stays: " + list);
    }
  }

  /** A command that runs longer than the timeout does not make its client idle. */
  @Test
  void aCommandLongerThanTheTimeout_keepsItsClient() throws Exception {
    try (var timeout = tori.configured("timeout", "1");
        RespClient sleeper = tori.connect()) {
      assertEquals("+OK\r\n", sleeper.callRaw("DEBUG", "SLEEP", "2.5"));
      Thread.sleep(400);
      assertEquals("+PONG\r\n", sleeper.callRaw("PING"));
    }
  }

  @Test
  void timeoutZero_closesNobody() throws Exception {
    try (RespClient idle = tori.connect()) {
      assertEquals("+PONG\r\n", idle.callRaw("PING"));
      Thread.sleep(2200);
      assertEquals("+PONG\r\n", idle.callRaw("PING"));
    }
  }
}
