package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.toridb.core.config.Config;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event loop waiting for a worker's commit ({@link Worker#awaitIdle}): it waits exactly until
 * the idle task after its requests has ended, never past its deadline, and only when the worker's
 * last idle task committed the log ({@link Worker#worthAwaiting}).
 */
class WorkerTest {
  /** Whether the next idle task blocks until {@link #release} and then reports a commit. */
  private final AtomicBoolean armed = new AtomicBoolean();

  private final AtomicBoolean commits = new AtomicBoolean();
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final ToriServer server = new ToriServer(Config.standard());
  private final Worker worker = new Worker(0, 16, server.context(), this::idleTask);
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final WorkerWakeups wakeups = new WorkerWakeups(channel.eventLoop(), () -> {}, true);

  private boolean idleTask() {
    if (armed.getAndSet(false)) {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return true;
    }
    return commits.get();
  }

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    worker.requestStop();
    worker.awaitStop(10_000);
    channel.finishAndReleaseAll();
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

  /**
   * Hands {@code batches} to the worker from an event-loop iteration of a loop that may wait or
   * not, and returns whether the loop waited for the commit (it then sends the released replies
   * itself).
   */
  private boolean loopWaited(boolean mayAwait, Batch... batches) throws Exception {
    io.netty.channel.EventLoopGroup group =
        new io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.netty.channel.nio.NioIoHandler.newFactory());
    io.netty.channel.EventLoop loop = group.next();
    try {
      java.util.concurrent.atomic.AtomicInteger sent =
          new java.util.concurrent.atomic.AtomicInteger();
      WorkerWakeups onLoop = new WorkerWakeups(loop, sent::incrementAndGet, mayAwait);
      loop.submit(
              () -> {
                for (Batch b : batches) {
                  assertTrue(worker.submit(b, onLoop));
                }
              })
          .get(10, TimeUnit.SECONDS);
      // The wake-ups (and any wait) run after that iteration, before this task.
      loop.submit(() -> {}).get(10, TimeUnit.SECONDS);
      return sent.get() > 0;
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aLoneLoopWaits_forUnpipelinedRequests_onlyAfterACommit() throws Exception {
    worker.start();
    assertFalse(loopWaited(true, batch(1), batch(1)), "the worker has not committed yet");
    commits.set(true);
    submitBatch();
    awaitIdleOf(worker);
    assertTrue(loopWaited(true, batch(1), batch(1)), "unpipelined requests after a commit");
    assertFalse(loopWaited(true, batch(1), batch(3)), "a pipelined batch in the iteration");
    assertFalse(loopWaited(false, batch(1), batch(1)), "one loop among several");
  }

  private static Thread loop(Runnable waiting) {
    Thread t = new Thread(waiting, "test-loop");
    t.start();
    return t;
  }

  @Test
  void theLoopWaitsUntilTheIdleTaskAfterItsRequestsHasEnded() throws Exception {
    worker.start();
    armed.set(true);
    submitBatch();
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Thread loop = loop(() -> worker.awaitIdle(deadline));
    loop.join(300);
    assertTrue(loop.isAlive(), "the loop stopped waiting while the commit was still running");
    release.countDown();
    loop.join(10_000);
    assertFalse(loop.isAlive(), "the loop was not told that the commit had ended");
  }

  @Test
  void theLoopWaitsForRequestsTheWorkerHasNotTakenYet() throws Exception {
    // Not started: the batch stays queued, and the loop waits for it until its deadline.
    submitBatch();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Thread loop = loop(() -> worker.awaitIdle(deadline));
    loop.join(300);
    assertTrue(loop.isAlive(), "the loop stopped waiting with a batch still queued");
    worker.start();
    loop.join(10_000);
    assertFalse(loop.isAlive(), "the loop was not told that the worker had gone idle");
  }

  @Test
  void theLoopGoesOnAtItsDeadline_whileTheCommitStillRuns() throws Exception {
    worker.start();
    armed.set(true);
    submitBatch();
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    Thread loop = loop(() -> worker.awaitIdle(System.nanoTime() + 50_000_000L));
    loop.join(10_000);
    assertFalse(loop.isAlive(), "the loop waited past its deadline");
    assertTrue(release.getCount() == 1, "the commit was still running");
  }

  @Test
  void theLoopWaitsOnlyAfterAnIdleTaskThatCommitted() throws Exception {
    assertFalse(worker.worthAwaiting(), "nothing committed yet");
    worker.start();
    commits.set(true);
    submitBatch();
    awaitIdleOf(worker);
    assertTrue(worker.worthAwaiting(), "the last idle task committed the log");
    commits.set(false);
    submitBatch();
    awaitIdleOf(worker);
    assertFalse(worker.worthAwaiting(), "the last idle task had nothing to commit");
  }

  private static void awaitIdleOf(Worker worker) throws InterruptedException {
    Thread loop = loop(() -> worker.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(30)));
    loop.join(30_000);
    assertFalse(loop.isAlive());
  }
}
