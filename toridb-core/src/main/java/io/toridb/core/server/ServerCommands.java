package io.toridb.core.server;

import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import java.time.Instant;

/** Server commands that need nothing but the registry: TIME and LASTSAVE. */
public final class ServerCommands {
  private ServerCommands() {}

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("time", 1)
            .flags(LOADING | STALE | FAST)
            .group("server")
            .tips("nondeterministic_output")
            .doc("Return the current server time", "2.6.0", "O(1)")
            .handler(ServerCommands::time));
    t.add(
        CommandSpec.builder("lastsave", 1)
            .flags(LOADING | STALE | FAST)
            .group("server")
            .acl("admin", "dangerous")
            .tips("nondeterministic_output")
            .doc("Get the UNIX time stamp of the last successful save to disk", "1.0.0", "O(1)")
            .handler((ctx, argv) -> ctx.out().integer(ctx.server().lastSaveSeconds())));
  }

  /** TIME */
  static void time(CommandContext ctx, byte[][] argv) {
    Instant now = Instant.now();
    ctx.out().arrayHeader(2);
    ctx.out().bulkLong(now.getEpochSecond());
    ctx.out().bulkLong(now.getNano() / 1000);
  }
}
