package io.toridb.core.server;

/**
 * A statistics counter (commands processed, keyspace hits, a command's calls) that the worker
 * threads add to without contending: each {@link CountingThread} adds to a cell of its own, alone
 * on its cache lines, with a plain read and an ordered store and no atomic instruction; every other
 * thread adds to one shared cell atomically. {@link #sum} adds the cells up, so it sees every
 * addition that happened before it and may or may not see those that race with it, as {@code
 * LongAdder} does.
 *
 * <p>The cells (about 1 KiB) are made by the first addition, since most counters of a server (those
 * of commands nobody calls) never count anything.
 *
 * <p>{@link #reset} cannot zero a cell that its owner may be updating at the same moment (the
 * owner's store would bring the old value back), so it records the current sum as the new zero.
 */
public final class Counter {
  /** Longs per cell: 128 bytes, so that two cells never share a pair of adjacent cache lines. */
  private static final int STRIDE = 16;

  /** Cell {@code s} at index {@code s * STRIDE}; cell 0 is shared by threads without one. */
  private volatile long[] cells;

  /** What {@link #sum} subtracts: the total at the last {@link #reset}. */
  private volatile long zero;

  public void increment() {
    add(1);
  }

  public void add(long n) {
    long[] c = cells;
    if (c == null) {
      c = makeCells();
    }
    int slot = CountingThread.currentSlot();
    CountingThread.add(c, slot * STRIDE, n, slot != 0);
  }

  public long sum() {
    // The zero first: a reset between the two reads then makes the sum larger, never negative.
    long z = zero;
    return total() - z;
  }

  public void reset() {
    zero = total();
  }

  private long total() {
    long[] c = cells;
    long sum = 0;
    for (int i = 0; c != null && i < c.length; i += STRIDE) {
      sum += CountingThread.read(c, i);
    }
    return sum;
  }

  private synchronized long[] makeCells() {
    if (cells == null) {
      cells = new long[(CountingThread.SLOTS + 1) * STRIDE];
    }
    return cells;
  }
}
