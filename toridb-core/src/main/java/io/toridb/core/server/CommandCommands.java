package io.toridb.core.server;

import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.AclCategories;
import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandFlag;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.Help;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.GlobPattern;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * COMMAND and its subcommands: the command table as clients see it. Every reply is built from the
 * table rows ({@link CommandSpec}), so a command shows up here as soon as it is registered.
 *
 * <p>Each COMMAND INFO entry has Redis 7.0's ten elements: name, arity, flags, first key, last key,
 * step, ACL categories, tips, key specs and subcommands. The key spec is derived from the
 * first/last/step triple; COMMAND DOCS gives summary, since, group and complexity but no argument
 * lists, which redis-cli's help accepts.
 */
public final class CommandCommands {
  private CommandCommands() {}

  public static void register(CommandTable t) {
    int flags = LOADING | STALE;
    t.add(
        CommandSpec.builder("command", -1)
            .flags(flags)
            .group("server")
            .acl("connection")
            .tips("nondeterministic_output_order")
            .doc(
                "Get array of Redis command details",
                "2.8.13",
                "O(N) where N is the total number of Redis commands")
            .handler(CommandCommands::command)
            .subcommand(
                sub("count", 2, "Get total number of Redis commands", "2.8.13", "O(1)")
                    .handler(CommandCommands::count))
            .subcommand(
                sub(
                        "docs",
                        -2,
                        "Get array of specific Redis command documentation",
                        "7.0.0",
                        "O(N) where N is the number of commands to look up")
                    .tips("nondeterministic_output_order")
                    .handler(CommandCommands::docs))
            .subcommand(
                sub(
                        "getkeys",
                        -4,
                        "Extract keys given a full Redis command",
                        "2.8.13",
                        "O(N) where N is the number of arguments to the command")
                    .handler((ctx, argv) -> getKeys(ctx, argv, false)))
            .subcommand(
                sub(
                        "getkeysandflags",
                        -4,
                        "Extract keys and access flags given a full Redis command",
                        "7.0.0",
                        "O(N) where N is the number of arguments to the command")
                    .handler((ctx, argv) -> getKeys(ctx, argv, true)))
            .subcommand(
                sub(
                        "info",
                        -2,
                        "Get array of specific Redis command details, or all when no argument is"
                            + " given.",
                        "2.8.13",
                        "O(N) where N is the number of commands to look up")
                    .tips("nondeterministic_output_order")
                    .handler(CommandCommands::info))
            .subcommand(
                sub(
                        "list",
                        -2,
                        "Get an array of Redis command names",
                        "7.0.0",
                        "O(N) where N is the total number of Redis commands")
                    .tips("nondeterministic_output_order")
                    .handler(CommandCommands::list))
            .subcommand(
                sub("help", 2, "Show helpful text about the different subcommands", "5.0.0", "O(1)")
                    .handler(CommandCommands::help)));
  }

  private static CommandSpec.Builder sub(
      String name, int arity, String summary, String since, String complexity) {
    return CommandSpec.builder(name, arity)
        .flags(LOADING | STALE)
        .acl("connection")
        .doc(summary, since, complexity);
  }

  /** COMMAND */
  static void command(CommandContext ctx, byte[][] argv) {
    Collection<CommandSpec> all = ctx.server().commands().all();
    ctx.out().arrayHeader(all.size());
    for (CommandSpec spec : all) {
      writeInfo(ctx.out(), spec);
    }
  }

  /** COMMAND COUNT */
  static void count(CommandContext ctx, byte[][] argv) {
    ctx.out().integer(ctx.server().commands().size());
  }

  /** COMMAND INFO [command-name [command-name ...]] */
  static void info(CommandContext ctx, byte[][] argv) {
    if (argv.length == 2) {
      command(ctx, argv);
      return;
    }
    ctx.out().arrayHeader(argv.length - 2);
    for (int i = 2; i < argv.length; i++) {
      CommandSpec spec = lookup(ctx.server().commands(), argv[i]);
      if (spec == null) {
        ctx.out().nullBulk();
      } else {
        writeInfo(ctx.out(), spec);
      }
    }
  }

  /** COMMAND DOCS [command-name [command-name ...]] */
  static void docs(CommandContext ctx, byte[][] argv) {
    List<CommandSpec> found = new ArrayList<>();
    if (argv.length == 2) {
      found.addAll(ctx.server().commands().all());
    } else {
      for (int i = 2; i < argv.length; i++) {
        CommandSpec spec = lookup(ctx.server().commands(), argv[i]);
        if (spec != null) {
          found.add(spec);
        }
      }
    }
    ctx.out().mapHeader(found.size());
    for (CommandSpec spec : found) {
      ctx.out().bulk(spec.fullName());
      writeDocs(ctx.out(), spec);
    }
  }

  /** COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern] */
  static void list(CommandContext ctx, byte[][] argv) {
    String filter = null;
    String value = null;
    for (int i = 2; i < argv.length; i++) {
      int more = argv.length - 1 - i;
      if (Args.is(argv[i], "FILTERBY") && more == 2) {
        filter = Args.upper(argv[i + 1]);
        if (!filter.equals("MODULE") && !filter.equals("ACLCAT") && !filter.equals("PATTERN")) {
          throw new CommandException(Errors.SYNTAX);
        }
        value = Args.latin1(argv[i + 2]);
        i += 2;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    List<String> names = new ArrayList<>();
    for (CommandSpec spec : ctx.server().commands().allWithSubcommands()) {
      if (filter == null || passes(spec, filter, value)) {
        names.add(spec.fullName());
      }
    }
    ctx.out().arrayHeader(names.size());
    for (String name : names) {
      ctx.out().bulk(name);
    }
  }

  private static boolean passes(CommandSpec spec, String filter, String value) {
    return switch (filter) {
      // No modules exist, so no command belongs to one.
      case "MODULE" -> false;
      case "ACLCAT" -> AclCategories.of(spec).contains(value.toLowerCase(Locale.ROOT));
      default -> GlobPattern.matches(Args.bytes(value), Args.bytes(spec.fullName()), true);
    };
  }

  /** COMMAND GETKEYS command [arg [arg ...]] and COMMAND GETKEYSANDFLAGS */
  static void getKeys(CommandContext ctx, byte[][] argv, boolean withFlags) {
    byte[][] target = java.util.Arrays.copyOfRange(argv, 2, argv.length);
    CommandSpec spec = ctx.server().commands().lookup(target[0]);
    if (spec != null && spec.isContainer()) {
      spec = target.length >= 2 ? spec.subcommand(target[1]) : null;
    }
    if (spec == null) {
      throw new CommandException("ERR Invalid command specified");
    }
    // Keys counted by an argument (SINTERCARD, LMPOP, ZUNION) have no legacy first key but a
    // key spec.
    if ((spec.firstKey() <= 0 && spec.keySpecs().isEmpty()) || onlyNotKeys(spec)) {
      throw new CommandException("ERR The command has no key arguments");
    }
    if (!spec.arityAccepts(target.length)) {
      throw new CommandException("ERR Invalid number of arguments specified for command");
    }
    // Keys in key spec order, each with the flags of the spec that found it, as Redis does.
    List<Integer> positions = new ArrayList<>();
    List<List<String>> flags = new ArrayList<>();
    for (KeySpec keySpec : spec.keySpecs()) {
      List<String> specFlags = spec.keyFlags(keySpec, target);
      keySpec.forEachKey(
          target,
          pos -> {
            positions.add(pos);
            flags.add(specFlags);
          });
    }
    if (positions.isEmpty() && !spec.has(io.toridb.core.command.CommandFlag.NO_MANDATORY_KEYS)) {
      throw new CommandException("ERR Invalid arguments specified for command");
    }
    ctx.out().arrayHeader(positions.size());
    for (int i = 0; i < positions.size(); i++) {
      if (withFlags) {
        ctx.out().arrayHeader(2);
        ctx.out().bulk(target[positions.get(i)]);
        writeSimpleSet(ctx.out(), flags.get(i));
      } else {
        ctx.out().bulk(target[positions.get(i)]);
      }
    }
  }

  /** True when every key spec says its arguments are not keys (SSUBSCRIBE's shard channels). */
  private static boolean onlyNotKeys(CommandSpec spec) {
    for (KeySpec keySpec : spec.keySpecs()) {
      if (!keySpec.flags().contains("not_key")) {
        return false;
      }
    }
    return !spec.keySpecs().isEmpty();
  }

  /** COMMAND HELP */
  static void help(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.");
  }

  /** A command by name, or a subcommand by "container|sub"; null when there is none. */
  static CommandSpec lookup(CommandTable table, byte[] name) {
    String n = Args.latin1(name);
    int bar = n.indexOf('|');
    if (bar < 0) {
      return table.lookup(n);
    }
    CommandSpec container = table.lookup(n.substring(0, bar));
    if (container == null || n.indexOf('|', bar + 1) >= 0) {
      return null;
    }
    return container.subcommands().get(n.substring(bar + 1).toLowerCase(Locale.ROOT));
  }

  /** One COMMAND INFO entry. */
  static void writeInfo(RespWriter out, CommandSpec spec) {
    out.arrayHeader(10);
    out.bulk(spec.fullName());
    out.integer(spec.arity());
    List<String> flags = new ArrayList<>(CommandFlag.names(spec.flags()));
    // Redis keeps may_replicate to itself.
    flags.remove("may_replicate");
    writeSimpleSet(out, flags);
    out.integer(Math.max(spec.firstKey(), 0));
    out.integer(spec.firstKey() > 0 ? spec.lastKey() : 0);
    out.integer(spec.firstKey() > 0 ? spec.step() : 0);
    List<String> acl = AclCategories.of(spec);
    out.setHeader(acl.size());
    for (String c : acl) {
      out.simple("@" + c);
    }
    out.setHeader(spec.tips().size());
    for (String tip : spec.tips()) {
      out.bulk(tip);
    }
    writeKeySpecs(out, spec);
    if (spec.isContainer()) {
      out.arrayHeader(spec.subcommands().size());
      for (CommandSpec sub : spec.subcommands().values()) {
        writeInfo(out, sub);
      }
    } else {
      out.setHeader(0);
    }
  }

  private static void writeKeySpecs(RespWriter out, CommandSpec spec) {
    out.setHeader(spec.keySpecs().size());
    for (KeySpec keySpec : spec.keySpecs()) {
      out.mapHeader(keySpec.notes() == null ? 3 : 4);
      if (keySpec.notes() != null) {
        out.bulk("notes");
        out.bulk(keySpec.notes());
      }
      out.bulk("flags");
      writeSimpleSet(out, keySpec.flags());
      out.bulk("begin_search");
      out.mapHeader(2);
      out.bulk("type");
      if (keySpec.unknown()) {
        out.bulk("unknown");
        out.bulk("spec");
        out.mapHeader(0);
        out.bulk("find_keys");
        out.mapHeader(2);
        out.bulk("type");
        out.bulk("unknown");
        out.bulk("spec");
        out.mapHeader(0);
        continue;
      }
      if (keySpec.keyword() != null) {
        out.bulk("keyword");
        out.bulk("spec");
        out.mapHeader(2);
        out.bulk("keyword");
        out.bulk(keySpec.keyword());
        out.bulk("startfrom");
        out.integer(keySpec.startFrom());
      } else {
        out.bulk("index");
        out.bulk("spec");
        out.mapHeader(1);
        out.bulk("index");
        out.integer(keySpec.index());
      }
      out.bulk("find_keys");
      out.mapHeader(2);
      out.bulk("type");
      out.bulk(keySpec.keyNum() ? "keynum" : "range");
      out.bulk("spec");
      out.mapHeader(3);
      if (keySpec.keyNum()) {
        out.bulk("keynumidx");
        out.integer(keySpec.lastKey());
        out.bulk("firstkey");
        out.integer(keySpec.firstKey());
        out.bulk("keystep");
        out.integer(keySpec.keyStep());
      } else {
        out.bulk("lastkey");
        out.integer(keySpec.lastKey());
        out.bulk("keystep");
        out.integer(keySpec.keyStep());
        out.bulk("limit");
        out.integer(0);
      }
    }
  }

  private static void writeSimpleSet(RespWriter out, List<String> items) {
    out.setHeader(items.size());
    for (String item : items) {
      out.simple(item);
    }
  }

  /** One COMMAND DOCS entry: summary, since, group, complexity, and subcommands for containers. */
  static void writeDocs(RespWriter out, CommandSpec spec) {
    boolean hasComplexity = spec.complexity() != null;
    out.mapHeader(3 + (hasComplexity ? 1 : 0) + (spec.isContainer() ? 1 : 0));
    out.bulk("summary");
    out.bulk(spec.summary());
    out.bulk("since");
    out.bulk(spec.since());
    out.bulk("group");
    out.bulk(docGroup(spec.group()));
    if (hasComplexity) {
      out.bulk("complexity");
      out.bulk(spec.complexity());
    }
    if (spec.isContainer()) {
      out.bulk("subcommands");
      out.mapHeader(spec.subcommands().size());
      for (CommandSpec sub : spec.subcommands().values()) {
        out.bulk(sub.fullName());
        writeDocs(out, sub);
      }
    }
  }

  /** The group name COMMAND DOCS uses ("sorted-set" however the table spells it). */
  static String docGroup(String group) {
    return switch (group.toLowerCase(Locale.ROOT)) {
      case "sorted_set", "sortedset", "zset" -> "sorted-set";
      default -> group.toLowerCase(Locale.ROOT);
    };
  }
}
