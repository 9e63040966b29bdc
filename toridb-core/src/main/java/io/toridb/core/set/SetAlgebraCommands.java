package io.toridb.core.set;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.Errors;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.core.string.StringValue;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Intersections, unions and differences: SINTER (and SMEMBERS, which Redis serves as the
 * intersection of one set), SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE.
 *
 * <p>Results are built the way Redis's sinterGenericCommand and sunionDiffGenericCommand build
 * them, starting from an empty intset and adding member by member, and for SDIFF with the same
 * choice between its two algorithms. That makes a stored result's encoding the one Redis reports: a
 * difference computed by adding the first set and removing the others may have become a hashtable
 * on the way, although the result would fit an intset.
 */
final class SetAlgebraCommands {
  private SetAlgebraCommands() {}

  static final String NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
  static final String TOO_MANY_NUMKEYS = "ERR Number of keys can't be greater than number of args";
  static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

  private static final Comparator<SetValue> BY_SIZE = Comparator.comparingInt(SetValue::size);

  /**
   * The sets at {@code argv[from..to)}, looked up for reading, null for missing keys, or WRONGTYPE
   * if any holds another type (checked for every key, missing ones or not).
   */
  private static SetValue[] lookupSets(CommandContext ctx, byte[][] argv, int from, int to) {
    Database db = ctx.db();
    long now = ctx.now();
    SetValue[] sets = new SetValue[to - from];
    for (int j = from; j < to; j++) {
      sets[j - from] = SetCommands.asSet(db.lookupRead(Key.of(argv[j]), now));
    }
    return sets;
  }

  // ---------------------------------------------------------------------------------------------
  // Intersection

  /** SMEMBERS key: the intersection of one set, which is the set itself. */
  static void smembers(CommandContext ctx, byte[][] argv) {
    SetValue set = SetCommands.asSet(ctx.db().lookupRead(Key.of(argv[1]), ctx.now()));
    RespWriter out = ctx.out();
    if (set == null) {
      out.setHeader(0);
      return;
    }
    out.setHeader(set.size());
    set.forEach(out::bulk);
  }

  /** SINTER key [key ...] */
  static void sinter(CommandContext ctx, byte[][] argv) {
    intersect(ctx, argv, 1, argv.length, null, false, 0);
  }

  /** SINTERSTORE destination key [key ...] */
  static void sinterstore(CommandContext ctx, byte[][] argv) {
    intersect(ctx, argv, 2, argv.length, argv, false, 0);
  }

  /** SINTERCARD numkeys key [key ...] [LIMIT limit] */
  static void sintercard(CommandContext ctx, byte[][] argv) {
    long numkeys = Args.parseLongOr(argv[1], 0);
    if (numkeys <= 0) {
      throw new CommandException(NUMKEYS_NOT_POSITIVE);
    }
    if (numkeys > argv.length - 2) {
      throw new CommandException(TOO_MANY_NUMKEYS);
    }
    long limit = 0;
    for (int j = 2 + (int) numkeys; j < argv.length; j++) {
      if (Args.is(argv[j], "LIMIT") && j < argv.length - 1) {
        j++;
        limit = Args.parseLongOr(argv[j], -1);
        if (limit < 0) {
          throw new CommandException(LIMIT_NEGATIVE);
        }
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    intersect(ctx, argv, 2, 2 + (int) numkeys, null, true, limit);
  }

  /**
   * Redis's sinterGenericCommand over the keys {@code argv[from..to)}: replies with the members,
   * their count ({@code cardinalityOnly}, stopping at {@code limit} unless it is 0), or stores them
   * at {@code argv[1]} when {@code storeArgv} is given (the command to propagate).
   */
  private static void intersect(
      CommandContext ctx,
      byte[][] argv,
      int from,
      int to,
      byte[][] storeArgv,
      boolean cardinalityOnly,
      long limit) {
    SetValue[] sets = lookupSets(ctx, argv, from, to);
    RespWriter out = ctx.out();
    boolean anyMissing = false;
    for (SetValue s : sets) {
      anyMissing |= s == null;
    }
    if (anyMissing) {
      // The intersection with an empty set is empty.
      if (storeArgv != null) {
        storeResult(ctx, storeArgv, null, "sinterstore");
      } else if (cardinalityOnly) {
        out.integer(0);
      } else {
        out.setHeader(0);
      }
      return;
    }
    // Smallest first; a stable sort, as the merge sort behind glibc's qsort.
    Arrays.sort(sets, BY_SIZE);
    SetValue first = sets[0];
    long cardinality = 0;
    List<byte[]> members = storeArgv == null && !cardinalityOnly ? new ArrayList<>() : null;
    SetValue result = storeArgv != null ? SetValue.emptyIntset() : null;
    long maxIntset = storeArgv != null ? SetCommands.maxIntsetEntries(ctx) : 0;
    if (first.isIntset()) {
      for (int i = 0; i < first.size(); i++) {
        long v = first.intAt(i);
        if (!inAllOthers(sets, v)) {
          continue;
        }
        cardinality++;
        if (cardinalityOnly) {
          if (limit != 0 && cardinality >= limit) {
            break;
          }
        } else if (members != null) {
          members.add(StringValue.digits(v));
        } else {
          result.add(StringValue.digits(v), maxIntset);
        }
      }
    } else {
      List<byte[]> all = SetRandomCommands.members(first);
      for (byte[] m : all) {
        if (!inAllOthers(sets, m)) {
          continue;
        }
        cardinality++;
        if (cardinalityOnly) {
          if (limit != 0 && cardinality >= limit) {
            break;
          }
        } else if (members != null) {
          members.add(m);
        } else {
          result.add(m, maxIntset);
        }
      }
    }
    if (cardinalityOnly) {
      out.integer(cardinality);
    } else if (storeArgv != null) {
      storeResult(ctx, storeArgv, result, "sinterstore");
    } else {
      SetCommands.replyMembers(out, members);
    }
  }

  private static boolean inAllOthers(SetValue[] sets, long v) {
    for (int j = 1; j < sets.length; j++) {
      if (sets[j] != sets[0] && !sets[j].containsInteger(v)) {
        return false;
      }
    }
    return true;
  }

  private static boolean inAllOthers(SetValue[] sets, byte[] m) {
    for (int j = 1; j < sets.length; j++) {
      if (sets[j] != sets[0] && !sets[j].contains(m)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Union and difference

  /**
   * SUNION key [key ...], SUNIONSTORE destination key [key ...], SDIFF key [key ...], SDIFFSTORE
   * destination key [key ...]: Redis's sunionDiffGenericCommand.
   */
  static void sunionDiff(CommandContext ctx, byte[][] argv, boolean diff, boolean store) {
    int from = store ? 2 : 1;
    SetValue[] sets = lookupSets(ctx, argv, from, argv.length);
    long maxIntset = SetCommands.maxIntsetEntries(ctx);
    SetValue result;
    if (!diff) {
      result = union(Arrays.asList(sets), maxIntset);
    } else {
      result = difference(sets, maxIntset);
    }
    if (store) {
      storeResult(ctx, argv, result, diff ? "sdiffstore" : "sunionstore");
    } else {
      SetCommands.replyMembers(ctx.out(), SetRandomCommands.members(result));
    }
  }

  /** The union of {@code sets} (nulls are empty), built from an empty intset. */
  static SetValue union(List<SetValue> sets, long maxIntset) {
    SetValue result = SetValue.emptyIntset();
    for (SetValue s : sets) {
      if (s != null) {
        s.forEach(m -> result.add(m, maxIntset));
      }
    }
    return result;
  }

  /** The members of {@code sets[0]} in none of the others, by Redis's choice of algorithm. */
  private static SetValue difference(SetValue[] sets, long maxIntset) {
    SetValue result = SetValue.emptyIntset();
    SetValue first = sets[0];
    if (first == null) {
      return result;
    }
    for (int j = 1; j < sets.length; j++) {
      if (sets[j] == first) {
        return result; // The first set minus itself.
      }
    }
    // Algorithm 1 tests each member of the first set against the others: about size(first) * sets
    // lookups. Algorithm 2 adds the first set and removes the members of the others: one operation
    // per member of any set. Algorithm 1 gets an advantage of two, as in Redis.
    long oneWork = 0;
    long twoWork = 0;
    for (SetValue s : sets) {
      if (s != null) {
        oneWork += first.size();
        twoWork += s.size();
      }
    }
    oneWork /= 2;
    if (oneWork <= twoWork) {
      SetValue[] others = Arrays.copyOfRange(sets, 1, sets.length);
      // Largest first, so that members found elsewhere are found early; missing keys count 0.
      Arrays.sort(
          others, Comparator.comparingInt((SetValue s) -> s == null ? 0 : s.size()).reversed());
      first.forEach(
          m -> {
            for (SetValue s : others) {
              if (s != null && s.contains(m)) {
                return;
              }
            }
            result.add(m, maxIntset);
          });
      return result;
    }
    first.forEach(m -> result.add(m, maxIntset));
    for (int j = 1; j < sets.length && result.size() > 0; j++) {
      if (sets[j] != null) {
        sets[j].forEach(result::remove);
      }
    }
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Storing

  /**
   * Stores {@code result} at {@code argv[1]}, replacing whatever is there (and its expiry), or
   * deletes the key when the result is empty or null; replies with the result's size.
   */
  private static void storeResult(
      CommandContext ctx, byte[][] argv, SetValue result, String event) {
    Database db = ctx.db();
    Key dst = Key.of(argv[1]);
    if (result != null && result.size() > 0) {
      result.touch(ctx.now());
      db.put(dst, result);
      ctx.modified(dst);
      ctx.notify(KeyspaceEvents.SET, event, dst);
      ctx.propagate(argv);
      ctx.out().integer(result.size());
      return;
    }
    // Looked up first so that a key that has expired is reclaimed as expired, not deleted here.
    if (db.lookupWrite(dst, ctx.now()) != null) {
      db.remove(dst);
      ctx.modified(dst);
      ctx.notify(KeyspaceEvents.GENERIC, "del", dst);
      ctx.propagate(argv);
    }
    ctx.out().integer(0);
  }
}
