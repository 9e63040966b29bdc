package io.toridb.core.zset;

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
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.ScanCursor;
import io.toridb.core.keyspace.ScanOptions;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.protocol.DoubleFormat;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sorted set commands, Redis 7.0's sorted-set family. This class holds the command table rows of
 * the whole family, the single-member commands (ZADD, ZINCRBY, ZREM, ZSCORE, ZMSCORE, ZRANK, ...),
 * ZRANDMEMBER and ZSCAN. Ranges are in {@link ZRangeCommands}, pops in {@link ZPopCommands}, set
 * algebra in {@link ZSetAlgebraCommands}.
 */
public final class ZSetCommands {
  private ZSetCommands() {}

  static final String NAN_SCORE = "ERR resulting score is not a number (NaN)";
  static final String XX_AND_NX = "ERR XX and NX options at the same time are not compatible";
  static final String GT_LT_NX =
      "ERR GT, LT, and/or NX options at the same time are not compatible";
  static final String INCR_PAIRS = "ERR INCR option supports a single increment-element pair";
  static final String OUT_OF_RANGE = "ERR value is out of range";

  private static final byte[] EMPTY_SCAN = Args.bytes("*2\r\n$1\r\n0\r\n*0\r\n");

  public static void register(CommandTable t) {
    t.add(
        write("zadd", -4, DENYOOM | FAST)
            .keys(1, 1, 1)
            .doc(
                "Add one or more members to a sorted set, or update its score if it already exists",
                "1.2.0",
                "O(log(N)) for each item added, where N is the number of elements in the sorted"
                    + " set.")
            .handler((ctx, argv) -> add(ctx, argv, 0)));
    t.add(
        write("zincrby", 4, DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .doc(
                "Increment the score of a member in a sorted set",
                "1.2.0",
                "O(log(N)) where N is the number of elements in the sorted set.")
            .handler((ctx, argv) -> add(ctx, argv, ZSetValue.IN_INCR)));
    t.add(
        write("zrem", -3, FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "delete")
            .doc(
                "Remove one or more members from a sorted set",
                "1.2.0",
                "O(M*log(N)) with N being the number of elements in the sorted set and M the number"
                    + " of elements to be removed.")
            .handler(ZSetCommands::zrem));
    t.add(
        read("zcard", 2, FAST)
            .keys(1, 1, 1)
            .keyFlags("RO")
            .doc("Get the number of members in a sorted set", "1.2.0", "O(1)")
            .handler(ZSetCommands::zcard));
    t.add(
        read("zscore", 3, FAST)
            .keys(1, 1, 1)
            .doc("Get the score associated with the given member in a sorted set", "1.2.0", "O(1)")
            .handler(ZSetCommands::zscore));
    t.add(
        read("zmscore", -3, FAST)
            .keys(1, 1, 1)
            .doc(
                "Get the score associated with the given members in a sorted set",
                "6.2.0",
                "O(N) where N is the number of members being requested.")
            .handler(ZSetCommands::zmscore));
    t.add(
        read("zrank", 3, FAST)
            .keys(1, 1, 1)
            .doc("Determine the index of a member in a sorted set", "2.0.0", "O(log(N))")
            .handler((ctx, argv) -> rank(ctx, argv, false)));
    t.add(
        read("zrevrank", 3, FAST)
            .keys(1, 1, 1)
            .doc(
                "Determine the index of a member in a sorted set, with scores ordered from high to low",
                "2.0.0",
                "O(log(N))")
            .handler((ctx, argv) -> rank(ctx, argv, true)));
    t.add(
        read("zrandmember", -2, 0)
            .keys(1, 1, 1)
            .tips("nondeterministic_output")
            .doc(
                "Get one or multiple random elements from a sorted set",
                "6.2.0",
                "O(N) where N is the number of elements returned")
            .handler(ZSetCommands::zrandmember));
    t.add(
        read("zscan", -3, 0)
            .keys(1, 1, 1)
            .tips("nondeterministic_output")
            .doc(
                "Incrementally iterate sorted sets elements and associated scores",
                "2.8.0",
                "O(1) for every call. O(N) for a complete iteration, including enough command"
                    + " calls for the cursor to return back to 0. N is the number of elements"
                    + " inside the collection..")
            .handler(ZSetCommands::zscan));
    ZRangeCommands.register(t);
    ZPopCommands.register(t);
    ZSetAlgebraCommands.register(t);
  }

  /** A table row of this family for a command that writes. */
  static CommandSpec.Builder write(String name, int arity, int flags) {
    return CommandSpec.builder(name, arity).flags(WRITE | flags).group("sorted_set");
  }

  /** A table row of this family for a command that only reads. */
  static CommandSpec.Builder read(String name, int arity, int flags) {
    return CommandSpec.builder(name, arity).flags(READONLY | flags).group("sorted_set");
  }

  /** The set operations ZUNION, ZINTER and ZDIFF (and their STORE forms) compute. */
  enum SetOp {
    UNION,
    INTER,
    DIFF
  }

  // ---------------------------------------------------------------------------------------------
  // Shared helpers

  /** The value as a sorted set, or WRONGTYPE; null stays null. */
  static ZSetValue asZSet(StoredValue v) {
    return StoredValue.as(v, ZSetValue.class);
  }

  /** The sorted set at {@code key} looked up for reading (hit/miss counted), null if missing. */
  static ZSetValue readZSet(CommandContext ctx, Key key) {
    return asZSet(ctx.db().lookupRead(key, ctx.now()));
  }

  /** The sorted set at {@code key} looked up for writing, null if missing. */
  static ZSetValue writeZSet(CommandContext ctx, Key key) {
    return asZSet(ctx.db().lookupWrite(key, ctx.now()));
  }

  /**
   * After members were removed: deletes the key if the set is now empty, raising "del" after the
   * command's own event as Redis does. Returns whether the key was deleted.
   */
  static boolean removeIfEmpty(CommandContext ctx, Key key, ZSetValue z) {
    if (z.size() > 0) {
      return false;
    }
    ctx.db().remove(key);
    return true;
  }

  static void notifyRemoval(CommandContext ctx, Key key, String event, boolean keyRemoved) {
    ctx.notify(KeyspaceEvents.ZSET, event, key);
    if (keyRemoved) {
      ctx.notify(KeyspaceEvents.GENERIC, "del", key);
    }
  }

  /** Parses a score, increment or weight as Redis's getDoubleFromObjectOrReply. */
  static double parseScore(byte[] arg, String error) {
    double v = Strtod.string2d(arg);
    if (Double.isNaN(v)) {
      throw new CommandException(error);
    }
    return v;
  }

  /**
   * Parses a long in [min, max] as Redis's getRangeLongFromObjectOrReply: {@code error} (or the
   * generic texts when null) for a non-number and for a number out of range.
   */
  static long parseRangeLong(byte[] arg, long min, long max, String error) {
    long v = Args.parseLong(arg, error != null ? error : Errors.NOT_INTEGER);
    if (v < min || v > max) {
      throw new CommandException(
          error != null
              ? error
              : "ERR value is out of range, value must between " + min + " and " + max);
    }
    return v;
  }

  /** One entry of a range reply: a member, with its score when asked, nested as a pair in RESP3. */
  static void writeEntry(RespWriter out, byte[] member, double score, boolean withScores) {
    if (withScores && out.isResp3()) {
      out.arrayHeader(2);
    }
    out.bulk(member);
    if (withScores) {
      out.doubleValue(score);
    }
  }

  /** The array header of a range reply of {@code n} entries. */
  static void writeEntriesHeader(RespWriter out, long n, boolean withScores) {
    out.arrayHeader((int) (withScores && !out.isResp3() ? n * 2 : n));
  }

  // ---------------------------------------------------------------------------------------------
  // ZADD and ZINCRBY

  /**
   * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]; ZINCRBY key increment
   * member (which reads options the same way, so an option word there is a syntax error).
   */
  static void add(CommandContext ctx, byte[][] argv, int baseFlags) {
    int flags = baseFlags;
    boolean ch = false;
    int scoreIdx = 2;
    for (; scoreIdx < argv.length; scoreIdx++) {
      byte[] opt = argv[scoreIdx];
      if (Args.is(opt, "NX")) {
        flags |= ZSetValue.IN_NX;
      } else if (Args.is(opt, "XX")) {
        flags |= ZSetValue.IN_XX;
      } else if (Args.is(opt, "CH")) {
        ch = true;
      } else if (Args.is(opt, "INCR")) {
        flags |= ZSetValue.IN_INCR;
      } else if (Args.is(opt, "GT")) {
        flags |= ZSetValue.IN_GT;
      } else if (Args.is(opt, "LT")) {
        flags |= ZSetValue.IN_LT;
      } else {
        break;
      }
    }
    boolean incr = (flags & ZSetValue.IN_INCR) != 0;
    boolean nx = (flags & ZSetValue.IN_NX) != 0;
    boolean xx = (flags & ZSetValue.IN_XX) != 0;
    boolean gt = (flags & ZSetValue.IN_GT) != 0;
    boolean lt = (flags & ZSetValue.IN_LT) != 0;
    int elements = argv.length - scoreIdx;
    if (elements % 2 != 0 || elements == 0) {
      throw new CommandException(Errors.SYNTAX);
    }
    elements /= 2;
    if (nx && xx) {
      throw new CommandException(XX_AND_NX);
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
      throw new CommandException(GT_LT_NX);
    }
    if (incr && elements > 1) {
      throw new CommandException(INCR_PAIRS);
    }
    double[] scores = new double[elements];
    for (int j = 0; j < elements; j++) {
      scores[j] = parseScore(argv[scoreIdx + j * 2], Errors.NOT_FLOAT);
    }
    Key key = Key.of(argv[1]);
    ZSetValue z = writeZSet(ctx, key);
    int added = 0;
    int updated = 0;
    int processed = 0;
    double score = 0;
    if (z == null && !xx) {
      ZSetLimits limits = ZSetLimits.of(ctx);
      z = ZSetValue.forFirstMember(argv[scoreIdx + 1].length, limits);
      z.touch(ctx.now());
      ctx.db().put(key, z);
    }
    if (z != null) {
      ZSetLimits limits = ZSetLimits.of(ctx);
      ZSetValue.AddOutcome out = new ZSetValue.AddOutcome();
      for (int j = 0; j < elements; j++) {
        if (!z.add(scores[j], argv[scoreIdx + 1 + j * 2], flags, limits, out)) {
          signalAdd(ctx, argv, key, incr, added + updated);
          throw new CommandException(NAN_SCORE);
        }
        if ((out.flags & ZSetValue.OUT_ADDED) != 0) {
          added++;
        }
        if ((out.flags & ZSetValue.OUT_UPDATED) != 0) {
          updated++;
        }
        if ((out.flags & ZSetValue.OUT_NOP) == 0) {
          processed++;
          score = out.score;
        }
      }
    }
    if (incr) {
      if (processed > 0) {
        ctx.out().doubleValue(score);
      } else {
        ctx.out().nullBulk();
      }
    } else {
      ctx.out().integer(ch ? added + updated : added);
    }
    signalAdd(ctx, argv, key, incr, added + updated);
  }

  private static void signalAdd(
      CommandContext ctx, byte[][] argv, Key key, boolean incr, int changes) {
    if (changes > 0) {
      ctx.modified(key);
      // Redis counts every member added or updated as a change.
      ctx.server().stats().dirty.add(changes - 1);
      ctx.notify(KeyspaceEvents.ZSET, incr ? "zincr" : "zadd", key);
      ctx.propagate(argv);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Single-member reads and ZREM

  /** ZREM key member [member ...] */
  static void zrem(CommandContext ctx, byte[][] argv) {
    Key key = Key.of(argv[1]);
    ZSetValue z = writeZSet(ctx, key);
    if (z == null) {
      ctx.out().integer(0);
      return;
    }
    int deleted = 0;
    boolean keyRemoved = false;
    for (int j = 2; j < argv.length; j++) {
      if (z.remove(argv[j])) {
        deleted++;
      }
      if (removeIfEmpty(ctx, key, z)) {
        keyRemoved = true;
        break;
      }
    }
    if (deleted > 0) {
      notifyRemoval(ctx, key, "zrem", keyRemoved);
      ctx.modified(key);
      ctx.propagate(argv);
    }
    ctx.out().integer(deleted);
  }

  /** ZCARD key */
  static void zcard(CommandContext ctx, byte[][] argv) {
    ZSetValue z = readZSet(ctx, Key.of(argv[1]));
    ctx.out().integer(z == null ? 0 : z.size());
  }

  /** ZSCORE key member */
  static void zscore(CommandContext ctx, byte[][] argv) {
    ZSetValue z = readZSet(ctx, Key.of(argv[1]));
    double s = z == null ? Double.NaN : z.score(argv[2]);
    if (Double.isNaN(s)) {
      ctx.out().nullBulk();
    } else {
      ctx.out().doubleValue(s);
    }
  }

  /** ZMSCORE key member [member ...] */
  static void zmscore(CommandContext ctx, byte[][] argv) {
    ZSetValue z = readZSet(ctx, Key.of(argv[1]));
    RespWriter out = ctx.out();
    out.arrayHeader(argv.length - 2);
    for (int j = 2; j < argv.length; j++) {
      double s = z == null ? Double.NaN : z.score(argv[j]);
      if (Double.isNaN(s)) {
        out.nullBulk();
      } else {
        out.doubleValue(s);
      }
    }
  }

  /** ZRANK key member; ZREVRANK key member */
  static void rank(CommandContext ctx, byte[][] argv, boolean reverse) {
    ZSetValue z = readZSet(ctx, Key.of(argv[1]));
    long r = z == null ? -1 : z.rank(argv[2], reverse);
    if (r < 0) {
      ctx.out().nullBulk();
    } else {
      ctx.out().integer(r);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ZRANDMEMBER

  /** ZRANDMEMBER key [count [WITHSCORES]] */
  static void zrandmember(CommandContext ctx, byte[][] argv) {
    if (argv.length >= 3) {
      long l = parseRangeLong(argv[2], -Long.MAX_VALUE, Long.MAX_VALUE, null);
      boolean withScores = false;
      if (argv.length > 4 || (argv.length == 4 && !Args.is(argv[3], "WITHSCORES"))) {
        throw new CommandException(Errors.SYNTAX);
      } else if (argv.length == 4) {
        withScores = true;
        if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
          throw new CommandException(OUT_OF_RANGE);
        }
      }
      randomWithCount(ctx, argv, l, withScores);
      return;
    }
    ZSetValue z = readZSet(ctx, Key.of(argv[1]));
    if (z == null) {
      ctx.out().nullBulk();
      return;
    }
    ctx.out().bulk(z.cursor(ThreadLocalRandom.current().nextInt(z.size())).member());
  }

  /**
   * The cases of Redis's zrandmemberWithCountCommand: a negative count draws with repetition; a
   * count of at least the size returns the whole set (from the highest entry down, as Redis reads
   * it); otherwise distinct random entries.
   */
  private static void randomWithCount(
      CommandContext ctx, byte[][] argv, long l, boolean withScores) {
    ZSetValue z = readZSet(ctx, Key.of(argv[1]));
    RespWriter out = ctx.out();
    if (z == null) {
      out.emptyArray();
      return;
    }
    int size = z.size();
    boolean unique = l >= 0;
    long count = unique ? l : -l;
    if (count == 0) {
      out.emptyArray();
      return;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (!unique || count == 1) {
      // Redis streams such a reply; past 2^31 entries it could never be read anyway.
      if (count > Integer.MAX_VALUE / 2) {
        throw new CommandException(OUT_OF_RANGE);
      }
      writeEntriesHeader(out, count, withScores);
      for (long k = 0; k < count; k++) {
        ZSetValue.Cursor c = z.cursor(random.nextInt(size));
        writeEntry(out, c.member(), c.score(), withScores);
      }
      return;
    }
    if (count >= size) {
      writeEntriesHeader(out, size, withScores);
      z.forEachDescending((m, s) -> writeEntry(out, m, s, withScores));
      return;
    }
    int n = (int) count;
    int[] ranks = new int[n];
    if (count * 3 > size) {
      // Few entries left out: shuffle the first n of all ranks into place.
      int[] all = new int[size];
      for (int i = 0; i < size; i++) {
        all[i] = i;
      }
      for (int i = 0; i < n; i++) {
        int j = i + random.nextInt(size - i);
        int tmp = all[i];
        all[i] = all[j];
        all[j] = tmp;
        ranks[i] = all[i];
      }
    } else {
      Set<Integer> seen = new HashSet<>();
      int k = 0;
      while (k < n) {
        int r = random.nextInt(size);
        if (seen.add(r)) {
          ranks[k++] = r;
        }
      }
      if (z.isPacked()) {
        java.util.Arrays.sort(ranks); // A listpack sample keeps the listpack's order.
      }
    }
    writeEntriesHeader(out, n, withScores);
    for (int r : ranks) {
      ZSetValue.Cursor c = z.cursor(r);
      writeEntry(out, c.member(), c.score(), withScores);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ZSCAN

  /** ZSCAN key cursor [MATCH pattern] [COUNT count] */
  static void zscan(CommandContext ctx, byte[][] argv) {
    long cursor = ScanCursor.parse(argv[2]);
    ZSetValue z = readZSet(ctx, Key.of(argv[1]));
    if (z == null) {
      ctx.out().raw(EMPTY_SCAN);
      return;
    }
    ScanOptions options = ScanOptions.parse(argv, 3, false);
    List<byte[]> items = new ArrayList<>();
    boolean packed = z.isPacked();
    long next =
        z.scan(
            cursor,
            options.count(),
            (m, s) -> {
              if (options.matches(m)) {
                items.add(m);
                String text = packed ? ZSetValue.listpackScoreText(s) : DoubleFormat.format(s);
                items.add(Args.bytes(text));
              }
            });
    RespWriter out = ctx.out();
    out.arrayHeader(2);
    out.bulk(Long.toUnsignedString(next));
    out.arrayHeader(items.size());
    for (byte[] item : items) {
      out.bulk(item);
    }
  }
}
