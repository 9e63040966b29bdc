package io.toridb.core.server;

import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.Help;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;

/**
 * MEMORY USAGE and MEMORY HELP. The usage is an estimate of the heap a key takes (see {@link
 * StoredValue#memoryUsage}); unlike Redis, which samples a few elements of a collection, every
 * element is examined, so the SAMPLES option is checked and otherwise ignored.
 */
public final class MemoryCommands {
  private MemoryCommands() {}

  /** Estimated bytes of a key's map entry and its key object, beside the key's bytes. */
  static final long KEY_OVERHEAD = 64;

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("memory", -2)
            .group("server")
            .doc("A container for memory diagnostics commands", "4.0.0", "Depends on subcommand.")
            .subcommand(
                CommandSpec.builder("usage", -3)
                    .flags(READONLY)
                    .keys(2, 2, 1)
                    .keyFlags("RO")
                    .doc(
                        "Estimate the memory usage of a key",
                        "4.0.0",
                        "O(N) where N is the number of samples.")
                    .handler(MemoryCommands::usage))
            .subcommand(
                CommandSpec.builder("help", 2)
                    .flags(LOADING | STALE)
                    .doc("Show helpful text about the different subcommands", "4.0.0", "O(1)")
                    .handler(
                        (ctx, argv) ->
                            Help.reply(
                                ctx,
                                argv[0],
                                "USAGE <key> [SAMPLES <count>]",
                                "    Return memory in bytes used by <key> and its value. Nested"
                                    + " values are",
                                "    sampled up to <count> times (default: 5, 0 means sample"
                                    + " all)."))));
  }

  /** MEMORY USAGE key [SAMPLES count] */
  static void usage(CommandContext ctx, byte[][] argv) {
    for (int j = 3; j < argv.length; j++) {
      if (Args.is(argv[j], "SAMPLES") && j + 1 < argv.length) {
        if (Args.parseLong(argv[j + 1]) < 0) {
          throw new CommandException(Errors.SYNTAX);
        }
        j++;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    StoredValue value = ctx.db().peek(Key.of(argv[2]));
    if (value == null || ctx.db().isExpired(value, ctx.now())) {
      ctx.out().nullBulk();
      return;
    }
    ctx.out().integer(value.memoryUsage() + argv[2].length + KEY_OVERHEAD);
  }
}
