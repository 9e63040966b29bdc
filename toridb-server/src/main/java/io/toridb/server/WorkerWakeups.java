package io.toridb.server;

import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;

/**
 * Wakes the workers an event loop handed work to, once, after the loop has read every connection
 * that was ready, instead of once per request. Waking a parked worker costs a system call and a
 * context switch; under many unpipelined clients a worker would otherwise be woken for one batch,
 * drain it, park, and be woken again for the next batch of the same loop iteration.
 *
 * <p>Implementation notes: event-loop thread only. A batch is offered to the worker's queue before
 * the worker is noted here, and the wake-up (which unparks the worker if it has announced that it
 * parks) runs after that, so the argument in {@link Worker} that no wake-up is lost still holds.
 * When the loop cannot run tasks after its iteration, the worker is woken at once.
 *
 * <p>Under {@code appendfsync always}, when a worker woken here commits the log whenever it runs
 * out of requests, the loop then waits for it (at most {@link #AWAIT_NANOS}) and sends the replies
 * the commit released before it reads again: Redis's cycle (read every ready client, run, write and
 * force the log once, reply to all), with the fsync on the worker. Without the wait the loop wakes
 * for each client that sends during the fsync, and those requests trickle into small groups; with
 * it, they wait in their sockets and the next iteration reads them together. Unpipelined SET under
 * {@code always}: 1.18x the requests per second at 0.87x the CPU per request (see
 * docs/performance.md). Replies a commit releases while the loop waits on (more work was queued)
 * are sent as that commit ends.
 *
 * <p>The loop waits only for iterations whose batches each held one request, and only when it is
 * the server's one event loop. Pipelined batches make large groups anyway, and there the loop's
 * reading and sending overlapping the worker's commands is worth more (with two workers, waiting
 * cost a tenth of pipelined throughput). And a worker that other loops feed too may not run out of
 * requests before the deadline, so a loop among several would often wait for nothing.
 */
final class WorkerWakeups implements Runnable {
  private final SingleThreadEventLoop loop;
  private Worker[] noted = new Worker[4];
  private int count;
  private boolean scheduled;

  /** Whether this loop may wait for its workers' commits: it is the server's only loop. */
  private final boolean mayAwait;

  /** Whether a batch of this iteration held more than one request. */
  private boolean pipelined;

  /**
   * The longest a loop waits for a worker's commit: several fsyncs of an SSD (0.1-0.2 ms on the
   * development machine). A slower disk, or a long command, lets the loop go on reading meanwhile
   * (it still sends the replies of each commit that ends while it waits).
   */
  static final long AWAIT_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);

  /** Sends the replies queued for this loop's connections (its {@link ReplyQueue}). */
  private final Runnable replies;

  WorkerWakeups(EventLoop loop, Runnable replies, boolean mayAwait) {
    this.loop = loop instanceof SingleThreadEventLoop s ? s : null;
    this.replies = replies;
    this.mayAwait = mayAwait;
  }

  /**
   * Wakes {@code worker}, just handed a batch of {@code requests}, at the end of this loop
   * iteration (at once if that is not possible).
   */
  void wakeLater(Worker worker, int requests) {
    if (requests > 1) {
      pipelined = true;
    }
    if (loop == null) {
      worker.wake();
      return;
    }
    for (int i = 0; i < count; i++) {
      if (noted[i] == worker) {
        return;
      }
    }
    if (count == noted.length) {
      noted = java.util.Arrays.copyOf(noted, count * 2);
    }
    noted[count++] = worker;
    if (!scheduled) {
      scheduled = true;
      try {
        loop.executeAfterEventLoopIteration(this);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        run();
      }
    }
  }

  @Override
  public void run() {
    scheduled = false;
    for (int i = 0; i < count; i++) {
      noted[i].wake();
    }
    boolean waited = false;
    long deadline = 0;
    boolean await = mayAwait && !pipelined;
    pipelined = false;
    for (int i = 0; i < count; i++) {
      if (await && noted[i].worthAwaiting()) {
        if (!waited) {
          waited = true;
          deadline = System.nanoTime() + AWAIT_NANOS;
        }
        noted[i].awaitIdle(deadline, replies);
      }
      noted[i] = null;
    }
    count = 0;
    if (waited) {
      replies.run();
    }
  }
}
