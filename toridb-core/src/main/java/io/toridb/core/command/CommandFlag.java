package io.toridb.core.command;

/**
 * Command flags, as bits of {@link CommandSpec#flags()}. Each is shown by {@code COMMAND INFO}
 * under the same name Redis uses, except {@link #WHOLE_KEYSPACE}, {@link #SCRIPT_LOCKING} and
 * {@link #EXCLUSIVE}, which are ToriDB's own.
 */
public final class CommandFlag {
  private CommandFlag() {}

  /** Changes data. */
  public static final int WRITE = 1;

  /** Only reads data. */
  public static final int READONLY = 1 << 1;

  /** May grow memory; refused when over maxmemory. */
  public static final int DENYOOM = 1 << 2;

  /** Administrative; hidden from unprivileged users. */
  public static final int ADMIN = 1 << 3;

  /** Part of publish/subscribe. */
  public static final int PUBSUB = 1 << 4;

  /** Not allowed from scripts. */
  public static final int NOSCRIPT = 1 << 5;

  /** May block the client. */
  public static final int BLOCKING = 1 << 6;

  /** Allowed while the dataset is loading. */
  public static final int LOADING = 1 << 7;

  /** Allowed on a replica with stale data. */
  public static final int STALE = 1 << 8;

  /** Not shown to MONITOR clients. */
  public static final int SKIP_MONITOR = 1 << 9;

  /** Not recorded in the slow log. */
  public static final int SKIP_SLOWLOG = 1 << 10;

  /** Runs in constant or logarithmic time. */
  public static final int FAST = 1 << 11;

  /** Allowed before the client authenticates. */
  public static final int NO_AUTH = 1 << 12;

  /** May propagate a write even though it is not flagged write. */
  public static final int MAY_REPLICATE = 1 << 13;

  /** Refused inside MULTI. */
  public static final int NO_MULTI = 1 << 14;

  /** Keys cannot be found from first/last/step alone. */
  public static final int MOVABLE_KEYS = 1 << 15;

  /** Allowed while a script is busy. */
  public static final int ALLOW_BUSY = 1 << 16;

  /** Declares no keys but reads or changes the whole keyspace, so it locks every stripe. */
  public static final int WHOLE_KEYSPACE = 1 << 17;

  /** Refused while a replica loads its data set asynchronously (shown only; none here). */
  public static final int NO_ASYNC_LOADING = 1 << 18;

  /** Declares keys that may all be missing (EVAL with no keys); shown only. */
  public static final int NO_MANDATORY_KEYS = 1 << 19;

  /**
   * Runs a script: locks the keys it declares and, as the script reaches them, any others, holding
   * them all until it ends (see {@link io.toridb.core.keyspace.KeyLocks}). Inside MULTI, where the
   * script's keys are not known in advance, it locks the whole keyspace instead.
   */
  public static final int SCRIPT_LOCKING = 1 << 20;

  /**
   * Locks every stripe to run alone, but changes no key (FUNCTION LOAD and its kin, which must not
   * fall between a rewrite's cut and its copy of the libraries): a save or rewrite under way has
   * nothing to copy before it runs.
   */
  public static final int EXCLUSIVE = 1 << 21;

  private static final String[] NAMES = {
    "write",
    "readonly",
    "denyoom",
    "admin",
    "pubsub",
    "noscript",
    "blocking",
    "loading",
    "stale",
    "skip_monitor",
    "skip_slowlog",
    "fast",
    "no_auth",
    "may_replicate",
    "no_multi",
    "movablekeys",
    "allow_busy"
  };

  /**
   * Bits in the order Redis lists flag names: no_mandatory_keys and no_async_loading come before
   * no_multi.
   */
  private static final int[] ORDER = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 19, 18, 14, 15, 16
  };

  /** The Redis names of the flags set in {@code flags}, in Redis's order. */
  public static java.util.List<String> names(int flags) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int bit : ORDER) {
      if ((flags & (1 << bit)) != 0) {
        out.add(
            switch (bit) {
              case 18 -> "no_async_loading";
              case 19 -> "no_mandatory_keys";
              default -> NAMES[bit];
            });
      }
    }
    return out;
  }
}
