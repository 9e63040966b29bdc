package io.toridb.core.keyspace;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.hash.HashValue;
import io.toridb.core.list.ListCommands;
import io.toridb.core.list.ListValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.core.set.SetValue;
import io.toridb.core.string.StringValue;
import io.toridb.core.zset.Strtod;
import io.toridb.core.zset.ZSetValue;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * SORT and SORT_RO, as Redis 7.0's sortCommandGeneric: the elements of a list, set or sorted set,
 * numerically or (ALPHA) by their bytes, by themselves or by the values of other keys (BY pattern,
 * where {@code *} stands for the element and {@code ->field} reads a hash field), a range of them
 * (LIMIT), each as itself or as other keys' values (GET pattern, GET # for the element), returned
 * or stored as a list (STORE).
 *
 * <p>A BY or GET pattern names keys that only the data knows, so such a call locks the whole
 * keyspace; otherwise the sorted key and the STORE destination are locked. Sorting is stable, as
 * the C library's sort Redis uses here is, numeric ties are ordered by the elements' bytes, and
 * ties of an ALPHA sort BY a pattern over a set or sorted set too (Redis leaves those in its hash
 * table's order, which nothing can rely on, and a stored result must be the same when the log is
 * replayed into a table built afresh). Two orders can still differ from Redis's: ties under a LIMIT
 * that cuts the result (Redis sorts partially, which is not stable), and ALPHA ties of a list's
 * elements, kept in the list's order as Redis keeps them.
 */
public final class SortCommand {
  private SortCommand() {}

  private static final String BY_GET_NOTES =
      "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from"
          + " the content of the key we sort";
  private static final String STORE_NOTES =
      "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear"
          + " anywhere in the argument array";
  private static final String COMPLEXITY =
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the"
          + " number of returned elements. When the elements are not sorted, complexity is O(N).";

  /** BY and GET patterns: their keys are known only once the data is read. */
  private static final KeySpec.Finder NO_KEYS =
      new KeySpec.Finder() {
        @Override
        public void keys(byte[][] argv, IntConsumer visitor) {}

        @Override
        public void affected(byte[][] argv, IntConsumer visitor) {}
      };

  /** STORE's destination. */
  private static final KeySpec.Finder STORE =
      new KeySpec.Finder() {
        /** As Redis's sortGetKeys: options skipped by their known argument counts, last STORE. */
        @Override
        public void keys(byte[][] argv, IntConsumer visitor) {
          int found = -1;
          for (int i = 2; i < argv.length; i++) {
            if (Args.is(argv[i], "LIMIT")) {
              i += 2;
            } else if (Args.is(argv[i], "GET") || Args.is(argv[i], "BY")) {
              i += 1;
            } else if (Args.is(argv[i], "STORE") && i + 1 < argv.length) {
              found = i + 1;
            }
          }
          if (found > 0) {
            visitor.accept(found);
          }
        }

        /** The argument after every STORE: whichever the parse takes is among them. */
        @Override
        public void affected(byte[][] argv, IntConsumer visitor) {
          for (int i = 2; i + 1 < argv.length; i++) {
            if (Args.is(argv[i], "STORE")) {
              visitor.accept(i + 1);
            }
          }
        }
      };

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("sort", -2)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keySpec(KeySpec.range(1, 0, 1, "RO", "access"))
            .keySpec(KeySpec.unknown(BY_GET_NOTES, NO_KEYS, "RO", "access"))
            .keySpec(KeySpec.unknown(STORE_NOTES, STORE, "OW", "update"))
            .wholeKeyspaceWhen(SortCommand::readsOtherKeys)
            .group("generic")
            .acl("set", "sortedset", "list", "dangerous")
            .doc("Sort the elements in a list, set or sorted set", "1.0.0", COMPLEXITY)
            .handler((ctx, argv) -> sort(ctx, argv, false)));
    t.add(
        CommandSpec.builder("sort_ro", -2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .keySpec(KeySpec.range(1, 0, 1, "RO", "access"))
            .keySpec(KeySpec.unknown(BY_GET_NOTES, NO_KEYS, "RO", "access"))
            .wholeKeyspaceWhen(SortCommand::readsOtherKeys)
            .group("generic")
            .acl("set", "sortedset", "list", "dangerous")
            .doc(
                "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
                "7.0.0",
                COMPLEXITY)
            .handler((ctx, argv) -> sort(ctx, argv, true)));
  }

  /**
   * Whether a BY pattern with {@code *} or a GET pattern other than {@code #} may read other keys:
   * any argument after BY or GET that could be one (a superset of what the parse takes).
   */
  static boolean readsOtherKeys(byte[][] argv) {
    for (int i = 2; i + 1 < argv.length; i++) {
      if ((Args.is(argv[i], "BY") || Args.is(argv[i], "GET")) && isPattern(argv[i + 1])) {
        return true;
      }
    }
    return false;
  }

  private static boolean isPattern(byte[] p) {
    return !(p.length == 1 && p[0] == '#') && indexOf(p, (byte) '*', 0) >= 0;
  }

  /** One element being sorted, with what it is sorted by. */
  private static final class Item {
    final byte[] element;
    double score;

    /** The BY value of an ALPHA sort by pattern; null when its key or field is missing. */
    byte[] by;

    Item(byte[] element) {
      this.element = element;
    }
  }

  /**
   * SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]
   * [STORE destination], and SORT_RO (no STORE).
   */
  static void sort(CommandContext ctx, byte[][] argv, boolean readonly) {
    boolean desc = false;
    boolean alpha = false;
    long limitStart = 0;
    long limitCount = -1;
    byte[] sortBy = null;
    byte[] storeKey = null;
    boolean dontSort = false;
    List<byte[]> gets = new ArrayList<>();
    for (int j = 2; j < argv.length; j++) {
      int left = argv.length - j - 1;
      if (Args.is(argv[j], "ASC")) {
        desc = false;
      } else if (Args.is(argv[j], "DESC")) {
        desc = true;
      } else if (Args.is(argv[j], "ALPHA")) {
        alpha = true;
      } else if (Args.is(argv[j], "LIMIT") && left >= 2) {
        limitStart = Args.parseLong(argv[j + 1], Errors.NOT_INTEGER);
        limitCount = Args.parseLong(argv[j + 2], Errors.NOT_INTEGER);
        j += 2;
      } else if (!readonly && Args.is(argv[j], "STORE") && left >= 1) {
        storeKey = argv[j + 1];
        j++;
      } else if (Args.is(argv[j], "BY") && left >= 1) {
        sortBy = argv[j + 1];
        // A pattern without * names no key per element: nothing to sort by.
        dontSort = indexOf(sortBy, (byte) '*', 0) < 0;
        if (!dontSort && KeyspaceCommands.clusterEnabled(ctx)) {
          throw new CommandException("ERR BY option of SORT denied in Cluster mode.");
        }
        j++;
      } else if (Args.is(argv[j], "GET") && left >= 1) {
        if (KeyspaceCommands.clusterEnabled(ctx)) {
          throw new CommandException("ERR GET option of SORT denied in Cluster mode.");
        }
        gets.add(argv[j + 1]);
        j++;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    Database db = ctx.db();
    StoredValue value = db.lookupRead(Key.of(argv[1]), ctx.now());
    if (value != null
        && !(value instanceof ListValue
            || value instanceof SetValue
            || value instanceof ZSetValue)) {
      throw new CommandException(Errors.WRONGTYPE);
    }
    if (value instanceof ZSetValue z) {
      // As Redis, which sorts a sorted set in its skiplist form and leaves it there.
      z.convertToSkiplist();
    }
    // A set's order is its hash table's: sorted when stored or called from a script, so the
    // result is the same anywhere.
    if (dontSort && value instanceof SetValue && (storeKey != null || ctx.fromScript())) {
      dontSort = false;
      alpha = true;
      sortBy = null;
    }
    long size = size(value);
    long start = Math.min(Math.max(limitStart, 0), size);
    long count = Math.min(Math.max(limitCount, -1), size);
    long end = count < 0 ? size - 1 : start + count - 1;
    if (start >= size) {
      start = size - 1;
      end = size - 2;
    }
    if (end >= size) {
      end = size - 1;
    }
    List<Item> items;
    if (dontSort && (value instanceof ListValue || value instanceof ZSetValue)) {
      // Nothing to sort: only the range asked for is read, in the order the value holds it.
      items = range(value, start, end, desc);
      end -= start;
      start = 0;
    } else {
      items = all(value);
    }
    boolean conversionError = false;
    if (!dontSort) {
      Strtod strtod = alpha ? null : new Strtod();
      for (Item item : items) {
        byte[] by;
        if (sortBy != null) {
          by = lookupByPattern(ctx, sortBy, item.element);
          if (by == null) {
            continue;
          }
        } else {
          by = item.element;
        }
        if (alpha) {
          if (sortBy != null) {
            item.by = by;
          }
        } else {
          item.score = strtod.parse(by, 0);
          if (strtod.end() != cLength(by) || strtod.rangeError() || Double.isNaN(item.score)) {
            conversionError = true;
          }
        }
      }
      boolean hashOrder = !(value instanceof ListValue);
      Comparator<Item> order = comparator(alpha, sortBy != null, storeKey != null, hashOrder);
      items.sort(desc ? order.reversed() : order);
    }
    if (conversionError) {
      throw new CommandException("ERR One or more scores can't be converted into double");
    }
    int returned = (int) Math.max(0, end - start + 1);
    if (storeKey == null) {
      reply(ctx, items, (int) start, returned, gets);
    } else {
      store(ctx, argv, Key.of(storeKey), items, (int) start, returned, gets);
    }
  }

  /**
   * Redis's sortCompare: numbers, ties by the elements' bytes; ALPHA by bytes when storing, else as
   * C's {@code strcoll} in the C locale compares (up to the first NUL byte); ALPHA BY a pattern
   * with missing values first, ties by the elements' bytes where the input order is a hash table's
   * ({@code hashOrder}).
   */
  private static Comparator<Item> comparator(
      boolean alpha, boolean byPattern, boolean store, boolean hashOrder) {
    if (!alpha) {
      // Equal scores are ordered by the elements, so the result is deterministic.
      return (a, b) -> {
        int c = Double.compare(a.score, b.score);
        if (a.score == b.score) {
          c = 0;
        }
        return c != 0 ? c : Arrays.compareUnsigned(a.element, b.element);
      };
    }
    Comparator<byte[]> bytes = store ? Arrays::compareUnsigned : SortCommand::compareCStrings;
    if (byPattern) {
      // A missing BY value sorts first.
      Comparator<Item> byValue =
          (a, b) -> {
            if (a.by == null || b.by == null) {
              return a.by == b.by ? 0 : a.by == null ? -1 : 1;
            }
            return bytes.compare(a.by, b.by);
          };
      return hashOrder
          ? byValue.thenComparing((a, b) -> Arrays.compareUnsigned(a.element, b.element))
          : byValue;
    }
    return (a, b) -> bytes.compare(a.element, b.element);
  }

  /** strcmp: unsigned bytes up to the first NUL of either, a string that ends first is smaller. */
  static int compareCStrings(byte[] a, byte[] b) {
    int la = cLength(a);
    int lb = cLength(b);
    int n = Math.min(la, lb);
    for (int i = 0; i < n; i++) {
      int c = Integer.compare(a[i] & 0xff, b[i] & 0xff);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(la, lb);
  }

  private static void reply(
      CommandContext ctx, List<Item> items, int start, int returned, List<byte[]> gets) {
    RespWriter out = ctx.out();
    out.arrayHeader(gets.isEmpty() ? returned : Math.multiplyExact(gets.size(), returned));
    for (int i = start; i < start + returned; i++) {
      byte[] element = items.get(i).element;
      if (gets.isEmpty()) {
        out.bulk(element);
      }
      for (byte[] pattern : gets) {
        byte[] v = lookupByPattern(ctx, pattern, element);
        if (v == null) {
          out.nullBulk();
        } else {
          out.bulk(v);
        }
      }
    }
  }

  private static void store(
      CommandContext ctx,
      byte[][] argv,
      Key dst,
      List<Item> items,
      int start,
      int returned,
      List<byte[]> gets) {
    ListValue list = ListCommands.newList(ctx);
    long length = 0;
    for (int i = start; i < start + returned; i++) {
      byte[] element = items.get(i).element;
      if (gets.isEmpty()) {
        list.push(element, false);
        length++;
      }
      for (byte[] pattern : gets) {
        byte[] v = lookupByPattern(ctx, pattern, element);
        list.push(v == null ? new byte[0] : v, false);
        length++;
      }
    }
    Database db = ctx.db();
    if (length > 0) {
      db.put(dst, list);
      ctx.modified(dst);
      // Redis counts every element stored as a change.
      ctx.server().stats().dirty.add(length - 1);
      ctx.notify(KeyspaceEvents.LIST, "sortstore", dst);
      ctx.propagate(argv);
    } else {
      ctx.deleteForEmptyResult(dst, new byte[][] {Args.bytes("DEL"), dst.bytes()});
    }
    ctx.out().integer(length);
  }

  private static long size(StoredValue v) {
    if (v instanceof ListValue l) {
      return l.size();
    } else if (v instanceof SetValue s) {
      return s.size();
    } else if (v instanceof ZSetValue z) {
      return z.size();
    }
    return 0;
  }

  /** Every element, in the order the value holds them. */
  private static List<Item> all(StoredValue v) {
    List<Item> items = new ArrayList<>((int) size(v));
    if (v instanceof ListValue l) {
      l.forEach(
          0,
          l.size(),
          false,
          (buf, off, len) -> items.add(new Item(Arrays.copyOfRange(buf, off, off + len))));
    } else if (v instanceof SetValue s) {
      s.forEach(m -> items.add(new Item(m)));
    } else if (v instanceof ZSetValue z) {
      z.forEachAscending((member, score) -> items.add(new Item(member)));
    }
    return items;
  }

  /**
   * The elements from {@code start} to {@code end} of a list or sorted set, from its tail if desc.
   */
  private static List<Item> range(StoredValue v, long start, long end, boolean desc) {
    List<Item> items = new ArrayList<>();
    if (end < start) {
      return items;
    }
    long count = end - start + 1;
    if (v instanceof ListValue l) {
      l.forEach(
          desc ? l.size() - start - 1 : start,
          count,
          desc,
          (buf, off, len) -> items.add(new Item(Arrays.copyOfRange(buf, off, off + len))));
    } else if (v instanceof ZSetValue z) {
      long[] index = {0};
      ZSetValue.EntryVisitor take =
          (member, score) -> {
            long i = index[0]++;
            if (i >= start && i <= end) {
              items.add(new Item(member));
            }
          };
      if (desc) {
        z.forEachDescending(take);
      } else {
        z.forEachAscending(take);
      }
    }
    return items;
  }

  /**
   * Redis's lookupKeyByPattern: {@code #} is the element itself; otherwise the first {@code *} is
   * replaced by the element and the key read, as a string, or the hash field after a {@code ->}
   * that follows the {@code *}. Null when the pattern has no {@code *}, or the key, the field or
   * the right type is missing.
   */
  private static byte[] lookupByPattern(CommandContext ctx, byte[] pattern, byte[] element) {
    if (pattern.length == 1 && pattern[0] == '#') {
      return element;
    }
    int star = indexOf(pattern, (byte) '*', 0);
    if (star < 0) {
      return null;
    }
    int arrow = indexOfArrow(pattern, star + 1);
    boolean field = arrow >= 0 && arrow + 2 < pattern.length;
    int keyEnd = field ? arrow : pattern.length;
    byte[] key = new byte[star + element.length + (keyEnd - star - 1)];
    System.arraycopy(pattern, 0, key, 0, star);
    System.arraycopy(element, 0, key, star, element.length);
    System.arraycopy(pattern, star + 1, key, star + element.length, keyEnd - star - 1);
    StoredValue v = ctx.db().lookupRead(Key.of(key), ctx.now());
    if (v == null) {
      return null;
    }
    if (field) {
      if (!(v instanceof HashValue h)) {
        return null;
      }
      return h.get(Arrays.copyOfRange(pattern, arrow + 2, pattern.length));
    }
    return v instanceof StringValue s ? s.bytes() : null;
  }

  private static int indexOf(byte[] b, byte c, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOfArrow(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '-' && b[i + 1] == '>') {
        return i;
      }
    }
    return -1;
  }

  /** The length C sees: up to the first NUL byte. */
  private static int cLength(byte[] b) {
    int i = indexOf(b, (byte) 0, 0);
    return i < 0 ? b.length : i;
  }
}
