package io.toridb.core.stream;

import static io.toridb.core.command.CommandFlag.BLOCKING;
import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.blocking.BlockingTimeout;
import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.IntConsumer;

/**
 * The stream commands (Redis's t_stream.c): XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID,
 * XREAD, and the consumer groups' XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, plus
 * XINFO; with Redis 7.0's arguments, replies and error texts.
 *
 * <p>What each write hands to propagation is deterministic, as Redis's rewritten arguments: XADD
 * with the ID it generated and an approximate trim as the exact one it came to, XREADGROUP as one
 * XCLAIM per delivered entry (which fixes the delivery time and count) and the group's new
 * position, and so on. XREAD and XREADGROUP with BLOCK park the client; a write to one of its
 * streams runs the command again, XREAD with {@code $} replaced by the ID it stood for.
 */
public final class StreamCommands {
  private StreamCommands() {}

  private static final byte[] XADD = Args.bytes("XADD");
  private static final byte[] XTRIM = Args.bytes("XTRIM");
  private static final byte[] XCLAIM = Args.bytes("XCLAIM");
  private static final byte[] XGROUP = Args.bytes("XGROUP");
  private static final byte[] SETID = Args.bytes("SETID");
  private static final byte[] ENTRIESREAD = Args.bytes("ENTRIESREAD");
  private static final byte[] CREATECONSUMER = Args.bytes("CREATECONSUMER");
  private static final byte[] TIME = Args.bytes("TIME");
  private static final byte[] RETRYCOUNT = Args.bytes("RETRYCOUNT");
  private static final byte[] FORCE = Args.bytes("FORCE");
  private static final byte[] JUSTID = Args.bytes("JUSTID");
  private static final byte[] LASTID = Args.bytes("LASTID");
  private static final byte[] MAXLEN = Args.bytes("MAXLEN");
  private static final byte[] MINID = Args.bytes("MINID");
  private static final byte[] NOMKSTREAM = Args.bytes("NOMKSTREAM");
  private static final byte[] EQUALS = Args.bytes("=");
  private static final byte[] ZERO = Args.bytes("0");

  /** How many entries a blocked XREAD without COUNT gets when served (Redis's default). */
  private static final long BLOCKED_DEFAULT_COUNT = 1000;

  static final String NO_KEY_FOR_XGROUP =
      "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to"
          + " use the MKSTREAM option to create an empty stream automatically.";
  static final String STREAM_GONE = "UNBLOCKED the stream key no longer exists";
  static final String GROUP_GONE =
      "NOGROUP the consumer group this client was blocked on no longer exists";

  public static void register(CommandTable t) {
    t.add(
        spec("xadd", -5, WRITE | DENYOOM | FAST, "RW", "insert")
            .tips("nondeterministic_output")
            .doc(
                "Appends a new entry to a stream",
                "5.0.0",
                "O(1) when adding a new entry, O(N) when trimming where N being the number of"
                    + " entries evicted.")
            .handler(StreamCommands::xadd));
    t.add(
        spec("xrange", -4, READONLY, "RO", "access")
            .doc(
                "Return a range of elements in a stream, with IDs matching the specified IDs"
                    + " interval",
                "5.0.0",
                "O(N) with N being the number of elements being returned. If N is constant (e.g."
                    + " always asking for the first 10 elements with COUNT), you can consider it"
                    + " O(1).")
            .handler((ctx, argv) -> xrange(ctx, argv, false)));
    t.add(
        spec("xrevrange", -4, READONLY, "RO", "access")
            .doc(
                "Return a range of elements in a stream, with IDs matching the specified IDs"
                    + " interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
                "5.0.0",
                "O(N) with N being the number of elements returned. If N is constant (e.g. always"
                    + " asking for the first 10 elements with COUNT), you can consider it O(1).")
            .handler((ctx, argv) -> xrange(ctx, argv, true)));
    t.add(
        spec("xlen", 2, READONLY | FAST, "RO")
            .doc("Return the number of entries in a stream", "5.0.0", "O(1)")
            .handler(StreamCommands::xlen));
    t.add(
        spec("xdel", -3, WRITE | FAST, "RW", "delete")
            .doc(
                "Removes the specified entries from the stream. Returns the number of items"
                    + " actually deleted, that may be different from the number of IDs passed in"
                    + " case certain IDs do not exist.",
                "5.0.0",
                "O(1) for each single item to delete in the stream, regardless of the stream"
                    + " size.")
            .handler(StreamCommands::xdel));
    t.add(
        spec("xtrim", -4, WRITE, "RW", "delete")
            .tips("nondeterministic_output")
            .doc(
                "Trims the stream to (approximately if '~' is passed) a certain size",
                "5.0.0",
                "O(N), with N being the number of evicted entries. Constant times are very small"
                    + " however, since entries are organized in macro nodes containing multiple"
                    + " entries that can be released with a single deallocation.")
            .handler(StreamCommands::xtrim));
    t.add(
        spec("xsetid", -3, WRITE | DENYOOM | FAST, "RW", "update")
            .doc("An internal command for replicating stream values", "5.0.0", "O(1)")
            .handler(StreamCommands::xsetid));
    t.add(
        readSpec("xread", -4, READONLY | BLOCKING, "RO", "access")
            .doc(
                "Return never seen elements in multiple streams, with IDs greater than the ones"
                    + " reported by the caller for each stream. Can block.",
                "5.0.0",
                "For each stream mentioned: O(N) with N being the number of elements being"
                    + " returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that"
                    + " when the BLOCK option is used, XADD will pay O(M) time in order to serve"
                    + " the M clients blocked on the stream getting new data.")
            .handler(StreamCommands::xread));
    t.add(
        readSpec("xreadgroup", -7, WRITE | BLOCKING, "RW", "access")
            .doc(
                "Return new entries from a stream using a consumer group, or access the history"
                    + " of the pending entries for a given consumer. Can block.",
                "5.0.0",
                "For each stream mentioned: O(M) with M being the number of elements returned."
                    + " If M is constant (e.g. always asking for the first 10 elements with"
                    + " COUNT), you can consider it O(1). On the other side when XREADGROUP"
                    + " blocks, XADD will pay the O(N) time in order to serve the N clients"
                    + " blocked on the stream getting new data.")
            .handler(StreamCommands::xread));
    t.add(
        spec("xack", -4, WRITE | FAST, "RW", "update")
            .doc(
                "Marks a pending message as correctly processed, effectively removing it from the"
                    + " pending entries list of the consumer group. Return value of the command is"
                    + " the number of messages successfully acknowledged, that is, the IDs we were"
                    + " actually able to resolve in the PEL.",
                "5.0.0",
                "O(1) for each message ID processed.")
            .handler(StreamCommands::xack));
    t.add(
        spec("xpending", -3, READONLY, "RO", "access")
            .tips("nondeterministic_output")
            .doc(
                "Return information and entries from a stream consumer group pending entries"
                    + " list, that are messages fetched but never acknowledged.",
                "5.0.0",
                "O(N) with N being the number of elements returned, so asking for a small fixed"
                    + " number of entries per call is O(1). O(M), where M is the total number of"
                    + " entries scanned when used with the IDLE filter. When the command returns"
                    + " just the summary and the list of consumers is small, it runs in O(1) time;"
                    + " otherwise, an additional O(N) time for iterating every consumer.")
            .handler(StreamCommands::xpending));
    t.add(
        spec("xclaim", -6, WRITE | FAST, "RW", "update")
            .tips("nondeterministic_output")
            .doc(
                "Changes (or acquires) ownership of a message in a consumer group, as if the"
                    + " message was delivered to the specified consumer.",
                "5.0.0",
                "O(log N) with N being the number of messages in the PEL of the consumer group.")
            .handler(StreamCommands::xclaim));
    t.add(
        spec("xautoclaim", -6, WRITE | FAST, "RW", "update")
            .tips("nondeterministic_output")
            .doc(
                "Changes (or acquires) ownership of messages in a consumer group, as if the"
                    + " messages were delivered to the specified consumer.",
                "6.2.0",
                "O(1) if COUNT is small.")
            .handler(StreamCommands::xautoclaim));
    StreamGroupCommands.register(t);
  }

  /** A stream command whose key is its first argument. */
  static CommandSpec.Builder spec(String name, int arity, int flags, String... keyFlags) {
    return CommandSpec.builder(name, arity)
        .flags(flags)
        .keys(1, 1, 1)
        .keyFlags(keyFlags)
        .group("stream");
  }

  /** XREAD and XREADGROUP: the keys are the first half of the arguments after STREAMS. */
  private static CommandSpec.Builder readSpec(
      String name, int arity, int flags, String... keyFlags) {
    KeySpec.Finder finder =
        new KeySpec.Finder() {
          @Override
          public void keys(byte[][] argv, IntConsumer visitor) {
            int at = streamsArg(argv);
            if (at < 0) {
              return;
            }
            int n = (argv.length - at) / 2;
            for (int i = 0; i < n; i++) {
              visitor.accept(at + i);
            }
          }

          @Override
          public void affected(byte[][] argv, IntConsumer visitor) {
            keys(argv, visitor);
          }
        };
    return CommandSpec.builder(name, arity)
        .flags(flags)
        .keySpec(
            KeySpec.unknown(
                "keys are the first half of the arguments after STREAMS", finder, keyFlags))
        .group("stream");
  }

  /**
   * Where the keys start: the argument after the first STREAMS that the options before it leave as
   * an option name; -1 without one, or with an odd number of arguments after it.
   */
  static int streamsArg(byte[][] argv) {
    for (int i = 1; i < argv.length; i++) {
      if (Args.is(argv[i], "STREAMS")) {
        int at = i + 1;
        return (argv.length - at) % 2 == 0 && argv.length > at ? at : -1;
      }
      if (Args.is(argv[i], "BLOCK") || Args.is(argv[i], "COUNT")) {
        i++;
      } else if (Args.is(argv[i], "GROUP")) {
        i += 2;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------
  // Lookups and replies

  static StreamValue read(CommandContext ctx, byte[] key) {
    return StoredValue.as(ctx.db().lookupRead(Key.of(key), ctx.now()), StreamValue.class);
  }

  static StreamValue write(CommandContext ctx, byte[] key) {
    return StoredValue.as(ctx.db().lookupWrite(Key.of(key), ctx.now()), StreamValue.class);
  }

  static void id(RespWriter out, StreamId id) {
    out.bulk(id.bytes());
  }

  /** Replies with up to {@code count} (0 = all) entries of a range; returns how many. */
  static int replyRange(
      RespWriter out, StreamValue s, StreamId start, StreamId end, long count, boolean rev) {
    List<StreamValue.Ref> shown = s.range(start, end, rev, count);
    out.arrayHeader(shown.size());
    for (StreamValue.Ref r : shown) {
      r.write(out);
    }
    return shown.size();
  }

  /**
   * The first {@code count} (0 = all) entries of a map view. A view's size() walks all of it, so a
   * reply's length comes from what was taken.
   */
  static <V> List<Map.Entry<StreamId, V>> first(NavigableMap<StreamId, V> m, long count) {
    List<Map.Entry<StreamId, V>> out = new ArrayList<>(count > 0 && count < 64 ? (int) count : 16);
    for (Map.Entry<StreamId, V> e : m.entrySet()) {
      if (count != 0 && out.size() >= count) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  static long nodeMaxBytes(CommandContext ctx) {
    return ctx.server().config().require("stream-node-max-bytes").number();
  }

  static long nodeMaxEntries(CommandContext ctx) {
    return ctx.server().config().require("stream-node-max-entries").number();
  }

  // ---------------------------------------------------------------------------------------------
  // XADD, XTRIM

  /** The options of XADD and XTRIM (Redis's streamAddTrimArgs). */
  static final class TrimArgs {
    static final int NONE = 0;
    static final int BY_LENGTH = 1;
    static final int BY_ID = 2;

    int strategy = NONE;
    boolean approx;
    long limit;
    long maxLen;
    StreamId minId;
    boolean noMkStream;
    StreamId id;
    boolean idGiven;
    boolean seqGiven = true;

    /** Where XADD's ID (or "*") is. */
    int idPos;

    /** Trims {@code s} as asked; returns the number of entries deleted. */
    long trim(StreamValue s) {
      return switch (strategy) {
        case BY_LENGTH -> s.trim(maxLen, null, approx, limit);
        case BY_ID -> s.trim(0, minId, approx, limit);
        default -> 0;
      };
    }

    /** The trim as the exact one it came to, for propagation: MAXLEN = n or MINID = id. */
    void effect(List<byte[]> out, StreamValue s) {
      if (strategy == BY_LENGTH) {
        out.add(MAXLEN);
        out.add(EQUALS);
        out.add(Args.bytes(Long.toString(approx ? s.length() : maxLen)));
      } else if (strategy == BY_ID) {
        out.add(MINID);
        out.add(EQUALS);
        out.add((approx ? s.firstNodeId() : minId).bytes());
      }
    }
  }

  /** Parses XADD's (or XTRIM's) options as Redis's streamParseAddOrTrimArgsOrReply. */
  static TrimArgs parseTrim(CommandContext ctx, byte[][] argv, boolean xadd) {
    TrimArgs a = new TrimArgs();
    boolean limitGiven = false;
    int i = 2;
    for (; i < argv.length; i++) {
      int more = argv.length - 1 - i;
      byte[] opt = argv[i];
      if (xadd && opt.length == 1 && opt[0] == '*') {
        break;
      } else if ((Args.is(opt, "MAXLEN") || Args.is(opt, "MINID")) && more > 0) {
        if (a.strategy != TrimArgs.NONE) {
          throw new CommandException(
              "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        }
        byte[] next = argv[i + 1];
        a.approx = false;
        if (more >= 2 && next.length == 1 && (next[0] == '~' || next[0] == '=')) {
          a.approx = next[0] == '~';
          i++;
        }
        if (Args.is(opt, "MAXLEN")) {
          a.maxLen = Args.parseLong(argv[i + 1]);
          if (a.maxLen < 0) {
            throw new CommandException("ERR The MAXLEN argument must be >= 0.");
          }
          a.strategy = TrimArgs.BY_LENGTH;
        } else {
          a.minId = StreamId.parseStrict(argv[i + 1], 0);
          a.strategy = TrimArgs.BY_ID;
        }
        i++;
      } else if (Args.is(opt, "LIMIT") && more > 0) {
        a.limit = Args.parseLong(argv[i + 1]);
        if (a.limit < 0) {
          throw new CommandException("ERR The LIMIT argument must be >= 0.");
        }
        limitGiven = true;
        i++;
      } else if (xadd && Args.is(opt, "NOMKSTREAM")) {
        a.noMkStream = true;
      } else if (xadd) {
        StreamId.Parsed p = StreamId.parse(opt, 0, true, true);
        a.id = p.id();
        a.seqGiven = p.seqGiven();
        a.idGiven = true;
        break;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    a.idPos = i;
    if (a.limit != 0 && a.strategy == TrimArgs.NONE) {
      throw new CommandException(
          "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    }
    if (!xadd && a.strategy == TrimArgs.NONE) {
      throw new CommandException("ERR syntax error, XTRIM must be called with a trimming strategy");
    }
    if (ctx.replaying()) {
      a.limit = 0;
    } else if (limitGiven) {
      if (!a.approx) {
        throw new CommandException(
            "ERR syntax error, LIMIT cannot be used without the special ~ option");
      }
    } else if (a.approx) {
      long limit = 100 * nodeMaxEntries(ctx);
      if (limit <= 0) {
        limit = 10000;
      }
      a.limit = Math.min(limit, 1_000_000);
    } else {
      a.limit = 0;
    }
    return a;
  }

  /**
   * XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field
   * value ...]
   */
  static void xadd(CommandContext ctx, byte[][] argv) {
    TrimArgs a = parseTrim(ctx, argv, true);
    int fieldPos = a.idPos + 1;
    int pairs = argv.length - fieldPos;
    if (pairs < 2 || pairs % 2 == 1) {
      throw new CommandException(Errors.wrongArity("xadd"));
    }
    if (a.idGiven && a.seqGiven && a.id.isZero()) {
      throw new CommandException("ERR The ID specified in XADD must be greater than 0-0");
    }
    Key key = Key.of(argv[1]);
    StreamValue s = write(ctx, argv[1]);
    boolean created = s == null;
    if (created) {
      if (a.noMkStream) {
        ctx.out().nullBulk();
        return;
      }
      s = new StreamValue();
    }
    StreamId last = s.lastId();
    if (last.equals(StreamId.MAX)) {
      throw new CommandException(
          "ERR The stream has exhausted the last possible ID, unable to add more items");
    }
    StreamId id;
    if (a.idGiven) {
      if (a.seqGiven) {
        id = a.id;
      } else if (last.ms() == a.id.ms()) {
        id = last.next();
        if (last.seq() == -1L) {
          id = null;
        }
      } else {
        id = a.id;
      }
    } else {
      long now = ctx.now();
      id = Long.compareUnsigned(now, last.ms()) > 0 ? new StreamId(now, 0) : last.next();
    }
    if (id == null || id.compareTo(last) <= 0) {
      throw new CommandException(
          "ERR The ID specified in XADD is equal or smaller than the target stream top item");
    }
    long total = 0;
    for (int i = fieldPos; i < argv.length; i++) {
      total += argv[i].length;
    }
    if (total > StreamValue.LISTPACK_MAX_SIZE) {
      throw new CommandException("ERR Elements are too large to be stored");
    }
    s.append(
        id,
        Arrays.copyOfRange(argv, fieldPos, argv.length),
        nodeMaxBytes(ctx),
        nodeMaxEntries(ctx));
    if (created) {
      ctx.db().put(key, s);
    }
    id(ctx.out(), id);
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.STREAM, "xadd", key);
    if (a.trim(s) > 0) {
      ctx.notify(KeyspaceEvents.STREAM, "xtrim", key);
    }
    List<byte[]> effect = new ArrayList<>(argv.length + 4);
    effect.add(XADD);
    effect.add(argv[1]);
    if (a.noMkStream) {
      effect.add(NOMKSTREAM);
    }
    a.effect(effect, s);
    effect.add(id.bytes());
    effect.addAll(Arrays.asList(argv).subList(fieldPos, argv.length));
    ctx.propagate(effect.toArray(new byte[0][]));
    ctx.signalReady(key);
  }

  /** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
  static void xtrim(CommandContext ctx, byte[][] argv) {
    TrimArgs a = parseTrim(ctx, argv, false);
    Key key = Key.of(argv[1]);
    StreamValue s = write(ctx, argv[1]);
    if (s == null) {
      ctx.out().integer(0);
      return;
    }
    long deleted = a.trim(s);
    if (deleted > 0) {
      ctx.notify(KeyspaceEvents.STREAM, "xtrim", key);
      ctx.modified(key);
      List<byte[]> effect = new ArrayList<>(5);
      effect.add(XTRIM);
      effect.add(argv[1]);
      a.effect(effect, s);
      ctx.propagate(effect.toArray(new byte[0][]));
    }
    ctx.out().integer(deleted);
  }

  // ---------------------------------------------------------------------------------------------
  // XRANGE, XREVRANGE, XLEN, XDEL, XSETID

  /** An interval bound: "-", "+", an ID, a bare ms, or "(" and an ID to exclude it. */
  static StreamId bound(byte[] arg, boolean start) {
    long missingSeq = start ? 0 : -1L;
    if (arg.length > 1 && arg[0] == '(') {
      StreamId id = StreamId.parseStrict(Arrays.copyOfRange(arg, 1, arg.length), missingSeq);
      StreamId moved = start ? id.next() : id.previous();
      if (moved == null) {
        throw new CommandException(
            start
                ? "ERR invalid start ID for the interval"
                : "ERR invalid end ID for the interval");
      }
      return moved;
    }
    return StreamId.parse(arg, missingSeq);
  }

  /** XRANGE key start end [COUNT count], XREVRANGE key end start [COUNT count] */
  static void xrange(CommandContext ctx, byte[][] argv, boolean rev) {
    StreamId start = bound(rev ? argv[3] : argv[2], true);
    StreamId end = bound(rev ? argv[2] : argv[3], false);
    long count = -1;
    for (int j = 4; j < argv.length; j++) {
      if (Args.is(argv[j], "COUNT") && j + 1 < argv.length) {
        count = Math.max(0, Args.parseLong(argv[++j]));
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    StreamValue s = read(ctx, argv[1]);
    if (s == null) {
      ctx.out().emptyArray();
    } else if (count == 0) {
      ctx.out().nullArray();
    } else {
      replyRange(ctx.out(), s, start, end, count == -1 ? 0 : count, rev);
    }
  }

  /** XLEN key */
  static void xlen(CommandContext ctx, byte[][] argv) {
    StreamValue s = read(ctx, argv[1]);
    ctx.out().integer(s == null ? 0 : s.length());
  }

  /** XDEL key id [id ...] */
  static void xdel(CommandContext ctx, byte[][] argv) {
    Key key = Key.of(argv[1]);
    StreamValue s = write(ctx, argv[1]);
    if (s == null) {
      ctx.out().integer(0);
      return;
    }
    StreamId[] ids = StreamId.parseAllStrict(argv, 2);
    int deleted = 0;
    for (StreamId id : ids) {
      if (s.delete(id)) {
        if (id.compareTo(s.maxDeletedId()) > 0) {
          s.maxDeletedId(id);
        }
        deleted++;
      }
    }
    if (deleted > 0) {
      ctx.modified(key);
      ctx.notify(KeyspaceEvents.STREAM, "xdel", key);
      ctx.propagate(argv);
    }
    ctx.out().integer(deleted);
  }

  /** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
  static void xsetid(CommandContext ctx, byte[][] argv) {
    StreamId id = StreamId.parseStrict(argv[2], 0);
    StreamId maxDeleted = StreamId.MIN;
    long entriesAdded = -1;
    for (int i = 3; i < argv.length; i++) {
      boolean more = i + 1 < argv.length;
      if (Args.is(argv[i], "ENTRIESADDED") && more) {
        entriesAdded = Args.parseLong(argv[++i]);
        if (entriesAdded < 0) {
          throw new CommandException("ERR entries_added must be positive");
        }
      } else if (Args.is(argv[i], "MAXDELETEDID") && more) {
        maxDeleted = StreamId.parseStrict(argv[++i], 0);
        if (id.compareTo(maxDeleted) < 0) {
          throw new CommandException(
              "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
        }
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    Key key = Key.of(argv[1]);
    StreamValue s = write(ctx, argv[1]);
    if (s == null) {
      throw new CommandException(Errors.NO_SUCH_KEY);
    }
    if (s.length() > 0) {
      if (id.compareTo(s.lastValidId()) < 0) {
        throw new CommandException(
            "ERR The ID specified in XSETID is smaller than the target stream top item");
      }
      if (entriesAdded != -1 && s.length() > entriesAdded) {
        throw new CommandException(
            "ERR The entries_added specified in XSETID is smaller than the target stream length");
      }
    }
    s.lastId(id);
    if (entriesAdded != -1) {
      s.entriesAdded(entriesAdded);
    }
    if (!maxDeleted.isZero()) {
      s.maxDeletedId(maxDeleted);
    }
    dirty(ctx);
    ctx.notify(KeyspaceEvents.STREAM, "xsetid", key);
    ctx.propagate(argv);
    ctx.out().ok();
  }

  // ---------------------------------------------------------------------------------------------
  // XREAD, XREADGROUP

  /**
   * XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]; XREADGROUP GROUP
   * group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
   */
  static void xread(CommandContext ctx, byte[][] argv) {
    boolean group = argv[0].length == 10;
    long deadline = -1;
    long count = 0;
    int streamsArg = 0;
    int streams = 0;
    boolean noAck = false;
    byte[] groupName = null;
    byte[] consumerName = null;
    for (int i = 1; i < argv.length; i++) {
      int more = argv.length - i - 1;
      byte[] o = argv[i];
      if (Args.is(o, "BLOCK") && more > 0) {
        if (ctx.fromScript()) {
          throw new CommandException(
              "ERR "
                  + Args.latin1(argv[0])
                  + " command is not allowed with BLOCK option from"
                  + " scripts");
        }
        i++;
        // Run again for a parked client, the wait keeps the deadline it was given (block() leaves
        // it waiting in its place): the timeout is not read again.
        deadline = ctx.serving() != null ? 0 : BlockingTimeout.deadlineMillis(argv[i], ctx.now());
      } else if (Args.is(o, "COUNT") && more > 0) {
        count = Math.max(0, Args.parseLong(argv[++i]));
      } else if (Args.is(o, "STREAMS") && more > 0) {
        streamsArg = i + 1;
        streams = argv.length - streamsArg;
        if (streams % 2 != 0) {
          throw new CommandException(
              "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be"
                  + " specified.");
        }
        streams /= 2;
        break;
      } else if (Args.is(o, "GROUP") && more >= 2) {
        if (!group) {
          throw new CommandException(
              "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        }
        groupName = argv[i + 1];
        consumerName = argv[i + 2];
        i += 2;
      } else if (Args.is(o, "NOACK")) {
        if (!group) {
          throw new CommandException(
              "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        }
        noAck = true;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    if (streamsArg == 0) {
      throw new CommandException(Errors.SYNTAX);
    }
    if (group && groupName == null) {
      throw new CommandException("ERR Missing GROUP option for XREADGROUP");
    }
    boolean serving = ctx.serving() != null;
    if (serving && count == 0) {
      count = BLOCKED_DEFAULT_COUNT;
    }
    StreamId[] ids = new StreamId[streams];
    ConsumerGroup[] groups = group ? new ConsumerGroup[streams] : null;
    StreamValue[] values = new StreamValue[streams];
    byte[][] rerun = null;
    // Run again for a parked client, the command answers for the stream whose key woke it, as
    // Redis serves a blocked reader key by key.
    Key ready = serving ? ctx.serving().readyKey() : null;
    for (int i = 0; i < streams; i++) {
      byte[] keyArg = argv[streamsArg + i];
      byte[] idArg = argv[streamsArg + streams + i];
      if (ready != null && !ready.equals(Key.of(keyArg))) {
        continue;
      }
      StreamValue s;
      if (serving) {
        // Run again for a parked client: a key that no longer holds a stream is no stream.
        StoredValue v = ctx.db().lookupRead(Key.of(keyArg), ctx.now());
        s = v instanceof StreamValue sv ? sv : null;
        if (group && s == null) {
          throw new CommandException(STREAM_GONE);
        }
      } else {
        s = read(ctx, keyArg);
      }
      values[i] = s;
      if (group) {
        ConsumerGroup g = s == null ? null : s.group(groupName);
        if (g == null) {
          if (serving) {
            throw new CommandException(GROUP_GONE);
          }
          throw new CommandException(
              "NOGROUP No such key '"
                  + Args.latin1(keyArg)
                  + "' or consumer group '"
                  + Args.latin1(groupName)
                  + "' in XREADGROUP with GROUP option");
        }
        groups[i] = g;
      }
      if (idArg.length == 1 && idArg[0] == '$') {
        if (group) {
          throw new CommandException(
              "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the"
                  + " history of this consumer by specifying a proper ID, or use the > ID to get"
                  + " new messages. The $ ID would just return an empty result set.");
        }
        ids[i] = s == null ? StreamId.MIN : s.lastId();
        if (rerun == null) {
          rerun = argv.clone();
        }
        rerun[streamsArg + streams + i] = ids[i].bytes();
        continue;
      }
      if (idArg.length == 1 && idArg[0] == '>') {
        if (!group) {
          throw new CommandException(
              "ERR The > ID can be specified only when calling XREADGROUP using the GROUP"
                  + " <group> <consumer> option.");
        }
        ids[i] = StreamId.MAX;
        continue;
      }
      ids[i] = StreamId.parseStrict(idArg, 0);
    }

    RespWriter out = ctx.out();
    List<byte[][]> effects = group ? new ArrayList<>() : null;
    // The reply's length comes first. With distinct keys, whether a stream will be served can be
    // told before serving any; a key named twice may be served by its first mention only (the
    // group has moved on), so then the streams are written aside and counted as they go.
    boolean repeated = repeatedKeys(argv, streamsArg, streams);
    int total = 0;
    if (!repeated) {
      for (int i = 0; i < streams; i++) {
        if (servable(values[i], ids[i], group ? groups[i] : null, serving)) {
          total++;
        }
      }
      if (total > 0) {
        header(out, total);
      }
    }
    io.netty.buffer.ByteBuf aside = null;
    RespWriter w = out;
    if (repeated) {
      aside = io.netty.buffer.Unpooled.buffer(256);
      w = new RespWriter(aside, out.protocol());
    }
    int served = 0;
    try {
      for (int i = 0; i < streams; i++) {
        StreamValue s = values[i];
        if (!servable(s, ids[i], group ? groups[i] : null, serving)) {
          continue;
        }
        served++;
        StreamId gt = group && ids[i].equals(StreamId.MAX) ? groups[i].lastId : ids[i];
        if (!w.isResp3()) {
          w.arrayHeader(2);
        }
        w.bulk(argv[streamsArg + i]);
        StreamId start = gt.next();
        if (!group) {
          replyRange(w, s, start == null ? StreamId.MAX : start, StreamId.MAX, count, false);
          continue;
        }
        ConsumerGroup g = groups[i];
        Key key = Key.of(argv[streamsArg + i]);
        ConsumerGroup.Consumer consumer = g.consumers.get(consumerName);
        long now = ctx.now();
        if (consumer == null) {
          consumer = g.consumer(consumerName, now);
          ctx.notify(KeyspaceEvents.STREAM, "xgroup-createconsumer", key);
          if (noAck) {
            effects.add(
                new byte[][] {
                  XGROUP, CREATECONSUMER, argv[streamsArg + i], groupName, consumerName
                });
          }
        } else {
          consumer.seenTime = now;
        }
        if (!ids[i].equals(StreamId.MAX)) {
          replyHistory(w, s, consumer, start == null ? StreamId.MAX : start, count, now);
        } else {
          deliver(w, s, g, consumer, start, count, noAck, now, argv[streamsArg + i], effects);
        }
        dirty(ctx);
      }
      if (repeated && served > 0) {
        w.flush();
        header(out, served);
        out.raw(io.netty.buffer.ByteBufUtil.getBytes(aside));
      }
    } finally {
      if (aside != null) {
        aside.release();
      }
    }
    if (served > 0) {
      if (group) {
        ctx.propagate(effects);
      }
      return;
    }
    if (group && !effects.isEmpty()) {
      ctx.propagate(effects);
    }
    if (deadline != -1) {
      if (!ctx.mayBlock()) {
        out.nullArray();
        return;
      }
      Key[] keys = new Key[streams];
      for (int i = 0; i < streams; i++) {
        keys[i] = Key.of(argv[streamsArg + i]);
      }
      ctx.block(keys, deadline, RespWriter::nullArray, rerun == null ? argv : rerun);
      return;
    }
    out.nullArray();
  }

  /**
   * Whether XREAD(GROUP) has something for stream {@code s} after {@code gt} ({@link StreamId#MAX}
   * for XREADGROUP's ">"). A first call needs a live entry past it; a parked client run again is
   * served once the stream's last ID moved past it, even if that entry is gone (then with no
   * entries), as Redis serves it.
   */
  private static boolean servable(StreamValue s, StreamId gt, ConsumerGroup g, boolean serving) {
    if (s == null) {
      return false;
    }
    if (g != null && !gt.equals(StreamId.MAX)) {
      return true;
    }
    StreamId after = g != null ? g.lastId : gt;
    if (serving) {
      return s.lastId().compareTo(after) > 0;
    }
    return s.length() > 0 && s.lastValidId().compareTo(after) > 0;
  }

  private static void header(RespWriter out, int streams) {
    if (out.isResp3()) {
      out.mapHeader(streams);
    } else {
      out.arrayHeader(streams);
    }
  }

  /** Whether a key appears twice among XREAD's {@code streams} keys from {@code at}. */
  private static boolean repeatedKeys(byte[][] argv, int at, int streams) {
    if (streams < 2) {
      return false;
    }
    java.util.Set<Key> seen = new java.util.HashSet<>();
    for (int i = 0; i < streams; i++) {
      if (!seen.add(Key.of(argv[at + i]))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Replies with the consumer's own pending entries from {@code start} (XREADGROUP with an ID),
   * counting each as delivered once more; an entry deleted since comes as its ID and a null.
   */
  private static void replyHistory(
      RespWriter out,
      StreamValue s,
      ConsumerGroup.Consumer consumer,
      StreamId start,
      long count,
      long now) {
    List<Map.Entry<StreamId, ConsumerGroup.Pending>> shown =
        first(consumer.pel.tailMap(start, true), count);
    out.arrayHeader(shown.size());
    for (Map.Entry<StreamId, ConsumerGroup.Pending> e : shown) {
      StreamValue.Ref r = s.find(e.getKey());
      if (r == null) {
        out.arrayHeader(2);
        id(out, e.getKey());
        out.nullArray();
      } else {
        r.write(out);
        e.getValue().deliveryTime = now;
        e.getValue().deliveryCount++;
      }
    }
  }

  /**
   * Delivers new entries to a consumer (Redis's streamReplyWithRange with a group): moves the
   * group's last ID and read counter on, and unless {@code noAck} makes each entry pending for the
   * consumer (taking it from another consumer that had it), adding the effects that reproduce it.
   */
  private static void deliver(
      RespWriter out,
      StreamValue s,
      ConsumerGroup g,
      ConsumerGroup.Consumer consumer,
      StreamId start,
      long count,
      boolean noAck,
      long now,
      byte[] key,
      List<byte[][]> effects) {
    List<StreamValue.Ref> shown =
        start == null ? List.of() : s.range(start, StreamId.MAX, false, count);
    out.arrayHeader(shown.size());
    boolean moved = false;
    for (StreamValue.Ref r : shown) {
      StreamId id = r.id();
      if (id.compareTo(g.lastId) > 0) {
        if (g.entriesRead != ConsumerGroup.INVALID_ENTRIES_READ && !s.tombstonesFrom(id)) {
          g.entriesRead++;
        } else if (s.entriesAdded() != 0) {
          g.entriesRead = s.distanceFromFirstEver(id);
        }
        g.lastId = id;
        moved = true;
      }
      r.write(out);
      if (!noAck) {
        ConsumerGroup.Pending p = g.pel.get(id);
        if (p == null) {
          p = new ConsumerGroup.Pending(now, 1, consumer);
          g.pel.put(id, p);
        } else {
          if (p.consumer != null) {
            p.consumer.pel.remove(id);
          }
          p.consumer = consumer;
          p.deliveryTime = now;
          p.deliveryCount = 1;
        }
        consumer.pel.put(id, p);
        effects.add(claimEffect(key, g, id, p));
      }
    }
    if (moved) {
      // Redis propagates the group's position only under NOACK (the claims carry it otherwise);
      // the read counter rides along here in both cases, so a replayed group's lag is right too.
      effects.add(setIdEffect(key, g));
    }
  }

  /**
   * The XCLAIM that reproduces pending entry {@code id} as it is now (Redis's
   * streamPropagateXCLAIM): XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID
   * last-id.
   */
  static byte[][] claimEffect(byte[] key, ConsumerGroup g, StreamId id, ConsumerGroup.Pending p) {
    return new byte[][] {
      XCLAIM,
      key,
      g.name,
      p.consumer.name,
      ZERO,
      id.bytes(),
      TIME,
      Args.bytes(Long.toString(p.deliveryTime)),
      RETRYCOUNT,
      Args.bytes(Long.toString(p.deliveryCount)),
      FORCE,
      JUSTID,
      LASTID,
      g.lastId.bytes()
    };
  }

  /** XGROUP SETID key group last-id ENTRIESREAD n: the group's position as it is now. */
  static byte[][] setIdEffect(byte[] key, ConsumerGroup g) {
    return new byte[][] {
      XGROUP,
      SETID,
      key,
      g.name,
      g.lastId.bytes(),
      ENTRIESREAD,
      Args.bytes(Long.toString(g.entriesRead))
    };
  }

  // ---------------------------------------------------------------------------------------------
  // XACK, XPENDING, XCLAIM, XAUTOCLAIM

  /** The error for a missing key or group, as XPENDING, XCLAIM and XAUTOCLAIM word it. */
  static CommandException noGroup(byte[] key, byte[] group) {
    return new CommandException(
        "NOGROUP No such key '"
            + Args.latin1(key)
            + "' or consumer group '"
            + Args.latin1(group)
            + "'");
  }

  /** XACK key group id [id ...] */
  static void xack(CommandContext ctx, byte[][] argv) {
    StreamValue s = read(ctx, argv[1]);
    ConsumerGroup g = s == null ? null : s.group(argv[2]);
    if (g == null) {
      ctx.out().integer(0);
      return;
    }
    StreamId[] ids = StreamId.parseAllStrict(argv, 3);
    int acked = 0;
    for (StreamId id : ids) {
      ConsumerGroup.Pending p = g.pel.remove(id);
      if (p != null) {
        if (p.consumer != null) {
          p.consumer.pel.remove(id);
        }
        acked++;
      }
    }
    if (acked > 0) {
      dirty(ctx);
      ctx.propagate(argv);
    }
    ctx.out().integer(acked);
  }

  /** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
  static void xpending(CommandContext ctx, byte[][] argv) {
    boolean summary = argv.length == 3;
    if (argv.length != 3 && (argv.length < 6 || argv.length > 9)) {
      throw new CommandException(Errors.SYNTAX);
    }
    long minIdle = 0;
    long count = 0;
    StreamId start = null;
    StreamId end = null;
    byte[] consumerName = null;
    if (!summary) {
      int at = 3;
      if (Args.is(argv[3], "IDLE")) {
        minIdle = Args.parseLong(argv[4]);
        if (argv.length < 8) {
          throw new CommandException(Errors.SYNTAX);
        }
        at += 2;
      }
      count = Math.max(0, Args.parseLong(argv[at + 2]));
      start = bound(argv[at], true);
      end = bound(argv[at + 1], false);
      if (at + 3 < argv.length) {
        consumerName = argv[at + 3];
      }
    }
    StreamValue s = read(ctx, argv[1]);
    ConsumerGroup g = s == null ? null : s.group(argv[2]);
    if (g == null) {
      throw noGroup(argv[1], argv[2]);
    }
    RespWriter out = ctx.out();
    if (summary) {
      out.arrayHeader(4);
      out.integer(g.pel.size());
      if (g.pel.isEmpty()) {
        out.nullBulk();
        out.nullBulk();
        out.nullArray();
        return;
      }
      id(out, g.pel.firstKey());
      id(out, g.pel.lastKey());
      int owners = 0;
      for (ConsumerGroup.Consumer c : g.consumers.values()) {
        if (!c.pel.isEmpty()) {
          owners++;
        }
      }
      out.arrayHeader(owners);
      for (ConsumerGroup.Consumer c : g.consumers.values()) {
        if (!c.pel.isEmpty()) {
          out.arrayHeader(2);
          out.bulk(c.name);
          out.bulkLong(c.pel.size());
        }
      }
      return;
    }
    NavigableMap<StreamId, ConsumerGroup.Pending> pel = g.pel;
    if (consumerName != null) {
      ConsumerGroup.Consumer c = g.consumers.get(consumerName);
      if (c == null) {
        out.emptyArray();
        return;
      }
      pel = c.pel;
    }
    long now = ctx.now();
    List<Map.Entry<StreamId, ConsumerGroup.Pending>> shown = new ArrayList<>();
    if (start.compareTo(end) <= 0) {
      for (Map.Entry<StreamId, ConsumerGroup.Pending> e :
          pel.subMap(start, true, end, true).entrySet()) {
        if (shown.size() >= count) {
          break;
        }
        if (minIdle != 0 && now - e.getValue().deliveryTime < minIdle) {
          continue;
        }
        shown.add(e);
      }
    }
    out.arrayHeader(shown.size());
    for (Map.Entry<StreamId, ConsumerGroup.Pending> e : shown) {
      ConsumerGroup.Pending p = e.getValue();
      out.arrayHeader(4);
      id(out, e.getKey());
      out.bulk(p.consumer.name);
      out.integer(Math.max(0, now - p.deliveryTime));
      out.integer(p.deliveryCount);
    }
  }

  /**
   * XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
   * [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
   */
  static void xclaim(CommandContext ctx, byte[][] argv) {
    StreamValue s = read(ctx, argv[1]);
    ConsumerGroup g = s == null ? null : s.group(argv[2]);
    if (g == null) {
      throw noGroup(argv[1], argv[2]);
    }
    long minIdle =
        Math.max(0, Args.parseLong(argv[4], "ERR Invalid min-idle-time argument for XCLAIM"));
    List<StreamId> ids = new ArrayList<>();
    int j = 5;
    for (; j < argv.length; j++) {
      try {
        ids.add(StreamId.parseStrict(argv[j], 0));
      } catch (CommandException e) {
        break;
      }
    }
    long now = ctx.now();
    long deliveryTime = -1;
    long retryCount = -1;
    boolean force = false;
    boolean justId = false;
    StreamId lastId = StreamId.MIN;
    for (; j < argv.length; j++) {
      boolean more = j + 1 < argv.length;
      byte[] opt = argv[j];
      if (Args.is(opt, "FORCE")) {
        force = true;
      } else if (Args.is(opt, "JUSTID")) {
        justId = true;
      } else if (Args.is(opt, "IDLE") && more) {
        deliveryTime =
            now - Args.parseLong(argv[++j], "ERR Invalid IDLE option argument for XCLAIM");
      } else if (Args.is(opt, "TIME") && more) {
        deliveryTime = Args.parseLong(argv[++j], "ERR Invalid TIME option argument for XCLAIM");
      } else if (Args.is(opt, "RETRYCOUNT") && more) {
        retryCount = Args.parseLong(argv[++j], "ERR Invalid RETRYCOUNT option argument for XCLAIM");
      } else if (Args.is(opt, "LASTID") && more) {
        lastId = StreamId.parseStrict(argv[++j], 0);
      } else {
        throw new CommandException("ERR Unrecognized XCLAIM option '" + Args.latin1(opt) + "'");
      }
    }
    boolean propagateLastId = false;
    if (lastId.compareTo(g.lastId) > 0) {
      g.lastId = lastId;
      propagateLastId = true;
    }
    if (deliveryTime == -1 || deliveryTime < 0 || deliveryTime > now) {
      deliveryTime = now;
    }
    Key key = Key.of(argv[1]);
    List<byte[][]> effects = new ArrayList<>();
    ConsumerGroup.Consumer consumer = null;
    List<StreamId> claimed = new ArrayList<>();
    for (StreamId id : ids) {
      ConsumerGroup.Pending p = g.pel.get(id);
      if (s.find(id) == null) {
        if (p != null) {
          // The entry is gone: the pending entry goes too, and so does a replica's.
          dropGone(effects, argv, g, id, p, now);
          propagateLastId = false;
        }
        continue;
      }
      if (force && p == null) {
        p = new ConsumerGroup.Pending(now, 1, null);
        g.pel.put(id, p);
      }
      if (p == null) {
        continue;
      }
      if (p.consumer != null && minIdle != 0 && now - p.deliveryTime < minIdle) {
        continue;
      }
      if (consumer == null) {
        consumer = claimant(ctx, key, g, argv[3], now);
      }
      give(p, id, consumer, deliveryTime, retryCount, justId);
      claimed.add(id);
      effects.add(claimEffect(argv[1], g, id, p));
      propagateLastId = false;
    }
    if (propagateLastId) {
      effects.add(setIdEffect(argv[1], g));
    }
    RespWriter out = ctx.out();
    out.arrayHeader(claimed.size());
    for (StreamId id : claimed) {
      if (justId) {
        id(out, id);
      } else {
        s.find(id).write(out);
      }
    }
    if (!effects.isEmpty()) {
      dirty(ctx);
      ctx.propagate(effects);
    }
  }

  /** The consumer XCLAIM and XAUTOCLAIM give entries to, made if new (and announced), seen now. */
  private static ConsumerGroup.Consumer claimant(
      CommandContext ctx, Key key, ConsumerGroup g, byte[] name, long now) {
    ConsumerGroup.Consumer c = g.consumers.get(name);
    if (c == null) {
      c = g.consumer(name, now);
      ctx.notify(KeyspaceEvents.STREAM, "xgroup-createconsumer", key);
    } else {
      c.seenTime = now;
    }
    return c;
  }

  /**
   * Gives pending entry {@code id} to {@code consumer}, delivered at {@code deliveryTime}: its
   * delivery count becomes {@code retryCount} when that is given (not negative), else grows by one
   * unless {@code justId}.
   */
  private static void give(
      ConsumerGroup.Pending p,
      StreamId id,
      ConsumerGroup.Consumer consumer,
      long deliveryTime,
      long retryCount,
      boolean justId) {
    if (p.consumer != consumer && p.consumer != null) {
      p.consumer.pel.remove(id);
    }
    p.deliveryTime = deliveryTime;
    if (retryCount >= 0) {
      p.deliveryCount = retryCount;
    } else if (!justId) {
      p.deliveryCount++;
    }
    p.consumer = consumer;
    consumer.pel.put(id, p);
  }

  /**
   * Drops the pending entry of an entry that no longer exists, with the XCLAIM that makes a replay
   * drop it too. A pending entry has an owner once any command has run on it; one restored without
   * is given to the claiming consumer for the effect's sake.
   */
  private static void dropGone(
      List<byte[][]> effects,
      byte[][] argv,
      ConsumerGroup g,
      StreamId id,
      ConsumerGroup.Pending p,
      long now) {
    if (p.consumer == null) {
      p.consumer = g.consumer(argv[3], now);
    }
    effects.add(claimEffect(argv[1], g, id, p));
    g.pel.remove(id);
    p.consumer.pel.remove(id);
  }

  /** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
  static void xautoclaim(CommandContext ctx, byte[][] argv) {
    long minIdle =
        Math.max(0, Args.parseLong(argv[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM"));
    StreamId start = bound(argv[5], true);
    long count = 100;
    boolean justId = false;
    for (int j = 6; j < argv.length; j++) {
      boolean more = j + 1 < argv.length;
      if (Args.is(argv[j], "COUNT") && more) {
        long max = Long.MAX_VALUE / 16;
        long c = Args.parseLong(argv[++j], "ERR COUNT must be > 0");
        if (c < 1 || c > max) {
          throw new CommandException("ERR COUNT must be > 0");
        }
        count = c;
      } else if (Args.is(argv[j], "JUSTID")) {
        justId = true;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    StreamValue s = read(ctx, argv[1]);
    ConsumerGroup g = s == null ? null : s.group(argv[2]);
    if (g == null) {
      throw noGroup(argv[1], argv[2]);
    }
    Key key = Key.of(argv[1]);
    long now = ctx.now();
    long attempts = count * 10;
    List<byte[][]> effects = new ArrayList<>();
    List<StreamId> claimed = new ArrayList<>();
    List<StreamId> deleted = new ArrayList<>();
    ConsumerGroup.Consumer consumer = null;
    StreamId next = start;
    StreamId cursor = null;
    while (attempts-- > 0 && count > 0) {
      Map.Entry<StreamId, ConsumerGroup.Pending> e = next == null ? null : g.pel.ceilingEntry(next);
      if (e == null) {
        next = null;
        break;
      }
      StreamId id = e.getKey();
      ConsumerGroup.Pending p = e.getValue();
      next = id.next();
      if (s.find(id) == null) {
        dropGone(effects, argv, g, id, p, now);
        deleted.add(id);
        count--;
        continue;
      }
      if (minIdle != 0 && now - p.deliveryTime < minIdle) {
        continue;
      }
      if (consumer == null) {
        consumer = claimant(ctx, key, g, argv[3], now);
      }
      give(p, id, consumer, now, -1, justId);
      claimed.add(id);
      count--;
      effects.add(claimEffect(argv[1], g, id, p));
    }
    if (next != null) {
      StreamId after = g.pel.ceilingKey(next);
      cursor = after;
    }
    RespWriter out = ctx.out();
    out.arrayHeader(3);
    id(out, cursor == null ? StreamId.MIN : cursor);
    out.arrayHeader(claimed.size());
    for (StreamId id : claimed) {
      if (justId) {
        id(out, id);
      } else {
        s.find(id).write(out);
      }
    }
    out.arrayHeader(deleted.size());
    for (StreamId id : deleted) {
      id(out, id);
    }
    if (!effects.isEmpty()) {
      dirty(ctx);
      ctx.propagate(effects);
    }
  }

  /**
   * Counts a change that Redis makes without signalModifiedKey (the consumer groups' bookkeeping):
   * it counts for SAVE's change count, it does not touch WATCHed keys.
   */
  static void dirty(CommandContext ctx) {
    ctx.server().stats().dirty.increment();
  }
}
