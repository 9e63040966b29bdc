package io.toridb.core.transaction;

import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.Keyspace;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.session.ClientSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys clients WATCH, and the marking of a client's transaction as failed (dirty) when one of
 * its watched keys changes before its EXEC, as Redis's multi.c does.
 *
 * <p>A change to a key happens under the key's stripe lock, and so does WATCH; EXEC holds the
 * stripes of its watched keys while it checks the mark and runs, so no change can slip between the
 * check and the commands. One lock guards the registry; commands pay only a volatile read while
 * nobody watches anything.
 */
public final class Watches {
  /** One key watched by one client. */
  static final class Watched {
    final ClientSession client;
    final int db;
    final Key key;

    /** The key was logically expired when watched: its deletion is then no change. */
    boolean expired;

    Watched(ClientSession client, int db, Key key, boolean expired) {
      this.client = client;
      this.db = db;
      this.key = key;
      this.expired = expired;
    }
  }

  private record DbKey(int db, Key key) {}

  private final Object lock = new Object();
  private final Map<DbKey, List<Watched>> byKey = new HashMap<>();
  private final Map<ClientSession, List<Watched>> byClient = new HashMap<>();
  private volatile int watchedCount;

  /** True while some client watches some key. */
  public boolean any() {
    return watchedCount != 0;
  }

  /** WATCH of {@code key} in {@code db}; the caller holds the key's lock. */
  public void watch(ClientSession client, Keyspace keyspace, int db, Key key, long now) {
    synchronized (lock) {
      List<Watched> mine = byClient.computeIfAbsent(client, c -> new ArrayList<>());
      for (Watched w : mine) {
        if (w.db == db && w.key.equals(key)) {
          return;
        }
      }
      Database d = keyspace.db(db);
      StoredValue v = d.peek(key);
      Watched w = new Watched(client, db, key, v != null && d.isExpired(v, now));
      mine.add(w);
      byKey.computeIfAbsent(new DbKey(db, key), k -> new ArrayList<>()).add(w);
      watchedCount++;
    }
  }

  /** UNWATCH, EXEC, DISCARD, RESET and disconnect: forgets the client's keys and its mark. */
  public void unwatchAll(ClientSession client) {
    client.watchDirty(false);
    if (watchedCount == 0) {
      return;
    }
    synchronized (lock) {
      List<Watched> mine = byClient.remove(client);
      if (mine == null) {
        return;
      }
      for (Watched w : mine) {
        DbKey dk = new DbKey(w.db, w.key);
        List<Watched> list = byKey.get(dk);
        if (list != null) {
          list.remove(w);
          if (list.isEmpty()) {
            byKey.remove(dk);
          }
        }
        watchedCount--;
      }
    }
  }

  /** The keys a client watches, to lock them for its EXEC. */
  public List<Key> keysOf(ClientSession client) {
    if (watchedCount == 0) {
      return List.of();
    }
    synchronized (lock) {
      List<Watched> mine = byClient.get(client);
      if (mine == null) {
        return List.of();
      }
      List<Key> keys = new ArrayList<>(mine.size());
      for (Watched w : mine) {
        keys.add(w.key);
      }
      return keys;
    }
  }

  /**
   * A write changed {@code key} in {@code db}: every client watching it is marked, except one that
   * watched it already expired and now finds it deleted (no logical change).
   */
  public void touch(Keyspace keyspace, int db, Key key) {
    if (watchedCount == 0) {
      return;
    }
    synchronized (lock) {
      List<Watched> list = byKey.get(new DbKey(db, key));
      if (list == null) {
        return;
      }
      boolean exists = keyspace.db(db).peek(key) != null;
      for (Watched w : list) {
        if (w.expired) {
          // It was expired when watched: gone now means no change; a new value is a change.
          w.expired = false;
          if (!exists) {
            continue;
          }
        }
        w.client.watchDirty(true);
      }
    }
  }

  /**
   * Database {@code emptied} is about to lose its contents (FLUSHDB, FLUSHALL) or to get those of
   * {@code replacedWith} (SWAPDB; null for a flush): clients watching a key that exists in either
   * are marked, unless the change is none logically (a stale key deleted, a stale key replaced by a
   * stale key, a missing key replaced by a stale one). As Redis's touchAllWatchedKeysInDb.
   */
  public void databaseReplaced(Keyspace keyspace, int emptied, Integer replacedWith, long now) {
    if (watchedCount == 0) {
      return;
    }
    Database from = keyspace.db(emptied);
    Database to = replacedWith == null ? null : keyspace.db(replacedWith);
    synchronized (lock) {
      for (Map.Entry<DbKey, List<Watched>> e : byKey.entrySet()) {
        if (e.getKey().db() != emptied) {
          continue;
        }
        Key key = e.getKey().key();
        boolean inEmptied = from.peek(key) != null;
        StoredValue incoming = to == null ? null : to.peek(key);
        if (!inEmptied && incoming == null) {
          continue;
        }
        boolean incomingStale = incoming != null && to.isExpired(incoming, now);
        for (Watched w : e.getValue()) {
          if (w.expired) {
            if (incoming == null) {
              w.expired = false;
              continue;
            } else if (incomingStale) {
              continue;
            }
          } else if (!inEmptied && incomingStale) {
            w.expired = true;
            continue;
          }
          w.client.watchDirty(true);
        }
      }
    }
  }

  /**
   * True if a key the client watches, alive when watched, has expired since: EXEC then fails, as
   * Redis's isWatchedKeyExpired.
   */
  public boolean anyExpired(ClientSession client, Keyspace keyspace, long now) {
    if (watchedCount == 0) {
      return false;
    }
    synchronized (lock) {
      List<Watched> mine = byClient.get(client);
      if (mine == null) {
        return false;
      }
      for (Watched w : mine) {
        if (w.expired) {
          continue;
        }
        Database d = keyspace.db(w.db);
        StoredValue v = d.peek(w.key);
        if (v != null && v.isExpired(now)) {
          return true;
        }
      }
      return false;
    }
  }
}
