package io.toridb.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.toridb.core.config.Config;
import io.toridb.core.propagation.PropagationSink;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import io.toridb.persistence.snapshot.Snapshots;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis's replication, primary side: the replication ID and offset, the backlog, and the replicas
 * fed the stream of every write's effect (as RESP commands, with SELECT where the database
 * changes), after a full synchronization (an RDB snapshot taken at a point in time, and the stream
 * from that point) or a partial one (the stream from the replica's offset, out of the backlog).
 * Replica side: the link to this server's primary ({@link MasterLink}) and the offset of what it
 * applied.
 *
 * <p>The stream is produced where effects are propagated, by the thread that ran the write while it
 * holds the write's key locks, so the stream's order is the order writes took on every key; one
 * monitor ({@code this}) orders the writes of all threads. Each replica has a buffer of its own
 * that the stream is copied into under that monitor (Redis's replica output buffer), which its
 * event loop writes out ({@link Feed#pump}). While a replica waits for its snapshot the stream
 * collects there, bounded by client-output-buffer-limit's replica class.
 *
 * <p>Offsets follow Redis: {@code offset} counts every byte of the stream so far, and a replica
 * asks to continue from the byte after the last one it applied.
 */
final class Replication implements PropagationSink {
  private static final Logger log = LoggerFactory.getLogger(Replication.class);
  static final String NO_ID = "0".repeat(40);

  /** A replica's state, as INFO's slaveN lines name them. */
  enum State {
    /** Sent REPLCONF, not yet SYNC or PSYNC. */
    HANDSHAKE("handshake"),
    /** Waiting for another snapshot or rewrite to end before its own can start. */
    WAIT_BGSAVE_START("wait_bgsave"),
    /** Its snapshot is being written; the stream collects in its buffer. */
    WAIT_BGSAVE_END("wait_bgsave"),
    /** Its snapshot is being sent. */
    SEND_BULK("send_bulk"),
    ONLINE("online");

    final String shown;

    State(String shown) {
      this.shown = shown;
    }
  }

  /** A replica of this server: a client connection that sent SYNC or PSYNC. */
  final class Feed {
    final ClientConnection connection;
    final Channel channel;
    volatile State state = State.HANDSHAKE;
    volatile int listeningPort;
    volatile String announcedIp;
    volatile boolean capaPsync2;

    /** REPLCONF rdb-only: the connection wants the snapshot alone (redis-cli --rdb). */
    volatile boolean rdbOnly;

    /** SYNC rather than PSYNC: no +FULLRESYNC line before the snapshot, and no ACKs expected. */
    volatile boolean oldSync;

    /**
     * REPLCONF rdb-filter-only: the snapshot leaves out the keys, and the functions unless asked.
     */
    volatile boolean excludeKeys;

    volatile boolean excludeFunctions;

    /** Close the connection once what comes before the stream is written (rdb-only). */
    private boolean closeAfterAhead;

    volatile long ackOffset;
    volatile long ackMillis = System.currentTimeMillis();

    // Guarded by Replication.this.
    private boolean due;
    private final ArrayDeque<ByteBuf> ahead = new ArrayDeque<>();
    private ByteBuf stream;
    private boolean scheduled;
    private long aheadBytes;
    private final OutputLimitCheck outputLimit = new OutputLimitCheck();

    Feed(ClientConnection connection) {
      this.connection = connection;
      this.channel = connection.channel();
    }

    /** The address replicas report: the announced one, else the connection's. */
    String ip() {
      String ip = announcedIp;
      if (ip != null) {
        return ip;
      }
      java.net.SocketAddress remote = channel.remoteAddress();
      return remote instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() : "?";
    }

    /** Has the event loop write what is buffered. Caller holds the monitor. */
    private void schedule() {
      if (!scheduled) {
        scheduled = true;
        channel.eventLoop().execute(this::pump);
      }
    }

    /** On the event loop: writes what comes before the stream, then (once online) the stream. */
    private void pump() {
      List<ByteBuf> out = new ArrayList<>();
      synchronized (Replication.this) {
        scheduled = false;
        ByteBuf b;
        while ((b = ahead.poll()) != null) {
          out.add(b);
        }
        aheadBytes = 0;
        if (state == State.ONLINE && stream != null && stream.isReadable()) {
          out.add(stream);
          stream = null;
        }
      }
      if (!channel.isActive()) {
        out.forEach(ByteBuf::release);
        return;
      }
      for (ByteBuf b : out) {
        connection.written(b.readableBytes());
        channel.write(b, channel.voidPromise());
      }
      boolean close;
      synchronized (Replication.this) {
        close = closeAfterAhead && ahead.isEmpty();
      }
      if (close) {
        channel
            .writeAndFlush(Unpooled.EMPTY_BUFFER)
            .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      } else {
        channel.flush();
      }
    }

    /** Bytes held for this replica: its buffer and what its socket has not taken yet. */
    private long pendingBytes() {
      io.netty.channel.ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
      return (stream == null ? 0 : stream.readableBytes())
          + aheadBytes
          + (ob == null ? 0 : ob.totalPendingWriteBytes());
    }

    private void release() {
      ByteBuf b;
      while ((b = ahead.poll()) != null) {
        b.release();
      }
      if (stream != null) {
        stream.release();
        stream = null;
      }
    }
  }

  private final ToriServer server;
  private final ServerContext context;
  private final Config config;

  // Guarded by this.
  private String replid = newId();
  private String replid2 = NO_ID;
  private long offset;
  private long secondOffset = -1;
  private Backlog backlog;
  private int streamDb = -1;
  private final List<Feed> feeds = new ArrayList<>();

  /** Online replicas whose buffer a worker filled, to be written when it runs out of requests. */
  private final List<Feed> due = new ArrayList<>();

  /** Whether {@link #due} may hold anything: read without the monitor by every idle worker. */
  private volatile boolean anyDue;

  /** Where each command of the stream is encoded before it is copied out. */
  private ByteBuf scratch = Unpooled.buffer(512);

  private final io.toridb.protocol.RespWriter encoder = new io.toridb.protocol.RespWriter();

  /** Replicas by session, from their first REPLCONF or SYNC on. */
  private final Map<ClientSession, Feed> bySession = new ConcurrentHashMap<>();

  /** Clients in WAIT. */
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(io.toridb.core.blocking.BlockedClient client, long target, long wanted) {}

  /** The link to this server's primary, or null on a primary. */
  private volatile MasterLink link;

  /** The session of the link to the primary whose stream counts; others' are stale. */
  private ClientSession primarySession;

  /** What the primary's link has applied in a MULTI not yet ended (not counted yet). */
  private long unitBytes;

  /**
   * On a replica, the primary's offset up to which its stream has arrived (INFO's
   * slave_read_repl_offset): ahead of {@link #offset} by what is received and not yet run, such as
   * writes held back by a client pause.
   */
  private long readOffset;

  /** The database the primary's stream was in at {@code offset}. */
  private int offsetDb;

  /** Snapshot files being sent to replicas, deleted should the server stop meanwhile. */
  private final java.util.Set<Path> sending = ConcurrentHashMap.newKeySet();

  private volatile long syncFull;
  private volatile long syncPartialOk;
  private volatile long syncPartialErr;
  private long lastPingMillis = System.currentTimeMillis();
  private long lastNewlineMillis;

  Replication(ToriServer server) {
    this.server = server;
    this.context = server.context();
    this.config = context.config();
    config.require("repl-backlog-size").onChange(d -> resizeBacklog());
    config
        .require("replica-read-only")
        .onChange(d -> context.readOnlyReplica(link != null && config.yes("replica-read-only")));
    context.goodReplicas(this::goodReplicas);
  }

  static String newId() {
    byte[] b = new byte[20];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  // ---------------------------------------------------------------- the stream

  @Override
  public void propagate(int db, byte[][] argv) {
    if (link != null) {
      // A replica's own writes (expired keys, a writable replica's clients) stay its own.
      return;
    }
    synchronized (this) {
      if (backlog == null) {
        return;
      }
      select(db);
      feed(argv);
    }
  }

  @Override
  public void propagateToReplicas(int db, byte[][] argv) {
    propagate(db, argv);
  }

  @Override
  public void propagateTransaction(List<Effect> effects) {
    if (link != null) {
      return;
    }
    synchronized (this) {
      if (backlog == null) {
        return;
      }
      select(effects.get(0).db());
      feed(new byte[][] {MULTI});
      for (Effect e : effects) {
        select(e.db());
        feed(e.argv());
      }
      feed(new byte[][] {EXEC});
    }
  }

  private void select(int db) {
    if (db != streamDb) {
      feed(new byte[][] {bytes("SELECT"), bytes(Integer.toString(db))});
      streamDb = db;
    }
  }

  /** Adds one command to the stream: the backlog and every replica's buffer. Holds the monitor. */
  private void feed(byte[][] argv) {
    scratch.clear();
    encoder.reset(scratch, 2);
    RespRequests.write(encoder, argv);
    encoder.reset(null, 2);
    feedBytes(scratch.array(), scratch.arrayOffset(), scratch.readableBytes());
    if (scratch.capacity() > MAX_KEPT_SCRATCH) {
      // A large value passed through: its buffer is not kept for the small writes after it.
      scratch.release();
      scratch = Unpooled.buffer(512);
    }
  }

  private static final int MAX_KEPT_SCRATCH = 1 << 20;

  private void feedBytes(byte[] bytes, int from, int len) {
    backlog.write(bytes, from, len);
    offset += len;
    if (feeds.isEmpty()) {
      return;
    }
    Config.OutputLimit limit = config.replicaOutputLimit();
    for (int i = 0; i < feeds.size(); i++) {
      Feed f = feeds.get(i);
      if (f.stream == null) {
        f.stream = Unpooled.buffer(Math.max(256, len));
      }
      f.stream.writeBytes(bytes, from, len);
      if (f.state == State.ONLINE) {
        if (Thread.currentThread() instanceof io.toridb.persistence.aof.AofWriter.Committer) {
          // A worker: written when it runs out of requests (flushDue), as Redis writes its
          // replicas' buffers once per event loop iteration, so that one write to the replica's
          // socket carries the stream of many requests.
          if (!f.due) {
            f.due = true;
            due.add(f);
            anyDue = true;
          }
        } else {
          f.schedule();
        }
      }
      if (overLimit(f, limit)) {
        log.warn(
            "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
            f.connection.session().id());
        drop(f);
        i--;
      }
    }
  }

  private static boolean overLimit(Feed f, Config.OutputLimit limit) {
    return (limit.hard() > 0 || limit.soft() > 0) && f.outputLimit.over(f.pendingBytes(), limit);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Run by a worker that ran out of requests (and every few batches): has the event loops write the
   * stream the workers added to online replicas' buffers.
   */
  void flushDue() {
    if (!anyDue) {
      return;
    }
    synchronized (this) {
      anyDue = false;
      try {
        for (Feed f : due) {
          f.due = false;
          f.schedule();
        }
      } finally {
        for (Feed f : due) {
          f.due = false;
        }
        due.clear();
      }
    }
  }

  // ---------------------------------------------------------------- REPLCONF, SYNC, PSYNC

  /** The replica's entry for {@code conn}, made at its first REPLCONF or SYNC. */
  Feed feedOf(ClientConnection conn) {
    Feed f = bySession.computeIfAbsent(conn.session(), s -> new Feed(conn));
    if (!f.channel.isActive()) {
      // Closed meanwhile: disconnected() may have run already, so it is not kept.
      bySession.remove(conn.session(), f);
    }
    return f;
  }

  /** A replica sent something: it is alive (a Redis replica sends newlines while it loads). */
  void heardFrom(ClientConnection conn) {
    Feed f = bySession.get(conn.session());
    if (f != null) {
      f.ackMillis = System.currentTimeMillis();
    }
  }

  /** A connection closed: if it was a replica, it is one no more. */
  void disconnected(ClientConnection conn) {
    Feed f = bySession.remove(conn.session());
    if (f != null) {
      synchronized (this) {
        if (feeds.remove(f)) {
          log.info("Connection with replica {}:{} lost.", f.ip(), f.listeningPort);
        }
        f.release();
      }
    }
  }

  /** Closes a replica's connection. Holds the monitor. */
  private void drop(Feed f) {
    feeds.remove(f);
    if (f.due) {
      f.due = false;
      due.remove(f);
    }
    f.release();
    f.connection.session().kill();
    f.channel.close();
  }

  /** REPLCONF ACK from a replica. */
  void ack(ClientConnection conn, long ackOffset) {
    Feed f = bySession.get(conn.session());
    if (f == null || !conn.session().replica()) {
      return;
    }
    if (ackOffset > f.ackOffset) {
      f.ackOffset = ackOffset;
    }
    f.ackMillis = System.currentTimeMillis();
    wakeWaiters();
  }

  /**
   * SYNC and PSYNC: {@code replicaId} and {@code from} (the first byte it needs) for PSYNC, null
   * for SYNC. Returns an error reply, or null once the replica is set up (nothing is replied: what
   * follows goes out through the replica's own buffer).
   */
  String sync(ClientConnection conn, String replicaId, long from, boolean failover) {
    ClientSession session = conn.session();
    if (session.replica()) {
      // Already one: ignored, as Redis does.
      return null;
    }
    if (failover) {
      // PSYNC ... FAILOVER: this replica's primary hands it the role (FAILOVER on the primary).
      log.warn("Failover request received for replid {}.", replicaId);
      if (link == null) {
        return "ERR PSYNC FAILOVER can't be sent to a master.";
      }
      if (!replicaId.equalsIgnoreCase(history()[0])) {
        return "ERR PSYNC FAILOVER replid must match my replid.";
      }
      promote();
      log.info("MASTER MODE enabled (failover request from '{}')", session.remoteAddress());
    }
    if (failoverState != FailoverState.NO_FAILOVER) {
      return "NOMASTERLINK Can't SYNC while failing over";
    }
    if (link != null) {
      return link.connected()
          ? "ERR this replica does not serve replicas of its own (chained replication is not"
              + " supported)"
          : "NOMASTERLINK Can't SYNC while not connected with my master";
    }
    Feed f = feedOf(conn);
    f.oldSync = replicaId == null;
    session.replica(true);
    synchronized (this) {
      if (replicaId != null && tryPartial(f, replicaId, from)) {
        return null;
      }
      if (backlog == null) {
        // As Redis: the first replica starts a new history.
        replid = newId();
        replid2 = NO_ID;
        secondOffset = -1;
        backlog = newBacklog();
        streamDb = -1;
        context.replicaFeed(this);
      }
      syncFull++;
      f.state = State.WAIT_BGSAVE_START;
    }
    log.info(
        "Replica {}:{} asks for synchronization",
        f.ip(),
        f.listeningPort == 0 ? "<unknown-replica-port>" : f.listeningPort);
    if (replicaId != null) {
      log.info(
          "Full resync requested by replica {}:{}{}",
          f.ip(),
          f.listeningPort,
          "?".equals(replicaId) ? "" : " (replication ID mismatch or offset out of the backlog)");
    }
    startSnapshot(f);
    return null;
  }

  /** Redis's masterTryPartialResynchronization. Holds the monitor. */
  private boolean tryPartial(Feed f, String id, long from) {
    boolean known =
        id.equalsIgnoreCase(replid) || (id.equalsIgnoreCase(replid2) && from <= secondOffset);
    if (!known || backlog == null || from < backlog.firstOffset() || from > offset + 1) {
      if (!"?".equals(id)) {
        syncPartialErr++;
      }
      return false;
    }
    String line = f.capaPsync2 ? "+CONTINUE " + replid + "\r\n" : "+CONTINUE\r\n";
    f.stream = Unpooled.buffer(256);
    f.stream.writeBytes(bytes(line));
    backlog.copy(from, offset, f.stream);
    f.state = State.ONLINE;
    f.ackOffset = 0;
    f.ackMillis = System.currentTimeMillis();
    if (!feeds.contains(f)) {
      feeds.add(f);
    }
    f.schedule();
    syncPartialOk++;
    log.info(
        "Partial resynchronization request from {}:{} accepted. Sending {} bytes of backlog"
            + " starting from offset {}.",
        f.ip(),
        f.listeningPort,
        offset + 1 - from,
        from);
    return true;
  }

  /** Starts the snapshot of a replica waiting for one; left waiting when another scan runs. */
  private void startSnapshot(Feed f) {
    // Whether this snapshot is the replica's: a second start (the cron's, racing with the first)
    // finds the replica past waiting at its cut, and its file is dropped.
    boolean[] taken = new boolean[1];
    Snapshots.Start start =
        server
            .snapshots()
            .forReplica(
                () -> {
                  synchronized (this) {
                    if (!f.channel.isActive() || f.state != State.WAIT_BGSAVE_START) {
                      return;
                    }
                    taken[0] = true;
                    f.state = State.WAIT_BGSAVE_END;
                    // As Redis: the stream names its database again, as the new replica starts in
                    // database 0 whatever the others were last told.
                    streamDb = -1;
                    if (!f.oldSync) {
                      f.ahead.add(
                          Unpooled.copiedBuffer(
                              "+FULLRESYNC " + replid + " " + offset + "\r\n",
                              StandardCharsets.US_ASCII));
                      f.schedule();
                    }
                    // As Redis: nothing is acknowledged before the replica says so.
                    f.ackOffset = 0;
                    if (!feeds.contains(f)) {
                      feeds.add(f);
                    }
                  }
                },
                f.excludeKeys,
                f.excludeFunctions,
                (file, error) -> {
                  if (taken[0]) {
                    snapshotDone(f, file, error);
                  } else if (file != null) {
                    io.toridb.persistence.DurableFiles.deleteQuietly(file);
                  }
                });
    switch (start) {
      case STARTED -> {}
      case FAILED -> {
        synchronized (this) {
          drop(f);
        }
      }
      default -> {
        // Another scan: the cron tries again.
      }
    }
  }

  /** On the snapshot's thread: sends it, then the replica is online. */
  private void snapshotDone(Feed f, Path file, String error) {
    if (error != null || !f.channel.isActive()) {
      if (error != null) {
        log.warn("Synchronization with replica {}:{} failed: {}", f.ip(), f.listeningPort, error);
      }
      synchronized (this) {
        drop(f);
      }
      if (file != null) {
        io.toridb.persistence.DurableFiles.deleteQuietly(file);
      }
      return;
    }
    sending.add(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      synchronized (this) {
        f.state = State.SEND_BULK;
        f.ahead.add(Unpooled.copiedBuffer("$" + size + "\r\n", StandardCharsets.US_ASCII));
        f.schedule();
      }
      long sent = 0;
      long progress = System.currentTimeMillis();
      while (sent < size) {
        if (!f.channel.isActive()) {
          return;
        }
        synchronized (this) {
          if (f.pendingBytes() - (f.stream == null ? 0 : f.stream.readableBytes()) <= SEND_WINDOW) {
            ByteBuf chunk = Unpooled.buffer((int) Math.min(CHUNK, size - sent));
            int n = chunk.writeBytes(ch, sent, chunk.writableBytes());
            if (n <= 0) {
              chunk.release();
              throw new IOException("the snapshot file ended early");
            }
            sent += n;
            f.ahead.add(chunk);
            f.aheadBytes += n;
            f.schedule();
            progress = System.currentTimeMillis();
            continue;
          }
        }
        if (System.currentTimeMillis() - progress > config.number("repl-timeout") * 1000) {
          throw new IOException("the replica took nothing for repl-timeout seconds");
        }
        // Wait for the socket to take what is queued.
        Thread.sleep(1);
      }
      synchronized (this) {
        if (f.rdbOnly) {
          feeds.remove(f);
          f.closeAfterAhead = true;
          f.schedule();
          return;
        }
        f.state = State.ONLINE;
        f.ackMillis = System.currentTimeMillis();
        f.schedule();
      }
      log.info("Synchronization with replica {}:{} succeeded", f.ip(), f.listeningPort);
    } catch (IOException | InterruptedException e) {
      log.warn(
          "Sending the snapshot to replica {}:{} failed: {}",
          f.ip(),
          f.listeningPort,
          e.toString());
      synchronized (this) {
        drop(f);
      }
    } finally {
      io.toridb.persistence.DurableFiles.deleteQuietly(file);
      sending.remove(file);
    }
  }

  private static final int CHUNK = 256 * 1024;
  private static final long SEND_WINDOW = 4L << 20;

  // ---------------------------------------------------------------- WAIT and good replicas

  /** Replicas online that acknowledged {@code target}. */
  synchronized int acked(long target) {
    int n = 0;
    for (Feed f : feeds) {
      if (f.state == State.ONLINE && f.ackOffset >= target) {
        n++;
      }
    }
    return n;
  }

  synchronized long offset() {
    return offset;
  }

  /** See {@link #readOffset}: the offset itself while no link runs. */
  private synchronized long readOffset() {
    return link != null && primarySession != null ? Math.max(readOffset, offset) : offset;
  }

  /** Replicas online that acknowledged within min-replicas-max-lag seconds. */
  private int goodReplicas() {
    if (link != null) {
      return Integer.MAX_VALUE;
    }
    long maxLag = config.number("min-replicas-max-lag") * 1000;
    long now = System.currentTimeMillis();
    int n = 0;
    synchronized (this) {
      for (Feed f : feeds) {
        if (f.state == State.ONLINE && now - f.ackMillis <= maxLag) {
          n++;
        }
      }
    }
    return n;
  }

  /** WAIT blocked {@code client} until {@code wanted} replicas acknowledge {@code target}. */
  void await(io.toridb.core.blocking.BlockedClient client, long target, long wanted) {
    synchronized (this) {
      waiters.add(new Waiter(client, target, wanted));
    }
    getAck();
  }

  /**
   * Asks every replica for its offset (REPLCONF GETACK *, part of the stream). While clients are
   * paused the stream must not grow (a replica taking over waits for the paused offset), so the
   * request waits for the pause's end, as Redis's.
   */
  synchronized void getAck() {
    if (backlog == null || feeds.isEmpty()) {
      return;
    }
    if (context.clientPause().type() != io.toridb.core.server.ClientPause.Type.OFF) {
      ackWanted = true;
      return;
    }
    ackWanted = false;
    feed(new byte[][] {bytes("REPLCONF"), bytes("GETACK"), bytes("*")});
  }

  /** A GETACK held back by a client pause (see {@link #getAck}). */
  private boolean ackWanted;

  private void wakeWaiters() {
    List<io.toridb.core.blocking.BlockedClient> done = new ArrayList<>();
    synchronized (this) {
      if (waiters.isEmpty()) {
        return;
      }
      for (int i = 0; i < waiters.size(); i++) {
        Waiter w = waiters.get(i);
        if (w.client.ended()) {
          waiters.remove(i--);
        } else if (acked(w.target) >= w.wanted) {
          waiters.remove(i--);
          done.add(w.client);
        }
      }
    }
    for (io.toridb.core.blocking.BlockedClient c : done) {
      // Ends the wait with its reply, which counts the replicas again.
      context.blocking().expire(c);
    }
  }

  // ---------------------------------------------------------------- the cron

  /** Redis's replicationCron, run about every 100 ms. */
  void cron(long now) {
    // Whatever a busy worker (a long script) has not had written yet.
    flushDue();
    MasterLink l = link;
    if (l != null) {
      l.cron(now);
      return;
    }
    List<Feed> waiting = new ArrayList<>();
    updateFailover(now);
    // As Redis: no PING in the stream while a replica takes over by hand (it waits for the paused
    // offset), and a held-back GETACK once no pause is on.
    boolean failingOver =
        context.clientPause().pausedBy(io.toridb.core.server.ClientPause.Purpose.FAILOVER);
    synchronized (this) {
      if (ackWanted) {
        getAck();
      }
      if (!feeds.isEmpty()
          && !failingOver
          && now - lastPingMillis >= config.number("repl-ping-replica-period") * 1000) {
        lastPingMillis = now;
        feed(new byte[][] {bytes("PING")});
      }
      boolean newline = now - lastNewlineMillis >= 1000;
      if (newline) {
        lastNewlineMillis = now;
      }
      long timeout = config.number("repl-timeout") * 1000;
      Config.OutputLimit limit = config.replicaOutputLimit();
      for (Feed f : new ArrayList<>(bySession.values())) {
        if (f.state == State.WAIT_BGSAVE_START) {
          waiting.add(f);
        }
        if (newline && (f.state == State.WAIT_BGSAVE_START || f.state == State.WAIT_BGSAVE_END)) {
          // As Redis: keeps the replica from timing out while its snapshot is prepared.
          f.ahead.add(Unpooled.wrappedBuffer(new byte[] {'\n'}));
          f.schedule();
        }
        if (f.state == State.ONLINE && !f.oldSync && now - f.ackMillis > timeout) {
          log.warn(
              "Disconnecting timedout replica (streaming sync): {}:{}", f.ip(), f.listeningPort);
          drop(f);
        } else if (feeds.contains(f) && overLimit(f, limit)) {
          log.warn(
              "Client {} closed for overcoming of output buffer limits.",
              f.connection.session().id());
          drop(f);
        }
      }
    }
    for (Feed f : waiting) {
      if (f.channel.isActive()) {
        startSnapshot(f);
      }
    }
    wakeWaiters();
  }

  private synchronized void resizeBacklog() {
    if (backlog != null) {
      backlog = newBacklog();
    }
  }

  /** An empty backlog of repl-backlog-size bytes, starting after the current offset. */
  private Backlog newBacklog() {
    return new Backlog(
        (int) Math.min(Integer.MAX_VALUE - 8, config.number("repl-backlog-size")), offset);
  }

  // ---------------------------------------------------------------- the replica's side

  /** Whether this server is a replica. */
  boolean isReplica() {
    return link != null;
  }

  MasterLink link() {
    return link;
  }

  /**
   * REPLICAOF host port: becomes a replica of that primary (dropping its own replicas, which must
   * synchronize anew) and connects to it. Keeps its history, so that a primary that knows it may
   * continue it.
   */
  synchronized void replicaOf(String host, int port) {
    MasterLink old = link;
    if (old != null) {
      old.close();
    }
    for (Feed f : new ArrayList<>(feeds)) {
      drop(f);
    }
    for (Feed f : new ArrayList<>(bySession.values())) {
      if (f.connection.session().replica()) {
        f.connection.session().kill();
        f.channel.close();
      }
    }
    backlog = null;
    streamDb = -1;
    context.replicaFeed(PropagationSink.NONE);
    context.readOnlyReplica(config.yes("replica-read-only"));
    context.keyspace().replica(true);
    MasterLink l = new MasterLink(server, this, host, port);
    if (old != null) {
      // The data does not get older by changing links: a cluster replica that follows its
      // master's new address may still fail over.
      l.downSince(old.connected() ? System.currentTimeMillis() : old.downSinceMillis());
    }
    link = l;
    context.masterLinkDown(() -> !l.connected());
    if (!config.yes("cluster-enabled")) {
      config.require("replicaof").set(host + " " + port);
    }
    l.connect();
  }

  /** What a cluster node drives replication with: its master is in the node file. */
  io.toridb.cluster.ReplicaControl clusterControl() {
    return new io.toridb.cluster.ReplicaControl() {
      @Override
      public void follow(String host, int port) {
        MasterLink l = link;
        if (l == null || !l.host().equals(host) || l.port() != port) {
          replicaOf(host, port);
        }
      }

      @Override
      public void promote() {
        Replication.this.promote();
      }

      @Override
      public long offset() {
        return Replication.this.offset();
      }

      @Override
      public long linkDownMillis() {
        MasterLink l = link;
        if (l == null) {
          return 0;
        }
        long now = System.currentTimeMillis();
        if (l.connected()) {
          return now - l.lastIoMillis();
        }
        // Never synchronized: as old as data can be.
        return l.downSinceMillis() == 0 ? Long.MAX_VALUE / 4 : now - l.downSinceMillis();
      }

      /** The workers' batches in progress when the failover's pause began. */
      private volatile long[] settleMarks;

      @Override
      public void pauseWrites(long untilMillis) {
        context
            .clientPause()
            .pause(
                io.toridb.core.server.ClientPause.Purpose.FAILOVER,
                untilMillis,
                io.toridb.core.server.ClientPause.Type.WRITE);
        settleMarks = server.workers().settleMarks();
      }

      @Override
      public boolean writesSettled() {
        long[] marks = settleMarks;
        return marks == null || server.workers().settledSince(marks);
      }

      @Override
      public void resumeWrites() {
        context.clientPause().unpause(io.toridb.core.server.ClientPause.Purpose.FAILOVER);
      }
    };
  }

  // ---------------------------------------------------------------- FAILOVER

  /** Where a FAILOVER command stands (INFO's master_failover_state). */
  enum FailoverState {
    NO_FAILOVER("no-failover"),
    WAIT_FOR_SYNC("waiting-for-sync"),
    IN_PROGRESS("failover-in-progress");

    final String shown;

    FailoverState(String shown) {
      this.shown = shown;
    }
  }

  private volatile FailoverState failoverState = FailoverState.NO_FAILOVER;
  private String failoverHost;
  private int failoverPort;
  private long failoverEndMillis;
  private boolean failoverForce;

  FailoverState failoverState() {
    return failoverState;
  }

  /**
   * FAILOVER, as Redis's: pauses clients' writes, waits until a replica (the one named, or any) has
   * acknowledged the whole stream, then becomes that replica's replica with a PSYNC FAILOVER that
   * makes it the primary and continues the history. Returns an error reply, or null.
   */
  synchronized String failover(String host, int port, long timeoutMillis, boolean force) {
    if (failoverState != FailoverState.NO_FAILOVER) {
      return "ERR FAILOVER already in progress.";
    }
    if (link != null) {
      return "ERR FAILOVER is not valid when server is a replica.";
    }
    if (bySession.values().stream().noneMatch(f -> f.connection.session().replica())) {
      return "ERR FAILOVER requires connected replicas.";
    }
    if (force && (timeoutMillis == 0 || host == null)) {
      return "ERR FAILOVER with force option requires both a timeout and target HOST and IP.";
    }
    if (host != null) {
      Feed target = replicaAt(host, port);
      if (target == null) {
        return "ERR FAILOVER target HOST and PORT is not a replica.";
      }
      if (target.state != State.ONLINE) {
        return "ERR FAILOVER target replica is not online.";
      }
      log.info("FAILOVER requested to {}:{}.", host, port);
    } else {
      log.info("FAILOVER requested to any replica.");
    }
    failoverHost = host;
    failoverPort = port;
    failoverEndMillis = timeoutMillis == 0 ? 0 : System.currentTimeMillis() + timeoutMillis;
    failoverForce = force;
    failoverState = FailoverState.WAIT_FOR_SYNC;
    context
        .clientPause()
        .pause(
            io.toridb.core.server.ClientPause.Purpose.FAILOVER,
            Long.MAX_VALUE,
            io.toridb.core.server.ClientPause.Type.WRITE);
    return null;
  }

  /** FAILOVER ABORT. */
  synchronized String abortFailoverCommand() {
    if (failoverState == FailoverState.NO_FAILOVER) {
      return "ERR No failover in progress.";
    }
    abortFailover("Failover manually aborted");
    return null;
  }

  private Feed replicaAt(String host, int port) {
    for (Feed f : feeds) {
      if (f.listeningPort == port && host.equalsIgnoreCase(f.ip())) {
        return f;
      }
    }
    return null;
  }

  /** Gives the failover up: a primary again if it had begun to follow the target. */
  private synchronized void abortFailover(String why) {
    if (failoverState == FailoverState.NO_FAILOVER) {
      return;
    }
    if (failoverHost != null) {
      log.info("FAILOVER to {}:{} aborted: {}", failoverHost, failoverPort, why);
    } else {
      log.info("FAILOVER to any replica aborted: {}", why);
    }
    if (failoverState == FailoverState.IN_PROGRESS) {
      promote();
    }
    clearFailover();
  }

  private void clearFailover() {
    failoverHost = null;
    failoverPort = 0;
    failoverEndMillis = 0;
    failoverForce = false;
    failoverState = FailoverState.NO_FAILOVER;
    context.clientPause().unpause(io.toridb.core.server.ClientPause.Purpose.FAILOVER);
  }

  /**
   * The link to the failover's target got its answer to PSYNC ... FAILOVER: done when it continues
   * (or, in an edge case, fully resynchronizes), given up when refused.
   */
  synchronized void failoverAnswered(boolean accepted) {
    if (failoverState != FailoverState.IN_PROGRESS) {
      return;
    }
    if (accepted) {
      log.info("FAILOVER to {}:{} done.", failoverHost, failoverPort);
      clearFailover();
    } else {
      abortFailover("Failover target rejected psync request");
    }
  }

  /** Whether this server's PSYNC asks its target to take over (FAILOVER in progress). */
  boolean failingOver() {
    return failoverState == FailoverState.IN_PROGRESS;
  }

  /** Redis's updateFailoverStatus, from the cron: starts the hand-over once a replica caught up. */
  private synchronized void updateFailover(long now) {
    if (failoverState != FailoverState.WAIT_FOR_SYNC) {
      return;
    }
    if (failoverEndMillis != 0 && failoverEndMillis <= now) {
      if (failoverForce) {
        log.info("FAILOVER to {}:{} time out exceeded, failing over.", failoverHost, failoverPort);
        failoverState = FailoverState.IN_PROGRESS;
        replicaOf(failoverHost, failoverPort);
      } else {
        abortFailover("Replica never caught up before timeout");
      }
      return;
    }
    Feed caughtUp = null;
    if (failoverHost != null) {
      Feed f = replicaAt(failoverHost, failoverPort);
      if (f != null && f.state == State.ONLINE && f.ackOffset == offset) {
        caughtUp = f;
      }
    } else {
      for (Feed f : feeds) {
        if (f.state == State.ONLINE && f.ackOffset == offset && f.listeningPort != 0) {
          caughtUp = f;
          failoverHost = f.ip();
          failoverPort = f.listeningPort;
          break;
        }
      }
    }
    if (caughtUp != null) {
      failoverState = FailoverState.IN_PROGRESS;
      log.info("Failover target {}:{} is synced, failing over.", failoverHost, failoverPort);
      replicaOf(failoverHost, failoverPort);
    }
  }

  /** REPLICAOF NO ONE: a primary again, with a new history that continues the primary's. */
  synchronized void promote() {
    MasterLink old = link;
    if (old == null) {
      return;
    }
    old.close();
    link = null;
    context.masterLinkDown(null);
    context.readOnlyReplica(false);
    context.keyspace().replica(false);
    replid2 = replid;
    secondOffset = offset + 1;
    replid = newId();
    backlog = newBacklog();
    streamDb = -1;
    context.replicaFeed(this);
    if (!config.yes("cluster-enabled")) {
      config.require("replicaof").set("");
    }
  }

  /** The primary's link adopted a history: after +FULLRESYNC, or a new ID after +CONTINUE. */
  synchronized void adopt(String id, long at, boolean full) {
    if (!full && !id.equalsIgnoreCase(replid)) {
      replid2 = replid;
      secondOffset = offset + 1;
    }
    replid = id;
    if (full) {
      offset = at;
      replid2 = NO_ID;
      secondOffset = -1;
    }
  }

  /** A replica whose data set is being replaced: it continues no history any more. */
  synchronized void forgetHistory() {
    replid = newId();
    replid2 = NO_ID;
    secondOffset = -1;
    offset = 0;
  }

  /** The history this replica would continue: its ID and offset. */
  synchronized String[] history() {
    return new String[] {replid, Long.toString(offset)};
  }

  /** Counts {@code bytes} of the primary's stream arriving on {@code session}. */
  synchronized void received(ClientSession session, long bytes) {
    if (session == primarySession) {
      readOffset += bytes;
    }
  }

  /** On the worker: the primary's link applied {@code argv}. */
  void applied(ClientSession session, byte[][] argv) {
    long n = RespRequests.size(argv);
    synchronized (this) {
      if (session != primarySession) {
        // A link already replaced: what it ran is not counted (a new link starts after it).
        return;
      }
      unitBytes += n;
      if (session.multi() == null) {
        // As Redis: a MULTI counts once its EXEC ran, so that a link lost inside it resumes
        // before it.
        offset += unitBytes;
        unitBytes = 0;
        offsetDb = session.db();
      }
    }
  }

  /**
   * The stream continues on {@code session}, a new link's: after a full synchronization from
   * database 0, after a partial one in the database the stream was in at the offset.
   */
  synchronized void primarySession(ClientSession session, boolean full) {
    primarySession = session;
    unitBytes = 0;
    readOffset = offset;
    if (full) {
      offsetDb = 0;
    }
    session.db(offsetDb);
  }

  // ---------------------------------------------------------------- ROLE and INFO

  /** ROLE's reply. */
  void role(io.toridb.protocol.RespWriter out) {
    MasterLink l = link;
    if (l != null) {
      out.arrayHeader(5);
      out.bulk(bytes("slave"));
      out.bulk(bytes(l.host()));
      out.integer(l.port());
      out.bulk(bytes(l.roleState()));
      out.integer(l.connected() ? offset() : -1);
      return;
    }
    List<Feed> online = new ArrayList<>();
    long at;
    synchronized (this) {
      at = offset;
      for (Feed f : feeds) {
        if (f.state == State.ONLINE) {
          online.add(f);
        }
      }
    }
    out.arrayHeader(3);
    out.bulk(bytes("master"));
    out.integer(at);
    out.arrayHeader(online.size());
    for (Feed f : online) {
      out.arrayHeader(3);
      out.bulk(bytes(f.ip()));
      out.bulk(bytes(Integer.toString(f.listeningPort)));
      out.bulk(bytes(Long.toString(f.ackOffset)));
    }
  }

  /** INFO's replication section, as name/value pairs in Redis's order. */
  List<String[]> info() {
    List<String[]> out = new ArrayList<>();
    MasterLink l = link;
    long now = System.currentTimeMillis();
    if (l == null) {
      out.add(new String[] {"role", "master"});
    } else {
      out.add(new String[] {"role", "slave"});
      out.add(new String[] {"master_host", l.host()});
      out.add(new String[] {"master_port", Integer.toString(l.port())});
      out.add(new String[] {"master_link_status", l.connected() ? "up" : "down"});
      out.add(
          new String[] {
            "master_last_io_seconds_ago",
            Long.toString(l.connected() ? (now - l.lastIoMillis()) / 1000 : -1)
          });
      out.add(new String[] {"master_sync_in_progress", l.syncing() ? "1" : "0"});
      out.add(new String[] {"slave_read_repl_offset", Long.toString(readOffset())});
      out.add(new String[] {"slave_repl_offset", Long.toString(offset())});
      if (l.syncing()) {
        long total = l.transferSize();
        long read = l.transferRead();
        out.add(new String[] {"master_sync_total_bytes", Long.toString(total)});
        out.add(new String[] {"master_sync_read_bytes", Long.toString(read)});
        out.add(new String[] {"master_sync_left_bytes", Long.toString(Math.max(0, total - read))});
        out.add(
            new String[] {
              "master_sync_perc",
              String.format(java.util.Locale.ROOT, "%.2f", total > 0 ? read * 100.0 / total : 0.0)
            });
        out.add(
            new String[] {
              "master_sync_last_io_seconds_ago", Long.toString((now - l.lastIoMillis()) / 1000)
            });
      }
      if (!l.connected()) {
        out.add(
            new String[] {
              "master_link_down_since_seconds",
              Long.toString(l.downSinceMillis() == 0 ? -1 : (now - l.downSinceMillis()) / 1000)
            });
      }
      out.add(new String[] {"slave_priority", Long.toString(config.number("replica-priority"))});
      out.add(new String[] {"slave_read_only", config.yes("replica-read-only") ? "1" : "0"});
      out.add(new String[] {"replica_announced", config.yes("replica-announced") ? "1" : "0"});
    }
    synchronized (this) {
      out.add(new String[] {"connected_slaves", Integer.toString(feeds.size())});
      if (config.number("min-replicas-to-write") > 0 && config.number("min-replicas-max-lag") > 0) {
        out.add(
            new String[] {
              "min_slaves_good_slaves", Integer.toString(l == null ? goodReplicas() : 0)
            });
      }
      int i = 0;
      for (Feed f : feeds) {
        out.add(
            new String[] {
              "slave" + i++,
              "ip="
                  + f.ip()
                  + ",port="
                  + f.listeningPort
                  + ",state="
                  + f.state.shown
                  + ",offset="
                  + f.ackOffset
                  + ",lag="
                  + (now - f.ackMillis) / 1000
            });
      }
      out.add(new String[] {"master_failover_state", failoverState.shown});
      out.add(new String[] {"master_replid", replid});
      out.add(new String[] {"master_replid2", replid2});
      out.add(new String[] {"master_repl_offset", Long.toString(offset)});
      out.add(new String[] {"second_repl_offset", Long.toString(secondOffset)});
      out.add(new String[] {"repl_backlog_active", backlog == null ? "0" : "1"});
      out.add(
          new String[] {"repl_backlog_size", Long.toString(config.number("repl-backlog-size"))});
      out.add(
          new String[] {
            "repl_backlog_first_byte_offset",
            Long.toString(backlog == null ? 0 : backlog.firstOffset())
          });
      out.add(
          new String[] {
            "repl_backlog_histlen", Long.toString(backlog == null ? 0 : backlog.histlen())
          });
    }
    return out;
  }

  long syncFull() {
    return syncFull;
  }

  long syncPartialOk() {
    return syncPartialOk;
  }

  long syncPartialErr() {
    return syncPartialErr;
  }

  /** Closes the link to the primary and the replicas' connections (shutdown). */
  synchronized void close() {
    MasterLink l = link;
    if (l != null) {
      l.close();
    }
    for (Feed f : feeds) {
      f.release();
    }
    feeds.clear();
    for (Path p : sending) {
      io.toridb.persistence.DurableFiles.deleteQuietly(p);
    }
  }

  /**
   * The last repl-backlog-size bytes of the stream: a ring over one array. {@code end} is the
   * offset of the last byte written.
   */
  static final class Backlog {
    private final byte[] ring;
    private int pos;
    private long histlen;
    private long end;

    Backlog(int size, long end) {
      this.ring = new byte[Math.max(1, size)];
      this.end = end;
    }

    void write(byte[] b, int offset, int len) {
      int from = offset;
      if (len > ring.length) {
        from += len - ring.length;
      }
      int left = offset + len - from;
      while (left > 0) {
        int n = Math.min(left, ring.length - pos);
        System.arraycopy(b, from, ring, pos, n);
        pos = (pos + n) % ring.length;
        from += n;
        left -= n;
      }
      histlen = Math.min(ring.length, histlen + len);
      end += len;
    }

    /** The offset of the oldest byte held (one past {@code end} when it holds nothing). */
    long firstOffset() {
      return end - histlen + 1;
    }

    long histlen() {
      return histlen;
    }

    /** Copies the bytes from offset {@code from} to {@code to} (inclusive) into {@code out}. */
    void copy(long from, long to, ByteBuf out) {
      long count = to - from + 1;
      if (count <= 0) {
        return;
      }
      // The byte at offset end sits just before pos.
      int start = (int) Math.floorMod(pos - (end - from + 1), (long) ring.length);
      long left = count;
      while (left > 0) {
        int n = (int) Math.min(left, ring.length - start);
        out.writeBytes(ring, start, n);
        start = (start + n) % ring.length;
        left -= n;
      }
    }
  }
}
