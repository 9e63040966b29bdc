package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.server.ClientPause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CLIENT PAUSE over the wire: which commands wait, in what order they run, expiry held. */
class ClientPauseIT {
  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.server.context().clientPause().unpause(ClientPause.Purpose.CLIENT_COMMAND);
    server.close();
  }

  private ClientPause pause() {
    return server.server.context().clientPause();
  }

  /** Waits until {@code n} clients are postponed (INFO may itself be paused under ALL). */
  private void awaitPostponed(int n) throws Exception {
    for (int i = 0; i < 2000; i++) {
      if (pause().postponedCount() == n) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("never saw " + n + " postponed clients");
  }

  @Test
  void writePause_holdsWritesAndWhatFollowsThem_readsGoOn() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      a.call("SET", "k", "old");
      assertEquals("+OK\r\n", a.call("CLIENT", "PAUSE", "100000", "WRITE"));
      // A pipeline: the GET after the SET waits with it, and sees its value.
      b.send("SET", "k", "new");
      b.send("GET", "k");
      awaitPostponed(1);
      assertTrue(a.call("INFO", "clients").contains("blocked_clients:1\r\n"));
      assertEquals("$3\r\nold\r\n", a.call("GET", "k"));
      assertEquals("+PONG\r\n", a.call("PING"));
      assertTrue(b.silentFor(100));
      assertEquals("+OK\r\n", a.call("CLIENT", "UNPAUSE"));
      assertEquals("+OK\r\n", b.read());
      assertEquals("$3\r\nnew\r\n", b.read());
      assertEquals(0, pause().postponedCount());
      assertTrue(a.call("INFO", "clients").contains("blocked_clients:0\r\n"));
    }
  }

  @Test
  void allPause_holdsEveryCommandUntilItsTimeIsUp() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      assertEquals("+OK\r\n", a.call("CLIENT", "PAUSE", "400"));
      b.send("GET", "k");
      a.send("CLIENT", "UNPAUSE");
      awaitPostponed(2);
      // No one can unpause under ALL (as in Redis): the pause ends when its time is up.
      assertEquals("$-1\r\n", b.read());
      assertEquals("+OK\r\n", a.read());
    }
  }

  @Test
  void wrongArityIsAnsweredAtOnce() throws Exception {
    try (RawClient a = server.client()) {
      a.call("CLIENT", "PAUSE", "100000", "WRITE");
      assertEquals("-ERR wrong number of arguments for 'set' command\r\n", a.call("SET", "k"));
      assertEquals("-ERR unknown command 'NOPE', with args beginning with: \r\n", a.call("NOPE"));
    }
  }

  @Test
  void commandsThatMayReplicateWait_readOnlyScriptsDoNot() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      a.call("PFADD", "hll", "x");
      a.call("CLIENT", "PAUSE", "100000", "WRITE");
      assertEquals(
          ":7\r\n", a.call("EVAL", "#!lua flags=no-writes\nreturn 7", "0"), "no-writes script");
      assertEquals(":8\r\n", a.call("EVAL_RO", "return 8", "0"));
      String sha = a.call("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 9");
      assertEquals(":9\r\n", a.call("EVALSHA", sha.substring(5, 45), "0"));
      try (RawClient c = server.client();
          RawClient d = server.client();
          RawClient e = server.client()) {
        b.send("EVAL", "return 1", "0");
        c.send("PUBLISH", "ch", "m");
        d.send("PFCOUNT", "hll");
        e.send("EVAL", "#!lua\nreturn 2", "0");
        awaitPostponed(4);
        a.call("CLIENT", "UNPAUSE");
        assertEquals(":1\r\n", b.read());
        assertEquals(":0\r\n", c.read());
        assertEquals(":1\r\n", d.read());
        assertEquals(":2\r\n", e.read());
      }
    }
  }

  @Test
  void transactions_waitAtExecWhenTheyWrite_andAPauseInsideOneStartsAfterIt() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      b.call("MULTI");
      b.call("SET", "t", "1");
      a.call("CLIENT", "PAUSE", "100000", "WRITE");
      b.send("EXEC");
      awaitPostponed(1);
      // A transaction of reads runs.
      a.call("MULTI");
      a.call("GET", "t");
      a.call("PING");
      assertEquals("*2\r\n$-1\r\n+PONG\r\n", a.call("EXEC"));
      a.call("CLIENT", "UNPAUSE");
      assertEquals("*1\r\n+OK\r\n", b.read());

      // CLIENT PAUSE inside MULTI: the rest of the transaction runs, the pause starts after it.
      a.call("MULTI");
      a.call("SET", "u", "1");
      a.call("CLIENT", "PAUSE", "100000", "WRITE");
      a.call("SET", "v", "1");
      assertEquals("*3\r\n+OK\r\n+OK\r\n+OK\r\n", a.call("EXEC"));
      b.send("SET", "w", "1");
      awaitPostponed(1);
      assertEquals("$1\r\n1\r\n", a.call("GET", "v"));
      assertEquals("$-1\r\n", a.call("GET", "w"));
      a.call("CLIENT", "UNPAUSE");
      assertEquals("+OK\r\n", b.read());
    }
  }

  @Test
  void commitOfStagedWritesWaits_monitorClientsDoNot() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client();
        RawClient m = server.client()) {
      assertEquals("+OK\r\n", b.call("BEGIN"));
      b.call("SET", "staged", "1");
      assertEquals("+OK\r\n", m.call("MONITOR"));
      a.call("CLIENT", "PAUSE", "100000", "WRITE");
      b.send("COMMIT");
      awaitPostponed(1);
      a.call("CLIENT", "PAUSE", "100000", "ALL");
      // A MONITOR connection counts as a replica, which a pause never holds back.
      m.send("PING");
      String first = m.read();
      // Its own PING may reach its feed before the reply.
      assertTrue(first.equals("+PONG\r\n") || m.read().equals("+PONG\r\n"), first);
      assertEquals(1, pause().postponedCount());
      pause().unpause(ClientPause.Purpose.CLIENT_COMMAND);
      assertEquals("+OK\r\n", b.read());
      assertEquals("$1\r\n1\r\n", a.call("GET", "staged"));
    }
  }

  @Test
  void expiredKeysReadAsMissingButStayUntilThePauseEnds() throws Exception {
    try (RawClient a = server.client()) {
      a.call("SET", "e", "1", "PX", "20");
      a.call("CLIENT", "PAUSE", "100000", "WRITE");
      Thread.sleep(300);
      assertEquals("$-1\r\n", a.call("GET", "e"));
      // RANDOMKEY skips expired keys without deleting them; with nothing else, it names one.
      assertEquals("$1\r\ne\r\n", a.call("RANDOMKEY"));
      assertEquals(":1\r\n", a.call("DBSIZE"));
      assertTrue(a.call("INFO", "stats").contains("expired_keys:0\r\n"));
      a.call("CLIENT", "UNPAUSE");
      assertEquals("$-1\r\n", a.call("GET", "e"));
      assertEquals(":0\r\n", a.call("DBSIZE"));
      assertTrue(a.call("INFO", "stats").contains("expired_keys:1\r\n"));
    }
  }

  @Test
  void aClientThatLeavesWhilePostponedIsForgotten() throws Exception {
    try (RawClient a = server.client()) {
      a.call("CLIENT", "PAUSE", "100000", "WRITE");
      try (RawClient b = server.client()) {
        b.send("SET", "gone", "1");
        awaitPostponed(1);
      }
      awaitPostponed(0);
      a.call("CLIENT", "UNPAUSE");
      assertEquals(":0\r\n", a.call("EXISTS", "gone"));
    }
  }

  @Test
  void badArguments() throws Exception {
    try (RawClient a = server.client()) {
      assertEquals(
          "-ERR timeout is not an integer or out of range\r\n", a.call("CLIENT", "PAUSE", "x"));
      assertEquals("-ERR timeout is negative\r\n", a.call("CLIENT", "PAUSE", "-5", "WRITE"));
      assertEquals(
          "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n",
          a.call("CLIENT", "PAUSE", "10", "READ"));
      assertEquals(
          "-ERR timeout is out of range\r\n",
          a.call("CLIENT", "PAUSE", String.valueOf(Long.MAX_VALUE)));
      assertEquals(ClientPause.Type.OFF, pause().type());
      assertEquals("+OK\r\n", a.call("CLIENT", "UNPAUSE"));
    }
  }
}
