package io.toridb.server;

import io.toridb.core.server.ServerContext;
import java.util.concurrent.atomic.AtomicInteger;

/** The fixed pool of workers; new connections are spread over it round-robin. */
final class WorkerPool {
  private final Worker[] workers;
  private final AtomicInteger next = new AtomicInteger();

  /** {@code whenIdle} runs on a worker whenever it runs out of requests (see {@link Worker}). */
  WorkerPool(
      int size,
      int queueCapacity,
      ServerContext server,
      java.util.function.BooleanSupplier whenIdle) {
    workers = new Worker[size];
    for (int i = 0; i < size; i++) {
      workers[i] = new Worker(i, queueCapacity, server, whenIdle);
    }
  }

  void start() {
    for (Worker w : workers) {
      w.start();
    }
  }

  int size() {
    return workers.length;
  }

  /** Marks of every worker's batch in progress (see {@link Worker#settleMark}). */
  long[] settleMarks() {
    long[] marks = new long[workers.length];
    for (int i = 0; i < workers.length; i++) {
      marks[i] = workers[i].settleMark();
    }
    return marks;
  }

  /** Whether every batch in progress when {@code marks} were taken has ended. */
  boolean settledSince(long[] marks) {
    for (int i = 0; i < workers.length; i++) {
      if (!workers[i].settledSince(marks[i])) {
        return false;
      }
    }
    return true;
  }

  /** The worker a new connection is pinned to. */
  Worker assign() {
    return workers[Math.floorMod(next.getAndIncrement(), workers.length)];
  }

  /** Lets every worker finish what is queued, then stops it; waits {@code millis} in all. */
  void stop(long millis) throws InterruptedException {
    for (Worker w : workers) {
      w.requestStop();
    }
    long deadline = System.currentTimeMillis() + millis;
    for (Worker w : workers) {
      w.awaitStop(deadline - System.currentTimeMillis());
    }
  }
}
