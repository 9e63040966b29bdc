package io.toridb.core.transaction;

import static io.toridb.core.command.CommandFlag.ALLOW_BUSY;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.NO_MULTI;
import static io.toridb.core.command.CommandFlag.SKIP_SLOWLOG;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.keyspace.Key;
import io.toridb.core.session.ClientSession;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH with Redis 7.0's semantics. While a client is in MULTI
 * the executor queues its commands (see {@link io.toridb.core.command.CommandExecutor}); EXEC runs
 * them as one unit with every key they and the watched keys touch locked, so nothing interleaves
 * with them.
 *
 * <p>And BEGIN, COMMIT and ROLLBACK: after BEGIN the client's commands run at once on a private
 * view of the keyspace that nobody else sees (see {@link StagedTransaction}); COMMIT applies their
 * changes as one unit, or none of them if another client changed a key the transaction used;
 * ROLLBACK drops them.
 */
public final class TransactionCommands {
  private TransactionCommands() {}

  static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

  /** COMMIT's reply when another client changed a key the transaction used. */
  public static final String CONFLICT =
      "CONFLICT Transaction aborted: a key it used was changed by another client. Nothing was"
          + " applied.";

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("multi", 1)
            .flags(NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY)
            .group("transactions")
            .doc("Start a transaction", "1.2.0", "O(1)")
            .handler(TransactionCommands::multi));
    t.add(
        CommandSpec.builder("exec", 1)
            .flags(NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG)
            .group("transactions")
            .doc(
                "Execute all commands issued after MULTI",
                "1.2.0",
                "Depends on commands in the transaction")
            .handler(TransactionCommands::exec));
    t.add(
        CommandSpec.builder("discard", 1)
            .flags(NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY)
            .group("transactions")
            .doc(
                "Discard all commands issued after MULTI",
                "2.0.0",
                "O(N), when N is the number of queued commands")
            .handler(TransactionCommands::discard));
    t.add(
        CommandSpec.builder("watch", -2)
            .flags(NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY)
            .keys(1, -1, 1)
            .keyFlags("RO")
            .group("transactions")
            .doc(
                "Watch the given keys to determine execution of the MULTI/EXEC block",
                "2.2.0",
                "O(1) for every key.")
            .handler(TransactionCommands::watch));
    t.add(
        CommandSpec.builder("unwatch", 1)
            .flags(NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY)
            .group("transactions")
            .doc("Forget about all watched keys", "2.2.0", "O(1)")
            .handler(TransactionCommands::unwatch));
    t.add(
        CommandSpec.builder("begin", 1)
            .flags(NOSCRIPT | FAST | NO_MULTI | ALLOW_BUSY)
            .group("transactions")
            .doc("Start a transaction whose writes stay private until COMMIT", "0.1.0", "O(1)")
            .handler(TransactionCommands::begin));
    t.add(
        CommandSpec.builder("commit", 1)
            .flags(NOSCRIPT | NO_MULTI | SKIP_SLOWLOG)
            .group("transactions")
            .doc(
                "Apply the writes of the transaction started by BEGIN, all or none",
                "0.1.0",
                "O(N) where N is the number of keys the transaction used")
            .handler(TransactionCommands::commit));
    t.add(
        CommandSpec.builder("rollback", 1)
            .flags(NOSCRIPT | FAST | NO_MULTI | ALLOW_BUSY | STALE)
            .group("transactions")
            .doc(
                "Drop the writes of the transaction started by BEGIN",
                "0.1.0",
                "O(N) where N is the number of keys the transaction used")
            .handler(TransactionCommands::rollback));
  }

  /**
   * Null if {@code spec} may run inside BEGIN, else the error it gets. Refused: the commands that
   * need the whole keyspace (every call, or this one: SORT with BY or GET patterns), SCAN included
   * (the private view holds only the keys the transaction asked for), those that would start or
   * steer another kind of transaction, and PUBLISH and MIGRATE, whose message or moved keys nobody
   * could take back.
   */
  public static String refusedInBegin(CommandSpec spec, byte[][] argv) {
    String name = spec.fullName();
    boolean refused =
        spec.needsWholeKeyspace(argv)
            || switch (name) {
              case "scan", "multi", "watch", "unwatch", "publish", "spublish", "migrate" -> true;
              default -> false;
            };
    if (!refused) {
      return null;
    }
    String shown = name.toUpperCase(java.util.Locale.ROOT).replace('|', ' ');
    return "ERR " + shown + " inside BEGIN is not allowed";
  }

  /** True for the commands that run at once even inside MULTI, as Redis's processCommand. */
  public static boolean runsInsideMulti(CommandSpec spec) {
    return switch (spec.fullName()) {
      case "exec", "discard", "multi", "watch", "quit", "reset" -> true;
      default -> false;
    };
  }

  /** MULTI */
  static void multi(CommandContext ctx, byte[][] argv) {
    String refused = begin(ctx.session());
    if (refused != null) {
      throw new CommandException(refused);
    }
    ctx.out().ok();
  }

  /**
   * Starts a transaction for {@code s} (MULTI); returns the error text when one is under way. Also
   * run by the event loop during a busy script.
   */
  public static String begin(ClientSession s) {
    if (s.multi() != null) {
      return "ERR MULTI calls can not be nested";
    }
    s.multi(new MultiState());
    return null;
  }

  /**
   * Ends the transaction of {@code s} and its WATCHes (DISCARD); returns the error text when none
   * is under way.
   */
  public static String discard(ClientSession s, Watches watches) {
    if (s.multi() == null) {
      return "ERR DISCARD without MULTI";
    }
    s.multi(null);
    watches.unwatchAll(s);
    return null;
  }

  /**
   * Refuses an EXEC as Redis's execCommandAbort: the transaction and its WATCHes are dropped, and
   * the reply says why ({@code error}, without its ERR).
   */
  public static String abortExec(ClientSession s, Watches watches, String error) {
    s.multi(null);
    watches.unwatchAll(s);
    String reason = error.startsWith("ERR ") ? error.substring(4) : error;
    return "EXECABORT Transaction discarded because of: " + reason;
  }

  /** EXEC */
  static void exec(CommandContext ctx, byte[][] argv) {
    ClientSession s = ctx.session();
    MultiState m = s.multi();
    if (m == null) {
      throw new CommandException("ERR EXEC without MULTI");
    }
    s.multi(null);
    if (m.aborted()) {
      ctx.server().watches().unwatchAll(s);
      throw new CommandException(EXECABORT);
    }
    ctx.runTransaction(m);
  }

  /** DISCARD */
  static void discard(CommandContext ctx, byte[][] argv) {
    String refused = discard(ctx.session(), ctx.server().watches());
    if (refused != null) {
      throw new CommandException(refused);
    }
    ctx.out().ok();
  }

  /** WATCH key [key ...] */
  static void watch(CommandContext ctx, byte[][] argv) {
    ClientSession s = ctx.session();
    if (s.multi() != null) {
      throw new CommandException("ERR WATCH inside MULTI is not allowed");
    }
    for (int i = 1; i < argv.length; i++) {
      ctx.server().watches().watch(s, ctx.keyspace(), s.db(), Key.of(argv[i]), ctx.now());
    }
    ctx.out().ok();
  }

  /** BEGIN */
  static void begin(CommandContext ctx, byte[][] argv) {
    ClientSession s = ctx.session();
    if (s.staged() != null) {
      throw new CommandException("ERR BEGIN calls can not be nested");
    }
    s.staged(new StagedTransaction(ctx.server(), s));
    ctx.out().ok();
  }

  /** COMMIT */
  static void commit(CommandContext ctx, byte[][] argv) {
    StagedTransaction t = ctx.staged();
    if (t == null) {
      throw new CommandException("ERR COMMIT without BEGIN");
    }
    ctx.endStaged();
    ctx.commitStaged(t);
  }

  /** ROLLBACK */
  static void rollback(CommandContext ctx, byte[][] argv) {
    if (ctx.staged() == null) {
      throw new CommandException("ERR ROLLBACK without BEGIN");
    }
    ctx.endStaged();
    ctx.server().watches().unwatchAll(ctx.session());
    ctx.out().ok();
  }

  /** UNWATCH */
  static void unwatch(CommandContext ctx, byte[][] argv) {
    ctx.server().watches().unwatchAll(ctx.session());
    ctx.out().ok();
  }
}
