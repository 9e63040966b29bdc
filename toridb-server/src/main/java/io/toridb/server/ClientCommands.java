package io.toridb.server;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.STALE;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.Help;
import io.toridb.core.connection.ConnectionCommands;
import io.toridb.core.pubsub.ClientSubscriptions;
import io.toridb.core.server.ClientPause;
import io.toridb.core.session.ClientSession;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIENT and its subcommands: the connection's own state (ID, SETNAME, GETNAME, SETINFO, REPLY,
 * NO-EVICT, NO-TOUCH, INFO) and the other connections (LIST, KILL).
 *
 * <p>CLIENT LIST lines have Redis 7.0's fields in its order. What ToriDB does not track is shown as
 * Redis shows it for an idle connection: no subscriptions, no transaction, empty output buffers,
 * events=r.
 */
final class ClientCommands {
  private static final String BAD_ID = "ERR Invalid client ID";
  private static final String BAD_KILL_ID = "ERR client-id should be greater than 0";

  /** Redis's default query buffer allocation, from which qbuf-free is computed. */
  private static final int QUERY_BUFFER_ALLOC = 20474;

  /** Reply buffer size Redis reports (rbs) for a connection. */
  private static final int REPLY_BUFFER = 16384;

  /** Roughly the per-connection bookkeeping Redis counts in tot-mem. */
  private static final int CLIENT_OVERHEAD = 1928;

  private final ToriServer server;

  ClientCommands(ToriServer server) {
    this.server = server;
  }

  void register(CommandTable t) {
    int flags = NOSCRIPT | LOADING | STALE;
    t.add(
        CommandSpec.builder("client", -2)
            .group("connection")
            .doc("A container for client connection commands", "2.4.0", "Depends on subcommand.")
            .subcommand(
                sub("id", 2, flags, "Returns the client ID for the current connection", "5.0.0")
                    .handler((ctx, argv) -> ctx.out().integer(ctx.session().id())))
            .subcommand(
                sub("setname", 3, flags, "Set the current connection name", "2.6.9")
                    .handler(this::setName))
            .subcommand(
                sub("getname", 2, flags, "Get the current connection name", "2.6.9")
                    .handler(this::getName))
            .subcommand(
                sub(
                        "setinfo",
                        4,
                        flags,
                        "Sets information specific to the client or connection.",
                        "7.2.0")
                    .handler(this::setInfo))
            .subcommand(
                sub(
                        "info",
                        2,
                        flags,
                        "Returns information about the current client connection.",
                        "6.2.0")
                    .tips("nondeterministic_output")
                    .handler(this::info))
            .subcommand(
                sub("list", -2, ADMIN | flags, "Get the list of client connections", "2.4.0")
                    .doc(
                        "Get the list of client connections",
                        "2.4.0",
                        "O(N) where N is the number of client connections")
                    .tips("nondeterministic_output")
                    .handler(this::list))
            .subcommand(
                sub("kill", -3, ADMIN | flags, "Kill the connection of a client", "2.4.0")
                    .doc(
                        "Kill the connection of a client",
                        "2.4.0",
                        "O(N) where N is the number of client connections")
                    .handler(this::kill))
            .subcommand(
                sub(
                        "unblock",
                        -3,
                        ADMIN | flags,
                        "Unblock a client blocked in a blocking command from a different"
                            + " connection",
                        "5.0.0")
                    .doc(
                        "Unblock a client blocked in a blocking command from a different"
                            + " connection",
                        "5.0.0",
                        "O(log N) where N is the number of client connections")
                    .handler(this::unblock))
            .subcommand(
                sub("reply", 3, flags, "Instruct the server whether to reply to commands", "3.2.0")
                    .handler(this::reply))
            .subcommand(
                sub(
                        "no-evict",
                        3,
                        ADMIN | flags,
                        "Set client eviction mode for the current connection",
                        "7.0.0")
                    .handler(
                        (ctx, argv) -> {
                          ctx.session().noEvict(onOff(argv[2]));
                          ctx.out().ok();
                        }))
            .subcommand(
                sub(
                        "no-touch",
                        3,
                        flags,
                        "Controls whether commands sent by the client affect the LRU/LFU of"
                            + " accessed keys.",
                        "7.2.0")
                    .handler(
                        (ctx, argv) -> {
                          ctx.session().noTouch(onOff(argv[2]));
                          ctx.out().ok();
                        }))
            .subcommand(
                sub(
                        "pause",
                        -3,
                        ADMIN | flags,
                        "Stop processing commands from clients for some time",
                        "2.9.50")
                    .handler(this::pause))
            .subcommand(
                sub(
                        "unpause",
                        2,
                        ADMIN | flags,
                        "Resume processing of clients that were paused",
                        "6.2.0")
                    .doc(
                        "Resume processing of clients that were paused",
                        "6.2.0",
                        "O(N) Where N is the number of paused clients")
                    .handler(this::unpause))
            .subcommand(
                sub(
                        "getredir",
                        2,
                        flags,
                        "Get tracking notifications redirection client ID if any",
                        "6.0.0")
                    .handler((ctx, argv) -> ctx.out().integer(-1)))
            .subcommand(
                sub(
                        "trackinginfo",
                        2,
                        flags,
                        "Return information about server assisted client side caching for the"
                            + " current connection",
                        "6.2.0")
                    .handler(this::trackingInfo))
            .subcommand(
                sub(
                        "caching",
                        3,
                        flags,
                        "Instruct the server about tracking or not keys in the next request",
                        "6.0.0")
                    .handler(this::caching))
            .subcommand(
                sub(
                        "help",
                        2,
                        LOADING | STALE,
                        "Show helpful text about the different subcommands",
                        "5.0.0")
                    .handler(this::help)));
  }

  private static CommandSpec.Builder sub(
      String name, int arity, int flags, String summary, String since) {
    return CommandSpec.builder(name, arity).flags(flags).doc(summary, since, "O(1)");
  }

  /** CLIENT SETNAME connection-name */
  void setName(CommandContext ctx, byte[][] argv) {
    ConnectionCommands.setName(ctx.session(), argv[2]);
    ctx.out().ok();
  }

  /** CLIENT GETNAME */
  void getName(CommandContext ctx, byte[][] argv) {
    String name = ctx.session().name();
    if (name.isEmpty()) {
      ctx.out().nullBulk();
    } else {
      ctx.out().bulk(Args.bytes(name));
    }
  }

  /** CLIENT SETINFO LIB-NAME libname | LIB-VER libver */
  void setInfo(CommandContext ctx, byte[][] argv) {
    boolean libName = Args.is(argv[2], "LIB-NAME");
    if (!libName && !Args.is(argv[2], "LIB-VER")) {
      throw new CommandException("ERR Unrecognized option '" + Args.latin1(argv[2]) + "'");
    }
    if (!ConnectionCommands.isPrintableWord(argv[3])) {
      throw new CommandException(
          "ERR "
              + Args.latin1(argv[2])
              + " cannot contain spaces, newlines or special characters.");
    }
    if (libName) {
      ctx.session().libName(Args.latin1(argv[3]));
    } else {
      ctx.session().libVersion(Args.latin1(argv[3]));
    }
    ctx.out().ok();
  }

  /** CLIENT INFO */
  void info(CommandContext ctx, byte[][] argv) {
    ClientConnection self = server.clients().get(ctx.session().id());
    StringBuilder sb = new StringBuilder(256);
    line(sb, ctx.session(), self, argv);
    ctx.out().verbatim("txt", sb.toString());
  }

  /** CLIENT LIST [TYPE NORMAL | MASTER | REPLICA | PUBSUB] [ID client-id [client-id ...]] */
  void list(CommandContext ctx, byte[][] argv) {
    List<ClientConnection> selected = new ArrayList<>();
    if (argv.length == 4 && Args.is(argv[2], "TYPE")) {
      String type = clientType(argv[3]);
      for (ClientConnection c : server.clients().all()) {
        if (type.equals(typeOf(c.session()))) {
          selected.add(c);
        }
      }
    } else if (argv.length > 3 && Args.is(argv[2], "ID")) {
      long[] ids = new long[argv.length - 3];
      for (int i = 3; i < argv.length; i++) {
        ids[i - 3] = Args.parseLong(argv[i], BAD_ID);
      }
      for (long id : ids) {
        ClientConnection c = server.clients().get(id);
        if (c != null) {
          selected.add(c);
        }
      }
    } else if (argv.length != 2) {
      throw new CommandException(Errors.SYNTAX);
    } else {
      selected.addAll(server.clients().all());
    }
    StringBuilder sb = new StringBuilder(selected.size() * 256);
    for (ClientConnection c : selected) {
      boolean self = c.session() == ctx.session();
      line(sb, c.session(), c, self ? argv : null);
    }
    ctx.out().verbatim("txt", sb.toString());
  }

  /** The client type Redis's getClientTypeByName accepts, normalized; an error otherwise. */
  private static String clientType(byte[] name) {
    return switch (Args.upper(name)) {
      case "NORMAL" -> "normal";
      case "SLAVE", "REPLICA" -> "replica";
      case "PUBSUB" -> "pubsub";
      case "MASTER" -> "master";
      default -> throw new CommandException("ERR Unknown client type '" + Args.latin1(name) + "'");
    };
  }

  /**
   * The link to the primary is of type master, replicas of replica, subscribers of pubsub; MONITOR
   * connections count as normal, as in Redis.
   */
  private static String typeOf(ClientSession s) {
    if (s.master()) {
      return "master";
    }
    if (s.replica()) {
      return "replica";
    }
    return s.subscriptions().active() ? "pubsub" : "normal";
  }

  /**
   * Appends one CLIENT LIST line for {@code s}. {@code currentArgv} is the command being run when
   * the line describes the caller itself, for the query buffer and argv-mem fields.
   */
  static void line(StringBuilder sb, ClientSession s, ClientConnection c, byte[][] currentArgv) {
    long now = System.currentTimeMillis();
    long qbuf = c == null ? 0 : c.queryBufferBytes();
    long argvMem = 0;
    if (currentArgv != null) {
      qbuf += RespRequests.size(currentArgv);
      for (byte[] a : currentArgv) {
        argvMem += a.length;
      }
    }
    long qbufFree = qbuf == 0 ? 0 : Math.max(0, QUERY_BUFFER_ALLOC - qbuf);
    long totMem = qbuf + qbufFree + argvMem + REPLY_BUFFER + CLIENT_OVERHEAD;
    sb.append("id=").append(s.id());
    sb.append(" addr=").append(s.remoteAddress());
    sb.append(" laddr=").append(s.localAddress());
    sb.append(" fd=").append(c == null ? -1 : fd(c.channel(), s));
    sb.append(" name=").append(s.name());
    sb.append(" age=").append((now - s.createdAt()) / 1000);
    sb.append(" idle=").append(Math.max(0, now - s.lastInteraction()) / 1000);
    sb.append(" flags=").append(flags(s));
    sb.append(" db=").append(s.db());
    io.toridb.core.transaction.MultiState multi = s.multi();
    ClientSubscriptions subs = s.subscriptions();
    sb.append(" sub=").append(subs.channels());
    sb.append(" psub=").append(subs.patterns());
    sb.append(" ssub=").append(subs.shardChannels());
    sb.append(" multi=").append(multi == null ? -1 : multi.size());
    sb.append(" qbuf=").append(qbuf);
    sb.append(" qbuf-free=").append(qbufFree);
    sb.append(" argv-mem=").append(argvMem);
    sb.append(" multi-mem=0");
    sb.append(" rbs=").append(REPLY_BUFFER);
    sb.append(" rbp=").append(currentArgv != null ? REPLY_BUFFER : 0);
    sb.append(" obl=0 oll=0 omem=0");
    sb.append(" tot-mem=").append(totMem);
    sb.append(" events=r");
    sb.append(" cmd=").append(s.lastCommand());
    sb.append(" user=").append(s.user());
    sb.append(" redir=-1");
    sb.append(" resp=").append(s.protocol());
    sb.append('\n');
  }

  /**
   * The flags field: O monitor, S replica, M primary, P subscriber, x in MULTI, b blocked, e
   * no-evict, T no-touch, N when none applies.
   */
  static String flags(ClientSession s) {
    StringBuilder f = new StringBuilder(4);
    if (s.monitor()) {
      f.append('O');
    } else if (s.replica()) {
      f.append('S');
    }
    if (s.master()) {
      f.append('M');
    }
    if (s.subscriptions().active()) {
      f.append('P');
    }
    if (s.multi() != null) {
      f.append('x');
    }
    if (s.blocked() != null || s.postponed()) {
      f.append('b');
    }
    if (s.noEvict()) {
      f.append('e');
    }
    if (s.noTouch()) {
      f.append('T');
    }
    return f.length() == 0 ? "N" : f.toString();
  }

  /** The socket's file descriptor where the transport has one (epoll); else a stable stand-in. */
  private static long fd(Channel ch, ClientSession s) {
    if (ch instanceof UnixChannel u && u.fd() != null) {
      return u.fd().intValue();
    }
    return 7 + s.id();
  }

  /**
   * CLIENT KILL ip:port | CLIENT KILL [ID client-id] [TYPE NORMAL | MASTER | SLAVE | REPLICA |
   * PUBSUB] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME YES | NO] [...]
   */
  void kill(CommandContext ctx, byte[][] argv) {
    String addr = null;
    String laddr = null;
    String type = null;
    long id = 0;
    boolean skipMe = true;
    if (argv.length == 3) {
      addr = Args.latin1(argv[2]);
      // With the old form a client may kill itself.
      skipMe = false;
    } else {
      for (int i = 2; i < argv.length; i += 2) {
        boolean more = argv.length > i + 1;
        if (!more) {
          throw new CommandException(Errors.SYNTAX);
        }
        byte[] value = argv[i + 1];
        switch (Args.upper(argv[i])) {
          case "ID" -> {
            id = Args.parseLong(value, BAD_KILL_ID);
            if (id < 1) {
              throw new CommandException(BAD_KILL_ID);
            }
          }
          case "TYPE" -> type = clientType(value);
          case "ADDR" -> addr = Args.latin1(value);
          case "LADDR" -> laddr = Args.latin1(value);
          case "USER" -> {
            // "default" is the only user there is.
            if (!Args.latin1(value).equals("default")) {
              throw new CommandException("ERR No such user '" + Args.latin1(value) + "'");
            }
          }
          case "SKIPME" -> {
            if (Args.is(value, "YES")) {
              skipMe = true;
            } else if (Args.is(value, "NO")) {
              skipMe = false;
            } else {
              throw new CommandException(Errors.SYNTAX);
            }
          }
          default -> throw new CommandException(Errors.SYNTAX);
        }
      }
    }
    int killed = 0;
    for (ClientConnection c : server.clients().all()) {
      ClientSession s = c.session();
      if ((addr != null && !addr.equals(s.remoteAddress()))
          || (laddr != null && !laddr.equals(s.localAddress()))
          || (type != null && !type.equals(typeOf(s)))
          || (id != 0 && s.id() != id)) {
        continue;
      }
      boolean self = s == ctx.session();
      if (self && skipMe) {
        continue;
      }
      if (self) {
        // Closed once this reply is written.
        s.closeAfterReply(true);
      } else {
        s.kill();
        c.channel().close();
      }
      killed++;
    }
    if (argv.length == 3) {
      if (killed == 0) {
        throw new CommandException("ERR No such client");
      }
      ctx.out().ok();
    } else {
      ctx.out().integer(killed);
    }
  }

  /** CLIENT REPLY ON | OFF | SKIP */
  /** CLIENT UNBLOCK client-id [TIMEOUT | ERROR] */
  void unblock(CommandContext ctx, byte[][] argv) {
    if (argv.length > 4) {
      throw new CommandException(
          "ERR unknown subcommand or wrong number of arguments for '"
              + Args.latin1(argv[1])
              + "'. Try CLIENT HELP.");
    }
    boolean error = false;
    if (argv.length == 4) {
      if (Args.is(argv[3], "ERROR")) {
        error = true;
      } else if (!Args.is(argv[3], "TIMEOUT")) {
        throw new CommandException("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      }
    }
    long id = Args.parseLong(argv[2]);
    ClientConnection target = server.clients().get(id);
    boolean unblocked =
        target != null
            && ctx.server()
                .blocking()
                .unblock(
                    target.session(),
                    error ? "UNBLOCKED client unblocked via CLIENT UNBLOCK" : null);
    ctx.out().zeroOrOne(unblocked);
  }

  void reply(CommandContext ctx, byte[][] argv) {
    switch (Args.upper(argv[2])) {
      case "ON" -> {
        ctx.session().replyMode(ClientSession.ReplyMode.ON);
        ctx.out().ok();
      }
      case "OFF" -> ctx.session().replyMode(ClientSession.ReplyMode.OFF);
      case "SKIP" -> ctx.session().replyMode(ClientSession.ReplyMode.SKIP);
      default -> throw new CommandException(Errors.SYNTAX);
    }
  }

  /** ON or OFF for NO-EVICT and NO-TOUCH; a syntax error for anything else. */
  private static boolean onOff(byte[] arg) {
    if (Args.is(arg, "ON")) {
      return true;
    }
    if (Args.is(arg, "OFF")) {
      return false;
    }
    throw new CommandException(Errors.SYNTAX);
  }

  /**
   * CLIENT PAUSE timeout [WRITE | ALL]: holds back every command (ALL, the default) or those that
   * may write (WRITE) for timeout milliseconds; see {@link ClientPause}.
   */
  void pause(CommandContext ctx, byte[][] argv) {
    if (argv.length > 4) {
      throw new CommandException(Help.syntaxError(argv));
    }
    ClientPause.Type type = ClientPause.Type.ALL;
    if (argv.length == 4) {
      if (Args.is(argv[3], "WRITE")) {
        type = ClientPause.Type.WRITE;
      } else if (!Args.is(argv[3], "ALL")) {
        throw new CommandException("ERR CLIENT PAUSE mode must be WRITE or ALL");
      }
    }
    long timeout = Args.parseLong(argv[2], "ERR timeout is not an integer or out of range");
    if (timeout < 0) {
      throw new CommandException("ERR timeout is negative");
    }
    long end = System.currentTimeMillis() + timeout;
    if (end < 0) {
      throw new CommandException("ERR timeout is out of range");
    }
    ctx.server().clientPause().pause(ClientPause.Purpose.CLIENT_COMMAND, end, type);
    ctx.out().ok();
  }

  /** CLIENT UNPAUSE */
  void unpause(CommandContext ctx, byte[][] argv) {
    ctx.server().clientPause().unpause(ClientPause.Purpose.CLIENT_COMMAND);
    ctx.out().ok();
  }

  /** CLIENT TRACKINGINFO: tracking is never on. */
  void trackingInfo(CommandContext ctx, byte[][] argv) {
    ctx.out().mapHeader(3);
    ctx.out().bulk("flags");
    ctx.out().setHeader(1);
    ctx.out().bulk("off");
    ctx.out().bulk("redirect");
    ctx.out().integer(-1);
    ctx.out().bulk("prefixes");
    ctx.out().emptyArray();
  }

  /** CLIENT CACHING YES | NO: only valid while tracking, which is never on. */
  void caching(CommandContext ctx, byte[][] argv) {
    throw new CommandException(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or"
            + " OPTOUT mode enabled");
  }

  /** CLIENT HELP */
  void help(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Will not touch LRU/LFU stats when this mode is on.");
  }
}
