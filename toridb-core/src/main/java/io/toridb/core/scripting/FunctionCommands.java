package io.toridb.core.scripting;

import static io.toridb.core.command.CommandFlag.ALLOW_BUSY;
import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.EXCLUSIVE;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.MAY_REPLICATE;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.NO_MANDATORY_KEYS;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.SCRIPT_LOCKING;
import static io.toridb.core.command.CommandFlag.SKIP_MONITOR;
import static io.toridb.core.command.CommandFlag.STALE;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Help;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.GlobPattern;
import io.toridb.protocol.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Functions (Redis 7.0's FUNCTION and FCALL): libraries of Lua functions loaded once with FUNCTION
 * LOAD and called by name. A library is Lua code under a metadata line ({@code #!lua name=mylib})
 * that registers its functions with {@code redis.register_function}; see {@link FunctionLibraries}
 * for where they live and {@link LuaEngine} for how they run.
 *
 * <p>The commands that change the libraries lock the whole keyspace, so that a rewrite of the log,
 * which takes the libraries with the keys at one instant, sees each change either before its cut or
 * in the log after it. Their effects are logged as the commands themselves; replaying FUNCTION LOAD
 * compiles the library again.
 */
public final class FunctionCommands {
  private FunctionCommands() {}

  /** How long FUNCTION LOAD lets a library's code run (Redis's LOAD_TIMEOUT_MS). */
  static final long LOAD_TIMEOUT_MILLIS = 500;

  static final String BAD_NAME =
      "Library names can only contain letters, numbers, or underscores(_) and must be at least one"
          + " character long";

  private static final int FCALL_FLAGS =
      NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | SCRIPT_LOCKING;

  public static void register(CommandTable t) {
    t.add(fcallSpec("fcall", "Invoke a function", false).handler((ctx, a) -> fcall(ctx, a, false)));
    t.add(
        fcallSpec("fcall_ro", "Invoke a read-only function", true)
            .handler((ctx, a) -> fcall(ctx, a, true)));
    String[] allShards = {"request_policy:all_shards", "response_policy:all_succeeded"};
    t.add(
        CommandSpec.builder("function", -2)
            .group("scripting")
            .doc("A container for function commands", "7.0.0", "Depends on subcommand.")
            .subcommand(
                CommandSpec.builder("load", -3)
                    .flags(NOSCRIPT | WRITE | DENYOOM | EXCLUSIVE)
                    .tips(allShards)
                    .doc(
                        "Create a function with the given arguments (name, code, description)",
                        "7.0.0",
                        "O(1) (considering compilation time is redundant)")
                    .handler(FunctionCommands::load))
            .subcommand(
                CommandSpec.builder("delete", 3)
                    .flags(NOSCRIPT | WRITE | EXCLUSIVE)
                    .tips(allShards)
                    .doc("Delete a function by name", "7.0.0", "O(1)")
                    .handler(FunctionCommands::delete))
            .subcommand(
                CommandSpec.builder("flush", -2)
                    .flags(NOSCRIPT | WRITE | EXCLUSIVE)
                    .tips(allShards)
                    .doc(
                        "Deleting all functions",
                        "7.0.0",
                        "O(N) where N is the number of functions deleted")
                    .handler(FunctionCommands::flush))
            .subcommand(
                CommandSpec.builder("list", -2)
                    .flags(NOSCRIPT)
                    .tips("nondeterministic_output_order")
                    .doc(
                        "List information about all the functions",
                        "7.0.0",
                        "O(N) where N is the number of functions")
                    .handler(FunctionCommands::list))
            .subcommand(
                CommandSpec.builder("stats", 2)
                    .flags(NOSCRIPT | ALLOW_BUSY)
                    .tips(
                        "nondeterministic_output",
                        "request_policy:all_shards",
                        "response_policy:special")
                    .doc(
                        "Return information about the function currently running (name,"
                            + " description, duration)",
                        "7.0.0",
                        "O(1)")
                    .handler(FunctionCommands::stats))
            .subcommand(
                CommandSpec.builder("kill", 2)
                    .flags(NOSCRIPT | ALLOW_BUSY)
                    .tips("request_policy:all_shards", "response_policy:one_succeeded")
                    .doc("Kill the function currently in execution.", "7.0.0", "O(1)")
                    .handler(FunctionCommands::kill))
            .subcommand(
                CommandSpec.builder("dump", 2)
                    .flags(NOSCRIPT)
                    .doc(
                        "Dump all functions into a serialized binary payload",
                        "7.0.0",
                        "O(N) where N is the number of functions")
                    .handler(FunctionCommands::dump))
            .subcommand(
                CommandSpec.builder("restore", -3)
                    .flags(NOSCRIPT | WRITE | DENYOOM | EXCLUSIVE)
                    .tips(allShards)
                    .doc(
                        "Restore all the functions on the given payload",
                        "7.0.0",
                        "O(N) where N is the number of functions on the payload")
                    .handler(FunctionCommands::restore))
            .subcommand(
                CommandSpec.builder("help", 2)
                    .flags(LOADING | STALE)
                    .doc("Show helpful text about the different subcommands", "7.0.0", "O(1)")
                    .handler(FunctionCommands::help)));
  }

  private static CommandSpec.Builder fcallSpec(String name, String summary, boolean readOnly) {
    List<String> flags = readOnly ? List.of("RO", "ACCESS") : List.of("RW", "ACCESS", "UPDATE");
    String notes =
        readOnly
            ? "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
            : "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE";
    return CommandSpec.builder(name, -3)
        .flags(readOnly ? FCALL_FLAGS | READONLY : FCALL_FLAGS | MAY_REPLICATE)
        .keySpec(new KeySpec(2, 0, 1, flags, notes, true, 1, null, 0, null))
        .group("scripting")
        .doc(summary, "7.0.0", "Depends on the function that is executed.");
  }

  /** Whether {@code name} is made of letters, digits and underscores only, and not empty. */
  static boolean validName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** FCALL function numkeys [key ...] [arg ...], and FCALL_RO. */
  static void fcall(CommandContext ctx, byte[][] argv, boolean ro) {
    FunctionLibraries.Function f = ctx.server().functions().function(Args.latin1(argv[1]));
    if (f == null) {
      throw new CommandException("ERR Function not found");
    }
    long numkeys;
    try {
      numkeys = Args.parseLong(argv[2]);
    } catch (CommandException e) {
      throw new CommandException("ERR Bad number of keys provided");
    }
    int n = ScriptingCommands.checkNumkeys(numkeys, argv);
    boolean readOnly = ScriptingCommands.checkFlags(ctx, f.flags(), ro);
    ScriptingCommands.showInMonitor(ctx, argv);
    LuaEngine.of(ctx)
        .call(f, ScriptingCommands.keysOf(argv, n), ScriptingCommands.argsOf(argv, n), readOnly);
  }

  /** FUNCTION LOAD [REPLACE] function-code */
  static void load(CommandContext ctx, byte[][] argv) {
    boolean replace = false;
    int at = 2;
    while (at < argv.length - 1) {
      if (Args.is(argv[at], "REPLACE")) {
        replace = true;
        at++;
      } else {
        throw new CommandException("ERR Unknown option given: " + Args.latin1(argv[at]));
      }
    }
    // Replayed from the log, a library loads whatever time its code takes, as Redis's
    // mustObeyClient.
    long timeout = ctx.replaying() ? 0 : LOAD_TIMEOUT_MILLIS;
    FunctionLibraries functions = ctx.server().functions();
    Metadata md = Metadata.of(argv[at]);
    if (!replace && functions.library(md.name()) != null) {
      throw new CommandException("ERR Library '" + md.name() + "' already exists");
    }
    FunctionLibraries.Library library =
        LuaEngine.of(ctx).loadLibrary(md.name(), argv[at].clone(), md.bodyStart(), timeout);
    functions.add(List.of(library), replace);
    ctx.server().stats().dirty.add(1);
    ctx.propagate(argv);
    ctx.out().bulk(library.name());
  }

  /**
   * A library's metadata line, {@code #!lua name=mylib}.
   *
   * @param bodyStart where the line ends (its line feed), where the code to compile starts
   */
  record Metadata(String name, int bodyStart) {
    /**
     * Reads and checks the metadata line, as Redis's functionExtractLibMetaData and the checks
     * after it.
     *
     * @throws CommandException with Redis's error text
     */
    static Metadata of(byte[] code) {
      if (code.length < 2 || code[0] != '#' || code[1] != '!') {
        throw new CommandException("ERR Missing library metadata");
      }
      int end = 0;
      while (end < code.length && code[end] != '\n') {
        end++;
      }
      if (end == code.length) {
        throw new CommandException("ERR Invalid library metadata");
      }
      byte[][] words = io.toridb.protocol.InlineSplitter.split(java.util.Arrays.copyOf(code, end));
      if (words == null || words.length == 0) {
        throw new CommandException("ERR Invalid library metadata");
      }
      String[] parts = new String[words.length];
      for (int i = 0; i < words.length; i++) {
        parts[i] = new String(words[i], StandardCharsets.ISO_8859_1);
      }
      String engine = parts[0].substring(2);
      String name = null;
      for (int i = 1; i < parts.length; i++) {
        if (parts[i].regionMatches(true, 0, "name=", 0, 5)) {
          if (name != null) {
            throw new CommandException(
                "ERR Invalid metadata value, name argument was given multiple times");
          }
          name = parts[i].substring(5);
        } else {
          throw new CommandException("ERR Invalid metadata value given: " + parts[i]);
        }
      }
      if (name == null) {
        throw new CommandException("ERR Library name was not given");
      }
      if (!validName(name)) {
        throw new CommandException("ERR " + BAD_NAME);
      }
      if (!engine.equalsIgnoreCase("LUA")) {
        throw new CommandException("ERR Engine '" + engine + "' not found");
      }
      return new Metadata(name, end);
    }
  }

  /** FUNCTION DELETE library-name */
  static void delete(CommandContext ctx, byte[][] argv) {
    if (!ctx.server().functions().delete(Args.latin1(argv[2]))) {
      throw new CommandException("ERR Library not found");
    }
    ctx.server().stats().dirty.add(1);
    ctx.propagate(argv);
    ctx.out().ok();
  }

  /** FUNCTION FLUSH [ASYNC | SYNC] */
  static void flush(CommandContext ctx, byte[][] argv) {
    if (argv.length > 3) {
      throw new CommandException(Help.syntaxError(argv));
    }
    if (argv.length == 3 && !Args.is(argv[2], "SYNC") && !Args.is(argv[2], "ASYNC")) {
      throw new CommandException("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    }
    ctx.server().functions().replaceAll(List.of());
    ctx.server().stats().dirty.add(1);
    ctx.propagate(argv);
    ctx.out().ok();
  }

  /** FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE] */
  static void list(CommandContext ctx, byte[][] argv) {
    boolean withCode = false;
    byte[] pattern = null;
    for (int i = 2; i < argv.length; i++) {
      if (!withCode && Args.is(argv[i], "WITHCODE")) {
        withCode = true;
      } else if (pattern == null && Args.is(argv[i], "LIBRARYNAME")) {
        if (i >= argv.length - 1) {
          throw new CommandException("ERR library name argument was not given");
        }
        pattern = argv[++i];
      } else {
        throw new CommandException("ERR Unknown argument " + Args.latin1(argv[i]));
      }
    }
    List<FunctionLibraries.Library> shown = new java.util.ArrayList<>();
    for (FunctionLibraries.Library l : ctx.server().functions().libraries()) {
      if (pattern == null
          || GlobPattern.matches(pattern, l.name().getBytes(StandardCharsets.ISO_8859_1), true)) {
        shown.add(l);
      }
    }
    RespWriter out = ctx.out();
    out.arrayHeader(shown.size());
    for (FunctionLibraries.Library l : shown) {
      out.mapHeader(withCode ? 4 : 3);
      out.bulk("library_name");
      out.bulk(l.name());
      out.bulk("engine");
      out.bulk("LUA");
      out.bulk("functions");
      out.arrayHeader(l.functions().size());
      for (FunctionLibraries.Function f : l.functions().values()) {
        out.mapHeader(3);
        out.bulk("name");
        out.bulk(f.name());
        out.bulk("description");
        if (f.description() == null) {
          out.nullBulk();
        } else {
          out.bulk(f.description());
        }
        out.bulk("flags");
        List<String> flags = Script.flagNames(f.flags());
        out.setHeader(flags.size());
        for (String flag : flags) {
          out.simple(flag);
        }
      }
      if (withCode) {
        out.bulk("library_code");
        out.bulk(l.code());
      }
    }
  }

  /** FUNCTION STATS */
  static void stats(CommandContext ctx, byte[][] argv) {
    String refused = stats(ctx.out(), ctx.server().scripts(), ctx.server().functions());
    if (refused != null) {
      throw new CommandException(refused);
    }
  }

  /**
   * Writes FUNCTION STATS's reply, as the worker does and as the event loop does while a function
   * is busy; or, while a script (EVAL) runs, returns the error Redis gives instead.
   */
  public static String stats(RespWriter out, ScriptCache scripts, FunctionLibraries functions) {
    ScriptRun run = scripts.running();
    if (run != null && !run.function) {
      return io.toridb.core.command.Errors.BUSY_SCRIPT;
    }
    stats(out, run, functions);
    return null;
  }

  private static void stats(RespWriter out, ScriptRun run, FunctionLibraries functions) {
    out.mapHeader(2);
    out.bulk("running_script");
    if (run == null) {
      out.nullBulk();
    } else {
      out.mapHeader(3);
      out.bulk("name");
      out.bulk(run.name);
      out.bulk("command");
      byte[][] command = run.command;
      out.arrayHeader(command.length);
      for (byte[] a : command) {
        out.bulk(a);
      }
      out.bulk("duration_ms");
      out.integer(run.elapsedMillis());
    }
    out.bulk("engines");
    out.mapHeader(1);
    out.bulk("LUA");
    out.mapHeader(2);
    out.bulk("libraries_count");
    out.integer(functions.libraryCount());
    out.bulk("functions_count");
    out.integer(functions.functionCount());
  }

  /** FUNCTION KILL */
  static void kill(CommandContext ctx, byte[][] argv) {
    ScriptingCommands.kill(ctx, true);
  }

  /** FUNCTION DUMP */
  static void dump(CommandContext ctx, byte[][] argv) {
    ctx.out().bulk(payloads(ctx).dump(ctx.server().functions().codes()));
  }

  /** FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE] */
  static void restore(CommandContext ctx, byte[][] argv) {
    if (argv.length > 4) {
      throw new CommandException(Help.syntaxError(argv));
    }
    String policy = argv.length == 4 ? Args.latin1(argv[3]).toUpperCase(java.util.Locale.ROOT) : "";
    if (argv.length == 4 && !List.of("FLUSH", "APPEND", "REPLACE").contains(policy)) {
      throw new CommandException(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
    List<byte[]> codes;
    try {
      codes = payloads(ctx).parse(argv[2]);
    } catch (IllegalArgumentException e) {
      throw new CommandException("ERR " + e.getMessage());
    }
    // Without a time limit, as Redis restores.
    long timeout = 0;
    // As Redis, into a registry of their own first: names repeated inside the payload are refused
    // as FUNCTION LOAD refuses them.
    List<FunctionLibraries.Library> libraries = new java.util.ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    java.util.Set<String> functionNames = new java.util.HashSet<>();
    for (byte[] code : codes) {
      Metadata md = Metadata.of(code);
      if (names.contains(md.name())) {
        throw new CommandException("ERR Library '" + md.name() + "' already exists");
      }
      FunctionLibraries.Library l =
          LuaEngine.of(ctx).loadLibrary(md.name(), code.clone(), md.bodyStart(), timeout);
      for (String f : l.functions().keySet()) {
        if (!functionNames.add(f)) {
          throw new CommandException(
              "ERR Function " + l.functions().get(f).name() + " already exists");
        }
      }
      names.add(l.name());
      libraries.add(l);
    }
    FunctionLibraries functions = ctx.server().functions();
    if (policy.equals("FLUSH")) {
      functions.replaceAll(libraries);
    } else {
      functions.add(libraries, policy.equals("REPLACE"));
    }
    ctx.server().stats().dirty.add(1);
    ctx.propagate(argv);
    ctx.out().ok();
  }

  private static FunctionPayloads payloads(CommandContext ctx) {
    FunctionPayloads p = ctx.server().functionPayloads();
    if (p == null) {
      throw new CommandException("ERR function payloads are not available on this server");
    }
    return p;
  }

  /** FUNCTION HELP */
  static void help(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME"
            + " argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored"
            + " using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a"
            + " restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision,"
            + " abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision,"
            + " replace the old",
        "      libraries with the new libraries (notice that even on this option there is a"
            + " chance of failure",
        "      in case of functions name collision with another library).");
  }
}
