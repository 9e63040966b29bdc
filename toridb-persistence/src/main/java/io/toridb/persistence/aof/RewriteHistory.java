package io.toridb.persistence.aof;

/**
 * What INFO persistence reports about rewrites of the log ({@code aof_rewrites}, {@code
 * aof_last_bgrewrite_status}, ...) and what paces automatic retries after failures. The server
 * keeps one for every log it opens, so that turning the log off and on, or rewriting it while it is
 * off, goes on counting, as in Redis.
 */
public final class RewriteHistory {
  private volatile long lastSeconds = -1;
  private volatile String lastStatus = "ok";
  private volatile long rewrites;
  private volatile long consecutiveFailures;
  private volatile long lastFailureMillis;

  synchronized void ended(boolean ok, long seconds) {
    lastSeconds = seconds;
    if (ok) {
      rewrites++;
      consecutiveFailures = 0;
      lastStatus = "ok";
    } else {
      consecutiveFailures++;
      lastFailureMillis = System.currentTimeMillis();
      lastStatus = "err";
    }
  }

  /** How long the last rewrite took, in seconds; -1 before the first. */
  public long lastSeconds() {
    return lastSeconds;
  }

  /** "ok" or "err", as INFO's aof_last_bgrewrite_status. */
  public String lastStatus() {
    return lastStatus;
  }

  /** Rewrites that completed. */
  public long rewrites() {
    return rewrites;
  }

  public long consecutiveFailures() {
    return consecutiveFailures;
  }

  long lastFailureMillis() {
    return lastFailureMillis;
  }
}
