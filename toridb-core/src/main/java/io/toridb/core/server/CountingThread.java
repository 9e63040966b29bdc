package io.toridb.core.server;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A thread that owns a cell of every {@link Counter} while it runs, so its counting contends with
 * no other thread: the worker threads, which count every command. There are {@link #SLOTS} cells to
 * hand out; a thread that finds none free counts in the shared cell, as every other thread does.
 */
public class CountingThread extends FastThreadLocalThread {
  /** Cells a counter keeps for counting threads, besides the shared one. */
  public static final int SLOTS = 8;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

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

  /**
   * Adds {@code n} to {@code counts[i]}, which is the calling thread's own when {@code own} (it got
   * a cell, {@link #currentSlot} above 0) and shared otherwise. Its own it adds to with a plain
   * read and a release store, no atomic instruction: only it writes there, and the release keeps
   * what the caller did before (a map update between two counts) visible before the count is. A
   * shared one it adds to atomically.
   */
  public static void add(long[] counts, int i, long n, boolean own) {
    if (own) {
      LONGS.setRelease(counts, i, counts[i] + n);
    } else {
      LONGS.getAndAdd(counts, i, n);
    }
  }

  /** Reads {@code counts[i]} as {@link #add} leaves it, whichever thread added. */
  public static long read(long[] counts, int i) {
    return (long) LONGS.getVolatile(counts, i);
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
