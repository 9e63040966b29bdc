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
 */
public final class KeyLocks {
  /** A power of two, so a hash maps to a stripe with a mask. */
  public static final int STRIPES = 1024;

  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

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
      stripes[sortedStripes[i]].lock();
    }
  }

  public void unlockAll(int[] sortedStripes, int count) {
    for (int i = count - 1; i >= 0; i--) {
      stripes[sortedStripes[i]].unlock();
    }
  }

  /** Locks every stripe, in order. */
  public void lockEverything() {
    for (ReentrantLock l : stripes) {
      l.lock();
    }
  }

  public void unlockEverything() {
    for (int i = STRIPES - 1; i >= 0; i--) {
      stripes[i].unlock();
    }
  }
}
