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

  /** The text CONFIG SET refuses, as Redis words it. */
  public static final String INVALID = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

  /**
   * The classes a {@code notify-keyspace-events} string selects, or -1 if it has a character that
   * names no class (Redis's keyspaceEventsStringToFlags).
   */
  public static int parse(String classes) {
    int flags = 0;
    for (int i = 0; i < classes.length(); i++) {
      int bit =
          switch (classes.charAt(i)) {
            case 'A' -> ALL;
            case 'g' -> GENERIC;
            case '$' -> STRING;
            case 'l' -> LIST;
            case 's' -> SET;
            case 'h' -> HASH;
            case 'z' -> ZSET;
            case 'x' -> EXPIRED;
            case 'e' -> EVICTED;
            case 'K' -> KEYSPACE;
            case 'E' -> KEYEVENT;
            case 't' -> STREAM;
            case 'm' -> KEY_MISS;
            case 'd' -> MODULE;
            case 'n' -> NEW;
            default -> -1;
          };
      if (bit == -1) {
        return -1;
      }
      flags |= bit;
    }
    return flags;
  }

  /**
   * The canonical text of {@code flags}, as CONFIG GET shows it (Redis's
   * keyspaceEventsFlagsToString): "A" for all the classes it covers (then 'n' is not shown, a quirk
   * kept from Redis), else one letter per class, followed by K, E and m.
   */
  public static String format(int flags) {
    StringBuilder sb = new StringBuilder();
    if ((flags & ALL) == ALL) {
      sb.append('A');
    } else {
      append(sb, flags, GENERIC, 'g');
      append(sb, flags, STRING, '$');
      append(sb, flags, LIST, 'l');
      append(sb, flags, SET, 's');
      append(sb, flags, HASH, 'h');
      append(sb, flags, ZSET, 'z');
      append(sb, flags, EXPIRED, 'x');
      append(sb, flags, EVICTED, 'e');
      append(sb, flags, STREAM, 't');
      append(sb, flags, MODULE, 'd');
      append(sb, flags, NEW, 'n');
    }
    append(sb, flags, KEYSPACE, 'K');
    append(sb, flags, KEYEVENT, 'E');
    append(sb, flags, KEY_MISS, 'm');
    return sb.toString();
  }

  private static void append(StringBuilder sb, int flags, int bit, char c) {
    if ((flags & bit) != 0) {
      sb.append(c);
    }
  }

  /**
   * Checks and normalizes a {@code notify-keyspace-events} value for the configuration.
   *
   * @throws IllegalArgumentException with Redis's text when a character names no class
   */
  public static String canonical(String classes) {
    int flags = parse(classes);
    if (flags == -1) {
      throw new IllegalArgumentException(INVALID);
    }
    return format(flags);
  }
}
