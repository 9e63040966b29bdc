package io.toridb.core.server;

import io.toridb.core.blocking.Blocking;
import io.toridb.core.command.CommandTable;
import io.toridb.core.config.Config;
import io.toridb.core.keyspace.ActiveExpiry;
import io.toridb.core.keyspace.Keyspace;
import io.toridb.core.propagation.PropagationSink;
import io.toridb.core.pubsub.KeyspaceEventPublisher;
import io.toridb.core.pubsub.KeyspaceNotifier;
import io.toridb.core.pubsub.PubSubRegistry;

/**
 * The registry every handler reaches through its context: keyspace, configuration, command table,
 * statistics, and the sinks the server wires in (propagation, MONITOR).
 */
public final class ServerContext {
  public static final String VERSION = "7.0.15";

  private final Config config;
  private final Keyspace keyspace;
  private final ActiveExpiry activeExpiry;
  private final CommandTable commands = new CommandTable();
  private final ServerStats stats = new ServerStats();
  private final SlowLog slowLog = new SlowLog();
  private final LatencyMonitor latencyMonitor = new LatencyMonitor();
  private final Blocking blocking = new Blocking();
  private final ClientPause clientPause;
  private final PubSubRegistry pubsub = new PubSubRegistry();
  private final io.toridb.core.scripting.ScriptCache scripts =
      new io.toridb.core.scripting.ScriptCache();

  private final io.toridb.core.scripting.FunctionLibraries functions =
      new io.toridb.core.scripting.FunctionLibraries();
  private final io.toridb.core.transaction.Watches watches =
      new io.toridb.core.transaction.Watches();
  private final long startMillis = System.currentTimeMillis();
  private volatile PropagationSink propagation = PropagationSink.NONE;
  private volatile PropagationSink replicaFeed = PropagationSink.NONE;

  /** The log and the replicas' feed together, used while both are wired. */
  private final PropagationSink both =
      new PropagationSink() {
        @Override
        public void propagate(int db, byte[][] argv) {
          propagation.propagate(db, argv);
          replicaFeed.propagate(db, argv);
        }

        @Override
        public void propagateTransaction(java.util.List<Effect> effects) {
          propagation.propagateTransaction(effects);
          replicaFeed.propagateTransaction(effects);
        }

        @Override
        public void propagateToReplicas(int db, byte[][] argv) {
          replicaFeed.propagate(db, argv);
        }
      };

  private volatile boolean readOnlyReplica;
  private volatile java.util.function.BooleanSupplier masterLinkDown;
  private volatile java.util.function.IntSupplier goodReplicas = () -> 0;
  private volatile CommandObserver monitor;
  private volatile KeyspaceNotifier notifier;
  private volatile boolean loading;
  private volatile String writeRefusal;
  private volatile String snapshotRefusal;
  private volatile boolean stopping;
  private volatile Runnable afterFlushAll = () -> {};
  private volatile io.toridb.core.keyspace.ChangeObserver changeObserver;
  private volatile ClusterRouting clusterRouting;
  private volatile long lastSaveSeconds = System.currentTimeMillis() / 1000;
  private final io.toridb.core.config.Directive minReplicasToWrite;
  private final io.toridb.core.config.Directive minReplicasMaxLag;

  public ServerContext(Config config) {
    this.config = config;
    this.minReplicasToWrite = config.require("min-replicas-to-write");
    this.minReplicasMaxLag = config.require("min-replicas-max-lag");
    this.keyspace = new Keyspace((int) config.number("databases"));
    this.clientPause = new ClientPause(keyspace::holdExpired);
    this.activeExpiry = new ActiveExpiry(keyspace, config);
    blocking.onEnded(
        (client, error) ->
            io.toridb.core.command.CommandExecutor.recordUnblocked(
                this, commands.lookup(client.argv()[0]), client, 0, error));
    io.toridb.core.config.Directive threshold = config.require("latency-monitor-threshold");
    activeExpiry.onCycle(ms -> latencyMonitor.addIfNeeded("expire-cycle", ms, threshold.number()));
    // Expired keys are deleted in the log too; read the sink at each call, it is wired later.
    keyspace.expirySink((db, argv) -> propagation().propagate(db, argv));
    keyspace.creationListener(blocking::keyCreated);
    keyspace.expiryListener(
        (db, key) -> {
          watches.touch(keyspace, db, key);
          blocking.keyExpired(db, key);
        });
    keyspace.lfuLogFactor((int) config.number("lfu-log-factor"));
    keyspace.lfuDecayTime((int) config.number("lfu-decay-time"));
    config.require("lfu-log-factor").onChange(d -> keyspace.lfuLogFactor((int) d.number()));
    config.require("lfu-decay-time").onChange(d -> keyspace.lfuDecayTime((int) d.number()));
    keyspace.lfuPolicy(config.text("maxmemory-policy").contains("lfu"));
    config.require("maxmemory-policy").onChange(d -> keyspace.lfuPolicy(d.text().contains("lfu")));
    KeyspaceEventPublisher publisher =
        new KeyspaceEventPublisher(pubsub, config.require("notify-keyspace-events"));
    this.notifier = publisher;
    keyspace.notifier(publisher);
  }

  public Config config() {
    return config;
  }

  public Keyspace keyspace() {
    return keyspace;
  }

  public ActiveExpiry activeExpiry() {
    return activeExpiry;
  }

  public CommandTable commands() {
    return commands;
  }

  public ServerStats stats() {
    return stats;
  }

  public SlowLog slowLog() {
    return slowLog;
  }

  /** LATENCY's events, sampled when they reach latency-monitor-threshold. */
  public LatencyMonitor latencyMonitor() {
    return latencyMonitor;
  }

  /** Keys watched by clients for their MULTI/EXEC. */
  public io.toridb.core.transaction.Watches watches() {
    return watches;
  }

  /** Clients parked by blocking commands. */
  public Blocking blocking() {
    return blocking;
  }

  /** CLIENT PAUSE's state: which commands wait, and the clients whose command does. */
  public ClientPause clientPause() {
    return clientPause;
  }

  public long startMillis() {
    return startMillis;
  }

  /** Where every write's effect goes: the append-only file and the replicas' feed. */
  public PropagationSink propagation() {
    return replicaFeed == PropagationSink.NONE ? propagation : both;
  }

  /**
   * Where the effects of writes a primary sent go: the append-only file only, as the replicas of
   * this replica get the primary's stream as it came (see the server's replication).
   */
  public PropagationSink logPropagation() {
    return propagation;
  }

  /** Sets the append-only file's sink. */
  public void propagation(PropagationSink sink) {
    this.propagation = sink;
  }

  /** Sets the replicas' feed ({@link PropagationSink#NONE} while there is none). */
  public void replicaFeed(PropagationSink sink) {
    this.replicaFeed = sink;
  }

  /**
   * Whether this server is a replica that refuses writes from its clients (replica-read-only): they
   * get {@link io.toridb.core.command.Errors#READONLY}; its primary's writes are applied.
   */
  public boolean readOnlyReplica() {
    return readOnlyReplica;
  }

  public void readOnlyReplica(boolean readOnly) {
    this.readOnlyReplica = readOnly;
  }

  /**
   * Whether this replica's link to its primary is down (null: not a replica); with
   * replica-serve-stale-data no, commands without the stale flag are then refused.
   */
  public void masterLinkDown(java.util.function.BooleanSupplier down) {
    this.masterLinkDown = down;
  }

  /** A replica cut off from its primary that must not serve stale data (MASTERDOWN). */
  public boolean staleReplica() {
    java.util.function.BooleanSupplier down = masterLinkDown;
    return down != null && down.getAsBoolean() && !config.yes("replica-serve-stale-data");
  }

  /**
   * How many replicas count as good for min-replicas-to-write (online, acknowledged within
   * min-replicas-max-lag seconds); a replica answers a number that never refuses.
   */
  public void goodReplicas(java.util.function.IntSupplier count) {
    this.goodReplicas = count;
  }

  /** The MONITOR feed, or null when nobody monitors. */
  public CommandObserver monitor() {
    return monitor;
  }

  public void monitor(CommandObserver observer) {
    this.monitor = observer;
  }

  /** Where keyspace events go (see {@code notify-keyspace-events}). */
  public KeyspaceNotifier notifier() {
    return notifier;
  }

  /**
   * Replaces where the events raised by commands go (tests record them here). The events the
   * keyspace raises itself (expired, new, keymiss) keep going to pub/sub.
   */
  public void notifier(KeyspaceNotifier notifier) {
    this.notifier = notifier;
  }

  /** The Lua scripts EVAL and SCRIPT LOAD cached. */
  public io.toridb.core.scripting.ScriptCache scripts() {
    return scripts;
  }

  /** The function libraries FUNCTION LOAD loaded. */
  public io.toridb.core.scripting.FunctionLibraries functions() {
    return functions;
  }

  private volatile io.toridb.core.scripting.FunctionPayloads functionPayloads;

  /** The format of FUNCTION DUMP's payloads, or null before the persistence module sets it. */
  public io.toridb.core.scripting.FunctionPayloads functionPayloads() {
    return functionPayloads;
  }

  public void functionPayloads(io.toridb.core.scripting.FunctionPayloads payloads) {
    this.functionPayloads = payloads;
  }

  /** Channel and pattern subscriptions, and message delivery. */
  public PubSubRegistry pubsub() {
    return pubsub;
  }

  /**
   * Why writes are refused right now (the last background snapshot failed, or the append-only file
   * cannot be written), as the error reply they get; null while writes are accepted. The snapshot's
   * reason comes first, as in Redis.
   */
  public String writeRefusal() {
    String snapshot = snapshotRefusal;
    return snapshot != null ? snapshot : writeRefusal;
  }

  /** Sets the append-only file's reason to refuse writes (null: none). */
  public void writeRefusal(String error) {
    this.writeRefusal = error;
  }

  /** Sets the snapshots' reason to refuse writes (stop-writes-on-bgsave-error; null: none). */
  public void snapshotWriteRefusal(String error) {
    this.snapshotRefusal = error;
  }

  /**
   * True once SHUTDOWN has decided to stop the server: from then on no command runs (its client's
   * connection is closed without a reply, as the ones Redis leaves unanswered when it exits), so
   * nothing is acknowledged that the final snapshot does not hold.
   */
  public boolean stopping() {
    return stopping;
  }

  public void stopping(boolean stopping) {
    this.stopping = stopping;
  }

  /**
   * Called by FLUSHALL after it emptied every database, while it holds every key lock: where the
   * snapshots stop a background save and write the empty data set, as Redis's FLUSHALL does when
   * save points are configured.
   */
  public void afterFlushAll(Runnable hook) {
    this.afterFlushAll = hook;
  }

  /**
   * Empties every database (FLUSHALL, and what replaces the whole data set: DEBUG RELOAD, a
   * replica's full synchronization, CLUSTER RESET of a replica), telling the clients watching or
   * blocked on their keys. The caller holds every key lock. Returns how many keys there were.
   */
  public long emptyDatabases(long now) {
    long removed = 0;
    for (int i = 0; i < keyspace.databaseCount(); i++) {
      io.toridb.core.keyspace.Database db = keyspace.db(i);
      removed += db.size();
      watches.databaseReplaced(keyspace, i, null, now);
      blocking.databaseReplaced(keyspace, i);
      db.clear();
    }
    return removed;
  }

  public void flushedAll() {
    afterFlushAll.run();
  }

  /** Told before commands change keys; null when nothing needs to know (see the interface). */
  public io.toridb.core.keyspace.ChangeObserver changeObserver() {
    return changeObserver;
  }

  public void changeObserver(io.toridb.core.keyspace.ChangeObserver observer) {
    this.changeObserver = observer;
  }

  /** Where keys belong when this server is a cluster node; null when it is not. */
  public ClusterRouting clusterRouting() {
    return clusterRouting;
  }

  public void clusterRouting(ClusterRouting routing) {
    this.clusterRouting = routing;
  }

  /**
   * Whether writes are refused for want of good replicas, as a Redis primary's are while
   * min-replicas-to-write (with min-replicas-max-lag) is set and fewer replicas are good.
   */
  public boolean lacksGoodReplicas() {
    long min = minReplicasToWrite.number();
    return min > 0 && minReplicasMaxLag.number() > 0 && goodReplicas.getAsInt() < min;
  }

  public boolean loading() {
    return loading;
  }

  public void loading(boolean loading) {
    this.loading = loading;
    keyspace.expiryPaused(loading);
  }

  public long lastSaveSeconds() {
    return lastSaveSeconds;
  }

  public void lastSaveSeconds(long seconds) {
    this.lastSaveSeconds = seconds;
  }

  /** The password clients must give, or "" when none is required. */
  public String requirePass() {
    return config.text("requirepass");
  }
}
