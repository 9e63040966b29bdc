package io.toridb.core.scripting;

import static io.toridb.core.command.CommandFlag.ALLOW_BUSY;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.MAY_REPLICATE;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.NO_MANDATORY_KEYS;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.SCRIPT_LOCKING;
import static io.toridb.core.command.CommandFlag.SKIP_MONITOR;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.Help;
import io.toridb.core.command.KeySpec;

/**
 * Lua scripts (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL); functions are
 * {@link FunctionCommands}.
 *
 * <p>Redis runs a script with nothing else running. Here one script runs at a time, with the keys
 * it declared locked, and each further key it touches locked as its commands reach it, all until it
 * ends ({@link io.toridb.core.command.CommandFlag#SCRIPT_LOCKING}): no other command sees its
 * writes half done, or changes what it read, while commands on other keys go on. Its writes reach
 * the log as one unit (see {@link LuaEngine}).
 */
public final class ScriptingCommands {
  private ScriptingCommands() {}

  private static final int EVAL_FLAGS =
      NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | SCRIPT_LOCKING;

  private static final String RW_NOTES =
      "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE";
  private static final String RO_NOTES =
      "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS";

  public static void register(CommandTable t) {
    t.add(
        evalSpec("eval", "Execute a Lua script server side", "2.6.0", false, RW_NOTES)
            .handler((ctx, argv) -> eval(ctx, argv, false, false)));
    t.add(
        evalSpec("evalsha", "Execute a Lua script server side", "2.6.0", false, null)
            .handler((ctx, argv) -> eval(ctx, argv, true, false)));
    t.add(
        evalSpec("eval_ro", "Execute a read-only Lua script server side", "7.0.0", true, RO_NOTES)
            .handler((ctx, argv) -> eval(ctx, argv, false, true)));
    t.add(
        evalSpec("evalsha_ro", "Execute a read-only Lua script server side", "7.0.0", true, null)
            .handler((ctx, argv) -> eval(ctx, argv, true, true)));
    t.add(
        CommandSpec.builder("script", -2)
            .group("scripting")
            .doc(
                "A container for Lua scripts management commands",
                "2.6.0",
                "Depends on subcommand.")
            .subcommand(
                CommandSpec.builder("flush", -2)
                    .flags(NOSCRIPT)
                    .tips("request_policy:all_nodes", "response_policy:all_succeeded")
                    .doc(
                        "Remove all the scripts from the script cache.",
                        "2.6.0",
                        "O(N) with N being the number of scripts in cache")
                    .handler(ScriptingCommands::scriptFlush))
            .subcommand(
                CommandSpec.builder("load", 3)
                    .flags(NOSCRIPT | STALE)
                    .tips("request_policy:all_nodes", "response_policy:all_succeeded")
                    .doc(
                        "Load the specified Lua script into the script cache.",
                        "2.6.0",
                        "O(N) with N being the length in bytes of the script body.")
                    .handler(ScriptingCommands::scriptLoad))
            .subcommand(
                CommandSpec.builder("exists", -3)
                    .flags(NOSCRIPT)
                    .tips("request_policy:all_shards", "response_policy:agg_logical_and")
                    .doc(
                        "Check existence of scripts in the script cache.",
                        "2.6.0",
                        "O(N) with N being the number of scripts to check (so checking a single"
                            + " script is an O(1) operation).")
                    .handler(ScriptingCommands::scriptExists))
            .subcommand(
                CommandSpec.builder("kill", 2)
                    .flags(NOSCRIPT | ALLOW_BUSY)
                    .tips("request_policy:all_shards", "response_policy:one_succeeded")
                    .doc("Kill the script currently in execution.", "2.6.0", "O(1)")
                    .handler(ScriptingCommands::scriptKill))
            .subcommand(
                CommandSpec.builder("help", 2)
                    .flags(LOADING | STALE)
                    .doc("Show helpful text about the different subcommands", "5.0.0", "O(1)")
                    .handler(ScriptingCommands::scriptHelp)));
  }

  private static CommandSpec.Builder evalSpec(
      String name, String summary, String since, boolean readOnly, String notes) {
    java.util.List<String> flags =
        readOnly ? java.util.List.of("RO", "ACCESS") : java.util.List.of("RW", "ACCESS", "UPDATE");
    return CommandSpec.builder(name, -3)
        .flags(readOnly ? EVAL_FLAGS | READONLY : EVAL_FLAGS | MAY_REPLICATE)
        .keySpec(new KeySpec(2, 0, 1, flags, notes, true, 1, null, 0, null))
        .group("scripting")
        .doc(summary, since, "Depends on the script that is executed.");
  }

  /**
   * EVAL script numkeys [key ...] [arg ...], EVALSHA sha1 numkeys ..., and their _RO forms (Redis's
   * evalGenericCommand and scriptPrepareForRun).
   */
  static void eval(CommandContext ctx, byte[][] argv, boolean bySha, boolean ro) {
    int n = checkNumkeys(Args.parseLong(argv[2]), argv);
    ScriptCache cache = ctx.server().scripts();
    Script script;
    if (bySha) {
      script = argv[1].length == 40 ? cache.get(Args.latin1(argv[1])) : null;
      if (script == null) {
        throw new CommandException("NOSCRIPT No matching script. Please use EVAL.");
      }
    } else {
      script = cache.load(argv[1]);
    }
    boolean readOnly = checkFlags(ctx, script.flags(), ro);
    showInMonitor(ctx, argv);
    LuaEngine.of(ctx).run(script, keysOf(argv, n), argsOf(argv, n), readOnly);
  }

  /**
   * The numkeys of {@code EVAL script numkeys ...} or {@code FCALL function numkeys ...}, checked
   * against the arguments as Redis checks it.
   */
  static int checkNumkeys(long numkeys, byte[][] argv) {
    if (numkeys > argv.length - 3) {
      throw new CommandException("ERR Number of keys can't be greater than number of args");
    }
    if (numkeys < 0) {
      throw new CommandException("ERR Number of keys can't be negative");
    }
    return (int) numkeys;
  }

  /** The {@code n} keys after numkeys. */
  static byte[][] keysOf(byte[][] argv, int n) {
    return java.util.Arrays.copyOfRange(argv, 3, 3 + n);
  }

  /** The arguments after the {@code n} keys. */
  static byte[][] argsOf(byte[][] argv, int n) {
    return java.util.Arrays.copyOfRange(argv, 3 + n, argv.length);
  }

  /**
   * The flags the script or function of an EVAL, EVALSHA or FCALL (or their read-only kin)
   * declared, as Redis reads them before running it (evalGetCommandFlags, fcallGetCommandFlags): -1
   * for other commands, and for a script that declared none, is not cached, or has a bad shebang
   * line, whose command's own flags count then.
   */
  public static int declaredFlags(
      io.toridb.core.server.ServerContext server,
      io.toridb.core.command.CommandSpec spec,
      byte[][] argv) {
    int flags;
    switch (spec.fullName()) {
      case "eval", "eval_ro" -> {
        // The flags a cached copy holds are the shebang's.
        try {
          flags = Script.shebangFlags(argv[1]);
        } catch (CommandException e) {
          return -1;
        }
      }
      case "evalsha", "evalsha_ro" -> {
        Script cached = argv[1].length == 40 ? server.scripts().get(Args.latin1(argv[1])) : null;
        if (cached == null) {
          return -1;
        }
        flags = cached.flags();
      }
      case "fcall", "fcall_ro" -> {
        FunctionLibraries.Function f = server.functions().function(Args.latin1(argv[1]));
        if (f == null) {
          return -1;
        }
        flags = f.flags();
      }
      default -> {
        return -1;
      }
    }
    return (flags & Script.COMPAT) != 0 ? -1 : flags;
  }

  /** Whether script flags from {@link #declaredFlags} include no-writes. */
  public static boolean noWrites(int flags) {
    return (flags & Script.NO_WRITES) != 0;
  }

  /**
   * Redis's scriptPrepareForRun: refuses to run a script or function with these flags when they
   * forbid it now. Returns whether it runs read-only ({@code ro}, or declared no-writes).
   */
  static boolean checkFlags(CommandContext ctx, int flags, boolean ro) {
    boolean stale = ctx.server().staleReplica() && !ctx.session().master();
    if ((flags & Script.COMPAT) != 0) {
      if (stale) {
        throw new CommandException(Errors.MASTERDOWN);
      }
      return ro;
    }
    if ((flags & Script.NO_CLUSTER) != 0 && ctx.server().config().yes("cluster-enabled")) {
      throw new CommandException("ERR Can not run script on cluster, 'no-cluster' flag is set.");
    }
    if (stale && (flags & Script.ALLOW_STALE) == 0) {
      throw new CommandException(
          "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and"
              + " 'allow-stale' flag is not set on the script.");
    }
    if ((flags & Script.NO_WRITES) == 0) {
      if (ctx.server().readOnlyReplica() && !ctx.session().master()) {
        throw new CommandException(
            "READONLY Can not run script with write flag on readonly replica");
      }
      String diskError = ctx.server().writeRefusal();
      if (diskError != null) {
        throw new CommandException(diskError);
      }
      if (ro) {
        throw new CommandException(
            "ERR Can not execute a script with write flag using *_ro command.");
      }
      if (ctx.server().lacksGoodReplicas()) {
        throw new CommandException(Errors.NOREPLICAS);
      }
      return false;
    }
    return true;
  }

  /** As Redis: a script or function shows in MONITOR before the commands it calls. */
  static void showInMonitor(CommandContext ctx, byte[][] argv) {
    io.toridb.core.server.CommandObserver monitor = ctx.server().monitor();
    if (monitor != null) {
      monitor.onCommand(ctx, argv);
    }
  }

  /** SCRIPT LOAD script */
  static void scriptLoad(CommandContext ctx, byte[][] argv) {
    ctx.out().bulk(ctx.server().scripts().load(argv[2]).sha());
  }

  /** SCRIPT EXISTS sha1 [sha1 ...] */
  static void scriptExists(CommandContext ctx, byte[][] argv) {
    ScriptCache cache = ctx.server().scripts();
    ctx.out().arrayHeader(argv.length - 2);
    for (int i = 2; i < argv.length; i++) {
      ctx.out().zeroOrOne(cache.get(Args.latin1(argv[i])) != null);
    }
  }

  /** SCRIPT KILL */
  static void scriptKill(CommandContext ctx, byte[][] argv) {
    kill(ctx, false);
  }

  /** SCRIPT KILL, or FUNCTION KILL when {@code function}. */
  static void kill(CommandContext ctx, boolean function) {
    String refused = ctx.server().scripts().kill(function);
    if (refused != null) {
      throw new CommandException(refused);
    }
    ctx.out().ok();
  }

  /** SCRIPT HELP */
  static void scriptHelp(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.");
  }

  /** SCRIPT FLUSH [ASYNC | SYNC] */
  static void scriptFlush(CommandContext ctx, byte[][] argv) {
    if (!isFlushMode(argv)) {
      throw new CommandException("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    ctx.server().scripts().clear();
    ctx.out().ok();
  }

  private static boolean isFlushMode(byte[][] argv) {
    return argv.length == 2
        || argv.length == 3 && (Args.is(argv[2], "SYNC") || Args.is(argv[2], "ASYNC"));
  }
}
