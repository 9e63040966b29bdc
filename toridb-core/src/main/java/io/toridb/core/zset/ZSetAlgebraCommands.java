package io.toridb.core.zset;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.zset.ZSetCommands.read;
import static io.toridb.core.zset.ZSetCommands.write;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.core.zset.ZSetCommands.SetOp;
import io.toridb.protocol.RespWriter;
import java.util.Arrays;
import java.util.Comparator;

/**
 * ZUNION, ZINTER, ZDIFF, ZINTERCARD and ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, after Redis's
 * zunionInterDiffGenericCommand. Inputs may be sorted sets or plain sets (each member scoring 1,
 * through {@link SetOperand}); missing keys are empty inputs.
 *
 * <p>Floating point sums depend on the order of their terms, so the inputs are combined in Redis's
 * order: sorted by size (smallest first, ties in the given order) for union and intersection, as
 * given for difference.
 */
final class ZSetAlgebraCommands {
  private ZSetAlgebraCommands() {}

  static void register(CommandTable t) {
    String unionComplexity =
        "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M"
            + " being the number of elements in the resulting sorted set.";
    String interComplexity =
        "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the"
            + " number of input sorted sets and M being the number of elements in the resulting"
            + " sorted set.";
    String diffComplexity =
        "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets,"
            + " N is the size of the first set, and K is the size of the result set.";
    t.add(
        read("zunion", -3, 0)
            .keys(0, 0, 0)
            .keySpec(KeySpec.keyNum(1, 0, 1, 1, "RO", "access"))
            .doc("Add multiple sorted sets", "6.2.0", unionComplexity)
            .handler((ctx, argv) -> ZSetAlgebraCommands.run(ctx, argv, SetOp.UNION, false, false)));
    t.add(
        read("zinter", -3, 0)
            .keys(0, 0, 0)
            .keySpec(KeySpec.keyNum(1, 0, 1, 1, "RO", "access"))
            .doc("Intersect multiple sorted sets", "6.2.0", interComplexity)
            .handler((ctx, argv) -> ZSetAlgebraCommands.run(ctx, argv, SetOp.INTER, false, false)));
    t.add(
        read("zintercard", -3, 0)
            .keys(0, 0, 0)
            .keySpec(KeySpec.keyNum(1, 0, 1, 1, "RO", "access"))
            .doc(
                "Intersect multiple sorted sets and return the cardinality of the result",
                "7.0.0",
                "O(N*K) worst case with N being the smallest input sorted set, K being the number"
                    + " of input sorted sets.")
            .handler((ctx, argv) -> ZSetAlgebraCommands.run(ctx, argv, SetOp.INTER, false, true)));
    t.add(
        read("zdiff", -3, 0)
            .keys(0, 0, 0)
            .keySpec(KeySpec.keyNum(1, 0, 1, 1, "RO", "access"))
            .doc("Subtract multiple sorted sets", "6.2.0", diffComplexity)
            .handler((ctx, argv) -> ZSetAlgebraCommands.run(ctx, argv, SetOp.DIFF, false, false)));
    t.add(
        storeCommand("zunionstore")
            .doc(
                "Add multiple sorted sets and store the resulting sorted set in a new key",
                "2.0.0",
                "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and"
                    + " M being the number of elements in the resulting sorted set.")
            .handler((ctx, argv) -> ZSetAlgebraCommands.run(ctx, argv, SetOp.UNION, true, false)));
    t.add(
        storeCommand("zinterstore")
            .doc(
                "Intersect multiple sorted sets and store the resulting sorted set in a new key",
                "2.0.0",
                interComplexity)
            .handler((ctx, argv) -> ZSetAlgebraCommands.run(ctx, argv, SetOp.INTER, true, false)));
    t.add(
        storeCommand("zdiffstore")
            .doc(
                "Subtract multiple sorted sets and store the resulting sorted set in a new key",
                "6.2.0",
                diffComplexity)
            .handler((ctx, argv) -> ZSetAlgebraCommands.run(ctx, argv, SetOp.DIFF, true, false)));
  }

  private static CommandSpec.Builder storeCommand(String name) {
    return write(name, -4, DENYOOM)
        .keys(1, 1, 1)
        .keySpec(KeySpec.range(1, 0, 1, "OW", "update"))
        .keySpec(KeySpec.keyNum(2, 0, 1, 1, "RO", "access"));
  }

  static final String WEIGHT_NOT_FLOAT = "ERR weight value is not a float";
  static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

  private enum Aggregate {
    SUM,
    MIN,
    MAX
  }

  /** One input: a sorted set, a set, or nothing (a missing key), with its weight. */
  private static final class Operand {
    final StoredValue value;
    final ZSetValue zset;
    final SetOperand set;
    double weight = 1;

    Operand(StoredValue value) {
      this.value = value;
      if (value == null) {
        zset = null;
        set = null;
      } else if (value instanceof ZSetValue z) {
        zset = z;
        set = null;
      } else if (value instanceof SetOperand s) {
        zset = null;
        set = s;
      } else {
        throw new IllegalStateException("a set value that is not a SetOperand: " + value);
      }
    }

    int size() {
      return zset != null ? zset.size() : set != null ? set.size() : 0;
    }

    /** The member's score in this input, or NaN when absent. */
    double find(byte[] member) {
      if (zset != null) {
        return zset.score(member);
      }
      return set != null && set.contains(member) ? 1.0 : Double.NaN;
    }

    /** Every entry, a sorted set's from the highest down, as Redis's zuiNext reads them. */
    void forEach(ZSetValue.EntryVisitor visitor) {
      if (zset != null) {
        zset.forEachDescending(visitor);
      } else if (set != null) {
        set.forEach(m -> visitor.accept(m, 1.0));
      }
    }
  }

  /**
   * ZUNION/ZINTER/ZDIFF numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES];
   * the STORE forms take a destination first; ZINTERCARD numkeys key [key ...] [LIMIT limit].
   */
  static void run(
      CommandContext ctx, byte[][] argv, SetOp op, boolean store, boolean cardinalityOnly) {
    int numkeysIdx = store ? 2 : 1;
    long setnum = Args.parseLong(argv[numkeysIdx]);
    if (setnum < 1) {
      throw new CommandException(
          "ERR at least 1 input key is needed for '"
              + Args.latin1(argv[0]).toLowerCase(java.util.Locale.ROOT)
              + "' command");
    }
    if (setnum > argv.length - (numkeysIdx + 1)) {
      throw new CommandException(Errors.SYNTAX);
    }
    int n = (int) setnum;
    Operand[] src = new Operand[n];
    int j = numkeysIdx + 1;
    for (int i = 0; i < n; i++, j++) {
      StoredValue v = ctx.db().lookupRead(Key.of(argv[j]), ctx.now());
      if (v != null && v.type() != ValueType.ZSET && v.type() != ValueType.SET) {
        throw new CommandException(Errors.WRONGTYPE);
      }
      src[i] = new Operand(v);
    }
    Aggregate aggregate = Aggregate.SUM;
    boolean withScores = false;
    long limit = 0;
    int remaining = argv.length - j;
    while (remaining > 0) {
      byte[] opt = argv[j];
      if (op != SetOp.DIFF
          && !cardinalityOnly
          && remaining >= setnum + 1
          && Args.is(opt, "WEIGHTS")) {
        j++;
        remaining--;
        for (int i = 0; i < n; i++, j++, remaining--) {
          src[i].weight = ZSetCommands.parseScore(argv[j], WEIGHT_NOT_FLOAT);
        }
      } else if (op != SetOp.DIFF
          && !cardinalityOnly
          && remaining >= 2
          && Args.is(opt, "AGGREGATE")) {
        byte[] which = argv[j + 1];
        if (Args.is(which, "SUM")) {
          aggregate = Aggregate.SUM;
        } else if (Args.is(which, "MIN")) {
          aggregate = Aggregate.MIN;
        } else if (Args.is(which, "MAX")) {
          aggregate = Aggregate.MAX;
        } else {
          throw new CommandException(Errors.SYNTAX);
        }
        j += 2;
        remaining -= 2;
      } else if (!store && !cardinalityOnly && Args.is(opt, "WITHSCORES")) {
        j++;
        remaining--;
        withScores = true;
      } else if (cardinalityOnly && remaining >= 2 && Args.is(opt, "LIMIT")) {
        limit = ZSetCommands.parseRangeLong(argv[j + 1], 0, Long.MAX_VALUE, LIMIT_NEGATIVE);
        j += 2;
        remaining -= 2;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    if (op != SetOp.DIFF) {
      // A stable sort, smallest input first.
      Arrays.sort(src, Comparator.comparingInt(Operand::size));
    }
    if (cardinalityOnly) {
      long card = intersectionSize(src);
      ctx.out().integer(limit > 0 ? Math.min(card, limit) : card);
      return;
    }
    MemberIndex result = new MemberIndex(0);
    switch (op) {
      case INTER -> intersect(src, aggregate, result);
      case UNION -> union(src, aggregate, result);
      default -> difference(src, result);
    }
    ZSetValue z = ZSetValue.ofIndex(result);
    if (store) {
      store(ctx, argv, Key.of(argv[1]), z, op);
      return;
    }
    RespWriter out = ctx.out();
    ZSetCommands.writeEntriesHeader(out, z.size(), withScores);
    if (z.size() > 0) {
      for (ZSetValue.Cursor c = z.cursor(0); c.valid(); c.next()) {
        ZSetCommands.writeEntry(out, c.member(), c.score(), withScores);
      }
    }
  }

  /** Redis's zunionInterAggregate: a NaN sum (inf + -inf) counts as 0. */
  private static double aggregate(double target, double value, Aggregate how) {
    return switch (how) {
      case SUM -> {
        double sum = target + value;
        yield Double.isNaN(sum) ? 0.0 : sum;
      }
      case MIN -> value < target ? value : target;
      case MAX -> value > target ? value : target;
    };
  }

  /** Members of the first (smallest) input present in all the others, with combined scores. */
  private static void intersect(Operand[] src, Aggregate how, MemberIndex result) {
    if (src[0].size() == 0) {
      return;
    }
    src[0].forEach(
        (m, s) -> {
          double score = src[0].weight * s;
          if (Double.isNaN(score)) {
            score = 0;
          }
          for (int j = 1; j < src.length; j++) {
            double value;
            if (src[j].value == src[0].value) {
              value = s * src[j].weight;
            } else {
              value = src[j].find(m);
              if (Double.isNaN(value)) {
                return;
              }
              value *= src[j].weight;
            }
            score = aggregate(score, value, how);
          }
          result.put(m, score);
        });
  }

  private static long intersectionSize(Operand[] src) {
    if (src[0].size() == 0) {
      return 0;
    }
    long[] card = {0};
    src[0].forEach(
        (m, s) -> {
          for (int j = 1; j < src.length; j++) {
            if (src[j].value != src[0].value && Double.isNaN(src[j].find(m))) {
              return;
            }
          }
          card[0]++;
        });
    return card[0];
  }

  private static void union(Operand[] src, Aggregate how, MemberIndex result) {
    for (Operand o : src) {
      o.forEach(
          (m, s) -> {
            double score = o.weight * s;
            if (Double.isNaN(score)) {
              score = 0;
            }
            double existing = result.get(m);
            result.put(m, Double.isNaN(existing) ? score : aggregate(existing, score, how));
          });
    }
  }

  /** Members of the first input in none of the others (any input being the first: none). */
  private static void difference(Operand[] src, MemberIndex result) {
    if (src[0].size() == 0) {
      return;
    }
    for (int j = 1; j < src.length; j++) {
      if (src[j].value == src[0].value) {
        return;
      }
    }
    src[0].forEach(
        (m, s) -> {
          for (int j = 1; j < src.length; j++) {
            if (!Double.isNaN(src[j].find(m))) {
              return;
            }
          }
          result.put(m, s);
        });
  }

  private static void store(CommandContext ctx, byte[][] argv, Key dst, ZSetValue z, SetOp op) {
    if (z.size() == 0) {
      ctx.out().integer(0);
      ctx.deleteForEmptyResult(dst, argv);
      return;
    }
    z.packIfFits(ZSetLimits.of(ctx));
    z.touch(ctx.now());
    ctx.db().put(dst, z);
    ctx.out().integer(z.size());
    ctx.modified(dst);
    String event =
        switch (op) {
          case UNION -> "zunionstore";
          case INTER -> "zinterstore";
          case DIFF -> "zdiffstore";
        };
    ctx.notify(KeyspaceEvents.ZSET, event, dst);
    ctx.propagate(argv);
  }
}
