package io.toridb.core.set;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.Errors;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SPOP and SRANDMEMBER, with the strategies of Redis 7.0's t_set.c for each range of count, so that
 * the distribution of the answers, the encoding left behind and the effects match Redis's.
 */
final class SetRandomCommands {
  private SetRandomCommands() {}

  /**
   * SPOP with a count below the set's size picks the members to pop one by one while at least a
   * fifth as many remain as are popped; beyond that it picks the members to keep instead.
   */
  private static final int SPOP_MOVE_STRATEGY_MUL = 5;

  /** SRANDMEMBER removes random members from a copy when the count exceeds a third of the set. */
  private static final int SRANDMEMBER_SUB_STRATEGY_MUL = 3;

  /** Members per propagated SREM when SPOP with a count pops many (as Redis 7.2 batches them). */
  static final int SREM_BATCH = 1024;

  static final String COUNT_NOT_POSITIVE = Errors.NOT_POSITIVE;
  static final String COUNT_OUT_OF_RANGE =
      "ERR value is out of range, value must between -9223372036854775807 and"
          + " 9223372036854775807";

  /** A reply longer than this cannot be written; Redis would run out of memory trying. */
  static final String COUNT_TOO_LARGE = "ERR count is too large for a reply";

  private static final byte[] SREM = Args.bytes("SREM");
  private static final byte[] DEL = Args.bytes("DEL");

  // ---------------------------------------------------------------------------------------------
  // SPOP

  /** SPOP key [count] */
  static void spop(CommandContext ctx, byte[][] argv) {
    if (argv.length == 3) {
      spopWithCount(ctx, argv);
      return;
    }
    if (argv.length > 3) {
      throw new CommandException(Errors.SYNTAX);
    }
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    SetValue set = SetCommands.asSet(db.lookupWrite(key, ctx.now()));
    if (set == null) {
      ctx.out().nullBulk();
      return;
    }
    byte[] member = set.removeRandom(ThreadLocalRandom.current());
    ctx.notify(KeyspaceEvents.SET, "spop", key);
    ctx.propagate(new byte[][] {SREM, argv[1], member});
    ctx.out().bulk(member);
    if (set.size() == 0) {
      db.remove(key);
      ctx.notify(KeyspaceEvents.GENERIC, "del", key);
    }
    SetCommands.modified(ctx, key, 1);
  }

  /** SPOP key count */
  private static void spopWithCount(CommandContext ctx, byte[][] argv) {
    long count = Args.parseLongOr(argv[2], -1);
    if (count < 0) {
      // Redis gives the range message for anything that is not a non-negative integer.
      throw new CommandException(COUNT_NOT_POSITIVE);
    }
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    StoredValue old = db.lookupWrite(key, ctx.now());
    SetValue set = SetCommands.asSet(old);
    RespWriter out = ctx.out();
    if (set == null || count == 0) {
      out.setHeader(0);
      return;
    }
    int size = set.size();
    ctx.notify(KeyspaceEvents.SET, "spop", key);

    if (count >= size) {
      // Everything goes: the reply is the whole set, the effect a DEL.
      SetValue all = SetAlgebraCommands.union(List.of(set), SetCommands.maxIntsetEntries(ctx));
      SetCommands.replyMembers(out, members(all));
      db.remove(key);
      ctx.notify(KeyspaceEvents.GENERIC, "del", key);
      ctx.propagate(new byte[][] {DEL, argv[1]});
      SetCommands.modified(ctx, key, size);
      return;
    }

    Random random = ThreadLocalRandom.current();
    int popCount = (int) count;
    int remaining = size - popCount;
    SremBatches effects = new SremBatches(ctx, argv[1], popCount);
    out.setHeader(popCount);
    if ((long) remaining * SPOP_MOVE_STRATEGY_MUL > count) {
      for (int i = 0; i < popCount; i++) {
        byte[] member = set.removeRandom(random);
        out.bulk(member);
        effects.add(member);
      }
    } else {
      // Move the members that stay into a new set; what is left of the old one is popped.
      long maxIntset = SetCommands.maxIntsetEntries(ctx);
      SetValue kept = null;
      for (int i = 0; i < remaining; i++) {
        byte[] member = set.removeRandom(random);
        if (kept == null) {
          kept = SetValue.forMember(member);
        }
        kept.add(member, maxIntset);
      }
      set.forEach(
          member -> {
            out.bulk(member);
            effects.add(member);
          });
      // The new set replaces the old one under the same key and keeps its expiry.
      if (old.hasExpiry()) {
        db.setExpire(key, kept, old.expireAt());
      }
      db.put(key, kept);
    }
    effects.flush();
    SetCommands.modified(ctx, key, popCount);
  }

  /** Collects popped members into SREM effects of at most {@link #SREM_BATCH} members each. */
  private static final class SremBatches {
    private final CommandContext ctx;
    private final byte[] key;
    private int left;
    private byte[][] argv;
    private int n;

    SremBatches(CommandContext ctx, byte[] key, int total) {
      this.ctx = ctx;
      this.key = key;
      this.left = total;
    }

    void add(byte[] member) {
      if (argv == null) {
        argv = new byte[2 + Math.min(left, SREM_BATCH)][];
        argv[0] = SREM;
        argv[1] = key;
        n = 2;
      }
      argv[n++] = member;
      left--;
      if (n == argv.length) {
        flush();
      }
    }

    void flush() {
      if (argv != null) {
        ctx.propagate(n == argv.length ? argv : java.util.Arrays.copyOf(argv, n));
        argv = null;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // SRANDMEMBER

  /** SRANDMEMBER key [count] */
  static void srandmember(CommandContext ctx, byte[][] argv) {
    if (argv.length == 3) {
      srandmemberWithCount(ctx, argv);
      return;
    }
    if (argv.length > 3) {
      throw new CommandException(Errors.SYNTAX);
    }
    SetValue set = SetCommands.asSet(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    if (set == null) {
      ctx.out().nullBulk();
    } else {
      ctx.out().bulk(set.random(ThreadLocalRandom.current()));
    }
  }

  /** SRANDMEMBER key count */
  private static void srandmemberWithCount(CommandContext ctx, byte[][] argv) {
    long l = Args.parseLong(argv[2]);
    if (l == Long.MIN_VALUE) {
      throw new CommandException(COUNT_OUT_OF_RANGE);
    }
    boolean unique = l >= 0;
    long count = Math.abs(l);
    SetValue set = SetCommands.asSet(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    RespWriter out = ctx.out();
    if (set == null || count == 0) {
      out.emptyArray();
      return;
    }
    int size = set.size();
    Random random = ThreadLocalRandom.current();

    // Case 1: repetitions allowed (or one member): sample the whole set each time.
    if (!unique || count == 1) {
      if (count > Integer.MAX_VALUE - 8) {
        throw new CommandException(COUNT_TOO_LARGE);
      }
      out.arrayHeader((int) count);
      for (long i = 0; i < count; i++) {
        out.bulk(set.random(random));
      }
      return;
    }

    // Case 2: at least as many as there are: the whole set.
    if (count >= size) {
      out.arrayHeader(size);
      set.forEach(out::bulk);
      return;
    }

    MemberTable picked;
    if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
      // Case 3: copy the set, then drop random members until count are left.
      picked = new MemberTable(size);
      set.forEach(picked::addNew);
      while (picked.size() > count) {
        picked.removeRandom(random);
      }
    } else {
      // Case 4: draw random members until count distinct ones were drawn.
      picked = new MemberTable((int) count);
      while (picked.size() < count) {
        picked.add(set.random(random));
      }
    }
    out.arrayHeader(picked.size());
    picked.forEach(out::bulk);
  }

  /** The members of {@code set} in its iteration order. */
  static List<byte[]> members(SetValue set) {
    List<byte[]> out = new ArrayList<>(set.size());
    set.forEach(out::add);
    return out;
  }
}
