package io.toridb.core.zset;

import static io.toridb.core.command.CommandFlag.BLOCKING;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.zset.ZSetCommands.asZSet;
import static io.toridb.core.zset.ZSetCommands.parseRangeLong;
import static io.toridb.core.zset.ZSetCommands.write;

import io.toridb.core.blocking.BlockingTimeout;
import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Key;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.core.string.StringValue;
import io.toridb.protocol.RespWriter;

/**
 * ZPOPMIN, ZPOPMAX, ZMPOP and their blocking forms BZPOPMIN, BZPOPMAX, BZMPOP, after Redis's
 * genericZpopCommand. Every pop is propagated as ZPOPMIN/ZPOPMAX on the key it popped from, with
 * the count that was taken.
 */
final class ZPopCommands {
  private ZPopCommands() {}

  static void register(CommandTable t) {
    String popComplexity =
        "O(log(N)*M) with N being the number of elements in the sorted set, and M being the"
            + " number of elements popped.";
    String mpopComplexity =
        "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of"
            + " elements in the sorted set, and M being the number of elements popped.";
    t.add(
        write("zpopmin", -2, FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "delete")
            .doc(
                "Remove and return members with the lowest scores in a sorted set",
                "5.0.0",
                popComplexity)
            .handler((ctx, argv) -> ZPopCommands.zpop(ctx, argv, false)));
    t.add(
        write("zpopmax", -2, FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "delete")
            .doc(
                "Remove and return members with the highest scores in a sorted set",
                "5.0.0",
                popComplexity)
            .handler((ctx, argv) -> ZPopCommands.zpop(ctx, argv, true)));
    t.add(
        write("zmpop", -4, 0)
            .keys(0, 0, 0)
            .keySpec(KeySpec.keyNum(1, 0, 1, 1, "RW", "access", "delete"))
            .doc("Remove and return members with scores in a sorted set", "7.0.0", mpopComplexity)
            .handler((ctx, argv) -> ZPopCommands.zmpop(ctx, argv, false)));
    t.add(
        write("bzpopmin", -3, NOSCRIPT | FAST | BLOCKING)
            .keys(1, -2, 1)
            .keyFlags("RW", "access", "delete")
            .doc(
                "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
                "5.0.0",
                "O(log(N)) with N being the number of elements in the sorted set.")
            .handler((ctx, argv) -> ZPopCommands.bzpop(ctx, argv, false)));
    t.add(
        write("bzpopmax", -3, NOSCRIPT | FAST | BLOCKING)
            .keys(1, -2, 1)
            .keyFlags("RW", "access", "delete")
            .doc(
                "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
                "5.0.0",
                "O(log(N)) with N being the number of elements in the sorted set.")
            .handler((ctx, argv) -> ZPopCommands.bzpop(ctx, argv, true)));
    t.add(
        write("bzmpop", -5, BLOCKING)
            .keys(0, 0, 0)
            .keySpec(KeySpec.keyNum(2, 0, 1, 1, "RW", "access", "delete"))
            .doc(
                "Remove and return members with scores in a sorted set or block until one is available",
                "7.0.0",
                mpopComplexity)
            .handler((ctx, argv) -> ZPopCommands.zmpop(ctx, argv, true)));
  }

  static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
  static final String NUMKEYS = "ERR numkeys should be greater than 0";
  static final String COUNT = "ERR count should be greater than 0";

  private static final byte[] ZPOPMIN = Args.bytes("ZPOPMIN");
  private static final byte[] ZPOPMAX = Args.bytes("ZPOPMAX");

  /** How a pop's reply is laid out (the shapes of genericZpopCommand). */
  private enum Shape {
    /** ZPOPMIN/ZPOPMAX: a flat [member, score, ...]. */
    FLAT,
    /** ZPOPMIN/ZPOPMAX with a count in RESP3: [[member, score], ...]. */
    NESTED,
    /** BZPOPMIN/BZPOPMAX: [key, member, score]. */
    KEY_FLAT,
    /** ZMPOP/BZMPOP: [key, [[member, score], ...]]. */
    KEY_NESTED
  }

  /** ZPOPMIN key [count]; ZPOPMAX key [count] */
  static void zpop(CommandContext ctx, byte[][] argv, boolean max) {
    if (argv.length > 3) {
      throw new CommandException(Errors.SYNTAX);
    }
    long count = -1;
    if (argv.length == 3) {
      count = parseRangeLong(argv[2], 0, Long.MAX_VALUE, NOT_POSITIVE);
    }
    Shape shape = ctx.out().isResp3() && count != -1 ? Shape.NESTED : Shape.FLAT;
    Key key = Key.of(argv[1]);
    ZSetValue z = asZSet(ctx.db().lookupWrite(key, ctx.now()));
    if (z == null || count == 0) {
      ctx.out().emptyArray();
      return;
    }
    pop(ctx, key, z, max, count == -1 ? 1 : count, shape);
    ctx.propagate(argv);
  }

  /**
   * ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]; BZMPOP timeout numkeys key [key ...] MIN|MAX
   * [COUNT count]
   */
  static void zmpop(CommandContext ctx, byte[][] argv, boolean blocking) {
    int numkeysIdx = blocking ? 2 : 1;
    long numkeys = parseRangeLong(argv[numkeysIdx], 1, Long.MAX_VALUE, NUMKEYS);
    // Checked in two steps so that a huge numkeys cannot overflow the sum.
    long whereIdx = numkeys < argv.length ? numkeysIdx + numkeys + 1 : argv.length;
    if (whereIdx >= argv.length) {
      throw new CommandException(Errors.SYNTAX);
    }
    boolean max;
    if (Args.is(argv[(int) whereIdx], "MIN")) {
      max = false;
    } else if (Args.is(argv[(int) whereIdx], "MAX")) {
      max = true;
    } else {
      throw new CommandException(Errors.SYNTAX);
    }
    long count = -1;
    for (int j = (int) whereIdx + 1; j < argv.length; j++) {
      boolean more = j < argv.length - 1;
      if (count == -1 && Args.is(argv[j], "COUNT") && more) {
        j++;
        count = parseRangeLong(argv[j], 1, Long.MAX_VALUE, COUNT);
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    if (count == -1) {
      count = 1;
    }
    int first = numkeysIdx + 1;
    int n = (int) numkeys;
    if (blocking) {
      blockingPop(ctx, argv, first, n, 1, max, count, Shape.KEY_NESTED);
      return;
    }
    for (int i = first; i < first + n; i++) {
      Key key = Key.of(argv[i]);
      ZSetValue z = asZSet(ctx.db().lookupWrite(key, ctx.now()));
      if (z != null) {
        long taken = pop(ctx, key, z, max, count, Shape.KEY_NESTED);
        propagatePop(ctx, key, max, taken);
        return;
      }
    }
    ctx.out().nullArray();
  }

  /** BZPOPMIN key [key ...] timeout; BZPOPMAX key [key ...] timeout */
  static void bzpop(CommandContext ctx, byte[][] argv, boolean max) {
    blockingPop(ctx, argv, 1, argv.length - 2, argv.length - 1, max, -1, Shape.KEY_FLAT);
  }

  /**
   * Redis's blockingGenericZpopCommand: the timeout is read first; the first key holding a sorted
   * set is served at once; with none, the client blocks (or, where it may not block, gets the
   * timeout's null reply right away).
   */
  private static void blockingPop(
      CommandContext ctx,
      byte[][] argv,
      int firstKey,
      int numKeys,
      int timeoutIdx,
      boolean max,
      long count,
      Shape shape) {
    long deadline = BlockingTimeout.deadline(argv[timeoutIdx], ctx.now());
    for (int i = firstKey; i < firstKey + numKeys; i++) {
      Key key = Key.of(argv[i]);
      ZSetValue z = asZSet(ctx.db().lookupWrite(key, ctx.now()));
      if (z == null || z.size() == 0) {
        continue;
      }
      long taken = pop(ctx, key, z, max, count == -1 ? 1 : count, shape);
      propagatePop(ctx, key, max, count == -1 ? -1 : taken);
      return;
    }
    if (!ctx.mayBlock()) {
      ctx.out().nullArray();
      return;
    }
    Key[] keys = new Key[numKeys];
    for (int i = 0; i < numKeys; i++) {
      keys[i] = Key.of(argv[firstKey + i]);
    }
    ctx.block(keys, deadline, RespWriter::nullArray);
  }

  /** The effect of a pop: ZPOPMIN/ZPOPMAX key, with the count taken unless it is -1. */
  private static void propagatePop(CommandContext ctx, Key key, boolean max, long taken) {
    byte[] cmd = max ? ZPOPMAX : ZPOPMIN;
    if (taken == -1) {
      ctx.propagate(new byte[][] {cmd, key.bytes()});
    } else {
      ctx.propagate(new byte[][] {cmd, key.bytes(), StringValue.digits(taken)});
    }
  }

  /**
   * Pops up to {@code count} entries from the non-empty set {@code z} and writes the reply in
   * {@code shape}; raises zpopmin/zpopmax (and "del" when the set is emptied). Returns how many
   * were popped.
   */
  private static long pop(
      CommandContext ctx, Key key, ZSetValue z, boolean max, long count, Shape shape) {
    RespWriter out = ctx.out();
    int n = (int) Math.min(count, z.size());
    switch (shape) {
      case FLAT -> out.arrayHeader(n * 2);
      case NESTED -> out.arrayHeader(n);
      case KEY_FLAT -> {
        out.arrayHeader(n * 2 + 1);
        out.bulk(key.bytes());
      }
      case KEY_NESTED -> {
        out.arrayHeader(2);
        out.bulk(key.bytes());
        out.arrayHeader(n);
      }
    }
    boolean nested = shape == Shape.NESTED || shape == Shape.KEY_NESTED;
    for (int k = 0; k < n; k++) {
      ZSetValue.Cursor c = z.cursor(max ? z.size() - 1 : 0);
      byte[] member = c.member();
      double score = c.score();
      z.remove(member);
      if (k == 0) {
        ctx.notify(KeyspaceEvents.ZSET, max ? "zpopmax" : "zpopmin", key);
        ctx.modified(key);
      }
      if (nested) {
        out.arrayHeader(2);
      }
      out.bulk(member);
      out.doubleValue(score);
    }
    if (z.size() == 0) {
      ctx.db().remove(key);
      ctx.notify(KeyspaceEvents.GENERIC, "del", key);
    }
    return n;
  }
}
