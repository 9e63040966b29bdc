package io.toridb.core.command;

import io.netty.util.concurrent.FastThreadLocal;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.Keyspace;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import io.toridb.protocol.RespWriter;

/**
 * What a handler sees while it runs: the client's session, the reply writer, the current time, and
 * the server registry. One instance per worker thread, re-pointed at each command.
 */
public final class CommandContext {
  /** The context of the command running on each worker thread (see {@link #current()}). */
  private static final FastThreadLocal<CommandContext> CURRENT = new FastThreadLocal<>();

  private final ServerContext server;
  private final RespWriter out = new RespWriter();
  private ClientSession session;
  private long now;
  private long redacted;
  private int replyStart;
  private boolean repliedError;
  private boolean blockingAllowed = true;
  private CommandSpec spec;
  private byte[][] argv;
  private io.toridb.core.blocking.BlockedClient serving;
  private io.toridb.core.blocking.BlockedClient parked;
  private boolean postponed;
  private boolean keepWaiting;
  private CommandExecutor executor;

  /** The session's open BEGIN transaction, whose private view the command runs on; or null. */
  private io.toridb.core.transaction.StagedTransaction staged;

  /**
   * Applying writes read back from the log: their effects are already logged, so they are not
   * handed to the propagation sink again (which, with the log running, would append them twice).
   */
  private boolean replaying;

  /** Effects of the EXEC being run, propagated as one unit at its end; null outside EXEC. */
  private java.util.List<io.toridb.core.propagation.PropagationSink.Effect> transactionEffects;

  private Object scriptEngine;

  /** Set while a command called by a script runs (Redis's CLIENT_SCRIPT). */
  private boolean fromScript;

  public CommandContext(ServerContext server) {
    this.server = server;
  }

  /** Prepares this context for the next command of {@code session}. */
  public void begin(ClientSession session, long now) {
    this.session = session;
    this.staged = session.staged();
    this.now = now;
    this.redacted = 0;
    this.repliedError = false;
    this.parked = null;
    this.postponed = false;
    this.replyStart = out.buffer() == null ? -1 : out.buffer().writerIndex();
  }

  /**
   * The context of the command running on the calling thread, or null outside commands. Lets code
   * that has no context at hand (keyspace events raised by the database) tell whether a client it
   * reaches is the one running the command.
   */
  public static CommandContext current() {
    return CURRENT.get();
  }

  /** Makes {@code ctx} the current context of this thread; returns the previous one. */
  static CommandContext enter(CommandContext ctx) {
    CommandContext previous = CURRENT.get();
    CURRENT.set(ctx);
    return previous;
  }

  /** Restores the context {@link #enter} returned. */
  static void leave(CommandContext previous) {
    CURRENT.set(previous);
  }

  /**
   * Where the current command's reply starts in its reply buffer (-1 without a buffer): what comes
   * before belongs to earlier commands.
   */
  public int replyStart() {
    return replyStart;
  }

  /** Points this context back at a command that was interrupted to serve a parked client. */
  void restore(ClientSession session, long now) {
    this.session = session;
    this.staged = session == null ? null : session.staged();
    this.now = now;
  }

  /** Set by the executor just before the handler runs. */
  void command(CommandSpec spec, byte[][] argv) {
    this.spec = spec;
    this.argv = argv;
  }

  /** The command being run. */
  public CommandSpec spec() {
    return spec;
  }

  /** The arguments of the command being run. */
  public byte[][] argv() {
    return argv;
  }

  /** The parked client this command is being run again for, or null. */
  public io.toridb.core.blocking.BlockedClient serving() {
    return serving;
  }

  void serving(io.toridb.core.blocking.BlockedClient client) {
    this.serving = client;
    this.keepWaiting = false;
  }

  /** Called by {@link io.toridb.core.blocking.Blocking}: the client served found nothing. */
  public void keepWaiting() {
    this.keepWaiting = true;
  }

  boolean keptWaiting() {
    return keepWaiting;
  }

  /** Called by {@link io.toridb.core.blocking.Blocking} when the command parked its client. */
  public void parked(io.toridb.core.blocking.BlockedClient client) {
    this.parked = client;
  }

  io.toridb.core.blocking.BlockedClient parkedClient() {
    return parked;
  }

  /** True when the command just run parked its client (it wrote no reply). */
  public boolean parked() {
    return parked != null;
  }

  /**
   * True when the command was postponed by a client pause: it did not run, wrote no reply, and is
   * to run again, before the client's later requests, once the pause ends.
   */
  public boolean postponed() {
    return postponed;
  }

  /**
   * Postpones the command about to run until the client pause ends (see ClientPause); {@code
   * mayWrite} says whether it may write or be replicated.
   */
  void postpone(boolean mayWrite) {
    postponed = true;
    server.clientPause().postpone(session, mayWrite);
  }

  /** Restores the postponed mark after serving a parked client on this context. */
  void postponed(boolean postponed) {
    this.postponed = postponed;
  }

  public ServerContext server() {
    return server;
  }

  public ClientSession session() {
    return session;
  }

  public RespWriter out() {
    return out;
  }

  /** Wall-clock milliseconds, read once when the command started (as Redis's mstime cache). */
  public long now() {
    return now;
  }

  /**
   * The keyspace the command works on: the server's, or inside BEGIN the transaction's private view
   * of it.
   */
  public Keyspace keyspace() {
    return staged == null ? server.keyspace() : staged.view();
  }

  /** The client's selected database (in the transaction's private view inside BEGIN). */
  public Database db() {
    return keyspace().db(session.db());
  }

  /**
   * Deletes {@code key} in the current database, if it is there, as a store command with an empty
   * result does: counts the change, raises the "del" event and logs {@code effect}.
   */
  public void deleteForEmptyResult(Key key, byte[][] effect) {
    if (db().remove(key) != null) {
      modified(key);
      notify(io.toridb.core.pubsub.KeyspaceEvents.GENERIC, "del", key);
      propagate(effect);
    }
  }

  /** The open BEGIN transaction the command runs in, or null. */
  public io.toridb.core.transaction.StagedTransaction staged() {
    return staged;
  }

  /** Leaves the BEGIN transaction: what follows in this command works on the server's keyspace. */
  public void endStaged() {
    session.staged(null);
    staged = null;
  }

  /**
   * Hides argument {@code index} (a password) from MONITOR and the slow log, which show
   * "(redacted)" in its place, as Redis's redactClientCommandArgument.
   */
  public void redact(int index) {
    redacted |= 1L << Math.min(index, 63);
  }

  /** {@code argv} as MONITOR and the slow log may show it: redacted arguments replaced. */
  public byte[][] loggedArgv(byte[][] argv) {
    if (redacted == 0) {
      return argv;
    }
    byte[][] copy = argv.clone();
    for (int i = 1; i < copy.length; i++) {
      if ((redacted & (1L << Math.min(i, 63))) != 0) {
        copy[i] = REDACTED;
      }
    }
    return copy;
  }

  private static final byte[] REDACTED = Args.bytes("(redacted)");

  /** True once the current command has replied with an error (INFO commandstats failed_calls). */
  public boolean repliedError() {
    return repliedError;
  }

  /** Writes an error reply and counts it for INFO errorstats. */
  public void error(String text) {
    repliedError = true;
    out.error(text);
    server.stats().countError(text);
  }

  /**
   * Records that {@code key} changed: counts the change for persistence and will wake watchers and
   * blocked clients once those exist.
   */
  public void modified(Key key) {
    modified(session.db(), key);
  }

  /** As {@link #modified(Key)} for a key of database {@code db} (MOVE, COPY ... DB). */
  public void modified(int db, Key key) {
    if (staged != null) {
      staged.written(db, key);
      return;
    }
    server.stats().dirty.increment();
    server.watches().touch(server.keyspace(), db, key);
  }

  void executor(CommandExecutor executor) {
    this.executor = executor;
  }

  /** Runs the queued commands of a MULTI as one unit and replies (EXEC). */
  public void runTransaction(io.toridb.core.transaction.MultiState multi) {
    executor.runTransaction(multi);
  }

  /** Applies a BEGIN transaction (COMMIT); {@link #endStaged} was called. */
  public void commitStaged(io.toridb.core.transaction.StagedTransaction transaction) {
    executor.commitStaged(transaction);
  }

  void replaying(boolean replaying) {
    this.replaying = replaying;
  }

  /**
   * Whether the command is a write replayed from the log. Such a write was accepted once, so it
   * obeys no limit a client's request must (as Redis's AOF client, for which mustObeyClient is
   * true): the limit may have been lowered since, and refusing it would lose acknowledged data.
   */
  public boolean replaying() {
    return replaying;
  }

  /** Starts collecting the effects of an EXEC. */
  void beginTransactionEffects() {
    transactionEffects = new java.util.ArrayList<>();
  }

  /**
   * Ends an EXEC: its effects go to the propagation sink as one unit (a single write alone, as
   * Redis does not wrap it in MULTI/EXEC).
   */
  void endTransactionEffects() {
    java.util.List<io.toridb.core.propagation.PropagationSink.Effect> effects = transactionEffects;
    transactionEffects = null;
    propagateUnit(effects);
  }

  /**
   * Hands the effects of a transaction to the propagation sink as one unit (a single write alone,
   * as Redis does not wrap it in MULTI/EXEC).
   */
  void propagateUnit(java.util.List<io.toridb.core.propagation.PropagationSink.Effect> effects) {
    if (effects.size() == 1) {
      io.toridb.core.propagation.PropagationSink.Effect e = effects.get(0);
      if (e.replicasOnly()) {
        sink().propagateToReplicas(e.db(), e.argv());
      } else {
        sink().propagate(e.db(), e.argv());
      }
    } else if (!effects.isEmpty()) {
      sink().propagateTransaction(effects);
    }
  }

  /** Where effects go: the server's sink, or nowhere for writes replayed from the log. */
  private io.toridb.core.propagation.PropagationSink sink() {
    if (replaying) {
      return io.toridb.core.propagation.PropagationSink.NONE;
    }
    return session.master() ? server.logPropagation() : server.propagation();
  }

  /** Clears what one command of an EXEC leaves behind before the next runs. */
  void nextCommand() {
    this.redacted = 0;
    this.repliedError = false;
  }

  void blockingAllowed(boolean allowed) {
    this.blockingAllowed = allowed;
  }

  /**
   * Raises a keyspace event on {@code key} in the current database: {@code type} is its class (a
   * {@link io.toridb.core.pubsub.KeyspaceEvents} bit), {@code event} its name as Redis spells it
   * ("hset", "lpush", "del", ...). Published only if {@code notify-keyspace-events} enables it.
   */
  public void notify(int type, String event, Key key) {
    notify(session.db(), type, event, key);
  }

  /** As {@link #notify(int, String, Key)} for a key of database {@code db} (MOVE, COPY ... DB). */
  public void notify(int db, int type, String event, Key key) {
    if (staged != null) {
      staged.event(db, type, event, key);
      return;
    }
    server.notifier().notify(db, type, event, key);
  }

  /** Whether the command runs as part of an EXEC (Redis's server.in_exec). */
  public boolean inTransaction() {
    return transactionEffects != null;
  }

  /**
   * Whether the command may park the client: false inside MULTI/EXEC and BEGIN (a blocking command
   * then behaves as if its timeout had passed at once).
   */
  public boolean mayBlock() {
    return blockingAllowed && staged == null;
  }

  /**
   * Parks the client until one of {@code keys} (in the current database) becomes ready or the
   * absolute {@code deadline} (Unix ms, 0 = never) passes. The handler returns without writing a
   * reply. When a key becomes ready the whole command runs again for the client with the same
   * arguments: it either serves the client or calls {@code block} again, which leaves the client
   * waiting in its place with its original deadline. When the deadline passes, {@code onTimeout}
   * writes the reply. Only call this when {@link #mayBlock()}.
   */
  public void block(Key[] keys, long deadline, java.util.function.Consumer<RespWriter> onTimeout) {
    server.blocking().block(this, keys, deadline, onTimeout);
  }

  /**
   * As {@link #block(Key[], long, java.util.function.Consumer)}, running {@code argv} instead of
   * the command as given when a key becomes ready.
   */
  public void block(
      Key[] keys, long deadline, java.util.function.Consumer<RespWriter> onTimeout, byte[][] argv) {
    server.blocking().block(this, keys, deadline, onTimeout, argv);
  }

  /**
   * Wakes the clients blocked on {@code key} in the current database (Redis's signalKeyAsReady):
   * they run again once this command is done.
   */
  public void signalReady(Key key) {
    if (staged == null) {
      server.blocking().signal(session.db(), key);
    }
  }

  /**
   * The scripting engine of this context's worker thread (one Lua interpreter per worker), made by
   * the scripting commands when first needed; null before.
   */
  public Object scriptEngine() {
    return scriptEngine;
  }

  public void scriptEngine(Object engine) {
    this.scriptEngine = engine;
  }

  /**
   * Runs {@code body} (a script) as one unit: the writes it makes go to the propagation sink
   * together at its end (inside an EXEC, with the transaction's), and blocking commands it calls
   * behave as if their timeout had passed at once, as Redis's script client may not block.
   */
  public void runAsUnit(Runnable body) {
    boolean outer = transactionEffects != null;
    boolean wasAllowed = blockingAllowed;
    if (!outer) {
      beginTransactionEffects();
    }
    blockingAllowed = false;
    try {
      body.run();
    } finally {
      blockingAllowed = wasAllowed;
      if (!outer) {
        endTransactionEffects();
      }
    }
  }

  /** Whether the command running was called by a script (SORT then orders a set's members). */
  public boolean fromScript() {
    return fromScript;
  }

  /**
   * Locks the keys of a command a script is about to call, before it commits to the call (a script
   * that waits for another client's key has not written yet). Call it before {@link
   * #callFromScript}, which relies on it.
   */
  public void lockForScript(CommandSpec spec, byte[][] argv) {
    executor.lockForScript(spec, argv);
  }

  /**
   * Runs a command that a script called ({@code redis.call}), already looked up and checked, with
   * its reply written in RESP{@code protocol} to {@code reply}, its keys locked first ({@link
   * #lockForScript}). Counted in the command statistics and shown to MONITOR, as Redis's calls from
   * scripts.
   */
  public void callFromScript(
      CommandSpec spec, byte[][] argv, io.netty.buffer.ByteBuf reply, int protocol) {
    boolean outer = fromScript;
    fromScript = true;
    try {
      executor.callFromScript(spec, argv, reply, protocol);
    } finally {
      fromScript = outer;
    }
  }

  /**
   * Hands several effects of one command to the propagation sink as one unit, so that replay
   * applies all of them or none (XREADGROUP's claims and its group's new position).
   */
  public void propagate(java.util.List<byte[][]> effects) {
    if (staged != null || transactionEffects != null) {
      for (byte[][] e : effects) {
        propagate(e);
      }
      return;
    }
    java.util.List<io.toridb.core.propagation.PropagationSink.Effect> unit =
        new java.util.ArrayList<>(effects.size());
    for (byte[][] e : effects) {
      unit.add(new io.toridb.core.propagation.PropagationSink.Effect(session.db(), e));
    }
    propagateUnit(unit);
  }

  /**
   * Hands a command only replicas run (PUBLISH) to the propagation sink, in the current database:
   * inside a transaction or script it goes with the unit's writes.
   */
  public void propagateToReplicas(byte[][] argv) {
    if (transactionEffects != null) {
      transactionEffects.add(
          new io.toridb.core.propagation.PropagationSink.Effect(session.db(), argv, true));
      return;
    }
    sink().propagateToReplicas(session.db(), argv);
  }

  /** Hands the effect of a write to the propagation sink (the AOF), in the current database. */
  public void propagate(byte[][] argv) {
    if (staged != null) {
      staged.effect(session.db(), argv);
      return;
    }
    if (transactionEffects != null) {
      transactionEffects.add(
          new io.toridb.core.propagation.PropagationSink.Effect(session.db(), argv));
      return;
    }
    sink().propagate(session.db(), argv);
  }
}
