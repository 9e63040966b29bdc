package io.toridb.core.keyspace;

import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.pubsub.KeyspaceEvents;

/**
 * Commands that set, read and remove key expiry times: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL,
 * PTTL, EXPIRETIME, PEXPIRETIME and PERSIST.
 */
public final class ExpireCommands {
  private static final byte[] DEL = Args.bytes("DEL");
  private static final byte[] PEXPIREAT = Args.bytes("PEXPIREAT");

  private static final int NX = 1;
  private static final int XX = 1 << 1;
  private static final int GT = 1 << 2;
  private static final int LT = 1 << 3;

  private ExpireCommands() {}

  public static void register(CommandTable t) {
    t.add(
        expireSpec("expire", "Sets the expiration time of a key in seconds.", "1.0.0")
            .handler((ctx, argv) -> expire(ctx, argv, "expire", true, true)));
    t.add(
        expireSpec("pexpire", "Sets the expiration time of a key in milliseconds.", "2.6.0")
            .handler((ctx, argv) -> expire(ctx, argv, "pexpire", true, false)));
    t.add(
        expireSpec("expireat", "Sets the expiration time of a key to a Unix timestamp.", "1.2.0")
            .handler((ctx, argv) -> expire(ctx, argv, "expireat", false, true)));
    t.add(
        expireSpec(
                "pexpireat",
                "Sets the expiration time of a key to a Unix milliseconds timestamp.",
                "2.6.0")
            .handler((ctx, argv) -> expire(ctx, argv, "pexpireat", false, false)));
    t.add(
        ttlSpec("ttl", "Returns the expiration time in seconds of a key.", "1.0.0")
            .tips("nondeterministic_output")
            .handler((ctx, argv) -> ttl(ctx, argv, false, false)));
    t.add(
        ttlSpec("pttl", "Returns the expiration time in milliseconds of a key.", "2.6.0")
            .tips("nondeterministic_output")
            .handler((ctx, argv) -> ttl(ctx, argv, true, false)));
    t.add(
        ttlSpec("expiretime", "Returns the expiration time of a key as a Unix timestamp.", "7.0.0")
            .handler((ctx, argv) -> ttl(ctx, argv, false, true)));
    t.add(
        ttlSpec(
                "pexpiretime",
                "Returns the expiration time of a key as a Unix milliseconds timestamp.",
                "7.0.0")
            .handler((ctx, argv) -> ttl(ctx, argv, true, true)));
    t.add(
        CommandSpec.builder("persist", 2)
            .flags(WRITE | FAST)
            .keys(1, 1, 1)
            .doc("Removes the expiration time of a key.", "2.2.0", "O(1)")
            .handler(ExpireCommands::persist));
  }

  private static CommandSpec.Builder expireSpec(String name, String summary, String since) {
    return CommandSpec.builder(name, -3)
        .flags(WRITE | FAST)
        .keys(1, 1, 1)
        .doc(summary, since, "O(1)");
  }

  private static CommandSpec.Builder ttlSpec(String name, String summary, String since) {
    return CommandSpec.builder(name, 2)
        .flags(READONLY | FAST)
        .keys(1, 1, 1)
        .doc(summary, since, "O(1)");
  }

  /**
   * EXPIRE key seconds [NX | XX | GT | LT] / PEXPIRE key milliseconds [...] / EXPIREAT key
   * unix-time-seconds [...] / PEXPIREAT key unix-time-milliseconds [...]
   */
  static void expire(
      CommandContext ctx, byte[][] argv, String name, boolean relative, boolean seconds) {
    int flags = parseFlags(argv);
    long when = Args.parseLong(argv[2]);
    // Negative times are allowed (they delete the key); only overflow is an error.
    if (seconds) {
      if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
        throw invalidExpire(name);
      }
      when *= 1000;
    }
    long base = relative ? ctx.now() : 0;
    if (when > Long.MAX_VALUE - base) {
      throw invalidExpire(name);
    }
    when += base;

    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    StoredValue v = db.lookupWrite(key, ctx.now());
    if (v == null || !conditionHolds(flags, v.expireAt(), when)) {
      ctx.out().integer(0);
      return;
    }
    // A time already past deletes the key, except while loading the log, where the replay must
    // keep the key until the DEL that follows it in the log.
    if (when <= ctx.now() && !ctx.server().loading()) {
      db.remove(key);
      ctx.modified(key);
      ctx.notify(KeyspaceEvents.GENERIC, "del", key);
      ctx.propagate(new byte[][] {DEL, argv[1]});
      ctx.out().integer(1);
    } else {
      db.setExpire(key, v, when);
      ctx.modified(key);
      ctx.propagate(new byte[][] {PEXPIREAT, argv[1], Args.bytes(Long.toString(when))});
      // Redis replies before raising this one.
      ctx.out().integer(1);
      ctx.notify(KeyspaceEvents.GENERIC, "expire", key);
    }
  }

  /** The NX/XX/GT/LT options after the time, with Redis's checks and texts. */
  private static int parseFlags(byte[][] argv) {
    int flags = 0;
    for (int i = 3; i < argv.length; i++) {
      switch (Args.upper(argv[i])) {
        case "NX" -> flags |= NX;
        case "XX" -> flags |= XX;
        case "GT" -> flags |= GT;
        case "LT" -> flags |= LT;
        default -> throw new CommandException("ERR Unsupported option " + Args.latin1(argv[i]));
      }
    }
    if ((flags & NX) != 0 && (flags & (XX | GT | LT)) != 0) {
      throw new CommandException(
          "ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if ((flags & GT) != 0 && (flags & LT) != 0) {
      throw new CommandException("ERR GT and LT options at the same time are not compatible");
    }
    return flags;
  }

  /**
   * Whether the options allow replacing expiry {@code current} ({@link StoredValue#NO_EXPIRY} for
   * none, which GT treats as infinite) with {@code when}.
   */
  private static boolean conditionHolds(int flags, long current, long when) {
    boolean none = current == StoredValue.NO_EXPIRY;
    if ((flags & NX) != 0 && !none) {
      return false;
    }
    if ((flags & XX) != 0 && none) {
      return false;
    }
    if ((flags & GT) != 0 && (none || when <= current)) {
      return false;
    }
    return (flags & LT) == 0 || none || when < current;
  }

  private static CommandException invalidExpire(String name) {
    return new CommandException(String.format(Errors.INVALID_EXPIRE, name));
  }

  /** TTL key / PTTL key / EXPIRETIME key / PEXPIRETIME key */
  static void ttl(CommandContext ctx, byte[][] argv, boolean millis, boolean absolute) {
    StoredValue v = ctx.db().lookupReadNoTouch(Key.of(argv[1]), ctx.now());
    if (v == null) {
      ctx.out().integer(-2);
      return;
    }
    if (!v.hasExpiry()) {
      ctx.out().integer(-1);
      return;
    }
    long t = absolute ? v.expireAt() : v.expireAt() - ctx.now();
    if (t < 0) {
      t = 0;
    }
    // Seconds round to nearest. Redis's (t + 500) / 1000 behaves as unsigned near Long.MAX_VALUE.
    ctx.out().integer(millis ? t : Long.divideUnsigned(t + 500, 1000));
  }

  /** PERSIST key */
  static void persist(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    StoredValue v = db.lookupWrite(key, ctx.now());
    if (v == null || !v.hasExpiry()) {
      ctx.out().integer(0);
      return;
    }
    db.setExpire(key, v, StoredValue.NO_EXPIRY);
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.GENERIC, "persist", key);
    ctx.propagate(argv);
    ctx.out().integer(1);
  }
}
