package io.toridb.core.keyspace;

/**
 * The active expiry cycle: reclaims expired keys that nobody reads, as Redis's activeExpireCycle
 * does. The server calls {@link #runCycle} {@code hz} times a second from its cron thread.
 */
public final class ActiveExpiry {
  private final Keyspace keyspace;
  private volatile boolean enabled = true;

  public ActiveExpiry(Keyspace keyspace) {
    this.keyspace = keyspace;
  }

  /** DEBUG SET-ACTIVE-EXPIRE 0|1 switches the cycle off and on. */
  public boolean enabled() {
    return enabled;
  }

  public void enabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Runs one cycle at time {@code now} (Unix ms).
   *
   * @return the number of keys reclaimed
   */
  public int runCycle(long now) {
    if (!enabled) {
      return 0;
    }
    return 0;
  }

  Keyspace keyspace() {
    return keyspace;
  }
}
