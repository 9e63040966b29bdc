package io.toridb.core.keyspace;

/**
 * The stripes a running script holds: its declared keys' stripes, taken when it starts, then the
 * stripe of every other key its commands reach, taken as they reach it; all let go when it ends
 * (two-phase locking, under the gate of {@link KeyLocks}). One per worker, reused from script to
 * script, and used by that worker's thread alone.
 */
public final class ScriptStripes {
  /** One bit per stripe: whether this script has locked it. */
  private final long[] held = new long[KeyLocks.STRIPES / Long.SIZE];

  /** The stripes locked, in the order they were locked, to let go of in reverse. */
  private int[] order = new int[16];

  private int count;
  private KeyLocks locks;

  /**
   * Takes the gate, then the given stripes (sorted ascending, without repeats). The caller holds no
   * stripe.
   */
  public void begin(KeyLocks locks, int[] sortedStripes, int n) {
    locks.enterGate();
    this.locks = locks;
    boolean locked = false;
    try {
      locks.lockAll(sortedStripes, n);
      locked = true;
    } finally {
      if (!locked) {
        this.locks = null;
        locks.leaveGate();
      }
    }
    for (int i = 0; i < n; i++) {
      mark(sortedStripes[i]);
    }
  }

  /** Whether a script holds its stripes here now. */
  public boolean active() {
    return locks != null;
  }

  /** Locks {@code stripe} for the rest of the script, waiting for it if need be. */
  public void lock(int stripe) {
    if ((held[stripe >>> 6] & (1L << stripe)) == 0) {
      locks.lock(stripe);
      mark(stripe);
    }
  }

  /** Locks every stripe not held yet: for a command that needs the whole keyspace. */
  public void lockEverything() {
    for (int s = 0; s < KeyLocks.STRIPES; s++) {
      lock(s);
    }
  }

  /** Lets go of every stripe, then of the gate. */
  public void end() {
    KeyLocks l = locks;
    if (l == null) {
      return;
    }
    locks = null;
    try {
      for (int i = count - 1; i >= 0; i--) {
        l.unlock(order[i]);
      }
    } finally {
      java.util.Arrays.fill(held, 0);
      count = 0;
      l.leaveGate();
    }
  }

  private void mark(int stripe) {
    held[stripe >>> 6] |= 1L << stripe;
    if (count == order.length) {
      order = java.util.Arrays.copyOf(order, count * 2);
    }
    order[count++] = stripe;
  }
}
