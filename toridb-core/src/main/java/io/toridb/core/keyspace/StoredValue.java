package io.toridb.core.keyspace;

/**
 * A value in the keyspace, with the per-key metadata Redis keeps beside it: the absolute expiry
 * time and the last access time used by {@code OBJECT IDLETIME}.
 *
 * <p>Instances are only mutated by the worker that holds the key's lock.
 */
public abstract class StoredValue {
  /** No expiry set. */
  public static final long NO_EXPIRY = -1;

  private long expireAt = NO_EXPIRY;
  private long lastAccess;

  public abstract ValueType type();

  /** The name {@code OBJECT ENCODING} reports (embstr, int, raw, listpack, ...). */
  public abstract String encoding();

  /** A deep copy for {@code COPY}; metadata is not copied. */
  public abstract StoredValue copy();

  /** Absolute expiry time in Unix milliseconds, or {@link #NO_EXPIRY}. */
  public long expireAt() {
    return expireAt;
  }

  /** Set through {@link Database#setExpire} so the database's expiry index stays right. */
  void expireAt(long at) {
    this.expireAt = at;
  }

  public boolean hasExpiry() {
    return expireAt != NO_EXPIRY;
  }

  public boolean isExpired(long now) {
    return expireAt != NO_EXPIRY && expireAt <= now;
  }

  public long lastAccess() {
    return lastAccess;
  }

  public void touch(long now) {
    lastAccess = now;
  }
}
