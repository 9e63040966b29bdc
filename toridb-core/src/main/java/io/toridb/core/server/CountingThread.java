package io.toridb.core.server;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A thread that owns a cell of every {@link Counter} while it runs, so its counting contends with
 * no other thread: the worker threads, which count every command. There are {@link #SLOTS} cells to
 * hand out; a thread that finds none free counts in the shared cell, as every other thread does.
 */
public class CountingThread extends FastThreadLocalThread {
  /** Cells a counter keeps for counting threads, besides the shared one. */
  public static final int SLOTS = 8;

  /** Which cells are taken by a running thread (1) or free (0); index 0 is cell 1. */
  private static final AtomicIntegerArray taken = new AtomicIntegerArray(SLOTS);

  /** This thread's cell while it runs, 0 (the shared cell) otherwise; only it reads and writes. */
  private int slot;

  public CountingThread(Runnable task, String name) {
    super(task, name);
  }

  @Override
  public final void run() {
    slot = acquire();
    try {
      super.run();
    } finally {
      release(slot);
      slot = 0;
    }
  }

  /**
   * The calling thread's cell, 1 to {@link #SLOTS}, which no other running thread writes; 0 (the
   * shared cell, to be updated atomically) if it is not a counting thread or got none.
   */
  public static int currentSlot() {
    return Thread.currentThread() instanceof CountingThread t ? t.slot : 0;
  }

  private static int acquire() {
    for (int i = 0; i < SLOTS; i++) {
      if (taken.compareAndSet(i, 0, 1)) {
        return i + 1;
      }
    }
    return 0;
  }

  private static void release(int slot) {
    if (slot > 0) {
      // The next owner reads the cells this thread wrote: the release orders them before it.
      taken.set(slot - 1, 0);
    }
  }
}
