package io.toridb.core.list;

import static io.toridb.core.command.CommandFlag.BLOCKING;
import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.WRITE;
import static io.toridb.core.list.ListCommands.LMOVE;
import static io.toridb.core.list.ListCommands.LPOP;
import static io.toridb.core.list.ListCommands.RPOP;
import static io.toridb.core.list.ListCommands.RPOPLPUSH;
import static io.toridb.core.list.ListCommands.asList;
import static io.toridb.core.list.ListCommands.elementsRemoved;
import static io.toridb.core.list.ListCommands.keys;
import static io.toridb.core.list.ListCommands.move;
import static io.toridb.core.list.ListCommands.moveGeneric;
import static io.toridb.core.list.ListCommands.side;

import io.toridb.core.blocking.BlockingTimeout;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.protocol.RespWriter;

/**
 * The blocking list commands: BLPOP, BRPOP, BLMPOP, BLMOVE and BRPOPLPUSH (Redis's t_list.c).
 *
 * <p>Each parses its timeout where Redis does (relative to the other argument checks), then serves
 * at once, exactly as its non-blocking form, when a key holds a list; the effect handed to
 * propagation is that non-blocking form. Otherwise it parks the client through {@link
 * CommandContext#block}; when a key becomes ready the whole command runs again and either serves or
 * parks again. A timeout answers a null array, for BLMOVE and BRPOPLPUSH too, as Redis's
 * replyToBlockedClientTimedOut does. Where a client may not block (inside MULTI) the commands
 * answer as Redis does under CLIENT_DENY_BLOCKING: a null array from the pops, a null bulk string
 * from the moves.
 */
final class BlockingListCommands {
  private BlockingListCommands() {}

  static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("blpop", -3)
            .flags(WRITE | NOSCRIPT | BLOCKING)
            .keys(1, -2, 1)
            .keyFlags("RW", "access", "delete")
            .group("list")
            .doc(
                "Remove and get the first element in a list, or block until one is available",
                "2.0.0",
                "O(N) where N is the number of provided keys.")
            .handler((ctx, argv) -> blockingPop(ctx, argv, true)));
    t.add(
        CommandSpec.builder("brpop", -3)
            .flags(WRITE | NOSCRIPT | BLOCKING)
            .keys(1, -2, 1)
            .keyFlags("RW", "access", "delete")
            .group("list")
            .doc(
                "Remove and get the last element in a list, or block until one is available",
                "2.0.0",
                "O(N) where N is the number of provided keys.")
            .handler((ctx, argv) -> blockingPop(ctx, argv, false)));
    t.add(
        move("blmove", 6, WRITE | DENYOOM | NOSCRIPT | BLOCKING)
            .doc(
                "Pop an element from a list, push it to another list and return it; or block"
                    + " until one is available",
                "6.2.0",
                "O(1)")
            .handler(BlockingListCommands::blmove));
    t.add(
        move("brpoplpush", 4, WRITE | DENYOOM | NOSCRIPT | BLOCKING)
            .doc(
                "Pop an element from a list, push it to another list and return it; or block"
                    + " until one is available",
                "2.2.0",
                "O(1)")
            .handler(BlockingListCommands::brpoplpush));
    t.add(
        CommandSpec.builder("blmpop", -5)
            .flags(WRITE | BLOCKING)
            .keySpec(KeySpec.keyNum(2, 0, 1, 1, "RW", "access", "delete"))
            .group("list")
            .doc(
                "Pop elements from a list, or block until one is available",
                "7.0.0",
                "O(N+M) where N is the number of provided keys and M is the number of elements"
                    + " returned.")
            .handler(BlockingListCommands::blmpop));
  }

  /** BLPOP key [key ...] timeout, BRPOP key [key ...] timeout */
  static void blockingPop(CommandContext ctx, byte[][] argv, boolean head) {
    int timeoutAt = argv.length - 1;
    long deadline = BlockingTimeout.deadline(argv[timeoutAt], ctx.now());
    Database db = ctx.db();
    for (int j = 1; j < timeoutAt; j++) {
      Key key = Key.of(argv[j]);
      ListValue list = asList(db.lookupWrite(key, ctx.now()));
      if (list == null) {
        continue;
      }
      RespWriter out = ctx.out();
      out.arrayHeader(2);
      out.bulk(argv[j]);
      out.bulk(list.pop(head));
      elementsRemoved(ctx, key, list, head, 1);
      ctx.propagate(new byte[][] {head ? LPOP : RPOP, argv[j]});
      return;
    }
    if (!ctx.mayBlock()) {
      ctx.out().nullArray();
      return;
    }
    ctx.block(keys(argv, 1, timeoutAt), deadline, RespWriter::nullArray);
  }

  /** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
  static void blmpop(CommandContext ctx, byte[][] argv) {
    ListCommands.MultiPop pop = ListCommands.MultiPop.parse(argv, 2);
    long deadline = BlockingTimeout.deadline(argv[1], ctx.now());
    if (pop.popFirstList(ctx, argv)) {
      return;
    }
    if (!ctx.mayBlock()) {
      ctx.out().nullArray();
      return;
    }
    ctx.block(keys(argv, pop.firstKey(), pop.endKey()), deadline, RespWriter::nullArray);
  }

  /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
  static void blmove(CommandContext ctx, byte[][] argv) {
    boolean fromHead = side(argv[3]);
    boolean toHead = side(argv[4]);
    long deadline = BlockingTimeout.deadline(argv[5], ctx.now());
    byte[][] effect = {LMOVE, argv[1], argv[2], argv[3], argv[4]};
    blockingMove(ctx, argv, fromHead, toHead, deadline, effect);
  }

  /** BRPOPLPUSH source destination timeout */
  static void brpoplpush(CommandContext ctx, byte[][] argv) {
    long deadline = BlockingTimeout.deadline(argv[3], ctx.now());
    byte[][] effect = {RPOPLPUSH, argv[1], argv[2]};
    blockingMove(ctx, argv, false, true, deadline, effect);
  }

  private static void blockingMove(
      CommandContext ctx,
      byte[][] argv,
      boolean fromHead,
      boolean toHead,
      long deadline,
      byte[][] effect) {
    ListValue source = asList(ctx.db().lookupWrite(Key.of(argv[1]), ctx.now()));
    if (source != null) {
      moveGeneric(ctx, argv, fromHead, toHead, effect);
    } else if (!ctx.mayBlock()) {
      // Where it may not block (MULTI) Redis answers a null bulk string; a timeout after
      // blocking answers a null array.
      ctx.out().nullBulk();
    } else {
      ctx.block(new Key[] {Key.of(argv[1])}, deadline, RespWriter::nullArray);
    }
  }
}
