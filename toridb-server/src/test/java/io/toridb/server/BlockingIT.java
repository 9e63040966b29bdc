package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Blocking commands over the wire: parking, serving across workers, timeouts, disconnects. */
class BlockingIT {
  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private static String pair(String key, String value) {
    return "*2\r\n$"
        + key.length()
        + "\r\n"
        + key
        + "\r\n$"
        + value.length()
        + "\r\n"
        + value
        + "\r\n";
  }

  /** Waits until INFO reports {@code n} blocked clients. */
  private void awaitBlocked(RawClient c, int n) throws Exception {
    for (int i = 0; i < 1000; i++) {
      String info = c.call("INFO", "clients");
      if (info.contains("blocked_clients:" + n + "\r\n")) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("never saw blocked_clients:" + n);
  }

  @Test
  void blpop_isServedByAPushFromAnotherConnection() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client();
        RawClient c = server.client()) {
      a.send("BLPOP", "list", "0");
      awaitBlocked(c, 1);
      assertTrue(c.call("CLIENT", "LIST").contains("flags=b "));
      assertEquals(":1\r\n", b.call("RPUSH", "list", "v"));
      assertEquals(pair("list", "v"), a.read());
      assertEquals(":0\r\n", c.call("EXISTS", "list"));
      awaitBlocked(c, 0);
    }
  }

  @Test
  void requestsAfterABlockingCommand_waitForItsReply() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      a.sendRaw(
          "*1\r\n$4\r\nPING\r\n*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n"
              + "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$1\r\nx\r\n");
      assertEquals("+PONG\r\n", a.read());
      awaitBlocked(b, 1);
      // The SET after BLPOP has not run while the client waits.
      assertEquals("$-1\r\n", b.call("GET", "x"));
      // More requests sent while parked also wait, and run in order afterwards.
      a.send("INCR", "n");
      Thread.sleep(50);
      assertEquals("$-1\r\n", b.call("GET", "n"));
      b.call("LPUSH", "k", "v");
      assertEquals(pair("k", "v"), a.read());
      assertEquals("+OK\r\n", a.read());
      assertEquals("$1\r\n1\r\n", a.read());
      assertEquals(":1\r\n", a.read());
    }
  }

  @Test
  void timeout_repliesNullNoSooner() throws Exception {
    try (RawClient a = server.client()) {
      long start = System.nanoTime();
      assertEquals("*-1\r\n", a.call("BLPOP", "k", "0.2"));
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(elapsedMs >= 199, "returned after " + elapsedMs + " ms");
      assertEquals("+PONG\r\n", a.call("PING"));
      a.call("HELLO", "3");
      assertEquals("_\r\n", a.call("BLPOP", "k", "0.01"));
    }
  }

  @Test
  void aWaitEndedByAPush_cancelsItsTimer() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      long id = Long.parseLong(a.call("CLIENT", "ID").substring(1).trim());
      a.send("BLPOP", "k", "300");
      awaitBlocked(b, 1);
      java.util.concurrent.Future<?> timer = server.server.clients().get(id).timeoutTask;
      assertTrue(timer != null && !timer.isDone());
      b.call("RPUSH", "k", "v");
      assertEquals(pair("k", "v"), a.read());
      assertTrue(timer.isCancelled());
    }
  }

  @Test
  void disconnectWhileParked_losesNothing() throws Exception {
    try (RawClient b = server.client()) {
      RawClient a = server.client();
      a.send("BLPOP", "k", "0");
      awaitBlocked(b, 1);
      a.close();
      awaitBlocked(b, 0);
      assertEquals(":1\r\n", b.call("RPUSH", "k", "v"));
      assertEquals(":1\r\n", b.call("LLEN", "k"));
    }
  }

  @Test
  void waitingClients_areServedInArrivalOrder() throws Exception {
    List<RawClient> clients = new ArrayList<>();
    try (RawClient p = server.client()) {
      for (int i = 0; i < 6; i++) {
        RawClient c = server.client();
        clients.add(c);
        c.send("BRPOP", "q", "0");
        awaitBlocked(p, i + 1);
      }
      assertEquals(":6\r\n", p.call("LPUSH", "q", "0", "1", "2", "3", "4", "5"));
      for (int i = 0; i < 6; i++) {
        assertEquals(pair("q", Integer.toString(i)), clients.get(i).read());
      }
    } finally {
      for (RawClient c : clients) {
        c.close();
      }
    }
  }

  @Test
  void pushThenPopInOnePipeline_theParkedClientIsServedFirst() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      a.send("BLPOP", "k", "0");
      awaitBlocked(b, 1);
      b.sendRaw("*3\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$4\r\nLPOP\r\n$1\r\nk\r\n");
      assertEquals(":1\r\n", b.read());
      assertEquals("$-1\r\n", b.read());
      assertEquals(pair("k", "v"), a.read());
    }
  }

  @Test
  void blmove_feedsAClientBlockedOnItsDestination() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client();
        RawClient c = server.client()) {
      b.send("BLPOP", "dst", "0");
      awaitBlocked(c, 1);
      a.send("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0");
      awaitBlocked(c, 2);
      c.call("RPUSH", "src", "x");
      assertEquals("$1\r\nx\r\n", a.read());
      assertEquals(pair("dst", "x"), b.read());
      assertEquals(":0\r\n", c.call("EXISTS", "src", "dst"));
    }
  }

  @Test
  void bzpopmin_andBzmpop_areServedByZadd() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client();
        RawClient c = server.client()) {
      a.send("BZPOPMIN", "z", "0");
      awaitBlocked(c, 1);
      b.send("BZMPOP", "0", "1", "z", "MAX", "COUNT", "2");
      awaitBlocked(c, 2);
      assertEquals(":3\r\n", c.call("ZADD", "z", "1", "a", "2", "b", "3", "c"));
      assertEquals("*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n", a.read());
      assertEquals(
          "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
          b.read());
      assertEquals(":0\r\n", c.call("EXISTS", "z"));
    }
  }

  @Test
  void aClientWaitingForAList_isNotServedByASortedSet() throws Exception {
    try (RawClient a = server.client();
        RawClient c = server.client()) {
      a.send("BLPOP", "k", "0");
      awaitBlocked(c, 1);
      c.call("ZADD", "k", "1", "m");
      Thread.sleep(50);
      awaitBlocked(c, 1);
      c.call("DEL", "k");
      c.call("RPUSH", "k", "v");
      assertEquals(pair("k", "v"), a.read());
    }
  }

  @Test
  void clientUnblock_endsTheWaitWithTimeoutReplyOrError() throws Exception {
    try (RawClient a = server.client();
        RawClient c = server.client()) {
      String id = a.call("CLIENT", "ID").substring(1).trim();
      assertEquals(":0\r\n", c.call("CLIENT", "UNBLOCK", id));
      a.send("BLPOP", "k", "0");
      awaitBlocked(c, 1);
      assertEquals(":1\r\n", c.call("CLIENT", "UNBLOCK", id, "TIMEOUT"));
      assertEquals("*-1\r\n", a.read());
      a.send("BLPOP", "k", "0");
      awaitBlocked(c, 1);
      assertEquals(":1\r\n", c.call("CLIENT", "UNBLOCK", id, "ERROR"));
      assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", a.read());
      assertEquals(
          "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
          c.call("CLIENT", "UNBLOCK", id, "LATER"));
      assertEquals(
          "-ERR value is not an integer or out of range\r\n", c.call("CLIENT", "UNBLOCK", "abc"));
      assertEquals(":0\r\n", c.call("CLIENT", "UNBLOCK", "999999"));
      assertEquals(":1\r\n", c.call("RPUSH", "k", "kept"));
      assertEquals(":1\r\n", c.call("LLEN", "k"));
    }
  }

  @Test
  void manyConsumers_receiveEveryElementExactlyOnce() throws Exception {
    int consumers = 12;
    int perProducer = 300;
    int producers = 3;
    ExecutorService pool = Executors.newFixedThreadPool(consumers + producers);
    try {
      List<Future<List<String>>> got = new ArrayList<>();
      for (int i = 0; i < consumers; i++) {
        got.add(
            pool.submit(
                () -> {
                  List<String> items = new ArrayList<>();
                  try (RawClient c = server.client()) {
                    while (true) {
                      String r = c.call("BLPOP", "jobs", "2");
                      if (r.equals("*-1\r\n")) {
                        return items;
                      }
                      String[] lines = r.split("\r\n");
                      items.add(lines[lines.length - 1]);
                    }
                  }
                }));
      }
      List<Future<?>> pushes = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        pushes.add(
            pool.submit(
                () -> {
                  try (RawClient c = server.client()) {
                    for (int i = 0; i < perProducer; i++) {
                      c.call("RPUSH", "jobs", producer + ":" + i);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : pushes) {
        f.get();
      }
      Set<String> all = new HashSet<>();
      int total = 0;
      for (Future<List<String>> f : got) {
        List<String> items = f.get();
        total += items.size();
        all.addAll(items);
      }
      assertEquals(producers * perProducer, total, "elements delivered");
      assertEquals(producers * perProducer, all.size(), "distinct elements");
      try (RawClient c = server.client()) {
        assertEquals(":0\r\n", c.call("EXISTS", "jobs"));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
