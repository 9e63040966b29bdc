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
 */
final class WorkerWakeups implements Runnable {
  private final SingleThreadEventLoop loop;
  private Worker[] noted = new Worker[4];
  private int count;
  private boolean scheduled;

  WorkerWakeups(EventLoop loop) {
    this.loop = loop instanceof SingleThreadEventLoop s ? s : null;
  }

  /** Wakes {@code worker} at the end of this loop iteration (at once if that is not possible). */
  void wakeLater(Worker worker) {
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
      noted[i] = null;
    }
    count = 0;
  }
}
