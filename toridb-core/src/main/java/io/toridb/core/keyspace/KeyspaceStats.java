package io.toridb.core.keyspace;

import java.util.concurrent.atomic.LongAdder;

/** Counters that {@code INFO stats} reports for the keyspace. */
public final class KeyspaceStats {
  public final LongAdder keyspaceHits = new LongAdder();
  public final LongAdder keyspaceMisses = new LongAdder();
  public final LongAdder expiredKeys = new LongAdder();
  public final LongAdder evictedKeys = new LongAdder();

  public void reset() {
    keyspaceHits.reset();
    keyspaceMisses.reset();
    expiredKeys.reset();
    evictedKeys.reset();
  }
}
