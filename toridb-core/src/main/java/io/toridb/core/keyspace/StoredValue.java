package io.toridb.core.keyspace;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A value in the keyspace, with the per-key metadata Redis keeps beside it: the absolute expiry
 * time, the last access time used by {@code OBJECT IDLETIME}, and the logarithmic access counter
 * used by {@code OBJECT FREQ} under an LFU maxmemory policy.
 *
 * <p>Instances are only mutated by the worker that holds the key's lock.
 */
public abstract class StoredValue {
  /** No expiry set. */
  public static final long NO_EXPIRY = -1;

  /** Counter a new value starts with, so that it is not evicted before it had a chance. */
  static final int LFU_INIT_VAL = 5;

  private long expireAt = NO_EXPIRY;

  /**
   * Bits 0-23: the LRU clock (Unix seconds modulo 2^24, as Redis's 24-bit clock) of the last
   * access; bits 24-31: flags a subclass keeps here rather than in a field of its own (see {@link
   * #flags()}).
   */
  private int access;

  /**
   * Bits 0-7: the logarithmic counter; bits 8-23: minutes (mod 2^16) of its last decrement; bits
   * 24-31: the mark of the last log rewrite that wrote this value out (see {@link #rewriteMark}).
   */
  private int lfu;

  private static final int LFU_BITS = 0x00FF_FFFF;

  /** Mask of the LRU clock in {@link #access}; the clock wraps about every 194 days. */
  private static final int CLOCK_MASK = 0x00FF_FFFF;

  protected StoredValue() {
    long now = System.currentTimeMillis();
    access = lruClock(now);
    lfu = (minutes(now) << 8) | LFU_INIT_VAL;
  }

  public abstract ValueType type();

  /**
   * {@code v} as a value of class {@code type}; null stays null (a missing key). Any other type is
   * Redis's WRONGTYPE error, which every typed command replies for a key holding another type.
   */
  public static <T extends StoredValue> T as(StoredValue v, Class<T> type) {
    if (v == null || type.isInstance(v)) {
      return type.cast(v);
    }
    throw new io.toridb.core.command.CommandException(io.toridb.core.command.Errors.WRONGTYPE);
  }

  /** The name {@code OBJECT ENCODING} reports (embstr, int, raw, listpack, ...). */
  public abstract String encoding();

  /** A deep copy for {@code COPY}; metadata is not copied. */
  public abstract StoredValue copy();

  /** A deep copy that keeps the expiry time: a private version of the key as it is now. */
  public final StoredValue snapshot() {
    StoredValue c = copy();
    c.expireAt = expireAt;
    return c;
  }

  /**
   * Feeds the content to DEBUG DIGEST exactly as Redis's xorObjectDigest does for this type (a
   * string mixes its bytes, a list each element in order, ...), so digests match Redis's. Every
   * type overrides it.
   */
  public void digest(DatasetDigest digest) {
    throw new UnsupportedOperationException("no DEBUG DIGEST for " + type().typeName() + " values");
  }

  /**
   * Estimated bytes of a value object with its expiry and access fields, before its content: a
   * 12-byte object header, the 8-byte expiry time, two ints and one reference.
   */
  public static final long VALUE_OVERHEAD = 32;

  /**
   * An estimate of the heap bytes this value takes, for MEMORY USAGE: the object and its content
   * with a fixed allowance per element for the structure around it. Collections examine every
   * element. Every type overrides it.
   */
  public long memoryUsage() {
    return VALUE_OVERHEAD;
  }

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

  /**
   * True once {@code now} is past the expiry time. As in Redis, a key whose expiry time equals the
   * current millisecond is still alive (its TTL reads 0).
   */
  public boolean isExpired(long now) {
    return expireAt != NO_EXPIRY && now > expireAt;
  }

  /**
   * Records an access at {@code now} for the LRU clock. The field is written only when the clock
   * has moved on, so that repeated reads of a key within a second leave its memory untouched.
   */
  public void touch(long now) {
    int clock = lruClock(now);
    int a = access;
    if ((a & CLOCK_MASK) != clock) {
      access = (a & ~CLOCK_MASK) | clock;
    }
  }

  /**
   * Whole seconds since the last access (OBJECT IDLETIME), from the 24-bit clock as Redis reads its
   * own: an idle time past 2^24 seconds (about 194 days) wraps around.
   */
  public long idleSeconds(long now) {
    return (lruClock(now) - (access & CLOCK_MASK)) & CLOCK_MASK;
  }

  /** Sets the last access to {@code seconds} before {@code now} (RESTORE ... IDLETIME). */
  public void idleSeconds(long now, long seconds) {
    long idle = Math.max(0, Math.min(seconds, CLOCK_MASK));
    access = (access & ~CLOCK_MASK) | (int) ((lruClock(now) - idle) & CLOCK_MASK);
  }

  /** The LRU clock at {@code now}, as DEBUG OBJECT's {@code lru} field shows it. */
  public static int lruClock(long now) {
    return (int) ((now / 1000) & CLOCK_MASK);
  }

  /** The LRU clock of the last access. */
  public int lruClock() {
    return access & CLOCK_MASK;
  }

  /** Eight bits a subclass may use for state that never changes once the value is made. */
  protected final int flags() {
    return access >>> 24;
  }

  /** Sets the subclass's {@link #flags()}; called from constructors only. */
  protected final void flags(int flags) {
    access = (access & CLOCK_MASK) | (flags << 24);
  }

  /**
   * Records an access for the LFU counter: decays it for the minutes since its last decrement, then
   * increments it with probability 1 / ((counter - 5) * logFactor + 1), as Redis's updateLFU does.
   */
  public void countAccess(long now, int logFactor, int decayMinutes) {
    int counter = lfuFrequency(now, decayMinutes);
    if (counter < 255) {
      double base = Math.max(0, counter - LFU_INIT_VAL);
      double p = 1.0 / (base * logFactor + 1);
      if (p >= 1.0 || ThreadLocalRandom.current().nextDouble() < p) {
        counter++;
      }
    }
    lfu = (lfu & ~LFU_BITS) | (minutes(now) << 8) | counter;
  }

  /**
   * The LFU counter as {@code OBJECT FREQ} reports it: decremented by one for every {@code
   * decayMinutes} minutes since the last decrement (0 disables decay).
   */
  public int lfuFrequency(long now, int decayMinutes) {
    int counter = lfu & 0xFF;
    if (decayMinutes <= 0) {
      return counter;
    }
    int last = (lfu & LFU_BITS) >>> 8;
    int current = minutes(now);
    // The minute clock wraps at 2^16; like Redis, assume it wrapped at most once.
    int elapsed = current >= last ? current - last : 65535 - last + current;
    int periods = elapsed / decayMinutes;
    return periods > counter ? 0 : counter - periods;
  }

  /** Sets the LFU counter directly (RESTORE ... FREQ). */
  public void setLfuFrequency(long now, int counter) {
    lfu = (lfu & ~LFU_BITS) | (minutes(now) << 8) | Math.max(0, Math.min(255, counter));
  }

  /**
   * The mark (1-255, 0 = never) of the append-only file rewrite that last wrote this value out. A
   * rewrite gives every value it writes its own mark, so it can tell a value it already wrote from
   * one it has not reached; kept in spare bits, it costs no memory.
   */
  public int rewriteMark() {
    return lfu >>> 24;
  }

  public void rewriteMark(int mark) {
    lfu = (lfu & LFU_BITS) | (mark << 24);
  }

  private static int minutes(long millis) {
    return (int) ((millis / 60_000) & 0xFFFF);
  }
}
