package io.toridb.core.string;

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
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.protocol.RespWriter;
import java.util.List;

/**
 * String commands, Redis 7.0's string family: GET/SET and their variants, MGET/MSET, APPEND,
 * STRLEN, GETRANGE/SETRANGE, LCS. The counters (INCR, INCRBYFLOAT, ...) are in {@link
 * CounterCommands}.
 */
public final class StringCommands {
  private StringCommands() {}

  // Option bits of SET and GETEX, one per keyword.
  static final int NX = 1;
  static final int XX = 1 << 1;
  static final int EX = 1 << 2;
  static final int PX = 1 << 3;
  static final int KEEPTTL = 1 << 4;
  static final int GET = 1 << 5;
  static final int EXAT = 1 << 6;
  static final int PXAT = 1 << 7;
  static final int PERSIST = 1 << 8;
  private static final int ANY_EXPIRE = EX | PX | EXAT | PXAT;

  static final String OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
  static final String TOO_BIG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
  static final String LCS_NOT_STRINGS = "ERR The specified keys must contain string values";
  static final String LCS_LEN_AND_IDX =
      "ERR If you want both the length and indexes, please just use IDX.";
  static final String LCS_TOO_BIG =
      "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
  static final String LCS_NO_MEMORY =
      "ERR Insufficient memory, failed allocating transient memory for LCS";

  private static final String INVALID_EXPIRE_SET = String.format(Errors.INVALID_EXPIRE, "set");
  private static final String INVALID_EXPIRE_SETEX = String.format(Errors.INVALID_EXPIRE, "setex");
  private static final String INVALID_EXPIRE_PSETEX =
      String.format(Errors.INVALID_EXPIRE, "psetex");
  private static final String INVALID_EXPIRE_GETEX = String.format(Errors.INVALID_EXPIRE, "getex");

  static final byte[] SET = Args.bytes("SET");
  private static final byte[] PXAT_ARG = Args.bytes("PXAT");
  private static final byte[] DEL = Args.bytes("DEL");
  private static final byte[] PEXPIREAT = Args.bytes("PEXPIREAT");
  private static final byte[] PERSIST_CMD = Args.bytes("PERSIST");
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] MATCHES = Args.bytes("matches");
  private static final byte[] LEN = Args.bytes("len");

  /** Below the smallest proto-max-bulk-len allowed, so no need to read the setting. */
  private static final long ALWAYS_ALLOWED_LENGTH = 1024 * 1024;

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("get", 2)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .group("string")
            .doc("Returns the string value of a key.", "1.0.0", "O(1)")
            .handler(StringCommands::get));
    t.add(
        CommandSpec.builder("set", -3)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update", "variable_flags")
            .keyNotes("RW and ACCESS due to the optional `GET` argument")
            .keyFlagsForCall(StringCommands::setKeyFlags)
            .group("string")
            .doc(
                "Sets the string value of a key, ignoring its type. The key is created if it"
                    + " doesn't exist.",
                "1.0.0",
                "O(1)")
            .handler(StringCommands::set));
    t.add(
        CommandSpec.builder("setnx", 3)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("OW", "insert")
            .group("string")
            .doc("Sets the string value of a key only when the key doesn't exist.", "1.0.0", "O(1)")
            .handler(StringCommands::setnx));
    t.add(
        CommandSpec.builder("setex", 4)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keyFlags("OW", "update")
            .group("string")
            .doc("Sets the string value and expiration time in seconds of a key.", "2.0.0", "O(1)")
            .handler((ctx, argv) -> setex(ctx, argv, false)));
    t.add(
        CommandSpec.builder("psetex", 4)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keyFlags("OW", "update")
            .group("string")
            .doc(
                "Sets the string value and expiration time in milliseconds of a key.",
                "2.6.0",
                "O(1)")
            .handler((ctx, argv) -> setex(ctx, argv, true)));
    t.add(
        CommandSpec.builder("getset", 3)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .group("string")
            .doc(
                "Returns the previous string value of a key after setting it to a new value.",
                "1.0.0",
                "O(1)")
            .handler(StringCommands::getset));
    t.add(
        CommandSpec.builder("getdel", 2)
            .flags(WRITE | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "delete")
            .group("string")
            .doc("Returns the string value of a key after deleting the key.", "6.2.0", "O(1)")
            .handler(StringCommands::getdel));
    t.add(
        CommandSpec.builder("getex", -2)
            .flags(WRITE | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .keyNotes("RW and UPDATE because it changes the TTL")
            .group("string")
            .doc(
                "Returns the string value of a key after setting its expiration time.",
                "6.2.0",
                "O(1)")
            .handler(StringCommands::getex));
    t.add(
        CommandSpec.builder("mget", -2)
            .flags(READONLY | FAST)
            .keys(1, -1, 1)
            .tips("request_policy:multi_shard")
            .group("string")
            .doc(
                "Atomically returns the string values of one or more keys.",
                "1.0.0",
                "O(N) where N is the number of keys to retrieve.")
            .handler(StringCommands::mget));
    t.add(
        CommandSpec.builder("mset", -3)
            .flags(WRITE | DENYOOM)
            .keys(1, -1, 2)
            .keyFlags("OW", "update")
            .tips("request_policy:multi_shard", "response_policy:all_succeeded")
            .group("string")
            .doc(
                "Atomically creates or modifies the string values of one or more keys.",
                "1.0.1",
                "O(N) where N is the number of keys to set.")
            .handler((ctx, argv) -> mset(ctx, argv, false)));
    t.add(
        CommandSpec.builder("msetnx", -3)
            .flags(WRITE | DENYOOM)
            .keys(1, -1, 2)
            .keyFlags("OW", "insert")
            .tips("request_policy:multi_shard", "response_policy:agg_min")
            .group("string")
            .doc(
                "Atomically sets the string values of one or more keys only when none of the keys"
                    + " exist.",
                "1.0.1",
                "O(N) where N is the number of keys to set.")
            .handler((ctx, argv) -> mset(ctx, argv, true)));
    t.add(
        CommandSpec.builder("append", 3)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "insert")
            .group("string")
            .doc(
                "Appends a string to the value of a key. Creates the key if it doesn't exist.",
                "2.0.0",
                "O(1). The amortized time complexity is O(1) assuming the appended value is small"
                    + " and the already present value is of any size.")
            .handler(StringCommands::append));
    t.add(
        CommandSpec.builder("strlen", 2)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO")
            .group("string")
            .doc("Returns the length of a string value.", "2.2.0", "O(1)")
            .handler(StringCommands::strlen));
    t.add(
        CommandSpec.builder("getrange", 4)
            .flags(READONLY)
            .keys(1, 1, 1)
            .group("string")
            .doc(
                "Returns a substring of the string stored at a key.",
                "2.4.0",
                "O(N) where N is the length of the returned string.")
            .handler(StringCommands::getrange));
    t.add(
        CommandSpec.builder("substr", 4)
            .flags(READONLY)
            .keys(1, 1, 1)
            .group("string")
            .doc(
                "Returns a substring from a string value (deprecated: use GETRANGE).",
                "1.0.0",
                "O(N) where N is the length of the returned string.")
            .handler(StringCommands::getrange));
    t.add(
        CommandSpec.builder("setrange", 4)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keyFlags("RW", "update")
            .group("string")
            .doc(
                "Overwrites a part of a string value with another by an offset. Creates the key if"
                    + " it doesn't exist.",
                "2.2.0",
                "O(1), not counting the time taken to copy the new string in place. Otherwise,"
                    + " complexity is O(M) with M being the length of the value argument.")
            .handler(StringCommands::setrange));
    t.add(
        CommandSpec.builder("lcs", -3)
            .flags(READONLY)
            .keys(1, 2, 1)
            .group("string")
            .doc(
                "Finds the longest common subsequence of the values of two keys.",
                "7.0.0",
                "O(N*M) where N and M are the lengths of s1 and s2, respectively")
            .handler(StringCommands::lcs));
    CounterCommands.register(t);
    BitmapCommands.register(t);
  }

  // ---------------------------------------------------------------------------------------------
  // Shared helpers

  /** The value as a string, or WRONGTYPE; null stays null. */
  static StringValue asString(StoredValue v) {
    return StoredValue.as(v, StringValue.class);
  }

  /** The string at {@code key} looked up for reading (hit/miss counted), null if missing. */
  static StringValue readString(CommandContext ctx, Key key) {
    return asString(ctx.db().lookupRead(key, ctx.now()));
  }

  /** Stores a new key or a value with no expiry (SET without KEEPTTL clears any old one). */
  static void store(Database db, Key key, StringValue value, long now) {
    value.touch(now);
    db.put(key, value);
  }

  /**
   * Stores a new version of an existing value, keeping its expiry, as Redis's in-place edits and
   * dbOverwrite do (INCR, APPEND, SETRANGE, INCRBYFLOAT).
   */
  static void replace(Database db, Key key, StoredValue old, StringValue value, long now) {
    value.touch(now);
    if (old != null && old.hasExpiry()) {
      db.setExpire(key, value, old.expireAt());
    }
    db.put(key, value);
  }

  /**
   * Refuses a string that would grow past proto-max-bulk-len, as Redis's checkStringLength (not for
   * a write replayed from the log, see {@link CommandContext#replaying}), or past the largest array
   * the JVM makes.
   */
  static void checkStringLength(CommandContext ctx, long size, long append) {
    long total = size + append;
    if (total < size) {
      throw new CommandException(TOO_BIG);
    }
    if (total <= ALWAYS_ALLOWED_LENGTH) {
      return;
    }
    if ((!ctx.replaying() && total > ctx.server().config().number("proto-max-bulk-len"))
        || total > StringValue.MAX_ARRAY) {
      throw new CommandException(TOO_BIG);
    }
  }

  /**
   * Parses the options of SET (from argv[3]) or GETEX (from argv[2]) with Redis's rules: each
   * expiry form excludes the others and KEEPTTL/PERSIST, NX excludes XX, any repetition of the same
   * option is accepted.
   *
   * @return the option bits in the low 32 bits, the index of the expiry argument (0 if none) in the
   *     high 32 bits
   */
  static long parseOptions(byte[][] argv, boolean forSet) {
    int flags = 0;
    int expireIndex = 0;
    for (int j = forSet ? 3 : 2; j < argv.length; j++) {
      byte[] opt = argv[j];
      boolean hasNext = j < argv.length - 1;
      int unit = 0;
      if (forSet && Args.is(opt, "NX") && (flags & XX) == 0) {
        flags |= NX;
      } else if (forSet && Args.is(opt, "XX") && (flags & NX) == 0) {
        flags |= XX;
      } else if (forSet && Args.is(opt, "GET")) {
        flags |= GET;
      } else if (forSet && Args.is(opt, "KEEPTTL") && (flags & (PERSIST | ANY_EXPIRE)) == 0) {
        flags |= KEEPTTL;
      } else if (!forSet && Args.is(opt, "PERSIST") && (flags & (KEEPTTL | ANY_EXPIRE)) == 0) {
        flags |= PERSIST;
      } else if (Args.is(opt, "EX")) {
        unit = EX;
      } else if (Args.is(opt, "PX")) {
        unit = PX;
      } else if (Args.is(opt, "EXAT")) {
        unit = EXAT;
      } else if (Args.is(opt, "PXAT")) {
        unit = PXAT;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
      if (unit != 0) {
        if (!hasNext || (flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~unit))) != 0) {
          throw new CommandException(Errors.SYNTAX);
        }
        flags |= unit;
        expireIndex = ++j;
      }
    }
    return flags | ((long) expireIndex << 32);
  }

  /**
   * The absolute expiry time in Unix ms for an EX/PX/EXAT/PXAT argument, refusing what Redis
   * refuses: non-integers, values of 0 or less, and values whose conversion overflows.
   */
  static long expireTime(CommandContext ctx, byte[] arg, int flags, String invalidError) {
    long when = Args.parseLong(arg);
    boolean seconds = (flags & (EX | EXAT)) != 0;
    if (when <= 0 || (seconds && when > Long.MAX_VALUE / 1000)) {
      throw new CommandException(invalidError);
    }
    if (seconds) {
      when *= 1000;
    }
    if ((flags & (EX | PX)) != 0) {
      when += ctx.now(); // Wraps negative on overflow, caught below as Redis does.
    }
    if (when <= 0) {
      throw new CommandException(invalidError);
    }
    return when;
  }

  // ---------------------------------------------------------------------------------------------
  // GET and SET

  /** GET key */
  static void get(CommandContext ctx, byte[][] argv) {
    StringValue s = readString(ctx, Key.of(argv[1]));
    if (s == null) {
      ctx.out().nullBulk();
    } else {
      s.reply(ctx.out());
    }
  }

  private static final List<String> SET_GET_KEY_FLAGS = List.of("RW", "access", "update");
  private static final List<String> SET_KEY_FLAGS = List.of("OW", "update");

  /**
   * SET's key flags for one call: it reads the old value only with GET, otherwise it overwrites the
   * key without looking. Like Redis, any argument after the value spelled GET counts.
   */
  static List<String> setKeyFlags(byte[][] argv) {
    for (int i = 3; i < argv.length; i++) {
      if (Args.is(argv[i], "GET")) {
        return SET_GET_KEY_FLAGS;
      }
    }
    return SET_KEY_FLAGS;
  }

  /**
   * SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT
   * unix-time-milliseconds | KEEPTTL]
   */
  static void set(CommandContext ctx, byte[][] argv) {
    int flags = 0;
    long when = StoredValue.NO_EXPIRY;
    if (argv.length > 3) {
      long parsed = parseOptions(argv, true);
      flags = (int) parsed;
      int expireIndex = (int) (parsed >>> 32);
      if (expireIndex != 0) {
        when = expireTime(ctx, argv[expireIndex], flags, INVALID_EXPIRE_SET);
      }
    }
    setGeneric(ctx, argv, flags, argv[1], argv[2], when, false);
  }

  /** SETNX key value */
  static void setnx(CommandContext ctx, byte[][] argv) {
    setGeneric(ctx, argv, NX, argv[1], argv[2], StoredValue.NO_EXPIRY, true);
  }

  /** SETEX key seconds value, PSETEX key milliseconds value */
  static void setex(CommandContext ctx, byte[][] argv, boolean millis) {
    int flags = millis ? PX : EX;
    long when =
        expireTime(ctx, argv[2], flags, millis ? INVALID_EXPIRE_PSETEX : INVALID_EXPIRE_SETEX);
    setGeneric(ctx, argv, flags, argv[1], argv[3], when, false);
  }

  /**
   * What SET, SETNX, SETEX and PSETEX share. {@code when} is an absolute expiry or NO_EXPIRY;
   * {@code integerReply} makes the reply 1/0 (SETNX) instead of OK/null.
   */
  private static void setGeneric(
      CommandContext ctx,
      byte[][] argv,
      int flags,
      byte[] keyBytes,
      byte[] valueBytes,
      long when,
      boolean integerReply) {
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(keyBytes);
    boolean withGet = (flags & GET) != 0;
    StoredValue old = null;
    StringValue previous = null;
    if (withGet) {
      old = db.lookupRead(key, now);
      previous = asString(old);
    } else if ((flags & (NX | XX | KEEPTTL)) != 0) {
      old = db.lookupWrite(key, now);
    }
    // A plain SET needs no lookup: put replaces whatever is there, expired or not.
    boolean found = old != null;
    if (((flags & NX) != 0 && found) || ((flags & XX) != 0 && !found)) {
      if (withGet) {
        replyValueOrNull(ctx.out(), previous);
      } else if (integerReply) {
        ctx.out().zeroOrOne(false);
      } else {
        ctx.out().nullBulk();
      }
      return;
    }

    if (withGet) {
      // As Redis, the old value is replied before the events of the write.
      replyValueOrNull(ctx.out(), previous);
    }
    StringValue value = StringValue.of(valueBytes);
    value.touch(now);
    if (when != StoredValue.NO_EXPIRY) {
      db.setExpire(key, value, when);
    } else if ((flags & KEEPTTL) != 0 && found && old.hasExpiry()) {
      db.setExpire(key, value, old.expireAt());
    }
    db.put(key, value);
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.STRING, "set", key);
    if (when != StoredValue.NO_EXPIRY) {
      ctx.notify(KeyspaceEvents.GENERIC, "expire", key);
    }

    if (when != StoredValue.NO_EXPIRY) {
      // Relative and absolute expiries alike replay as an absolute PXAT.
      ctx.propagate(new byte[][] {SET, keyBytes, valueBytes, PXAT_ARG, StringValue.digits(when)});
    } else if (withGet) {
      ctx.propagate(withoutGet(argv));
    } else {
      ctx.propagate(argv);
    }

    if (integerReply) {
      ctx.out().zeroOrOne(true);
    } else if (!withGet) {
      ctx.out().ok();
    }
  }

  /** SET's arguments without its GET options, which mean nothing on replay. */
  private static byte[][] withoutGet(byte[][] argv) {
    int keep = 3;
    for (int j = 3; j < argv.length; j++) {
      if (!Args.is(argv[j], "GET")) {
        keep++;
      }
    }
    byte[][] out = new byte[keep][];
    int n = 0;
    for (int j = 0; j < argv.length; j++) {
      if (j < 3 || !Args.is(argv[j], "GET")) {
        out[n++] = argv[j];
      }
    }
    return out;
  }

  private static void replyValueOrNull(RespWriter out, StringValue s) {
    if (s == null) {
      out.nullBulk();
    } else {
      s.reply(out);
    }
  }

  /** GETSET key value */
  static void getset(CommandContext ctx, byte[][] argv) {
    Key key = Key.of(argv[1]);
    StringValue previous = readString(ctx, key);
    replyValueOrNull(ctx.out(), previous);
    store(ctx.db(), key, StringValue.of(argv[2]), ctx.now());
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.STRING, "set", key);
    ctx.propagate(new byte[][] {SET, argv[1], argv[2]});
  }

  /** GETDEL key */
  static void getdel(CommandContext ctx, byte[][] argv) {
    Key key = Key.of(argv[1]);
    StringValue s = readString(ctx, key);
    if (s == null) {
      ctx.out().nullBulk();
      return;
    }
    s.reply(ctx.out());
    ctx.db().remove(key);
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.GENERIC, "del", key);
    ctx.propagate(new byte[][] {DEL, argv[1]});
  }

  /**
   * GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds
   * | PERSIST]
   */
  static void getex(CommandContext ctx, byte[][] argv) {
    long parsed = parseOptions(argv, false);
    int flags = (int) parsed;
    int expireIndex = (int) (parsed >>> 32);
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(argv[1]);
    StringValue s = readString(ctx, key);
    if (s == null) {
      ctx.out().nullBulk();
      return;
    }
    // Redis validates the time only once it knows the key is there and holds a string.
    long when =
        expireIndex == 0
            ? StoredValue.NO_EXPIRY
            : expireTime(ctx, argv[expireIndex], flags, INVALID_EXPIRE_GETEX);
    // Replied before the key changes, as Redis (its events follow the reply).
    s.reply(ctx.out());
    if ((flags & (EXAT | PXAT)) != 0 && when <= now) {
      // An absolute time already past deletes the key.
      db.remove(key);
      ctx.modified(key);
      ctx.notify(KeyspaceEvents.GENERIC, "del", key);
      ctx.propagate(new byte[][] {DEL, argv[1]});
    } else if (when != StoredValue.NO_EXPIRY) {
      db.setExpire(key, s, when);
      ctx.modified(key);
      ctx.notify(KeyspaceEvents.GENERIC, "expire", key);
      ctx.propagate(new byte[][] {PEXPIREAT, argv[1], StringValue.digits(when)});
    } else if ((flags & PERSIST) != 0 && s.hasExpiry()) {
      db.setExpire(key, s, StoredValue.NO_EXPIRY);
      ctx.modified(key);
      ctx.notify(KeyspaceEvents.GENERIC, "persist", key);
      ctx.propagate(new byte[][] {PERSIST_CMD, argv[1]});
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Several keys

  /** MGET key [key ...] */
  static void mget(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    long now = ctx.now();
    RespWriter out = ctx.out();
    out.arrayHeader(argv.length - 1);
    for (int j = 1; j < argv.length; j++) {
      // Another type reads as missing here, not as WRONGTYPE.
      if (db.lookupRead(Key.of(argv[j]), now) instanceof StringValue s) {
        s.reply(out);
      } else {
        out.nullBulk();
      }
    }
  }

  /** MSET key value [key value ...], MSETNX key value [key value ...] */
  static void mset(CommandContext ctx, byte[][] argv, boolean nx) {
    if (argv.length % 2 == 0) {
      throw new CommandException(Errors.wrongArity(nx ? "msetnx" : "mset"));
    }
    Database db = ctx.db();
    long now = ctx.now();
    if (nx) {
      for (int j = 1; j < argv.length; j += 2) {
        if (db.lookupWrite(Key.of(argv[j]), now) != null) {
          ctx.out().zeroOrOne(false);
          return;
        }
      }
    }
    for (int j = 1; j < argv.length; j += 2) {
      Key key = Key.of(argv[j]);
      store(db, key, StringValue.of(argv[j + 1]), now);
      ctx.modified(key);
      ctx.notify(KeyspaceEvents.STRING, "set", key);
    }
    ctx.propagate(argv);
    if (nx) {
      ctx.out().zeroOrOne(true);
    } else {
      ctx.out().ok();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Editing and reading parts

  /** APPEND key value */
  static void append(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(argv[1]);
    StoredValue old = db.lookupWrite(key, now);
    StringValue result;
    if (old == null) {
      result = StringValue.of(argv[2]);
      store(db, key, result, now);
    } else {
      StringValue s = asString(old);
      checkStringLength(ctx, s.length(), argv[2].length);
      result = s.append(argv[2]);
      replace(db, key, old, result, now);
    }
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.STRING, "append", key);
    ctx.propagate(argv);
    ctx.out().integer(result.length());
  }

  /** STRLEN key */
  static void strlen(CommandContext ctx, byte[][] argv) {
    StringValue s = readString(ctx, Key.of(argv[1]));
    ctx.out().integer(s == null ? 0 : s.length());
  }

  /** GETRANGE key start end, SUBSTR key start end */
  static void getrange(CommandContext ctx, byte[][] argv) {
    long start = Args.parseLong(argv[2]);
    long end = Args.parseLong(argv[3]);
    StringValue s = readString(ctx, Key.of(argv[1]));
    long len = s == null ? 0 : s.length();
    if (start < 0 && end < 0 && start > end) {
      ctx.out().bulk(EMPTY);
      return;
    }
    if (start < 0) {
      start = Math.max(len + start, 0);
    }
    if (end < 0) {
      end = Math.max(len + end, 0);
    }
    if (end >= len) {
      end = len - 1;
    }
    if (start > end || len == 0) {
      ctx.out().bulk(EMPTY);
    } else {
      ctx.out().bulk(s.array(), (int) start, (int) (end - start + 1));
    }
  }

  /** SETRANGE key offset value */
  static void setrange(CommandContext ctx, byte[][] argv) {
    long offset = Args.parseLong(argv[2]);
    if (offset < 0) {
      throw new CommandException(OFFSET_OUT_OF_RANGE);
    }
    byte[] value = argv[3];
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(argv[1]);
    StoredValue old = db.lookupWrite(key, now);
    StringValue s = asString(old);
    if (value.length == 0) {
      // Writing nothing changes nothing, and creates no key.
      ctx.out().integer(s == null ? 0 : s.length());
      return;
    }
    checkStringLength(ctx, offset, value.length);
    StringValue result;
    if (s == null) {
      byte[] bytes = new byte[(int) offset + value.length];
      System.arraycopy(value, 0, bytes, (int) offset, value.length);
      result = StringValue.raw(bytes);
      store(db, key, result, now);
    } else {
      result = s.overwrite((int) offset, value);
      replace(db, key, old, result, now);
    }
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.STRING, "setrange", key);
    ctx.propagate(argv);
    ctx.out().integer(result.length());
  }

  // ---------------------------------------------------------------------------------------------
  // LCS

  /** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN] */
  static void lcs(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    long now = ctx.now();
    StoredValue va = db.lookupRead(Key.of(argv[1]), now);
    StoredValue vb = db.lookupRead(Key.of(argv[2]), now);
    if ((va != null && !(va instanceof StringValue))
        || (vb != null && !(vb instanceof StringValue))) {
      throw new CommandException(LCS_NOT_STRINGS);
    }
    boolean getLen = false;
    boolean getIdx = false;
    boolean withMatchLen = false;
    long minMatchLen = 0;
    for (int j = 3; j < argv.length; j++) {
      byte[] opt = argv[j];
      if (Args.is(opt, "IDX")) {
        getIdx = true;
      } else if (Args.is(opt, "LEN")) {
        getLen = true;
      } else if (Args.is(opt, "WITHMATCHLEN")) {
        withMatchLen = true;
      } else if (Args.is(opt, "MINMATCHLEN") && j < argv.length - 1) {
        minMatchLen = Math.max(Args.parseLong(argv[++j]), 0);
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    if (getLen && getIdx) {
      throw new CommandException(LCS_LEN_AND_IDX);
    }
    StringValue a = (StringValue) va;
    StringValue b = (StringValue) vb;
    byte[] abytes = a == null ? EMPTY : a.array();
    byte[] bbytes = b == null ? EMPTY : b.array();
    int alen = a == null ? 0 : a.length();
    int blen = b == null ? 0 : b.length();
    if (Lcs.tableBytes(alen, blen) > ctx.server().config().number("proto-max-bulk-len")) {
      throw new CommandException(LCS_TOO_BIG);
    }
    if (Lcs.tableCells(alen, blen) > StringValue.MAX_ARRAY) {
      throw new CommandException(LCS_NO_MEMORY);
    }
    RespWriter out = ctx.out();
    if (getLen) {
      out.integer(Lcs.length(abytes, alen, bbytes, blen));
      return;
    }
    Lcs.Result r;
    try {
      r = Lcs.compute(abytes, alen, bbytes, blen, getIdx, minMatchLen);
    } catch (OutOfMemoryError e) {
      throw new CommandException(LCS_NO_MEMORY);
    }
    if (!getIdx) {
      out.bulk(r.lcs);
      return;
    }
    out.mapHeader(2);
    out.bulk(MATCHES);
    out.arrayHeader(r.rangeCount);
    for (int k = 0; k < r.rangeCount * 5; k += 5) {
      out.arrayHeader(withMatchLen ? 3 : 2);
      out.arrayHeader(2);
      out.integer(r.ranges[k]);
      out.integer(r.ranges[k + 1]);
      out.arrayHeader(2);
      out.integer(r.ranges[k + 2]);
      out.integer(r.ranges[k + 3]);
      if (withMatchLen) {
        out.integer(r.ranges[k + 4]);
      }
    }
    out.bulk(LEN);
    out.integer(r.lcs.length);
  }
}
