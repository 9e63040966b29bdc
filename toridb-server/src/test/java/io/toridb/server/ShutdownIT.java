package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShutdownIT {
  @Test
  void shutdown_closesConnectionsWithoutReplyAndStopsTheServer() throws Exception {
    try (TestServer server = TestServer.start();
        RawClient other = server.client();
        RawClient c = server.client()) {
      assertEquals("+PONG\r\n", other.call("PING"));
      c.send("SHUTDOWN", "NOSAVE");
      assertTrue(c.closedWithin(10_000));
      assertTrue(other.closedWithin(10_000));
      CompletableFuture.runAsync(
              () -> {
                try {
                  server.server.awaitTermination();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              })
          .get(10, TimeUnit.SECONDS);
      assertTrue(server.server.isShuttingDown());
    }
  }

  @Test
  void abortAndBadFlags_returnRedisErrors() throws Exception {
    try (TestServer server = TestServer.start();
        RawClient c = server.client()) {
      assertEquals("-ERR No shutdown in progress.\r\n", c.call("SHUTDOWN", "ABORT"));
      assertEquals("-ERR syntax error\r\n", c.call("SHUTDOWN", "FOO"));
      assertEquals("-ERR syntax error\r\n", c.call("SHUTDOWN", "SAVE", "NOSAVE"));
      assertEquals("-ERR syntax error\r\n", c.call("SHUTDOWN", "ABORT", "NOW"));
      assertEquals("+PONG\r\n", c.call("PING"));
    }
  }
}
