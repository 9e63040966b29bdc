package io.toridb.core.list;

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
import io.toridb.core.command.KeySpec;
import io.toridb.core.config.Config;
import io.toridb.core.config.Directive;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.protocol.RespWriter;

/**
 * List commands, Redis 7.0's list family: pushes and pops at both ends, access by index and by
 * value, LMOVE and the multi-key LMPOP. The blocking forms BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and
 * BLMPOP are in {@link BlockingListCommands}. The values are {@link ListValue}s.
 *
 * <p>Every handler follows t_list.c of Redis 7.0.15: the same order of argument checks, key lookups
 * and type checks (so the same error wins), the same keyspace events, and the same effect handed to
 * propagation (a blocking command that is served propagates as its non-blocking form).
 */
public final class ListCommands {
  private ListCommands() {}

  static final String RANK_ZERO =
      "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use"
          + " negative to start from the end of the list";
  static final String COUNT_NEGATIVE = "ERR COUNT can't be negative";
  static final String MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
  static final String NUMKEYS = "ERR numkeys should be greater than 0";
  static final String COUNT_POSITIVE = "ERR count should be greater than 0";

  static final byte[] LPOP = Args.bytes("LPOP");
  static final byte[] RPOP = Args.bytes("RPOP");
  static final byte[] LMOVE = Args.bytes("LMOVE");
  static final byte[] RPOPLPUSH = Args.bytes("RPOPLPUSH");

  public static void register(CommandTable t) {
    t.add(push("lpush", "Prepend one or multiple elements to a list", "1.0.0", true, false));
    t.add(push("rpush", "Append one or multiple elements to a list", "1.0.0", false, false));
    t.add(
        push(
            "lpushx",
            "Prepend an element to a list, only if the list exists",
            "2.2.0",
            true,
            true));
    t.add(
        push(
            "rpushx",
            "Append an element to a list, only if the list exists",
            "2.2.0",
            false,
            true));
    t.add(
        CommandSpec.builder("lpop", -2)
            .flags(WRITE | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "delete")
            .group("list")
            .doc(
                "Remove and get the first elements in a list",
                "1.0.0",
                "O(N) where N is the number of elements returned")
            .handler((ctx, argv) -> pop(ctx, argv, true)));
    t.add(
        CommandSpec.builder("rpop", -2)
            .flags(WRITE | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "delete")
            .group("list")
            .doc(
                "Remove and get the last elements in a list",
                "1.0.0",
                "O(N) where N is the number of elements returned")
            .handler((ctx, argv) -> pop(ctx, argv, false)));
    t.add(
        CommandSpec.builder("llen", 2)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO")
            .group("list")
            .doc("Get the length of a list", "1.0.0", "O(1)")
            .handler(ListCommands::llen));
    t.add(
        CommandSpec.builder("lrange", 4)
            .flags(READONLY)
            .keys(1, 1, 1)
            .group("list")
            .doc(
                "Get a range of elements from a list",
                "1.0.0",
                "O(S+N) where S is the distance of start offset from HEAD for small lists, from"
                    + " nearest end (HEAD or TAIL) for large lists; and N is the number of"
                    + " elements in the specified range.")
            .handler(ListCommands::lrange));
    t.add(
        CommandSpec.builder("lindex", 3)
            .flags(READONLY)
            .keys(1, 1, 1)
            .group("list")
            .doc(
                "Get an element from a list by its index",
                "1.0.0",
                "O(N) where N is the number of elements to traverse to get to the element at"
                    + " index. This makes asking for the first or the last element of the list"
                    + " O(1).")
            .handler(ListCommands::lindex));
    t.add(
        CommandSpec.builder("lset", 4)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keyFlags("RW", "update")
            .group("list")
            .doc(
                "Set the value of an element in a list by its index",
                "1.0.0",
                "O(N) where N is the length of the list. Setting either the first or the last"
                    + " element of the list is O(1).")
            .handler(ListCommands::lset));
    t.add(
        CommandSpec.builder("linsert", 5)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keyFlags("RW", "insert")
            .group("list")
            .doc(
                "Insert an element before or after another element in a list",
                "2.2.0",
                "O(N) where N is the number of elements to traverse before seeing the value"
                    + " pivot. This means that inserting somewhere on the left end on the list"
                    + " (head) can be considered O(1) and inserting somewhere on the right end"
                    + " (tail) is O(N).")
            .handler(ListCommands::linsert));
    t.add(
        CommandSpec.builder("lrem", 4)
            .flags(WRITE)
            .keys(1, 1, 1)
            .keyFlags("RW", "delete")
            .group("list")
            .doc(
                "Remove elements from a list",
                "1.0.0",
                "O(N+M) where N is the length of the list and M is the number of elements"
                    + " removed.")
            .handler(ListCommands::lrem));
    t.add(
        CommandSpec.builder("ltrim", 4)
            .flags(WRITE)
            .keys(1, 1, 1)
            .keyFlags("RW", "delete")
            .group("list")
            .doc(
                "Trim a list to the specified range",
                "1.0.0",
                "O(N) where N is the number of elements to be removed by the operation.")
            .handler(ListCommands::ltrim));
    t.add(
        CommandSpec.builder("lpos", -3)
            .flags(READONLY)
            .keys(1, 1, 1)
            .group("list")
            .doc(
                "Return the index of matching elements on a list",
                "6.0.6",
                "O(N) where N is the number of elements in the list, for the average case. When"
                    + " searching for elements near the head or the tail of the list, or when the"
                    + " MAXLEN option is provided, the command may run in constant time.")
            .handler(ListCommands::lpos));
    t.add(
        move("lmove", 5, WRITE | DENYOOM)
            .doc(
                "Pop an element from a list, push it to another list and return it",
                "6.2.0",
                "O(1)")
            .handler(ListCommands::lmove));
    t.add(
        move("rpoplpush", 3, WRITE | DENYOOM)
            .doc(
                "Remove the last element in a list, prepend it to another list and return it",
                "1.2.0",
                "O(1)")
            .handler((ctx, argv) -> moveGeneric(ctx, argv, false, true, argv)));
    t.add(
        CommandSpec.builder("lmpop", -4)
            .flags(WRITE)
            .keySpec(KeySpec.keyNum(1, 0, 1, 1, "RW", "access", "delete"))
            .group("list")
            .doc(
                "Pop elements from a list",
                "7.0.0",
                "O(N+M) where N is the number of provided keys and M is the number of elements"
                    + " returned.")
            .handler(ListCommands::lmpop));
    BlockingListCommands.register(t);
  }

  private static CommandSpec.Builder push(
      String name, String summary, String since, boolean head, boolean onlyIfExists) {
    return CommandSpec.builder(name, -3)
        .flags(WRITE | DENYOOM | FAST)
        .keys(1, 1, 1)
        .keyFlags("RW", "insert")
        .group("list")
        .doc(
            summary,
            since,
            "O(1) for each element added, so O(N) to add N elements when the command is called"
                + " with multiple arguments.")
        .handler((ctx, argv) -> push(ctx, argv, head, onlyIfExists));
  }

  /** The shape LMOVE, RPOPLPUSH and their blocking forms share: a source and a destination. */
  static CommandSpec.Builder move(String name, int arity, int flags) {
    return CommandSpec.builder(name, arity)
        .flags(flags)
        .keys(1, 2, 1)
        .keySpec(KeySpec.range(1, 0, 1, "RW", "access", "delete"))
        .keySpec(KeySpec.range(2, 0, 1, "RW", "insert"))
        .group("list");
  }

  // ---------------------------------------------------------------------------------------------
  // Shared helpers

  /** The value as a list, or WRONGTYPE; null stays null. */
  static ListValue asList(StoredValue v) {
    return StoredValue.as(v, ListValue.class);
  }

  /** The directive of one server, looked up once instead of per created list. */
  private record FillSetting(Config config, Directive directive) {}

  private static volatile FillSetting fillSetting;

  /** A new empty list shaped by the current list-max-listpack-size. */
  public static ListValue newList(CommandContext ctx) {
    Config config = ctx.server().config();
    FillSetting f = fillSetting;
    if (f == null || f.config != config) {
      f = new FillSetting(config, config.require("list-max-listpack-size"));
      fillSetting = f;
    }
    return new ListValue(f.directive.number());
  }

  /**
   * Records {@code changes} changes to {@code key}: wakes watchers once, and counts every change
   * for persistence as Redis's dirty counter does.
   */
  static void changed(CommandContext ctx, Key key, long changes) {
    ctx.modified(key);
    if (changes > 1) {
      ctx.server().stats().dirty.add(changes - 1);
    }
  }

  /**
   * After elements left {@code list} from one end: the pop event, the key's deletion when the list
   * is empty, the change (Redis's listElementsRemoved).
   */
  static void elementsRemoved(
      CommandContext ctx, Key key, ListValue list, boolean head, long count) {
    ctx.notify(KeyspaceEvents.LIST, head ? "lpop" : "rpop", key);
    if (list.size() == 0) {
      ctx.db().remove(key);
      ctx.notify(KeyspaceEvents.GENERIC, "del", key);
    }
    changed(ctx, key, count);
  }

  /** Normalizes a possibly negative index; the result may still be out of range. */
  private static long normalize(long index, long size) {
    return index < 0 ? size + index : index;
  }

  /**
   * Writes elements {@code start..end} (Redis's addListRangeReply: negative indexes count from the
   * end, an empty range gives an empty array), reversed when {@code reverse}.
   */
  private static void replyRange(
      RespWriter out, ListValue list, long start, long end, boolean reverse) {
    long len = list.size();
    start = normalize(start, len);
    end = normalize(end, len);
    if (start < 0) {
      start = 0;
    }
    if (start > end || start >= len) {
      out.emptyArray();
      return;
    }
    if (end >= len) {
      end = len - 1;
    }
    long count = end - start + 1;
    out.arrayHeader((int) count);
    list.forEach(
        reverse ? end : start,
        count,
        reverse,
        (buf, off, n) -> {
          out.bulk(buf, off, n);
          return true;
        });
  }

  /** A count that must be 0 or more (Redis's getPositiveLongFromObjectOrReply). */
  private static long nonNegative(byte[] arg, String error) {
    long v = Args.parseLong(arg, error);
    if (v < 0) {
      throw new CommandException(error);
    }
    return v;
  }

  /** LEFT or RIGHT, as true for the head; else a syntax error. */
  static boolean side(byte[] arg) {
    if (Args.is(arg, "LEFT")) {
      return true;
    }
    if (Args.is(arg, "RIGHT")) {
      return false;
    }
    throw new CommandException(Errors.SYNTAX);
  }

  static Key[] keys(byte[][] argv, int from, int to) {
    Key[] keys = new Key[to - from];
    for (int j = from; j < to; j++) {
      keys[j - from] = Key.of(argv[j]);
    }
    return keys;
  }

  // ---------------------------------------------------------------------------------------------
  // Push and pop

  /**
   * LPUSH key element [element ...], RPUSH key element [element ...], LPUSHX key element [element
   * ...], RPUSHX key element [element ...]
   */
  static void push(CommandContext ctx, byte[][] argv, boolean head, boolean onlyIfExists) {
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    ListValue list = asList(db.lookupWrite(key, ctx.now()));
    if (list == null) {
      if (onlyIfExists) {
        ctx.out().integer(0);
        return;
      }
      list = newList(ctx);
      db.put(key, list);
    }
    for (int j = 2; j < argv.length; j++) {
      list.push(argv[j], head);
    }
    ctx.out().integer(list.size());
    changed(ctx, key, argv.length - 2);
    ctx.notify(KeyspaceEvents.LIST, head ? "lpush" : "rpush", key);
    ctx.propagate(argv);
  }

  /** LPOP key [count], RPOP key [count] */
  static void pop(CommandContext ctx, byte[][] argv, boolean head) {
    if (argv.length > 3) {
      throw new CommandException(Errors.wrongArity(head ? "lpop" : "rpop"));
    }
    boolean hasCount = argv.length == 3;
    long count = hasCount ? nonNegative(argv[2], Errors.NOT_POSITIVE) : 0;
    Key key = Key.of(argv[1]);
    ListValue list = asList(ctx.db().lookupWrite(key, ctx.now()));
    RespWriter out = ctx.out();
    if (list == null) {
      if (hasCount) {
        out.nullArray();
      } else {
        out.nullBulk();
      }
      return;
    }
    if (hasCount && count == 0) {
      out.emptyArray();
      return;
    }
    long popped;
    if (!hasCount) {
      out.bulk(list.pop(head));
      popped = 1;
    } else {
      popped = popRange(out, list, head, count);
    }
    elementsRemoved(ctx, key, list, head, popped);
    ctx.propagate(argv);
  }

  /** Replies with up to {@code count} elements from one end, in pop order, and removes them. */
  private static long popRange(RespWriter out, ListValue list, boolean head, long count) {
    long len = list.size();
    long n = Math.min(count, len);
    if (head) {
      replyRange(out, list, 0, n - 1, false);
      list.removeRange(0, n);
    } else {
      replyRange(out, list, -n, -1, true);
      list.removeRange(len - n, n);
    }
    return n;
  }

  /** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
  static void lmpop(CommandContext ctx, byte[][] argv) {
    if (!MultiPop.parse(argv, 1).popFirstList(ctx, argv)) {
      ctx.out().nullArray();
    }
  }

  /**
   * The parsed arguments of LMPOP and BLMPOP: the keys are {@code argv[firstKey..endKey)}, then the
   * side to pop from and how many elements at most.
   */
  record MultiPop(int firstKey, int endKey, boolean head, long count) {
    /** Parses {@code numkeys key ... LEFT|RIGHT [COUNT count]} from {@code numkeysAt} on. */
    static MultiPop parse(byte[][] argv, int numkeysAt) {
      long numkeys = Args.parseLong(argv[numkeysAt], NUMKEYS);
      if (numkeys < 1) {
        throw new CommandException(NUMKEYS);
      }
      long whereAt = numkeysAt + numkeys + 1;
      if (whereAt < 0 || whereAt >= argv.length) {
        throw new CommandException(Errors.SYNTAX);
      }
      boolean head = side(argv[(int) whereAt]);
      long count = -1;
      for (int j = (int) whereAt + 1; j < argv.length; j++) {
        boolean moreArgs = j < argv.length - 1;
        if (count == -1 && Args.is(argv[j], "COUNT") && moreArgs) {
          count = Args.parseLong(argv[++j], COUNT_POSITIVE);
          if (count < 1) {
            throw new CommandException(COUNT_POSITIVE);
          }
        } else {
          throw new CommandException(Errors.SYNTAX);
        }
      }
      return new MultiPop(numkeysAt + 1, (int) whereAt, head, count == -1 ? 1 : count);
    }

    /**
     * Pops from the first key that holds a list, replies {@code [key, [elements]]} and propagates
     * {@code LPOP|RPOP key n}; false (nothing written) when no key holds one.
     */
    boolean popFirstList(CommandContext ctx, byte[][] argv) {
      Database db = ctx.db();
      for (int j = firstKey; j < endKey; j++) {
        Key key = Key.of(argv[j]);
        ListValue list = asList(db.lookupWrite(key, ctx.now()));
        if (list == null) {
          continue;
        }
        RespWriter out = ctx.out();
        out.arrayHeader(2);
        out.bulk(argv[j]);
        long popped = popRange(out, list, head, count);
        elementsRemoved(ctx, key, list, head, popped);
        byte[] n = Args.bytes(Long.toString(popped));
        ctx.propagate(new byte[][] {head ? LPOP : RPOP, argv[j], n});
        return true;
      }
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Moving between lists

  /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
  static void lmove(CommandContext ctx, byte[][] argv) {
    boolean fromHead = side(argv[3]);
    boolean toHead = side(argv[4]);
    moveGeneric(ctx, argv, fromHead, toHead, argv);
  }

  /**
   * What LMOVE and the others share (Redis's lmoveGenericCommand): pops from argv[1], pushes to
   * argv[2] (checked first: a wrong type there changes nothing), replies with the element.
   */
  static void moveGeneric(
      CommandContext ctx, byte[][] argv, boolean fromHead, boolean toHead, byte[][] effect) {
    Database db = ctx.db();
    long now = ctx.now();
    Key src = Key.of(argv[1]);
    ListValue source = asList(db.lookupWrite(src, now));
    if (source == null) {
      ctx.out().nullBulk();
      return;
    }
    Key dst = Key.of(argv[2]);
    ListValue destination = asList(db.lookupWrite(dst, now));
    byte[] value = source.pop(fromHead);
    if (destination == null) {
      destination = newList(ctx);
      db.put(dst, destination);
    }
    ctx.modified(dst);
    destination.push(value, toHead);
    ctx.notify(KeyspaceEvents.LIST, toHead ? "lpush" : "rpush", dst);
    ctx.out().bulk(value);
    ctx.notify(KeyspaceEvents.LIST, fromHead ? "lpop" : "rpop", src);
    if (source.size() == 0) {
      db.remove(src);
      ctx.notify(KeyspaceEvents.GENERIC, "del", src);
    }
    ctx.modified(src);
    ctx.propagate(effect);
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** LLEN key */
  static void llen(CommandContext ctx, byte[][] argv) {
    ListValue list = asList(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    ctx.out().integer(list == null ? 0 : list.size());
  }

  /** LRANGE key start stop */
  static void lrange(CommandContext ctx, byte[][] argv) {
    long start = Args.parseLong(argv[2]);
    long end = Args.parseLong(argv[3]);
    ListValue list = asList(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    if (list == null) {
      ctx.out().emptyArray();
      return;
    }
    replyRange(ctx.out(), list, start, end, false);
  }

  /** LINDEX key index */
  static void lindex(CommandContext ctx, byte[][] argv) {
    ListValue list = asList(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    if (list == null) {
      ctx.out().nullBulk();
      return;
    }
    long index = normalize(Args.parseLong(argv[2]), list.size());
    if (index < 0 || index >= list.size()) {
      ctx.out().nullBulk();
    } else {
      ctx.out().bulk(list.get(index));
    }
  }

  /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
  static void lpos(CommandContext ctx, byte[][] argv) {
    byte[] element = argv[2];
    long rank = 1;
    long count = -1; // -1: no COUNT option
    long maxlen = 0;
    for (int j = 3; j < argv.length; j++) {
      boolean moreArgs = j < argv.length - 1;
      if (Args.is(argv[j], "RANK") && moreArgs) {
        rank = Args.parseLong(argv[++j]);
        if (rank == 0) {
          throw new CommandException(RANK_ZERO);
        }
      } else if (Args.is(argv[j], "COUNT") && moreArgs) {
        count = nonNegative(argv[++j], COUNT_NEGATIVE);
      } else if (Args.is(argv[j], "MAXLEN") && moreArgs) {
        maxlen = nonNegative(argv[++j], MAXLEN_NEGATIVE);
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    boolean fromTail = rank < 0;
    if (fromTail) {
      rank = -rank; // Long.MIN_VALUE stays negative, as in Redis: every match then qualifies.
    }
    ListValue list = asList(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    RespWriter out = ctx.out();
    if (list == null) {
      if (count != -1) {
        out.emptyArray();
      } else {
        out.nullBulk();
      }
      return;
    }
    PositionSearch search = new PositionSearch(element, rank, count, maxlen, fromTail, list.size());
    list.forEach(fromTail ? list.size() - 1 : 0, list.size(), fromTail, search);
    if (count == -1) {
      if (search.found == 0) {
        out.nullBulk();
      } else {
        out.integer(search.positions[0]);
      }
      return;
    }
    out.arrayHeader(search.found);
    for (int j = 0; j < search.found; j++) {
      out.integer(search.positions[j]);
    }
  }

  /** LPOS's scan: counts matches and keeps the indexes of those the options ask for. */
  private static final class PositionSearch implements ListValue.ElementVisitor {
    private final byte[] element;
    private final long rank;
    private final long count;
    private final long maxlen;
    private final boolean fromTail;
    private final long size;
    private long scanned;
    private long matches;
    long[] positions = new long[4];
    int found;

    PositionSearch(
        byte[] element, long rank, long count, long maxlen, boolean fromTail, long size) {
      this.element = element;
      this.rank = rank;
      this.count = count;
      this.maxlen = maxlen;
      this.fromTail = fromTail;
      this.size = size;
    }

    @Override
    public boolean visit(byte[] buf, int off, int len) {
      if (maxlen != 0 && scanned >= maxlen) {
        return false;
      }
      long index = scanned++;
      if (!ListValue.equal(buf, off, len, element) || ++matches < rank) {
        return true;
      }
      if (found == positions.length) {
        positions = java.util.Arrays.copyOf(positions, found * 2);
      }
      positions[found++] = fromTail ? size - index - 1 : index;
      // Without COUNT the first qualifying match is the answer; COUNT 0 means all of them.
      return count != -1 && (count == 0 || matches - rank + 1 < count);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Changing in place

  /** LSET key index element */
  static void lset(CommandContext ctx, byte[][] argv) {
    Key key = Key.of(argv[1]);
    ListValue list = asList(ctx.db().lookupWrite(key, ctx.now()));
    if (list == null) {
      throw new CommandException(Errors.NO_SUCH_KEY);
    }
    long index = normalize(Args.parseLong(argv[2]), list.size());
    if (index < 0 || index >= list.size()) {
      throw new CommandException(Errors.INDEX_OUT_OF_RANGE);
    }
    list.set(index, argv[3]);
    ctx.out().ok();
    changed(ctx, key, 1);
    ctx.notify(KeyspaceEvents.LIST, "lset", key);
    ctx.propagate(argv);
  }

  /** LINSERT key BEFORE|AFTER pivot element */
  static void linsert(CommandContext ctx, byte[][] argv) {
    boolean after;
    if (Args.is(argv[2], "AFTER")) {
      after = true;
    } else if (Args.is(argv[2], "BEFORE")) {
      after = false;
    } else {
      throw new CommandException(Errors.SYNTAX);
    }
    Key key = Key.of(argv[1]);
    ListValue list = asList(ctx.db().lookupWrite(key, ctx.now()));
    if (list == null) {
      ctx.out().integer(0);
      return;
    }
    long pivot = list.indexOf(argv[3]);
    if (pivot < 0) {
      ctx.out().integer(-1);
      return;
    }
    list.insert(after ? pivot + 1 : pivot, argv[4]);
    changed(ctx, key, 1);
    ctx.notify(KeyspaceEvents.LIST, "linsert", key);
    ctx.propagate(argv);
    ctx.out().integer(list.size());
  }

  /** LREM key count element */
  static void lrem(CommandContext ctx, byte[][] argv) {
    long toRemove = Args.parseLong(argv[2]);
    Key key = Key.of(argv[1]);
    ListValue list = asList(ctx.db().lookupWrite(key, ctx.now()));
    if (list == null) {
      ctx.out().integer(0);
      return;
    }
    boolean fromTail = toRemove < 0;
    // Long.MIN_VALUE negates to itself; it still means "from the tail, no limit worth having".
    long limit = fromTail ? (toRemove == Long.MIN_VALUE ? Long.MAX_VALUE : -toRemove) : toRemove;
    long removed = list.removeAll(argv[3], limit, fromTail);
    if (removed > 0) {
      changed(ctx, key, removed);
      ctx.notify(KeyspaceEvents.LIST, "lrem", key);
      if (list.size() == 0) {
        ctx.db().remove(key);
        ctx.notify(KeyspaceEvents.GENERIC, "del", key);
      }
      ctx.propagate(argv);
    }
    ctx.out().integer(removed);
  }

  /** LTRIM key start stop */
  static void ltrim(CommandContext ctx, byte[][] argv) {
    long start = Args.parseLong(argv[2]);
    long end = Args.parseLong(argv[3]);
    Key key = Key.of(argv[1]);
    ListValue list = asList(ctx.db().lookupWrite(key, ctx.now()));
    if (list == null) {
      ctx.out().ok();
      return;
    }
    long len = list.size();
    start = normalize(start, len);
    end = normalize(end, len);
    if (start < 0) {
      start = 0;
    }
    long fromHead;
    long fromTail;
    if (start > end || start >= len) {
      fromHead = len;
      fromTail = 0;
    } else {
      if (end >= len) {
        end = len - 1;
      }
      fromHead = start;
      fromTail = len - end - 1;
    }
    list.removeRange(0, fromHead);
    list.removeRange(list.size() - fromTail, fromTail);
    ctx.notify(KeyspaceEvents.LIST, "ltrim", key);
    if (list.size() == 0) {
      ctx.db().remove(key);
      ctx.notify(KeyspaceEvents.GENERIC, "del", key);
    }
    changed(ctx, key, fromHead + fromTail);
    if (fromHead + fromTail > 0) {
      // Redis propagates only what changed the dataset.
      ctx.propagate(argv);
    }
    ctx.out().ok();
  }
}
