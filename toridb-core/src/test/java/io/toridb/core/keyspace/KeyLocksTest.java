package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class KeyLocksTest {
  private final KeyLocks locks = new KeyLocks();

  /** Runs {@code task} on another thread and returns its result. */
  private static <T> T onOtherThread(java.util.concurrent.Callable<T> task) throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      return other.submit(task).get(10, TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void aHeldStripe_isRefusedToOtherThreads_andFreeAgainAfterUnlock() throws Exception {
    locks.lock(7);
    assertTrue(locks.isHeldByCurrentThread(7));
    assertFalse(onOtherThread(() -> locks.tryLock(7)));
    assertTrue(onOtherThread(() -> locks.tryLock(8) && unlocked(8)));
    locks.unlock(7);
    assertFalse(locks.isHeldByCurrentThread(7));
    assertTrue(onOtherThread(() -> locks.tryLock(7) && unlocked(7)));
  }

  private boolean unlocked(int stripe) {
    locks.unlock(stripe);
    return true;
  }

  @Test
  void locksAreReentrant_andFreedOnlyByTheLastUnlock() throws Exception {
    locks.lock(3);
    locks.lock(3);
    assertTrue(locks.tryLock(3));
    locks.unlock(3);
    locks.unlock(3);
    assertFalse(onOtherThread(() -> locks.tryLock(3)), "one hold is left");
    locks.unlock(3);
    assertTrue(onOtherThread(() -> locks.tryLock(3) && unlocked(3)));
  }

  @Test
  void unlockingAStripeThisThreadDoesNotHold_isRefused() throws Exception {
    assertThrows(IllegalMonitorStateException.class, () -> locks.unlock(5));
    locks.lock(5);
    Exception e = onOtherThread(() -> catchUnlock(5));
    assertTrue(e instanceof IllegalMonitorStateException, String.valueOf(e));
    assertTrue(locks.isHeldByCurrentThread(5), "a refused unlock leaves the owner's hold alone");
    locks.unlock(5);
  }

  private Exception catchUnlock(int stripe) {
    try {
      locks.unlock(stripe);
      return null;
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void aWaiter_getsTheStripeWhenTheHolderLetsGo() throws Exception {
    locks.lock(9);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean acquired = new AtomicBoolean();
    Thread waiter =
        new Thread(
            () -> {
              started.countDown();
              locks.lock(9);
              acquired.set(true);
              locks.unlock(9);
            });
    waiter.start();
    started.await();
    // Long enough for the waiter to pass from spinning to parking.
    Thread.sleep(50);
    assertFalse(acquired.get());
    locks.unlock(9);
    waiter.join(10_000);
    assertTrue(acquired.get());
  }

  /**
   * A script holds the gate and a stripe, and then wants a lower stripe that a multi-stripe lock
   * took while it waits for the script's: that lock must let go, or both wait for ever.
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 30, threadMode = SEPARATE_THREAD)
  void aMultiStripeLock_letsGoOfWhatItHolds_whenAScriptWaitsForIt() throws Exception {
    ScriptStripes script = new ScriptStripes();
    script.begin(locks, new int[] {5}, 1);
    AtomicBoolean both = new AtomicBoolean();
    Thread other =
        new Thread(
            () -> {
              int[] pair = {3, 5};
              locks.lockAll(pair, 2);
              both.set(locks.isHeldByCurrentThread(3) && locks.isHeldByCurrentThread(5));
              locks.unlockAll(pair, 2);
            });
    other.start();
    // It takes 3, finds 5 taken while a script holds the gate, lets go of 3 and waits behind the
    // gate (only there does it wait without a time limit; without letting go it would keep 3).
    while (other.getState() != Thread.State.WAITING) {
      Thread.sleep(1);
    }
    script.lock(3);
    assertTrue(locks.isHeldByCurrentThread(3));
    assertFalse(both.get());
    script.end();
    other.join();
    assertTrue(both.get());
    assertFalse(locks.isHeldByCurrentThread(3));
    assertFalse(locks.isHeldByCurrentThread(5));
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 30, threadMode = SEPARATE_THREAD)
  void lockingEverything_waitsForTheScriptToEnd() throws Exception {
    ScriptStripes script = new ScriptStripes();
    script.begin(locks, new int[0], 0);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean locked = new AtomicBoolean();
    Thread other =
        new Thread(
            () -> {
              started.countDown();
              locks.lockEverything();
              locked.set(true);
              locks.unlockEverything();
            });
    other.start();
    started.await();
    Thread.sleep(50);
    // Every stripe is free, yet the script may still reach any of them.
    assertFalse(locked.get());
    script.lock(700);
    script.end();
    other.join();
    assertTrue(locked.get());
  }

  /**
   * Threads add to plain (non-atomic) counters under the stripes' locks, some one stripe at a time,
   * some several in ascending order, some every stripe, and one as a script, out of order: without
   * mutual exclusion increments are lost, and without the global order (or the gate, for the
   * script) the run deadlocks.
   */
  @Test
  void underContention_noIncrementIsLost_andNothingDeadlocks() throws Exception {
    int threads = 4;
    int rounds = 20_000;
    int hot = 4;
    long[] counters = new long[KeyLocks.STRIPES];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      done.add(
          pool.submit(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int[] stripes = new int[2];
                ScriptStripes script = new ScriptStripes();
                for (int i = 0; i < rounds; i++) {
                  if (id == 1 && i % 5 == 0) {
                    // A script declares a high stripe, then reaches a low one.
                    int high = hot / 2 + random.nextInt(hot / 2);
                    int low = random.nextInt(hot / 2);
                    script.begin(locks, new int[] {high}, 1);
                    counters[high]++;
                    script.lock(low);
                    counters[low]++;
                    script.end();
                  } else if (id == 0 && i % 2_000 == 0) {
                    locks.lockEverything();
                    for (int s = 0; s < hot; s++) {
                      counters[s]++;
                    }
                    locks.unlockEverything();
                  } else if (i % 3 == 0) {
                    stripes[0] = random.nextInt(hot / 2);
                    stripes[1] = hot / 2 + random.nextInt(hot / 2);
                    locks.lockAll(stripes, 2);
                    counters[stripes[0]]++;
                    counters[stripes[1]]++;
                    locks.unlockAll(stripes, 2);
                  } else {
                    int s = random.nextInt(hot);
                    locks.lock(s);
                    counters[s]++;
                    locks.unlock(s);
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    long expected = 0;
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < rounds; i++) {
        if (t == 1 && i % 5 == 0) {
          expected += 2;
        } else if (t == 0 && i % 2_000 == 0) {
          expected += hot;
        } else if (i % 3 == 0) {
          expected += 2;
        } else {
          expected += 1;
        }
      }
    }
    long total = 0;
    for (int s = 0; s < hot; s++) {
      total += counters[s];
    }
    assertEquals(expected, total);
    for (int s = 0; s < hot; s++) {
      int stripe = s;
      assertTrue(
          onOtherThread(() -> locks.tryLock(stripe) && unlocked(stripe)), "stripe " + s + " free");
    }
  }
}
