package io.toridb.core.server;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.Help;
import io.toridb.core.config.Config;
import io.toridb.core.config.ConfigRewriter;
import io.toridb.core.config.Directive;
import io.toridb.core.keyspace.GlobPattern;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONFIG GET, SET, RESETSTAT, REWRITE and HELP. Values are text in UTF-8, as in a config file.
 * CONFIG SET is all or nothing: every name is checked first, and if a value is refused the ones
 * already applied are put back.
 */
public final class ConfigCommands {
  private static final Logger log = LoggerFactory.getLogger(ConfigCommands.class);

  private ConfigCommands() {}

  /** Directives whose values MONITOR and the slow log must never show. */
  private static final List<String> SENSITIVE = List.of("requirepass", "masterauth", "masteruser");

  public static void register(CommandTable t) {
    int flags = ADMIN | NOSCRIPT | LOADING | STALE;
    t.add(
        CommandSpec.builder("config", -2)
            .group("server")
            .doc("A container for server configuration commands", "2.0.0", "Depends on subcommand.")
            .subcommand(
                CommandSpec.builder("get", -3)
                    .flags(flags)
                    .doc(
                        "Get the values of configuration parameters",
                        "2.0.0",
                        "O(N) when N is the number of configuration parameters provided")
                    .handler(ConfigCommands::get))
            .subcommand(
                CommandSpec.builder("set", -4)
                    .flags(flags)
                    .tips("request_policy:all_nodes", "response_policy:all_succeeded")
                    .doc(
                        "Set configuration parameters to the given values",
                        "2.0.0",
                        "O(N) when N is the number of configuration parameters provided")
                    .handler(ConfigCommands::set))
            .subcommand(
                CommandSpec.builder("resetstat", 2)
                    .flags(flags)
                    .doc("Reset the stats returned by INFO", "2.0.0", "O(1)")
                    .handler(ConfigCommands::resetStat))
            .subcommand(
                CommandSpec.builder("rewrite", 2)
                    .flags(flags)
                    .doc(
                        "Rewrite the configuration file with the in memory configuration",
                        "2.8.0",
                        "O(1)")
                    .handler(ConfigCommands::rewrite))
            .subcommand(
                CommandSpec.builder("help", 2)
                    .flags(LOADING | STALE)
                    .doc("Show helpful text about the different subcommands", "5.0.0", "O(1)")
                    .handler(ConfigCommands::help)));
  }

  /** CONFIG GET parameter [parameter ...] */
  static void get(CommandContext ctx, byte[][] argv) {
    Config config = ctx.server().config();
    // Name shown -> directive; an exact name is shown as typed, a pattern shows canonical names.
    Map<String, Directive> matches = new LinkedHashMap<>();
    for (int i = 2; i < argv.length; i++) {
      String arg = Args.latin1(argv[i]);
      if (arg.indexOf('*') < 0 && arg.indexOf('?') < 0 && arg.indexOf('[') < 0) {
        Directive d = config.get(arg);
        if (d != null && !containsIgnoreCase(matches, arg)) {
          matches.put(arg, d);
        }
        continue;
      }
      // Hidden directives need their exact name, as Redis's hidden configs.
      for (Directive d : config.all()) {
        if (!d.isHidden()
            && !matches.containsKey(d.name())
            && GlobPattern.matches(Args.bytes(arg), Args.bytes(d.name()), true)) {
          matches.put(d.name(), d);
        }
      }
      for (Map.Entry<String, String> alias : config.aliases().entrySet()) {
        Directive d = config.get(alias.getValue());
        if (!d.isHidden()
            && !matches.containsKey(alias.getKey())
            && GlobPattern.matches(Args.bytes(arg), Args.bytes(alias.getKey()), true)) {
          matches.put(alias.getKey(), d);
        }
      }
    }
    ctx.out().mapHeader(matches.size());
    for (Map.Entry<String, Directive> m : matches.entrySet()) {
      ctx.out().bulk(Args.bytes(m.getKey()));
      ctx.out().bulk(m.getValue().text());
    }
  }

  private static boolean containsIgnoreCase(Map<String, Directive> matches, String name) {
    for (String k : matches.keySet()) {
      if (k.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** CONFIG SET parameter value [parameter value ...] */
  static void set(CommandContext ctx, byte[][] argv) {
    if ((argv.length & 1) != 0) {
      throw new CommandException(Errors.SYNTAX);
    }
    Config config = ctx.server().config();
    // One CONFIG SET at a time, as on Redis's one thread: a failing one puts back the values it
    // read before, which must not undo another client's change made meanwhile.
    synchronized (config) {
      setLocked(ctx, argv, config);
    }
  }

  private static void setLocked(CommandContext ctx, byte[][] argv, Config config) {
    int count = (argv.length - 2) / 2;
    List<Directive> targets = new ArrayList<>(count);
    String unknown = null;
    String refused = null;
    String refusedName = null;
    for (int i = 0; i < count; i++) {
      String name = Args.latin1(argv[2 + i * 2]);
      Directive d = config.get(name);
      // Redact every sensitive value even when the command fails, as Redis does.
      if (d != null && SENSITIVE.contains(d.name())) {
        ctx.redact(3 + i * 2);
      }
      if (unknown != null || refused != null) {
        continue;
      }
      if (d == null) {
        unknown = name;
      } else if (d.isProtected()
          && !ctx.session().allowedBy(config.text("enable-protected-configs"))) {
        // Before the immutable check: ToriDB's dir is both, and Redis, whose dir is only protected,
        // answers this by default.
        refused = "can't set protected config";
        refusedName = name;
      } else if (!d.mutable()) {
        refused = "can't set immutable config";
        refusedName = name;
      } else if (targets.contains(d)) {
        refused = "duplicate parameter";
        refusedName = name;
      }
      targets.add(d);
    }
    if (unknown != null) {
      throw new CommandException(
          "ERR Unknown option or number of arguments for CONFIG SET - '" + unknown + "'");
    }
    if (refused != null) {
      throw new CommandException(failed(refusedName, refused));
    }
    String[] previous = new String[count];
    // Appliers of the directives whose value changed, each once, with the first such directive.
    Map<Directive.Applier, Directive> appliers = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      Directive d = targets.get(i);
      previous[i] = d.text();
      String error = d.set(new String(argv[3 + i * 2], StandardCharsets.UTF_8));
      if (error != null) {
        restore(targets, previous, i);
        throw new CommandException(failed(d.name(), error));
      }
      if (d.applier() != null && !d.text().equals(previous[i])) {
        appliers.putIfAbsent(d.applier(), d);
      }
    }
    for (Map.Entry<Directive.Applier, Directive> a : appliers.entrySet()) {
      String error = a.getKey().apply();
      if (error != null) {
        restore(targets, previous, count);
        for (Directive.Applier applier : appliers.keySet()) {
          String restoreError = applier.apply();
          if (restoreError != null) {
            log.warn("Failed applying restored failed CONFIG SET command: {}", restoreError);
          }
        }
        throw new CommandException(failed(a.getValue().name(), error));
      }
    }
    ctx.out().ok();
  }

  /** Puts back the values the first {@code count} targets had before CONFIG SET. */
  private static void restore(List<Directive> targets, String[] previous, int count) {
    for (int j = count - 1; j >= 0; j--) {
      String restoreError = targets.get(j).set(previous[j]);
      if (restoreError != null) {
        log.warn(
            "Failed restoring failed CONFIG SET command. Error setting {} to '{}': {}",
            targets.get(j).name(),
            previous[j],
            restoreError);
      }
    }
  }

  private static String failed(String name, String reason) {
    return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason;
  }

  /** CONFIG RESETSTAT */
  static void resetStat(CommandContext ctx, byte[][] argv) {
    ServerContext server = ctx.server();
    server.stats().reset();
    server.keyspace().stats().reset();
    for (CommandSpec spec : server.commands().allWithSubcommands()) {
      spec.calls.reset();
      spec.usec.reset();
      spec.rejectedCalls.reset();
      spec.failedCalls.reset();
      spec.resetLatency();
    }
    ctx.out().ok();
  }

  /** CONFIG REWRITE */
  static void rewrite(CommandContext ctx, byte[][] argv) {
    Path file = ctx.server().config().configFile();
    if (file == null) {
      throw new CommandException("ERR The server is running without a config file");
    }
    try {
      // Not in the middle of a CONFIG SET that may still put its values back.
      synchronized (ctx.server().config()) {
        ConfigRewriter.rewrite(ctx.server().config(), file);
      }
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      log.warn("CONFIG REWRITE failed: {}", reason);
      throw new CommandException("ERR Rewriting config file: " + reason);
    }
    log.warn("CONFIG REWRITE executed with success.");
    ctx.out().ok();
  }

  /** CONFIG HELP */
  static void help(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.");
  }
}
