package io.toridb.core.keyspace;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks over key hashes. A command locks the stripes of every key it declares, in ascending
 * stripe order so that two commands can never wait on each other; a command that declares no keys
 * but reads or changes the whole keyspace locks every stripe.
 *
 * <p>Stripes are shared by all databases: the same key name in two databases maps to one stripe,
 * which costs nothing in correctness and lets MOVE and SWAPDB stay simple.
 *
 * <p>Locks are reentrant: a thread that holds a stripe may lock it again (a rewrite's copy-on-write
 * hook runs inside the command that holds the key), and must unlock it as many times.
 *
 * <p>A script cannot lock in order: it declares some keys, and may reach others as it runs. It
 * holds the gate ({@link #enterGate}) for its whole run, locks its declared stripes and then each
 * further stripe as it reaches it, waiting for the stripe if need be (two-phase locking, so the
 * script is serializable against every other command). That wait cannot deadlock: scripts run one
 * at a time (the gate); {@link #lockEverything} takes the gate before any stripe; a single-stripe
 * holder waits for nothing else while it holds its stripe; and {@link #lockAll}, the only other way
 * to hold one stripe while waiting for another, lets go of what it holds when it finds a stripe
 * busy while another thread holds the gate, and starts again behind the gate.
 */
public final class KeyLocks {
  /** A power of two, so a hash maps to a stripe with a mask. */
  public static final int STRIPES = 1024;

  /**
   * How long {@link #lockAll} waits for a busy stripe before it looks at the gate again: how long a
   * script waiting for a stripe that a multi-key command holds may wait for the command to let go.
   */
  private static final long GATE_CHECK_NANOS = 50_000;

  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  /** Held by a running script and by whoever locks everything; see the class comment. */
  private final ReentrantLock gate = new ReentrantLock();

  public KeyLocks() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  public static int stripeOf(int keyHash) {
    return keyHash & (STRIPES - 1);
  }

  public void lock(int stripe) {
    stripes[stripe].lock();
  }

  /**
   * Locks {@code stripe} only if it is free (or already held by this thread). For work that holds
   * no ordering guarantee with the caller's other locks, such as reclaiming an expired key found
   * while scanning: it skips the key instead of risking a deadlock.
   */
  public boolean tryLock(int stripe) {
    return stripes[stripe].tryLock();
  }

  /**
   * Releases one hold of {@code stripe}.
   *
   * @throws IllegalMonitorStateException if the calling thread does not hold it
   */
  public void unlock(int stripe) {
    stripes[stripe].unlock();
  }

  /** Whether the calling thread holds {@code stripe}. */
  public boolean isHeldByCurrentThread(int stripe) {
    return stripes[stripe].isHeldByCurrentThread();
  }

  /**
   * Locks the given stripes, which must be sorted ascending and free of duplicates.
   *
   * @param count how many entries of {@code sortedStripes} to use
   */
  public void lockAll(int[] sortedStripes, int count) {
    for (int i = 0; i < count; i++) {
      if (!stripes[sortedStripes[i]].tryLock()) {
        lockAllContended(sortedStripes, count, i);
        return;
      }
    }
  }

  /**
   * {@link #lockAll} from the first stripe that was busy: waits for it a little at a time, and when
   * another thread holds the gate (a script that may be waiting for a stripe this call holds), lets
   * go of the stripes it took and takes them all again behind the gate.
   */
  private void lockAllContended(int[] sortedStripes, int count, int from) {
    boolean interrupted = false;
    try {
      int i = from;
      while (i < count) {
        ReentrantLock l = stripes[sortedStripes[i]];
        try {
          if (l.tryLock(GATE_CHECK_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS)) {
            i++;
            continue;
          }
        } catch (InterruptedException e) {
          interrupted = true;
          continue;
        }
        if (i > 0 && gate.isLocked() && !gate.isHeldByCurrentThread()) {
          for (int j = i - 1; j >= 0; j--) {
            stripes[sortedStripes[j]].unlock();
          }
          gate.lock();
          try {
            for (int j = 0; j < count; j++) {
              stripes[sortedStripes[j]].lock();
            }
          } finally {
            gate.unlock();
          }
          return;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public void unlockAll(int[] sortedStripes, int count) {
    for (int i = count - 1; i >= 0; i--) {
      stripes[sortedStripes[i]].unlock();
    }
  }

  /** Takes the gate, then locks every stripe, in order. */
  public void lockEverything() {
    gate.lock();
    for (ReentrantLock l : stripes) {
      l.lock();
    }
  }

  public void unlockEverything() {
    for (int i = STRIPES - 1; i >= 0; i--) {
      stripes[i].unlock();
    }
    gate.unlock();
  }

  /**
   * Takes the gate, for a script's whole run: until {@link #leaveGate}, the calling thread may
   * {@link #lock} stripes in any order (see the class comment). Call it holding no stripe.
   */
  public void enterGate() {
    gate.lock();
  }

  public void leaveGate() {
    gate.unlock();
  }
}
