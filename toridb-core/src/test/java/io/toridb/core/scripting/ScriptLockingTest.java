package io.toridb.core.scripting;

import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.KeyLocks;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scripts lock the keys they declare when they start and the others as they reach them, holding all
 * until they end: other clients, on other executors (workers), never see a script's writes half
 * done, and multi-key commands waiting for a script's keys do not deadlock with it.
 */
class ScriptLockingTest {
  private final CommandHarness h = new CommandHarness();

  /** Two key names whose stripes are in the order given: {@code [low, high]}. */
  private static String[] keysInStripeOrder() {
    String low = null;
    for (int i = 0; ; i++) {
      String k = "key:" + i;
      int stripe = KeyLocks.stripeOf(Key.hash(k.getBytes(StandardCharsets.UTF_8)));
      if (low == null && stripe < KeyLocks.STRIPES / 4) {
        low = k;
      } else if (low != null && stripe > KeyLocks.STRIPES / 2) {
        return new String[] {low, k};
      }
    }
  }

  /**
   * Scripts increment two counters: in turn, one that declares the key of the higher stripe and
   * reaches the other undeclared, and one that declares neither. Other clients read both with MGET
   * (which locks the lower stripe first, then may wait for the higher one a script holds) and
   * increment both inside MULTI. The two must always read equal, and nothing may wait for ever.
   */
  @Test
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void anUndeclaredKey_isLockedUntilTheScriptEnds_andMultiKeyReadsNeverSeeHalfAScript()
      throws Exception {
    String[] keys = keysInStripeOrder();
    String low = keys[0];
    String high = keys[1];
    int scripts = 3_000;
    AtomicBoolean done = new AtomicBoolean();
    List<String> torn = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      CommandHarness scripter = new CommandHarness(h);
      tasks.add(
          pool.submit(
              () -> {
                for (int i = 0; i < scripts; i++) {
                  String r =
                      i % 2 == 0
                          ? scripter.call(
                              "EVAL",
                              "redis.call('incr', KEYS[1]) return redis.call('incr', ARGV[1])",
                              "1",
                              high,
                              low)
                          : scripter.call(
                              "EVAL",
                              "redis.call('incr', ARGV[1]) return redis.call('incr', ARGV[2])",
                              "0",
                              high,
                              low);
                  assertTrue(r.startsWith(":"), r);
                }
                done.set(true);
                return null;
              }));
      CommandHarness reader = new CommandHarness(h);
      tasks.add(
          pool.submit(
              () -> {
                while (!done.get()) {
                  String r = reader.call("MGET", low, high);
                  List<String> values = values(r);
                  if (!java.util.Objects.equals(values.get(0), values.get(1))) {
                    torn.add(r);
                  }
                }
                return null;
              }));
      CommandHarness writer = new CommandHarness(h);
      tasks.add(
          pool.submit(
              () -> {
                while (!done.get()) {
                  writer.call("MULTI");
                  writer.call("INCR", low);
                  writer.call("INCR", high);
                  writer.call("EXEC");
                }
                return null;
              }));
      for (Future<?> t : tasks) {
        t.get(100, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of(), torn);
    List<String> both = values(h.call("MGET", low, high));
    assertEquals(both.get(0), both.get(1));
    assertTrue(Long.parseLong(both.get(0)) >= scripts, both.toString());
  }

  /** The values of an array reply of bulk strings ($-1 as null). */
  private static List<String> values(String reply) {
    String[] lines = reply.split("\r\n");
    List<String> out = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      out.add(lines[i].equals("$-1") ? null : lines[++i]);
    }
    return out;
  }

  @Test
  void aScriptThatReachesTheWholeKeyspace_locksIt_andLetsGoAfter() throws Exception {
    h.call("SET", "a", "1");
    h.call("SET", "b", "2");
    assertEquals(
        integer(3), h.call("EVAL", "redis.call('set', 'c', '3') return redis.call('dbsize')", "0"));
    // Every stripe is free again for another client's thread.
    CommandHarness other = new CommandHarness(h);
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      assertEquals(":3\r\n", single.submit(() -> other.call("DBSIZE")).get(10, TimeUnit.SECONDS));
      assertEquals(
          "$1\r\n3\r\n", single.submit(() -> other.call("GET", "c")).get(10, TimeUnit.SECONDS));
    } finally {
      single.shutdownNow();
    }
  }

  /** SCAN locks nothing of its own, but inside a script what it saw holds until the script ends. */
  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aScriptThatScans_holdsTheKeyspaceStill_untilItEnds() throws Exception {
    h.call("SET", "seen", "1");
    CommandHarness other = new CommandHarness(h);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<String> script =
          pool.submit(
              () ->
                  h.call(
                      "EVAL",
                      "local n = #redis.call('scan', '0', 'count', '100')[2]"
                          + " local t = redis.call('time') local start = t[1] * 1000000 + t[2]"
                          + " while true do local now = redis.call('time')"
                          + " if now[1] * 1000000 + now[2] - start > 300000 then break end end"
                          + " return n .. ' ' .. #redis.call('scan', '0', 'count', '100')[2]",
                      "0"));
      // Once the script has scanned, the stripe of the key written below is taken.
      KeyLocks locks = h.server().keyspace().locks();
      int stripe = KeyLocks.stripeOf(Key.hash("late".getBytes(StandardCharsets.UTF_8)));
      while (locks.tryLock(stripe)) {
        locks.unlock(stripe);
        Thread.onSpinWait();
      }
      Future<String> write = pool.submit(() -> other.call("SET", "late", "1"));
      assertEquals("$3\r\n1 1\r\n", script.get(30, TimeUnit.SECONDS));
      assertEquals("+OK\r\n", write.get(30, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }
}
