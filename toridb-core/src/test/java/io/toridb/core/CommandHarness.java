package io.toridb.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.config.Config;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.nio.charset.StandardCharsets;

/**
 * Runs commands through the real executor without sockets and returns the raw RESP reply, for
 * engine tests: {@code assertEquals("$3\r\nbar\r\n", h.call("GET", "foo"))}.
 */
public final class CommandHarness {
  private final ServerContext server;
  private final CommandExecutor executor;
  private final ClientSession session;

  public CommandHarness() {
    this(Config.standard());
  }

  public CommandHarness(Config config) {
    this.server = new ServerContext(config);
    CoreCommands.registerAll(server.commands());
    this.executor = new CommandExecutor(server);
    this.session = new ClientSession(true);
    session.host(host);
  }

  /** A second client of the same server. */
  public CommandHarness(CommandHarness other) {
    this.server = other.server;
    this.executor = new CommandExecutor(server);
    this.session = new ClientSession(true);
    session.host(host);
  }

  private final Host host = new Host();

  /**
   * The connection side of this client: collects what is sent out of band (replies that end a
   * blocking wait, messages) and counts the ends of waits.
   */
  public static final class Host implements io.toridb.core.session.ClientHost {
    private final StringBuilder sent = new StringBuilder();
    private int blocked;
    private int unblocked;
    private long deadline;

    @Override
    public synchronized void send(ByteBuf reply) {
      sent.append(reply.toString(StandardCharsets.ISO_8859_1));
      reply.release();
    }

    @Override
    public synchronized void blocked(long deadline) {
      this.blocked++;
      this.deadline = deadline;
    }

    @Override
    public synchronized void unblocked() {
      unblocked++;
    }

    /** Everything sent out of band so far, then forgotten. */
    public synchronized String takeSent() {
      String s = sent.toString();
      sent.setLength(0);
      return s;
    }

    public synchronized int blockedCount() {
      return blocked;
    }

    public synchronized int unblockedCount() {
      return unblocked;
    }

    public synchronized long lastDeadline() {
      return deadline;
    }
  }

  public CommandExecutor executor() {
    return executor;
  }

  public Host host() {
    return host;
  }

  public ServerContext server() {
    return server;
  }

  public ClientSession session() {
    return session;
  }

  /** Runs one command and returns its reply as RESP text (bytes as ISO-8859-1 chars). */
  public String call(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    return callBytes(argv);
  }

  public String callBytes(byte[][] argv) {
    ByteBuf buf = Unpooled.buffer();
    try {
      executor.context().out().reset(buf, session.protocol());
      executor.execute(session, argv);
      return buf.toString(StandardCharsets.ISO_8859_1);
    } finally {
      buf.release();
    }
  }

  /** Runs a command in RESP3 and restores the previous protocol. */
  public String call3(String... args) {
    int before = session.protocol();
    session.protocol(3);
    try {
      return call(args);
    } finally {
      session.protocol(before);
    }
  }

  /** Bulk-reply convenience: "$3\r\nbar\r\n" for "bar". */
  public static String bulk(String s) {
    return "$" + s.getBytes(StandardCharsets.ISO_8859_1).length + "\r\n" + s + "\r\n";
  }

  public static String integer(long n) {
    return ":" + n + "\r\n";
  }

  public static String error(String text) {
    return "-" + text + "\r\n";
  }

  public static final String OK = "+OK\r\n";
  public static final String NIL = "$-1\r\n";
}
