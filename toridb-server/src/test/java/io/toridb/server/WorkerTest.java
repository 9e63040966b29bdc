package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.toridb.core.config.Config;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event loop waiting for a worker's commit ({@link Worker#awaitIdle}): it waits exactly until
 * the idle task after its requests has ended, never past its deadline, sends the replies of each
 * commit that ends meanwhile, and waits only when the worker's last idle task committed the log
 * ({@link Worker#worthAwaiting}) and the requests came unpipelined to the server's one loop.
 */
class WorkerTest {
  /**
   * Gates for the next idle tasks: each one that takes a gate waits for it and reports a commit.
   */
  private final LinkedBlockingQueue<CountDownLatch> gates = new LinkedBlockingQueue<>();

  private final List<CountDownLatch> allGates = new CopyOnWriteArrayList<>();
  private final Semaphore entered = new Semaphore(0);

  /** Idle tasks ended so far. */
  private final AtomicInteger passes = new AtomicInteger();

  /** What idle tasks without a gate report: whether they committed. */
  private final AtomicBoolean commits = new AtomicBoolean();

  private final ToriServer server = new ToriServer(Config.standard());
  private final Worker worker = new Worker(0, 16, server.context(), this::idleTask);
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final WorkerWakeups wakeups = new WorkerWakeups(channel.eventLoop(), () -> {}, true);

  private boolean idleTask() {
    try {
      CountDownLatch gate = gates.poll();
      if (gate != null) {
        entered.release();
        gate.await();
        return true;
      }
      return commits.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      passes.incrementAndGet();
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    allGates.forEach(CountDownLatch::countDown);
    worker.requestStop();
    worker.awaitStop(10_000);
    channel.finishAndReleaseAll();
  }

  /** Starts the worker and waits for the idle task it runs first, before any batch. */
  private void startWorker() throws InterruptedException {
    worker.start();
    awaitTrue(() -> passes.get() >= 1, "the worker's first idle task");
  }

  /** Makes the next idle task wait, as a commit waits for its fsync, until the gate opens. */
  private CountDownLatch holdNextCommit() {
    CountDownLatch gate = new CountDownLatch(1);
    allGates.add(gate);
    gates.add(gate);
    return gate;
  }

  /** Hands the worker a batch and returns once the idle task after it waits at its gate. */
  private CountDownLatch commitUnderWay() throws InterruptedException {
    CountDownLatch gate = holdNextCommit();
    submitBatch();
    assertTrue(entered.tryAcquire(10, TimeUnit.SECONDS), "the commit to start");
    return gate;
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
      Thread.sleep(1);
    }
  }

  /** A batch the worker takes and runs (its connection is closed, so it runs nothing). */
  private void submitBatch() {
    assertTrue(worker.submit(batch(1), wakeups));
  }

  private Batch batch(int requests) {
    ClientConnection connection = new ClientConnection(server, worker);
    channel.pipeline().addLast(connection);
    connection.channelActive(channel.pipeline().context(connection));
    channel.close();
    Batch batch = new Batch(connection);
    for (int i = 0; i < requests; i++) {
      batch.add(new byte[][] {"PING".getBytes()});
    }
    return batch;
  }

  /** A thread standing in for an event loop, waiting in {@link Worker#awaitIdle}. */
  private Thread loop(long waitNanos, Runnable released) {
    long deadline = System.nanoTime() + waitNanos;
    Thread t = new Thread(() -> worker.awaitIdle(deadline, released), "test-loop");
    t.start();
    return t;
  }

  private Thread loop(long waitNanos) {
    return loop(waitNanos, () -> {});
  }

  private static final long LONG = TimeUnit.SECONDS.toNanos(30);

  /**
   * Hands {@code batches} to the worker from an event-loop iteration of a loop that may wait or
   * not, and returns whether the loop waited for the commit (it then sends the released replies
   * itself).
   */
  private boolean loopWaited(boolean mayAwait, Batch... batches) throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    SingleThreadEventLoop loop = (SingleThreadEventLoop) group.next();
    try {
      AtomicInteger sent = new AtomicInteger();
      WorkerWakeups onLoop = new WorkerWakeups(loop, sent::incrementAndGet, mayAwait);
      CountDownLatch iterationOver = new CountDownLatch(1);
      loop.execute(
          () -> {
            for (Batch b : batches) {
              worker.submit(b, onLoop);
            }
            // Runs after the wake-ups (and any wait), which were scheduled first.
            loop.executeAfterEventLoopIteration(iterationOver::countDown);
          });
      assertTrue(iterationOver.await(10, TimeUnit.SECONDS));
      return sent.get() > 0;
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aLoneLoopWaits_forUnpipelinedRequests_onlyAfterACommit() throws Exception {
    startWorker();
    assertFalse(loopWaited(true, batch(1), batch(1)), "the worker has not committed yet");
    commits.set(true);
    submitBatch();
    loop(LONG).join(30_000);
    assertTrue(loopWaited(true, batch(1), batch(1)), "unpipelined requests after a commit");
    assertFalse(loopWaited(true, batch(1), batch(3)), "a pipelined batch in the iteration");
    assertFalse(loopWaited(false, batch(1), batch(1)), "one loop among several");
  }

  @Test
  void theLoopWaitsUntilTheIdleTaskAfterItsRequestsHasEnded() throws Exception {
    startWorker();
    CountDownLatch fsync = commitUnderWay();
    assertLoopWaitsUntil(fsync::countDown, "the commit was still running");
  }

  /** A loop keeps waiting (while {@code why}) until {@code end} runs, and is told then. */
  private void assertLoopWaitsUntil(Runnable end, String why) throws InterruptedException {
    Thread loop = loop(LONG);
    loop.join(300);
    assertTrue(loop.isAlive(), "the loop stopped waiting while " + why);
    end.run();
    loop.join(10_000);
    assertFalse(loop.isAlive(), "the loop was not told when that ended");
  }

  @Test
  void theLoopWaitsForRequestsTheWorkerHasNotTakenYet() throws Exception {
    // Not started: the batch stays queued, and the loop waits for it.
    submitBatch();
    assertLoopWaitsUntil(worker::start, "a batch was still queued");
  }

  @Test
  void theLoopGoesOnAtItsDeadline_whileTheCommitStillRuns() throws Exception {
    startWorker();
    commitUnderWay();
    Thread loop = loop(TimeUnit.MILLISECONDS.toNanos(50));
    loop.join(10_000);
    assertFalse(loop.isAlive(), "the loop waited past its deadline");
    assertEquals(1, passes.get(), "only the first idle task has ended: the commit still runs");
  }

  @Test
  void aCommitsReplies_areSentAsItEnds_whileTheLoopWaitsForMoreWork() throws Exception {
    startWorker();
    CountDownLatch first = commitUnderWay();
    CountDownLatch second = holdNextCommit();
    submitBatch();
    AtomicInteger sent = new AtomicInteger();
    Thread loop = loop(LONG, sent::incrementAndGet);
    awaitTrue(() -> loop.getState() == Thread.State.TIMED_WAITING, "the loop to wait");
    first.countDown();
    // The worker goes on with the second batch and its commit; the loop sends the first's replies.
    assertTrue(entered.tryAcquire(10, TimeUnit.SECONDS));
    awaitTrue(() -> sent.get() == 1, "the first commit's replies");
    assertTrue(loop.isAlive(), "the loop stopped waiting while the second commit still runs");
    second.countDown();
    loop.join(10_000);
    assertFalse(loop.isAlive());
    assertEquals(2, sent.get(), "the second commit's replies");
  }

  @Test
  void theLoopWaitsOnlyAfterAnIdleTaskThatCommitted() throws Exception {
    assertFalse(worker.worthAwaiting(), "nothing committed yet");
    startWorker();
    commits.set(true);
    submitBatch();
    loop(LONG).join(30_000);
    assertTrue(worker.worthAwaiting(), "the last idle task committed the log");
    commits.set(false);
    submitBatch();
    loop(LONG).join(30_000);
    assertFalse(worker.worthAwaiting(), "the last idle task had nothing to commit");
  }
}
