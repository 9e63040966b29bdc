package io.toridb.server;

import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.persistence.dump.DumpPayload;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 username
 * password] [KEYS key ...], as Redis 7.0: the keys are sent as RESTORE (RESTORE-ASKING on a cluster
 * node) commands carrying DUMP payloads over a connection made for the call, and each key the
 * target accepted is deleted here (unless COPY), logged as one DEL. The command runs with its keys
 * locked, so nothing changes them while they are on their way, and it blocks its worker for at most
 * the timeout per network step, as Redis blocks its one thread.
 */
final class MigrateCommand {
  private static final String NOT_EMPTY =
      "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";

  /** Redis's migrateGetKeys: the key argument, or with KEYS the arguments after it. */
  static final KeySpec.Finder KEYS =
      new KeySpec.Finder() {
        @Override
        public void keys(byte[][] argv, IntConsumer visitor) {
          int first = 3;
          int count = 1;
          for (int i = 6; i < argv.length; i++) {
            if (Args.is(argv[i], "KEYS")) {
              if (argv[3].length != 0) {
                return;
              }
              first = i + 1;
              count = argv.length - first;
              break;
            }
          }
          for (int i = 0; i < count && first + i < argv.length; i++) {
            visitor.accept(first + i);
          }
        }

        @Override
        public void affected(byte[][] argv, IntConsumer visitor) {
          keys(argv, visitor);
        }
      };

  void register(CommandTable t) {
    t.add(
        CommandSpec.builder("migrate", -6)
            .flags(WRITE)
            .keys(3, 3, 1)
            .keySpec(
                KeySpec.unknown(
                    "The key argument, or with KEYS every argument after it",
                    KEYS,
                    "RW",
                    "access",
                    "delete"))
            .group("generic")
            .acl("keyspace", "dangerous")
            .tips("nondeterministic_output")
            .doc(
                "Atomically transfer a key from one Redis instance to another.",
                "2.6.0",
                "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in"
                    + " the target instance. See the pages of these commands for time complexity."
                    + " Also an O(N) data transfer between the two instances is performed.")
            .handler(this::migrate));
  }

  private record Moving(byte[] name, Key key, StoredValue value) {}

  void migrate(CommandContext ctx, byte[][] argv) {
    boolean copy = false;
    boolean replace = false;
    byte[] user = null;
    byte[] password = null;
    int first = 3;
    int count = 1;
    for (int j = 6; j < argv.length; j++) {
      int more = argv.length - 1 - j;
      if (Args.is(argv[j], "COPY")) {
        copy = true;
      } else if (Args.is(argv[j], "REPLACE")) {
        replace = true;
      } else if (Args.is(argv[j], "AUTH")) {
        if (more < 1) {
          throw new CommandException(Errors.SYNTAX);
        }
        password = argv[++j];
        ctx.redact(j);
      } else if (Args.is(argv[j], "AUTH2")) {
        if (more < 2) {
          throw new CommandException(Errors.SYNTAX);
        }
        user = argv[++j];
        ctx.redact(j);
        password = argv[++j];
        ctx.redact(j);
      } else if (Args.is(argv[j], "KEYS")) {
        if (argv[3].length != 0) {
          throw new CommandException(NOT_EMPTY);
        }
        first = j + 1;
        count = argv.length - j - 1;
        break;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    long timeout = Args.parseLong(argv[5]);
    long dbid = Args.parseLong(argv[4]);
    if (timeout <= 0) {
      timeout = 1000;
    }
    int millis = (int) Math.min(timeout, Integer.MAX_VALUE);
    Database db = ctx.db();
    long now = ctx.now();
    List<Moving> moving = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Key key = Key.of(argv[first + i]);
      StoredValue v = db.lookupRead(key, now);
      if (v != null) {
        moving.add(new Moving(argv[first + i], key, v));
      }
    }
    if (moving.isEmpty()) {
      ctx.out().simple("NOKEY");
      return;
    }
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    int replies = 0;
    boolean auth = password != null;
    if (auth) {
      command(
          request,
          user == null
              ? new byte[][] {bytes("AUTH"), password}
              : new byte[][] {bytes("AUTH"), user, password});
    }
    command(request, bytes("SELECT"), bytes(Long.toString(dbid)));
    byte[] restore =
        bytes(ctx.server().config().yes("cluster-enabled") ? "RESTORE-ASKING" : "RESTORE");
    List<Moving> sent = new ArrayList<>();
    for (Moving m : moving) {
      long ttl = 0;
      if (m.value().hasExpiry()) {
        long at = m.value().expireAt();
        ttl = at - System.currentTimeMillis();
        if (ttl < 0) {
          continue;
        }
        ttl = Math.max(ttl, 1);
      }
      byte[] payload = DumpPayload.create(m.value());
      if (replace) {
        command(request, restore, m.name(), bytes(Long.toString(ttl)), payload, bytes("REPLACE"));
      } else {
        command(request, restore, m.name(), bytes(Long.toString(ttl)), payload);
      }
      sent.add(m);
      replies++;
    }
    Socket socket = new Socket();
    try {
      try {
        socket.connect(
            new InetSocketAddress(Args.latin1(argv[1]), (int) Args.parseLong(argv[2])), millis);
        socket.setSoTimeout(millis);
        socket.setTcpNoDelay(true);
      } catch (IOException | IllegalArgumentException e) {
        throw new CommandException("IOERR error or timeout connecting to the client");
      }
      try {
        socket.getOutputStream().write(request.toByteArray());
        socket.getOutputStream().flush();
      } catch (IOException e) {
        throw new CommandException("IOERR error or timeout writing to target instance");
      }
      InputStream in;
      try {
        in = new BufferedInputStream(socket.getInputStream());
      } catch (IOException e) {
        throw new CommandException("IOERR error or timeout reading to target instance");
      }
      String authReply = null;
      String selectReply;
      List<byte[]> deletedNames = new ArrayList<>();
      String error = null;
      boolean socketError = false;
      try {
        if (auth) {
          authReply = readLine(in);
        }
        selectReply = readLine(in);
      } catch (IOException e) {
        throw new CommandException("IOERR error or timeout reading to target instance");
      }
      for (int i = 0; i < replies; i++) {
        String reply;
        try {
          reply = readLine(in);
        } catch (IOException e) {
          socketError = true;
          break;
        }
        String refused =
            auth && authReply.startsWith("-")
                ? authReply
                : selectReply.startsWith("-") ? selectReply : reply.startsWith("-") ? reply : null;
        if (refused != null) {
          if (error == null) {
            error = "ERR Target instance replied with error: " + refused.substring(1);
          }
        } else if (!copy) {
          Moving m = sent.get(i);
          db.remove(m.key());
          ctx.modified(m.key());
          ctx.notify(KeyspaceEvents.GENERIC, "del", m.key());
          deletedNames.add(m.name());
        }
      }
      if (!deletedNames.isEmpty()) {
        byte[][] del = new byte[deletedNames.size() + 1][];
        del[0] = bytes("DEL");
        for (int i = 0; i < deletedNames.size(); i++) {
          del[i + 1] = deletedNames.get(i);
        }
        ctx.propagate(del);
      }
      if (error != null) {
        throw new CommandException(error);
      }
      if (socketError) {
        throw new CommandException("IOERR error or timeout reading to target instance");
      }
      ctx.out().ok();
    } finally {
      try {
        socket.close();
      } catch (IOException e) {
        // Nothing to do: the connection is gone either way.
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void command(ByteArrayOutputStream out, byte[]... argv) {
    out.writeBytes(bytes("*" + argv.length + "\r\n"));
    for (byte[] a : argv) {
      out.writeBytes(bytes("$" + a.length + "\r\n"));
      out.writeBytes(a);
      out.writeBytes(bytes("\r\n"));
    }
  }

  /**
   * One line of a reply (the target answers these commands with +OK or an error), at most 64 KiB.
   */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (b == '\n') {
        break;
      }
      if (b != '\r' && line.size() < 65536) {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
