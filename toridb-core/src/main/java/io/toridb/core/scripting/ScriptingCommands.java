package io.toridb.core.scripting;

import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Help;

/**
 * The parts of FUNCTION and SCRIPT that make sense while ToriDB runs no scripts: FUNCTION FLUSH and
 * SCRIPT FLUSH (nothing to drop) and FUNCTION LIST (no libraries). Test harnesses call them between
 * tests. A scripting engine replaces this class.
 */
public final class ScriptingCommands {
  private ScriptingCommands() {}

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("function", -2)
            .group("scripting")
            .doc("A container for function commands", "7.0.0", "Depends on subcommand.")
            .subcommand(
                CommandSpec.builder("flush", -2)
                    .flags(NOSCRIPT | WRITE)
                    .tips("request_policy:all_shards", "response_policy:all_succeeded")
                    .doc(
                        "Deleting all functions",
                        "7.0.0",
                        "O(N) where N is the number of functions deleted")
                    .handler(ScriptingCommands::functionFlush))
            .subcommand(
                CommandSpec.builder("list", -2)
                    .flags(NOSCRIPT)
                    .tips("nondeterministic_output_order")
                    .doc(
                        "List information about all the functions",
                        "7.0.0",
                        "O(N) where N is the number of functions")
                    .handler(ScriptingCommands::functionList)));
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
                    .handler(ScriptingCommands::scriptFlush)));
  }

  /** FUNCTION FLUSH [ASYNC | SYNC] */
  static void functionFlush(CommandContext ctx, byte[][] argv) {
    if (argv.length > 3) {
      throw new CommandException(Help.syntaxError(argv));
    }
    if (!isFlushMode(argv)) {
      throw new CommandException("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    }
    ctx.out().ok();
  }

  /** SCRIPT FLUSH [ASYNC | SYNC] */
  static void scriptFlush(CommandContext ctx, byte[][] argv) {
    if (!isFlushMode(argv)) {
      throw new CommandException("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    ctx.out().ok();
  }

  private static boolean isFlushMode(byte[][] argv) {
    return argv.length == 2
        || argv.length == 3 && (Args.is(argv[2], "SYNC") || Args.is(argv[2], "ASYNC"));
  }

  /** FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE] */
  static void functionList(CommandContext ctx, byte[][] argv) {
    boolean withCode = false;
    boolean libraryName = false;
    for (int i = 2; i < argv.length; i++) {
      if (!withCode && Args.is(argv[i], "WITHCODE")) {
        withCode = true;
      } else if (!libraryName && Args.is(argv[i], "LIBRARYNAME")) {
        if (i >= argv.length - 1) {
          throw new CommandException("ERR library name argument was not given");
        }
        libraryName = true;
        i++;
      } else {
        throw new CommandException("ERR Unknown argument " + Args.latin1(argv[i]));
      }
    }
    ctx.out().emptyArray();
  }
}
