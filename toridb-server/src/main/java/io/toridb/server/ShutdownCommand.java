package io.toridb.server;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.ALLOW_BUSY;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.NO_MULTI;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: stops the server. On success nothing is replied;
 * the connection is closed as the server goes down. There is no wait for replicas, so a shutdown is
 * never pending and ABORT always finds none.
 */
final class ShutdownCommand {
  private static final Logger log = LoggerFactory.getLogger(ShutdownCommand.class);

  private final ToriServer server;

  ShutdownCommand(ToriServer server) {
    this.server = server;
  }

  void register(CommandTable t) {
    t.add(
        CommandSpec.builder("shutdown", -1)
            .flags(ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY)
            .group("server")
            .doc(
                "Synchronously save the dataset to disk and then shut down the server",
                "1.0.0",
                "O(N) when saving, where N is the total number of keys in all databases when"
                    + " saving data, otherwise O(1)")
            .handler(this::shutdown));
  }

  /** SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT] */
  void shutdown(CommandContext ctx, byte[][] argv) {
    boolean noSave = false;
    boolean save = false;
    boolean other = false;
    boolean abort = false;
    for (int i = 1; i < argv.length; i++) {
      switch (Args.upper(argv[i])) {
        case "NOSAVE" -> noSave = true;
        case "SAVE" -> save = true;
        case "NOW", "FORCE" -> other = true;
        case "ABORT" -> abort = true;
        default -> throw new CommandException(Errors.SYNTAX);
      }
    }
    if ((abort && (noSave || save || other)) || (noSave && save)) {
      throw new CommandException(Errors.SYNTAX);
    }
    if (abort) {
      throw new CommandException("ERR No shutdown in progress.");
    }
    log.warn("User requested shutdown...");
    // No reply: the connection closes, and the rest of its batch is not run.
    ctx.session().closeAfterReply(true);
    // shutdown() stops and joins the workers, so it cannot run on this worker thread.
    Thread t = new Thread(server::shutdown, "toridb-shutdown-command");
    t.start();
  }
}
