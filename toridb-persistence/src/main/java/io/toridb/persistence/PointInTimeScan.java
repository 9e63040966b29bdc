package io.toridb.persistence;

import io.toridb.core.keyspace.ChangeObserver;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.KeyLocks;
import io.toridb.core.keyspace.Keyspace;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.server.ServerContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads every key of the keyspace as it was at one instant (the cut) while clients go on reading
 * and writing: what a log rewrite or a snapshot writes out. There is no stop-the-world pause beyond
 * taking every lock once, briefly, for the cut; memory beyond the keyspace is bounded by the keys
 * that change while the scan runs.
 *
 * <p>How: at the cut the scan becomes the server's {@link ChangeObserver}. Then it walks every
 * database, taking each key's lock in turn, and hands the key's value to the sink, marking the
 * value with this scan's mark. A command about to change a key the scan has not reached yet (its
 * value is not marked) first saves a copy of it, or the fact that it did not exist; one about to
 * change a key already handed over records that (the new value will carry no mark); when the walk
 * reaches such a key it hands over the saved copy instead (or nothing), and after the walk it hands
 * over the saved copies of keys it never met (deleted or renamed away meanwhile). A key created
 * after the cut is saved as absent, so it is never handed over. Keys that expire during the scan
 * are not saved: whether a dead key is written out or not, the log after the cut deletes it.
 *
 * <p>A command that changes the whole keyspace (FLUSHALL, FLUSHDB, SWAPDB) cancels the scan.
 */
public final class PointInTimeScan implements ChangeObserver {
  /** Receives each key of the instant, under the key's lock (or a private copy of it). */
  public interface Sink {
    void accept(int db, Key key, StoredValue value) throws java.io.IOException;
  }

  /** Thrown by {@link #run} when a whole-keyspace change cancelled the scan. */
  public static final class CancelledException extends Exception {
    CancelledException() {
      super("cancelled by a command that changed the whole keyspace");
    }
  }

  private static final AtomicInteger MARKS = new AtomicInteger();

  /** What a key was at the cut, when it changed before the walk reached it. */
  private record Saved(StoredValue value) {}

  private static final Saved ABSENT = new Saved(null);
  private static final Saved HANDED_OVER = new Saved(null);

  private record DbKey(int db, Key key) {}

  private final ServerContext server;
  private final int mark;
  private final Map<DbKey, Saved> saved = new ConcurrentHashMap<>();
  private volatile boolean cancelled;

  private PointInTimeScan(ServerContext server) {
    this.server = server;
    // Marks cycle through 1..255: a value keeps the mark of the last scan that handed it over, and
    // every scan hands over (or sees saved) every value that exists at its cut.
    this.mark = 1 + Math.floorMod(MARKS.getAndIncrement(), 255);
  }

  /**
   * Makes the cut: with every lock held, runs {@code atCut} (which must be quick: the point where
   * the log switches files, for example) and starts observing changes. Then {@link #run} walks.
   */
  public static PointInTimeScan cut(ServerContext server, Runnable atCut) {
    PointInTimeScan scan = new PointInTimeScan(server);
    KeyLocks locks = server.keyspace().locks();
    locks.lockEverything();
    try {
      if (server.changeObserver() != null) {
        throw new IllegalStateException("another point-in-time scan is running");
      }
      atCut.run();
      server.changeObserver(scan);
    } finally {
      locks.unlockEverything();
    }
    return scan;
  }

  @Override
  public void beforeChange(int db, Key key) {
    DbKey k = new DbKey(db, key);
    if (saved.containsKey(k)) {
      return;
    }
    Database d = server.keyspace().db(db);
    StoredValue v = d.peek(key);
    if (v != null && v.rewriteMark() == mark) {
      // Already handed over. Remember that, since the value about to replace it is not marked.
      saved.put(k, HANDED_OVER);
      return;
    }
    saved.put(k, v == null ? ABSENT : new Saved(v.snapshot()));
  }

  @Override
  public void beforeWholeKeyspaceChange() {
    cancelled = true;
  }

  public boolean cancelled() {
    return cancelled;
  }

  /** Keys saved because they changed during the scan, so far: the scan's memory beyond the data. */
  public int savedKeys() {
    return saved.size();
  }

  /**
   * rdb-key-save-delay and key-load-delay (test settings, as in Redis): sleeps {@code micros}
   * microseconds per key; negative: one microsecond with chance 1/-n.
   */
  public static void keyDelay(long micros) {
    if (micros < 0) {
      micros = java.util.concurrent.ThreadLocalRandom.current().nextLong(-micros) == 0 ? 1 : 0;
    }
    if (micros > 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(micros * 1000);
    }
  }

  /** Walks every database, handing each key of the instant to {@code sink}; ends the scan. */
  public void run(Sink sink) throws java.io.IOException, CancelledException {
    run(sink, 0);
  }

  /**
   * As {@link #run(Sink)}, sleeping as {@link #keyDelay} says after each key, with its lock
   * released (rdb-key-save-delay).
   */
  public void run(Sink sink, long keyDelayMicros) throws java.io.IOException, CancelledException {
    Keyspace keyspace = server.keyspace();
    KeyLocks locks = keyspace.locks();
    try {
      for (int db = 0; db < keyspace.databaseCount(); db++) {
        Database d = keyspace.db(db);
        for (Map.Entry<Key, StoredValue> e : d.entries()) {
          if (cancelled) {
            throw new CancelledException();
          }
          Key key = e.getKey();
          int stripe = KeyLocks.stripeOf(key.hashCode());
          locks.lock(stripe);
          try {
            visit(db, d, key, sink);
          } finally {
            locks.unlock(stripe);
          }
          if (keyDelayMicros != 0) {
            keyDelay(keyDelayMicros);
          }
        }
      }
      if (cancelled) {
        throw new CancelledException();
      }
      // Keys that existed at the cut but were gone before the walk reached them.
      for (Map.Entry<DbKey, Saved> e : saved.entrySet()) {
        if (cancelled) {
          throw new CancelledException();
        }
        Saved s = e.getValue();
        if (s != ABSENT && s != HANDED_OVER) {
          sink.accept(e.getKey().db(), e.getKey().key(), s.value());
        }
      }
      if (cancelled) {
        throw new CancelledException();
      }
    } catch (java.io.IOException | CancelledException | RuntimeException e) {
      clearMarks();
      throw e;
    } finally {
      server.changeObserver(null);
    }
  }

  /**
   * After a scan that did not finish: some values carry its mark, others an older one. Marks repeat
   * every 255 scans, so an old mark left in place could one day pass for the mark of a later scan,
   * which would then skip the value. Clearing them all keeps every mark either 0 or that of the
   * last finished scan.
   */
  private void clearMarks() {
    Keyspace keyspace = server.keyspace();
    KeyLocks locks = keyspace.locks();
    for (int db = 0; db < keyspace.databaseCount(); db++) {
      for (Map.Entry<Key, StoredValue> e : keyspace.db(db).entries()) {
        int stripe = KeyLocks.stripeOf(e.getKey().hashCode());
        locks.lock(stripe);
        try {
          StoredValue v = keyspace.db(db).peek(e.getKey());
          if (v != null) {
            v.rewriteMark(0);
          }
        } finally {
          locks.unlock(stripe);
        }
      }
    }
  }

  private void visit(int db, Database d, Key key, Sink sink) throws java.io.IOException {
    DbKey k = new DbKey(db, key);
    Saved s = saved.get(k);
    StoredValue live = d.peek(key);
    if (s != null) {
      if (s != ABSENT && s != HANDED_OVER) {
        sink.accept(db, key, s.value());
      }
      saved.put(k, HANDED_OVER);
      if (live != null) {
        live.rewriteMark(mark);
      }
      return;
    }
    if (live == null || live.rewriteMark() == mark) {
      return;
    }
    sink.accept(db, key, live);
    live.rewriteMark(mark);
  }
}
