package io.toridb.core.set;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.KeySpec;
import io.toridb.core.config.Config;
import io.toridb.core.config.Directive;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.ScanCursor;
import io.toridb.core.keyspace.ScanOptions;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Set commands, Redis 7.0's set family. This class registers all of them and serves the ones that
 * touch one set (SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMOVE, SSCAN); {@link SetRandomCommands}
 * serves SPOP and SRANDMEMBER, {@link SetAlgebraCommands} the intersections, unions and differences
 * (SMEMBERS among them, as in Redis).
 */
public final class SetCommands {
  private SetCommands() {}

  private static final String ORDER = "nondeterministic_output_order";
  private static final String OUTPUT = "nondeterministic_output";

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("sadd", -3)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "insert")
            .group("set")
            .doc(
                "Add one or more members to a set",
                "1.0.0",
                "O(1) for each element added, so O(N) to add N elements when the command is called"
                    + " with multiple arguments.")
            .handler(SetCommands::sadd));
    t.add(
        CommandSpec.builder("srem", -3)
            .flags(WRITE | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "delete")
            .group("set")
            .doc(
                "Remove one or more members from a set",
                "1.0.0",
                "O(N) where N is the number of members to be removed.")
            .handler(SetCommands::srem));
    t.add(
        CommandSpec.builder("scard", 2)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO")
            .group("set")
            .doc("Get the number of members in a set", "1.0.0", "O(1)")
            .handler(SetCommands::scard));
    t.add(
        CommandSpec.builder("sismember", 3)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO")
            .group("set")
            .doc("Determine if a given value is a member of a set", "1.0.0", "O(1)")
            .handler(SetCommands::sismember));
    t.add(
        CommandSpec.builder("smismember", -3)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .group("set")
            .doc(
                "Returns the membership associated with the given elements for a set",
                "6.2.0",
                "O(N) where N is the number of elements being checked for membership")
            .handler(SetCommands::smismember));
    t.add(
        CommandSpec.builder("smembers", 2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .tips(ORDER)
            .group("set")
            .doc("Get all the members in a set", "1.0.0", "O(N) where N is the set cardinality.")
            .handler(SetAlgebraCommands::smembers));
    t.add(
        CommandSpec.builder("smove", 4)
            .flags(WRITE | FAST)
            .keys(1, 2, 1)
            .keySpec(KeySpec.range(1, 0, 1, "RW", "access", "delete"))
            .keySpec(KeySpec.range(2, 0, 1, "RW", "insert"))
            .group("set")
            .doc("Move a member from one set to another", "1.0.0", "O(1)")
            .handler(SetCommands::smove));
    t.add(
        CommandSpec.builder("spop", -2)
            .flags(WRITE | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "delete")
            .tips(OUTPUT)
            .group("set")
            .doc(
                "Remove and return one or multiple random members from a set",
                "1.0.0",
                "Without the count argument O(1), otherwise O(N) where N is the value of the"
                    + " passed count.")
            .handler(SetRandomCommands::spop));
    t.add(
        CommandSpec.builder("srandmember", -2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .tips(OUTPUT)
            .group("set")
            .doc(
                "Get one or multiple random members from a set",
                "1.0.0",
                "Without the count argument O(1), otherwise O(N) where N is the absolute value of"
                    + " the passed count.")
            .handler(SetRandomCommands::srandmember));
    t.add(
        CommandSpec.builder("sinter", -2)
            .flags(READONLY)
            .keys(1, -1, 1)
            .tips(ORDER)
            .group("set")
            .doc(
                "Intersect multiple sets",
                "1.0.0",
                "O(N*M) worst case where N is the cardinality of the smallest set and M is the"
                    + " number of sets.")
            .handler(SetAlgebraCommands::sinter));
    t.add(
        CommandSpec.builder("sintercard", -3)
            .flags(READONLY)
            .keySpec(KeySpec.keyNum(1, 0, 1, 1, "RO", "access"))
            .group("set")
            .doc(
                "Intersect multiple sets and return the cardinality of the result",
                "7.0.0",
                "O(N*M) worst case where N is the cardinality of the smallest set and M is the"
                    + " number of sets.")
            .handler(SetAlgebraCommands::sintercard));
    t.add(
        CommandSpec.builder("sinterstore", -3)
            .flags(WRITE | DENYOOM)
            .keys(1, -1, 1)
            .keySpec(KeySpec.range(1, 0, 1, "RW", "update"))
            .keySpec(KeySpec.range(2, -1, 1, "RO", "access"))
            .group("set")
            .doc(
                "Intersect multiple sets and store the resulting set in a key",
                "1.0.0",
                "O(N*M) worst case where N is the cardinality of the smallest set and M is the"
                    + " number of sets.")
            .handler(SetAlgebraCommands::sinterstore));
    t.add(
        CommandSpec.builder("sunion", -2)
            .flags(READONLY)
            .keys(1, -1, 1)
            .tips(ORDER)
            .group("set")
            .doc(
                "Add multiple sets",
                "1.0.0",
                "O(N) where N is the total number of elements in all given sets.")
            .handler((ctx, argv) -> SetAlgebraCommands.sunionDiff(ctx, argv, false, false)));
    t.add(
        CommandSpec.builder("sunionstore", -3)
            .flags(WRITE | DENYOOM)
            .keys(1, -1, 1)
            .keySpec(KeySpec.range(1, 0, 1, "OW", "update"))
            .keySpec(KeySpec.range(2, -1, 1, "RO", "access"))
            .group("set")
            .doc(
                "Add multiple sets and store the resulting set in a key",
                "1.0.0",
                "O(N) where N is the total number of elements in all given sets.")
            .handler((ctx, argv) -> SetAlgebraCommands.sunionDiff(ctx, argv, false, true)));
    t.add(
        CommandSpec.builder("sdiff", -2)
            .flags(READONLY)
            .keys(1, -1, 1)
            .tips(ORDER)
            .group("set")
            .doc(
                "Subtract multiple sets",
                "1.0.0",
                "O(N) where N is the total number of elements in all given sets.")
            .handler((ctx, argv) -> SetAlgebraCommands.sunionDiff(ctx, argv, true, false)));
    t.add(
        CommandSpec.builder("sdiffstore", -3)
            .flags(WRITE | DENYOOM)
            .keys(1, -1, 1)
            .keySpec(KeySpec.range(1, 0, 1, "OW", "update"))
            .keySpec(KeySpec.range(2, -1, 1, "RO", "access"))
            .group("set")
            .doc(
                "Subtract multiple sets and store the resulting set in a key",
                "1.0.0",
                "O(N) where N is the total number of elements in all given sets.")
            .handler((ctx, argv) -> SetAlgebraCommands.sunionDiff(ctx, argv, true, true)));
    t.add(
        CommandSpec.builder("sscan", -3)
            .flags(READONLY)
            .keys(1, 1, 1)
            .tips(OUTPUT)
            .group("set")
            .doc(
                "Incrementally iterate Set elements",
                "2.8.0",
                "O(1) for every call. O(N) for a complete iteration, including enough command"
                    + " calls for the cursor to return back to 0. N is the number of elements inside"
                    + " the collection..")
            .handler(SetCommands::sscan));
  }

  // ---------------------------------------------------------------------------------------------
  // Shared helpers

  /** The set-max-intset-entries directive of one server, looked up once per server. */
  private record IntsetLimit(Config config, Directive directive) {}

  private static volatile IntsetLimit intsetLimit;

  /** The current set-max-intset-entries of the context's server. */
  static long maxIntsetEntries(CommandContext ctx) {
    Config config = ctx.server().config();
    IntsetLimit l = intsetLimit;
    if (l == null || l.config() != config) {
      l = new IntsetLimit(config, config.require("set-max-intset-entries"));
      intsetLimit = l;
    }
    return l.directive().number();
  }

  /** The value as a set, or WRONGTYPE; null stays null. */
  static SetValue asSet(StoredValue v) {
    return StoredValue.as(v, SetValue.class);
  }

  /**
   * Counts {@code changes} changes of {@code key} as Redis adds them to server.dirty, and signals
   * the key once, as signalModifiedKey.
   */
  static void modified(CommandContext ctx, Key key, long changes) {
    ctx.modified(key);
    if (changes > 1) {
      ctx.server().stats().dirty.add(changes - 1);
    }
  }

  static void replyMembers(RespWriter out, List<byte[]> members) {
    out.setHeader(members.size());
    for (byte[] m : members) {
      out.bulk(m);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  /** SADD key member [member ...] */
  static void sadd(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    SetValue set = asSet(db.lookupWrite(key, ctx.now()));
    long maxIntset = maxIntsetEntries(ctx);
    if (set == null) {
      set = SetValue.forMember(argv[2]);
      db.put(key, set);
    }
    int added = 0;
    for (int j = 2; j < argv.length; j++) {
      if (set.add(argv[j], maxIntset)) {
        added++;
      }
    }
    if (added > 0) {
      modified(ctx, key, added);
      ctx.notify(KeyspaceEvents.SET, "sadd", key);
      ctx.propagate(argv);
    }
    ctx.out().integer(added);
  }

  /** SREM key member [member ...] */
  static void srem(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    SetValue set = asSet(db.lookupWrite(key, ctx.now()));
    if (set == null) {
      ctx.out().integer(0);
      return;
    }
    int deleted = 0;
    boolean keyRemoved = false;
    for (int j = 2; j < argv.length; j++) {
      if (set.remove(argv[j])) {
        deleted++;
        if (set.size() == 0) {
          db.remove(key);
          keyRemoved = true;
          break;
        }
      }
    }
    if (deleted > 0) {
      modified(ctx, key, deleted);
      ctx.notify(KeyspaceEvents.SET, "srem", key);
      if (keyRemoved) {
        ctx.notify(KeyspaceEvents.GENERIC, "del", key);
      }
      ctx.propagate(argv);
    }
    ctx.out().integer(deleted);
  }

  /** SCARD key */
  static void scard(CommandContext ctx, byte[][] argv) {
    SetValue set = asSet(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    ctx.out().integer(set == null ? 0 : set.size());
  }

  /** SISMEMBER key member */
  static void sismember(CommandContext ctx, byte[][] argv) {
    SetValue set = asSet(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    ctx.out().zeroOrOne(set != null && set.contains(argv[2]));
  }

  /** SMISMEMBER key member [member ...] */
  static void smismember(CommandContext ctx, byte[][] argv) {
    // A missing key is an empty set: a zero for every member.
    SetValue set = asSet(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    RespWriter out = ctx.out();
    out.arrayHeader(argv.length - 2);
    for (int j = 2; j < argv.length; j++) {
      out.zeroOrOne(set != null && set.contains(argv[j]));
    }
  }

  /** SMOVE source destination member */
  static void smove(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    long now = ctx.now();
    Key srcKey = Key.of(argv[1]);
    Key dstKey = Key.of(argv[2]);
    byte[] member = argv[3];
    StoredValue srcValue = db.lookupWrite(srcKey, now);
    StoredValue dstValue = db.lookupWrite(dstKey, now);
    if (srcValue == null) {
      ctx.out().integer(0);
      return;
    }
    SetValue src = asSet(srcValue);
    SetValue dst = asSet(dstValue);
    if (src == dst) {
      // The same key: nothing moves.
      ctx.out().zeroOrOne(src.contains(member));
      return;
    }
    if (!src.remove(member)) {
      ctx.out().integer(0);
      return;
    }
    ctx.notify(KeyspaceEvents.SET, "srem", srcKey);
    if (src.size() == 0) {
      db.remove(srcKey);
      ctx.notify(KeyspaceEvents.GENERIC, "del", srcKey);
    }
    if (dst == null) {
      dst = SetValue.forMember(member);
      db.put(dstKey, dst);
    }
    modified(ctx, srcKey, 1);
    if (dst.add(member, maxIntsetEntries(ctx))) {
      modified(ctx, dstKey, 1);
      ctx.notify(KeyspaceEvents.SET, "sadd", dstKey);
    }
    ctx.propagate(argv);
    ctx.out().integer(1);
  }

  /** SSCAN key cursor [MATCH pattern] [COUNT count] */
  static void sscan(CommandContext ctx, byte[][] argv) {
    long cursor = ScanCursor.parse(argv[2]);
    SetValue set = asSet(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    RespWriter out = ctx.out();
    if (set == null) {
      // Redis answers a missing key before it even reads the options.
      out.arrayHeader(2);
      out.bulk(ZERO);
      out.arrayHeader(0);
      return;
    }
    ScanOptions options = ScanOptions.parse(argv, 3, false);
    List<byte[]> found = new ArrayList<>();
    if (set.isIntset()) {
      set.forEach(found::add);
      cursor = 0;
    } else {
      long count = options.count();
      // As Redis: at most ten buckets per element asked for, so that a sparse table cannot stall.
      long maxIterations = count * 10;
      do {
        cursor = set.scanStep(cursor, found::add);
      } while (cursor != 0 && maxIterations-- > 0 && found.size() < count);
    }
    if (options.pattern() != null) {
      found.removeIf(m -> !options.matches(m));
    }
    out.arrayHeader(2);
    out.bulk(Long.toUnsignedString(cursor));
    out.arrayHeader(found.size());
    for (byte[] m : found) {
      out.bulk(m);
    }
  }

  private static final byte[] ZERO = {'0'};
}
