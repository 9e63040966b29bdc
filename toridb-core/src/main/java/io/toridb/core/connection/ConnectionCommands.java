package io.toridb.core.connection;

import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NO_AUTH;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;

/** Connection commands that only touch the client's own session: PING, ECHO, SELECT, QUIT. */
public final class ConnectionCommands {
  private ConnectionCommands() {}

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("ping", -1)
            .flags(FAST | STALE | LOADING)
            .group("connection")
            .doc("Returns the server's liveliness response.", "1.0.0", "O(1)")
            .handler(ConnectionCommands::ping));
    t.add(
        CommandSpec.builder("echo", 2)
            .flags(FAST | STALE | LOADING)
            .group("connection")
            .doc("Returns the given string.", "1.0.0", "O(1)")
            .handler((ctx, argv) -> ctx.out().bulk(argv[1])));
    t.add(
        CommandSpec.builder("select", 2)
            .flags(FAST | STALE | LOADING)
            .group("connection")
            .doc("Changes the selected database.", "1.0.0", "O(1)")
            .handler(ConnectionCommands::select));
    t.add(
        CommandSpec.builder("quit", -1)
            .flags(FAST | STALE | LOADING | NO_AUTH | io.toridb.core.command.CommandFlag.ALLOW_BUSY)
            .group("connection")
            .doc("Closes the connection.", "1.0.0", "O(1)")
            .handler(ConnectionCommands::quit));
  }

  /** PING [message] */
  static void ping(CommandContext ctx, byte[][] argv) {
    if (argv.length > 2) {
      ctx.error(Errors.wrongArity("ping"));
      return;
    }
    if (argv.length == 1) {
      ctx.out().simple("PONG");
    } else {
      ctx.out().bulk(argv[1]);
    }
  }

  /** SELECT index */
  static void select(CommandContext ctx, byte[][] argv) {
    long index = io.toridb.core.command.Args.parseLong(argv[1]);
    if (index < 0 || index >= ctx.keyspace().databaseCount()) {
      ctx.error(Errors.DB_OUT_OF_RANGE);
      return;
    }
    ctx.session().db((int) index);
    ctx.out().ok();
  }

  /** QUIT */
  static void quit(CommandContext ctx, byte[][] argv) {
    ctx.session().closeAfterReply(true);
    ctx.out().ok();
  }
}
