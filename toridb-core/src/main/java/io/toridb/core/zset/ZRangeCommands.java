package io.toridb.core.zset;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.zset.ZSetCommands.notifyRemoval;
import static io.toridb.core.zset.ZSetCommands.read;
import static io.toridb.core.zset.ZSetCommands.readZSet;
import static io.toridb.core.zset.ZSetCommands.removeIfEmpty;
import static io.toridb.core.zset.ZSetCommands.write;
import static io.toridb.core.zset.ZSetCommands.writeZSet;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Key;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.protocol.RespWriter;
import java.util.Arrays;

/**
 * The range commands of the sorted set family: ZRANGE and its older forms (ZREVRANGE,
 * Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX), ZRANGESTORE, ZCOUNT, ZLEXCOUNT and ZREMRANGEBY*. They
 * follow Redis's zrangeGenericCommand: options first, then the range, then the lookup.
 */
final class ZRangeCommands {
  private ZRangeCommands() {}

  static void register(CommandTable t) {
    String rangeComplexity =
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of"
            + " elements returned.";
    String limitedComplexity =
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of"
            + " elements being returned. If M is constant (e.g. always asking for the first 10"
            + " elements with LIMIT), you can consider it O(log(N)).";
    String removeComplexity =
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of"
            + " elements removed by the operation.";
    t.add(
        read("zrange", -4, 0)
            .keys(1, 1, 1)
            .doc("Return a range of members in a sorted set", "1.2.0", rangeComplexity)
            .handler(ZRangeCommands::zrange));
    t.add(
        read("zrevrange", -4, 0)
            .keys(1, 1, 1)
            .doc(
                "Return a range of members in a sorted set, by index, with scores ordered from high to low",
                "1.2.0",
                rangeComplexity)
            .handler(ZRangeCommands::zrevrange));
    t.add(
        read("zrangebyscore", -4, 0)
            .keys(1, 1, 1)
            .doc("Return a range of members in a sorted set, by score", "1.0.5", limitedComplexity)
            .handler(ZRangeCommands::zrangebyscore));
    t.add(
        read("zrevrangebyscore", -4, 0)
            .keys(1, 1, 1)
            .doc(
                "Return a range of members in a sorted set, by score, with scores ordered from high to low",
                "2.2.0",
                limitedComplexity)
            .handler(ZRangeCommands::zrevrangebyscore));
    t.add(
        read("zrangebylex", -4, 0)
            .keys(1, 1, 1)
            .doc(
                "Return a range of members in a sorted set, by lexicographical range",
                "2.8.9",
                limitedComplexity)
            .handler(ZRangeCommands::zrangebylex));
    t.add(
        read("zrevrangebylex", -4, 0)
            .keys(1, 1, 1)
            .doc(
                "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
                "2.8.9",
                limitedComplexity)
            .handler(ZRangeCommands::zrevrangebylex));
    t.add(
        write("zrangestore", -5, DENYOOM)
            .keys(1, 2, 1)
            .keySpec(KeySpec.range(1, 0, 1, "OW", "update"))
            .keySpec(KeySpec.range(2, 0, 1, "RO", "access"))
            .doc(
                "Store a range of members from sorted set into another key",
                "6.2.0",
                "O(log(N)+M) with N being the number of elements in the sorted set and M the number"
                    + " of elements stored into the destination key.")
            .handler(ZRangeCommands::zrangestore));
    t.add(
        read("zcount", 4, FAST)
            .keys(1, 1, 1)
            .doc(
                "Count the members in a sorted set with scores within the given values",
                "2.0.0",
                "O(log(N)) with N being the number of elements in the sorted set.")
            .handler(ZRangeCommands::zcount));
    t.add(
        read("zlexcount", 4, FAST)
            .keys(1, 1, 1)
            .doc(
                "Count the number of members in a sorted set between a given lexicographical range",
                "2.8.9",
                "O(log(N)) with N being the number of elements in the sorted set.")
            .handler(ZRangeCommands::zlexcount));
    t.add(
        write("zremrangebyrank", 4, 0)
            .keys(1, 1, 1)
            .keyFlags("RW", "delete")
            .doc(
                "Remove all members in a sorted set within the given indexes",
                "2.0.0",
                removeComplexity)
            .handler(ZRangeCommands::zremrangebyrank));
    t.add(
        write("zremrangebyscore", 4, 0)
            .keys(1, 1, 1)
            .keyFlags("RW", "delete")
            .doc(
                "Remove all members in a sorted set within the given scores",
                "1.2.0",
                removeComplexity)
            .handler(ZRangeCommands::zremrangebyscore));
    t.add(
        write("zremrangebylex", 4, 0)
            .keys(1, 1, 1)
            .keyFlags("RW", "delete")
            .doc(
                "Remove all members in a sorted set between the given lexicographical range",
                "2.8.9",
                removeComplexity)
            .handler(ZRangeCommands::zremrangebylex));
  }

  static final String LIMIT_NEEDS_BY =
      "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
  static final String WITHSCORES_BYLEX =
      "ERR syntax error, WITHSCORES not supported in combination with BYLEX";

  /** How a range is given. AUTO: not fixed by the command name, chosen by its options. */
  enum Kind {
    AUTO,
    RANK,
    SCORE,
    LEX
  }

  /** ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
  static void zrange(CommandContext ctx, byte[][] argv) {
    range(ctx, argv, 1, false, Kind.AUTO, null);
  }

  /** ZREVRANGE key start stop [WITHSCORES] */
  static void zrevrange(CommandContext ctx, byte[][] argv) {
    range(ctx, argv, 1, false, Kind.RANK, true);
  }

  /** ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
  static void zrangebyscore(CommandContext ctx, byte[][] argv) {
    range(ctx, argv, 1, false, Kind.SCORE, false);
  }

  /** ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
  static void zrevrangebyscore(CommandContext ctx, byte[][] argv) {
    range(ctx, argv, 1, false, Kind.SCORE, true);
  }

  /** ZRANGEBYLEX key min max [LIMIT offset count] */
  static void zrangebylex(CommandContext ctx, byte[][] argv) {
    range(ctx, argv, 1, false, Kind.LEX, false);
  }

  /** ZREVRANGEBYLEX key max min [LIMIT offset count] */
  static void zrevrangebylex(CommandContext ctx, byte[][] argv) {
    range(ctx, argv, 1, false, Kind.LEX, true);
  }

  /** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] */
  static void zrangestore(CommandContext ctx, byte[][] argv) {
    range(ctx, argv, 2, true, Kind.AUTO, null);
  }

  /** Entries gathered by a range query, in the order they are returned. */
  static final class EntryBuffer {
    byte[][] members = new byte[16][];
    double[] scores = new double[16];
    int size;

    void add(byte[] member, double score) {
      if (size == members.length) {
        members = Arrays.copyOf(members, size * 2);
        scores = Arrays.copyOf(scores, size * 2);
      }
      members[size] = member;
      scores[size] = score;
      size++;
    }
  }

  /**
   * Redis's zrangeGenericCommand. {@code keyIndex} is the source key's position; {@code reverse} is
   * null when the REV option decides.
   */
  private static void range(
      CommandContext ctx, byte[][] argv, int keyIndex, boolean store, Kind kind, Boolean reverse) {
    boolean withScores = false;
    long offset = 0;
    long limit = -1;
    for (int j = keyIndex + 3; j < argv.length; j++) {
      int left = argv.length - j - 1;
      if (!store && Args.is(argv[j], "WITHSCORES")) {
        withScores = true;
      } else if (Args.is(argv[j], "LIMIT") && left >= 2) {
        offset = Args.parseLong(argv[j + 1]);
        limit = Args.parseLong(argv[j + 2]);
        j += 2;
      } else if (reverse == null && Args.is(argv[j], "REV")) {
        reverse = true;
      } else if (kind == Kind.AUTO && Args.is(argv[j], "BYLEX")) {
        kind = Kind.LEX;
      } else if (kind == Kind.AUTO && Args.is(argv[j], "BYSCORE")) {
        kind = Kind.SCORE;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    boolean rev = reverse != null && reverse;
    if (kind == Kind.AUTO) {
      kind = Kind.RANK;
    }
    if (limit != -1 && kind == Kind.RANK) {
      throw new CommandException(LIMIT_NEEDS_BY);
    }
    if (withScores && kind == Kind.LEX) {
      throw new CommandException(WITHSCORES_BYLEX);
    }
    int minIdx = keyIndex + 1;
    int maxIdx = keyIndex + 2;
    if (rev && kind != Kind.RANK) {
      minIdx = keyIndex + 2;
      maxIdx = keyIndex + 1;
    }
    long start = 0;
    long end = 0;
    ScoreRange scores = null;
    LexRange lex = null;
    switch (kind) {
      case SCORE -> scores = ScoreRange.parse(argv[minIdx], argv[maxIdx]);
      case LEX -> lex = LexRange.parse(argv[minIdx], argv[maxIdx]);
      default -> {
        start = Args.parseLong(argv[minIdx]);
        end = Args.parseLong(argv[maxIdx]);
      }
    }
    ZSetValue z = readZSet(ctx, Key.of(argv[keyIndex]));
    if (z == null && !store) {
      ctx.out().emptyArray();
      return;
    }
    EntryBuffer result = new EntryBuffer();
    long knownLength = -1;
    if (z != null) {
      switch (kind) {
        case SCORE -> byScore(z, scores, offset, limit, rev, result);
        case LEX -> byLex(z, lex, offset, limit, rev, result);
        default -> knownLength = byRank(z, start, end, rev, result);
      }
    }
    if (store) {
      storeResult(ctx, argv, Key.of(argv[1]), result, knownLength);
    } else {
      RespWriter out = ctx.out();
      ZSetCommands.writeEntriesHeader(out, result.size, withScores);
      for (int i = 0; i < result.size; i++) {
        ZSetCommands.writeEntry(out, result.members[i], result.scores[i], withScores);
      }
    }
  }

  /** Gathers ranks start..end (Redis's negative indexes allowed); returns how many there were. */
  private static long byRank(ZSetValue z, long start, long end, boolean rev, EntryBuffer out) {
    long llen = z.size();
    if (start < 0) {
      start = llen + start;
    }
    if (end < 0) {
      end = llen + end;
    }
    if (start < 0) {
      start = 0;
    }
    if (start > end || start >= llen) {
      return 0;
    }
    if (end >= llen) {
      end = llen - 1;
    }
    long n = end - start + 1;
    ZSetValue.Cursor c = z.cursor((int) (rev ? llen - 1 - start : start));
    for (long k = 0; k < n; k++, c.move(rev)) {
      out.add(c.member(), c.score());
    }
    return n;
  }

  private static void byScore(
      ZSetValue z, ScoreRange range, long offset, long limit, boolean rev, EntryBuffer out) {
    int size = z.size();
    // A negative offset makes Redis walk past the end: nothing is returned.
    if (offset < 0 || (offset > 0 && offset >= size)) {
      return;
    }
    int first = rev ? z.lastInRange(range) : z.firstInRange(range);
    if (first < 0) {
      return;
    }
    long pos = rev ? first - offset : first + offset;
    if (pos < 0 || pos >= size) {
      return;
    }
    for (ZSetValue.Cursor c = z.cursor((int) pos); c.valid() && limit-- != 0; c.move(rev)) {
      double s = c.score();
      if (rev ? !range.aboveMin(s) : !range.belowMax(s)) {
        break;
      }
      out.add(c.member(), s);
    }
  }

  private static void byLex(
      ZSetValue z, LexRange range, long offset, long limit, boolean rev, EntryBuffer out) {
    int size = z.size();
    if (offset < 0) {
      return;
    }
    int first = rev ? z.lastInLexRange(range) : z.firstInLexRange(range);
    if (first < 0) {
      return;
    }
    long pos = rev ? first - offset : first + offset;
    if (pos < 0 || pos >= size) {
      return;
    }
    for (ZSetValue.Cursor c = z.cursor((int) pos); c.valid() && limit-- != 0; c.move(rev)) {
      byte[] m = c.member();
      if (rev ? !range.aboveMin(m) : !range.belowMax(m)) {
        break;
      }
      out.add(m, c.score());
    }
  }

  /**
   * ZRANGESTORE's result, built as Redis builds it: a skiplist when the rank range is known to be
   * longer than the listpack limit, otherwise a listpack that converts as entries are added.
   */
  private static void storeResult(
      CommandContext ctx, byte[][] argv, Key dst, EntryBuffer result, long knownLength) {
    if (result.size == 0) {
      ctx.out().integer(0);
      ctx.deleteForEmptyResult(dst, argv);
      return;
    }
    ZSetLimits limits = ZSetLimits.of(ctx);
    ZSetValue z =
        knownLength > limits.maxEntries() ? ZSetValue.ranked(result.size) : ZSetValue.packed();
    ZSetValue.AddOutcome outcome = new ZSetValue.AddOutcome();
    for (int i = 0; i < result.size; i++) {
      z.add(result.scores[i], result.members[i], 0, limits, outcome);
    }
    z.touch(ctx.now());
    ctx.db().put(dst, z);
    ctx.out().integer(result.size);
    ctx.modified(dst);
    ctx.notify(KeyspaceEvents.ZSET, "zrangestore", dst);
    ctx.propagate(argv);
  }

  // ---------------------------------------------------------------------------------------------
  // Counting

  /** ZCOUNT key min max */
  static void zcount(CommandContext ctx, byte[][] argv) {
    ScoreRange range = ScoreRange.parse(argv[2], argv[3]);
    ZSetValue z = readZSet(ctx, Key.of(argv[1]));
    if (z == null) {
      ctx.out().integer(0);
      return;
    }
    int first = z.firstInRange(range);
    if (first < 0) {
      ctx.out().integer(0);
      return;
    }
    int last = z.lastInRange(range);
    ctx.out().integer(last < 0 ? z.size() - first : last - first + 1);
  }

  /** ZLEXCOUNT key min max */
  static void zlexcount(CommandContext ctx, byte[][] argv) {
    LexRange range = LexRange.parse(argv[2], argv[3]);
    ZSetValue z = readZSet(ctx, Key.of(argv[1]));
    if (z == null) {
      ctx.out().integer(0);
      return;
    }
    int first = z.firstInLexRange(range);
    if (first < 0) {
      ctx.out().integer(0);
      return;
    }
    long count;
    if (z.isPacked()) {
      // Redis walks the listpack from the first match while members stay below the end.
      count = countForward(z, first, range);
    } else {
      int last = z.lastInLexRange(range);
      count = last < 0 ? z.size() - first : Math.max(0, last - first + 1);
    }
    ctx.out().integer(count);
  }

  private static int countForward(ZSetValue z, int first, LexRange range) {
    int count = 0;
    for (ZSetValue.Cursor c = z.cursor(first); c.valid() && range.belowMax(c.member()); c.next()) {
      count++;
    }
    return count;
  }

  // ---------------------------------------------------------------------------------------------
  // ZREMRANGEBY*

  /** ZREMRANGEBYRANK key start stop */
  static void zremrangebyrank(CommandContext ctx, byte[][] argv) {
    long start = Args.parseLong(argv[2]);
    long end = Args.parseLong(argv[3]);
    Key key = Key.of(argv[1]);
    ZSetValue z = writeZSet(ctx, key);
    if (z == null) {
      ctx.out().integer(0);
      return;
    }
    long llen = z.size();
    if (start < 0) {
      start = llen + start;
    }
    if (end < 0) {
      end = llen + end;
    }
    if (start < 0) {
      start = 0;
    }
    if (start > end || start >= llen) {
      ctx.out().integer(0);
      return;
    }
    if (end >= llen) {
      end = llen - 1;
    }
    removeRange(ctx, argv, key, z, (int) start, (int) (end - start + 1), "zremrangebyrank");
  }

  /** ZREMRANGEBYSCORE key min max */
  static void zremrangebyscore(CommandContext ctx, byte[][] argv) {
    ScoreRange range = ScoreRange.parse(argv[2], argv[3]);
    Key key = Key.of(argv[1]);
    ZSetValue z = writeZSet(ctx, key);
    if (z == null) {
      ctx.out().integer(0);
      return;
    }
    int first = z.firstInRange(range);
    int count = 0;
    if (first >= 0) {
      for (ZSetValue.Cursor c = z.cursor(first); c.valid() && range.belowMax(c.score()); c.next()) {
        count++;
      }
    }
    removeRange(ctx, argv, key, z, first, count, "zremrangebyscore");
  }

  /** ZREMRANGEBYLEX key min max */
  static void zremrangebylex(CommandContext ctx, byte[][] argv) {
    LexRange range = LexRange.parse(argv[2], argv[3]);
    Key key = Key.of(argv[1]);
    ZSetValue z = writeZSet(ctx, key);
    if (z == null) {
      ctx.out().integer(0);
      return;
    }
    int first = z.firstInLexRange(range);
    int count = first >= 0 ? countForward(z, first, range) : 0;
    removeRange(ctx, argv, key, z, first, count, "zremrangebylex");
  }

  private static void removeRange(
      CommandContext ctx, byte[][] argv, Key key, ZSetValue z, int first, int count, String event) {
    if (count > 0) {
      z.removeRange(first, count);
      boolean keyRemoved = removeIfEmpty(ctx, key, z);
      ctx.modified(key);
      notifyRemoval(ctx, key, event, keyRemoved);
      ctx.propagate(argv);
    }
    ctx.out().integer(count);
  }
}
