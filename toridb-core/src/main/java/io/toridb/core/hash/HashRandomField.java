package io.toridb.core.hash;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.Errors;
import io.toridb.protocol.RespWriter;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * HRANDFIELD, with the cases of Redis's hrandfieldWithCountCommand: a negative count samples with
 * repetition; a count at least the hash's size returns the whole hash; a count above a third of the
 * size picks a uniform subset by partial shuffle; a smaller one samples the listpack in order
 * (selection sampling) or draws random hash-table slots until enough distinct fields are found.
 * With WITHVALUES a RESP3 reply holds one [field, value] array per pair, RESP2 a flat array.
 */
final class HashRandomField {
  private HashRandomField() {}

  static final String OUT_OF_RANGE = "ERR value is out of range";
  static final String COUNT_OUT_OF_RANGE =
      "ERR value is out of range, value must between -9223372036854775807 and"
          + " 9223372036854775807";

  /**
   * Largest reply ToriDB builds for a negative count. Redis has no limit short of memory; a reply
   * this long would not fit any client anyway.
   */
  static final long MAX_REPLY_ELEMENTS = 100_000_000;

  /** A third: below it, picking random fields beats removing random ones from a copy. */
  private static final int SUB_STRATEGY_MUL = 3;

  /** HRANDFIELD key [count [WITHVALUES]] */
  static void hrandfield(CommandContext ctx, byte[][] argv) {
    if (argv.length >= 3) {
      long count = Args.parseLong(argv[2]);
      if (count < -Long.MAX_VALUE) {
        throw new CommandException(COUNT_OUT_OF_RANGE);
      }
      boolean withValues = false;
      if (argv.length > 4 || (argv.length == 4 && !Args.is(argv[3], "WITHVALUES"))) {
        throw new CommandException(Errors.SYNTAX);
      } else if (argv.length == 4) {
        withValues = true;
        if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
          throw new CommandException(OUT_OF_RANGE);
        }
      }
      withCount(ctx, argv[1], count, withValues);
      return;
    }
    HashValue h = HashCommands.readHash(ctx, argv[1]);
    if (h == null) {
      ctx.out().nullBulk();
      return;
    }
    Pairs pairs = h.pairs();
    HashCommands.writeField(ctx.out(), pairs, pairs.randomPosition(ThreadLocalRandom.current()));
  }

  private static void withCount(CommandContext ctx, byte[] key, long l, boolean withValues) {
    HashValue h = HashCommands.readHash(ctx, key);
    RespWriter out = ctx.out();
    if (h == null || l == 0) {
      out.emptyArray();
      return;
    }
    Pairs pairs = h.pairs();
    int size = h.size();
    boolean pairReplies = withValues && out.isResp3();
    long count = Math.abs(l);
    ThreadLocalRandom random = ThreadLocalRandom.current();

    // Case 1: repetitions allowed (or one field), each pick independent and in random order.
    if (l < 0 || count == 1) {
      long elements = withValues && !pairReplies ? count * 2 : count;
      if (elements > MAX_REPLY_ELEMENTS) {
        throw new CommandException(OUT_OF_RANGE);
      }
      out.arrayHeader((int) elements);
      int[] all = pairs instanceof PackedPairs ? pairs.positions() : null;
      for (long i = 0; i < count; i++) {
        int pos = all != null ? all[random.nextInt(all.length)] : pairs.randomPosition(random);
        write(out, pairs, pos, withValues, pairReplies);
      }
      return;
    }

    // Case 2: the whole hash.
    if (count >= size) {
      out.arrayHeader(withValues && !pairReplies ? size * 2 : size);
      for (int p = pairs.first(); p >= 0; p = pairs.next(p)) {
        write(out, pairs, p, withValues, pairReplies);
      }
      return;
    }

    int n = (int) count;
    out.arrayHeader(withValues && !pairReplies ? n * 2 : n);
    if (count * SUB_STRATEGY_MUL > size) {
      // Case 3: a uniform subset by partial Fisher-Yates shuffle of all positions.
      int[] all = pairs.positions();
      for (int i = 0; i < n; i++) {
        int j = i + random.nextInt(size - i);
        int t = all[i];
        all[i] = all[j];
        all[j] = t;
        write(out, pairs, all[i], withValues, pairReplies);
      }
    } else if (pairs instanceof PackedPairs) {
      // Case 4, listpack: one pass, each field taken with probability wanted / left to visit.
      int remaining = n;
      int left = size;
      for (int p = pairs.first(); p >= 0 && remaining > 0; p = pairs.next(p), left--) {
        if (random.nextInt(left) < remaining) {
          write(out, pairs, p, withValues, pairReplies);
          remaining--;
        }
      }
    } else {
      // Case 4, hash table: random slots until enough distinct ones.
      Set<Integer> seen = new HashSet<>();
      while (seen.size() < n) {
        int pos = pairs.randomPosition(random);
        if (seen.add(pos)) {
          write(out, pairs, pos, withValues, pairReplies);
        }
      }
    }
  }

  private static void write(
      RespWriter out, Pairs pairs, int pos, boolean withValues, boolean pairReplies) {
    if (pairReplies) {
      out.arrayHeader(2);
    }
    HashCommands.writeField(out, pairs, pos);
    if (withValues) {
      HashCommands.writeValue(out, pairs, pos);
    }
  }
}
