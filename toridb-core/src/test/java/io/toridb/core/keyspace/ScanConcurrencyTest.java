package io.toridb.core.keyspace;

import static io.toridb.core.keyspace.DatabaseCommandsTest.parseScan;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * SCAN's guarantee while other clients write: keys present for the whole iteration are all
 * returned, and every iteration ends, although the map underneath grows (and so rehashes), keys
 * come and go, and other scans keep replacing the database's snapshot.
 */
class ScanConcurrencyTest {
  private static final int STABLE = 3000;

  @Test
  void scan_returnsEveryStableKey_underConcurrentInsertsDeletesAndScans() throws Exception {
    CommandHarness h = new CommandHarness();
    for (int i = 0; i < STABLE; i++) {
      h.call("SET", "stable:" + i, "v");
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();

    // Churn: inserts that grow the map through several resizes, and deletes.
    threads.add(
        worker(
            failure,
            stop,
            new CommandHarness(h),
            (c, round) -> {
              for (int i = 0; i < 500; i++) {
                c.call("SET", "grow:" + round + ":" + i, "v");
              }
              if (round % 8 == 7) {
                for (int r = round - 7; r <= round; r++) {
                  for (int i = 0; i < 500; i++) {
                    c.call("DEL", "grow:" + r + ":" + i);
                  }
                }
              }
            }));
    threads.add(
        worker(
            failure,
            stop,
            new CommandHarness(h),
            (c, round) -> {
              for (int i = 0; i < 200; i++) {
                c.call("SET", "churn:" + i, "v");
              }
              for (int i = 0; i < 200; i++) {
                c.call("DEL", "churn:" + i);
              }
            }));
    // Another client starting and abandoning scans replaces the snapshot again and again.
    threads.add(
        worker(
            failure,
            stop,
            new CommandHarness(h),
            (c, round) -> {
              String cursor = parseScan(c.call("SCAN", "0", "COUNT", "50")).cursor();
              c.call("SCAN", cursor, "COUNT", "50");
            }));
    threads.forEach(Thread::start);

    try {
      CommandHarness scanner = new CommandHarness(h);
      for (int iteration = 0; iteration < 15; iteration++) {
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        do {
          DatabaseCommandsTest.ScanReply r =
              parseScan(scanner.call("SCAN", cursor, "COUNT", String.valueOf(5 + iteration * 7)));
          seen.addAll(r.keys());
          cursor = r.cursor();
          calls++;
          assertTrue(calls < 10_000_000, "iteration does not end");
        } while (!cursor.equals("0"));
        for (int i = 0; i < STABLE; i++) {
          assertTrue(
              seen.contains("stable:" + i), "iteration " + iteration + " missed stable:" + i);
        }
      }
    } finally {
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
    }
    if (failure.get() != null) {
      throw new AssertionError("writer failed", failure.get());
    }
  }

  /**
   * A key whose insertion finished before an iteration started is returned by it, even while
   * another client keeps building (and abandoning) snapshots that the new iteration might reuse.
   */
  @Test
  void scan_seesKeysInsertedBeforeItStarted_whileSnapshotsAreRebuiltConcurrently()
      throws Exception {
    final int inserts = 20_000;
    CommandHarness h = new CommandHarness();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger published = new AtomicInteger();
    CommandHarness inserterClient = new CommandHarness(h);
    Thread inserter =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < inserts && !stop.get(); i++) {
                  inserterClient.call("SET", "ins:" + i, "v");
                  published.set(i + 1);
                }
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            });
    inserter.setDaemon(true);
    Thread snapshotter =
        worker(
            failure, stop, new CommandHarness(h), (c, round) -> c.call("SCAN", "0", "COUNT", "1"));
    inserter.start();
    snapshotter.start();
    try {
      CommandHarness scanner = new CommandHarness(h);
      int iterations = 0;
      // Iterate while the inserts run, and once more after they have all landed.
      boolean last = false;
      while (!last) {
        last = published.get() == inserts || !inserter.isAlive();
        int before = published.get();
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        do {
          DatabaseCommandsTest.ScanReply r = parseScan(scanner.call("SCAN", cursor, "COUNT", "20"));
          seen.addAll(r.keys());
          cursor = r.cursor();
        } while (!cursor.equals("0"));
        for (int i = 0; i < before; i++) {
          assertTrue(seen.contains("ins:" + i), "iteration " + iterations + " missed ins:" + i);
        }
        iterations++;
      }
    } finally {
      stop.set(true);
      inserter.join();
      snapshotter.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("client failed", failure.get());
    }
  }

  interface Round {
    void run(CommandHarness client, int round);
  }

  private static Thread worker(
      AtomicReference<Throwable> failure, AtomicBoolean stop, CommandHarness client, Round body) {
    Thread t =
        new Thread(
            () -> {
              try {
                for (int round = 0; !stop.get(); round++) {
                  body.run(client, round);
                }
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            });
    t.setDaemon(true);
    return t;
  }
}
