package io.toridb.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CounterTest {
  private static final int ADDS = 200_000;

  @Test
  void countingAndOtherThreadsTogetherAddUpExactly() throws Exception {
    Counter c = new Counter();
    int counting = CountingThread.SLOTS + 3;
    int plain = 3;
    CyclicBarrier start = new CyclicBarrier(counting + plain);
    AtomicIntegerArray slots = new AtomicIntegerArray(counting);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < counting + plain; t++) {
      int id = t;
      Runnable task =
          () -> {
            await(start);
            if (id < counting) {
              slots.set(id, CountingThread.currentSlot());
            }
            for (int i = 0; i < ADDS; i++) {
              c.add(id + 1);
            }
            // Everyone stays until all have counted, so every counting thread holds its cell at
            // the same time as the others.
            await(start);
          };
      threads.add(id < counting ? new CountingThread(task, "c" + id) : new Thread(task, "p" + id));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    long expected = 0;
    for (int t = 0; t < counting + plain; t++) {
      expected += (long) ADDS * (t + 1);
    }
    assertEquals(expected, c.sum());
    Set<Integer> owned = new HashSet<>();
    int shared = 0;
    for (int t = 0; t < counting; t++) {
      int s = slots.get(t);
      if (s == 0) {
        shared++;
      } else {
        assertTrue(owned.add(s), "cell " + s + " handed to two running threads");
        assertTrue(s <= CountingThread.SLOTS);
      }
    }
    assertTrue(shared >= counting - CountingThread.SLOTS, "more threads than cells: some share");
  }

  @Test
  void aCellPassesToTheNextThreadWithItsCount() throws Exception {
    Counter c = new Counter();
    int[] slot = new int[2];
    for (int round = 0; round < 2; round++) {
      int r = round;
      Thread t =
          new CountingThread(
              () -> {
                slot[r] = CountingThread.currentSlot();
                for (int i = 0; i < ADDS; i++) {
                  c.increment();
                }
              },
              "c" + round);
      t.start();
      t.join();
    }
    assertNotEquals(0, slot[0]);
    assertNotEquals(0, slot[1]);
    assertEquals(2L * ADDS, c.sum());
    assertEquals(0, CountingThread.currentSlot(), "the test thread is not a counting thread");
  }

  @Test
  void aThreadThatEndsGivesItsCellBack() throws Exception {
    // More threads, one after the other, than there are cells: each finds one free.
    for (int i = 0; i < 3 * CountingThread.SLOTS; i++) {
      int[] slot = new int[1];
      Thread t = new CountingThread(() -> slot[0] = CountingThread.currentSlot(), "c" + i);
      t.start();
      t.join();
      assertNotEquals(0, slot[0], "thread " + i + " found no free cell");
    }
  }

  @Test
  void aReaderSeesTheCountGrowAndEndExact() throws Exception {
    Counter c = new Counter();
    Thread writer =
        new CountingThread(
            () -> {
              for (int i = 0; i < ADDS * 5; i++) {
                c.add(2);
              }
            },
            "writer");
    writer.start();
    long previous = 0;
    while (writer.isAlive()) {
      long now = c.sum();
      assertTrue(now >= previous, "went back from " + previous + " to " + now);
      assertEquals(0, now % 2, "saw half of an addition: " + now);
      previous = now;
    }
    writer.join();
    assertEquals(ADDS * 10L, c.sum());
  }

  @Test
  void resetStartsAgainFromZero() throws Exception {
    Counter c = new Counter();
    assertEquals(0, c.sum());
    c.reset();
    assertEquals(0, c.sum(), "a counter that never counted resets to zero");
    c.add(10);
    Thread t = new CountingThread(() -> c.add(5), "c");
    t.start();
    t.join();
    assertEquals(15, c.sum());
    c.reset();
    assertEquals(0, c.sum());
    c.add(3);
    t = new CountingThread(() -> c.add(4), "c");
    t.start();
    t.join();
    assertEquals(7, c.sum());
  }

  private static void await(CyclicBarrier b) {
    try {
      b.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
