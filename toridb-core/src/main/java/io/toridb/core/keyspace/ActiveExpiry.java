package io.toridb.core.keyspace;

import io.toridb.core.config.Config;

/**
 * The active expiry cycle: reclaims expired keys that nobody reads, as Redis's activeExpireCycle
 * does. The server calls {@link #runCycle} {@code hz} times a second from its cron thread.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Each cycle visits up to 16 databases, round-robin, continuing with the database after the last
 * one visited. In a database it samples batches of 20 keys from the expiry index (resuming where
 * its previous batch stopped, so successive cycles sweep the whole index), reclaims the expired
 * ones, and takes another batch while more than 10% of a batch had expired: then many expired keys
 * are probably still waiting. A cycle stops after 25% of the cron period (25 ms at hz 10) of
 * wall-clock time; after such a stop the next cycle visits every database. The {@code
 * active-expire-effort} directive (1-10) raises batch size, time share and eagerness the way
 * Redis's does.
 *
 * <p>A key is reclaimed under its stripe lock, taken with tryLock: the cron thread never waits
 * behind a command, and a key whose stripe is busy is simply checked again in a later cycle. Every
 * reclaimed key is propagated as {@code DEL} through {@link Keyspace#expirySink}.
 */
public final class ActiveExpiry {
  private static final int KEYS_PER_LOOP = 20;
  private static final int SLOW_TIME_PERCENT = 25;
  private static final int ACCEPTABLE_STALE_PERCENT = 10;
  private static final int DBS_PER_CALL = 16;

  private final Keyspace keyspace;
  private final Config config;
  private volatile boolean enabled = true;

  // State carried from one cycle to the next; guarded by this.
  private int nextDb;
  private boolean timeLimitHit;

  public ActiveExpiry(Keyspace keyspace) {
    this(keyspace, null);
  }

  /** With {@code config}, reads {@code hz} and {@code active-expire-effort} at every cycle. */
  public ActiveExpiry(Keyspace keyspace, Config config) {
    this.keyspace = keyspace;
    this.config = config;
  }

  /** DEBUG SET-ACTIVE-EXPIRE 0|1 switches the cycle off and on. */
  public boolean enabled() {
    return enabled;
  }

  public void enabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** Told how many milliseconds each cycle took, as the "expire-cycle" latency event. */
  private volatile java.util.function.LongConsumer cycleMillis = ms -> {};

  public void onCycle(java.util.function.LongConsumer millis) {
    this.cycleMillis = millis;
  }

  /**
   * Runs one cycle at time {@code now} (Unix ms): keys whose expiry time is before {@code now} are
   * reclaimed.
   *
   * @return the number of keys reclaimed
   */
  public synchronized int runCycle(long now) {
    if (!enabled || !keyspace.deletesExpired()) {
      return 0;
    }
    int hz = (int) setting("hz", 10);
    int effort = (int) setting("active-expire-effort", 1) - 1; // 0..9
    int keysPerLoop = KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort;
    int acceptableStale = ACCEPTABLE_STALE_PERCENT - effort;
    long timeLimitNanos =
        Math.max(1000, (SLOW_TIME_PERCENT + 2L * effort) * 1_000_000_000L / Math.max(1, hz) / 100);

    int dbCount = keyspace.databaseCount();
    int dbsThisCall = timeLimitHit ? dbCount : Math.min(DBS_PER_CALL, dbCount);
    timeLimitHit = false;
    long start = System.nanoTime();
    KeyLocks locks = keyspace.locks();
    Key[] batch = new Key[keysPerLoop];
    int reclaimed = 0;
    int iteration = 0;

    for (int j = 0; j < dbsThisCall && !timeLimitHit; j++) {
      Database db = keyspace.db(nextDb % dbCount);
      // Advance first, so that running out of time here resumes with the next database.
      nextDb = (nextDb + 1) % dbCount;
      int sampled;
      int expired;
      do {
        iteration++;
        if (db.expiresCount() == 0) {
          db.resetAvgTtl();
          break;
        }
        sampled = db.sampleExpiring(batch);
        expired = 0;
        long ttlSum = 0;
        int ttlSamples = 0;
        for (int i = 0; i < sampled; i++) {
          Key key = batch[i];
          batch[i] = null;
          int stripe = KeyLocks.stripeOf(key.hashCode());
          if (!locks.tryLock(stripe)) {
            continue;
          }
          try {
            StoredValue v = db.peek(key);
            if (v == null) {
              continue;
            }
            long ttl = v.expireAt() - now;
            if (db.expireIfNeeded(key, now)) {
              expired++;
            } else if (ttl > 0) {
              ttlSum += ttl;
              ttlSamples++;
            }
          } finally {
            locks.unlock(stripe);
          }
        }
        reclaimed += expired;
        if (ttlSamples > 0) {
          db.sampleAvgTtl(ttlSum / ttlSamples);
        }
        if ((iteration & 0xF) == 0 && System.nanoTime() - start > timeLimitNanos) {
          timeLimitHit = true;
          break;
        }
      } while (sampled > 0 && expired * 100 / sampled > acceptableStale);
    }
    cycleMillis.accept((System.nanoTime() - start) / 1_000_000);
    return reclaimed;
  }

  private long setting(String name, long fallback) {
    return config == null ? fallback : config.number(name);
  }

  Keyspace keyspace() {
    return keyspace;
  }
}
