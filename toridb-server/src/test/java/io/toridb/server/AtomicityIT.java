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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several clients on both workers at once: invariants that a partial or interleaved command would
 * break, checked during the run and at its end.
 */
class AtomicityIT {
  private TestServer server;
  private ExecutorService pool;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start();
    pool = Executors.newFixedThreadPool(8);
  }

  @AfterEach
  void stop() throws Exception {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    server.close();
  }

  /** One step of a client's loop in {@link #storm}. */
  private interface Step {
    void run(RawClient r) throws Exception;
  }

  /** Starts {@code clients} connections, each running {@code step} {@code each} times. */
  private List<Future<?>> storm(int clients, int each, Step step) {
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      done.add(
          pool.submit(
              () -> {
                try (RawClient r = server.client()) {
                  for (int i = 0; i < each; i++) {
                    step.run(r);
                  }
                }
                return null;
              }));
    }
    return done;
  }

  private static String bulkValue(String reply) {
    String[] lines = reply.split("\r\n");
    return lines[lines.length - 1];
  }

  @Test
  void incrStorm_losesNoIncrement() throws Exception {
    List<Future<?>> done =
        storm(
            8,
            400,
            r -> {
              r.call("INCR", "counter");
              r.call("HINCRBY", "h", "f", "1");
              r.call("ZINCRBY", "z", "1", "m");
            });
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    try (RawClient r = server.client()) {
      assertEquals("$4\r\n3200\r\n", r.call("GET", "counter"));
      assertEquals("$4\r\n3200\r\n", r.call("HGET", "h", "f"));
      assertEquals("$4\r\n3200\r\n", r.call("ZSCORE", "z", "m"));
    }
  }

  /**
   * A storm on one hot key from clients on both workers (whose batches may keep the key's stripe
   * locked between commands): whatever needs every stripe (DBSIZE, a snapshot) still gets through
   * during the storm and after it, and no increment is lost.
   */
  @Test
  void hotKeyStorm_withWholeKeyspaceCommandsAndSnapshots_allFinish() throws Exception {
    List<Future<?>> done = storm(6, 500, r -> r.call("HINCRBY", "hot", "f", "1"));
    done.add(
        pool.submit(
            () -> {
              try (RawClient r = server.client()) {
                for (int i = 0; i < 100; i++) {
                  assertTrue(r.call("DBSIZE").matches(":[01]\r\n"));
                }
                for (int i = 0; i < 3; i++) {
                  assertEquals("+OK\r\n", r.call("SAVE"));
                }
              }
              return null;
            }));
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    // After the storm, with every worker idle, every stripe is free again.
    try (RawClient r = server.client()) {
      assertEquals("$4\r\n3000\r\n", r.call("HGET", "hot", "f"));
      Future<String> save = pool.submit(() -> r.call("SAVE"));
      assertEquals("+OK\r\n", save.get(30, TimeUnit.SECONDS));
      assertEquals(":1\r\n", r.call("DBSIZE"));
    }
  }

  @Test
  void msetPairs_areAlwaysReadTogether() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      int writer = w;
      writers.add(
          pool.submit(
              () -> {
                try (RawClient r = server.client()) {
                  for (int i = 0; !stop.get(); i++) {
                    String v = writer + ":" + i;
                    r.call("MSET", "{p}a", v, "{p}b", v, "{p}c", v);
                  }
                }
                return null;
              }));
    }
    List<Future<Integer>> readers = new ArrayList<>();
    for (int rd = 0; rd < 3; rd++) {
      readers.add(
          pool.submit(
              () -> {
                int checked = 0;
                try (RawClient r = server.client()) {
                  for (int i = 0; i < 1500; i++) {
                    String reply = r.call("MGET", "{p}a", "{p}b", "{p}c");
                    String[] parts = reply.split("\r\n");
                    if (parts[1].equals("$-1")) {
                      continue;
                    }
                    assertEquals(parts[2], parts[4], reply);
                    assertEquals(parts[2], parts[6], reply);
                    checked++;
                  }
                }
                return checked;
              }));
    }
    int checked = 0;
    for (Future<Integer> f : readers) {
      checked += f.get(60, TimeUnit.SECONDS);
    }
    stop.set(true);
    for (Future<?> f : writers) {
      f.get(60, TimeUnit.SECONDS);
    }
    assertTrue(checked > 0, "no MGET saw the keys");
  }

  @Test
  void lmoveRotations_neitherLoseNorDuplicateElements() throws Exception {
    int elements = 100;
    try (RawClient r = server.client()) {
      for (int i = 0; i < elements; i++) {
        r.call("RPUSH", "{l}a", "e" + i);
      }
    }
    List<Future<?>> movers = new ArrayList<>();
    for (int m = 0; m < 6; m++) {
      boolean forward = m % 2 == 0;
      movers.add(
          pool.submit(
              () -> {
                try (RawClient r = server.client()) {
                  for (int i = 0; i < 500; i++) {
                    if (forward) {
                      r.call("LMOVE", "{l}a", "{l}b", "LEFT", "RIGHT");
                    } else {
                      r.call("RPOPLPUSH", "{l}b", "{l}a");
                    }
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : movers) {
      f.get(60, TimeUnit.SECONDS);
    }
    try (RawClient r = server.client()) {
      Set<String> seen = new HashSet<>();
      int total = 0;
      for (String key : new String[] {"{l}a", "{l}b"}) {
        String reply = r.call("LRANGE", key, "0", "-1");
        String[] lines = reply.split("\r\n");
        for (int i = 2; i < lines.length; i += 2) {
          seen.add(lines[i]);
          total++;
        }
      }
      assertEquals(elements, total, "elements in both lists");
      assertEquals(elements, seen.size(), "distinct elements");
    }
  }

  @Test
  void watchedTransfers_preserveTheTotal() throws Exception {
    try (RawClient r = server.client()) {
      r.call("SET", "{acct}a", "500");
      r.call("SET", "{acct}b", "500");
    }
    List<Future<Integer>> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      boolean aToB = c % 2 == 0;
      clients.add(
          pool.submit(
              () -> {
                String from = aToB ? "{acct}a" : "{acct}b";
                String to = aToB ? "{acct}b" : "{acct}a";
                int committed = 0;
                try (RawClient r = server.client()) {
                  for (int i = 0; i < 150; i++) {
                    r.call("WATCH", from, to);
                    long balance = Long.parseLong(bulkValue(r.call("GET", from)));
                    long amount = Math.min(balance, 3);
                    r.call("MULTI");
                    r.call("DECRBY", from, Long.toString(amount));
                    r.call("INCRBY", to, Long.toString(amount));
                    String exec = r.call("EXEC");
                    if (!exec.equals("*-1\r\n")) {
                      committed++;
                    }
                    // Every balance read in between is a consistent state: never negative.
                    assertTrue(Long.parseLong(bulkValue(r.call("GET", from))) >= 0);
                  }
                }
                return committed;
              }));
    }
    int committed = 0;
    for (Future<Integer> f : clients) {
      committed += f.get(60, TimeUnit.SECONDS);
    }
    try (RawClient r = server.client()) {
      long a = Long.parseLong(bulkValue(r.call("GET", "{acct}a")));
      long b = Long.parseLong(bulkValue(r.call("GET", "{acct}b")));
      assertEquals(1000, a + b);
    }
    assertTrue(committed > 0, "no transfer committed");
  }

  /**
   * BEGIN/COMMIT transfers between two accounts from four clients, retried on CONFLICT, while two
   * readers take both balances inside read-only transactions: every transfer that commits applies
   * whole, and every read transaction that commits saw a consistent pair.
   */
  @Test
  void stagedTransfers_preserveTheTotal_andCommittedReadsAreConsistent() throws Exception {
    try (RawClient r = server.client()) {
      r.call("SET", "{acct}a", "500");
      r.call("SET", "{acct}b", "500");
    }
    AtomicBoolean running = new AtomicBoolean(true);
    List<Future<Integer>> readers = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      readers.add(
          pool.submit(
              () -> {
                int consistent = 0;
                try (RawClient r = server.client()) {
                  while (running.get()) {
                    r.call("BEGIN");
                    long a = Long.parseLong(bulkValue(r.call("GET", "{acct}a")));
                    long b = Long.parseLong(bulkValue(r.call("GET", "{acct}b")));
                    if (r.call("COMMIT").equals("+OK\r\n")) {
                      assertEquals(1000, a + b, "a committed read saw a=" + a + " b=" + b);
                      consistent++;
                    }
                  }
                }
                return consistent;
              }));
    }
    List<Future<int[]>> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      boolean aToB = c % 2 == 0;
      clients.add(
          pool.submit(
              () -> {
                String from = aToB ? "{acct}a" : "{acct}b";
                String to = aToB ? "{acct}b" : "{acct}a";
                int committed = 0;
                int moved = 0;
                try (RawClient r = server.client()) {
                  while (committed < 150) {
                    r.call("BEGIN");
                    long balance = Long.parseLong(bulkValue(r.call("GET", from)));
                    long amount = Math.min(balance, 3);
                    r.call("DECRBY", from, Long.toString(amount));
                    r.call("INCRBY", to, Long.toString(amount));
                    String reply = r.call("COMMIT");
                    if (reply.equals("+OK\r\n")) {
                      committed++;
                      moved += (int) amount;
                    } else {
                      assertTrue(reply.startsWith("-CONFLICT "), reply);
                    }
                  }
                }
                return new int[] {committed, aToB ? moved : -moved};
              }));
    }
    long net = 0;
    for (Future<int[]> f : clients) {
      net += f.get(60, TimeUnit.SECONDS)[1];
    }
    running.set(false);
    int reads = 0;
    for (Future<Integer> f : readers) {
      reads += f.get(60, TimeUnit.SECONDS);
    }
    try (RawClient r = server.client()) {
      long a = Long.parseLong(bulkValue(r.call("GET", "{acct}a")));
      long b = Long.parseLong(bulkValue(r.call("GET", "{acct}b")));
      assertEquals(1000, a + b);
      // Exactly what the committed transfers moved, no more and no less.
      assertEquals(500 - net, a);
    }
    assertTrue(reads > 0, "no read transaction committed");
  }

  /** A client that disconnects inside BEGIN leaves nothing behind: no key, no watch. */
  @Test
  void disconnectInsideBegin_rollsBack() throws Exception {
    try (RawClient r = server.client()) {
      assertEquals("+OK\r\n", r.call("BEGIN"));
      r.call("SET", "staged", "1");
      r.call("RPUSH", "stagedlist", "x");
    }
    try (RawClient r = server.client()) {
      // The disconnect is handled asynchronously: wait until this is the only client left.
      for (int i = 0; i < 200 && r.call("CLIENT", "LIST").split("id=").length > 2; i++) {
        Thread.sleep(10);
      }
      assertEquals(":0\r\n", r.call("EXISTS", "staged", "stagedlist"));
      assertEquals("+OK\r\n", r.call("SET", "staged", "2"));
      assertEquals("$1\r\n2\r\n", r.call("GET", "staged"));
    }
  }
}
