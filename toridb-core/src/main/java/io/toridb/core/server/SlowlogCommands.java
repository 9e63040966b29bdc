package io.toridb.core.server;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Help;
import java.util.List;

/** SLOWLOG GET, LEN, RESET and HELP over {@link SlowLog}. */
public final class SlowlogCommands {
  private SlowlogCommands() {}

  private static final String BAD_COUNT = "ERR count should be greater than or equal to -1";

  public static void register(CommandTable t) {
    int flags = ADMIN | LOADING | STALE;
    t.add(
        CommandSpec.builder("slowlog", -2)
            .group("server")
            .doc("A container for slow log commands", "2.2.12", "Depends on subcommand.")
            .subcommand(
                CommandSpec.builder("get", -2)
                    .flags(flags)
                    .tips("request_policy:all_nodes", "nondeterministic_output")
                    .doc(
                        "Get the slow log's entries",
                        "2.2.12",
                        "O(N) where N is the number of entries returned")
                    .handler(SlowlogCommands::get))
            .subcommand(
                CommandSpec.builder("len", 2)
                    .flags(flags)
                    .tips(
                        "request_policy:all_nodes",
                        "response_policy:agg_sum",
                        "nondeterministic_output")
                    .doc("Get the slow log's length", "2.2.12", "O(1)")
                    .handler((ctx, argv) -> ctx.out().integer(ctx.server().slowLog().size())))
            .subcommand(
                CommandSpec.builder("reset", 2)
                    .flags(flags)
                    .tips("request_policy:all_nodes", "response_policy:all_succeeded")
                    .doc(
                        "Clear all entries from the slow log",
                        "2.2.12",
                        "O(N) where N is the number of entries in the slowlog")
                    .handler(SlowlogCommands::reset))
            .subcommand(
                CommandSpec.builder("help", 2)
                    .flags(LOADING | STALE)
                    .doc("Show helpful text about the different subcommands", "6.2.0", "O(1)")
                    .handler(SlowlogCommands::help)));
  }

  /** SLOWLOG GET [count] */
  static void get(CommandContext ctx, byte[][] argv) {
    if (argv.length > 3) {
      throw new CommandException(Help.syntaxError(argv));
    }
    int count = 10;
    if (argv.length == 3) {
      long n = Args.parseLong(argv[2], BAD_COUNT);
      if (n < -1) {
        throw new CommandException(BAD_COUNT);
      }
      count = (int) Math.min(n, Integer.MAX_VALUE);
    }
    List<SlowLog.Entry> entries = ctx.server().slowLog().newest(count);
    ctx.out().arrayHeader(entries.size());
    for (SlowLog.Entry e : entries) {
      ctx.out().arrayHeader(6);
      ctx.out().integer(e.id());
      ctx.out().integer(e.timestampSeconds());
      ctx.out().integer(e.durationMicros());
      ctx.out().arrayHeader(e.argv().length);
      for (byte[] arg : e.argv()) {
        ctx.out().bulk(arg);
      }
      ctx.out().bulk(Args.bytes(e.addr()));
      ctx.out().bulk(Args.bytes(e.name()));
    }
  }

  /** SLOWLOG RESET */
  static void reset(CommandContext ctx, byte[][] argv) {
    ctx.server().slowLog().reset();
    ctx.out().ok();
  }

  /** SLOWLOG HELP */
  static void help(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.");
  }
}
