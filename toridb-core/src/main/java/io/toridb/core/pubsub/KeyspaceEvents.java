package io.toridb.core.pubsub;

/**
 * The classes of keyspace events, Redis's NOTIFY_* bits, which {@code notify-keyspace-events}
 * selects with one letter each. Handlers pass the class of the event they raise to {@link
 * io.toridb.core.command.CommandContext#notify}.
 */
public final class KeyspaceEvents {
  private KeyspaceEvents() {}

  /** K: publish to {@code __keyspace@<db>__:<key>}. */
  public static final int KEYSPACE = 1;

  /** E: publish to {@code __keyevent@<db>__:<event>}. */
  public static final int KEYEVENT = 1 << 1;

  /** g: generic commands (DEL, EXPIRE, RENAME, ...). */
  public static final int GENERIC = 1 << 2;

  /** $: string commands. */
  public static final int STRING = 1 << 3;

  /** l: list commands. */
  public static final int LIST = 1 << 4;

  /** s: set commands. */
  public static final int SET = 1 << 5;

  /** h: hash commands. */
  public static final int HASH = 1 << 6;

  /** z: sorted set commands. */
  public static final int ZSET = 1 << 7;

  /** x: a key expired. */
  public static final int EXPIRED = 1 << 8;

  /** e: a key was evicted. */
  public static final int EVICTED = 1 << 9;

  /** t: stream commands. */
  public static final int STREAM = 1 << 10;

  /** m: a key was missed (not part of A). */
  public static final int KEY_MISS = 1 << 11;

  /** d: module events. */
  public static final int MODULE = 1 << 13;

  /** n: a new key was created (not part of A). */
  public static final int NEW = 1 << 14;

  /** A: every class but m and n. */
  public static final int ALL =
      GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;
}
