package io.toridb.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.toridb.core.blocking.BlockedClient;
import io.toridb.core.command.Errors;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientHost;
import io.toridb.core.session.ClientSession;
import io.toridb.core.transaction.TransactionCommands;
import io.toridb.protocol.ProtocolException;
import io.toridb.protocol.ProtocolLimits;
import io.toridb.protocol.RespDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, on its event loop: accumulates bytes, decodes every complete request of a
 * read into one {@link Batch}, and hands the batch to the connection's worker. Applies
 * back-pressure by pausing reads while the worker's queue is full or the client is not reading its
 * replies.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements ClientHost {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  private final ToriServer server;
  private final ServerContext context;
  private final Worker worker;
  private final ClientSession session;
  private final RespDecoder decoder;
  private Channel channel;
  private ReplyQueue replies;
  private WorkerWakeups wakeups;

  /** Written to in the current reply drain and not yet flushed; event-loop thread only. */
  private boolean flushPending;

  /**
   * An unauthenticated client's request is with the worker and reading is paused until it has run;
   * set by the event loop, read by the worker in {@link #batchDone}.
   */
  private volatile boolean holding;

  /**
   * The client is parked by a blocking command: bytes keep being read (so a disconnect is seen) but
   * are not decoded until the wait ends. Set by the worker, cleared by the event loop.
   */
  private volatile boolean decodePaused;

  /**
   * Worker-thread only: the client is parked, and the requests that came after the blocking command
   * wait in {@link #parkedRest} until a resume batch arrives.
   */
  volatile boolean parked;

  Batch parkedRest;

  private ByteBuf cumulation;
  private Batch pending;
  private boolean closing;
  private volatile long queryBufferBytes;

  ClientConnection(ToriServer server, Worker worker) {
    this(server, worker, false);
  }

  /**
   * @param primary whether this is a replica's link to its primary (see {@link
   *     ClientSession#master}): authenticated, and exempt from the checks on accepted clients
   */
  ClientConnection(ToriServer server, Worker worker, boolean primary) {
    this.server = server;
    this.context = server.context();
    this.worker = worker;
    boolean needsAuth = !primary && !context.requirePass().isEmpty();
    this.session = new ClientSession(!needsAuth);
    session.master(primary);
    session.host(this);
    this.decoder = new RespDecoder(limits());
  }

  /**
   * On the worker, after a request of the primary ran: drops its reply (written to {@code out} from
   * {@code mark}), logging an error reply as Redis does, and counts the request in the replication
   * offset.
   */
  void appliedFromPrimary(byte[][] argv, ByteBuf out, int mark) {
    if (out.writerIndex() > mark && out.getByte(mark) == '-') {
      int end = out.indexOf(mark, out.writerIndex(), (byte) '\r');
      String error =
          out.toString(
              mark + 1,
              (end < 0 ? out.writerIndex() : end) - mark - 1,
              java.nio.charset.StandardCharsets.UTF_8);
      log.warn(
          "== CRITICAL == This replica is sending an error to its master: '{}' after processing"
              + " the command '{}'",
          error,
          new String(argv[0], java.nio.charset.StandardCharsets.UTF_8));
    }
    out.writerIndex(mark);
    server.replication().applied(session, argv);
  }

  /** Sends {@code buffer} now, without waiting for the log (the replica's acknowledgements). */
  void sendNow(ByteBuf buffer) {
    replies.offer(this, buffer, false);
  }

  private ProtocolLimits limits() {
    return new ProtocolLimits(
        ProtocolLimits.DEFAULT_INLINE,
        context.config().number("proto-max-bulk-len"),
        Integer.MAX_VALUE);
  }

  Channel channel() {
    return channel;
  }

  ClientSession session() {
    return session;
  }

  long queryBufferBytes() {
    return queryBufferBytes;
  }

  /**
   * Sends a reply buffer from any thread: it is written by the connection's event loop, in the
   * order offered, and the connection is closed after it when {@code close} is set.
   */
  void send(ByteBuf buffer, boolean close) {
    // Under appendfsync always a reply waits until every write before it is on disk. Once one of
    // this connection's replies waits, the ones after it wait too, so they keep their order.
    io.toridb.persistence.aof.AppendOnlyFile aof = server.aof();
    if (aof != null && (durableWaits.get() > 0 || aof.fsyncAlways())) {
      boolean behindOthers = durableWaits.get() > 0;
      durableWaits.incrementAndGet();
      if (aof.deferUntilDurable(
          () -> {
            replies.offer(this, buffer, close);
            durableWaits.decrementAndGet();
          },
          behindOthers)) {
        return;
      }
      durableWaits.decrementAndGet();
    }
    replies.offer(this, buffer, close);
  }

  /** Replies of this connection waiting for the log to reach the disk. */
  private final java.util.concurrent.atomic.AtomicInteger durableWaits =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * A subscriber that leaves pushed messages unread is disconnected as {@code
   * client-output-buffer-limit}'s pubsub class says (Redis's default: more than 32 MB at once, or
   * more than 8 MB for more than 60 s; 0 for no limit): a client that does not read its messages
   * would otherwise make the server hold every message published to it. Checked as each message is
   * pushed, as Redis checks when it adds output.
   */
  @Override
  public void send(ByteBuf reply) {
    if (closedForOutputLimit(reply.readableBytes())) {
      reply.release();
      return;
    }
    written(reply.readableBytes());
    send(reply, false);
  }

  /**
   * Closes this client if it is a subscriber whose pending output, with {@code adding} more bytes,
   * breaks the pubsub output limits; true if it is (or already was) closed for that.
   */
  private boolean closedForOutputLimit(long adding) {
    Channel ch = channel;
    io.netty.channel.ChannelOutboundBuffer out;
    if (ch == null
        || !session.subscriptions().active()
        || (out = ch.unsafe().outboundBuffer()) == null
        || !outputLimit.over(
            out.totalPendingWriteBytes() + adding, context.config().pubsubOutputLimit())) {
      return false;
    }
    if (!session.killed()) {
      log.warn(
          "Closing client {} ({}): pushed messages left unread over client-output-buffer-limit",
          session.id(),
          session.remoteAddress());
      session.kill();
      ch.close();
    }
    return true;
  }

  /** The pubsub class of client-output-buffer-limit, for a subscriber's pushed messages. */
  private final OutputLimitCheck outputLimit = new OutputLimitCheck();

  /**
   * From the background cycle, as Redis's clientsCron: closes a subscriber that has stayed over its
   * soft limit long enough even though nothing more is pushed to it.
   */
  void checkOutputLimit() {
    if (!session.killed()) {
      closedForOutputLimit(0);
    }
  }

  @Override
  public void blocked(long deadline) {
    decodePaused = true;
    if (deadline != 0) {
      scheduleTimeout(session.blocked(), deadline);
    }
  }

  /**
   * The timer of the current wait, cancelled when the wait ends another way, so that clients that
   * wait with long timeouts and are served quickly leave no timers behind.
   */
  volatile java.util.concurrent.Future<?> timeoutTask;

  private void cancelTimeout() {
    java.util.concurrent.Future<?> timer = timeoutTask;
    if (timer != null) {
      timeoutTask = null;
      timer.cancel(false);
    }
  }

  private void scheduleTimeout(BlockedClient client, long deadline) {
    long delay = Math.max(0, deadline - System.currentTimeMillis());
    timeoutTask =
        channel
            .eventLoop()
            .schedule(
                () -> {
                  // False while a worker is serving the client: look again shortly.
                  if (!context.blocking().expire(client)) {
                    scheduleTimeout(client, deadline);
                  }
                },
                delay == 0 ? 1 : delay,
                TimeUnit.MILLISECONDS);
  }

  /**
   * The wait is over and its reply queued: a resume batch, behind every batch already handed to the
   * worker, makes the worker run the requests it held back.
   */
  @Override
  public void unblocked() {
    cancelTimeout();
    channel
        .eventLoop()
        .execute(
            () -> {
              if (!channel.isActive()) {
                return;
              }
              Batch resume = new Batch(this);
              resume.resume = true;
              dispatch(resume);
            });
  }

  @Override
  public boolean local() {
    Channel ch = channel;
    java.net.SocketAddress remote = ch == null ? null : ch.remoteAddress();
    return remote == null || ProtectedMode.isLoopback(remote);
  }

  /**
   * Under timeout, marks the client active now: on every read and every reply written, as Redis
   * counts its interaction (the command's start counts too, see CommandExecutor). Without timeout,
   * one volatile read.
   */
  void touch() {
    if (server.idleTimeoutOn()) {
      session.lastInteraction(System.currentTimeMillis());
    }
  }

  /** Whether this client's worker has nothing queued or running. */
  boolean workerQuiet() {
    return worker.quiet();
  }

  /** Called by the worker once a parked client's held-back requests ran without parking again. */
  void resumeDecoding() {
    channel
        .eventLoop()
        .execute(
            () -> {
              decodePaused = false;
              if (!closing && cumulation != null && cumulation.isReadable()) {
                decodeAndDispatch();
              }
            });
  }

  /** Called by the worker after it has run a batch of this connection and queued the reply. */
  void batchDone() {
    if (holding) {
      channel.eventLoop().execute(this::resume);
    }
  }

  private void resume() {
    if (!holding || closing || !channel.isActive()) {
      return;
    }
    holding = false;
    if (cumulation != null && cumulation.isReadable()) {
      decodeAndDispatch();
    }
    updateAutoRead();
  }

  boolean markFlushPending() {
    if (flushPending) {
      return false;
    }
    flushPending = true;
    return true;
  }

  void clearFlushPending() {
    flushPending = false;
  }

  void written(int bytes) {
    context.stats().netOutputBytes.add(bytes);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    replies = server.replyQueue(channel.eventLoop());
    wakeups = server.workerWakeups(channel.eventLoop());
    session.addresses(address(channel.remoteAddress()), address(channel.localAddress()));
    if (session.master()) {
      server.clients().add(this);
      ctx.fireChannelActive();
      return;
    }
    context.stats().connectionsReceived.increment();
    if (server.clients().size() >= context.config().number("maxclients")) {
      context.stats().rejectedConnections.increment();
      reject(ctx, "-ERR max number of clients reached\r\n");
      return;
    }
    if (server.deniedByProtectedMode(channel.remoteAddress())) {
      reject(ctx, ProtectedMode.DENIED_REPLY);
      return;
    }
    server.clients().add(this);
    ctx.fireChannelActive();
  }

  private void reject(ChannelHandlerContext ctx, String reply) {
    closing = true;
    ByteBuf buf = ctx.alloc().buffer(reply.length());
    buf.writeCharSequence(reply, java.nio.charset.StandardCharsets.US_ASCII);
    ctx.writeAndFlush(buf).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    server.clients().remove(this);
    session.kill();
    releaseCumulation();
    context.blocking().cancel(session);
    context.clientPause().forget(session);
    cancelTimeout();
    context.watches().unwatchAll(session);
    server.onDisconnect(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    if (closing) {
      in.release();
      return;
    }
    context.stats().netInputBytes.add(in.readableBytes());
    touch();
    if (session.replica()) {
      // Anything from a replica shows it alive (a Redis replica sends newlines while it loads).
      server.replication().heardFrom(this);
    } else if (session.master()) {
      server.replication().received(session, in.readableBytes());
    }
    cumulate(ctx, in);
    decodeAndDispatch();
  }

  /**
   * Decodes what the input buffer holds into one batch and hands it to the worker. Before the
   * client has authenticated, only one request is decoded at a time and reading pauses until the
   * worker has run it: whether the next request is held to the unauthenticated limits depends on
   * the outcome of an AUTH before it, as in Redis.
   */
  private void decodeAndDispatch() {
    // Held behind a script (see releaseHeld), later requests stay undecoded as a blocked
    // client's do.
    if (decodePaused || heldForScript != null) {
      queryBufferBytes = cumulation.readableBytes();
      // As Redis, never the link to this replica's primary (held back by a client pause).
      if (queryBufferBytes > context.config().number("client-query-buffer-limit")
          && !session.master()) {
        log.warn(
            "Closing blocked client {} ({}): query buffer exceeds client-query-buffer-limit",
            session.id(),
            session.remoteAddress());
        closing = true;
        releaseCumulation();
        channel.close();
      }
      return;
    }
    Batch batch = new Batch(this);
    boolean authenticated = session.authenticated();
    decoder.setAuthenticated(authenticated);
    try {
      int decoded = decoder.decode(cumulation, batch::add, authenticated ? Integer.MAX_VALUE : 1);
      if (!authenticated && decoded == 1 && cumulation.isReadable()) {
        holding = true;
        channel.config().setAutoRead(false);
      }
    } catch (ProtocolException e) {
      batch.protocolError = e.replyText();
      closing = true;
      channel.config().setAutoRead(false);
      log.debug("Protocol error from {}: {}", session.remoteAddress(), e.getMessage());
    }
    if (cumulation.isReadable() && !closing) {
      long buffered = cumulation.readableBytes();
      queryBufferBytes = buffered;
      if (buffered > context.config().number("client-query-buffer-limit")) {
        log.warn(
            "Closing client {} ({}): query buffer of {} bytes exceeds client-query-buffer-limit",
            session.id(),
            session.remoteAddress(),
            buffered);
        closing = true;
        releaseCumulation();
        channel.close();
        return;
      }
    } else {
      queryBufferBytes = 0;
      releaseCumulation();
    }
    if (!batch.isEmpty()) {
      io.toridb.core.scripting.ScriptCache scripts = context.scripts();
      // The primary's stream is never answered -BUSY: it waits behind the script in the worker's
      // queue, as Redis stops reading its primary during a busy script.
      if (scripts.scriptRunning() && !session.master() && quietForScript(batch)) {
        if (!scripts.busy()) {
          // On a server of one worker, the batch waits behind the script in the worker's queue,
          // from where the worker hands it back should the script turn busy. With several, another
          // worker could take it up (behind this script or the next, on another worker) and wait
          // for a script's keys past that point, where nothing hands it back.
          if (!scripts.scriptRunningOn(worker.thread()) || server.workers().size() > 1) {
            holdForScript(batch);
            return;
          }
          dispatch(batch);
          return;
        }
        batch = answerWhileBusy(batch);
        if (batch == null) {
          return;
        }
      }
      dispatch(batch);
    }
  }

  /**
   * Whether nothing of this connection waits for or in the worker (no batch in flight or pending,
   * not blocked) and {@code batch} is made of requests, not a protocol error: only then may its
   * requests be held or answered on the event loop without overtaking earlier replies.
   */
  private boolean quietForScript(Batch batch) {
    return inFlight.get() == 0
        && pending == null
        && !parked
        && !batch.resume
        && batch.protocolError == null;
  }

  /**
   * Requests decoded while a script runs (on a server of several workers; with one, see
   * decodeAndDispatch), held on the event loop until it ends or turns busy. Redis reads nothing
   * while its thread runs a script, and answers -BUSY once the script has run past
   * busy-reply-threshold: a request handed to the other worker now could wait there for the
   * script's keys with no way to get that answer, and a SCRIPT KILL behind it would never run.
   */
  private Batch heldForScript;

  private void holdForScript(Batch batch) {
    heldForScript = batch;
    channel.config().setAutoRead(false);
    releaseWhenScriptChanges();
  }

  /** Has {@link #releaseHeld} run on the event loop once the script ends or turns busy. */
  private void releaseWhenScriptChanges() {
    context.scripts().onChange(() -> channel.eventLoop().execute(this::releaseHeld));
  }

  /**
   * Called by the worker (see Worker#handBackQueued): {@code batches}, in the order they were sent,
   * come back from behind a busy script. On the event loop they count as run, and are then answered
   * as requests held during the script are, before anything held or read since.
   */
  void takeBack(java.util.List<Batch> batches) {
    channel
        .eventLoop()
        .execute(
            () -> {
              Batch merged = new Batch(this);
              for (Batch b : batches) {
                batchFinished(b);
                merged.absorb(b);
              }
              if (!channel.isActive()) {
                return;
              }
              if (pending != null) {
                // Waiting for room in the worker's queue, after these: they go first.
                merged.absorb(pending);
                pending = merged;
                return;
              }
              if (heldForScript != null) {
                merged.absorb(heldForScript);
              }
              heldForScript = merged;
              channel.config().setAutoRead(false);
              releaseHeld();
            });
  }

  /** The script ended or turned busy: answers or dispatches what was held, then what came since. */
  private void releaseHeld() {
    Batch batch = heldForScript;
    if (batch == null || !channel.isActive()) {
      return;
    }
    io.toridb.core.scripting.ScriptCache scripts = context.scripts();
    if (scripts.scriptRunning() && !scripts.busy()) {
      // Another script started meanwhile.
      releaseWhenScriptChanges();
      return;
    }
    heldForScript = null;
    if (scripts.busy()) {
      batch = answerWhileBusy(batch);
    }
    if (batch != null) {
      dispatch(batch);
    }
    if (cumulation != null && cumulation.isReadable() && !closing) {
      decodeAndDispatch();
    }
    updateAutoRead();
  }

  /**
   * What Redis answers during a busy script to the command {@code name} (its full name): SCRIPT
   * KILL (FUNCTION KILL for a function) stops it, FUNCTION STATS describes it, MULTI, DISCARD and
   * QUIT work (they touch only this connection's state, which no worker uses while nothing of this
   * connection is in flight), EXEC aborts the transaction, anything else is refused and spoils a
   * transaction being queued. Writes a success reply itself; returns the error text otherwise.
   */
  private String answerDuringScript(String name, byte[][] argv, io.toridb.protocol.RespWriter out) {
    switch (name) {
      case "script|kill", "function|kill" -> {
        String refused =
            argv.length == 2
                ? context.scripts().kill(name.equals("function|kill"))
                : context.scripts().busyReply();
        if (refused == null) {
          out.ok();
        }
        return refused;
      }
      case "function|stats" -> {
        return io.toridb.core.scripting.FunctionCommands.stats(
            out, context.scripts(), context.functions());
      }
      case "multi" -> {
        String refused = TransactionCommands.begin(session);
        if (refused == null) {
          out.ok();
        }
        return refused;
      }
      case "discard" -> {
        String refused = TransactionCommands.discard(session, context.watches());
        if (refused == null) {
          out.ok();
        }
        return refused;
      }
      case "quit" -> {
        out.ok();
        return null;
      }
      case "exec" -> {
        // As Redis's rejectCommand of EXEC.
        return TransactionCommands.abortExec(
            session, context.watches(), context.scripts().busyReply());
      }
      default -> {
        if (session.multi() != null) {
          session.multi().abort();
        }
        return context.scripts().busyReply();
      }
    }
  }

  /**
   * Batches handed to the worker and not yet run to the end: while there are any (or the client is
   * blocked), its next requests must wait behind them so that replies keep their order.
   */
  final java.util.concurrent.atomic.AtomicInteger inFlight =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * While a script has run longer than {@code busy-reply-threshold}, answers on the event loop what
   * Redis answers meanwhile: SCRIPT KILL asks the script to stop, and a command that may not run
   * during a busy script gets {@code -BUSY}. The worker is busy with the script, so these answers
   * cannot wait for it. Only a connection with nothing in flight is answered here (its replies then
   * stay in order); from the first command that may run during a busy script (which waits for the
   * worker), the rest of the batch goes to the worker as usual. Returns what is left to dispatch,
   * or null.
   */
  private Batch answerWhileBusy(Batch batch) {
    if (!quietForScript(batch)) {
      return batch;
    }
    io.toridb.core.command.CommandTable commands = context.commands();
    int answered = 0;
    ByteBuf out = null;
    io.toridb.protocol.RespWriter writer = null;
    boolean close = false;
    for (; answered < batch.count && !close; answered++) {
      byte[][] argv = batch.requests[answered];
      io.toridb.core.command.CommandSpec base = commands.lookup(argv[0]);
      io.toridb.core.command.CommandSpec spec = base;
      // What Redis checks before the busy state: the command, its arity, authentication.
      String early = null;
      if (base == null) {
        early = Errors.unknownCommand(argv);
      } else if (base.isContainer() && (argv.length >= 2 || base.handler() == null)) {
        spec = argv.length >= 2 ? base.subcommand(argv[1]) : null;
        if (argv.length < 2) {
          early = Errors.wrongArity(base.fullName());
        } else if (spec == null) {
          early = Errors.unknownSubcommand(Errors.cString(argv[1]), base.name());
        }
      }
      if (early == null && !spec.arityAccepts(argv.length)) {
        early = Errors.wrongArity(spec.fullName());
      }
      if (early == null
          && !session.authenticated()
          && !spec.has(io.toridb.core.command.CommandFlag.NO_AUTH)) {
        early = Errors.NOAUTH;
      }
      String name = early == null ? spec.fullName() : "";
      boolean handledHere =
          switch (name) {
            case "script|kill",
                "function|kill",
                "function|stats",
                "multi",
                "discard",
                "quit",
                "exec" ->
                true;
            default -> false;
          };
      if (early == null
          && !handledHere
          && spec.has(io.toridb.core.command.CommandFlag.ALLOW_BUSY)) {
        break;
      }
      if (writer == null) {
        out = channel.alloc().buffer(128);
        writer = new io.toridb.protocol.RespWriter(out, session.protocol());
      }
      close = name.equals("quit");
      String error;
      if (early != null) {
        error = early;
        if (session.multi() != null) {
          session.multi().abort();
        }
      } else {
        error = answerDuringScript(name, argv, writer);
      }
      if (error != null) {
        writer.error(error);
        context.stats().countError(error);
        if (spec != null) {
          spec.rejectedCalls.increment();
        }
      }
    }
    if (close) {
      // QUIT: nothing after it runs.
      closing = true;
      channel.config().setAutoRead(false);
      releaseCumulation();
    }
    if (writer != null) {
      writer.flush();
      written(out.readableBytes());
      send(out, close);
    }
    if (close) {
      return null;
    }
    if (answered == batch.count && batch.protocolError == null) {
      if (holding) {
        // An unauthenticated client's next request waits for this one's outcome (resume).
        channel.eventLoop().execute(this::resume);
      }
      return null;
    }
    Batch rest = new Batch(this);
    for (int i = answered; i < batch.count; i++) {
      rest.add(batch.requests[i]);
    }
    rest.protocolError = batch.protocolError;
    return rest;
  }

  /**
   * Appends a read to the bytes not yet decoded. The common case (everything decoded last time)
   * keeps the read buffer itself; otherwise bytes are copied into a buffer that grows by doubling,
   * so a large request arriving in many reads costs linear copying.
   */
  private void cumulate(ChannelHandlerContext ctx, ByteBuf in) {
    if (cumulation == null) {
      cumulation = in;
      return;
    }
    int needed = cumulation.readableBytes() + in.readableBytes();
    if (cumulation.refCnt() == 1
        && !cumulation.isReadOnly()
        && cumulation.maxCapacity() >= needed
        && cumulation.writableBytes() >= in.readableBytes()) {
      cumulation.writeBytes(in);
      in.release();
      return;
    }
    int capacity =
        Math.max(needed, Math.min(Integer.MAX_VALUE / 2, cumulation.readableBytes()) * 2);
    ByteBuf grown = ctx.alloc().buffer(capacity);
    grown.writeBytes(cumulation).writeBytes(in);
    cumulation.release();
    in.release();
    cumulation = grown;
  }

  private void dispatch(Batch batch) {
    if (pending == null && submit(batch)) {
      return;
    }
    if (pending != null) {
      // Reads are paused while a batch waits, so at most one can be pending; merge to be safe.
      pending.absorb(batch);
      pending.resume |= batch.resume;
      return;
    }
    pending = batch;
    channel.config().setAutoRead(false);
    retryPending();
  }

  /** Hands a batch to the worker, counting it in flight until the worker has run it. */
  private boolean submit(Batch batch) {
    inFlight.incrementAndGet();
    if (worker.submit(batch, wakeups)) {
      return true;
    }
    inFlight.decrementAndGet();
    return false;
  }

  /** Called by the worker, once per batch, when it has run it (before batchDone). */
  void batchFinished(Batch batch) {
    if (!batch.finished) {
      batch.finished = true;
      inFlight.decrementAndGet();
    }
  }

  private void retryPending() {
    channel
        .eventLoop()
        .schedule(
            () -> {
              if (pending == null || !channel.isActive()) {
                pending = null;
                return;
              }
              if (submit(pending)) {
                pending = null;
                updateAutoRead();
              } else {
                retryPending();
              }
            },
            100,
            TimeUnit.MICROSECONDS);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // A client that does not read its replies stops being read from, instead of growing memory.
    updateAutoRead();
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * Reads from the client only while nothing holds reading off: a protocol error or close in
   * progress, a batch waiting for room in the worker's queue, an unauthenticated request with the
   * worker, a client not reading its replies, or shutdown.
   */
  private void updateAutoRead() {
    channel
        .config()
        .setAutoRead(
            !closing
                && pending == null
                && !holding
                && heldForScript == null
                && channel.isWritable()
                && !server.isShuttingDown());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof java.io.IOException)) {
      log.warn("Closing client {} after an unexpected error", session.id(), cause);
    }
    ctx.close();
  }

  private void releaseCumulation() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }

  static String address(java.net.SocketAddress a) {
    if (a instanceof InetSocketAddress i) {
      String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
      if (host.contains(":")) {
        int pct = host.indexOf('%');
        if (pct >= 0) {
          host = host.substring(0, pct);
        }
      }
      return host + ":" + i.getPort();
    }
    return String.valueOf(a);
  }
}
