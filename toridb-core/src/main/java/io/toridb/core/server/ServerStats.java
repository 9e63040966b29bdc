package io.toridb.core.server;

import java.util.concurrent.atomic.LongAdder;

/** Server-wide counters reported by {@code INFO stats}; reset by CONFIG RESETSTAT. */
public final class ServerStats {
  public final Counter commandsProcessed = new Counter();
  public final Counter connectionsReceived = new Counter();
  public final Counter rejectedConnections = new Counter();
  public final Counter errorReplies = new Counter();
  public final Counter netInputBytes = new Counter();
  public final Counter netOutputBytes = new Counter();

  /**
   * Changes made to the data set (Redis's dirty counter). It only grows; snapshots remember its
   * value at their cut, and rdb_changes_since_last_save is the difference.
   */
  public final Counter dirty = new Counter();

  public final java.util.concurrent.ConcurrentHashMap<String, LongAdder> errorCodes =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Counts an error reply under its code (the first word), for INFO errorstats. */
  public void countError(String reply) {
    errorReplies.increment();
    int space = reply.indexOf(' ');
    String code = space < 0 ? reply : reply.substring(0, space);
    errorCodes.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  public void reset() {
    commandsProcessed.reset();
    connectionsReceived.reset();
    rejectedConnections.reset();
    errorReplies.reset();
    netInputBytes.reset();
    netOutputBytes.reset();
    errorCodes.clear();
  }
}
