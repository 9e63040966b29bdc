package io.toridb.persistence.dump;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.CoreCommands;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.config.Config;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs commands (the core ones plus DUMP and RESTORE) through the real executor without sockets,
 * returning raw RESP replies, and records propagated effects and keyspace events.
 */
final class DumpHarness {
  private final ServerContext server;
  private final CommandExecutor executor;
  private final ClientSession session;
  final List<String> effects = new ArrayList<>();
  final List<String> events = new ArrayList<>();

  DumpHarness() {
    server = new ServerContext(Config.standard());
    CoreCommands.registerAll(server.commands());
    DumpCommands.register(server.commands());
    executor = new CommandExecutor(server);
    session = new ClientSession(true);
    server.propagation((db, argv) -> effects.add(join(argv)));
    server.notifier((db, type, event, key) -> events.add(event + " " + key));
  }

  ServerContext server() {
    return server;
  }

  String call(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    return callBytes(argv);
  }

  String callBytes(byte[]... argv) {
    ByteBuf buf = Unpooled.buffer();
    try {
      executor.context().out().reset(buf, session.protocol());
      executor.execute(session, argv);
      return buf.toString(StandardCharsets.ISO_8859_1);
    } finally {
      buf.release();
    }
  }

  /** DUMP of {@code key}: the payload bytes, or null for a missing key. */
  byte[] dump(String key) {
    String reply = call("DUMP", key);
    if (reply.equals("$-1\r\n")) {
      return null;
    }
    int header = reply.indexOf("\r\n");
    return reply.substring(header + 2, reply.length() - 2).getBytes(StandardCharsets.ISO_8859_1);
  }

  /** RESTORE key ttl payload [options ...]. */
  String restore(String key, String ttl, byte[] payload, String... options) {
    byte[][] argv = new byte[4 + options.length][];
    argv[0] = bytes("RESTORE");
    argv[1] = bytes(key);
    argv[2] = bytes(ttl);
    argv[3] = payload;
    for (int i = 0; i < options.length; i++) {
      argv[4 + i] = bytes(options[i]);
    }
    return callBytes(argv);
  }

  StoredValue peek(String key) {
    return server.keyspace().db(0).peek(Key.of(key));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String join(byte[][] argv) {
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
