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

  /** Records every propagated effect as its arguments joined by spaces. */
  public static java.util.List<String> captureEffects(CommandHarness h) {
    java.util.List<String> effects = new java.util.ArrayList<>();
    h.server().propagation((db, argv) -> effects.add(join(argv)));
    return effects;
  }

  /** Records every keyspace event as "event key". */
  public static java.util.List<String> captureEvents(CommandHarness h) {
    java.util.List<String> events = new java.util.ArrayList<>();
    h.server().notifier((db, type, event, key) -> events.add(event + " " + key));
    return events;
  }

  /** The value stored at {@code key} in database 0, without expiring it, or null. */
  public static io.toridb.core.keyspace.StoredValue peek(CommandHarness h, String key) {
    return h.server().keyspace().db(0).peek(io.toridb.core.keyspace.Key.of(key));
  }

  /** OBJECT ENCODING of the value at {@code key} in database 0. */
  public static String encoding(CommandHarness h, String key) {
    return peek(h, key).encoding();
  }

  /** Redis's wrong-arity error reply for command {@code name}. */
  public static String arity(String name) {
    return "-ERR wrong number of arguments for '" + name + "' command\r\n";
  }

  /** Arguments joined by spaces, as captured effects are recorded. */
  public static String join(byte[][] argv) {
    StringBuilder sb = new StringBuilder();
    for (byte[] a : argv) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(new String(a, StandardCharsets.ISO_8859_1));
    }
    return sb.toString();
  }
}
