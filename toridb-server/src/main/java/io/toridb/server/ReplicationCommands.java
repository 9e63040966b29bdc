package io.toridb.server;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.ALLOW_BUSY;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.NO_ASYNC_LOADING;
import static io.toridb.core.command.CommandFlag.NO_MULTI;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.keyspace.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * REPLICAOF (SLAVEOF), REPLCONF, SYNC, PSYNC, and the replication-aware ROLE and WAIT, with Redis's
 * replies and error texts.
 */
final class ReplicationCommands {
  private static final Logger log = LoggerFactory.getLogger(ReplicationCommands.class);

  private final ToriServer server;

  ReplicationCommands(ToriServer server) {
    this.server = server;
  }

  void register(CommandTable t) {
    for (String name : new String[] {"replicaof", "slaveof"}) {
      t.add(
          CommandSpec.builder(name, 3)
              .flags(ADMIN | NOSCRIPT | STALE | NO_ASYNC_LOADING)
              .group("server")
              .acl("admin", "slow", "dangerous")
              .doc(
                  name.equals("slaveof")
                      ? "Make the server a replica of another instance, or promote it as master."
                          + " Deprecated starting with Redis 5. Use REPLICAOF instead."
                      : "Make the server a replica of another instance, or promote it as master.",
                  name.equals("slaveof") ? "1.0.0" : "5.0.0",
                  "O(1)")
              .handler(this::replicaOf));
    }
    t.add(
        CommandSpec.builder("replconf", -1)
            .flags(ADMIN | NOSCRIPT | LOADING | STALE | ALLOW_BUSY)
            .group("server")
            .acl("admin", "slow", "dangerous")
            .doc("An internal command for configuring the replication stream", "3.0.0", "O(1)")
            .handler(this::replconf));
    t.add(
        CommandSpec.builder("psync", -3)
            .flags(ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI)
            .group("server")
            .acl("admin", "slow", "dangerous")
            .doc("Internal command used for replication", "2.8.0", "O(1)")
            .handler((ctx, argv) -> sync(ctx, argv, true)));
    t.add(
        CommandSpec.builder("sync", 1)
            .flags(ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI)
            .group("server")
            .acl("admin", "slow", "dangerous")
            .doc("Internal command used for replication", "1.0.0", "O(1)")
            .handler((ctx, argv) -> sync(ctx, argv, false)));
    t.add(
        CommandSpec.builder("failover", -1)
            .flags(ADMIN | NOSCRIPT | STALE)
            .group("server")
            .acl("admin", "slow", "dangerous")
            .doc(
                "Start a coordinated failover between this server and one of its replicas.",
                "6.2.0",
                "O(1)")
            .handler(this::failover));
    t.replace(
        io.toridb.core.server.ServerCommands.role(
            (ctx, argv) -> server.replication().role(ctx.out())));
    t.replace(io.toridb.core.server.ServerCommands.waitCommand(this::waitForReplicas));
  }

  private static ClientConnection connection(CommandContext ctx) {
    return ctx.session().host() instanceof ClientConnection c ? c : null;
  }

  /**
   * FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: hands the primary's role to a replica
   * without losing a write (see {@link Replication#failover}).
   */
  private void failover(CommandContext ctx, byte[][] argv) {
    if (ctx.server().config().yes("cluster-enabled")) {
      throw new CommandException(
          "ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.");
    }
    Replication r = server.replication();
    if (argv.length == 2 && Args.is(argv[1], "ABORT")) {
      String error = r.abortFailoverCommand();
      if (error != null) {
        throw new CommandException(error);
      }
      ctx.out().ok();
      return;
    }
    long timeout = 0;
    boolean force = false;
    String host = null;
    long port = 0;
    for (int j = 1; j < argv.length; j++) {
      if (Args.is(argv[j], "TIMEOUT") && j + 1 < argv.length && timeout == 0) {
        timeout = Args.parseLong(argv[j + 1], Errors.NOT_INTEGER);
        if (timeout <= 0) {
          throw new CommandException("ERR FAILOVER timeout must be greater than 0");
        }
        j++;
      } else if (Args.is(argv[j], "TO") && j + 2 < argv.length && host == null) {
        port = Args.parseLong(argv[j + 2], Errors.NOT_INTEGER);
        host = Args.latin1(argv[j + 1]);
        j += 2;
      } else if (Args.is(argv[j], "FORCE") && !force) {
        force = true;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    String error = r.failover(host, (int) port, timeout, force);
    if (error != null) {
      throw new CommandException(error);
    }
    ctx.out().ok();
  }

  /** REPLICAOF host port | NO ONE */
  private void replicaOf(CommandContext ctx, byte[][] argv) {
    if (ctx.server().config().yes("cluster-enabled")) {
      throw new CommandException("ERR REPLICAOF not allowed in cluster mode.");
    }
    Replication r = server.replication();
    if (r.failoverState() != Replication.FailoverState.NO_FAILOVER) {
      throw new CommandException("ERR REPLICAOF not allowed while failing over.");
    }
    if (Args.is(argv[1], "NO") && Args.is(argv[2], "ONE")) {
      if (r.isReplica()) {
        r.promote();
        log.info("MASTER MODE enabled (user request from '{}')", ctx.session().remoteAddress());
      }
      ctx.out().ok();
      return;
    }
    if (ctx.session().replica()) {
      throw new CommandException("ERR Command is not valid when client is a replica.");
    }
    long port;
    try {
      port = Long.parseLong(Args.latin1(argv[2]));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new CommandException("ERR Invalid master port");
    }
    String host = Args.latin1(argv[1]);
    MasterLink link = r.link();
    if (link != null && link.host().equalsIgnoreCase(host) && link.port() == port) {
      log.info(
          "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
      ctx.out().simple("OK Already connected to specified master");
      return;
    }
    r.replicaOf(host, (int) port);
    log.info(
        "REPLICAOF {}:{} enabled (user request from '{}')",
        host,
        port,
        ctx.session().remoteAddress());
    ctx.out().ok();
  }

  /** REPLCONF option value [option value ...] */
  private void replconf(CommandContext ctx, byte[][] argv) {
    if (argv.length % 2 == 0) {
      throw new CommandException(Errors.SYNTAX);
    }
    ClientConnection conn = connection(ctx);
    Replication r = server.replication();
    for (int j = 1; j < argv.length; j += 2) {
      String option = Args.latin1(argv[j]).toLowerCase(java.util.Locale.ROOT);
      switch (option) {
        case "listening-port" -> {
          long port = Args.parseLong(argv[j + 1], Errors.NOT_INTEGER);
          if (conn != null) {
            r.feedOf(conn).listeningPort = (int) port;
          }
        }
        case "ip-address" -> {
          String ip = Args.latin1(argv[j + 1]);
          if (ip.length() > 46) {
            throw new CommandException(
                "ERR REPLCONF ip-address provided by replica instance is too long: "
                    + ip.length()
                    + " bytes");
          }
          if (conn != null) {
            r.feedOf(conn).announcedIp = ip;
          }
        }
        case "capa" -> {
          if (conn != null) {
            // "eof" (a diskless transfer) changes nothing: the snapshot is always sent with its
            // length.
            if (Args.is(argv[j + 1], "PSYNC2")) {
              r.feedOf(conn).capaPsync2 = true;
            }
          }
        }
        case "ack" -> {
          // From a replica about its offset: never answered.
          long offset = Args.parseLong(argv[j + 1], Errors.NOT_INTEGER);
          if (conn != null) {
            r.ack(conn, offset);
          }
          return;
        }
        case "getack" -> {
          // From the primary: answered on the link, outside the dropped replies.
          if (ctx.session().master() && r.link() != null) {
            r.link().sendAck();
          }
          return;
        }
        case "rdb-only" -> {
          long v = Args.parseLong(argv[j + 1], Errors.NOT_INTEGER);
          if (v != 0 && v != 1) {
            throw new CommandException("ERR value is out of range, value must between 0 and 1");
          }
          if (conn != null) {
            r.feedOf(conn).rdbOnly = v == 1;
          }
        }
        case "rdb-filter-only" -> {
          // As Redis 7.0: the keys are left out, and so are the functions unless named.
          boolean functions = false;
          for (String filter : Args.latin1(argv[j + 1]).trim().split("\\s+")) {
            if (filter.equalsIgnoreCase("functions")) {
              functions = true;
            } else if (!filter.isEmpty()) {
              throw new CommandException("ERR Unsupported rdb-filter-only option: " + filter);
            }
          }
          if (conn != null) {
            Replication.Feed f = r.feedOf(conn);
            f.excludeKeys = true;
            f.excludeFunctions = !functions;
          }
        }
        default ->
            throw new CommandException("ERR Unrecognized REPLCONF option: " + Args.latin1(argv[j]));
      }
    }
    ctx.out().ok();
  }

  /** SYNC, PSYNC replicationid offset */
  private void sync(CommandContext ctx, byte[][] argv, boolean psync) {
    ClientConnection conn = connection(ctx);
    if (conn == null) {
      throw new CommandException("ERR SYNC is only possible on a client connection");
    }
    String id = null;
    long from = -1;
    if (psync) {
      from = Args.parseLong(argv[2], Errors.NOT_INTEGER);
      id = Args.latin1(argv[1]);
    }
    boolean failover = psync && argv.length > 3 && Args.is(argv[3], "FAILOVER");
    String error = server.replication().sync(conn, id, from, failover);
    if (error != null) {
      throw new CommandException(error);
    }
  }

  /**
   * WAIT numreplicas timeout: blocks until that many replicas acknowledged every write made so far,
   * or the timeout (milliseconds, 0 for none) passes; replies how many did. Inside MULTI or a
   * script it replies at once.
   */
  private void waitForReplicas(CommandContext ctx, byte[][] argv) {
    Replication r = server.replication();
    if (r.isReplica()) {
      throw new CommandException(
          "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0"
              + " if a replica is configured to be writable (which is not the default) writes to"
              + " replicas are just local and are not propagated.");
    }
    long wanted = Args.parseLong(argv[1], Errors.NOT_INTEGER);
    long timeout = Args.parseLong(argv[2], "ERR timeout is not an integer or out of range");
    if (timeout < 0) {
      throw new CommandException("ERR timeout is negative");
    }
    long deadline =
        timeout == 0 ? 0 : timeout > Long.MAX_VALUE - ctx.now() ? 0 : ctx.now() + timeout;
    long target = r.offset();
    int acked = r.acked(target);
    if (acked >= wanted || !ctx.mayBlock()) {
      ctx.out().integer(acked);
      return;
    }
    ctx.block(new Key[0], deadline, out -> out.integer(r.acked(target)));
    io.toridb.core.blocking.BlockedClient client = ctx.session().blocked();
    if (client != null) {
      r.await(client, target, wanted);
    }
  }
}
