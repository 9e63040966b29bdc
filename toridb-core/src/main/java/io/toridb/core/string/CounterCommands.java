package io.toridb.core.string;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;

/**
 * The string family's counters: INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT. They keep the key's
 * expiry, as Redis does for these in-place updates.
 */
final class CounterCommands {
  private CounterCommands() {}

  static final String DECREMENT_OVERFLOW = "ERR decrement would overflow";
  static final String NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";

  private static final byte[] KEEPTTL_ARG = Args.bytes("KEEPTTL");

  static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("incr", 2)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .group("string")
            .doc(
                "Increments the integer value of a key by one. Uses 0 as initial value if the key"
                    + " doesn't exist.",
                "1.0.0",
                "O(1)")
            .handler((ctx, argv) -> incrBy(ctx, argv, 1)));
    t.add(
        CommandSpec.builder("decr", 2)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .group("string")
            .doc(
                "Decrements the integer value of a key by one. Uses 0 as initial value if the key"
                    + " doesn't exist.",
                "1.0.0",
                "O(1)")
            .handler((ctx, argv) -> incrBy(ctx, argv, -1)));
    t.add(
        CommandSpec.builder("incrby", 3)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .group("string")
            .doc(
                "Increments the integer value of a key by a number. Uses 0 as initial value if the"
                    + " key doesn't exist.",
                "1.0.0",
                "O(1)")
            .handler(CounterCommands::incrby));
    t.add(
        CommandSpec.builder("decrby", 3)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .group("string")
            .doc(
                "Decrements the integer value of a key by a number. Uses 0 as initial value if the"
                    + " key doesn't exist.",
                "1.0.0",
                "O(1)")
            .handler(CounterCommands::decrby));
    t.add(
        CommandSpec.builder("incrbyfloat", 3)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .group("string")
            .doc(
                "Increments the floating point value of a key by a number. Uses 0 as initial value"
                    + " if the key doesn't exist.",
                "2.6.0",
                "O(1)")
            .handler(CounterCommands::incrbyfloat));
  }

  /** INCRBY key increment */
  static void incrby(CommandContext ctx, byte[][] argv) {
    incrBy(ctx, argv, Args.parseLong(argv[2]));
  }

  /** DECRBY key decrement */
  static void decrby(CommandContext ctx, byte[][] argv) {
    long decrement = Args.parseLong(argv[2]);
    if (decrement == Long.MIN_VALUE) {
      throw new CommandException(DECREMENT_OVERFLOW);
    }
    incrBy(ctx, argv, -decrement);
  }

  /** INCR key, DECR key, and the shared body of INCRBY/DECRBY. */
  static void incrBy(CommandContext ctx, byte[][] argv, long increment) {
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(argv[1]);
    StoredValue old = db.lookupWrite(key, now);
    long value = 0;
    if (old != null) {
      value = Args.parseLong(StringCommands.asString(old).bytes());
    }
    if ((increment < 0 && value < 0 && increment < Long.MIN_VALUE - value)
        || (increment > 0 && value > 0 && increment > Long.MAX_VALUE - value)) {
      throw new CommandException(Errors.OVERFLOW);
    }
    value += increment;
    if (old instanceof StringValue counter && counter.countsInPlace()) {
      // As Redis, an unshared counter changes in place: no second update of the keyspace.
      counter.setLong(value);
    } else {
      StringCommands.replace(db, key, old, StringValue.ofLong(value), now);
    }
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.STRING, "incrby", key);
    ctx.propagate(argv);
    ctx.out().integer(value);
  }

  /** INCRBYFLOAT key increment */
  static void incrbyfloat(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(argv[1]);
    StoredValue old = db.lookupWrite(key, now);
    LongDouble value = LongDouble.ZERO;
    if (old != null) {
      StringValue s = StringCommands.asString(old);
      value =
          s.isInt()
              ? LongDouble.of(Args.parseLong(s.bytes()))
              : LongDouble.parse(s.array(), s.length());
      if (value == null) {
        throw new CommandException(Errors.NOT_FLOAT);
      }
    }
    LongDouble increment = LongDouble.parse(argv[2]);
    if (increment == null) {
      throw new CommandException(Errors.NOT_FLOAT);
    }
    LongDouble sum = value.add(increment);
    if (sum == null || sum.isInfinite()) {
      throw new CommandException(NAN_OR_INFINITY);
    }
    byte[] text = Args.bytes(sum.toHumanString());
    StringCommands.replace(db, key, old, StringValue.plain(text), now);
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.STRING, "incrbyfloat", key);
    // Replayed as the resulting text, so float formatting can never make a replica differ.
    ctx.propagate(new byte[][] {StringCommands.SET, argv[1], text, KEEPTTL_ARG});
    ctx.out().bulk(text);
  }
}
