package io.toridb.core.keyspace;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.STALE;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.config.Config;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.core.string.StringValue;
import io.toridb.protocol.RespWriter;
import java.util.Arrays;

/**
 * Generic commands on individual keys, whatever their type: DEL, UNLINK, EXISTS, TYPE, TOUCH,
 * RENAME, RENAMENX, COPY, MOVE and OBJECT.
 */
public final class KeyspaceCommands {
  static final String SAME_OBJECT = "ERR source and destination objects are the same";
  static final String LFU_NOT_SELECTED =
      "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that"
          + " when switching between policies at runtime LRU and LFU data will take some time to"
          + " adjust.";
  static final String LFU_SELECTED =
      "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when"
          + " switching between policies at runtime LRU and LFU data will take some time to"
          + " adjust.";

  private static final byte[] DEL = Args.bytes("DEL");
  private static final byte[] UNLINK = Args.bytes("UNLINK");

  /** Integers Redis keeps as shared objects (0 to 9999), which OBJECT REFCOUNT reports so. */
  private static final long SHARED_INTEGERS = 10000;

  private static final String[] OBJECT_HELP = {
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
  };

  private KeyspaceCommands() {}

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("del", -2)
            .flags(WRITE)
            .keys(1, -1, 1)
            .keyFlags("RM", "delete")
            .tips("request_policy:multi_shard", "response_policy:agg_sum")
            .doc("Deletes one or more keys.", "1.0.0", "O(N) where N is the number of keys.")
            .handler((ctx, argv) -> delete(ctx, argv, DEL)));
    t.add(
        CommandSpec.builder("unlink", -2)
            .flags(WRITE | FAST)
            .keys(1, -1, 1)
            .keyFlags("RM", "delete")
            .tips("request_policy:multi_shard", "response_policy:agg_sum")
            .doc(
                "Asynchronously deletes one or more keys.",
                "4.0.0",
                "O(1) for each key removed regardless of its size.")
            .handler((ctx, argv) -> delete(ctx, argv, UNLINK)));
    t.add(
        CommandSpec.builder("exists", -2)
            .flags(READONLY | FAST)
            .keys(1, -1, 1)
            .keyFlags("RO")
            .tips("request_policy:multi_shard", "response_policy:agg_sum")
            .doc("Determines whether one or more keys exist.", "1.0.0", "O(N)")
            .handler(KeyspaceCommands::exists));
    t.add(
        CommandSpec.builder("type", 2)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO")
            .doc("Determines the type of value stored at a key.", "1.0.0", "O(1)")
            .handler(KeyspaceCommands::type));
    t.add(
        CommandSpec.builder("touch", -2)
            .flags(READONLY | FAST)
            .keys(1, -1, 1)
            .keyFlags("RO")
            .tips("request_policy:multi_shard", "response_policy:agg_sum")
            .doc(
                "Returns the number of existing keys out of those specified after updating the"
                    + " time they were last accessed.",
                "3.2.1",
                "O(N)")
            .handler(KeyspaceCommands::touch));
    t.add(
        CommandSpec.builder("rename", 3)
            .flags(WRITE)
            .keys(1, 2, 1)
            .keySpec(KeySpec.range(1, 0, 1, "RW", "access", "delete"))
            .keySpec(KeySpec.range(2, 0, 1, "OW", "update"))
            .doc("Renames a key and overwrites the destination.", "1.0.0", "O(1)")
            .handler((ctx, argv) -> rename(ctx, argv, false)));
    t.add(
        CommandSpec.builder("renamenx", 3)
            .flags(WRITE | FAST)
            .keys(1, 2, 1)
            .keySpec(KeySpec.range(1, 0, 1, "RW", "access", "delete"))
            .keySpec(KeySpec.range(2, 0, 1, "OW", "insert"))
            .doc("Renames a key only when the target key name doesn't exist.", "1.0.0", "O(1)")
            .handler((ctx, argv) -> rename(ctx, argv, true)));
    t.add(
        CommandSpec.builder("copy", -3)
            .flags(WRITE | DENYOOM)
            .keys(1, 2, 1)
            .keySpec(KeySpec.range(1, 0, 1, "RO", "access"))
            .keySpec(KeySpec.range(2, 0, 1, "OW", "update"))
            .doc(
                "Copies the value of a key to a new key.",
                "6.2.0",
                "O(N) worst case for collections, where N is the number of nested items. O(1)"
                    + " for string values.")
            .handler(KeyspaceCommands::copy));
    t.add(
        CommandSpec.builder("move", 3)
            .flags(WRITE | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .doc("Moves a key to another database.", "1.0.0", "O(1)")
            .handler(KeyspaceCommands::move));
    t.add(
        CommandSpec.builder("object", -2)
            .doc(
                "A container for object introspection commands.", "2.2.3", "Depends on subcommand.")
            .subcommand(
                objectSub("encoding", "Returns the internal encoding of a Redis object.", "2.2.3"))
            .subcommand(
                objectSub(
                    "freq",
                    "Returns the logarithmic access frequency counter of a Redis object.",
                    "4.0.0"))
            .subcommand(
                objectSub(
                    "idletime",
                    "Returns the time since the last access to a Redis object.",
                    "2.2.3"))
            .subcommand(
                objectSub("refcount", "Returns the reference count of a value of a key.", "2.2.3"))
            .subcommand(
                CommandSpec.builder("help", 2)
                    .flags(LOADING | STALE)
                    .doc("Returns helpful text about the different subcommands.", "6.2.0", "O(1)")
                    .handler(KeyspaceCommands::objectHelp)));
  }

  private static CommandSpec.Builder objectSub(String name, String summary, String since) {
    return CommandSpec.builder(name, 3)
        .flags(READONLY)
        .keys(2, 2, 1)
        .keyFlags("RO")
        .tips("nondeterministic_output")
        .doc(summary, since, "O(1)")
        .handler(KeyspaceCommands::object);
  }

  /** DEL key [key ...] / UNLINK key [key ...] */
  static void delete(CommandContext ctx, byte[][] argv, byte[] effectName) {
    Database db = ctx.db();
    long now = ctx.now();
    byte[][] effect = null;
    int deleted = 0;
    for (int i = 1; i < argv.length; i++) {
      Key key = Key.of(argv[i]);
      // An expired key counts as missing (its own DEL is propagated when it is reclaimed).
      db.expireIfNeeded(key, now);
      if (db.remove(key) != null) {
        ctx.modified(key);
        ctx.notify(KeyspaceEvents.GENERIC, "del", key);
        if (effect == null) {
          effect = new byte[argv.length][];
          effect[0] = effectName;
        }
        effect[++deleted] = argv[i];
      }
    }
    if (deleted > 0) {
      ctx.propagate(Arrays.copyOf(effect, deleted + 1));
    }
    ctx.out().integer(deleted);
  }

  /** EXISTS key [key ...] */
  static void exists(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    int count = 0;
    for (int i = 1; i < argv.length; i++) {
      if (db.lookupReadNoTouch(Key.of(argv[i]), ctx.now()) != null) {
        count++;
      }
    }
    ctx.out().integer(count);
  }

  /** TYPE key */
  static void type(CommandContext ctx, byte[][] argv) {
    StoredValue v = ctx.db().lookupReadNoTouch(Key.of(argv[1]), ctx.now());
    ctx.out().simple(v == null ? "none" : v.type().typeName());
  }

  /** TOUCH key [key ...] */
  static void touch(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    int count = 0;
    for (int i = 1; i < argv.length; i++) {
      if (db.lookupRead(Key.of(argv[i]), ctx.now()) != null) {
        count++;
      }
    }
    ctx.out().integer(count);
  }

  /** RENAME key newkey / RENAMENX key newkey */
  static void rename(CommandContext ctx, byte[][] argv, boolean onlyIfAbsent) {
    Database db = ctx.db();
    long now = ctx.now();
    Key source = Key.of(argv[1]);
    Key target = Key.of(argv[2]);
    StoredValue value = db.lookupWrite(source, now);
    if (value == null) {
      throw new CommandException(Errors.NO_SUCH_KEY);
    }
    if (source.equals(target)) {
      // Renaming a key to itself changes nothing, but only once the key is known to exist.
      replyRenamed(ctx, onlyIfAbsent, false);
      return;
    }
    if (db.lookupWrite(target, now) != null) {
      if (onlyIfAbsent) {
        ctx.out().integer(0);
        return;
      }
      db.remove(target);
    }
    // The value moves with its expiry; put() files it in the expiry index under the new name.
    db.remove(source);
    db.put(target, value);
    ctx.modified(source);
    ctx.modified(target);
    ctx.notify(KeyspaceEvents.GENERIC, "rename_from", source);
    ctx.notify(KeyspaceEvents.GENERIC, "rename_to", target);
    ctx.propagate(argv);
    replyRenamed(ctx, onlyIfAbsent, true);
  }

  private static void replyRenamed(CommandContext ctx, boolean onlyIfAbsent, boolean renamed) {
    if (onlyIfAbsent) {
      ctx.out().integer(renamed ? 1 : 0);
    } else {
      ctx.out().ok();
    }
  }

  /** COPY source destination [DB destination-db] [REPLACE] */
  static void copy(CommandContext ctx, byte[][] argv) {
    int sourceDb = ctx.session().db();
    int targetDb = sourceDb;
    boolean replace = false;
    for (int i = 3; i < argv.length; i++) {
      if (Args.is(argv[i], "REPLACE")) {
        replace = true;
      } else if (Args.is(argv[i], "DB") && i + 1 < argv.length) {
        targetDb = parseDbIndex(ctx, argv[++i]);
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    if (clusterEnabled(ctx) && (sourceDb != 0 || targetDb != 0)) {
      throw new CommandException("ERR Copying to another database is not allowed in cluster mode");
    }
    Key source = Key.of(argv[1]);
    Key target = Key.of(argv[2]);
    if (sourceDb == targetDb && source.equals(target)) {
      throw new CommandException(SAME_OBJECT);
    }
    long now = ctx.now();
    Database src = ctx.db();
    Database dst = ctx.keyspace().db(targetDb);
    StoredValue value = src.lookupRead(source, now);
    if (value == null) {
      ctx.out().integer(0);
      return;
    }
    if (dst.lookupWrite(target, now) != null) {
      if (!replace) {
        ctx.out().integer(0);
        return;
      }
      dst.remove(target);
    }
    StoredValue copy = value.copy();
    dst.put(target, copy);
    if (value.hasExpiry()) {
      dst.setExpire(target, copy, value.expireAt());
    }
    ctx.modified(targetDb, target);
    ctx.notify(targetDb, KeyspaceEvents.GENERIC, "copy_to", target);
    ctx.propagate(argv);
    ctx.out().integer(1);
  }

  /** MOVE key db */
  static void move(CommandContext ctx, byte[][] argv) {
    if (clusterEnabled(ctx)) {
      throw new CommandException("ERR MOVE is not allowed in cluster mode");
    }
    int sourceDb = ctx.session().db();
    int targetDb = parseDbIndex(ctx, argv[2]);
    if (targetDb == sourceDb) {
      throw new CommandException(SAME_OBJECT);
    }
    long now = ctx.now();
    Key key = Key.of(argv[1]);
    Database src = ctx.db();
    Database dst = ctx.keyspace().db(targetDb);
    StoredValue value = src.lookupWrite(key, now);
    if (value == null || dst.lookupWrite(key, now) != null) {
      ctx.out().integer(0);
      return;
    }
    src.remove(key);
    dst.put(key, value);
    ctx.modified(sourceDb, key);
    ctx.modified(targetDb, key);
    ctx.notify(KeyspaceEvents.GENERIC, "move_from", key);
    ctx.notify(targetDb, KeyspaceEvents.GENERIC, "move_to", key);
    ctx.propagate(argv);
    ctx.out().integer(1);
  }

  /** A database index argument: an int, then within range. */
  static int parseDbIndex(CommandContext ctx, byte[] arg) {
    int index = Args.parseInt(arg);
    if (index < 0 || index >= ctx.keyspace().databaseCount()) {
      throw new CommandException(Errors.DB_OUT_OF_RANGE);
    }
    return index;
  }

  static boolean clusterEnabled(CommandContext ctx) {
    return ctx.server().config().yes("cluster-enabled");
  }

  /** OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT key */
  static void object(CommandContext ctx, byte[][] argv) {
    StoredValue v = ctx.db().lookupReadNoTouch(Key.of(argv[2]), ctx.now());
    RespWriter out = ctx.out();
    if (v == null) {
      out.nullBulk();
      return;
    }
    Config config = ctx.server().config();
    boolean lfu = config.text("maxmemory-policy").contains("lfu");
    switch (Args.upper(argv[1])) {
      case "ENCODING" -> out.bulk(v.encoding());
      case "REFCOUNT" -> out.integer(isSharedInteger(v, config) ? Integer.MAX_VALUE : 1);
      case "IDLETIME" -> {
        if (lfu) {
          throw new CommandException(LFU_SELECTED);
        }
        out.integer(v.idleSeconds(ctx.now()));
      }
      case "FREQ" -> {
        if (!lfu) {
          throw new CommandException(LFU_NOT_SELECTED);
        }
        out.integer(v.lfuFrequency(ctx.now(), (int) config.number("lfu-decay-time")));
      }
      default -> throw new IllegalStateException("unregistered OBJECT subcommand");
    }
  }

  /**
   * Whether Redis would hold this value as one of its shared integer objects, whose reference count
   * reads INT_MAX: integer-encoded strings 0..9999, unless maxmemory is set with an LRU or LFU
   * policy (which needs per-object access data). Judged from today's configuration, where Redis
   * decides when the value is stored.
   */
  private static boolean isSharedInteger(StoredValue v, Config config) {
    if (!(v instanceof StringValue s) || !"int".equals(s.encoding())) {
      return false;
    }
    String policy = config.text("maxmemory-policy");
    if (config.number("maxmemory") != 0 && (policy.contains("lru") || policy.contains("lfu"))) {
      return false;
    }
    long n = Args.parseLongOr(s.bytes(), -1);
    return n >= 0 && n < SHARED_INTEGERS;
  }

  /** OBJECT HELP */
  static void objectHelp(CommandContext ctx, byte[][] argv) {
    RespWriter out = ctx.out();
    out.arrayHeader(OBJECT_HELP.length);
    for (String line : OBJECT_HELP) {
      out.simple(line);
    }
  }
}
