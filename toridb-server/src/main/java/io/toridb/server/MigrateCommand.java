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
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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

  /**
   * Redis's migrateGetKeys: the key argument, or with KEYS the arguments after it (none when the
   * key argument is not empty: the command then refuses the call); the values of AUTH and AUTH2 are
   * skipped while looking for KEYS.
   */
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
            if (Args.is(argv[i], "AUTH")) {
              i += 1;
            } else if (Args.is(argv[i], "AUTH2")) {
              i += 2;
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
    String host = Args.latin1(argv[1]);
    long port = Args.parseLongOr(argv[2], -1);
    byte[] restore =
        bytes(ctx.server().config().yes("cluster-enabled") ? "RESTORE-ASKING" : "RESTORE");
    String target = host + ":" + port;
    // A cached connection that the target closed meanwhile fails at once: then, as Redis, once
    // more on a new one (a timeout is not retried).
    for (int attempt = 0; ; attempt++) {
      Target t = connection(target, host, port, millis);
      Outcome o = send(ctx, t, moving, user, password, dbid, restore, replace, copy, millis);
      if (o.retry && attempt == 0 && t.reused) {
        t.close();
        continue;
      }
      if (o.socketError) {
        t.close();
      } else {
        t.lastDbid = o.error == null ? dbid : -1;
        release(target, t);
      }
      if (!o.deleted.isEmpty()) {
        byte[][] del = new byte[o.deleted.size() + 1][];
        del[0] = bytes("DEL");
        for (int i = 0; i < o.deleted.size(); i++) {
          del[i + 1] = o.deleted.get(i);
        }
        ctx.propagate(del);
      }
      if (o.error != null) {
        throw new CommandException(o.error);
      }
      ctx.out().ok();
      return;
    }
  }

  /** What one exchange with the target came to. */
  private static final class Outcome {
    final List<byte[]> deleted = new ArrayList<>();
    String error;
    boolean socketError;
    boolean retry;
  }

  /**
   * Sends AUTH, SELECT (unless the connection has that database already) and one RESTORE per key
   * that has not expired meanwhile, then reads the replies: each key the target took is deleted
   * here unless {@code copy}. Writes that take longer than the timeout are cut by closing the
   * socket; reads time out on their own.
   */
  private Outcome send(
      CommandContext ctx,
      Target t,
      List<Moving> moving,
      byte[] user,
      byte[] password,
      long dbid,
      byte[] restore,
      boolean replace,
      boolean copy,
      int millis) {
    Outcome o = new Outcome();
    boolean auth = password != null;
    boolean select = t.lastDbid != dbid;
    List<Moving> sent = new ArrayList<>();
    try (Deadline d = new Deadline(t, millis)) {
      if (auth) {
        write(
            t,
            user == null
                ? new byte[][] {bytes("AUTH"), password}
                : new byte[][] {bytes("AUTH"), user, password});
      }
      if (select) {
        write(t, bytes("SELECT"), bytes(Long.toString(dbid)));
      }
      for (Moving m : moving) {
        long ttl = 0;
        if (m.value().hasExpiry()) {
          ttl = m.value().expireAt() - System.currentTimeMillis();
          if (ttl < 0) {
            continue;
          }
          ttl = Math.max(ttl, 1);
        }
        byte[] payload = DumpPayload.create(m.value());
        byte[] ttlText = bytes(Long.toString(ttl));
        if (replace) {
          write(t, restore, m.name(), ttlText, payload, bytes("REPLACE"));
        } else {
          write(t, restore, m.name(), ttlText, payload);
        }
        sent.add(m);
      }
      t.out.flush();
    } catch (IOException e) {
      o.socketError = true;
      o.retry = true;
      o.error = "IOERR error or timeout writing to target instance";
      return o;
    }
    String authReply = null;
    String selectReply = null;
    try {
      if (auth) {
        authReply = readLine(t.in);
      }
      if (select) {
        selectReply = readLine(t.in);
      }
    } catch (IOException e) {
      o.socketError = true;
      o.retry = !(e instanceof java.net.SocketTimeoutException);
      o.error = "IOERR error or timeout reading to target instance";
      return o;
    }
    Database db = ctx.db();
    for (int i = 0; i < sent.size(); i++) {
      String reply;
      try {
        reply = readLine(t.in);
      } catch (IOException e) {
        o.socketError = true;
        o.retry = i == 0 && o.error == null && !(e instanceof java.net.SocketTimeoutException);
        break;
      }
      String refused =
          auth && authReply.startsWith("-")
              ? authReply
              : select && selectReply.startsWith("-")
                  ? selectReply
                  : reply.startsWith("-") ? reply : null;
      if (refused != null) {
        if (o.error == null) {
          o.error = "ERR Target instance replied with error: " + refused.substring(1);
        }
      } else if (!copy) {
        Moving m = sent.get(i);
        db.remove(m.key());
        ctx.modified(m.key());
        ctx.notify(KeyspaceEvents.GENERIC, "del", m.key());
        o.deleted.add(m.name());
      }
    }
    if (o.socketError && o.error == null) {
      o.error = "IOERR error or timeout reading to target instance";
    }
    if (!o.deleted.isEmpty()) {
      o.retry = false;
    }
    return o;
  }

  /** A connection to a target, kept for {@link #IDLE_MILLIS} after a call, as Redis keeps it. */
  private static final class Target {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final boolean reused;
    long lastDbid = -1;
    long lastUse;

    Target(Socket socket, boolean reused) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
      this.reused = reused;
    }

    private Target(Target cached) {
      this.socket = cached.socket;
      this.in = cached.in;
      this.out = cached.out;
      this.reused = true;
      this.lastDbid = cached.lastDbid;
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // Closed either way.
      }
    }
  }

  /** How long an unused connection to a target stays open, and how many are kept (Redis's). */
  static final long IDLE_MILLIS = 10_000;

  static final int MAX_CACHED = 64;

  private final ConcurrentHashMap<String, Target> cache = new ConcurrentHashMap<>();

  /**
   * Closes the sockets of writes that take longer than their timeout, ending them with an error.
   */
  private static final class Watchdog {
    /** Made on the first MIGRATE, so that a server that never migrates has no such thread. */
    static final ScheduledExecutorService EXECUTOR =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, "toridb-migrate-watchdog");
              th.setDaemon(true);
              return th;
            });
  }

  /** Closes {@code t}'s socket if the writes it guards last longer than {@code millis}. */
  private static final class Deadline implements AutoCloseable {
    private final ScheduledFuture<?> task;

    Deadline(Target t, int millis) {
      task = Watchdog.EXECUTOR.schedule(t::close, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      task.cancel(false);
    }
  }

  /** A connection to {@code target}: a cached one (out of the cache while in use), or a new one. */
  private Target connection(String target, String host, long port, int millis) {
    Target cached = cache.remove(target);
    if (cached != null) {
      return new Target(cached);
    }
    if (host.isEmpty() || port <= 0 || port > 65535) {
      throw new CommandException("IOERR error or timeout connecting to the client");
    }
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, (int) port), millis);
      socket.setSoTimeout(millis);
      socket.setTcpNoDelay(true);
      return new Target(socket, false);
    } catch (IOException | IllegalArgumentException | SecurityException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Nothing more to do.
      }
      throw new CommandException("IOERR error or timeout connecting to the client");
    }
  }

  private void release(String target, Target t) {
    t.lastUse = System.currentTimeMillis();
    if (cache.size() >= MAX_CACHED || cache.putIfAbsent(target, t) != null) {
      t.close();
    }
  }

  /** Closes the cached connections unused for {@link #IDLE_MILLIS} (from the server's cron). */
  void closeIdle(long now) {
    cache.forEach(
        (target, t) -> {
          if (now - t.lastUse > IDLE_MILLIS && cache.remove(target, t)) {
            t.close();
          }
        });
  }

  /** Closes every cached connection (at shutdown). */
  void closeAll() {
    cache.forEach(
        (target, t) -> {
          if (cache.remove(target, t)) {
            t.close();
          }
        });
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void write(Target t, byte[]... argv) throws IOException {
    t.out.write(bytes("*" + argv.length + "\r\n"));
    for (byte[] a : argv) {
      t.out.write(bytes("$" + a.length + "\r\n"));
      t.out.write(a);
      t.out.write(bytes("\r\n"));
    }
  }

  /**
   * One line of a reply (the target answers these commands with +OK or an error), as Redis reads
   * it: at most 1 KiB; an empty or longer line is a failed read.
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
      if (b != '\r') {
        if (line.size() >= 1024) {
          throw new IOException("reply line too long");
        }
        line.write(b);
      }
    }
    if (line.size() == 0) {
      throw new IOException("empty reply line");
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
