package io.toridb.core.keyspace;

import io.toridb.core.propagation.PropagationSink;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.core.pubsub.KeyspaceNotifier;

/** All logical databases of the server, and the locks that make commands on them atomic. */
public final class Keyspace {
  private static final byte[] DEL = {'D', 'E', 'L'};

  private final Database[] databases;
  private final KeyspaceStats stats = new KeyspaceStats();
  private final KeyLocks locks;
  private volatile PropagationSink expirySink = PropagationSink.NONE;
  private volatile CreationListener creationListener = (db, key, value) -> {};
  private volatile java.util.function.BiConsumer<Integer, Key> expiryListener = (db, key) -> {};
  private volatile KeyspaceNotifier notifier = KeyspaceNotifier.NONE;
  private volatile boolean expiryPaused;
  private volatile int lfuLogFactor = 10;
  private volatile int lfuDecayTime = 1;
  private volatile boolean lfuPolicy;

  public Keyspace(int databaseCount) {
    this(databaseCount, new KeyLocks(), null);
  }

  private Keyspace(int databaseCount, KeyLocks locks, Loader loader) {
    this.locks = locks;
    databases = new Database[databaseCount];
    for (int i = 0; i < databaseCount; i++) {
      databases[i] = new Database(i, this, loader);
    }
  }

  /**
   * Supplies a private view (see {@link #privateView}) with its own copy of a key, the first time
   * the view is asked about it.
   */
  public interface Loader {
    /**
     * The live value of {@code key} in database {@code db}, or null when there is none; the view
     * keeps a deep copy of it, with its expiry. Called with the key's lock held.
     */
    StoredValue load(int db, Key key);
  }

  /**
   * A keyspace that starts empty and fills itself, key by key, from {@code loader} on first access
   * to each key: a private workspace where a BEGIN transaction runs its commands without anyone
   * else seeing their effects. It raises no events, propagates nothing and wakes no blocked client;
   * commands that need the whole keyspace (KEYS, SCAN, DBSIZE, FLUSHDB, ...) must not run on it,
   * since it holds only the keys asked for. It shares this keyspace's locks.
   */
  public Keyspace privateView(Loader loader) {
    return new Keyspace(databases.length, locks, loader);
  }

  private volatile boolean slotIndexed;

  /**
   * Lets every database keep its keys by hash slot ({@link Database#slots}), as a cluster node
   * does; called at startup.
   */
  public void indexSlots() {
    slotIndexed = true;
  }

  boolean slotIndexed() {
    return slotIndexed;
  }

  public int databaseCount() {
    return databases.length;
  }

  public Database db(int index) {
    return databases[index];
  }

  public KeyspaceStats stats() {
    return stats;
  }

  public KeyLocks locks() {
    return locks;
  }

  /** Exchanges the contents of two databases; the caller holds every lock. */
  public void swap(int a, int b) {
    if (a != b) {
      Database.swapContents(databases[a], databases[b]);
    }
  }

  /** Total keys over all databases. */
  public long totalKeys() {
    long n = 0;
    for (Database d : databases) {
      n += d.size();
    }
    return n;
  }

  /**
   * Where the deletion of an expired key (lazy or active) is propagated, as {@code DEL key} in the
   * key's database, so that a replayed log never resurrects it.
   */
  public void expirySink(PropagationSink sink) {
    this.expirySink = sink;
  }

  /** Told, under the key's lock, of every key reclaimed because it expired (WATCH). */
  public void expiryListener(java.util.function.BiConsumer<Integer, Key> listener) {
    this.expiryListener = listener;
  }

  /** Told when a list or sorted set appears at a key where there was none of its type. */
  public interface CreationListener {
    void created(int db, Key key, StoredValue value);
  }

  public void creationListener(CreationListener listener) {
    this.creationListener = listener;
  }

  /** Called by a database, under the key's lock, after it stored a list or sorted set anew. */
  void created(int db, Key key, StoredValue value) {
    creationListener.created(db, key, value);
  }

  /**
   * Where the keyspace raises the events that no command raises itself: "expired" when it reclaims
   * a key, "new" when a key is added, "keymiss" when a read finds nothing.
   */
  public void notifier(KeyspaceNotifier notifier) {
    this.notifier = notifier;
  }

  /** Called by a database, under the key's lock, after it reclaimed an expired key. */
  void expired(int db, Key key) {
    expiryListener.accept(db, key);
    notifier.notify(db, KeyspaceEvents.EXPIRED, "expired", key);
    expirySink.propagate(db, new byte[][] {DEL, key.bytes()});
  }

  /** Called by a database, under the key's lock, when it stored a key that was not there. */
  void added(int db, Key key) {
    notifier.notify(db, KeyspaceEvents.NEW, "new", key);
  }

  /** Called by a database when a read lookup found no key. */
  void missed(int db, Key key) {
    notifier.notify(db, KeyspaceEvents.KEY_MISS, "keymiss", key);
  }

  /**
   * While paused, no key counts as expired and none is reclaimed, as in Redis while it loads its
   * data: replaying a log must rebuild exactly the state that was logged, whatever the clock says
   * now; expired keys go once loading is done.
   */
  private volatile boolean replica;

  /** Set on the worker thread while it runs the primary's stream on a replica. */
  private static final ThreadLocal<boolean[]> APPLYING_PRIMARY =
      ThreadLocal.withInitial(() -> new boolean[1]);

  /**
   * Whether this is a replica's key space, where keys expire as on a Redis replica: nothing is
   * deleted for its expiry here (the primary sends the deletion), clients' reads see an expired key
   * as missing, and the primary's writes see it as it still is on the primary.
   */
  public void replica(boolean replica) {
    this.replica = replica;
  }

  public boolean replica() {
    return replica;
  }

  /**
   * While clients are paused (CLIENT PAUSE) the data set stays as it is: expired keys read as
   * missing, as on a replica, and are deleted once the pause ends.
   */
  private volatile boolean holdExpired;

  public void holdExpired(boolean hold) {
    this.holdExpired = hold;
  }

  /**
   * Whether expired keys are deleted here (by reads that find them and by the active cycle): not on
   * a replica, whose primary sends the deletions, nor while clients are paused.
   */
  public boolean deletesExpired() {
    return !replica && !holdExpired;
  }

  /** Marks the calling thread as running (or no longer running) the primary's stream. */
  public static void applyingPrimary(boolean applying) {
    APPLYING_PRIMARY.get()[0] = applying;
  }

  /** Whether an expired key counts as expired for the calling thread. */
  boolean expiryApplies() {
    return !expiryPaused && !(replica && APPLYING_PRIMARY.get()[0]);
  }

  public void expiryPaused(boolean paused) {
    this.expiryPaused = paused;
  }

  boolean expiryPaused() {
    return expiryPaused;
  }

  /** The lfu-log-factor used when a key access bumps its LFU counter. */
  public int lfuLogFactor() {
    return lfuLogFactor;
  }

  public void lfuLogFactor(int factor) {
    this.lfuLogFactor = factor;
  }

  /** The lfu-decay-time in minutes (0 = never decay). */
  public int lfuDecayTime() {
    return lfuDecayTime;
  }

  public void lfuDecayTime(int minutes) {
    this.lfuDecayTime = minutes;
  }

  /**
   * Whether the maxmemory-policy is an LFU one: then an access counts in the value's LFU counter,
   * otherwise it sets its LRU clock (Redis keeps one or the other, never both).
   */
  public boolean lfuPolicy() {
    return lfuPolicy;
  }

  public void lfuPolicy(boolean lfu) {
    this.lfuPolicy = lfu;
  }
}
