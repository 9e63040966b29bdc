package io.toridb.core.hash;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.GlobPattern;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.ScanCursor;
import io.toridb.core.keyspace.ScanOptions;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.core.string.LongDouble;
import io.toridb.protocol.RespWriter;

/**
 * Hash commands, Redis 7.0's hash family: HSET and its variants, HGET/HMGET, HDEL, HLEN, HSTRLEN,
 * HEXISTS, HKEYS/HVALS/HGETALL, HINCRBY/HINCRBYFLOAT and HSCAN. HRANDFIELD is in {@link
 * HashRandomField}. Values are {@link HashValue}s.
 */
public final class HashCommands {
  private HashCommands() {}

  static final String NOT_INTEGER_VALUE = "ERR hash value is not an integer";
  static final String NOT_FLOAT_VALUE = "ERR hash value is not a float";
  static final String NAN_OR_INFINITY_INCREMENT = "ERR value is NaN or Infinity";
  static final String NAN_OR_INFINITY_RESULT = "ERR increment would produce NaN or Infinity";

  private static final byte[] HSET = Args.bytes("HSET");

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("hset", -4)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .group("hash")
            .doc(
                "Set the string value of a hash field",
                "2.0.0",
                "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the"
                    + " command is called with multiple field/value pairs.")
            .handler((ctx, argv) -> hset(ctx, argv, false)));
    t.add(
        CommandSpec.builder("hmset", -4)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .group("hash")
            .doc(
                "Set multiple hash fields to multiple values",
                "2.0.0",
                "O(N) where N is the number of fields being set.")
            .handler((ctx, argv) -> hset(ctx, argv, true)));
    t.add(
        CommandSpec.builder("hsetnx", 4)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "insert")
            .group("hash")
            .doc("Set the value of a hash field, only if the field does not exist", "2.0.0", "O(1)")
            .handler(HashCommands::hsetnx));
    t.add(
        CommandSpec.builder("hget", 3)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .group("hash")
            .doc("Get the value of a hash field", "2.0.0", "O(1)")
            .handler(HashCommands::hget));
    t.add(
        CommandSpec.builder("hmget", -3)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .group("hash")
            .doc(
                "Get the values of all the given hash fields",
                "2.0.0",
                "O(N) where N is the number of fields being requested.")
            .handler(HashCommands::hmget));
    t.add(
        CommandSpec.builder("hdel", -3)
            .flags(WRITE | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "delete")
            .group("hash")
            .doc(
                "Delete one or more hash fields",
                "2.0.0",
                "O(N) where N is the number of fields to be removed.")
            .handler(HashCommands::hdel));
    t.add(
        CommandSpec.builder("hlen", 2)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO")
            .group("hash")
            .doc("Get the number of fields in a hash", "2.0.0", "O(1)")
            .handler(HashCommands::hlen));
    t.add(
        CommandSpec.builder("hstrlen", 3)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO")
            .group("hash")
            .doc("Get the length of the value of a hash field", "3.2.0", "O(1)")
            .handler(HashCommands::hstrlen));
    t.add(
        CommandSpec.builder("hexists", 3)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO")
            .group("hash")
            .doc("Determine if a hash field exists", "2.0.0", "O(1)")
            .handler(HashCommands::hexists));
    t.add(
        CommandSpec.builder("hkeys", 2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .tips("nondeterministic_output_order")
            .group("hash")
            .doc("Get all the fields in a hash", "2.0.0", "O(N) where N is the size of the hash.")
            .handler((ctx, argv) -> getAll(ctx, argv, true, false)));
    t.add(
        CommandSpec.builder("hvals", 2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .tips("nondeterministic_output_order")
            .group("hash")
            .doc("Get all the values in a hash", "2.0.0", "O(N) where N is the size of the hash.")
            .handler((ctx, argv) -> getAll(ctx, argv, false, true)));
    t.add(
        CommandSpec.builder("hgetall", 2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .tips("nondeterministic_output_order")
            .group("hash")
            .doc(
                "Get all the fields and values in a hash",
                "2.0.0",
                "O(N) where N is the size of the hash.")
            .handler((ctx, argv) -> getAll(ctx, argv, true, true)));
    t.add(
        CommandSpec.builder("hincrby", 4)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .group("hash")
            .doc("Increment the integer value of a hash field by the given number", "2.0.0", "O(1)")
            .handler(HashCommands::hincrby));
    t.add(
        CommandSpec.builder("hincrbyfloat", 4)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .group("hash")
            .doc("Increment the float value of a hash field by the given amount", "2.6.0", "O(1)")
            .handler(HashCommands::hincrbyfloat));
    t.add(
        CommandSpec.builder("hrandfield", -2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .tips("nondeterministic_output")
            .group("hash")
            .doc(
                "Get one or multiple random fields from a hash",
                "6.2.0",
                "O(N) where N is the number of fields returned")
            .handler(HashRandomField::hrandfield));
    t.add(
        CommandSpec.builder("hscan", -3)
            .flags(READONLY)
            .keys(1, 1, 1)
            .tips("nondeterministic_output")
            .group("hash")
            .doc(
                "Incrementally iterate hash fields and associated values",
                "2.8.0",
                "O(1) for every call. O(N) for a complete iteration, including enough command calls"
                    + " for the cursor to return back to 0. N is the number of elements inside the"
                    + " collection..")
            .handler(HashCommands::hscan));
  }

  // ---------------------------------------------------------------------------------------------
  // Shared helpers

  /** The value as a hash, or WRONGTYPE; null stays null. */
  static HashValue asHash(StoredValue v) {
    return StoredValue.as(v, HashValue.class);
  }

  /** The hash at {@code key} looked up for reading (hit/miss counted), null if missing. */
  static HashValue readHash(CommandContext ctx, byte[] key) {
    return asHash(ctx.db().lookupRead(Key.of(key), ctx.now()));
  }

  /** The listpack thresholds in force for one command. */
  private record Limits(long entries, long value) {
    static Limits of(CommandContext ctx) {
      var config = ctx.server().config();
      return new Limits(
          config.require("hash-max-listpack-entries").number(),
          config.require("hash-max-listpack-value").number());
    }
  }

  /** Stores a hash created by this command; an existing hash is changed in place. */
  private static void store(Database db, Key key, HashValue h, long now) {
    h.touch(now);
    db.put(key, h);
  }

  /** Signals the change and counts {@code changes} for the dirty counter, as Redis does. */
  private static void changed(CommandContext ctx, Key key, long changes) {
    ctx.modified(key);
    if (changes > 1) {
      ctx.server().stats().dirty.add(changes - 1);
    }
  }

  static void writeField(RespWriter out, Pairs pairs, int pos) {
    out.bulk(pairs.array(pos), pairs.fieldOffset(pos), pairs.fieldLength(pos));
  }

  static void writeValue(RespWriter out, Pairs pairs, int pos) {
    out.bulk(pairs.array(pos), pairs.valueOffset(pos), pairs.valueLength(pos));
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  /** HSET key field value [field value ...] and HMSET key field value [field value ...] */
  static void hset(CommandContext ctx, byte[][] argv, boolean hmset) {
    if (argv.length % 2 == 1) {
      throw new CommandException(Errors.wrongArity(hmset ? "hmset" : "hset"));
    }
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    HashValue h = asHash(db.lookupWrite(key, ctx.now()));
    boolean created = h == null;
    if (created) {
      h = new HashValue();
    }
    Limits limits = Limits.of(ctx);
    h.convertForArguments(argv, 2, argv.length - 1, limits.value());
    int added = 0;
    for (int i = 2; i < argv.length; i += 2) {
      if (h.set(argv[i], argv[i + 1], limits.entries(), limits.value())) {
        added++;
      }
    }
    if (created) {
      store(db, key, h, ctx.now());
    }
    changed(ctx, key, (argv.length - 2) / 2);
    ctx.notify(KeyspaceEvents.HASH, "hset", key);
    ctx.propagate(argv);
    if (hmset) {
      ctx.out().ok();
    } else {
      ctx.out().integer(added);
    }
  }

  /** HSETNX key field value */
  static void hsetnx(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    HashValue h = asHash(db.lookupWrite(key, ctx.now()));
    if (h != null && h.pairs().find(argv[2]) >= 0) {
      ctx.out().integer(0);
      return;
    }
    boolean created = h == null;
    if (created) {
      h = new HashValue();
    }
    Limits limits = Limits.of(ctx);
    h.convertForArguments(argv, 2, 3, limits.value());
    h.set(argv[2], argv[3], limits.entries(), limits.value());
    if (created) {
      store(db, key, h, ctx.now());
    }
    changed(ctx, key, 1);
    ctx.notify(KeyspaceEvents.HASH, "hset", key);
    ctx.propagate(argv);
    ctx.out().integer(1);
  }

  /** HDEL key field [field ...] */
  static void hdel(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    HashValue h = asHash(db.lookupWrite(key, ctx.now()));
    if (h == null) {
      ctx.out().integer(0);
      return;
    }
    int deleted = 0;
    boolean keyRemoved = false;
    for (int i = 2; i < argv.length; i++) {
      if (h.delete(argv[i])) {
        deleted++;
        if (h.size() == 0) {
          db.remove(key);
          keyRemoved = true;
          break;
        }
      }
    }
    if (deleted > 0) {
      changed(ctx, key, deleted);
      ctx.notify(KeyspaceEvents.HASH, "hdel", key);
      if (keyRemoved) {
        ctx.notify(KeyspaceEvents.GENERIC, "del", key);
      }
      ctx.propagate(argv);
    }
    ctx.out().integer(deleted);
  }

  /** HINCRBY key field increment */
  static void hincrby(CommandContext ctx, byte[][] argv) {
    long increment = Args.parseLong(argv[3]);
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    HashValue h = asHash(db.lookupWrite(key, ctx.now()));
    long value = 0;
    if (h != null) {
      byte[] old = h.get(argv[2]);
      if (old != null) {
        value = Args.parseLong(old, NOT_INTEGER_VALUE);
      }
    }
    if ((increment < 0 && value < 0 && increment < Long.MIN_VALUE - value)
        || (increment > 0 && value > 0 && increment > Long.MAX_VALUE - value)) {
      throw new CommandException(Errors.OVERFLOW);
    }
    value += increment;
    boolean created = h == null;
    if (created) {
      h = new HashValue();
    }
    Limits limits = Limits.of(ctx);
    h.set(argv[2], Args.bytes(Long.toString(value)), limits.entries(), limits.value());
    if (created) {
      store(db, key, h, ctx.now());
    }
    changed(ctx, key, 1);
    ctx.notify(KeyspaceEvents.HASH, "hincrby", key);
    ctx.propagate(argv);
    ctx.out().integer(value);
  }

  /** HINCRBYFLOAT key field increment */
  static void hincrbyfloat(CommandContext ctx, byte[][] argv) {
    LongDouble increment = LongDouble.parse(argv[3]);
    if (increment == null) {
      throw new CommandException(Errors.NOT_FLOAT);
    }
    if (increment.isInfinite()) {
      throw new CommandException(NAN_OR_INFINITY_INCREMENT);
    }
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    HashValue h = asHash(db.lookupWrite(key, ctx.now()));
    LongDouble value = LongDouble.ZERO;
    if (h != null) {
      byte[] old = h.get(argv[2]);
      if (old != null) {
        value = LongDouble.parse(old);
        if (value == null) {
          throw new CommandException(NOT_FLOAT_VALUE);
        }
      }
    }
    LongDouble sum = value.add(increment);
    if (sum == null || sum.isInfinite()) {
      throw new CommandException(NAN_OR_INFINITY_RESULT);
    }
    byte[] text = Args.bytes(sum.toHumanString());
    boolean created = h == null;
    if (created) {
      h = new HashValue();
    }
    Limits limits = Limits.of(ctx);
    h.set(argv[2], text, limits.entries(), limits.value());
    if (created) {
      store(db, key, h, ctx.now());
    }
    changed(ctx, key, 1);
    ctx.notify(KeyspaceEvents.HASH, "hincrbyfloat", key);
    // Replayed as HSET of the resulting text, so float formatting can never make a replica differ.
    ctx.propagate(new byte[][] {HSET, argv[1], argv[2], text});
    ctx.out().bulk(text);
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /** HGET key field */
  static void hget(CommandContext ctx, byte[][] argv) {
    HashValue h = readHash(ctx, argv[1]);
    writeValueOrNull(ctx.out(), h, argv[2]);
  }

  /** HMGET key field [field ...] */
  static void hmget(CommandContext ctx, byte[][] argv) {
    HashValue h = readHash(ctx, argv[1]);
    RespWriter out = ctx.out();
    out.arrayHeader(argv.length - 2);
    for (int i = 2; i < argv.length; i++) {
      writeValueOrNull(out, h, argv[i]);
    }
  }

  private static void writeValueOrNull(RespWriter out, HashValue h, byte[] field) {
    int pos = h == null ? -1 : h.pairs().find(field);
    if (pos < 0) {
      out.nullBulk();
    } else {
      writeValue(out, h.pairs(), pos);
    }
  }

  /** HLEN key */
  static void hlen(CommandContext ctx, byte[][] argv) {
    HashValue h = readHash(ctx, argv[1]);
    ctx.out().integer(h == null ? 0 : h.size());
  }

  /** HSTRLEN key field */
  static void hstrlen(CommandContext ctx, byte[][] argv) {
    HashValue h = readHash(ctx, argv[1]);
    int pos = h == null ? -1 : h.pairs().find(argv[2]);
    ctx.out().integer(pos < 0 ? 0 : h.pairs().valueLength(pos));
  }

  /** HEXISTS key field */
  static void hexists(CommandContext ctx, byte[][] argv) {
    HashValue h = readHash(ctx, argv[1]);
    ctx.out().zeroOrOne(h != null && h.pairs().find(argv[2]) >= 0);
  }

  /** HKEYS key, HVALS key and HGETALL key (a map in RESP3). */
  static void getAll(CommandContext ctx, byte[][] argv, boolean fields, boolean values) {
    HashValue h = readHash(ctx, argv[1]);
    RespWriter out = ctx.out();
    int n = h == null ? 0 : h.size();
    if (fields && values) {
      out.mapHeader(n);
    } else {
      out.arrayHeader(n);
    }
    if (h == null) {
      return;
    }
    Pairs pairs = h.pairs();
    for (int p = pairs.first(); p >= 0; p = pairs.next(p)) {
      if (fields) {
        writeField(out, pairs, p);
      }
      if (values) {
        writeValue(out, pairs, p);
      }
    }
  }

  /**
   * HSCAN key cursor [MATCH pattern] [COUNT count]. A listpack hash is returned whole with cursor
   * 0, as Redis does; a hash table is walked in hash order (see {@link PairTable#scan}).
   */
  static void hscan(CommandContext ctx, byte[][] argv) {
    long cursor = ScanCursor.parse(argv[2]);
    HashValue h = readHash(ctx, argv[1]);
    RespWriter out = ctx.out();
    if (h == null) {
      out.arrayHeader(2);
      out.bulk(ZERO);
      out.emptyArray();
      return;
    }
    ScanOptions options = ScanOptions.parse(argv, 3, false);
    Pairs pairs = h.pairs();
    PositionList found = new PositionList();
    long next = 0;
    if (pairs instanceof PairTable table) {
      next = table.scan(cursor, options.count(), found);
    } else {
      for (int p = pairs.first(); p >= 0; p = pairs.next(p)) {
        found.accept(p);
      }
    }
    byte[] pattern = options.pattern();
    if (pattern != null) {
      found.removeIf(
          pos ->
              !GlobPattern.matches(
                  pattern,
                  0,
                  pattern.length,
                  pairs.array(pos),
                  pairs.fieldOffset(pos),
                  pairs.fieldLength(pos),
                  false));
    }
    int matched = found.size();
    out.arrayHeader(2);
    out.bulkLong(next);
    out.arrayHeader(matched * 2);
    for (int i = 0; i < matched; i++) {
      writeField(out, pairs, found.get(i));
      writeValue(out, pairs, found.get(i));
    }
  }

  private static final byte[] ZERO = {'0'};
}
