package io.toridb.core.command;

import io.netty.buffer.ByteBuf;
import io.toridb.core.config.Directive;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.KeyLocks;
import io.toridb.core.pubsub.PubSubCommands;
import io.toridb.core.server.CommandObserver;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import io.toridb.protocol.RespWriter;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request: the checks every command shares (lookup, arity, authentication, loading), then
 * the key locks from the command's key spec, the handler, and the bookkeeping (statistics, slow
 * log, MONITOR). Handlers never repeat these checks.
 *
 * <p>One executor per worker thread; it reuses its stripe buffer across commands.
 */
public final class CommandExecutor implements io.toridb.core.blocking.Blocking.Server {
  private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);

  private final ServerContext server;
  private final CommandContext ctx;
  private final Directive slowlogThreshold;
  private final Directive slowlogMaxLen;
  private final Directive latencyMonitorThreshold;
  private final Directive latencyTracking;
  private int[] stripes = new int[16];

  /**
   * The stripe a batch keeps locked from one command to the next when both lock that one stripe
   * alone (see {@link #beginBatch}), or -1.
   */
  private int retained = -1;

  /** The stripes of the script this executor runs, if it runs one outside EXEC. */
  private final io.toridb.core.keyspace.ScriptStripes scriptStripes =
      new io.toridb.core.keyspace.ScriptStripes();

  private boolean batching;

  private final WallClock wallClock = new WallClock();

  /**
   * Within a batch, the clock reading that ended the last command, which is the next one's start:
   * one clock read per command instead of three. Valid only right after a command ran.
   */
  private long carriedNanos;

  private boolean carried;

  /** The clock reading the current command started at (for its duration). */
  private long commandStartNanos;

  public CommandExecutor(ServerContext server) {
    this.server = server;
    this.ctx = new CommandContext(server);
    ctx.executor(this);
    this.slowlogThreshold = server.config().require("slowlog-log-slower-than");
    this.slowlogMaxLen = server.config().require("slowlog-max-len");
    this.latencyMonitorThreshold = server.config().require("latency-monitor-threshold");
    this.latencyTracking = server.config().require("latency-tracking");
  }

  public CommandContext context() {
    return ctx;
  }

  /**
   * Starts a batch: the requests one read brought from one connection, run one after the other
   * until {@link #endBatch}. Within a batch, a command that locks a single stripe keeps it locked
   * after it ran, and the next command keeps using it if it needs that same stripe alone; any other
   * next command releases it before taking its own locks. A pipeline of commands on one hot key
   * then takes its lock once per batch instead of once per command, and the lock and the key's data
   * stop moving between the cores of two workers that serve it in turn. Each command is still
   * atomic: holding a lock longer only keeps others out longer. No deadlock can come of it: the
   * thread holds the retained stripe only between commands, where it waits for nothing, or in a
   * command that needs exactly that stripe, as it would have locked anyway.
   */
  public void beginBatch() {
    batching = true;
    carried = false;
  }

  /** Ends a batch, releasing the stripe it kept locked, if any. */
  public void endBatch() {
    batching = false;
    carried = false;
    releaseRetained();
  }

  private void releaseRetained() {
    if (retained >= 0) {
      int stripe = retained;
      retained = -1;
      server.keyspace().locks().unlock(stripe);
    }
  }

  /** Executes {@code argv} for {@code session}, writing exactly one reply to {@code ctx.out()}. */
  public void execute(ClientSession session, byte[][] argv) {
    long startNanos = carried ? carriedNanos : System.nanoTime();
    carried = false;
    commandStartNanos = startNanos;
    long now = wallClock.millisAt(startNanos);
    ctx.begin(session, now);
    session.lastInteraction(now);
    // CLIENT REPLY OFF/SKIP: the reply is produced as usual and then cut off the buffer.
    ByteBuf buffer = ctx.out().buffer();
    int replyStart = buffer == null ? -1 : buffer.writerIndex();
    CommandContext previous = CommandContext.enter(ctx);
    try {
      dispatch(session, argv);
    } finally {
      CommandContext.leave(previous);
      // Each command's reply reaches the buffer before the next begins (see RespWriter).
      ctx.out().flush();
      if (session.repliesSilenced() && replyStart >= 0) {
        buffer.writerIndex(replyStart);
      }
      // A postponed command has not run yet: what covers the next command covers it still.
      if (!ctx.postponed()) {
        session.commandDone();
        // ASKING covers the next command, or a whole MULTI up to its EXEC, as in Redis.
        if (session.asking()
            && session.multi() == null
            && !"asking".equals(session.lastCommand())) {
          session.asking(false);
        }
      }
    }
    if (server.blocking().hasReady()) {
      // Serving runs with no lock held, a batch's retained stripe included.
      releaseRetained();
      server.blocking().serveReady(this, server.keyspace());
      carried = false;
    }
  }

  /**
   * Runs a parked client's command again on its behalf (see {@link
   * io.toridb.core.blocking.Blocking}), with its keys locked, writing the reply to {@code reply};
   * false if it found nothing and keeps waiting. Not counted in the statistics again, and not shown
   * to MONITOR again, as Redis.
   */
  @Override
  public boolean serve(io.toridb.core.blocking.BlockedClient client, ByteBuf reply) {
    RespWriter out = ctx.out();
    ByteBuf savedBuffer = out.buffer();
    int savedProtocol = out.protocol();
    ClientSession savedSession = ctx.session();
    long savedNow = ctx.now();
    ClientSession session = client.session();
    out.reset(reply, session.protocol());
    io.toridb.core.blocking.BlockedClient savedParked = ctx.parkedClient();
    boolean savedPostponed = ctx.postponed();
    ctx.begin(session, System.currentTimeMillis());
    ctx.serving(client);
    CommandContext previous = CommandContext.enter(ctx);
    try {
      CommandSpec spec = server.commands().lookup(client.argv()[0]);
      ctx.command(spec, client.argv());
      long start = System.nanoTime();
      invokeLocked(spec, client.argv());
      if (ctx.keptWaiting()) {
        return false;
      }
      recordUnblocked(server, spec, client, (System.nanoTime() - start) / 1000, ctx.repliedError());
      return true;
    } finally {
      CommandContext.leave(previous);
      ctx.serving(null);
      out.reset(savedBuffer, savedProtocol);
      ctx.restore(savedSession, savedNow);
      ctx.parked(savedParked);
      ctx.postponed(savedPostponed);
    }
  }

  private void dispatch(ClientSession session, byte[][] argv) {
    CommandSpec spec = server.commands().lookup(argv[0]);
    if (spec == null) {
      session.lastCommand("NULL");
      reject(Errors.unknownCommand(argv));
      return;
    }
    // A container runs itself when called bare and it has a handler (COMMAND); else a subcommand.
    if (spec.isContainer() && (argv.length >= 2 || spec.handler() == null)) {
      if (argv.length < 2) {
        reject(Errors.wrongArity(spec.fullName()));
        return;
      }
      CommandSpec sub = spec.subcommand(argv[1]);
      if (sub == null) {
        session.lastCommand("NULL");
        reject(Errors.unknownSubcommand(Errors.cString(argv[1]), spec.name()));
        return;
      }
      spec = sub;
    }
    // As Redis, CLIENT LIST shows a command as the client's last from the moment it is looked up.
    session.lastCommand(spec.fullName());
    if (!spec.arityAccepts(argv.length)) {
      spec.rejectedCalls.increment();
      reject(spec, Errors.wrongArity(spec.fullName()));
      return;
    }
    if (!session.authenticated() && !spec.has(CommandFlag.NO_AUTH)) {
      spec.rejectedCalls.increment();
      reject(spec, Errors.NOAUTH);
      return;
    }
    // Redis's order: the cluster's redirections right after authentication.
    io.toridb.core.server.ClusterRouting cluster = server.clusterRouting();
    if (cluster != null && routedElsewhere(cluster, spec, argv, session)) {
      return;
    }
    // Then the disk error and the replicas before the subscribed context and LOADING.
    String refusal = server.writeRefusal();
    if (refusal != null && !session.master() && refusesOnDiskError(spec, session)) {
      spec.rejectedCalls.increment();
      reject(spec, refusal);
      return;
    }
    // As a Redis primary with fewer good replicas than min-replicas-to-write.
    if (server.lacksGoodReplicas()
        && !session.master()
        && !spec.fullName().equals("ping")
        && refusesOnDiskError(spec, session)) {
      spec.rejectedCalls.increment();
      reject(spec, Errors.NOREPLICAS);
      return;
    }
    // As Redis: a read-only replica refuses writes, except its primary's.
    if (server.readOnlyReplica() && !session.master() && spec.writes(argv)) {
      spec.rejectedCalls.increment();
      reject(spec, Errors.READONLY);
      return;
    }
    // A RESP2 client with subscriptions reads pushed messages as replies: only the commands
    // that make sense in that stream may run.
    if (session.protocol() == 2
        && session.subscriptions().active()
        && !PubSubCommands.allowedWhileSubscribed(spec)) {
      spec.rejectedCalls.increment();
      reject(spec, PubSubCommands.subscribedModeError(spec));
      return;
    }
    // As Redis: a replica cut off from its primary with replica-serve-stale-data no runs only the
    // commands flagged stale (INFO, REPLICAOF, ...), and no EXEC of others.
    if (server.staleReplica() && !session.master() && deniedWhenStale(spec, session)) {
      spec.rejectedCalls.increment();
      reject(spec, Errors.MASTERDOWN);
      return;
    }
    if (server.loading() && !spec.has(CommandFlag.LOADING)) {
      spec.rejectedCalls.increment();
      reject(spec, Errors.LOADING);
      return;
    }
    // A MONITOR connection is a replica to Redis, and replicas may not touch the keyspace.
    if (session.monitor()
        && spec.has(CommandFlag.WRITE | CommandFlag.READONLY | CommandFlag.MAY_REPLICATE)) {
      spec.rejectedCalls.increment();
      reject(spec, Errors.REPLICA_KEYSPACE);
      return;
    }
    io.toridb.core.transaction.MultiState multi = session.multi();
    if (multi != null && spec.has(CommandFlag.NO_MULTI)) {
      spec.rejectedCalls.increment();
      reject(spec, "ERR Command not allowed inside a transaction");
      return;
    }
    // As Redis: a client pause holds the commands it covers back, replicas' (and MONITOR
    // clients', which Redis counts as replicas) excepted; nothing without a connection to park.
    io.toridb.core.server.ClientPause.Type pause = server.clientPause().type();
    if (pause != io.toridb.core.server.ClientPause.Type.OFF
        && !session.replica()
        && !session.monitor()
        && session.host() != null) {
      boolean mayWrite = mayReplicate(spec, argv, session);
      if (io.toridb.core.server.ClientPause.covers(pause, mayWrite)) {
        ctx.postpone(mayWrite);
        return;
      }
    }
    if (session.staged() != null) {
      String refused = io.toridb.core.transaction.TransactionCommands.refusedInBegin(spec, argv);
      if (refused != null) {
        spec.rejectedCalls.increment();
        reject(spec, refused);
        return;
      }
    }
    if (multi != null) {
      if (!io.toridb.core.transaction.TransactionCommands.runsInsideMulti(spec)) {
        multi.queue(spec, argv);
        ctx.out().simple("QUEUED");
        return;
      }
    }
    run(spec, argv);
    // As Redis: after the command ran, with secrets redacted; administrative commands never.
    CommandObserver monitor = server.monitor();
    if (monitor != null && !spec.has(CommandFlag.SKIP_MONITOR | CommandFlag.ADMIN)) {
      monitor.onCommand(ctx, ctx.loggedArgv(argv));
    }
  }

  /**
   * Whether a command may write or be replicated, as Redis's may-replicate check under CLIENT PAUSE
   * WRITE: flagged write or may-replicate, with a script's own flags for EVAL and FCALL and their
   * kin, and for EXEC whether any queued command is.
   */
  private boolean mayReplicate(CommandSpec spec, byte[][] argv, ClientSession session) {
    if (spec.fullName().equals("commit")) {
      // BEGIN ... COMMIT applies and replicates the writes staged before it.
      return true;
    }
    if (spec.fullName().equals("exec")) {
      return anyQueued(session, (queued, queuedArgv) -> mayReplicate(queued, queuedArgv, session));
    }
    int scriptFlags = io.toridb.core.scripting.ScriptingCommands.declaredFlags(server, spec, argv);
    if (scriptFlags >= 0) {
      return !io.toridb.core.scripting.ScriptingCommands.noWrites(scriptFlags);
    }
    return spec.has(CommandFlag.WRITE | CommandFlag.MAY_REPLICATE);
  }

  /** Whether {@code spec} (or, for EXEC, any queued command) lacks the stale flag. */
  private static boolean deniedWhenStale(CommandSpec spec, ClientSession session) {
    if (!spec.fullName().equals("exec")) {
      return !spec.has(CommandFlag.STALE);
    }
    return anyQueued(session, (queued, queuedArgv) -> !queued.has(CommandFlag.STALE));
  }

  /** Whether a command queued in {@code session}'s open MULTI passes {@code test}. */
  private static boolean anyQueued(
      ClientSession session, java.util.function.BiPredicate<CommandSpec, byte[][]> test) {
    io.toridb.core.transaction.MultiState multi = session.multi();
    if (multi != null) {
      for (int i = 0; i < multi.size(); i++) {
        if (test.test(multi.spec(i), multi.command(i))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether {@code spec} is refused while the append-only file cannot be written: writes, EXEC of a
   * transaction holding writes, COMMIT, and PING (so that a client checking the connection learns
   * about it), as Redis.
   */
  private static boolean refusesOnDiskError(CommandSpec spec, ClientSession session) {
    if (spec.has(CommandFlag.WRITE)) {
      return true;
    }
    switch (spec.fullName()) {
      case "ping", "commit":
        return true;
      case "exec":
        return anyQueued(session, (queued, queuedArgv) -> queued.has(CommandFlag.WRITE));
      default:
        return false;
    }
  }

  /**
   * Applies one write read back from the append-only file, for {@code session} (whose database says
   * where): the handler runs with its keys locked, its reply discarded and its effects not logged
   * again. Skips every client check, LOADING included. Returns the error reply, or null when it
   * applied.
   */
  public String replay(ClientSession session, byte[][] argv, ByteBuf scratch) {
    CommandSpec spec = server.commands().lookup(argv[0]);
    if (spec != null && spec.isContainer() && argv.length >= 2) {
      spec = spec.subcommand(argv[1]);
    }
    if (spec == null || !spec.arityAccepts(argv.length)) {
      return "unknown command or wrong number of arguments";
    }
    RespWriter out = ctx.out();
    scratch.clear();
    out.reset(scratch, 2);
    ctx.begin(session, System.currentTimeMillis());
    ctx.command(spec, argv);
    CommandContext previous = CommandContext.enter(ctx);
    ctx.replaying(true);
    try {
      if (server.loading()) {
        // While loading no client command touches a key (they get -LOADING), so the replay
        // alone uses the keyspace and needs no locks.
        invokeHandler(spec, argv);
      } else {
        invokeLocked(spec, argv);
      }
    } finally {
      ctx.replaying(false);
      CommandContext.leave(previous);
      out.reset(null, 2);
    }
    if (ctx.repliedError()) {
      return scratch.toString(java.nio.charset.StandardCharsets.UTF_8).trim();
    }
    return null;
  }

  private void run(CommandSpec spec, byte[][] argv) {
    long start = commandStartNanos;
    ctx.command(spec, argv);
    invokeLocked(spec, argv);
    long end = System.nanoTime();
    if (batching) {
      carriedNanos = end;
      carried = true;
    }
    io.toridb.core.blocking.BlockedClient parked = ctx.parkedClient();
    if (parked != null) {
      parked.callMicros((end - start) / 1000);
    }
    recordCall(spec, argv, (end - start) / 1000, parked == null);
  }

  /** Runs the handler with the command's keys locked; errors become error replies. */
  private void invokeLocked(CommandSpec spec, byte[][] argv) {
    if (spec.has(CommandFlag.SCRIPT_LOCKING)) {
      invokeScript(spec, argv);
      return;
    }
    boolean everything = spec.needsWholeKeyspace(argv);
    int locked = everything ? 0 : collectStripes(spec, argv);
    KeyLocks locks = server.keyspace().locks();
    boolean held = retained >= 0 && locked == 1 && stripes[0] == retained;
    if (!held) {
      releaseRetained();
    }
    retained = -1;
    if (everything) {
      locks.lockEverything();
    } else if (locked == 1) {
      if (!held) {
        locks.lock(stripes[0]);
      }
    } else if (locked > 1) {
      locks.lockAll(stripes, locked);
    }
    try {
      if (stoppedAfterLocking()) {
        return;
      }
      io.toridb.core.keyspace.ChangeObserver observer = server.changeObserver();
      if (observer != null && ctx.staged() == null) {
        observeWrite(observer, spec, argv, ctx.session().db(), false);
      }
      invokeHandler(spec, argv);
    } finally {
      if (everything) {
        locks.unlockEverything();
      } else if (locked == 1) {
        if (batching) {
          retained = stripes[0];
        } else {
          locks.unlock(stripes[0]);
        }
      } else if (locked > 1) {
        locks.unlockAll(stripes, locked);
      }
    }
  }

  /**
   * Runs a script's handler with its declared keys locked; its commands lock the other keys they
   * reach as they go ({@link #lockForScript}), and everything is let go when it ends.
   */
  private void invokeScript(CommandSpec spec, byte[][] argv) {
    int locked = collectStripes(spec, argv);
    releaseRetained();
    scriptStripes.begin(server.keyspace().locks(), stripes, locked);
    try {
      if (stoppedAfterLocking()) {
        return;
      }
      invokeHandler(spec, argv);
    } finally {
      scriptStripes.end();
    }
  }

  /**
   * Before a command a script calls: locks the stripes of its keys that the script does not hold
   * yet (every stripe for a command that needs the whole keyspace). Nothing to do for a script that
   * runs inside EXEC, which holds every stripe already.
   */
  void lockForScript(CommandSpec spec, byte[][] argv) {
    if (!scriptStripes.active()) {
      return;
    }
    // SCAN declares no keys and locks nothing outside a script; inside one it must see the
    // keyspace hold still until the script ends, as everything the script reads.
    if (spec.needsWholeKeyspace(argv) || spec.fullName().equals("scan")) {
      scriptStripes.lockEverything();
      return;
    }
    int n = appendStripes(spec, argv, 0);
    for (int i = 0; i < n; i++) {
      scriptStripes.lock(stripes[i]);
    }
  }

  /**
   * Tells {@code observer} which keys a write command may change, before it runs: the keys of its
   * key spec in database {@code db} (in every database for MOVE and COPY, whose target database is
   * an argument, and when {@code anyDb}), or the whole keyspace.
   */
  private void observeWrite(
      io.toridb.core.keyspace.ChangeObserver observer,
      CommandSpec spec,
      byte[][] argv,
      int db,
      boolean anyDb) {
    if (!spec.has(CommandFlag.WRITE)) {
      return;
    }
    if (spec.has(CommandFlag.WHOLE_KEYSPACE)) {
      observer.beforeWholeKeyspaceChange();
      return;
    }
    String name = spec.fullName();
    boolean everyDb = anyDb || name.equals("move") || name.equals("copy");
    int databases = server.keyspace().databaseCount();
    forEachKey(
        spec,
        argv,
        key -> {
          if (everyDb) {
            for (int d = 0; d < databases; d++) {
              observer.beforeChange(d, key);
            }
          } else {
            observer.beforeChange(db, key);
          }
        });
  }

  /** Calls {@code action} for each key of the command, as its key spec designates them. */
  private static void forEachKey(
      CommandSpec spec, byte[][] argv, java.util.function.Consumer<Key> action) {
    forEachKeyName(spec, argv, name -> action.accept(Key.of(name)));
  }

  /** The names of the keys of a call, as its key specs designate them. */
  public static java.util.List<byte[]> keyNames(CommandSpec spec, byte[][] argv) {
    java.util.List<byte[]> keys = new java.util.ArrayList<>();
    forEachKeyName(spec, argv, keys::add);
    return keys;
  }

  /** Calls {@code action} with the name of each key of the command. */
  private static void forEachKeyName(
      CommandSpec spec, byte[][] argv, java.util.function.Consumer<byte[]> action) {
    if (spec.has(CommandFlag.MOVABLE_KEYS)) {
      for (KeySpec keySpec : spec.keySpecs()) {
        keySpec.forEachAffectedKeyName(argv, action);
      }
      return;
    }
    int first = spec.firstKey();
    if (first <= 0 || first >= argv.length) {
      return;
    }
    int last = spec.lastKey() >= 0 ? spec.lastKey() : argv.length + spec.lastKey();
    last = Math.min(last, argv.length - 1);
    int step = Math.max(spec.step(), 1);
    for (int i = first; i <= last; i += step) {
      action.accept(argv[i]);
    }
  }

  /**
   * Asks {@code cluster} where a call of {@code spec} on {@code keys} belongs, as Redis's
   * getNodeByQuery asks for a client's command and for each redis.call of a script: RESTORE-ASKING
   * counts as asked, shard channels are not looked up, MIGRATE runs on either side of an open slot,
   * and keys are looked up in database 0 without expiring them. Null to run it here, else the
   * redirection.
   */
  public static String route(
      ServerContext server,
      io.toridb.core.server.ClusterRouting cluster,
      CommandSpec spec,
      java.util.List<byte[]> keys,
      boolean write,
      boolean asking,
      boolean readonly,
      long now) {
    io.toridb.core.keyspace.Database db0 = server.keyspace().db(0);
    String name = spec.fullName();
    boolean shardChannels =
        name.equals("spublish") || name.equals("ssubscribe") || name.equals("sunsubscribe");
    return cluster.route(
        keys,
        write,
        asking || name.equals("restore-asking"),
        readonly,
        shardChannels,
        name.equals("migrate"),
        key -> {
          io.toridb.core.keyspace.StoredValue v = db0.peek(Key.of(key));
          return v != null && !db0.isExpired(v, now);
        });
  }

  /**
   * As a Redis cluster node: a command whose keys this node does not serve (or, at EXEC, any of the
   * transaction's) gets the redirection instead of running; inside MULTI that also makes the EXEC
   * fail, and an EXEC refused this way drops the transaction. True if it was refused.
   */
  private boolean routedElsewhere(
      io.toridb.core.server.ClusterRouting cluster,
      CommandSpec spec,
      byte[][] argv,
      ClientSession session) {
    if (session.master()) {
      // A replica applies its master's stream whatever the slots say.
      return false;
    }
    boolean movable = spec.has(CommandFlag.MOVABLE_KEYS);
    boolean exec = spec.fullName().equals("exec");
    int first = spec.firstKey();
    if (!movable && first > 0 && first == spec.lastKey() && first < argv.length) {
      // One key (GET, SET, INCR, ...): most often this node's, decided without allocating.
      if (cluster.servesHere(argv[first])) {
        return false;
      }
    } else if (!movable && first <= 0 && !exec) {
      return false;
    }
    io.toridb.core.transaction.MultiState multi = session.multi();
    if (exec && multi == null) {
      return false;
    }
    java.util.List<byte[]> keys = new java.util.ArrayList<>();
    boolean write = spec.has(CommandFlag.WRITE);
    if (exec) {
      for (int i = 0; i < multi.size(); i++) {
        forEachKeyName(multi.spec(i), multi.command(i), keys::add);
        write |= multi.spec(i).has(CommandFlag.WRITE);
      }
    } else {
      forEachKeyName(spec, argv, keys::add);
    }
    if (keys.isEmpty()) {
      return false;
    }
    String error =
        route(server, cluster, spec, keys, write, session.asking(), session.readonly(), ctx.now());
    if (error == null) {
      return false;
    }
    // As Redis: the redirection itself is the reply (clients follow it), even to EXEC, whose
    // transaction is dropped; a command queued inside MULTI makes the EXEC fail.
    if (exec) {
      io.toridb.core.transaction.TransactionCommands.discard(session, server.watches());
    } else if (multi != null) {
      multi.abort();
    }
    spec.rejectedCalls.increment();
    ctx.error(error);
    return true;
  }

  /** Runs the handler; errors it throws become error replies. */
  /**
   * After SHUTDOWN decided to stop the server (checked with the command's locks held, so that no
   * write slips in after the final snapshot): the command does not run and its connection closes
   * without a reply.
   */
  private boolean stoppedAfterLocking() {
    if (!server.stopping()) {
      return false;
    }
    ctx.session().closeAfterReply(true);
    return true;
  }

  private void invokeHandler(CommandSpec spec, byte[][] argv) {
    try {
      spec.handler().execute(ctx, argv);
    } catch (CommandException e) {
      ctx.error(e.reply());
    } catch (RuntimeException | StackOverflowError e) {
      log.error("Command '{}' failed", spec.fullName(), e);
      ctx.error("ERR internal error while running '" + spec.fullName() + "': " + e);
    }
  }

  /**
   * The statistics of a blocked command whose wait ended (Redis's updateStatsOnUnblock): its
   * microseconds again, with the time it took to serve it ({@code replyMicros}), its latency
   * distribution, the slow log, and a "command-unblocking" latency event for the serving time.
   * Calls were counted when it blocked; the distribution and the slow log were not.
   */
  public static void recordUnblocked(
      ServerContext server,
      CommandSpec spec,
      io.toridb.core.blocking.BlockedClient client,
      long replyMicros,
      boolean error) {
    if (spec == null || !client.waitsForKeys()) {
      // Redis updates the statistics of waits for keys (lists, sorted sets, streams) only: a WAIT
      // that ends is neither logged nor measured.
      return;
    }
    long total = client.callMicros() + replyMicros;
    spec.usec.add(total);
    if (error) {
      spec.failedCalls.increment();
    }
    io.toridb.core.config.Config config = server.config();
    if (config.yes("latency-tracking")) {
      spec.recordLatency(total * 1000);
    }
    if (slow(spec, total, config.number("slowlog-log-slower-than"))) {
      ClientSession s = client.session();
      server
          .slowLog()
          .add(
              client.argv(),
              total,
              s.remoteAddress(),
              s.name(),
              (int) config.number("slowlog-max-len"));
    }
    server
        .latencyMonitor()
        .addIfNeeded(
            "command-unblocking", replyMicros / 1000, config.number("latency-monitor-threshold"));
  }

  /**
   * Whether a call of {@code spec} that took {@code micros} goes to the slow log, whose threshold
   * is {@code threshold} (slowlog-log-slower-than; negative: the log is off).
   */
  private static boolean slow(CommandSpec spec, long micros, long threshold) {
    return threshold >= 0 && micros >= threshold && !spec.has(CommandFlag.SKIP_SLOWLOG);
  }

  /**
   * Counts a call: {@code complete} false when it blocked the client, whose latency distribution
   * and slow log entry then wait for the end of the wait ({@link #recordUnblocked}), as Redis's.
   */
  private void recordCall(CommandSpec spec, byte[][] argv, long micros, boolean complete) {
    if (ctx.repliedError()) {
      spec.failedCalls.increment();
    }
    spec.calls.increment();
    spec.usec.add(micros);
    if (complete && latencyTracking.isYes()) {
      // In whole microseconds, as Redis measures them, so the percentiles read the same.
      spec.recordLatency(micros * 1000);
    }
    server.stats().commandsProcessed.increment();
    server
        .latencyMonitor()
        .addIfNeeded(
            spec.has(CommandFlag.FAST) ? "fast-command" : "command",
            micros / 1000,
            latencyMonitorThreshold.number());
    if (complete && slow(spec, micros, slowlogThreshold.number())) {
      ClientSession s = ctx.session();
      server
          .slowLog()
          .add(
              ctx.loggedArgv(argv),
              micros,
              s.remoteAddress(),
              s.name(),
              (int) slowlogMaxLen.number());
    }
  }

  /** Fills {@link #stripes} with the sorted, distinct stripes of the command's keys. */
  private int collectStripes(CommandSpec spec, byte[][] argv) {
    return sortDistinct(appendStripes(spec, argv, 0));
  }

  /** Appends the stripes of the command's keys to {@link #stripes} after the first {@code n}. */
  private int appendStripes(CommandSpec spec, byte[][] argv, int n) {
    if (spec.has(CommandFlag.MOVABLE_KEYS)) {
      collected = n;
      for (KeySpec keySpec : spec.keySpecs()) {
        keySpec.forEachAffectedKeyName(
            argv, name -> collected = appendStripe(collected, Key.hash(name)));
      }
      return collected;
    }
    int first = spec.firstKey();
    if (first <= 0 || first >= argv.length) {
      return n;
    }
    int last = spec.lastKey() >= 0 ? spec.lastKey() : argv.length + spec.lastKey();
    last = Math.min(last, argv.length - 1);
    int step = Math.max(spec.step(), 1);
    for (int i = first; i <= last; i += step) {
      n = appendStripe(n, Key.hash(argv[i]));
    }
    return n;
  }

  private int collected;

  private int appendStripe(int n, int keyHash) {
    if (n == stripes.length) {
      stripes = Arrays.copyOf(stripes, n * 2);
    }
    stripes[n] = KeyLocks.stripeOf(keyHash);
    return n + 1;
  }

  /** Sorts the first {@code n} stripes and drops repeats; returns how many remain. */
  private int sortDistinct(int n) {
    if (n > 1) {
      Arrays.sort(stripes, 0, n);
      int distinct = 1;
      for (int i = 1; i < n; i++) {
        if (stripes[i] != stripes[distinct - 1]) {
          stripes[distinct++] = stripes[i];
        }
      }
      n = distinct;
    }
    return n;
  }

  /**
   * Refuses a command found in the table. EXEC refused this way discards the transaction and says
   * why, as Redis's execCommandAbort.
   */
  private void reject(CommandSpec spec, String error) {
    if (spec.fullName().equals("exec")) {
      ctx.error(
          io.toridb.core.transaction.TransactionCommands.abortExec(
              ctx.session(), server.watches(), error));
      return;
    }
    reject(error);
  }

  private void reject(String error) {
    ctx.error(error);
    // A command refused while queueing makes the whole transaction fail at EXEC.
    io.toridb.core.transaction.MultiState multi = ctx.session().multi();
    if (multi != null) {
      multi.abort();
    }
  }

  /**
   * EXEC: with the keys of every queued command and every watched key locked (everything, if one of
   * the commands needs the whole keyspace), checks that no watched key changed, then runs the
   * commands one after the other into one array reply. No other command runs on those keys
   * meanwhile; blocking commands do not block; the writes are propagated as one unit.
   */
  void runTransaction(io.toridb.core.transaction.MultiState multi) {
    ClientSession session = ctx.session();
    io.toridb.core.transaction.Watches watches = server.watches();
    boolean everything = false;
    int n = 0;
    for (int i = 0; i < multi.size() && !everything; i++) {
      CommandSpec spec = multi.spec(i);
      if (spec.needsWholeKeyspace(multi.command(i))) {
        everything = true;
      } else {
        n = appendStripes(spec, multi.command(i), n);
      }
    }
    if (!everything) {
      for (Key key : watches.keysOf(session)) {
        n = appendStripe(n, key.hashCode());
      }
      n = sortDistinct(n);
    }
    KeyLocks locks = server.keyspace().locks();
    int locked = n;
    int[] held = Arrays.copyOf(stripes, locked);
    if (everything) {
      locks.lockEverything();
    } else if (locked > 0) {
      locks.lockAll(held, locked);
    }
    try {
      if (stoppedAfterLocking()) {
        return;
      }
      long now = System.currentTimeMillis();
      if (session.watchDirty() || watches.anyExpired(session, server.keyspace(), now)) {
        ctx.out().nullArray();
        return;
      }
      io.toridb.core.keyspace.ChangeObserver observer = server.changeObserver();
      if (observer != null) {
        // A SELECT inside the transaction moves the commands after it to a database that only
        // running it tells: then every database's copy of their keys is announced.
        boolean selects = false;
        for (int i = 0; i < multi.size(); i++) {
          selects |= multi.spec(i).fullName().equals("select");
        }
        for (int i = 0; i < multi.size(); i++) {
          observeWrite(observer, multi.spec(i), multi.command(i), session.db(), selects);
        }
      }
      ctx.out().arrayHeader(multi.size());
      ctx.beginTransactionEffects();
      ctx.blockingAllowed(false);
      try {
        for (int i = 0; i < multi.size(); i++) {
          runInside(multi.spec(i), multi.command(i));
        }
      } finally {
        ctx.blockingAllowed(true);
        ctx.endTransactionEffects();
      }
    } finally {
      if (everything) {
        locks.unlockEverything();
      } else if (locked > 0) {
        locks.unlockAll(held, locked);
      }
      watches.unwatchAll(session);
    }
  }

  /**
   * Runs one command of a unit that already holds its locks (EXEC's queued commands, a script's
   * calls): the handler, its statistics and MONITOR, with what the previous one left cleared.
   */
  private void runInside(CommandSpec spec, byte[][] argv) {
    ctx.nextCommand();
    ctx.command(spec, argv);
    long start = System.nanoTime();
    invokeHandler(spec, argv);
    recordCall(spec, argv, (System.nanoTime() - start) / 1000, true);
    CommandObserver monitor = server.monitor();
    if (monitor != null && !spec.has(CommandFlag.SKIP_MONITOR | CommandFlag.ADMIN)) {
      monitor.onCommand(ctx, ctx.loggedArgv(argv));
    }
  }

  /** See {@link CommandContext#callFromScript}. */
  void callFromScript(CommandSpec spec, byte[][] argv, ByteBuf reply, int protocol) {
    RespWriter out = ctx.out();
    ByteBuf savedBuffer = out.buffer();
    int savedProtocol = out.protocol();
    CommandSpec savedSpec = ctx.spec();
    byte[][] savedArgv = ctx.argv();
    out.reset(reply, protocol);
    try {
      // The script locked the command's keys already (CommandContext#lockForScript).
      io.toridb.core.keyspace.ChangeObserver observer = server.changeObserver();
      if (observer != null && ctx.staged() == null) {
        observeWrite(observer, spec, argv, ctx.session().db(), false);
      }
      runInside(spec, argv);
    } finally {
      out.reset(savedBuffer, savedProtocol);
      ctx.command(savedSpec, savedArgv);
      ctx.nextCommand();
    }
  }

  /**
   * COMMIT: with every key the transaction used (and any key WATCHed before BEGIN) locked, checks
   * that none changed since the transaction copied it, then installs the transaction's version of
   * each key it wrote, raises its keyspace events and propagates its effects as one unit. On a
   * change, applies nothing and replies the CONFLICT error. Either way the transaction is over.
   */
  void commitStaged(io.toridb.core.transaction.StagedTransaction transaction) {
    ClientSession session = ctx.session();
    io.toridb.core.transaction.Watches watches = server.watches();
    int n = 0;
    for (Key key : watches.keysOf(session)) {
      n = appendStripe(n, key.hashCode());
    }
    n = sortDistinct(n);
    KeyLocks locks = server.keyspace().locks();
    int[] held = Arrays.copyOf(stripes, n);
    locks.lockAll(held, n);
    try {
      if (stoppedAfterLocking()) {
        return;
      }
      io.toridb.core.keyspace.Keyspace shared = server.keyspace();
      long now = System.currentTimeMillis();
      if (session.watchDirty() || watches.anyExpired(session, shared, now)) {
        ctx.error(io.toridb.core.transaction.TransactionCommands.CONFLICT);
        return;
      }
      watches.unwatchAll(session);
      io.toridb.core.keyspace.ChangeObserver observer = server.changeObserver();
      if (observer != null) {
        for (io.toridb.core.transaction.StagedTransaction.DbKey k : transaction.written()) {
          observer.beforeChange(k.db(), k.key());
        }
      }
      for (io.toridb.core.transaction.StagedTransaction.DbKey written : transaction.written()) {
        io.toridb.core.keyspace.StoredValue value =
            transaction.view().db(written.db()).peek(written.key());
        io.toridb.core.keyspace.Database target = shared.db(written.db());
        if (value == null) {
          target.remove(written.key());
        } else {
          target.put(written.key(), value);
        }
        ctx.modified(written.db(), written.key());
      }
      for (io.toridb.core.transaction.StagedTransaction.Event e : transaction.events()) {
        ctx.notify(e.db(), e.type(), e.name(), e.key());
      }
      ctx.propagateUnit(transaction.effects());
      ctx.out().ok();
    } finally {
      locks.unlockAll(held, n);
      watches.unwatchAll(session);
    }
  }
}
