package io.toridb.core.connection;

import static io.toridb.core.command.CommandFlag.ALLOW_BUSY;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.NO_AUTH;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Connection commands that only touch the client's own session: PING, ECHO, SELECT, QUIT, AUTH,
 * HELLO and RESET.
 *
 * <p>Authentication follows Redis without ACLs: the only user is "default", whose password is
 * {@code requirepass}; with no password set the user accepts any password, except that the
 * one-argument AUTH form is refused then (Redis keeps that old error for it).
 */
public final class ConnectionCommands {
  private ConnectionCommands() {}

  static final String NOPROTO = "NOPROTO unsupported protocol version";
  static final String BAD_PROTOCOL = "ERR Protocol version is not an integer or out of range";
  static final String HELLO_NOAUTH =
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO"
          + " AUTH <user> <pass> option can be used to authenticate the client and select the RESP"
          + " protocol version at the same time";
  static final String BAD_NAME =
      "ERR Client names cannot contain spaces, newlines or special characters.";

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("ping", -1)
            .flags(FAST)
            .group("connection")
            .tips("request_policy:all_shards", "response_policy:all_succeeded")
            .doc("Ping the server", "1.0.0", "O(1)")
            .handler(ConnectionCommands::ping));
    t.add(
        CommandSpec.builder("echo", 2)
            .flags(LOADING | STALE | FAST)
            .group("connection")
            .doc("Echo the given string", "1.0.0", "O(1)")
            .handler((ctx, argv) -> ctx.out().bulk(argv[1])));
    t.add(
        CommandSpec.builder("select", 2)
            .flags(LOADING | STALE | FAST)
            .group("connection")
            .doc("Change the selected database for the current connection", "1.0.0", "O(1)")
            .handler(ConnectionCommands::select));
    t.add(
        CommandSpec.builder("quit", -1)
            .flags(ALLOW_BUSY | NOSCRIPT | LOADING | STALE | FAST | NO_AUTH)
            .group("connection")
            .doc("Close the connection", "1.0.0", "O(1)")
            .handler(ConnectionCommands::quit));
    t.add(
        CommandSpec.builder("auth", -2)
            .flags(NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY)
            .group("connection")
            .doc(
                "Authenticate to the server",
                "1.0.0",
                "O(N) where N is the number of passwords defined for the user")
            .handler(ConnectionCommands::auth));
    t.add(
        CommandSpec.builder("hello", -1)
            .flags(NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY)
            .group("connection")
            .doc("Handshake with Redis", "6.0.0", "O(1)")
            .handler(ConnectionCommands::hello));
    t.add(
        CommandSpec.builder("reset", 1)
            .flags(NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY)
            .group("connection")
            .doc("Reset the connection", "6.2.0", "O(1)")
            .handler(ConnectionCommands::reset));
  }

  /** PING [message] */
  static void ping(CommandContext ctx, byte[][] argv) {
    if (argv.length > 2) {
      ctx.error(Errors.wrongArity("ping"));
      return;
    }
    ClientSession session = ctx.session();
    if (session.protocol() == 2 && session.subscriptions().active()) {
      // A RESP2 subscriber reads replies as messages: the pong takes their array shape.
      ctx.out().arrayHeader(2);
      ctx.out().bulk(PONG);
      ctx.out().bulk(argv.length == 1 ? EMPTY : argv[1]);
    } else if (argv.length == 1) {
      ctx.out().simple("PONG");
    } else {
      ctx.out().bulk(argv[1]);
    }
  }

  private static final byte[] PONG = Args.bytes("pong");
  private static final byte[] EMPTY = new byte[0];

  /** SELECT index */
  static void select(CommandContext ctx, byte[][] argv) {
    long index = Args.parseLong(argv[1]);
    if (index != 0 && ctx.server().config().yes("cluster-enabled")) {
      ctx.error("ERR SELECT is not allowed in cluster mode");
      return;
    }
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

  /** AUTH [username] password */
  static void auth(CommandContext ctx, byte[][] argv) {
    if (argv.length > 3) {
      throw new CommandException(Errors.SYNTAX);
    }
    for (int i = 1; i < argv.length; i++) {
      ctx.redact(i);
    }
    byte[] user;
    byte[] password;
    if (argv.length == 2) {
      if (ctx.server().requirePass().isEmpty()) {
        throw new CommandException(Errors.AUTH_NOT_CONFIGURED);
      }
      user = DEFAULT_USER;
      password = argv[1];
    } else {
      user = argv[1];
      password = argv[2];
    }
    if (!authenticate(ctx.server(), ctx.session(), user, password)) {
      throw new CommandException(Errors.WRONGPASS);
    }
    ctx.out().ok();
  }

  private static final byte[] DEFAULT_USER = Args.bytes("default");

  /**
   * Checks credentials and, when they are right, marks the session authenticated as the user.
   * Compares in time independent of where the password differs, as Redis does.
   */
  public static boolean authenticate(
      ServerContext server, ClientSession session, byte[] user, byte[] password) {
    if (!MessageDigest.isEqual(user, DEFAULT_USER)) {
      return false;
    }
    String required = server.requirePass();
    if (!required.isEmpty()
        && !MessageDigest.isEqual(password, required.getBytes(StandardCharsets.UTF_8))) {
      return false;
    }
    session.user("default");
    session.authenticated(true);
    return true;
  }

  /** HELLO [protover [AUTH username password] [SETNAME clientname]] */
  static void hello(CommandContext ctx, byte[][] argv) {
    ClientSession session = ctx.session();
    int version = 0;
    int next = 1;
    if (argv.length >= 2) {
      long v = Args.parseLong(argv[next++], BAD_PROTOCOL);
      if (v < 2 || v > 3) {
        throw new CommandException(NOPROTO);
      }
      version = (int) v;
    }
    for (int j = next; j < argv.length; j++) {
      int more = argv.length - 1 - j;
      if (Args.is(argv[j], "AUTH") && more >= 2) {
        ctx.redact(j + 1);
        ctx.redact(j + 2);
        if (!authenticate(ctx.server(), session, argv[j + 1], argv[j + 2])) {
          throw new CommandException(Errors.WRONGPASS);
        }
        j += 2;
      } else if (Args.is(argv[j], "SETNAME") && more >= 1) {
        setName(session, argv[j + 1]);
        j++;
      } else {
        throw new CommandException(
            "ERR Syntax error in HELLO option '" + Args.latin1(argv[j]) + "'");
      }
    }
    if (!session.authenticated()) {
      throw new CommandException(HELLO_NOAUTH);
    }
    if (version != 0) {
      // The reply to HELLO itself already uses the protocol it selects.
      session.protocol(version);
      ctx.out().protocol(version);
    }
    ctx.out().mapHeader(7);
    ctx.out().bulk("server");
    ctx.out().bulk("redis");
    ctx.out().bulk("version");
    ctx.out().bulk(ServerContext.VERSION);
    ctx.out().bulk("proto");
    ctx.out().integer(session.protocol());
    ctx.out().bulk("id");
    ctx.out().integer(session.id());
    ctx.out().bulk("mode");
    ctx.out().bulk(ctx.server().config().yes("cluster-enabled") ? "cluster" : "standalone");
    ctx.out().bulk("role");
    ctx.out().bulk("master");
    ctx.out().bulk("modules");
    ctx.out().emptyArray();
  }

  /**
   * Sets the connection name (CLIENT SETNAME, HELLO SETNAME); "" removes it. Names are printable
   * ASCII without spaces, so CLIENT LIST stays splittable.
   */
  public static void setName(ClientSession session, byte[] name) {
    if (!isPrintableWord(name)) {
      throw new CommandException(BAD_NAME);
    }
    session.name(Args.latin1(name));
  }

  /** True when every byte is in '!'..'~': what Redis allows in client names and library info. */
  public static boolean isPrintableWord(byte[] value) {
    for (byte b : value) {
      if (b < '!' || b > '~') {
        return false;
      }
    }
    return true;
  }

  /** RESET */
  static void reset(CommandContext ctx, byte[][] argv) {
    ctx.server().watches().unwatchAll(ctx.session());
    ctx.server().pubsub().unsubscribeAll(ctx.session());
    ctx.session().reset(!ctx.server().requirePass().isEmpty());
    ctx.out().protocol(2);
    ctx.out().simple("RESET");
  }
}
