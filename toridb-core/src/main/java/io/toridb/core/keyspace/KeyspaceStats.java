package io.toridb.core.keyspace;

import io.toridb.core.server.Counter;

/** Counters that {@code INFO stats} reports for the keyspace. */
public final class KeyspaceStats {
  public final Counter keyspaceHits = new Counter();
  public final Counter keyspaceMisses = new Counter();
  public final Counter expiredKeys = new Counter();
  public final Counter evictedKeys = new Counter();

  public void reset() {
    keyspaceHits.reset();
    keyspaceMisses.reset();
    expiredKeys.reset();
    evictedKeys.reset();
  }
}
