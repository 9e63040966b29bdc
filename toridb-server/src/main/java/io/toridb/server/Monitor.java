package io.toridb.server;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.STALE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.server.CommandObserver;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MONITOR: connections that asked for it receive every command the server runs, one simple string
 * per command in Redis's format ({@code +1339518083.107412 [0 127.0.0.1:60866] "keys" "*"}).
 *
 * <p>Implementation notes: the executor calls {@link #onCommand} on the worker that ran the
 * command. Lines for other connections are written straight to their channels; a monitoring
 * connection's own commands go into its batch buffer after their reply, so it sees reply then line,
 * as in Redis. MONITOR's +OK is flushed at once, before the connection is registered, so no line
 * can overtake it. The observer is installed only while someone monitors, so the executor pays
 * nothing otherwise. Connections leave on RESET (their session stops being a monitor and is dropped
 * lazily) or disconnect.
 */
final class Monitor implements CommandObserver {
  private final ToriServer server;
  private final ServerContext context;
  private final Set<ClientConnection> monitors = ConcurrentHashMap.newKeySet();

  Monitor(ToriServer server) {
    this.server = server;
    this.context = server.context();
  }

  void register(CommandTable t) {
    t.add(
        CommandSpec.builder("monitor", 1)
            .flags(ADMIN | NOSCRIPT | LOADING | STALE)
            .group("server")
            .doc("Listen for all requests received by the server in real time", "1.0.0", null)
            .handler((ctx, argv) -> monitor(ctx)));
  }

  /** MONITOR */
  void monitor(CommandContext ctx) {
    ClientSession session = ctx.session();
    // Redis ignores MONITOR from a connection that already monitors, without a reply.
    if (session.monitor()) {
      return;
    }
    ClientConnection conn = server.clients().get(session.id());
    ctx.out().ok();
    session.monitor(true);
    if (conn == null) {
      return;
    }
    // Registering and sending the +OK happen under the lock that feeding takes, so no line can
    // reach the client before its +OK, and every command run after the client can see the +OK is
    // shown, as with Redis's single thread.
    synchronized (this) {
      monitors.add(conn);
      context.monitor(this);
      if (!session.repliesSilenced()) {
        ByteBuf out = ctx.out().buffer();
        int n = out.readableBytes();
        conn.send(out.readBytes(n), false);
        conn.written(n);
      }
    }
    if (!conn.channel().isActive()) {
      // The client went away while MONITOR ran; its disconnect may have come before the add.
      remove(conn);
    }
  }

  /** Forgets a closed connection. */
  void remove(ClientConnection conn) {
    if (monitors.remove(conn)) {
      uninstallIfIdle();
    }
  }

  private void uninstallIfIdle() {
    synchronized (this) {
      if (monitors.isEmpty()) {
        context.monitor(null);
      }
    }
  }

  @Override
  public void onCommand(CommandContext ctx, byte[][] argv) {
    // As Redis: a command a script called is shown as coming from "lua".
    String source = ctx.fromScript() ? "lua" : ctx.session().remoteAddress();
    byte[] line = format(Instant.now(), ctx.session().db(), source, argv);
    boolean stale;
    synchronized (this) {
      stale = feed(ctx, line);
    }
    if (stale) {
      uninstallIfIdle();
    }
  }

  /** Sends one line to every monitor; true if some monitor turned out to be gone. */
  private boolean feed(CommandContext ctx, byte[] line) {
    boolean stale = false;
    for (ClientConnection m : monitors) {
      ClientSession s = m.session();
      if (!s.monitor() || !m.channel().isActive()) {
        stale |= monitors.remove(m);
        continue;
      }
      if (s == ctx.session()) {
        ctx.out().raw(line);
      } else {
        m.send(Unpooled.wrappedBuffer(line), false);
        m.written(line.length);
      }
    }
    return stale;
  }

  /** One MONITOR line: time with microseconds, database, client address, quoted arguments. */
  static byte[] format(Instant time, int db, String addr, byte[][] argv) {
    StringBuilder sb = new StringBuilder(64);
    sb.append('+').append(time.getEpochSecond()).append('.');
    String micros = Integer.toString(time.getNano() / 1000);
    sb.append("000000", 0, 6 - micros.length()).append(micros);
    sb.append(" [").append(db).append(' ').append(addr).append("] ");
    for (int i = 0; i < argv.length; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      quote(sb, argv[i]);
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Redis's sdscatrepr: double quotes, C escapes, \xHH for anything not printable. */
  static void quote(StringBuilder sb, byte[] arg) {
    sb.append('"');
    for (byte b : arg) {
      int c = b & 0xFF;
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case 0x07 -> sb.append("\\a");
        case '\b' -> sb.append("\\b");
        default -> {
          if (c >= 0x20 && c <= 0x7e) {
            sb.append((char) c);
          } else {
            sb.append("\\x")
                .append(Character.forDigit(c >> 4, 16))
                .append(Character.forDigit(c & 15, 16));
          }
        }
      }
    }
    sb.append('"');
  }
}
