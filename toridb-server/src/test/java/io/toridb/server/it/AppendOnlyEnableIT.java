package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.server.ToriServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONFIG SET appendonly yes on a running server, as in Redis: the log starts with a base of the
 * data as it is, and a restart from the log alone has everything, what came before and after.
 */
class AppendOnlyEnableIT {
  @TempDir Path dir;

  private ToriServer start(String appendonly) throws Exception {
    return SnapshotServers.tori(dir, "appendonly", appendonly);
  }

  /** Waits until no rewrite runs; fails after 30 s. */
  private static void awaitRewriteDone(RespClient c) throws Exception {
    for (int i = 0; i < 3000; i++) {
      String info = c.callRaw("INFO", "persistence");
      if (info.contains("aof_rewrite_in_progress:0")) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the rewrite did not end");
  }

  private List<String> logFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("appendonlydir"))) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void turningTheLogOn_writesABaseOfTheDataSet_andARestartFromItHasEverything() throws Exception {
    ToriServer server = start("no");
    try (RespClient c = new RespClient("127.0.0.1", server.port())) {
      for (int i = 0; i < 1000; i++) {
        c.call("SET", "before:" + i, "v" + i);
      }
      c.call("RPUSH", "list", "a", "b", "c");
      c.call("SET", "expiring", "x", "EX", "1000");
      assertEquals("+OK", c.callRaw("CONFIG", "SET", "appendonly", "yes").trim());
      assertTrue(c.callRaw("INFO", "persistence").contains("aof_enabled:1"));
      c.call("SET", "after", "1");
      c.call("DEL", "before:0");
      awaitRewriteDone(c);
      assertTrue(c.callRaw("INFO", "persistence").contains("aof_last_bgrewrite_status:ok"));
      c.call("SET", "afterRewrite", "2");
    } finally {
      server.shutdown();
    }
    List<String> files = logFiles();
    assertTrue(files.stream().anyMatch(f -> f.endsWith(".base.aof")), files.toString());

    ToriServer again = start("yes");
    try (RespClient c = new RespClient("127.0.0.1", again.port())) {
      assertEquals(":1003", c.callRaw("DBSIZE").trim());
      assertEquals("$2\r\nv1\r\n", c.callRaw("GET", "before:1"));
      assertEquals("$-1\r\n", c.callRaw("GET", "before:0"));
      assertEquals("$1\r\n1\r\n", c.callRaw("GET", "after"));
      assertEquals("$1\r\n2\r\n", c.callRaw("GET", "afterRewrite"));
      assertEquals(
          "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", c.callRaw("LRANGE", "list", "0", "-1"));
      long ttl = Long.parseLong(c.callRaw("TTL", "expiring").trim().substring(1));
      assertTrue(ttl > 900 && ttl <= 1000, "ttl " + ttl);
    } finally {
      again.shutdown();
    }
  }

  @Test
  void anOldLogFromBeforeTheLogWasTurnedOff_isReplacedNotReplayed() throws Exception {
    ToriServer server = start("yes");
    try (RespClient c = new RespClient("127.0.0.1", server.port())) {
      c.call("SET", "gone", "old");
      c.call("SET", "kept", "old");
      assertEquals("+OK", c.callRaw("CONFIG", "SET", "appendonly", "no").trim());
      // Not logged: the old log still says these keys hold "old".
      c.call("DEL", "gone");
      c.call("SET", "kept", "new");
      assertEquals("+OK", c.callRaw("CONFIG", "SET", "appendonly", "yes").trim());
      awaitRewriteDone(c);
    } finally {
      server.shutdown();
    }
    ToriServer again = start("yes");
    try (RespClient c = new RespClient("127.0.0.1", again.port())) {
      assertEquals("$-1\r\n", c.callRaw("GET", "gone"));
      assertEquals("$3\r\nnew\r\n", c.callRaw("GET", "kept"));
      assertEquals(":1", c.callRaw("DBSIZE").trim());
    } finally {
      again.shutdown();
    }
    // Only the new base and the incremental file after it are left.
    List<String> files = logFiles();
    assertEquals(2, files.stream().filter(f -> f.endsWith(".aof")).count(), "log files: " + files);
    assertFalse(files.stream().anyMatch(f -> f.startsWith("temp-")), files.toString());
  }

  @Test
  void duringABackgroundSave_theRewriteThatStartsTheLogWaitsForIt() throws Exception {
    ToriServer server = start("no");
    try (RespClient c = new RespClient("127.0.0.1", server.port())) {
      c.call("SET", "a", "1");
      c.call("SET", "b", "2");
      // Each key takes a quarter second to save: the save runs while the log is turned on.
      c.call("CONFIG", "SET", "rdb-key-save-delay", "250000");
      assertEquals("+Background saving started", c.callRaw("BGSAVE").trim());
      assertEquals("+OK", c.callRaw("CONFIG", "SET", "appendonly", "yes").trim());
      String info = c.callRaw("INFO", "persistence");
      assertTrue(info.contains("aof_enabled:1"), info);
      assertTrue(info.contains("aof_rewrite_scheduled:1"), info);
      // Not logged yet, but in the base the scheduled rewrite writes.
      c.call("SET", "c", "3");
      c.call("CONFIG", "SET", "rdb-key-save-delay", "0");
      for (int i = 0; i < 3000; i++) {
        info = c.callRaw("INFO", "persistence");
        if (info.contains("aof_rewrite_scheduled:0")
            && info.contains("aof_rewrite_in_progress:0")
            && info.contains("rdb_bgsave_in_progress:0")) {
          break;
        }
        Thread.sleep(10);
      }
      assertTrue(info.contains("aof_last_bgrewrite_status:ok"), info);
      c.call("SET", "d", "4");
    } finally {
      server.shutdown();
    }
    ToriServer again = start("yes");
    try (RespClient c = new RespClient("127.0.0.1", again.port())) {
      assertEquals(":4", c.callRaw("DBSIZE").trim());
      assertEquals("$1\r\n3\r\n", c.callRaw("GET", "c"));
      assertEquals("$1\r\n4\r\n", c.callRaw("GET", "d"));
    } finally {
      again.shutdown();
    }
  }

  @Test
  void writesRacingTheCut_areAllInTheLog() throws Exception {
    ToriServer server = start("no");
    int writers = 4;
    long[] acknowledged = new long[writers];
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (RespClient c = new RespClient("127.0.0.1", server.port())) {
      for (int w = 0; w < writers; w++) {
        int id = w;
        Thread t =
            new Thread(
                () -> {
                  try (RespClient mine = new RespClient("127.0.0.1", server.port())) {
                    while (!stop.get()) {
                      String reply = mine.callRaw("INCR", "counter:" + id).trim();
                      acknowledged[id] = Long.parseLong(reply.substring(1));
                    }
                  } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                  }
                });
        t.start();
        threads.add(t);
      }
      Thread.sleep(200);
      assertEquals("+OK", c.callRaw("CONFIG", "SET", "appendonly", "yes").trim());
      awaitRewriteDone(c);
      Thread.sleep(200);
      stop.set(true);
      for (Thread t : threads) {
        t.join(10_000);
      }
    } finally {
      server.shutdown();
    }
    if (failure.get() != null) {
      throw new AssertionError("a writer failed", failure.get());
    }
    ToriServer again = start("yes");
    try (RespClient c = new RespClient("127.0.0.1", again.port())) {
      for (int w = 0; w < writers; w++) {
        assertTrue(acknowledged[w] > 0, "writer " + w + " wrote");
        assertEquals(
            "$" + Long.toString(acknowledged[w]).length() + "\r\n" + acknowledged[w] + "\r\n",
            c.callRaw("GET", "counter:" + w),
            "counter:" + w);
      }
    } finally {
      again.shutdown();
    }
  }
}
