package io.toridb.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.toridb.core.config.Config;
import io.toridb.core.keyspace.KeyLocks;
import io.toridb.core.keyspace.Keyspace;
import io.toridb.core.server.ServerContext;
import io.toridb.persistence.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's link to its primary, as Redis's replica side: connects, makes the handshake (PING,
 * AUTH with masterauth, REPLCONF listening-port and capa eof psync2, PSYNC with the history it
 * would continue), then either continues (+CONTINUE: the stream follows) or takes a full
 * synchronization (+FULLRESYNC: the snapshot arrives as a bulk of known length or, from a diskless
 * primary, ended by a 40-byte mark; it is written to a temporary file in {@code dir}, the data set
 * is replaced by it while clients get -LOADING, and the stream follows). The stream is then run by
 * a {@link ClientConnection} of the primary on a worker, like any client's requests, with its
 * replies dropped. A lost link is made again every second, continuing where it stopped when the
 * primary still has the stream from there.
 */
final class MasterLink {
  private static final Logger log = LoggerFactory.getLogger(MasterLink.class);
  private static final AtomicLong TEMP_FILES = new AtomicLong();

  enum Phase {
    CONNECT,
    CONNECTING,
    PING,
    AUTH,
    PORT,
    CAPA,
    PSYNC,
    TRANSFER,
    LOADING,
    CONNECTED,
    CLOSED
  }

  private final ToriServer server;
  private final Replication replication;
  private final ServerContext context;
  private final Config config;
  private final String host;
  private final int port;

  private volatile Phase phase = Phase.CONNECT;
  private volatile Channel channel;
  private volatile long lastIoMillis = System.currentTimeMillis();

  /**
   * When the link to the primary was lost; 0 while this replica has never had all of its primary's
   * data set (a new link, or a full synchronization under way), as Redis's repl_down_since: a
   * cluster replica then never fails over.
   */
  private volatile long downSinceMillis;

  private long nextConnectMillis;
  private long lastAckMillis;
  private long lastNewlineMillis;

  /** The last link's client connection, whose requests must all have run before a new PSYNC. */
  private volatile ClientConnection lastPrimary;

  // The transfer's, on the link's event loop (and the loader thread after it).
  private String fullId;
  private long fullOffset;
  private Path temp;
  private FileChannel tempOut;
  private volatile long transferSize = -1;
  private volatile long transferRead;
  private byte[] eofMark;
  private final byte[] tail = new byte[40];
  private int tailLen;

  MasterLink(ToriServer server, Replication replication, String host, int port) {
    this.server = server;
    this.replication = replication;
    this.context = server.context();
    this.config = context.config();
    this.host = host;
    this.port = port;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  boolean connected() {
    return phase == Phase.CONNECTED;
  }

  boolean syncing() {
    Phase p = phase;
    return p == Phase.TRANSFER || p == Phase.LOADING;
  }

  long transferSize() {
    return transferSize;
  }

  long transferRead() {
    return transferRead;
  }

  long lastIoMillis() {
    return lastIoMillis;
  }

  long downSinceMillis() {
    return downSinceMillis;
  }

  /** Takes over when the link it replaces was lost (0: never synchronized). */
  void downSince(long millis) {
    downSinceMillis = millis;
  }

  /** ROLE's name for where the link is. */
  String roleState() {
    return switch (phase) {
      case CONNECT, CLOSED -> "connect";
      case CONNECTING -> "connecting";
      case TRANSFER, LOADING -> "sync";
      case CONNECTED -> "connected";
      default -> "handshake";
    };
  }

  /** Starts connecting (from REPLICAOF, or the cron once the last try failed). */
  synchronized void connect() {
    if (phase != Phase.CONNECT) {
      return;
    }
    phase = Phase.CONNECTING;
    lastIoMillis = System.currentTimeMillis();
    log.info("Connecting to MASTER {}:{}", host, port);
    Bootstrap b =
        new Bootstrap()
            .group(server.ioGroup())
            .channel(server.clientChannelClass())
            .option(ChannelOption.TCP_NODELAY, !config.yes("repl-disable-tcp-nodelay"))
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(60_000, config.number("repl-timeout") * 1000))
            .handler(new Handler());
    ChannelFuture f;
    try {
      f = b.connect(host, port);
    } catch (RuntimeException e) {
      failed("Unable to connect to MASTER: " + e.getMessage());
      return;
    }
    channel = f.channel();
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            failed("Error condition on socket for SYNC: " + done.cause().getMessage());
          }
        });
  }

  /** Ends this link for good (REPLICAOF to another primary or NO ONE, shutdown). */
  synchronized void close() {
    phase = Phase.CLOSED;
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
    dropTemp();
  }

  /** The link failed: closed, tried again in a second. */
  private synchronized void failed(String why) {
    if (phase == Phase.CLOSED) {
      return;
    }
    if (phase != Phase.CONNECT) {
      log.warn("{}", why);
      if (phase == Phase.CONNECTED) {
        log.info("Connection with master lost.");
        downSinceMillis = System.currentTimeMillis();
      }
    }
    phase = Phase.CONNECT;
    nextConnectMillis = System.currentTimeMillis() + 1000;
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
    dropTemp();
  }

  private void dropTemp() {
    FileChannel out = tempOut;
    tempOut = null;
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        log.debug("Closing the replication temp file: {}", e.toString());
      }
    }
    Path t = temp;
    temp = null;
    if (t != null && phase != Phase.LOADING) {
      DurableFiles.deleteQuietly(t);
    }
  }

  /**
   * The replica's cycle: connects again, sends its offset each second, notices a silent primary.
   */
  void cron(long now) {
    Phase p = phase;
    if (p == Phase.CONNECT && now >= nextConnectMillis) {
      ClientConnection last = lastPrimary;
      if (last != null && last.inFlight.get() > 0) {
        // The offset asked for must count everything the last link's requests did.
        return;
      }
      connect();
      return;
    }
    if (p == Phase.LOADING && now - lastNewlineMillis >= 1000) {
      // As Redis: a newline each second keeps the primary from timing the replica out.
      lastNewlineMillis = now;
      Channel ch = channel;
      if (ch != null) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'\n'}));
      }
    }
    if (p == Phase.CONNECT || p == Phase.CLOSED || p == Phase.LOADING) {
      return;
    }
    long timeout = config.number("repl-timeout") * 1000;
    if (now - lastIoMillis > timeout) {
      failed(
          p == Phase.CONNECTED
              ? "MASTER timeout: no data nor PING received..."
              : p == Phase.TRANSFER
                  ? "Timeout receiving bulk data from MASTER... If the problem persists try to set"
                      + " the 'repl-timeout' parameter in redis.conf to a larger value."
                  : "Timeout connecting to the MASTER...");
      return;
    }
    if (p == Phase.CONNECTED && now - lastAckMillis >= 1000) {
      sendAck();
    }
  }

  /** REPLCONF ACK with the offset applied so far (each second, and for GETACK). */
  void sendAck() {
    Channel ch = channel;
    if (phase != Phase.CONNECTED || ch == null) {
      return;
    }
    lastAckMillis = System.currentTimeMillis();
    ch.writeAndFlush(command("REPLCONF", "ACK", Long.toString(replication.offset())));
  }

  private static ByteBuf command(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return RespRequests.encode(argv);
  }

  /** The handler of one connection to the primary. */
  private final class Handler extends ChannelInboundHandlerAdapter {
    private ByteBuf in;
    private ClientConnection primary;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (phase == Phase.CLOSED) {
        ctx.close();
        return;
      }
      log.info("MASTER <-> REPLICA sync started");
      lastIoMillis = System.currentTimeMillis();
      phase = Phase.PING;
      ctx.writeAndFlush(command("PING"));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (in != null) {
        in.release();
        in = null;
      }
      if (ctx.channel() == channel) {
        failed("Connection with master lost");
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.warn("Replication link to {}:{}: {}", host, port, cause.toString());
      ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      lastIoMillis = System.currentTimeMillis();
      if (phase == Phase.CONNECTED && primary != null) {
        ctx.fireChannelRead(buf);
        return;
      }
      if (in == null) {
        in = ctx.alloc().heapBuffer(Math.max(256, buf.readableBytes()));
      }
      in.writeBytes(buf);
      buf.release();
      try {
        advance(ctx);
      } catch (IOException | RuntimeException e) {
        failed("Replication with MASTER failed: " + e.getMessage());
      }
    }

    /** Reads the replies of the handshake, then the snapshot. */
    private void advance(ChannelHandlerContext ctx) throws IOException {
      while (in != null && in.isReadable()) {
        switch (phase) {
          case PING -> {
            String line = line();
            if (line == null) {
              return;
            }
            if (line.startsWith("-")
                && !line.startsWith("-NOAUTH")
                && !line.startsWith("-NOPERM")
                && !line.startsWith("-ERR operation not permitted")) {
              failed("Error reply to PING from master: '" + line.substring(1) + "'");
              return;
            }
            log.info("Master replied to PING, replication can continue...");
            String pass = config.text("masterauth");
            if (!pass.isEmpty()) {
              String user = config.text("masteruser");
              phase = Phase.AUTH;
              ctx.writeAndFlush(
                  user.isEmpty() ? command("AUTH", pass) : command("AUTH", user, pass));
            } else {
              sendPort(ctx);
            }
          }
          case AUTH -> {
            String line = line();
            if (line == null) {
              return;
            }
            if (line.startsWith("-")) {
              failed("Unable to AUTH to MASTER: " + line.substring(1));
              return;
            }
            sendPort(ctx);
          }
          case PORT -> {
            String line = line();
            if (line == null) {
              return;
            }
            if (line.startsWith("-")) {
              log.info(
                  "(Non critical) Master does not understand REPLCONF listening-port: {}", line);
            }
            phase = Phase.CAPA;
            ctx.writeAndFlush(command("REPLCONF", "capa", "eof", "capa", "psync2"));
          }
          case CAPA -> {
            String line = line();
            if (line == null) {
              return;
            }
            if (line.startsWith("-")) {
              log.info("(Non critical) Master does not understand REPLCONF capa: {}", line);
            }
            String[] history = replication.history();
            phase = Phase.PSYNC;
            log.info(
                "Trying a partial resynchronization (request {}:{}).",
                history[0],
                Long.parseLong(history[1]) + 1);
            String next = Long.toString(Long.parseLong(history[1]) + 1);
            // A primary handing over (FAILOVER) asks its target to take the primary's role.
            ctx.writeAndFlush(
                replication.failingOver()
                    ? command("PSYNC", history[0], next, "FAILOVER")
                    : command("PSYNC", history[0], next));
          }
          case PSYNC -> {
            String line = line();
            if (line == null) {
              return;
            }
            if (line.isEmpty()) {
              continue;
            }
            if (line.startsWith("+FULLRESYNC")) {
              String[] w = line.split(" ");
              if (w.length < 3 || w[1].length() != 40) {
                failed("Master replied with wrong +FULLRESYNC syntax.");
                return;
              }
              fullId = w[1];
              fullOffset = Long.parseLong(w[2]);
              replication.failoverAnswered(true);
              log.info("Full resync from master: {}:{}", fullId, fullOffset);
              phase = Phase.TRANSFER;
              transferSize = -1;
              transferRead = 0;
            } else if (line.startsWith("+CONTINUE")) {
              String[] w = line.split(" ");
              String id = w.length > 1 && w[1].length() == 40 ? w[1] : replication.history()[0];
              replication.adopt(id, 0, false);
              replication.failoverAnswered(true);
              log.info("Successful partial resynchronization with master.");
              connected(ctx, false);
              return;
            } else if (line.startsWith("-NOMASTERLINK") || line.startsWith("-LOADING")) {
              failed("Master is currently unable to PSYNC but should be in the future: " + line);
              replication.failoverAnswered(false);
              return;
            } else {
              failed("Unexpected reply to PSYNC from master: " + line);
              replication.failoverAnswered(false);
              return;
            }
          }
          case TRANSFER -> {
            if (tempOut == null) {
              String line = line();
              if (line == null) {
                return;
              }
              if (line.isEmpty()) {
                continue;
              }
              if (line.startsWith("-")) {
                failed("MASTER aborted replication with an error: " + line.substring(1));
                return;
              }
              if (!line.startsWith("$")) {
                failed(
                    "Bad protocol from MASTER, the first byte is not '$' (we received '"
                        + line
                        + "'), are you sure the host and port are right?");
                return;
              }
              if (line.startsWith("$EOF:") && line.length() == 45) {
                eofMark = line.substring(5).getBytes(StandardCharsets.US_ASCII);
                tailLen = 0;
                transferSize = 0;
                log.info(
                    "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
              } else {
                eofMark = null;
                transferSize = Long.parseLong(line.substring(1));
                log.info(
                    "MASTER <-> REPLICA sync: receiving {} bytes from master to disk",
                    transferSize);
              }
              openTemp();
              continue;
            }
            if (receive()) {
              load(ctx);
              return;
            }
          }
          default -> {
            return;
          }
        }
      }
    }

    private void sendPort(ChannelHandlerContext ctx) {
      long announced = config.number("replica-announce-port");
      phase = Phase.PORT;
      ctx.writeAndFlush(
          command(
              "REPLCONF",
              "listening-port",
              Long.toString(announced != 0 ? announced : server.port())));
    }

    /** The next line of {@code in} without its end, or null when it is not complete. */
    private String line() {
      int nl = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
      if (nl < 0) {
        if (in.readableBytes() > 64 * 1024) {
          throw new IllegalStateException("a reply line from the master is too long");
        }
        return null;
      }
      int end = nl > in.readerIndex() && in.getByte(nl - 1) == '\r' ? nl - 1 : nl;
      String s = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8);
      in.readerIndex(nl + 1);
      return s;
    }

    private void openTemp() throws IOException {
      Path dir = Path.of(config.text("dir"));
      temp =
          dir.resolve(
              "temp-"
                  + ProcessHandle.current().pid()
                  + "-repl-"
                  + TEMP_FILES.incrementAndGet()
                  + ".rdb");
      tempOut =
          FileChannel.open(
              temp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Writes what {@code in} holds of the snapshot; true once it is complete. */
    private boolean receive() throws IOException {
      if (eofMark == null) {
        long left = transferSize - transferRead;
        int n = (int) Math.min(left, in.readableBytes());
        write(n);
        return transferRead == transferSize;
      }
      int n = in.readableBytes();
      // Keep the last 40 bytes seen, to compare with the mark.
      for (int i = Math.max(0, n - 40); i < n; i++) {
        byte b = in.getByte(in.readerIndex() + i);
        if (tailLen == 40) {
          System.arraycopy(tail, 1, tail, 0, 39);
          tailLen = 39;
        }
        tail[tailLen++] = b;
      }
      write(n);
      transferSize = transferRead;
      if (tailLen == 40 && java.util.Arrays.equals(tail, eofMark)) {
        tempOut.truncate(transferRead - 40);
        transferRead -= 40;
        transferSize = transferRead;
        return true;
      }
      return false;
    }

    private void write(int n) throws IOException {
      java.nio.ByteBuffer bb = in.nioBuffer(in.readerIndex(), n);
      while (bb.hasRemaining()) {
        tempOut.write(bb);
      }
      in.skipBytes(n);
      transferRead += n;
      if (!in.isReadable()) {
        in.clear();
      }
    }

    /** The snapshot is here: replaces the data set with it, off the event loop. */
    private void load(ChannelHandlerContext ctx) throws IOException {
      tempOut.force(true);
      tempOut.close();
      tempOut = null;
      Path file = temp;
      temp = null;
      phase = Phase.LOADING;
      ctx.channel().config().setAutoRead(false);
      log.info("MASTER <-> REPLICA sync: Flushing old data");
      Thread t =
          new Thread(
              () -> {
                String error = replaceDataSet(file);
                ctx.channel()
                    .eventLoop()
                    .execute(
                        () -> {
                          if (phase != Phase.LOADING || ctx.channel() != channel) {
                            // The link failed meanwhile; a newer one may be loading its own.
                            return;
                          }
                          if (error != null) {
                            phase = Phase.TRANSFER;
                            failed(
                                "Failed trying to load the MASTER synchronization DB from disk: "
                                    + error);
                            return;
                          }
                          replication.adopt(fullId, fullOffset, true);
                          log.info("MASTER <-> REPLICA sync: Finished with success");
                          connected(ctx, true);
                          ctx.channel().config().setAutoRead(true);
                        });
              },
              "toridb-repl-load");
      t.setDaemon(true);
      t.start();
    }

    /** The stream follows: handed to a client connection of the primary. */
    private void connected(ChannelHandlerContext ctx, boolean full) {
      phase = Phase.CONNECTED;
      lastAckMillis = 0;
      primary = new ClientConnection(server, server.workers().assign(), true);
      lastPrimary = primary;
      replication.primarySession(primary.session(), full);
      ctx.pipeline().addLast(primary);
      primary.channelActive(ctx.pipeline().context(primary));
      ByteBuf rest = in;
      in = null;
      if (rest != null && rest.isReadable()) {
        ctx.fireChannelRead(rest);
      } else if (rest != null) {
        rest.release();
      }
      sendAck();
    }
  }

  /**
   * Empties the data set and loads {@code file} into it with every key lock held, clients getting
   * -LOADING; the log is rewritten after, as it no longer describes the data. Returns the error, or
   * null.
   */
  private String replaceDataSet(Path file) {
    // Something that is not an RDB file at all leaves the data set as it is; a damaged one is found
    // while loading, after the data set was emptied, as in Redis.
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      byte[] head = in.readNBytes(9);
      String magic = new String(head, StandardCharsets.US_ASCII);
      if (head.length < 9
          || !magic.startsWith("REDIS")
          || !magic.substring(5).chars().allMatch(Character::isDigit)) {
        DurableFiles.deleteQuietly(file);
        return "the payload is not an RDB file";
      }
    } catch (IOException e) {
      DurableFiles.deleteQuietly(file);
      return e.getMessage();
    }
    Keyspace keyspace = context.keyspace();
    KeyLocks locks = keyspace.locks();
    io.toridb.persistence.snapshot.Snapshots snapshots = server.snapshots();
    // From here the data set is no longer the one the old history describes: a link that fails
    // before the new one is adopted must not continue it, and this replica holds no data a
    // failover could rely on until the load is done.
    replication.forgetHistory();
    downSinceMillis = 0;
    context.loading(true);
    locks.lockEverything();
    try {
      snapshots.cancelScans("a full synchronization with the master replaces the data set");
      context.emptyDatabases(System.currentTimeMillis());
      context.functions().clear();
      log.info("MASTER <-> REPLICA sync: Loading DB in memory");
      snapshots.load(file, false);
      return null;
    } catch (IOException | RuntimeException e) {
      return e.getMessage();
    } finally {
      locks.unlockEverything();
      context.loading(false);
      DurableFiles.deleteQuietly(file);
      if (server.aof() != null) {
        String error = snapshots.rewriteLog(server.logRewriter(), false, new boolean[1]);
        if (error != null) {
          log.warn("Rewriting the append-only file after the synchronization: {}", error);
        }
      }
    }
  }
}
