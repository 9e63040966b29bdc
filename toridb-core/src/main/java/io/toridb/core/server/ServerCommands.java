package io.toridb.core.server;

import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.keyspace.Key;
import java.time.Instant;

/**
 * Server commands that need nothing but the registry: TIME, LASTSAVE, and the two replication
 * commands that have an answer on a server with no replicas, ROLE and WAIT.
 */
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
    t.add(role(ServerCommands::role));
    t.add(waitCommand(ServerCommands::waitForReplicas));
  }

  /** ROLE's entry, with {@code handler} (the server's replication replaces core's). */
  public static CommandSpec.Builder role(io.toridb.core.command.CommandHandler handler) {
    return CommandSpec.builder("role", 1)
        .flags(NOSCRIPT | LOADING | STALE | FAST)
        .group("server")
        .acl("admin", "dangerous")
        .doc("Return the role of the instance in the context of replication", "2.8.12", "O(1)")
        .handler(handler);
  }

  /** WAIT's entry, with {@code handler} (the server's replication replaces core's). */
  public static CommandSpec.Builder waitCommand(io.toridb.core.command.CommandHandler handler) {
    return CommandSpec.builder("wait", 3)
        .flags(NOSCRIPT)
        .group("generic")
        .acl("connection")
        .tips("request_policy:all_shards", "response_policy:agg_min")
        .doc(
            "Wait for the synchronous replication of all the write commands sent in the context"
                + " of the current connection",
            "3.0.0",
            "O(1)")
        .handler(handler);
  }

  /** ROLE: a primary with no replicas, at replication offset 0 (INFO's master_repl_offset). */
  static void role(CommandContext ctx, byte[][] argv) {
    ctx.out().arrayHeader(3);
    ctx.out().bulk(Args.bytes("master"));
    ctx.out().integer(0);
    ctx.out().arrayHeader(0);
  }

  /**
   * WAIT numreplicas timeout: the number of replicas that acknowledged this connection's writes,
   * always 0 here. As in Redis, asking for none replies at once, and asking for more waits for the
   * timeout in milliseconds (0: until CLIENT UNBLOCK), then replies 0; inside MULTI it never waits.
   */
  static void waitForReplicas(CommandContext ctx, byte[][] argv) {
    long replicas = Args.parseLong(argv[1], Errors.NOT_INTEGER);
    long timeout = Args.parseLong(argv[2], "ERR timeout is not an integer or out of range");
    if (timeout < 0) {
      throw new CommandException("ERR timeout is negative");
    }
    // Redis adds the time without a range check; a deadline past the end of time is no deadline.
    long deadline =
        timeout == 0 ? 0 : timeout > Long.MAX_VALUE - ctx.now() ? 0 : ctx.now() + timeout;
    if (replicas <= 0 || !ctx.mayBlock()) {
      ctx.out().integer(0);
      return;
    }
    ctx.block(new Key[0], deadline, out -> out.integer(0));
  }

  /** TIME */
  static void time(CommandContext ctx, byte[][] argv) {
    Instant now = Instant.now();
    ctx.out().arrayHeader(2);
    ctx.out().bulkLong(now.getEpochSecond());
    ctx.out().bulkLong(now.getNano() / 1000);
  }
}
