package io.toridb.core.keyspace;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One logical database ({@code SELECT n}): a concurrent map from key to value plus an index of the
 * keys that carry an expiry, which the active expiry cycle walks.
 *
 * <p>Callers hold the key's stripe lock (see {@link KeyLocks}) for every method that takes a key;
 * the map itself is concurrent so that commands on different stripes run in parallel and keyless
 * readers ({@code DBSIZE}, {@code SCAN}) can iterate while others write.
 */
public final class Database {
  private final int index;
  private final ConcurrentHashMap<Key, StoredValue> map = new ConcurrentHashMap<>();
  private final Set<Key> expiring = ConcurrentHashMap.newKeySet();
  private final KeyspaceStats stats;

  Database(int index, KeyspaceStats stats) {
    this.index = index;
    this.stats = stats;
  }

  public int index() {
    return index;
  }

  /**
   * The live value of {@code key}, deleting it first if it has expired. Counts a keyspace hit or
   * miss and refreshes the access time, as Redis's lookupKeyRead does.
   */
  public StoredValue lookupRead(Key key, long now) {
    StoredValue v = lookupWrite(key, now);
    if (v == null) {
      stats.keyspaceMisses.increment();
    } else {
      stats.keyspaceHits.increment();
      v.touch(now);
    }
    return v;
  }

  /** The live value of {@code key}, deleting it first if it has expired; no statistics. */
  public StoredValue lookupWrite(Key key, long now) {
    StoredValue v = map.get(key);
    if (v != null && v.isExpired(now)) {
      expire(key, v);
      return null;
    }
    return v;
  }

  /** The value without expiring it or touching statistics (OBJECT, DEBUG, iteration). */
  public StoredValue peek(Key key) {
    return map.get(key);
  }

  /** Stores {@code value} under {@code key}, replacing any old value; returns the old value. */
  public StoredValue put(Key key, StoredValue value) {
    StoredValue old = map.put(key, value);
    if (value.hasExpiry()) {
      expiring.add(key);
    } else if (old != null && old.hasExpiry()) {
      expiring.remove(key);
    }
    return old;
  }

  /** Removes {@code key}; returns the old value or null. */
  public StoredValue remove(Key key) {
    StoredValue old = map.remove(key);
    if (old != null && old.hasExpiry()) {
      expiring.remove(key);
    }
    return old;
  }

  /** Sets or clears ({@link StoredValue#NO_EXPIRY}) the expiry of a stored value. */
  public void setExpire(Key key, StoredValue value, long at) {
    value.expireAt(at);
    if (at == StoredValue.NO_EXPIRY) {
      expiring.remove(key);
    } else {
      expiring.add(key);
    }
  }

  /** Deletes a key found expired and counts it. */
  void expire(Key key, StoredValue v) {
    if (map.remove(key, v)) {
      expiring.remove(key);
      stats.expiredKeys.increment();
    }
  }

  /** Deletes {@code key} if it is (still) expired at {@code now}; true if it was deleted. */
  public boolean expireIfNeeded(Key key, long now) {
    StoredValue v = map.get(key);
    if (v != null && v.isExpired(now)) {
      expire(key, v);
      return true;
    }
    return false;
  }

  /** Number of keys, including expired ones not yet reclaimed (as Redis's DBSIZE). */
  public int size() {
    return map.size();
  }

  public int expiresCount() {
    return expiring.size();
  }

  public boolean isEmpty() {
    return map.isEmpty();
  }

  public void clear() {
    map.clear();
    expiring.clear();
  }

  /** Weakly consistent view of every entry, expired ones included. */
  public Iterable<Map.Entry<Key, StoredValue>> entries() {
    return map.entrySet();
  }

  /** Weakly consistent iterator over the keys that have an expiry. */
  public Iterator<Key> expiringKeys() {
    return expiring.iterator();
  }

  /** Moves every entry of {@code other} into this database's storage and vice versa. */
  static void swapContents(Database a, Database b) {
    Map<Key, StoredValue> tmp = new ConcurrentHashMap<>(a.map);
    Set<Key> tmpExp = ConcurrentHashMap.newKeySet();
    tmpExp.addAll(a.expiring);
    a.map.clear();
    a.map.putAll(b.map);
    a.expiring.clear();
    a.expiring.addAll(b.expiring);
    b.map.clear();
    b.map.putAll(tmp);
    b.expiring.clear();
    b.expiring.addAll(tmpExp);
  }
}
