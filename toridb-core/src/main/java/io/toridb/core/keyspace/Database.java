package io.toridb.core.keyspace;

import io.toridb.core.server.Counter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Spliterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * One logical database ({@code SELECT n}): a concurrent map from key to value plus an index of the
 * keys that carry an expiry, which the active expiry cycle walks.
 *
 * <p>Callers hold the key's stripe lock (see {@link KeyLocks}) for every method that takes a key;
 * the map itself is concurrent so that commands on different stripes run in parallel and keyless
 * readers ({@code SCAN}) can iterate while others write.
 *
 * <p>The contents live in a {@link Store} that {@code SWAPDB} and {@code FLUSHDB} replace in one
 * step (holding every lock), so those commands cost O(1) however many keys there are.
 */
public final class Database {
  /** About how many keys RANDOMKEY's descent stops at; see {@link #randomKey}. */
  private static final int RANDOM_LEAF = 8;

  private final int index;
  private final Keyspace owner;
  private volatile Store store = new Store(0);

  /**
   * Null for the server's databases. In a private view ({@link Keyspace#privateView}), where keys
   * come from on first access; {@link #loaded} then remembers which keys were asked for.
   */
  private final Keyspace.Loader loader;

  private final Set<Key> loaded;

  /** Everything a database holds; swapped or replaced as a whole. */
  private static final class Store {
    final ConcurrentHashMap<Key, StoredValue> map;

    /**
     * The keys by hash slot, once a cluster node first needed them (see {@link #slots()}), else
     * null: kept current by every put and removal from then on.
     */
    volatile SlotIndex slots;

    Store(int expectedKeys) {
      map = expectedKeys > 0 ? new ConcurrentHashMap<>(expectedKeys) : new ConcurrentHashMap<>();
    }

    final Set<Key> expiring = ConcurrentHashMap.newKeySet();

    /**
     * Puts begun and finished. Their sums tell {@link #scan} whether a key can have been added
     * since a SCAN snapshot was taken (see there).
     */
    final Counter putsStarted = new Counter();

    final Counter putsFinished = new Counter();
    final ScanSnapshotSlot<Key> scanSnapshot = new ScanSnapshotSlot<>();

    /** Where the active expiry cycle continues sampling; only the expiry cycle touches it. */
    Iterator<Key> expiryCursor;

    /** Running average TTL of sampled keys (ms), for INFO keyspace. */
    volatile long avgTtl;
  }

  Database(int index, Keyspace owner, Keyspace.Loader loader) {
    this.index = index;
    this.owner = owner;
    this.loader = loader;
    this.loaded = loader == null ? null : new java.util.HashSet<>();
  }

  /**
   * The keys by hash slot on a cluster node's own databases, else null. The index is built by a
   * walk over the database the first time it is asked for (a reshard's first COUNTKEYSINSLOT or
   * GETKEYSINSLOT), and kept current from then on, so that a node that never moves a slot pays
   * nothing for it. The caller holds every key lock, so no write runs while it is built.
   */
  public SlotIndex slots() {
    Store s = store;
    SlotIndex bySlot = s.slots;
    if (bySlot == null && loader == null && owner.slotIndexed()) {
      bySlot = new SlotIndex();
      for (Key k : s.map.keySet()) {
        bySlot.add(k);
      }
      s.slots = bySlot;
    }
    return bySlot;
  }

  /** In a private view, brings {@code key} in from the loader the first time it is asked for. */
  private void fault(Key key) {
    if (loader != null && loaded.add(key)) {
      StoredValue v = loader.load(index, key);
      if (v != null) {
        store.map.put(key, v.snapshot());
        if (v.hasExpiry()) {
          store.expiring.add(key);
        }
      }
    }
  }

  public int index() {
    return index;
  }

  /**
   * The live value of {@code key}, deleting it first if it has expired. Counts a keyspace hit or
   * miss and refreshes the access time, as Redis's lookupKeyRead does.
   */
  public StoredValue lookupRead(Key key, long now) {
    StoredValue v = live(key, now);
    countLookup(key, v);
    if (v != null) {
      access(v, now);
    }
    return v;
  }

  /**
   * As {@link #lookupRead} but leaves the access time alone (Redis's LOOKUP_NOTOUCH), for commands
   * that only inspect a key: EXISTS, TYPE, TTL, OBJECT.
   */
  public StoredValue lookupReadNoTouch(Key key, long now) {
    StoredValue v = live(key, now);
    countLookup(key, v);
    return v;
  }

  /**
   * The live value of {@code key}, deleting it first if it has expired; refreshes the access time
   * but counts no statistics, as Redis's lookupKeyWrite.
   */
  public StoredValue lookupWrite(Key key, long now) {
    StoredValue v = live(key, now);
    if (v != null) {
      access(v, now);
    }
    return v;
  }

  private StoredValue live(Key key, long now) {
    fault(key);
    Store s = store;
    StoredValue v = s.map.get(key);
    if (v != null && isExpired(v, now)) {
      if (owner.deletesExpired()) {
        // A replica leaves the deletion to its primary, whose stream carries it; a pause, to
        // after its end.
        expire(s, key, v);
      }
      return null;
    }
    return v;
  }

  /** Counts a read lookup and, on a miss, raises "keymiss" as Redis's lookupKey. */
  private void countLookup(Key key, StoredValue v) {
    if (v == null) {
      owner.stats().keyspaceMisses.increment();
      owner.missed(index, key);
    } else {
      owner.stats().keyspaceHits.increment();
    }
  }

  /** Records an access as Redis does: in the LFU counter under an LFU policy, else the clock. */
  private void access(StoredValue v, long now) {
    if (owner.lfuPolicy()) {
      v.countAccess(now, owner.lfuLogFactor(), owner.lfuDecayTime());
    } else {
      v.touch(now);
    }
  }

  /** The value without expiring it or touching statistics (OBJECT, DEBUG, iteration). */
  public StoredValue peek(Key key) {
    fault(key);
    return store.map.get(key);
  }

  /**
   * Stores {@code value} under {@code key}, replacing any old value; returns the old value. A key
   * that was not there (or only as an expired value, which is reclaimed as such) raises "new", as
   * Redis's dbAdd.
   */
  public StoredValue put(Key key, StoredValue value) {
    fault(key);
    Store s = store;
    s.putsStarted.increment();
    StoredValue old = store(s, key, value);
    s.putsFinished.increment();
    ValueType type = value.type();
    if ((type == ValueType.LIST || type == ValueType.ZSET) && (old == null || old.type() != type)) {
      // Clients blocked on this key (BLPOP, BZPOPMIN) may now be served.
      owner.created(index, key, value);
    } else if (type == ValueType.STREAM || (old != null && old.type() == ValueType.STREAM)) {
      // A stream came, or was replaced: its readers run again (XREADGROUP's end if it went).
      owner.created(index, key, type == ValueType.STREAM ? value : old);
    }
    if (value.hasExpiry()) {
      trackExpiry(s, key, old);
    } else if (old != null && old.hasExpiry()) {
      s.expiring.remove(key);
    }
    if (old == null) {
      owner.added(index, key);
    } else if (old.hasExpiry() && isExpired(old, System.currentTimeMillis())) {
      // Replaced without a lookup (plain SET): it expired all the same.
      owner.stats().expiredKeys.increment();
      owner.expired(index, key);
      owner.added(index, key);
    }
    return old;
  }

  /**
   * Stores a key read from a snapshot file with its expiry time (or {@link StoredValue#NO_EXPIRY}),
   * replacing any old value, which it returns. Unlike {@link #put} it raises no "new" event and
   * wakes no blocked client, as Redis's dbAddRDBLoad.
   */
  public StoredValue load(Key key, StoredValue value, long expireAt) {
    fault(key);
    Store s = store;
    value.expireAt(expireAt);
    s.putsStarted.increment();
    StoredValue old = store(s, key, value);
    s.putsFinished.increment();
    if (expireAt != StoredValue.NO_EXPIRY) {
      trackExpiry(s, key, old);
    } else if (old != null && old.hasExpiry()) {
      s.expiring.remove(key);
    }
    return old;
  }

  /**
   * Maps {@code key} to {@code value}, returning the old value. A key the map does not hold yet
   * goes in in its compact form ({@link Key#compact}); an existing key keeps the object the map
   * already has, so overwriting allocates nothing for the key. The caller holds the key's lock, so
   * no other writer can add the key between the two steps.
   */
  private static StoredValue store(Store s, Key key, StoredValue value) {
    StoredValue old = s.map.replace(key, value);
    if (old != null) {
      return old;
    }
    Key compact = key.compact();
    old = s.map.put(compact, value);
    SlotIndex bySlot = s.slots;
    if (old == null && bySlot != null) {
      bySlot.add(compact);
    }
    return old;
  }

  /**
   * Adds {@code key} to the expiry index once its value has an expiry time; {@code old} was its
   * value.
   */
  private static void trackExpiry(Store s, Key key, StoredValue old) {
    indexExpiry(s, key, old != null && old.hasExpiry());
  }

  /**
   * Adds {@code key} to the expiry index. A key that is {@code indexed} already (its value had an
   * expiry) is added as it is: that changes nothing and allocates no compact copy. Otherwise the
   * index gets the compact form, as the map does.
   */
  private static void indexExpiry(Store s, Key key, boolean indexed) {
    s.expiring.add(indexed ? key : key.compact());
  }

  /** Removes {@code key}; returns the old value or null. */
  public StoredValue remove(Key key) {
    fault(key);
    Store s = store;
    StoredValue old = s.map.remove(key);
    SlotIndex bySlot = s.slots;
    if (old != null && bySlot != null) {
      bySlot.remove(key);
    }
    if (old != null && old.hasExpiry()) {
      s.expiring.remove(key);
    }
    if (old != null && old.type() == ValueType.STREAM) {
      // Clients blocked in XREADGROUP on a stream that is gone get an error.
      owner.created(index, key, old);
    }
    return old;
  }

  /** Sets or clears ({@link StoredValue#NO_EXPIRY}) the expiry of a stored value. */
  public void setExpire(Key key, StoredValue value, long at) {
    boolean had = value.hasExpiry();
    value.expireAt(at);
    if (at == StoredValue.NO_EXPIRY) {
      store.expiring.remove(key);
    } else {
      indexExpiry(store, key, had);
    }
  }

  /** Whether {@code v} counts as expired at {@code now}: never while expiry is paused. */
  public boolean isExpired(StoredValue v, long now) {
    return v.isExpired(now) && owner.expiryApplies();
  }

  /** Deletes a key found expired, counts it and propagates its deletion. */
  private void expire(Store s, Key key, StoredValue v) {
    if (s.map.remove(key, v)) {
      SlotIndex bySlot = s.slots;
      if (bySlot != null) {
        bySlot.remove(key);
      }
      s.expiring.remove(key);
      owner.stats().expiredKeys.increment();
      owner.expired(index, key);
    }
  }

  /** Deletes {@code key} if it is (still) expired at {@code now}; true if it was deleted. */
  public boolean expireIfNeeded(Key key, long now) {
    fault(key);
    Store s = store;
    StoredValue v = s.map.get(key);
    if (v != null && isExpired(v, now) && owner.deletesExpired()) {
      expire(s, key, v);
      return true;
    }
    return false;
  }

  /** Number of keys, including expired ones not yet reclaimed (as Redis's DBSIZE). */
  public int size() {
    return store.map.size();
  }

  public int expiresCount() {
    return store.expiring.size();
  }

  /**
   * Average time to live (ms) of keys with an expiry, as sampled by the expiry cycle; 0 if none.
   */
  public long avgTtl() {
    return store.avgTtl;
  }

  public boolean isEmpty() {
    return store.map.isEmpty();
  }

  /** Removes every key; the caller holds every lock. */
  public void clear() {
    store = new Store(0);
  }

  /**
   * Sizes an empty database's table for about {@code expectedKeys} keys, so that filling it (as a
   * load does) does not copy the table at every doubling. Does nothing if it holds keys. Only while
   * nothing else uses the database, as at startup.
   */
  public void presize(int expectedKeys) {
    if (loader == null && store.map.isEmpty() && expectedKeys > 0) {
      store = new Store(expectedKeys);
    }
  }

  /** Weakly consistent view of every entry, expired ones included. */
  public Iterable<Map.Entry<Key, StoredValue>> entries() {
    return store.map.entrySet();
  }

  /** Weakly consistent iterator over the keys that have an expiry. */
  public Iterator<Key> expiringKeys() {
    return store.expiring.iterator();
  }

  /** Exchanges the contents of two databases; the caller holds every lock. */
  static void swapContents(Database a, Database b) {
    Store tmp = a.store;
    a.store = b.store;
    b.store = tmp;
  }

  /**
   * Feeds {@code sink} the keys of one SCAN call and returns the next cursor (see {@link
   * ScanSnapshot} for the cursor and its guarantee). The keys may since have been deleted or have
   * expired; the caller re-checks them. Needs no lock.
   *
   * <p>Which snapshot a call may read: every snapshot gets a generation number, drawn from a
   * counter just before its copy begins, and the database publishes only ever newer generations. A
   * call with cursor 0 starts an iteration and draws a generation G. It then either copies the keys
   * afresh, or re-publishes the current snapshot under G if no put can have added a key since that
   * snapshot was copied: when it was built, the finished-put count read equal to the started-put
   * count read just after it (no put in flight, every earlier one already in the map), and the
   * started count has not moved since. Either way the snapshot holds every key present throughout
   * the iteration. Later calls of the iteration, whose cursor carries no state, read the published
   * snapshot: its generation is at least G, so its copy began (or it was re-validated) after the
   * iteration started, and the same holds. When none is published (released after some iteration
   * ended), they take a fresh copy, which is after the start too.
   */
  public long scan(long cursor, long count, Consumer<Key> sink) {
    Store s = store;
    ScanSnapshotSlot<Key> slot = s.scanSnapshot;
    ScanSnapshotSlot.Published<Key> p = slot.current();
    if (cursor == 0) {
      long generation = slot.nextGeneration();
      if (p.snapshot() != null
          && p.quiescentPuts() >= 0
          && s.putsStarted.sum() == p.quiescentPuts()) {
        p = new ScanSnapshotSlot.Published<>(p.snapshot(), p.quiescentPuts(), generation);
        slot.publish(p);
      } else {
        p = copySnapshot(s, generation);
      }
    } else if (p.snapshot() == null) {
      p = copySnapshot(s, slot.nextGeneration());
    }
    long next = p.snapshot().scan(cursor, count, sink);
    if (next == 0) {
      // Let a finished iteration's copy go; a scan still running elsewhere takes a new copy.
      slot.release(p);
    }
    return next;
  }

  /** Copies the keys as a snapshot of {@code generation} and publishes it. */
  private static ScanSnapshotSlot.Published<Key> copySnapshot(Store s, long generation) {
    long finished = s.putsFinished.sum();
    long started = s.putsStarted.sum();
    long quiescent = finished == started ? started : -1;
    ScanSnapshot<Key> snap =
        ScanSnapshot.of(s.map.keySet().iterator(), Key::hashCode, s.map.size());
    ScanSnapshotSlot.Published<Key> p =
        new ScanSnapshotSlot.Published<>(snap, quiescent, generation);
    s.scanSnapshot.publish(p);
    return p;
  }

  /**
   * A random live key, or null when the database holds none; expired keys met on the way are
   * reclaimed, so this ends even when every key has expired. The caller holds every lock.
   *
   * <p>ConcurrentHashMap has no random access, but its spliterator splits its bucket range in
   * halves: descending through random halves until about {@value #RANDOM_LEAF} keys remain reaches
   * a random region of the table in O(log N) steps; one of the keys found there is the answer. A
   * region may be empty (then it tries again); like Redis's dictGetFairRandomKey the pick is close
   * to, but not exactly, uniform. In a table left sparse by mass deletion (maps do not shrink) a
   * region can span many empty buckets, up to an O(N) walk.
   */
  public Key randomKey(long now) {
    Store s = store;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<Map.Entry<Key, StoredValue>> region = new ArrayList<>();
    // Where expired keys stay (a replica, a client pause), they are skipped, not deleted: after
    // this many, one is returned as it is, as Redis 7.0 does on a replica, rather than loop on a
    // database of expired keys.
    int skipsLeft = 100;
    while (!s.map.isEmpty()) {
      Spliterator<Map.Entry<Key, StoredValue>> part = s.map.entrySet().spliterator();
      while (part.estimateSize() > RANDOM_LEAF) {
        Spliterator<Map.Entry<Key, StoredValue>> upper = part.trySplit();
        if (upper == null) {
          break;
        }
        if (random.nextBoolean()) {
          part = upper;
        }
      }
      region.clear();
      part.forEachRemaining(region::add);
      if (region.isEmpty()) {
        continue;
      }
      Map.Entry<Key, StoredValue> e = region.get(random.nextInt(region.size()));
      if (!isExpired(e.getValue(), now)) {
        return e.getKey();
      }
      if (!owner.deletesExpired()) {
        if (--skipsLeft == 0) {
          return e.getKey();
        }
        continue;
      }
      expire(s, e.getKey(), e.getValue());
    }
    return null;
  }

  /**
   * Fills {@code out} with up to {@code out.length} keys that carry an expiry, continuing where the
   * previous call stopped and starting over at most once; returns how many it filled. Only the
   * active expiry cycle calls this.
   */
  int sampleExpiring(Key[] out) {
    Store s = store;
    int n = 0;
    boolean restarted = false;
    while (n < out.length) {
      Iterator<Key> it = s.expiryCursor;
      if (it == null || !it.hasNext()) {
        if (restarted) {
          break;
        }
        restarted = true;
        it = s.expiring.iterator();
        s.expiryCursor = it;
        if (!it.hasNext()) {
          break;
        }
      }
      out[n++] = it.next();
    }
    return n;
  }

  /** Folds a sampled average TTL into the running estimate, as Redis does (2% weight). */
  void sampleAvgTtl(long sampleAvg) {
    Store s = store;
    long avg = s.avgTtl == 0 ? sampleAvg : s.avgTtl;
    s.avgTtl = (avg / 50) * 49 + (sampleAvg / 50);
  }

  void resetAvgTtl() {
    store.avgTtl = 0;
  }
}
