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
import io.toridb.core.command.Help;
import io.toridb.core.command.LatencyHistogram;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * LATENCY DOCTOR, GRAPH, HELP, HISTOGRAM, HISTORY, LATEST and RESET: the latency monitor's events
 * ({@link LatencyMonitor}) and the per-command latency distributions of INFO latencystats.
 */
public final class LatencyCommands {
  private LatencyCommands() {}

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("latency", -2)
            .group("server")
            .doc("A container for latency diagnostics commands", "2.8.13", "Depends on subcommand.")
            .subcommand(
                report("doctor", 2)
                    .doc("Return a human readable latency analysis report.", "2.8.13", "O(1)")
                    .handler(LatencyCommands::doctor))
            .subcommand(
                report("graph", 3)
                    .doc("Return a latency graph for the event.", "2.8.13", "O(1)")
                    .handler(LatencyCommands::graph))
            .subcommand(
                CommandSpec.builder("help", 2)
                    .flags(LOADING | STALE)
                    .doc("Show helpful text about the different subcommands.", "2.8.13", "O(1)")
                    .handler(LatencyCommands::help))
            .subcommand(
                report("histogram", -2)
                    .doc(
                        "Return the cumulative distribution of latencies of a subset of commands or"
                            + " all.",
                        "7.0.0",
                        "O(N) where N is the number of commands with latency information being"
                            + " retrieved.")
                    .handler(LatencyCommands::histogram))
            .subcommand(
                report("history", 3)
                    .doc("Return timestamp-latency samples for the event.", "2.8.13", "O(1)")
                    .handler(LatencyCommands::history))
            .subcommand(
                report("latest", 2)
                    .doc("Return the latest latency samples for all events.", "2.8.13", "O(1)")
                    .handler(LatencyCommands::latest))
            .subcommand(
                CommandSpec.builder("reset", -2)
                    .flags(FLAGS)
                    .tips("request_policy:all_nodes", "response_policy:all_succeeded")
                    .doc("Reset latency data for one or more events.", "2.8.13", "O(1)")
                    .handler(LatencyCommands::reset)));
  }

  private static final int FLAGS = ADMIN | NOSCRIPT | LOADING | STALE;

  /** A subcommand that reports what the monitor holds, asked of every node of a cluster. */
  private static CommandSpec.Builder report(String name, int arity) {
    return CommandSpec.builder(name, arity)
        .flags(FLAGS)
        .tips("nondeterministic_output", "request_policy:all_nodes", "response_policy:special");
  }

  private static LatencyMonitor monitor(CommandContext ctx) {
    return ctx.server().latencyMonitor();
  }

  static void latest(CommandContext ctx, byte[][] argv) {
    List<LatencyMonitor.Latest> all = monitor(ctx).latest();
    RespWriter out = ctx.out();
    out.arrayHeader(all.size());
    for (LatencyMonitor.Latest l : all) {
      out.arrayHeader(4);
      out.bulk(Args.bytes(l.event()));
      out.integer(l.time());
      out.integer(l.millis());
      out.integer(l.max());
    }
  }

  static void history(CommandContext ctx, byte[][] argv) {
    List<LatencyMonitor.Sample> samples = monitor(ctx).history(Args.latin1(argv[2]));
    RespWriter out = ctx.out();
    out.arrayHeader(samples.size());
    for (LatencyMonitor.Sample s : samples) {
      out.arrayHeader(2);
      out.integer(s.time());
      out.integer(s.millis());
    }
  }

  static void reset(CommandContext ctx, byte[][] argv) {
    LatencyMonitor m = monitor(ctx);
    int resets = 0;
    if (argv.length == 2) {
      resets = m.reset(null);
    } else {
      for (int j = 2; j < argv.length; j++) {
        resets += m.reset(Args.latin1(argv[j]));
      }
    }
    ctx.out().integer(resets);
  }

  static void graph(CommandContext ctx, byte[][] argv) {
    String event = Args.latin1(argv[2]);
    String graph = monitor(ctx).graph(event, System.currentTimeMillis() / 1000);
    if (graph == null) {
      throw new CommandException("ERR No samples available for event '" + event + "'");
    }
    ctx.out().verbatim("txt", Args.bytes(graph));
  }

  static void doctor(CommandContext ctx, byte[][] argv) {
    long threshold = ctx.server().config().number("latency-monitor-threshold");
    ctx.out().verbatim("txt", Args.bytes(monitor(ctx).doctor(threshold)));
  }

  /**
   * LATENCY HISTOGRAM [command ...]: for every command (or those named, a container with its
   * subcommands, unknown names skipped) that has calls recorded since the last CONFIG RESETSTAT,
   * its calls and cumulative distribution in microseconds.
   */
  static void histogram(CommandContext ctx, byte[][] argv) {
    List<CommandSpec> specs = new ArrayList<>();
    if (argv.length == 2) {
      for (CommandSpec spec : ctx.server().commands().all()) {
        specs.add(spec);
        specs.addAll(spec.subcommands().values());
      }
    } else {
      for (int j = 2; j < argv.length; j++) {
        CommandSpec spec = CommandCommands.lookup(ctx.server().commands(), argv[j]);
        if (spec != null) {
          specs.add(spec);
          specs.addAll(spec.subcommands().values());
        }
      }
    }
    // Each distribution read once: its last point's count is the number of calls.
    List<CommandSpec> withData = new ArrayList<>();
    List<List<long[]>> cdfs = new ArrayList<>();
    for (CommandSpec spec : specs) {
      LatencyHistogram h = spec.latency();
      List<long[]> cdf = h == null ? List.of() : h.cumulativeMicros();
      if (!cdf.isEmpty()) {
        withData.add(spec);
        cdfs.add(cdf);
      }
    }
    RespWriter out = ctx.out();
    out.mapHeader(withData.size());
    for (int i = 0; i < withData.size(); i++) {
      List<long[]> cdf = cdfs.get(i);
      out.bulk(Args.bytes(withData.get(i).fullName()));
      out.mapHeader(2);
      out.bulk(Args.bytes("calls"));
      out.integer(cdf.get(cdf.size() - 1)[1]);
      out.bulk(Args.bytes("histogram_usec"));
      out.mapHeader(cdf.size());
      for (long[] point : cdf) {
        out.integer(point[0]);
        out.integer(point[1]);
      }
    }
  }

  static void help(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the"
            + " specified command names.",
        "    If no commands are specified then all histograms are replied.");
  }
}
