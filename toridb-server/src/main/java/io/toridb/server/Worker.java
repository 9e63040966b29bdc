package io.toridb.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.server.CountingThread;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import io.toridb.protocol.RespWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread of the fixed worker pool. Event loops offer batches to its bounded MPSC queue; the
 * worker drains them in order, runs each request through its {@link CommandExecutor}, and writes
 * all replies of a batch into one buffer that is flushed once.
 *
 * <p>Implementation notes: when the queue is empty the worker spins briefly and then parks;
 * producers unpark it only if it has announced that it is parking, so a busy worker costs its
 * producers no system call. The parked flag is written before the final emptiness check and read
 * after the offer (both sequentially consistent), so a wake-up cannot be lost; a bounded park is a
 * second guard.
 *
 * <p>Before it spins, and after every {@link #COMMIT_BATCHES} batches run without a pause, the
 * worker runs {@code whenIdle}: under {@code appendfsync always}, the log's group commit ({@link
 * io.toridb.persistence.aof.AofWriter#commitIdle}), done here so that requests arriving during one
 * fsync queue up for the next.
 *
 * <p>While the worker runs what an event loop handed it and commits it, that loop may wait for it
 * ({@link #awaitIdle}), as Redis's one thread is busy with the fsync: the requests that arrive
 * meanwhile are then all read in the loop's next iteration and make one group, instead of waking
 * the loop one by one. Each idle task that ends wakes the waiting loop, which sends the replies
 * that task released at once, even when more work is queued and it goes on waiting.
 *
 * <p>{@code busy} is set (volatile) before a batch leaves the queue, and the queue marks the batch
 * taken with an ordered store: a loop that reads the queue as empty (an acquiring load) and then
 * {@code busy} sees the batch either queued or being run. The worker clears {@code busy} after the
 * idle task and then reads {@code waiter}; the loop sets {@code waiter} before it reads the queue
 * and {@code busy} (all volatile but the queue's indices), so it either sees that it need not wait
 * or is unparked. Where the queue's ordered store would let a check slip, the deadline bounds the
 * wait.
 */
final class Worker implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  private static final int SPINS = 64;
  private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /**
   * Batches a worker runs back to back before it runs {@code whenIdle} anyway, so that a worker
   * that never runs out of requests still commits the log: about one batch per connection of a
   * benchmark with 50 clients.
   */
  static final int COMMIT_BATCHES = 64;

  private final int index;
  private final MpscArrayQueue<Batch> queue;
  private final CommandExecutor executor;
  private final java.util.function.BooleanSupplier whenIdle;
  private final Thread thread;
  private volatile boolean parked;
  private volatile boolean running = true;

  /** Set from taking a batch until the idle task after it has ended. */
  private volatile boolean busy;

  /** Whether the last idle task committed the log (so waiting for the next one pays off). */
  private volatile boolean committed;

  /** An event loop waiting in {@link #awaitIdle}, to be unparked when the worker goes idle. */
  private volatile Thread waiter;

  /** How many idle tasks have ended: a waiting loop sends the replies of each. */
  private volatile long idleEnds;

  /**
   * Batches run so far, for {@link #settledSince}: written by this worker alone. Volatile, so that
   * the worker's next read of the pause state cannot come before others see the count (one fence a
   * batch, as {@code busy} costs).
   */
  private volatile long batchesRun;

  Worker(
      int index,
      int queueCapacity,
      ServerContext server,
      java.util.function.BooleanSupplier whenIdle) {
    this.index = index;
    this.queue = new MpscArrayQueue<>(queueCapacity);
    this.executor = new CommandExecutor(server);
    this.whenIdle = whenIdle;
    this.thread = new WorkerThread(this, "toridb-worker-" + index);
  }

  /** A worker's thread: the log's group commit runs on it (see {@link #COMMIT_BATCHES}). */
  private static final class WorkerThread extends CountingThread
      implements io.toridb.persistence.aof.AofWriter.Committer {
    WorkerThread(Runnable task, String name) {
      super(task, name);
    }
  }

  int index() {
    return index;
  }

  Thread thread() {
    return thread;
  }

  void start() {
    thread.start();
  }

  /**
   * Offers a batch; false when the queue is full and the caller must retry later. The worker is
   * woken through {@code wakeups}, after the caller's loop iteration.
   */
  boolean submit(Batch batch, WorkerWakeups wakeups) {
    if (!queue.offer(batch)) {
      return false;
    }
    wakeups.wakeLater(this, batch.count);
    return true;
  }

  /** Unparks the worker if it parks; called after an offer. */
  void wake() {
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  /** Asks the worker to stop once its queue is drained; see {@link #awaitStop}. */
  void requestStop() {
    running = false;
    LockSupport.unpark(thread);
  }

  /** Waits at most {@code millis} for the worker to stop. */
  void awaitStop(long millis) throws InterruptedException {
    thread.join(Math.max(1, millis));
  }

  @Override
  public void run() {
    io.toridb.core.scripting.ScriptCache.whileBusyOnThisThread(this::handBackQueued);
    int idle = 0;
    int inRow = 0;
    while (true) {
      Batch batch = null;
      if (this.busy) {
        batch = next();
      } else if (hasWork()) {
        // Before the batch leaves the queue, so that a loop that finds the queue empty sees it.
        // (The only consumer: once the queue is not empty, poll returns a batch.)
        this.busy = true;
        batch = next();
      }
      if (batch != null) {
        idle = 0;
        if (++inRow >= COMMIT_BATCHES) {
          inRow = 0;
          idle();
          idleEnds++;
          wakeWaiter();
        }
        try {
          process(batch);
        } catch (Throwable t) {
          // Whatever went wrong (out of direct memory, an event loop shutting down), this worker
          // must survive: every connection pinned to it would otherwise hang.
          log.error(
              "Worker {} dropped a batch; closing client {}",
              index,
              batch.connection.session().id(),
              t);
          batch.connection.channel().close();
        }
        continue;
      }
      if (!running) {
        idle();
        idleEnded();
        return;
      }
      if (idle == 0) {
        inRow = 0;
        idle();
        idleEnded();
      }
      if (idle++ < SPINS) {
        Thread.onSpinWait();
        continue;
      }
      parked = true;
      if (!hasWork() && running) {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
      parked = false;
      idle = 0;
    }
  }

  /** After the idle task that follows the batches: tells a waiting loop. */
  private void idleEnded() {
    idleEnds++;
    this.busy = false;
    wakeWaiter();
  }

  private void wakeWaiter() {
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  private void idle() {
    try {
      committed = whenIdle.getAsBoolean();
    } catch (Throwable e) {
      // As for a batch: this worker must survive whatever went wrong.
      committed = false;
      log.error("Worker {}: the idle task failed", index, e);
    }
  }

  /** Whether this worker has nothing queued or running (read by the idle-client check). */
  boolean quiet() {
    return !busy && !hasWork();
  }

  /**
   * Whether an event loop that just handed this worker requests should wait for it: only while its
   * idle task commits the log (under {@code appendfsync always} with writes coming in), where the
   * loop would otherwise be woken by each request that arrives during the fsync, and only one
   * request at a time could join the next group.
   */
  boolean worthAwaiting() {
    return committed;
  }

  /**
   * Called by an event loop after handing this worker requests: waits, until {@code deadline} at
   * the latest ({@link System#nanoTime}), for the worker to have run everything queued to it and
   * its idle task (the log's commit, which releases the replies) to have ended. Runs {@code
   * released} (on the calling thread) whenever an idle task ends while it waits on, so that the
   * replies of a commit are not held back until the wait ends.
   */
  void awaitIdle(long deadline, Runnable released) {
    waiter = Thread.currentThread();
    try {
      long ends = idleEnds;
      while (hasWork() || busy) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !running) {
          return;
        }
        LockSupport.parkNanos(this, left);
        long now = idleEnds;
        if (now != ends) {
          ends = now;
          released.run();
        }
      }
    } finally {
      waiter = null;
    }
  }

  /**
   * Batches taken off the queue while a script ran (see {@link #handBackQueued}) that must still
   * run here, in order, before anything left in the queue.
   */
  private final java.util.concurrent.ConcurrentLinkedDeque<Batch> kept =
      new java.util.concurrent.ConcurrentLinkedDeque<>();

  /** The batch being run, whose connection's later batches stay with this worker. */
  private Batch current;

  private Batch next() {
    Batch b = kept.pollFirst();
    return b != null ? b : queue.poll();
  }

  private boolean hasWork() {
    return !kept.isEmpty() || !queue.isEmpty();
  }

  /**
   * Called on this worker's thread while a script it runs is busy: gives the batches queued behind
   * the script back to their connections' event loops, which answer them as Redis answers requests
   * during a busy script (-BUSY, SCRIPT KILL, ...). They reached the queue in the moment before the
   * script began; otherwise they would wait behind it. A connection's batches stay here, in order,
   * when it is the script's own, is blocked in a command, or sent a batch that resumes it or ends
   * in a protocol error: those must run on this worker.
   */
  void handBackQueued() {
    if (queue.isEmpty()) {
      return;
    }
    java.util.List<Batch> taken = new java.util.ArrayList<>();
    Batch b;
    while ((b = queue.poll()) != null) {
      taken.add(b);
    }
    java.util.Set<ClientConnection> stay =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    if (current != null) {
      stay.add(current.connection);
    }
    for (Batch t : taken) {
      if (t.resume
          || t.protocolError != null
          || t.connection.parked
          || t.connection.session().master()) {
        stay.add(t.connection);
      }
    }
    java.util.Map<ClientConnection, java.util.List<Batch>> back = new java.util.LinkedHashMap<>();
    for (Batch t : taken) {
      if (stay.contains(t.connection)) {
        kept.addLast(t);
      } else {
        back.computeIfAbsent(t.connection, c -> new java.util.ArrayList<>()).add(t);
      }
    }
    back.forEach(ClientConnection::takeBack);
  }

  private void process(Batch batch) {
    try {
      runBatch(batch);
    } finally {
      batch.connection.batchFinished(batch);
      batchesRun = batchesRun + 1;
    }
  }

  /**
   * A mark for {@link #settledSince}: the batches run so far, or -1 when this worker is not busy.
   * Taken after a change every command checks (a client pause), it tells when the commands that
   * were already past the check have finished: {@code busy} and the pause are both volatile, so
   * either the mark sees the worker busy, or the worker's next command sees the change.
   */
  long settleMark() {
    return busy ? batchesRun : -1;
  }

  /** Whether the batch running when {@code mark} was taken has ended (see {@link #settleMark}). */
  boolean settledSince(long mark) {
    return mark < 0 || !busy || batchesRun != mark;
  }

  private void runBatch(Batch batch) {
    Batch submitted = batch;
    current = batch;
    ClientConnection conn = batch.connection;
    Channel channel = conn.channel();
    ClientSession session = conn.session();
    if (!channel.isActive() || session.killed()) {
      return;
    }
    boolean resuming = false;
    if (conn.parked) {
      // The client waits in a blocking command: hold its later requests back, in order, until the
      // resume batch that ends the wait.
      conn.parkedRest.absorb(batch);
      if (!batch.resume) {
        return;
      }
      batch = conn.parkedRest;
      conn.parked = false;
      conn.parkedRest = null;
      resuming = true;
    }
    ByteBuf out = channel.alloc().ioBuffer(256);
    RespWriter writer = executor.context().out();
    writer.reset(out, session.protocol());
    boolean close = false;
    boolean parked = false;
    // Only the link to a primary marks its thread (a thread-local write), not every batch.
    boolean fromPrimary = session.master();
    executor.beginBatch();
    try {
      if (fromPrimary) {
        io.toridb.core.keyspace.Keyspace.applyingPrimary(true);
      }
      for (int i = 0; i < batch.count; i++) {
        writer.protocol(session.protocol());
        int mark = out.writerIndex();
        executor.execute(session, batch.requests[i]);
        // A command postponed by a client pause has not run: it stays first of those held back.
        boolean postponed = executor.context().postponed();
        if (fromPrimary && !postponed) {
          // The primary reads no replies: they are dropped, its offset counts the request.
          conn.appliedFromPrimary(batch.requests[i], out, mark);
        }
        if (session.closeAfterReply() || session.killed()) {
          close = true;
          break;
        }
        if (postponed || executor.context().parked()) {
          Batch rest = new Batch(conn);
          for (int j = postponed ? i : i + 1; j < batch.count; j++) {
            rest.add(batch.requests[j]);
          }
          rest.protocolError = batch.protocolError;
          conn.parkedRest = rest;
          conn.parked = true;
          parked = true;
          break;
        }
      }
      if (batch.protocolError != null && !close && !parked) {
        writer.error(batch.protocolError);
        close = true;
      }
    } catch (Throwable t) {
      log.error("Worker {} failed on a batch from client {}", index, session.id(), t);
      close = true;
    } finally {
      if (fromPrimary) {
        io.toridb.core.keyspace.Keyspace.applyingPrimary(false);
      }
      executor.endBatch();
      writer.reset(null, 2);
    }
    conn.written(out.readableBytes());
    if (close || out.isReadable()) {
      conn.send(out, close);
    } else {
      out.release();
    }
    // Before the tasks below reach the event loop, which reads the count.
    conn.batchFinished(submitted);
    if (resuming && !parked && !close) {
      conn.resumeDecoding();
    }
    conn.batchDone();
  }
}
