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
import io.toridb.core.keyspace.KeyLocks;
import io.toridb.core.server.ServerContext;
import io.toridb.persistence.snapshot.Snapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: stops the server. As Redis 7.0: SAVE saves the
 * snapshot, NOSAVE does not, and without either it is saved when save points are configured; when
 * that save fails the server keeps running and replies an error, unless FORCE. The append-only file
 * is flushed and forced either way. On success nothing is replied; the connection is closed as the
 * server goes down. There is no wait for replicas, so a shutdown is never pending, NOW changes
 * nothing and ABORT always finds none.
 */
final class ShutdownCommand {
  private static final Logger log = LoggerFactory.getLogger(ShutdownCommand.class);

  /** Redis's reply when the final save fails (without FORCE); the server keeps running. */
  static final String SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";

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
    boolean force = false;
    boolean now = false;
    boolean abort = false;
    for (int i = 1; i < argv.length; i++) {
      switch (Args.upper(argv[i])) {
        case "NOSAVE" -> noSave = true;
        case "SAVE" -> save = true;
        case "NOW" -> now = true;
        case "FORCE" -> force = true;
        case "ABORT" -> abort = true;
        default -> throw new CommandException(Errors.SYNTAX);
      }
    }
    if ((abort && (noSave || save || now || force)) || (noSave && save)) {
      throw new CommandException(Errors.SYNTAX);
    }
    if (abort) {
      throw new CommandException("ERR No shutdown in progress.");
    }
    log.warn("User requested shutdown...");
    if (!prepare(server, save, noSave, force)) {
      throw new CommandException(SHUTDOWN_FAILED);
    }
    // No reply: the connection closes, and the rest of its batch is not run.
    ctx.session().closeAfterReply(true);
    // shutdown() stops and joins the workers, so it cannot run on this worker thread.
    Thread t = new Thread(() -> server.shutdown(false), "toridb-shutdown-command");
    t.start();
  }

  /**
   * What SHUTDOWN, SIGTERM and SIGINT do before the server stops, as Redis's prepareForShutdown:
   * saves the final snapshot when asked ({@code save}) or when save points are configured (unless
   * {@code noSave}), and stops every command from running. False, logged as Redis logs it, when
   * that save failed or the log turned on at run time still writes its first base (exiting then
   * could lose the data set); the server then keeps running, unless {@code force}.
   */
  static boolean prepare(ToriServer server, boolean save, boolean noSave, boolean force) {
    ServerContext context = server.context();
    // While loading (or before), saving would replace the file with part of the data: never, as
    // in Redis.
    if (!server.loaded()) {
      save = false;
      noSave = true;
    }
    if (!context.stopping()) {
      server.notifyStopping();
    }
    io.toridb.persistence.aof.AppendOnlyFile aof = server.aof();
    if (aof != null && aof.writingFirstBase()) {
      if (!force) {
        log.warn("Writing initial AOF, can't exit.");
        log.warn("Errors trying to shut down the server. Check the logs for more information.");
        return false;
      }
      log.warn("Writing initial AOF. Exit anyway.");
    }
    Snapshots snapshots = server.snapshots();
    KeyLocks locks = context.keyspace().locks();
    // With every lock held no other command runs; once stopping is set none will (see
    // ServerContext#stopping), so the snapshot holds every write that was ever acknowledged.
    locks.lockEverything();
    try {
      if (context.stopping()) {
        // Prepared already (a SHUTDOWN and a signal, two signals): nothing more to save.
        return true;
      }
      if (save || (!noSave && snapshots.savePointsConfigured())) {
        log.info("Saving the final RDB snapshot before exiting.");
        server.notifyServiceManager("STATUS=Saving the final RDB snapshot\n");
        if (!snapshots.saveWhileLocked("SHUTDOWN saves the final snapshot")) {
          if (!force) {
            log.warn("Error trying to save the DB, can't exit.");
            server.notifyServiceManager("STATUS=Error trying to save the DB, can't exit.\n");
            log.warn("Errors trying to shut down the server. Check the logs for more information.");
            return false;
          }
          log.warn("Error trying to save the DB. Exit anyway.");
        }
      } else {
        snapshots.stopBackground("SHUTDOWN");
      }
      context.stopping(true);
    } finally {
      locks.unlockEverything();
    }
    return true;
  }
}
