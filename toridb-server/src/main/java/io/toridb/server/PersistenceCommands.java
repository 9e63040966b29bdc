package io.toridb.server;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;

import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.persistence.aof.AppendOnlyFile;

/** BGREWRITEAOF: the commands that act on the server's append-only file. */
final class PersistenceCommands {
  private final ToriServer server;

  PersistenceCommands(ToriServer server) {
    this.server = server;
  }

  void register(CommandTable t) {
    t.add(
        CommandSpec.builder("bgrewriteaof", 1)
            .flags(ADMIN | NOSCRIPT)
            .group("server")
            .doc("Asynchronously rewrite the append-only file", "1.0.0", "O(1)")
            .handler(this::bgrewriteaof));
  }

  /** BGREWRITEAOF */
  void bgrewriteaof(CommandContext ctx, byte[][] argv) {
    AppendOnlyFile aof = server.aof();
    if (aof == null) {
      throw new CommandException(
          "ERR The append-only file is off (appendonly no): there is nothing to rewrite");
    }
    String error = aof.rewrite("BGREWRITEAOF");
    if (error != null) {
      throw new CommandException(error);
    }
    ctx.out().simple("Background append only file rewriting started");
  }
}
