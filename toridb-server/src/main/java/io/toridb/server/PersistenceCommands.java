package io.toridb.server;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.NO_ASYNC_LOADING;
import static io.toridb.core.command.CommandFlag.NO_MULTI;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.persistence.snapshot.Snapshots;

/**
 * SAVE, BGSAVE and BGREWRITEAOF: the commands that write the server's snapshot and rewrite its
 * append-only file, with Redis's replies and error texts.
 */
final class PersistenceCommands {
  static final String BGSAVE_RUNNING = "ERR Background save already in progress";
  static final String OTHER_CHILD =
      "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in"
          + " order to schedule a BGSAVE whenever possible.";

  /** Redis's bare error reply (shared.err) when a save fails; the log says why. */
  static final String FAILED = "ERR";

  private final ToriServer server;

  PersistenceCommands(ToriServer server) {
    this.server = server;
  }

  void register(CommandTable t) {
    t.add(
        CommandSpec.builder("bgrewriteaof", 1)
            .flags(NO_ASYNC_LOADING | ADMIN | NOSCRIPT)
            .group("server")
            .doc("Asynchronously rewrite the append-only file", "1.0.0", "O(1)")
            .handler(this::bgrewriteaof));
    t.add(
        CommandSpec.builder("save", 1)
            .flags(NO_ASYNC_LOADING | ADMIN | NOSCRIPT | NO_MULTI)
            .group("server")
            .doc(
                "Synchronously save the dataset to disk",
                "1.0.0",
                "O(N) where N is the total number of keys in all databases")
            .handler(this::save));
    t.add(
        CommandSpec.builder("bgsave", -1)
            .flags(NO_ASYNC_LOADING | ADMIN | NOSCRIPT)
            .group("server")
            .doc("Asynchronously save the dataset to disk", "1.0.0", "O(1)")
            .handler(this::bgsave));
  }

  /** BGREWRITEAOF */
  void bgrewriteaof(CommandContext ctx, byte[][] argv) {
    boolean[] scheduled = {false};
    String error =
        server.snapshots().rewriteLog(server.logRewriter(), ctx.inTransaction(), scheduled);
    if (error != null) {
      throw new CommandException(error);
    }
    ctx.out()
        .simple(
            scheduled[0]
                ? "Background append only file rewriting scheduled"
                : "Background append only file rewriting started");
  }

  /** SAVE */
  void save(CommandContext ctx, byte[][] argv) {
    boolean[] alreadyRunning = {false};
    if (!server.snapshots().save(alreadyRunning)) {
      throw new CommandException(alreadyRunning[0] ? BGSAVE_RUNNING : FAILED);
    }
    ctx.out().ok();
  }

  /** BGSAVE [SCHEDULE] */
  void bgsave(CommandContext ctx, byte[][] argv) {
    boolean schedule = false;
    if (argv.length > 1) {
      if (argv.length == 2 && Args.is(argv[1], "SCHEDULE")) {
        schedule = true;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    Snapshots.Start started = server.snapshots().bgsave(schedule, ctx.inTransaction());
    switch (started) {
      case STARTED -> ctx.out().simple("Background saving started");
      case SCHEDULED -> ctx.out().simple("Background saving scheduled");
      case ALREADY_RUNNING -> throw new CommandException(BGSAVE_RUNNING);
      case OTHER_JOB_RUNNING -> throw new CommandException(OTHER_CHILD);
      case FAILED -> throw new CommandException(FAILED);
    }
  }
}
