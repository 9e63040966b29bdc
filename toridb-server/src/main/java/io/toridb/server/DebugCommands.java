package io.toridb.server;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.STALE;
import static io.toridb.core.command.CommandFlag.WHOLE_KEYSPACE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.Help;
import io.toridb.core.config.Directive;
import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.list.ListValue;
import io.toridb.core.string.StringValue;
import io.toridb.protocol.RespWriter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEBUG: the subcommands test suites and client test suites use. Allowed only as {@code
 * enable-debug-command} says (no, yes, or local for loopback connections), as in Redis 7.0.
 *
 * <p>DEBUG holds every key lock while it runs, so DEBUG SLEEP stalls keyed commands the way it
 * stalls a single-threaded Redis, and DEBUG OBJECT sees a stable value.
 */
final class DebugCommands {
  private static final Logger log = LoggerFactory.getLogger(DebugCommands.class);

  static final String NOT_ALLOWED =
      "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you"
          + " can run it from a local connection, otherwise you need to set this option in the"
          + " configuration file, and then restart the server.";

  /**
   * DEBUG LOADAOF's error reply when the log cannot be written, opened or loaded; the cause
   * follows.
   */
  private static final String LOADAOF_FAILED = "ERR Error loading the append only file: ";

  private static final String PROTOCOL_TYPES =
      "ERR Wrong protocol type name. Please use one of the following:"
          + " string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";

  private final ToriServer server;

  DebugCommands(ToriServer server) {
    this.server = server;
  }

  void register(CommandTable t) {
    t.add(
        CommandSpec.builder("debug", -2)
            .flags(ADMIN | NOSCRIPT | LOADING | STALE | WHOLE_KEYSPACE)
            .group("server")
            .doc("A container for debugging commands", "1.0.0", "Depends on subcommand.")
            .handler(this::debug));
  }

  /** DEBUG subcommand [argument ...] */
  void debug(CommandContext ctx, byte[][] argv) {
    if (!ctx.session().allowedBy(ctx.server().config().text("enable-debug-command"))) {
      throw new CommandException(NOT_ALLOWED);
    }
    String sub = Args.upper(argv[1]);
    int argc = argv.length;
    switch (sub) {
      case "HELP" -> {
        if (argc != 2) {
          throw new CommandException(Help.syntaxError(argv));
        }
        help(ctx, argv);
      }
      case "SLEEP" -> {
        require(argc == 3, argv);
        sleep(strtod(argv[2]));
        ctx.out().ok();
      }
      case "SET-ACTIVE-EXPIRE" -> {
        require(argc == 3, argv);
        ctx.server().activeExpiry().enabled(atoi(argv[2]) != 0);
        ctx.out().ok();
      }
      case "OBJECT" -> {
        require(argc == 3, argv);
        object(ctx, argv[2]);
      }
      case "DIGEST" -> {
        require(argc == 2, argv);
        ctx.out().simple(DatasetDigest.ofKeyspace(ctx.keyspace()));
      }
      case "DIGEST-VALUE" -> {
        // Like Redis, looks keys up without expiring them: a debug command sees everything.
        ctx.out().arrayHeader(argc - 2);
        for (int i = 2; i < argc; i++) {
          ctx.out().simple(DatasetDigest.ofValue(ctx.db().peek(Key.of(argv[i]))));
        }
      }
      case "QUICKLIST-PACKED-THRESHOLD" -> {
        require(argc == 3, argv);
        long bytes = Directive.parseMemory(Args.latin1(argv[2]));
        if (bytes == Long.MIN_VALUE || !ListValue.packedThreshold(bytes)) {
          throw new CommandException(
              "ERR argument must be a memory value bigger than 1 and smaller than 4gb");
        }
        ctx.out().ok();
      }
      case "LOG" -> {
        require(argc == 3, argv);
        log.warn("DEBUG LOG: {}", Args.latin1(argv[2]));
        ctx.out().ok();
      }
      case "ERROR" -> {
        require(argc == 3, argv);
        // Sent as given, without a code of its own and without counting in errorstats.
        ctx.out().error(Args.latin1(argv[2]));
      }
      case "PROTOCOL" -> {
        require(argc == 3, argv);
        protocol(ctx, argv[2]);
      }
      case "RELOAD" -> reload(ctx, argv);
      case "LOADAOF" -> loadAof(ctx);
      case "SET-DISABLE-DENY-SCRIPTS" -> {
        require(argc == 3, argv);
        // As Redis's atoi: what is not a number is 0.
        ctx.server().scripts().denyDisabled(Args.parseLongOr(argv[2], 0) != 0);
        ctx.out().ok();
      }
      case "CHANGE-REPL-ID", "SET-SKIP-CHECKSUM-VALIDATION" -> {
        // Nothing in ToriDB depends on these switches.
        require(sub.equals("CHANGE-REPL-ID") ? argc == 2 : argc == 3, argv);
        ctx.out().ok();
      }
      default -> throw new CommandException(Help.syntaxError(argv));
    }
  }

  /**
   * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the snapshot (unless NOSAVE), empties the data
   * set (unless NOFLUSH) and loads the snapshot file back (MERGE: its keys replace keys already
   * there, else a key already there refuses the load), as Redis. DEBUG holds every key lock, so no
   * other command sees the data set in between. A load that fails leaves what was loaded so far
   * (Redis would exit).
   */
  private void reload(CommandContext ctx, byte[][] argv) {
    boolean merge = false;
    boolean flush = true;
    boolean save = true;
    for (int j = 2; j < argv.length; j++) {
      switch (Args.upper(argv[j])) {
        case "MERGE" -> merge = true;
        case "NOFLUSH" -> flush = false;
        case "NOSAVE" -> save = false;
        default ->
            throw new CommandException(
                "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      }
    }
    io.toridb.persistence.snapshot.Snapshots snapshots = server.snapshots();
    if (save && !snapshots.saveWhileLocked("DEBUG RELOAD")) {
      throw new CommandException(PersistenceCommands.FAILED);
    }
    snapshots.cancelScans("DEBUG RELOAD replaces the data set");
    if (flush) {
      ctx.server().emptyDatabases(ctx.now());
      // As Redis's emptyData: the function libraries go with the data.
      ctx.server().functions().clear();
    }
    try {
      snapshots.load(snapshots.file(), merge);
    } catch (java.io.IOException | RuntimeException e) {
      log.warn("DEBUG RELOAD: {}", e.getMessage());
      throw new CommandException("ERR Error trying to load the RDB dump");
    }
    log.warn("DB reloaded by DEBUG RELOAD");
    ctx.out().ok();
  }

  /**
   * DEBUG LOADAOF: as Redis, once every write so far is in the log, empties the data set and loads
   * the log back from disk; with the log off, the files BGREWRITEAOF (or a run with the log on)
   * left. DEBUG holds every key lock, and the server counts as loading meanwhile. Refused while a
   * rewrite of the log runs or the server is loading. Where Redis exits when the load fails, this
   * replies an error and keeps what was loaded.
   */
  private void loadAof(CommandContext ctx) {
    if (ctx.server().loading()) {
      // Loading at startup: a second load would mix with it and end its loading state.
      throw new CommandException(Errors.LOADING);
    }
    io.toridb.persistence.aof.AppendOnlyFile aof = server.aof();
    if ((aof != null && aof.rewriting()) || server.rewritingWhileOff() != null) {
      throw new CommandException(io.toridb.persistence.aof.AppendOnlyFile.ALREADY_REWRITING);
    }
    io.toridb.persistence.aof.AppendOnlyFile files = aof;
    if (files != null) {
      try {
        files.awaitWritten();
      } catch (java.io.IOException e) {
        throw new CommandException(LOADAOF_FAILED + e.getMessage());
      }
    } else {
      if (!server.logExists()) {
        throw new CommandException(
            "ERR There is no append-only file to load (appendonly is no and "
                + ctx.server().config().text("appenddirname")
                + " holds no manifest)");
      }
      try {
        files = server.openLog(false);
      } catch (java.io.IOException e) {
        throw new CommandException(LOADAOF_FAILED + e.getMessage());
      }
    }
    io.toridb.persistence.snapshot.Snapshots snapshots = server.snapshots();
    snapshots.cancelScans("DEBUG LOADAOF replaces the data set");
    ctx.server().loading(true);
    try {
      ctx.server().emptyDatabases(ctx.now());
      ctx.server().functions().clear();
      files.reload();
    } catch (java.io.IOException | RuntimeException e) {
      log.warn("DEBUG LOADAOF: {}", e.getMessage());
      throw new CommandException(LOADAOF_FAILED + e.getMessage());
    } finally {
      ctx.server().loading(false);
      if (files != aof) {
        files.release();
      }
    }
    // As Redis, the replayed writes do not count as changes since the last save.
    snapshots.changesSaved();
    log.warn("Append Only File loaded by DEBUG LOADAOF");
    ctx.out().ok();
  }

  private static void require(boolean ok, byte[][] argv) {
    if (!ok) {
      throw new CommandException(Help.syntaxError(argv));
    }
  }

  private static void sleep(double seconds) {
    long nanos = (long) (seconds * 1e9);
    if (nanos <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * DEBUG OBJECT key: {@code Value at:0x... refcount:1 encoding:embstr serializedlength:4 lru:...
   * lru_seconds_idle:0}. The key is not expired by looking at it.
   */
  private void object(CommandContext ctx, byte[] keyBytes) {
    StoredValue v = ctx.db().peek(Key.of(keyBytes));
    if (v == null) {
      throw new CommandException(Errors.NO_SUCH_KEY);
    }
    long now = ctx.now();
    ctx.out()
        .simple(
            "Value at:0x7f"
                + String.format("%010x", System.identityHashCode(v) & 0xFFFFFFFFL)
                + " refcount:"
                + refcount(ctx, v)
                + " encoding:"
                + v.encoding()
                + " serializedlength:"
                + serializedLength(v)
                + " lru:"
                + v.lruClock()
                + " lru_seconds_idle:"
                + v.idleSeconds(now));
  }

  /**
   * Redis shares the objects of small integers (0 to 9999) unless an LRU/LFU policy needs a clock
   * per object, and reports INT_MAX as their refcount.
   */
  private static long refcount(CommandContext ctx, StoredValue v) {
    if (v instanceof StringValue s && v.encoding().equals("int")) {
      long n = Args.parseLongOr(s.bytes(), -1);
      String policy = ctx.server().config().text("maxmemory-policy");
      boolean perObjectClock =
          ctx.server().config().number("maxmemory") != 0
              && (policy.endsWith("-lru") || policy.endsWith("-lfu"));
      if (n >= 0 && n < 10000 && !perObjectClock) {
        return Integer.MAX_VALUE;
      }
    }
    return 1;
  }

  /**
   * The size of the value in an RDB file, for strings: integers that fit 32 bits take 2, 3 or 5
   * bytes, other strings a length prefix (1, 2, 5 or 9 bytes) and their bytes. Compression is not
   * modelled; other types report 0 until they can describe their RDB size.
   */
  static long serializedLength(StoredValue v) {
    if (!(v instanceof StringValue s)) {
      return 0;
    }
    byte[] b = s.bytes();
    if (b.length <= 11 && Args.isCanonicalLong(b)) {
      long n = Args.parseLongOr(b, 0);
      if (n >= Byte.MIN_VALUE && n <= Byte.MAX_VALUE) {
        return 2;
      } else if (n >= Short.MIN_VALUE && n <= Short.MAX_VALUE) {
        return 3;
      } else if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
        return 5;
      }
    }
    long len = b.length;
    int prefix = len < 64 ? 1 : len < 16384 ? 2 : len <= 0xFFFFFFFFL ? 5 : 9;
    return prefix + len;
  }

  /** DEBUG PROTOCOL type: one sample reply of each RESP3 type. */
  private static void protocol(CommandContext ctx, byte[] type) {
    RespWriter out = ctx.out();
    switch (Args.upper(type)) {
      case "STRING" -> out.bulk("Hello World");
      case "INTEGER" -> out.integer(12345);
      case "DOUBLE" -> out.doubleValue(3.141);
      case "BIGNUM" -> out.bigNumber("1234567999999999999999999999999999999");
      case "NULL" -> out.nullBulk();
      case "ARRAY" -> {
        out.arrayHeader(3);
        for (int j = 0; j < 3; j++) {
          out.integer(j);
        }
      }
      case "SET" -> {
        out.setHeader(3);
        for (int j = 0; j < 3; j++) {
          out.integer(j);
        }
      }
      case "MAP" -> {
        out.mapHeader(3);
        for (int j = 0; j < 3; j++) {
          out.integer(j);
          out.bool(j == 1);
        }
      }
      case "ATTRIB" -> {
        if (out.isResp3()) {
          out.raw(Args.bytes("|1\r\n"));
          out.bulk("key-popularity");
          out.arrayHeader(2);
          out.bulk("key:123");
          out.integer(90);
        }
        out.bulk("Some real reply following the attribute");
      }
      case "PUSH" -> {
        if (!out.isResp3()) {
          throw new CommandException("ERR RESP2 is not supported by this command");
        }
        out.pushHeader(2);
        out.bulk("server-cpu-usage");
        out.integer(42);
        out.bulk("Some real reply following the push reply");
      }
      case "TRUE" -> out.bool(true);
      case "FALSE" -> out.bool(false);
      case "VERBATIM" -> out.verbatim("txt", "This is a verbatim\nstring");
      default -> throw new CommandException(PROTOCOL_TYPES);
    }
  }

  private static final java.util.regex.Pattern LEADING_NUMBER =
      java.util.regex.Pattern.compile("^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /** C's strtod as DEBUG SLEEP uses it: the leading number, 0 when there is none. */
  static double strtod(byte[] arg) {
    java.util.regex.Matcher m = LEADING_NUMBER.matcher(Args.latin1(arg));
    return m.find() ? Double.parseDouble(m.group().strip()) : 0;
  }

  /** C's atoi: optional sign and leading digits, 0 when there are none. */
  static long atoi(byte[] arg) {
    String s = Args.latin1(arg).strip();
    int i = 0;
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    long n = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i)) && n < Integer.MAX_VALUE) {
      n = n * 10 + (s.charAt(i++) - '0');
    }
    return negative ? -n : n;
  }

  /** DEBUG HELP */
  private static void help(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "LOADAOF",
        "    Flush the AOF buffers on disk and reload the AOF in memory.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys make the load fail.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Sets the threshold for elements to be inserted as plain vs packed nodes",
        "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
        "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
        "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.");
  }
}
