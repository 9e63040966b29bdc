package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A real server process under a load of acknowledged writes, killed with SIGKILL at a random moment
 * and started again on the same data directory, several times over: every write the clients saw
 * acknowledged must be there, with its value.
 */
class CrashRecoveryIT {
  private static final int CLIENTS = 4;
  @TempDir Path dir;
  private Process process;
  private int port;
  private final Random random = new Random();

  @AfterEach
  void kill() throws Exception {
    if (process != null) {
      process.destroyForcibly().waitFor();
    }
  }

  private void startServer(String fsync) throws Exception {
    startServer(fsync, "yes");
  }

  private void startServer(String fsync, String appendonly) throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.toridb.server.Main",
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--appendonly",
                appendonly,
                "--appendfsync",
                fsync,
                "--workers",
                "2")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server-" + System.nanoTime() + ".log").toFile())
            .start();
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try (Jedis j = new Jedis("127.0.0.1", port)) {
        if ("PONG".equals(j.ping())) {
          return;
        }
      } catch (RuntimeException e) {
        // Not listening yet, or still loading.
      }
      assertTrue(process.isAlive(), "the server exited: " + logs());
      Thread.sleep(50);
    }
    throw new AssertionError("the server did not start: " + logs());
  }

  private String logs() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        sb.append(Files.readString(p));
      }
    }
    return sb.toString();
  }

  /** What one client saw acknowledged: SET key:c:i = i for every i below set, and incr INCRs. */
  private static final class Acks {
    final AtomicLong set = new AtomicLong();
    final AtomicLong incr = new AtomicLong();

    /** When each SET was acknowledged (ms), for the everysec bound. */
    final ConcurrentHashMap<Long, Long> setAt = new ConcurrentHashMap<>();

    /** SETs lost within the allowed window of an earlier kill: not expected in later checks. */
    final java.util.Set<Long> lost = ConcurrentHashMap.newKeySet();
  }

  /** Loads the server until it dies; returns when every client has stopped. */
  private void load(Acks[] acks, int cycle) throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      Thread t =
          new Thread(
              () -> {
                try (Jedis j = new Jedis("127.0.0.1", port)) {
                  while (!stop.get()) {
                    long i = acks[client].set.get();
                    String reply = j.set("key:" + client + ":" + i, cycle + ":" + i);
                    if (!"OK".equals(reply)) {
                      throw new AssertionError("SET replied " + reply);
                    }
                    acks[client].setAt.put(i, System.currentTimeMillis());
                    acks[client].set.incrementAndGet();
                    long n = j.incr("counter:" + client);
                    acks[client].incr.set(n);
                  }
                } catch (RuntimeException e) {
                  // The server was killed under this client.
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    stop.set(true);
  }

  /**
   * Checks every acknowledged write of every cycle so far; under everysec, tolerates the loss of
   * SETs acknowledged less than {@code graceMillis} before the kill.
   */
  private void verify(Acks[] acks, long killedAt, long graceMillis) {
    try (Jedis j = new Jedis("127.0.0.1", port)) {
      for (int c = 0; c < CLIENTS; c++) {
        long acked = acks[c].set.get();
        for (long i = 0; i < acked; i++) {
          String value = j.get("key:" + c + ":" + i);
          Long at = acks[c].setAt.get(i);
          if (value == null && acks[c].lost.contains(i)) {
            continue;
          }
          if (value == null && graceMillis > 0 && at != null && killedAt - at < graceMillis) {
            acks[c].lost.add(i);
            continue;
          }
          assertNotNull(value, "acknowledged SET key:" + c + ":" + i + " is missing");
          assertTrue(value.endsWith(":" + i), "key:" + c + ":" + i + " holds " + value);
        }
        String counter = j.get("counter:" + c);
        long have = counter == null ? 0 : Long.parseLong(counter);
        if (graceMillis == 0) {
          // The INCR in flight at the kill may or may not have been applied.
          assertTrue(
              have >= acks[c].incr.get() && have <= acks[c].incr.get() + 1,
              "counter:" + c + " is " + have + ", acknowledged " + acks[c].incr.get());
        }
        // Carry on from what survived, so later cycles check the same keys again.
        acks[c].incr.set(have);
      }
    }
  }

  private void crashCycles(String fsync, int cycles, long graceMillis) throws Exception {
    crashCycles(fsync, cycles, graceMillis, false);
  }

  private void crashCycles(String fsync, int cycles, long graceMillis, boolean rewriting)
      throws Exception {
    Acks[] acks = new Acks[CLIENTS];
    for (int c = 0; c < CLIENTS; c++) {
      acks[c] = new Acks();
    }
    startServer(fsync);
    for (int cycle = 0; cycle < cycles; cycle++) {
      Thread killer = killAfter(300 + random.nextInt(1200));
      Thread rewriter = rewriting ? startRewrites() : null;
      load(acks, cycle);
      killer.join();
      if (rewriter != null) {
        rewriter.join();
      }
      long killedAt = System.currentTimeMillis();
      process.waitFor();
      assertEquals(137, process.exitValue(), "the server was not killed by SIGKILL");
      startServer(fsync);
      verify(acks, killedAt, graceMillis);
    }
    long total = 0;
    for (Acks a : acks) {
      total += a.set.get();
    }
    assertTrue(total > CLIENTS, "too few writes were acknowledged to test anything: " + total);
  }

  /** Starts a thread that kills the server with SIGKILL after {@code millis}. */
  private Thread killAfter(long millis) {
    Thread killer =
        new Thread(
            () -> {
              try {
                Thread.sleep(millis);
              } catch (InterruptedException e) {
                return;
              }
              process.destroyForcibly();
            });
    killer.start();
    return killer;
  }

  /** Asks for rewrites back to back until the server dies. */
  private Thread startRewrites() {
    Thread t =
        new Thread(
            () -> {
              try (Jedis j = new Jedis("127.0.0.1", port)) {
                while (true) {
                  try {
                    j.bgrewriteaof();
                  } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                    // Already rewriting: ask again shortly.
                  }
                  Thread.sleep(20);
                }
              } catch (RuntimeException | InterruptedException e) {
                // The server was killed.
              }
            });
    t.start();
    return t;
  }

  @Test
  void always_killedDuringRewrites_losesNothingAcknowledged() throws Exception {
    crashCycles("always", 3, 0, true);
    try (var files = Files.list(dir.resolve("appendonlydir"))) {
      assertTrue(
          files.anyMatch(f -> f.getFileName().toString().endsWith(".base.aof")),
          "no rewrite ever completed");
    }
    try (Jedis j = new Jedis("127.0.0.1", port)) {
      assertTrue(
          j.info("persistence").contains("aof_enabled:1"), "the server runs without its log");
    }
  }

  @Test
  void always_logTurnedOnAtRunTime_keepsTheDataSetAndEveryLaterWrite() throws Exception {
    startServer("always", "no");
    int before = 2000;
    try (Jedis j = new Jedis("127.0.0.1", port)) {
      redis.clients.jedis.Pipeline p = j.pipelined();
      for (int i = 0; i < before; i++) {
        p.set("before:" + i, "v" + i);
      }
      p.sync();
      assertEquals("OK", j.configSet("appendonly", "yes"));
      long deadline = System.currentTimeMillis() + 30_000;
      while (!j.info("persistence").contains("aof_rewrite_in_progress:0")) {
        assertTrue(System.currentTimeMillis() < deadline, "the log's first rewrite did not end");
        Thread.sleep(20);
      }
      assertTrue(j.info("persistence").contains("aof_last_bgrewrite_status:ok"));
    }
    Acks[] acks = new Acks[CLIENTS];
    for (int c = 0; c < CLIENTS; c++) {
      acks[c] = new Acks();
    }
    Thread killer = killAfter(300 + random.nextInt(700));
    load(acks, 0);
    killer.join();
    long killedAt = System.currentTimeMillis();
    process.waitFor();
    assertEquals(137, process.exitValue(), "the server was not killed by SIGKILL");
    startServer("always", "yes");
    verify(acks, killedAt, 0);
    try (Jedis j = new Jedis("127.0.0.1", port)) {
      for (int i = 0; i < before; i++) {
        assertEquals("v" + i, j.get("before:" + i), "before:" + i);
      }
    }
  }

  @Test
  void always_everyAcknowledgedWriteSurvivesSigkill() throws Exception {
    crashCycles("always", 3, 0);
  }

  @Test
  void everysec_losesAtMostAboutASecond() throws Exception {
    crashCycles("everysec", 2, 2000);
  }
}
