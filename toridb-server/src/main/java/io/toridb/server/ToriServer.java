package io.toridb.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.toridb.core.CoreCommands;
import io.toridb.core.config.Config;
import io.toridb.core.server.CountingThread;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import io.toridb.persistence.dump.DumpCommands;
import io.toridb.persistence.snapshot.Snapshots;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server process: Netty event loops accepting and decoding, a fixed worker pool running
 * commands, and the registry of engines they share. {@link #start()} binds and returns; {@link
 * #shutdown()} stops accepting, lets in-flight work finish, and closes everything.
 */
public final class ToriServer {
  private static final Logger log = LoggerFactory.getLogger(ToriServer.class);
  private static final int QUEUE_CAPACITY = 4096;

  private final Config config;
  private final ServerContext context;
  private final ClientRegistry clients = new ClientRegistry();
  private final WorkerPool workers;

  /** timeout, read on every read and reply while it is above 0. */
  private final io.toridb.core.config.Directive idleTimeout;

  /**
   * tcp-keepalive, as Redis sets it on each new client socket (so CONFIG SET applies to the next
   * connections): above 0, keepalive on, the first probe after that many idle seconds, the next
   * every third of it, and the peer given up after three unanswered probes; 0, off. Above Linux's
   * 32767, and without epoll, only the switch is set (the probe timing is then the kernel's).
   */
  static void keepAlive(SocketChannel ch, long interval) {
    try {
      ch.config().setKeepAlive(interval > 0);
      // Linux takes at most 32767 s: above that Redis's setsockopt fails and it keeps keepalive on
      // with the kernel's timing, which this does too.
      if (interval > 0
          && interval <= 32767
          && ch instanceof io.netty.channel.epoll.EpollSocketChannel epoll) {
        int idle = (int) interval;
        epoll.config().setTcpKeepIdle(idle);
        epoll.config().setTcpKeepIntvl(Math.max(1, idle / 3));
        epoll.config().setTcpKeepCnt(3);
      }
    } catch (io.netty.channel.ChannelException e) {
      // As Redis: a socket whose keepalive cannot be set is served without it.
      log.debug("Cannot set keepalive on {}: {}", ch, e.toString());
    }
  }

  /** Whether clients idle longer than timeout are closed, so their activity must be noted. */
  boolean idleTimeoutOn() {
    return idleTimeout.number() > 0;
  }

  /** The service manager told of start and stop (supervised systemd), or null. */
  private volatile ServiceManager serviceManager;

  /** Listening sockets; replaced as a whole by CONFIG SET port/bind (guarded by this). */
  private List<Channel> listeners = new ArrayList<>();

  /** The bind and port values the listeners were opened with. */
  private String listenBind;

  private int listenPort;
  private ServerBootstrap bootstrap;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final java.util.concurrent.ConcurrentHashMap<io.netty.channel.EventLoop, ReplyQueue>
      replyQueues = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentHashMap<io.netty.channel.EventLoop, WorkerWakeups>
      workerWakeups = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ScheduledExecutorService cron =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "toridb-cron");
            t.setDaemon(true);
            return t;
          });
  private EventLoopGroup bossGroup;
  private EventLoopGroup ioGroup;
  private volatile boolean shuttingDown;

  /**
   * Set once start() has the data set in memory (loaded, or nothing to load): before that a final
   * save would replace the snapshot with an empty or partial one (a signal while the log opens).
   */
  private volatile boolean loaded;

  private volatile int boundPort;
  private String transport = "epoll";
  private final Monitor monitor;
  private final InfoCommand info;
  private volatile java.util.concurrent.ScheduledFuture<?> cronTask;

  /** The append-only log, or null when appendonly is no. */
  private volatile io.toridb.persistence.aof.AppendOnlyFile aof;

  /** Replication: this server's replicas, or its link to its primary. */
  private final Replication replication;

  /** MIGRATE, whose connections to targets the cron closes when idle. */
  private final MigrateCommand migrate = new MigrateCommand();

  /** This node's view of the cluster, or null when cluster-enabled is no. */
  private volatile io.toridb.cluster.Cluster cluster;

  private volatile ClusterBus clusterBus;
  private volatile java.util.concurrent.ScheduledFuture<?> clusterCron;

  /** The RDB snapshot: SAVE, BGSAVE, save points, loading at startup. */
  private final Snapshots snapshots;

  /** The append-only file's rewrite, as the snapshots schedule it next to background saves. */
  record AofRewriter(io.toridb.persistence.aof.AppendOnlyFile aof)
      implements Snapshots.LogRewriter {
    @Override
    public boolean rewriting() {
      return aof.rewriting();
    }

    @Override
    public String rewrite(String why) {
      return aof.rewrite(why);
    }

    @Override
    public void rewriteIfGrown() {
      aof.rewriteIfGrown();
    }
  }

  /** BGREWRITEAOF's rewriter: of the running log, or of the files on disk while the log is off. */
  Snapshots.LogRewriter logRewriter() {
    io.toridb.persistence.aof.AppendOnlyFile a = aof;
    return a != null ? new AofRewriter(a) : offRewriter;
  }

  /**
   * Opens the log directory under {@code dir}, counting its rewrites in this server's history; see
   * {@link io.toridb.persistence.aof.AppendOnlyFile#open(io.toridb.core.server.ServerContext, Path,
   * boolean, io.toridb.persistence.aof.RewriteHistory)}.
   */
  io.toridb.persistence.aof.AppendOnlyFile openLog(boolean create) throws java.io.IOException {
    return io.toridb.persistence.aof.AppendOnlyFile.open(
        context, Path.of(config.text("dir")), create, rewriteHistory);
  }

  /** Whether {@code dir} holds a log (its manifest), which {@link #openLog} would open. */
  boolean logExists() {
    return io.toridb.persistence.aof.AppendOnlyFile.exists(context, Path.of(config.text("dir")));
  }

  /** Rewrites of every log this server opens, for INFO. */
  private final io.toridb.persistence.aof.RewriteHistory rewriteHistory =
      new io.toridb.persistence.aof.RewriteHistory();

  io.toridb.persistence.aof.RewriteHistory rewriteHistory() {
    return rewriteHistory;
  }

  /** The log directory while BGREWRITEAOF rewrites it with the log off, else null. */
  private final java.util.concurrent.atomic.AtomicReference<
          io.toridb.persistence.aof.AppendOnlyFile>
      rewritingWhileOff = new java.util.concurrent.atomic.AtomicReference<>();

  /** The log directory while BGREWRITEAOF rewrites it with the log off, else null (for INFO). */
  io.toridb.persistence.aof.AppendOnlyFile rewritingWhileOff() {
    return rewritingWhileOff.get();
  }

  /**
   * BGREWRITEAOF with appendonly no, as in Redis 7: the data set is written into a new base in the
   * log directory (which DEBUG LOADAOF, or a start with appendonly yes, then loads).
   */
  private final Snapshots.LogRewriter offRewriter =
      new Snapshots.LogRewriter() {
        @Override
        public boolean rewriting() {
          return rewritingWhileOff.get() != null;
        }

        @Override
        public String rewrite(String why) {
          return rewriteWhileOff();
        }

        @Override
        public void rewriteIfGrown() {
          // No log grows while it is off.
        }
      };

  private synchronized String rewriteWhileOff() {
    if (aof != null) {
      return aof.rewrite("BGREWRITEAOF");
    }
    if (rewritingWhileOff.get() != null) {
      return io.toridb.persistence.aof.AppendOnlyFile.ALREADY_REWRITING;
    }
    io.toridb.persistence.aof.AppendOnlyFile files;
    try {
      files = openLog(false);
    } catch (java.io.IOException e) {
      log.warn("Can't rewrite the append-only file: {}", e.getMessage());
      return io.toridb.persistence.aof.AppendOnlyFile.CANNOT_REWRITE;
    }
    rewritingWhileOff.set(files);
    try {
      files.rewriteWhileOff(failure -> rewritingWhileOff.compareAndSet(files, null));
      return null;
    } catch (java.io.IOException | RuntimeException e) {
      rewritingWhileOff.set(null);
      files.release();
      log.warn("Can't rewrite the append-only file: {}", e.getMessage());
      return io.toridb.persistence.aof.AppendOnlyFile.CANNOT_REWRITE;
    }
  }

  public ToriServer(Config config) {
    this.config = config;
    this.context = new ServerContext(config);
    this.snapshots = new Snapshots(context);
    snapshots.logRewriter(this::logRewriter);
    context.afterFlushAll(snapshots::afterFlushAll);
    CoreCommands.registerAll(context.commands());
    DumpCommands.register(context.commands());
    context.functionPayloads(new io.toridb.persistence.dump.FunctionPayload());
    this.monitor = new Monitor(this);
    this.info = new InfoCommand(this);
    monitor.register(context.commands());
    info.register(context.commands());
    new ClientCommands(this).register(context.commands());
    new DebugCommands(this).register(context.commands());
    new ShutdownCommand(this).register(context.commands());
    new PersistenceCommands(this).register(context.commands());
    new io.toridb.cluster.ClusterCommands(() -> cluster).register(context.commands());
    migrate.register(context.commands());
    this.replication = new Replication(this);
    new ReplicationCommands(this).register(context.commands());
    this.idleTimeout = config.require("timeout");
    config.require("loglevel").onChange(d -> LoggingSetup.setLevel(d.text()));
    config.require("hz").onChange(d -> onHzChange(d));
    // A value from the file or command line is clamped too, as Redis shows it in CONFIG GET.
    onHzChange(config.require("hz"));
    config
        .require("port")
        .onApply(() -> rebind("Unable to listen on this port. Check server logs."));
    config.require("bind").onApply(() -> rebind("Failed to bind to specified addresses."));
    config.require("appendonly").onApply(this::onAppendOnlyChange);
    OomScoreAdj oom = new OomScoreAdj(config, java.nio.file.Path.of("/proc/self/oom_score_adj"));
    config.require("oom-score-adj").onApply(oom::apply);
    config.require("oom-score-adj-values").onApply(oom::apply);
    // From the file or command line; a failure is only logged, as Redis does at startup.
    oom.apply();
    this.workers = new WorkerPool(workerCount(config), QUEUE_CAPACITY, context, this::commitLog);
  }

  /** The configured worker count, or the default for this machine when 0. */
  static int workerCount(Config config) {
    int configured = (int) config.number("workers");
    return configured > 0
        ? configured
        : defaultWorkers(Runtime.getRuntime().availableProcessors(), ioThreads(config));
  }

  /**
   * One worker per core that the event loops leave: a worker never waits for I/O, so more workers
   * than free cores only take turns on them, and every extra thread that must be woken for a
   * request can wait for a core. See docs/performance.md for the measurements behind it.
   */
  static int defaultWorkers(int cores, int ioThreads) {
    return Math.max(1, cores - ioThreads);
  }

  static int ioThreads(Config config) {
    int configured = (int) config.number("io-threads");
    return configured > 0
        ? configured
        : defaultIoThreads(Runtime.getRuntime().availableProcessors());
  }

  /** Half the cores, at least one. */
  static int defaultIoThreads(int cores) {
    return Math.max(1, cores / 2);
  }

  /**
   * The I/O threads count every byte read and written (INFO's total_net_input_bytes), so they are
   * counting threads, as the workers are, and add without contending.
   */
  private static ThreadFactory ioThreadFactory() {
    AtomicInteger n = new AtomicInteger();
    return task -> new CountingThread(task, "toridb-io-" + n.incrementAndGet());
  }

  public ServerContext context() {
    return context;
  }

  public Config config() {
    return config;
  }

  ClientRegistry clients() {
    return clients;
  }

  WorkerPool workers() {
    return workers;
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return boundPort;
  }

  boolean deniedByProtectedMode(SocketAddress remote) {
    return config.yes("protected-mode")
        && context.requirePass().isEmpty()
        && !ProtectedMode.isLoopback(remote);
  }

  /** The worker wake-ups deferred to the end of an iteration of {@code loop}. */
  WorkerWakeups workerWakeups(io.netty.channel.EventLoop loop) {
    return workerWakeups.computeIfAbsent(
        loop, l -> new WorkerWakeups(l, replyQueue(l), ioThreads(config) == 1));
  }

  /** The queue through which workers hand replies to connections of {@code loop}. */
  ReplyQueue replyQueue(io.netty.channel.EventLoop loop) {
    return replyQueues.computeIfAbsent(loop, ReplyQueue::new);
  }

  void onDisconnect(ClientConnection connection) {
    // Hook for per-connection cleanup owned by other components (MONITOR, pub/sub, blocking).
    monitor.remove(connection);
    context.pubsub().unsubscribeAll(connection.session());
    replication.disconnected(connection);
  }

  /**
   * CONFIG SET hz: as Redis, an out-of-range value is stored clamped, and the cron follows the new
   * rate.
   */
  private void onHzChange(io.toridb.core.config.Directive hz) {
    long clamped = effectiveHz(hz.number());
    if (clamped != hz.number()) {
      hz.set(Long.toString(clamped));
      return;
    }
    if (cronTask != null) {
      startCron();
    }
  }

  /** The event-loop transport in use, as INFO's multiplexing_api shows it. */
  String transportName() {
    return transport;
  }

  /**
   * CONFIG SET appendonly: "no" stops logging (the files stay, as in Redis); "yes" while running
   * starts a new log from a rewrite of the current data (see {@link
   * io.toridb.persistence.aof.AppendOnlyFile#startNew}). Null when the log follows the setting.
   */
  private synchronized String onAppendOnlyChange() {
    io.toridb.persistence.aof.AppendOnlyFile current = aof;
    boolean wanted = config.yes("appendonly");
    if (context.loading()) {
      return "The append-only file is being loaded; try again when loading is done";
    }
    if (!wanted && current != null) {
      // Closed first: its waiting replies go out before any reply can bypass it.
      current.close();
      aof = null;
      log.info("Append-only file turned off by CONFIG SET");
    } else if (wanted && current == null && boundPort != 0) {
      if (rewritingWhileOff.get() != null) {
        return "A rewrite of the append-only file (BGREWRITEAOF) is running; try again when it is"
            + " done";
      }
      io.toridb.persistence.aof.AppendOnlyFile started = null;
      try {
        started = openLog(false);
        io.toridb.persistence.aof.AppendOnlyFile log = started;
        aof = log;
        log.startNew(failure -> offAfterFailedStart(log, failure));
      } catch (java.io.IOException | RuntimeException e) {
        aof = null;
        if (started != null) {
          started.close();
        }
        log.warn("Could not turn the append-only file on: {}", e.getMessage());
        return "Could not turn the append-only file on: " + e.getMessage();
      }
    }
    return null;
  }

  /**
   * The rewrite that starts a log at run time failed: the log is off again, as the setting says,
   * and a later CONFIG SET appendonly yes tries anew (Redis instead retries by itself).
   */
  private synchronized void offAfterFailedStart(
      io.toridb.persistence.aof.AppendOnlyFile failed, String why) {
    if (aof == failed) {
      aof = null;
      config.require("appendonly").set("no");
      log.warn("The append-only file stays off: writing its first base failed ({})", why);
    }
  }

  /**
   * Run by a worker that ran out of requests: the replicas' stream goes out, and the log's group
   * commit under always. True if it drained the log.
   */
  private boolean commitLog() {
    // The log first: under appendfsync always, as in Redis, a replica gets a write only once it is
    // on disk here.
    try {
      io.toridb.persistence.aof.AppendOnlyFile a = aof;
      return a != null && a.commitIdle();
    } finally {
      replication.flushDue();
    }
  }

  /** Whether the data set is in memory, so that a final save may replace the snapshot. */
  boolean loaded() {
    return loaded && !context.loading();
  }

  /** The append-only log, or null when appendonly is no. */
  public io.toridb.persistence.aof.AppendOnlyFile aof() {
    return aof;
  }

  /** Replication: this server's replicas, or its link to its primary. */
  Replication replication() {
    return replication;
  }

  /** The event loops of client connections, which the link to a primary uses too. */
  EventLoopGroup ioGroup() {
    return ioGroup;
  }

  /** The socket channel class of outgoing connections for the transport in use. */
  Class<? extends io.netty.channel.socket.SocketChannel> clientChannelClass() {
    return "epoll".equals(transport)
        ? io.netty.channel.epoll.EpollSocketChannel.class
        : io.netty.channel.socket.nio.NioSocketChannel.class;
  }

  /** The RDB snapshot of the data set. */
  public Snapshots snapshots() {
    return snapshots;
  }

  /**
   * Binds every configured address and starts the workers; with appendonly, replays the log first
   * (clients that connect meanwhile get -LOADING) and then appends every write to it. Without it,
   * loads the snapshot {@code dir/dbfilename} when there is one, as Redis does.
   *
   * @throws java.io.IOException when the log cannot be opened or is damaged beyond a torn tail, or
   *     the snapshot cannot be read or is damaged
   */
  public void start() throws java.io.IOException, InterruptedException {
    serviceManager = ServiceManager.of(config.text("supervised"), System.getenv());
    if (serviceManager != null) {
      // As Redis, CONFIG GET shows the mode detected for auto.
      config.require("supervised").set("systemd");
    }
    if (config.yes("cluster-enabled")) {
      cluster = io.toridb.cluster.Cluster.open(config, Path.of(config.text("dir")));
      context.clusterRouting(cluster);
      context.keyspace().indexSlots();
    }
    io.toridb.persistence.aof.AppendOnlyFile appendLog = null;
    boolean loadSnapshot = false;
    if (config.yes("appendonly")) {
      appendLog = openLog(true);
      // Known before loading, so that INFO can show the progress.
      aof = appendLog;
      context.loading(true);
      context.keyspace().expiryPaused(true);
    } else if (java.nio.file.Files.exists(snapshots.file())) {
      loadSnapshot = true;
      context.loading(true);
      context.keyspace().expiryPaused(true);
    }
    boolean epoll = Epoll.isAvailable();
    transport = epoll ? "epoll" : "nio";
    IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerSocketChannel> channelClass =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    bossGroup = new MultiThreadIoEventLoopGroup(1, factory);
    ioGroup = new MultiThreadIoEventLoopGroup(ioThreads(config), ioThreadFactory(), factory);
    workers.start();
    bootstrap =
        new ServerBootstrap()
            .group(bossGroup, ioGroup)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, (int) config.number("tcp-backlog"))
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(1024 * 1024, 8 * 1024 * 1024))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    keepAlive(ch, config.number("tcp-keepalive"));
                    ch.pipeline().addLast(new ClientConnection(ToriServer.this, workers.assign()));
                  }
                });
    try {
      bindListeners(config.text("bind"), (int) config.number("port"));
      if (cluster != null) {
        startClusterBus(epoll);
      }
    } catch (BindException e) {
      closeListeners();
      shutdownGroups();
      if (cluster != null) {
        cluster.close();
      }
      throw e;
    }
    // After binding, as Redis: a second server that cannot bind leaves the first one's file alone.
    writePidFile();
    if (appendLog != null) {
      try {
        appendLog.load();
        appendLog.start();
      } catch (java.io.IOException | RuntimeException e) {
        shutdown();
        throw e;
      }
      context.keyspace().expiryPaused(false);
      context.loading(false);
    } else if (loadSnapshot) {
      try {
        snapshots.loadAtStartup();
      } catch (java.io.IOException | RuntimeException e) {
        shutdown();
        throw new java.io.IOException(
            e.getMessage()
                + ". The server did not start: move the file away or repair it, then start again.",
            e);
      }
      context.keyspace().expiryPaused(false);
      context.loading(false);
    }
    loaded = true;
    startCron();
    String primary = config.text("replicaof");
    if (cluster != null) {
      // A cluster node's master is in its node file, not in replicaof.
      cluster.replicaControl(replication.clusterControl());
    } else if (!primary.isEmpty()) {
      String[] hostPort = primary.split(" ");
      replication.replicaOf(hostPort[0], Integer.parseInt(hostPort[1]));
    }
    log.info(
        "Ready to accept connections on port {} ({} transport, I/O threads: {}, workers: {})",
        boundPort,
        epoll ? "epoll" : "nio",
        ioThreads(config),
        workers.size());
    if (serviceManager != null) {
      serviceManager.ready();
    }
  }

  /**
   * Tells the service manager, if any, that the server stops: each time a stop is prepared (as
   * Redis, even one then refused), and as the stop begins unless a preparation told it already.
   */
  void notifyStopping() {
    stoppingNotified.set(true);
    ServiceManager m = serviceManager;
    if (m != null) {
      m.stopping();
    }
  }

  /** Sends {@code message} (sd_notify's "NAME=value\n") to the service manager, if any. */
  void notifyServiceManager(String message) {
    ServiceManager m = serviceManager;
    if (m != null) {
      m.send(message);
    }
  }

  private final java.util.concurrent.atomic.AtomicBoolean stoppingNotified =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Whether a service manager is told the server's state (INFO's process_supervised). */
  String supervisedBy() {
    return serviceManager != null ? "systemd" : "no";
  }

  /**
   * Opens a listener on every address of {@code bind} (space-separated; a leading '-' makes an
   * address optional, '*' is every address) at {@code port}, and makes them the listeners. When a
   * required address cannot be bound, closes what it opened and leaves the listeners as they were.
   */
  private synchronized void bindListeners(String bind, int port) throws BindException {
    List<Channel> opened = new ArrayList<>();
    int actualPort = port;
    for (BindAddress address : BindAddress.parse(bind)) {
      String host = address.host();
      boolean optional = address.optional();
      try {
        Channel ch = bootstrap.bind(new InetSocketAddress(host, actualPort)).sync().channel();
        opened.add(ch);
        // With port 0 the first address picks a free port; the others use the same one.
        actualPort = ((InetSocketAddress) ch.localAddress()).getPort();
      } catch (Exception e) {
        if (optional) {
          log.debug("Skipping optional bind address {}: {}", host, e.getMessage());
          continue;
        }
        for (Channel ch : opened) {
          ch.close().awaitUninterruptibly();
        }
        BindException be =
            new BindException(
                "Could not bind to "
                    + host
                    + ":"
                    + actualPort
                    + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
        be.initCause(e);
        throw be;
      }
    }
    listeners = opened;
    listenBind = bind;
    listenPort = port;
    boundPort = actualPort;
  }

  /**
   * CONFIG SET port / bind: closes the listeners and opens them again with the configured values,
   * as Redis does; when that fails the old ones are opened again and {@code error} is returned.
   * Connected clients stay connected either way. Nothing happens when the listeners already follow
   * the configuration (a rolled-back CONFIG SET applying the old values).
   */
  private synchronized String rebind(String error) {
    String bind = config.text("bind");
    int port = (int) config.number("port");
    if (shuttingDown || (bind.equals(listenBind) && port == listenPort)) {
      return null;
    }
    String oldBind = listenBind;
    int oldPort = listenPort;
    int oldBoundPort = boundPort;
    for (Channel ch : listeners) {
      ch.close().awaitUninterruptibly();
    }
    listeners = new ArrayList<>();
    try {
      // Port 0 (any free port) that stays 0 keeps the port the OS chose before.
      bindListeners(bind, port == 0 && oldPort == 0 ? oldBoundPort : port);
      listenPort = port;
      log.info("Listening on port {} ({})", boundPort, bind);
      return null;
    } catch (BindException e) {
      log.warn("CONFIG SET: {}", e.getMessage());
      try {
        bindListeners(oldBind, oldBoundPort);
        listenPort = oldPort;
      } catch (BindException again) {
        log.error("Could not listen on the previous address again: {}", again.getMessage());
      }
      return error;
    }
  }

  /**
   * Opens the cluster bus on cluster-port (or the client port plus 10000) at the client addresses,
   * and runs the cluster's cron ten times a second, as Redis's clusterCron.
   */
  private void startClusterBus(boolean epoll) throws BindException {
    int busPort = io.toridb.cluster.Cluster.busPort(config, boundPort);
    ClusterBus bus =
        new ClusterBus(
            cluster,
            ioGroup,
            epoll
                ? io.netty.channel.epoll.EpollSocketChannel.class
                : io.netty.channel.socket.nio.NioSocketChannel.class);
    bus.listen(
        config.text("bind"),
        busPort,
        bossGroup,
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
    clusterBus = bus;
    io.toridb.cluster.Cluster c = cluster;
    c.start(bus, boundPort, busPort);
    clusterCron =
        cron.scheduleAtFixedRate(
            () -> {
              try {
                c.cron();
              } catch (RuntimeException e) {
                log.error("Cluster cycle failed", e);
              }
            },
            100,
            100,
            TimeUnit.MILLISECONDS);
    log.info("Cluster bus listening on port {}", busPort);
  }

  private synchronized void closeListeners() {
    for (Channel ch : listeners) {
      ch.close().awaitUninterruptibly();
    }
  }

  /**
   * One address of the bind setting: a leading '-' makes it optional (skipped when it cannot be
   * bound), and '*' or nothing is every address.
   */
  record BindAddress(String host, boolean optional) {
    static List<BindAddress> parse(String bind) {
      List<BindAddress> out = new ArrayList<>();
      for (String spec : bind.trim().split("\\s+")) {
        boolean optional = spec.startsWith("-");
        String host = optional ? spec.substring(1) : spec;
        out.add(new BindAddress(host.isEmpty() || host.equals("*") ? "0.0.0.0" : host, optional));
      }
      return out;
    }
  }

  /** Periodic background work (Redis's serverCron), run {@code hz} times a second. */
  private synchronized void startCron() {
    if (cronTask != null) {
      cronTask.cancel(false);
    }
    if (shuttingDown) {
      return;
    }
    long periodMicros = 1_000_000L / effectiveHz(config.number("hz"));
    cronTask =
        cron.scheduleAtFixedRate(
            () -> {
              try {
                long now = System.currentTimeMillis();
                context.clientPause().check(now);
                context.activeExpiry().runCycle(now);
                info.sample(now);
                // Save points, scheduled saves and rewrites, the log's automatic rewrite.
                snapshots.cron(now);
                clientsCron(now);
                migrate.closeIdle(now);
                replication.cron(now);
              } catch (RuntimeException e) {
                log.error("Background cycle failed", e);
              }
            },
            periodMicros,
            periodMicros,
            TimeUnit.MICROSECONDS);
  }

  /**
   * One pass over the clients per background cycle, as Redis's clientsCron. A subscriber's output
   * limits are checked (see ClientConnection#checkOutputLimit). Under timeout, a client idle for
   * more than that many seconds (whole seconds compared: no read, command or reply written
   * meanwhile, see ClientConnection#touch) is closed, except those Redis exempts: blocked in a
   * command (their own timeout applies), subscribers and MONITOR connections. A client whose worker
   * has requests queued or running is not closed either: Redis checks between commands, never
   * during one, and its clients' input waits for the command to end as it does here.
   */
  void clientsCron(long nowMillis) {
    long timeout = idleTimeout.number();
    long now = nowMillis / 1000;
    for (ClientConnection c : clients.all()) {
      ClientSession s = c.session();
      if (s.subscriptions().active()) {
        c.checkOutputLimit();
        continue;
      }
      if (timeout <= 0
          || s.blocked() != null
          || s.postponed()
          || s.monitor()
          || s.master()
          || s.replica()
          || s.killed()
          || now - s.lastInteraction() / 1000 <= timeout
          || !c.workerQuiet()) {
        continue;
      }
      log.debug("Closing idle client {} ({})", s.id(), s.remoteAddress());
      s.kill();
      c.channel().close();
    }
  }

  /** The cron frequency Redis runs with for a configured hz: clamped to 1..500. */
  static long effectiveHz(long configured) {
    return Math.max(HZ_MIN, Math.min(HZ_MAX, configured));
  }

  private static final long HZ_MIN = 1;
  private static final long HZ_MAX = 500;

  public boolean isShuttingDown() {
    return shuttingDown;
  }

  /**
   * Stops accepting connections, lets the workers finish what is queued, saves the final snapshot
   * when save points are configured (a failure is logged and the server stops anyway: this is the
   * shutdown hook's path; SHUTDOWN and the signals save first, see ShutdownCommand#prepare), closes
   * every client and releases threads. Safe to call more than once and from any thread: a call
   * while another is under way waits for it to end.
   */
  public void shutdown() {
    shutdown(true);
  }

  /**
   * As {@link #shutdown()}; {@code finalSave} false when the caller already saved what had to be
   * saved (SHUTDOWN saves before it decides to stop).
   */
  void shutdown(boolean finalSave) {
    boolean another;
    synchronized (this) {
      another = shuttingDown;
      shuttingDown = true;
    }
    if (another) {
      // Another thread stops the server: wait for it, so that a caller that ends the process next
      // (the shutdown hook, a second signal) does not cut that work short.
      boolean interrupted = false;
      while (true) {
        try {
          stopped.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try {
      stopEverything(finalSave);
    } finally {
      stopped.countDown();
    }
  }

  private void stopEverything(boolean finalSave) {
    if (!stoppingNotified.get()) {
      notifyStopping();
    }
    log.info("Shutting down: no longer accepting connections");
    List<Channel> open;
    synchronized (this) {
      open = listeners;
    }
    for (Channel ch : open) {
      ch.close().awaitUninterruptibly();
    }
    cron.shutdownNow();
    replication.close();
    // Requests already received are finished; nothing new is read, so a client that keeps
    // pipelining cannot hold the workers (and the shutdown) up.
    for (ClientConnection c : clients.all()) {
      c.channel().config().setAutoRead(false);
    }
    try {
      workers.stop(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // No command runs any more: the snapshot holds every write that was acknowledged. Nothing is
    // saved while loading, which would replace the file with half of the data.
    if (finalSave && snapshots.savePointsConfigured() && loaded()) {
      log.info("Saving the final RDB snapshot before exiting.");
      if (!snapshots.saveAtExit()) {
        log.error("Error trying to save the DB. Exit anyway.");
      }
    } else {
      snapshots.stopBackground("the server is stopping");
    }
    // Every write that was acknowledged, or is waiting to be, reaches the disk before clients go.
    io.toridb.persistence.aof.AppendOnlyFile offRewrite = rewritingWhileOff.getAndSet(null);
    if (offRewrite != null) {
      offRewrite.close();
    }
    io.toridb.persistence.aof.AppendOnlyFile appendLog = aof;
    if (appendLog != null) {
      appendLog.close();
    }
    for (ClientConnection c : clients.all()) {
      c.channel().close();
    }
    migrate.closeAll();
    ClusterBus bus = clusterBus;
    if (bus != null) {
      bus.close();
    }
    io.toridb.cluster.Cluster c = cluster;
    if (c != null) {
      c.close();
    }
    shutdownGroups();
    Path written = pidFile;
    if (written != null) {
      log.info("Removing the pid file.");
      try {
        // Only while it still names this process: another server may have taken it over since.
        String held = java.nio.file.Files.readString(written).trim();
        if (held.equals(Long.toString(ProcessHandle.current().pid()))) {
          java.nio.file.Files.deleteIfExists(written);
        }
      } catch (java.io.IOException e) {
        log.warn("Could not remove the pid file {}: {}", written, e.toString());
      }
    }
    log.info("ToriDB is now ready to exit, bye bye...");
  }

  /** The pid file written at start (pidfile), removed by a clean stop, as Redis does. */
  private volatile Path pidFile;

  private void writePidFile() {
    String name = config.text("pidfile");
    if (name.isEmpty()) {
      return;
    }
    Path path = Path.of(name);
    try {
      java.nio.file.Files.writeString(
          path, ProcessHandle.current().pid() + "\n", java.nio.charset.StandardCharsets.US_ASCII);
      pidFile = path;
    } catch (java.io.IOException | RuntimeException e) {
      // Best effort, as Redis: the server runs without it.
      log.warn("Failed to write PID file {}: {}", path, e.toString());
    }
  }

  private void shutdownGroups() {
    if (ioGroup != null) {
      ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  /** Blocks until {@link #shutdown()} has finished. */
  public void awaitTermination() throws InterruptedException {
    stopped.await();
  }
}
