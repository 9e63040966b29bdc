package io.toridb.persistence.aof;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the log. Workers {@link #append} encoded records to an MPSC queue and go on; a drainer
 * takes everything queued, seals the records (CRC32C), writes them with one system call and forces
 * them to disk as {@code appendfsync} says.
 *
 * <p>Under {@code everysec} and {@code no} the drainer is a background thread at the lowest CPU
 * priority Linux has (nice {@value #BACKGROUND_NICE}, see {@link ThreadPriority}): it wakes every
 * {@value #IDLE_WRITE_MILLIS} ms, or at once after a pass that found work, and a thread that wakes
 * at normal priority takes a core from the event loop or a worker, stalling the requests in their
 * hands, where at the lowest it runs on the time they leave. It leaves to the writer thread, at
 * normal priority, what may hold the drain long: the fsync of each second, a file switch, retries
 * after an error (a thread at the lowest priority holding a lock while the machine is busy makes
 * whoever needs it next wait for its CPU time too). The writer thread also does what it is asked (a
 * change of policy, the close) and, when no pass has ended for {@value #BACKGROUND_STALL_MILLIS} ms
 * (the background thread gets no CPU time on a machine busy with other work), the passes itself.
 * Under {@code always} the writer thread and the workers drain.
 *
 * <p>With {@code always}, a reply that follows a write must wait until that write is on disk:
 * {@link #deferUntilDurable} hands the writer the reply's release, which it runs after the fsync
 * covering every record appended before the reply was deferred. One fsync covers all the records of
 * a drain (group commit), however many clients wrote them. The workers ({@link Committer} threads)
 * do that drain themselves when they run out of requests ({@link #commitIdle}), as Redis writes and
 * forces its log before its event loop sleeps: the requests that come in while the worker waits for
 * the fsync queue up, so the next fsync covers all of them, and no thread is woken for it. Every
 * other thread's deferral wakes the writer thread, which also takes over when a worker finds the
 * drain already in other hands.
 *
 * <p>Under {@code always} the writer keeps zero bytes written ahead of its records ({@link
 * #RESERVE_BYTES} at a time): records then overwrite blocks the file already has, so an fsync
 * flushes only them and not a new file size (a journal commit on most file systems), which made
 * each fsync markedly cheaper (see docs/performance.md). The zeros are written and forced before
 * any record reaches the last {@link #RESERVE_MARGIN} bytes of them, so the file on disk always
 * ends in zeros while it is written this way: overwrites, unlike appends, may reach the disk in any
 * order, and a crash in the middle of an fsync can leave a later block of the batch written and an
 * earlier one not; the reader takes a file that ends in zeros as one that was being written when it
 * stopped and cuts it at its first bad record, which (every acknowledged record having been covered
 * by an fsync that covered everything before it) loses nothing acknowledged. A batch larger than
 * {@link #PIECE_BYTES} is written and forced a piece at a time, so what a crash can leave out of
 * order stays within one piece, near the first bad record, where the reader looks for it. The zeros
 * past the last record are cut off when the file is closed or switched; a crash leaves them, and
 * loading removes them (see {@link AofReader.Outcome#PADDED}).
 *
 * <p>On a write or fsync error (a full disk) the writer reports the error through {@code onStatus},
 * which makes the server refuse writes, and keeps every record not yet known to be on disk. It
 * retries once a second: it cuts the file back to the last offset known to be on disk, writes those
 * records again and forces them. So the file never holds a partial record followed by more records,
 * and nothing acknowledged is lost; once the disk recovers, so does the server.
 *
 * <p>Implementation notes: whoever drains (the writer thread, the background thread, or a worker in
 * {@link #commitIdle}) holds {@code drainLock}, so the fields marked as the drainer's are only ever
 * used by one thread at a time. A record's sequence number is its place in the queue, so appending
 * takes no counter of its own (one contended atomic operation per write fewer): the writer numbers
 * what it takes off the queue ({@code taken}), and a deferred release waits for the queue's
 * producer count at the time it was deferred, which counts every record appended before it. A
 * release is run once {@code durable} reaches that number; releases are kept in arrival order, and
 * a connection's releases have non-decreasing numbers, so each connection's replies stay in order.
 */
public final class AofWriter implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(AofWriter.class);
  private static final long RETRY_MILLIS = 1000;
  private static final long EVERYSEC_MILLIS = 1000;

  /**
   * Under always, how long the writer thread sleeps when nothing wakes it: the workers drain the
   * log themselves, and this bounds how long a record no reply waits for (an expired key's
   * deletion) may stay off the disk.
   */
  private static final long ALWAYS_IDLE_MILLIS = 50;

  /**
   * Under always, how long records or replies may wait with nobody draining the log (a worker busy
   * with a long command, or with the 64 batches it runs between commits) before the writer thread
   * drains it itself.
   */
  private static final long STALL_MILLIS = 1;

  /**
   * Under everysec, the memory held by pending bytes that brings the next fsync forward, so that a
   * burst of large writes does not hold more than this (kept for a retry) until the second is over.
   */
  static final long EARLY_FSYNC_BYTES = 32 << 20;

  /**
   * How long the background thread sleeps under everysec and no after a pass that found nothing to
   * do, where nothing wakes it: a wake-up costs more than the write it makes, so fewer, larger
   * writes halve its CPU, and a few milliseconds before the OS has the data is nothing next to
   * everysec's second.
   */
  static final long IDLE_WRITE_MILLIS = 5;

  /**
   * Under everysec and no, how long records may wait with no pass made before the writer thread, at
   * normal priority, makes one itself: the background thread, at the lowest priority, runs on what
   * CPU time the other threads leave, and a machine busy with other work could leave it none.
   */
  static final long BACKGROUND_STALL_MILLIS = 50;

  /** The nice value of the background thread (the lowest priority Linux has). */
  static final int BACKGROUND_NICE = 19;

  /**
   * How many zero bytes the writer adds past its records at a time under {@code always}. The fsync
   * after an extension also writes the zeros and the new size (about 1.3 ms for 1 MB here, against
   * 0.2 ms for an fsync of records alone), so a larger step makes rarer but longer pauses.
   */
  static final int RESERVE_BYTES = 1 << 20;

  /** Zeros kept past any record written: a few blocks, so the file on disk ends in zeros. */
  static final int RESERVE_MARGIN = 16 << 10;

  /**
   * Under {@code always}, the most bytes written over zeros between two forces: a larger batch (a
   * large value) goes out in pieces of this size, each forced before the next, so that a crash
   * during a force leaves at most one piece written in part (see {@link AofReader}).
   */
  static final int PIECE_BYTES = RESERVE_BYTES / 2;

  /**
   * A source of zeros for extending the file, made when first needed and shared by every writer.
   */
  private static final class Zeros {
    static final ByteBuffer BUFFER = ByteBuffer.allocateDirect(RESERVE_BYTES).asReadOnlyBuffer();
  }

  /** When the log is forced to disk; the names are appendfsync's values. */
  public enum Fsync {
    ALWAYS,
    EVERYSEC,
    NO;

    public static Fsync of(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** A switch to the file {@code next}, queued among the records (which are queued as they are). */
  private record Switch(LogFile next, Consumer<String> switched) {
    /** Closes the unused file and tells the requester why the switch did not happen. */
    void refuse(String why) {
      try {
        next.close();
      } catch (IOException e) {
        log.debug("Closing an unused AOF file: {}", e.toString());
      }
      switched.accept(why);
    }
  }

  private record Deferred(long seq, Runnable release) {}

  /**
   * A thread that calls {@link #commitIdle} whenever it runs out of work (a worker): its appends
   * and deferrals under always do not wake the writer thread.
   */
  public interface Committer {}

  /**
   * Encoded records ({@code byte[]}), runs of records written together ({@code byte[][]}) and
   * {@link Switch}es, in log order.
   */
  private final MpscUnboundedArrayQueue<Object> queue = new MpscUnboundedArrayQueue<>(4096);

  /**
   * Bytes of the records in {@link #queue}: appending threads add to their own cells, the writer
   * takes off what it drains, so appending costs no shared atomic update.
   */
  private final io.toridb.core.server.Counter queuedBytes = new io.toridb.core.server.Counter();

  /** What the writer's pending bytes were after its last pass: not yet written, and held. */
  private volatile long unwrittenShown;

  private volatile long heldShown;

  private final MpscUnboundedArrayQueue<Deferred> deferredIn = new MpscUnboundedArrayQueue<>(1024);
  private final Thread thread;

  /** Makes the passes under everysec and no, at the lowest priority (see the class comment). */
  private final Thread background;

  /** When the last pass ended (System.nanoTime), whoever made it. */
  private volatile long lastPassNanos = System.nanoTime();

  private final Consumer<String> onStatus;
  private volatile Fsync fsync;
  private volatile boolean running = true;
  private volatile boolean stopped;
  private volatile boolean parked;

  /** Set while the writer thread sleeps long under always with nothing waiting. */
  private volatile boolean idleWait;

  /** Set by whoever wants the writer thread to make a pass; cleared as it starts one. */
  private volatile boolean asked;

  private volatile long durable;
  private volatile long written;
  private volatile String error;

  /** Set by {@link #broken}: the error is for good. */
  private volatile boolean broken;

  private volatile long size;

  /** Held by whoever drains the queue and writes: the writer or background thread, or a worker. */
  private final ReentrantLock drainLock = new ReentrantLock();

  // The drainer's (whoever holds drainLock).
  private LogFile file;
  private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();

  /** Entries taken off the queue so far: the sequence number of the last one. */
  private long taken;

  /** Records written (or to be written) since the last offset known to be on disk. */
  private final PendingBytes pending = new PendingBytes();

  /** How many of the pending bytes are written to the file. */
  private long pendingWritten;

  private long durableSize;

  /** Where the file ends, zeros reserved past the records included (see {@link #reserve}). */
  private long fileEnd;

  /** The file size at the last force; under appendfsync no, writes are counted durable before. */
  private long forcedSize;

  private long lastFsyncMillis = System.currentTimeMillis();
  private long retryAtMillis;

  /**
   * @param file the log to append to, at its current end
   * @param fsync the initial policy
   * @param onStatus told the error text when writing starts failing, and null when it works again
   */
  public AofWriter(LogFile file, Fsync fsync, Consumer<String> onStatus) throws IOException {
    this.file = file;
    this.fsync = fsync;
    this.onStatus = onStatus;
    this.size = file.size();
    this.fileEnd = size;
    this.durableSize = size;
    this.forcedSize = size;
    this.thread = new Thread(this, "toridb-aof-writer");
    thread.setDaemon(true);
    this.background = new Thread(this::runBackground, "toridb-aof-idle");
    background.setDaemon(true);
  }

  public void start() {
    start(true);
  }

  /**
   * Starts the writer thread, and the background thread if {@code background}: without it (as on a
   * machine too busy to give it any CPU time), the writer thread does its work under everysec and
   * no, {@link #BACKGROUND_STALL_MILLIS} late.
   */
  void start(boolean background) {
    thread.start();
    if (background) {
      this.background.start();
    }
  }

  public void fsync(Fsync policy) {
    this.fsync = policy;
    ask();
    LockSupport.unpark(background);
  }

  public Fsync fsync() {
    return fsync;
  }

  /** Queues an encoded record (see {@link AofRecord}). */
  public void append(byte[] record) {
    enqueue(record);
  }

  /**
   * Appends records that must follow each other with nothing in between (a transaction written in
   * parts), as one entry of the queue.
   */
  public void append(byte[][] records) {
    enqueue(records);
  }

  private void enqueue(Object entry) {
    queuedBytes.add(bytes(entry));
    queue.offer(entry);
    if (parked && fsync == Fsync.ALWAYS && !(Thread.currentThread() instanceof Committer)) {
      ask();
    }
  }

  /**
   * Entries appended so far (records and switches), each one's sequence number its place. JCTools
   * documents the producer count as a monitoring figure; its MPSC queues claim the index before
   * storing the element and read it with a volatile load, so the count a thread reads covers every
   * entry it offered before. {@code AofWriterTest} pins that for the version in use.
   */
  private long appended() {
    return queue.currentProducerIndex();
  }

  /**
   * Under {@code appendfsync always}, when some appended record is not on disk yet (or {@code
   * force}), arranges for {@code release} to run on the writer thread once every record appended so
   * far is, and returns true; otherwise returns false and the caller goes ahead at once.
   */
  public boolean deferUntilDurable(Runnable release, boolean force) {
    long need = appended();
    if (stopped || (!force && (fsync != Fsync.ALWAYS || need <= durable))) {
      return false;
    }
    deferredIn.offer(new Deferred(need, release));
    if (!(Thread.currentThread() instanceof Committer)) {
      ask();
    } else if (idleWait) {
      // The committer drains when it runs out of work; should it not soon, the writer will.
      idleWait = false;
      LockSupport.unpark(thread);
    }
    if (stopped) {
      // Closed meanwhile, so the writer may have missed it: settle it as the close did.
      if (error == null) {
        releaseAllLeft();
      } else {
        dropAllLeft();
      }
    }
    return true;
  }

  /**
   * Called by a {@link Committer} that has run out of work: under {@code always}, writes and forces
   * every record appended so far and runs the releases waiting for them, on the calling thread.
   * When the writer thread or another worker is at it already, wakes the writer thread to do it
   * next instead of waiting. Costs a few volatile reads when nothing waits, and one under the other
   * policies.
   *
   * @return true if this call drained the log (and so waited for an fsync, unless an error stood in
   *     the way)
   */
  public boolean commitIdle() {
    if (fsync != Fsync.ALWAYS || !waiting() || error != null || !running) {
      return false;
    }
    if (!drainLock.tryLock()) {
      ask();
      return false;
    }
    try {
      if (running && error == null) {
        pass();
        return true;
      }
      return false;
    } catch (RuntimeException | Error e) {
      broken(e);
      return false;
    } finally {
      drainLock.unlock();
    }
  }

  /**
   * Makes the writer continue in {@code next} after every record appended so far, which it forces
   * to disk in the current file first. Call it where no record can be appended concurrently (with
   * every key lock held) to cut the log at one instant. {@code switched} is told, on the writer
   * thread (under always, perhaps on a worker draining the log), null once records go to {@code
   * next}, or the error that kept the writer in the current file.
   */
  public void switchTo(LogFile next, Consumer<String> switched) {
    queue.offer(new Switch(next, switched));
    ask();
    if (stopped) {
      // Closed meanwhile, so the writer may have missed it: refuse it as the close did.
      refuseLeftSwitches();
    }
  }

  /**
   * After the writer stopped: tells every switch still queued that it did not happen, so that a
   * rewrite racing with a close (CONFIG SET appendonly no, SHUTDOWN) fails instead of waiting for
   * ever. Records still queued are dropped: the log was closed before they could be written, and
   * nothing appends once the close has begun.
   */
  private void refuseLeftSwitches() {
    synchronized (queue) {
      Object p;
      while ((p = queue.poll()) != null) {
        if (p instanceof Switch sw) {
          sw.refuse("the append-only file was closed");
        }
      }
    }
  }

  /** The error that stops writes, or null. */
  public String error() {
    return error;
  }

  /** Bytes in the file, including what is written but not yet forced. */
  public long size() {
    return size;
  }

  /** Records appended but not yet written to the file. */
  long pendingRecords() {
    return appended() - written;
  }

  /** Bytes of records appended but not yet written to the file (INFO's aof_buffer_length). */
  public long pendingBytes() {
    // The count can dip below zero for a moment (a drain's subtraction seen before the append it
    // matches): shown as nothing queued.
    return Math.max(0, queuedBytes.sum()) + unwrittenShown;
  }

  /**
   * Memory the log holds for records not yet known to be on disk: records on their way to the
   * writer, the bytes it keeps until the next fsync (to write them again should it fail), and the
   * chunks it keeps for reuse (INFO's mem_aof_buffer).
   */
  public long bufferMemory() {
    return Math.max(0, queuedBytes.sum()) + heldShown;
  }

  private static long bytes(Object entry) {
    if (entry instanceof byte[] record) {
      return record.length;
    }
    long n = 0;
    if (entry instanceof byte[][] records) {
      for (byte[] r : records) {
        n += r.length;
      }
    }
    return n;
  }

  /**
   * Writes and forces everything appended so far, runs the replies waiting for it, stops the thread
   * and closes the file; waits at most {@code millis}. Used by SHUTDOWN and by CONFIG SET
   * appendonly no.
   */
  public void close(long millis) throws InterruptedException {
    running = false;
    ask();
    thread.join(Math.max(1, millis));
  }

  @Override
  public void run() {
    while (true) {
      try {
        loop();
        return;
      } catch (RuntimeException | Error e) {
        broken(e);
      }
    }
  }

  /**
   * After a failure this class does not expect (a bug, or memory running out): the record being
   * handled may be lost, so the log can no longer be trusted to hold every acknowledged write.
   * Writes are refused from now on and nothing is retried; the replies still waiting for the disk
   * are not sent. Reads go on, and a restart replays the log as it is on disk.
   */
  private void broken(Throwable e) {
    if (!broken) {
      log.error("The AOF writer failed; writes are refused until the server restarts", e);
    } else {
      log.debug("The AOF writer failed again", e);
    }
    broken = true;
    error = "the append-only file writer failed (" + e + "); restart the server";
    onStatus.accept(error);
  }

  /** Makes the writer thread make a pass soon, waking it if it sleeps. */
  private void ask() {
    asked = true;
    LockSupport.unpark(thread);
  }

  private void loop() {
    while (true) {
      boolean worked = false;
      drainLock.lock();
      try {
        if (asked || !running || fsync == Fsync.ALWAYS || error != null || backgroundStalled()) {
          asked = false;
          worked = pass();
        }
        if (!running && queue.isEmpty()) {
          stop();
          return;
        }
      } finally {
        drainLock.unlock();
      }
      Fsync policy = fsync;
      // Under always the workers drain the log themselves, and whatever asks this thread to (a
      // deferral from another thread, a worker that found the drain taken) unparks it: park even
      // after a pass that found work, or it would chase the workers' records one fsync at a time.
      // Under everysec and no the background thread writes, and this one only does what it is
      // asked (a file switch, a policy change, the close), or what the background thread left
      // undone too long.
      parked = true;
      if (policy == Fsync.ALWAYS && error == null && running) {
        awaitAsked();
      } else if (policy == Fsync.ALWAYS) {
        // After an error under always: retrying, and releasing, every few ms.
        if (!worked && queue.isEmpty() && deferredIn.isEmpty() && running) {
          LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(IDLE_WRITE_MILLIS));
        }
      } else if (!asked && running) {
        long wait =
            TimeUnit.MILLISECONDS.toNanos(BACKGROUND_STALL_MILLIS)
                - (System.nanoTime() - lastPassNanos);
        if (wait > 0) {
          LockSupport.parkNanos(this, wait);
        }
      }
      parked = false;
    }
  }

  /** Whether no pass has ended for {@link #BACKGROUND_STALL_MILLIS}. */
  private boolean backgroundStalled() {
    return System.nanoTime() - lastPassNanos
        >= TimeUnit.MILLISECONDS.toNanos(BACKGROUND_STALL_MILLIS);
  }

  /**
   * The background thread: under everysec and no, writes what came in; at the lowest CPU priority,
   * so that it runs on the time the other threads leave instead of taking a core from the event
   * loops and workers when it wakes. What may hold the drain long it leaves to the writer thread,
   * which it asks (see {@link #pass(boolean)}): a thread at the lowest priority that holds the
   * drain while others wait for CPU time makes whoever needs the drain next wait as long.
   */
  private void runBackground() {
    if (!ThreadPriority.lowerCurrent(BACKGROUND_NICE)) {
      log.info(
          "The AOF background thread could not lower its priority; it runs at normal priority");
    }
    while (running) {
      boolean worked = false;
      boolean idle = fsync == Fsync.ALWAYS || error != null;
      try {
        if (!idle && drainLock.tryLock()) {
          try {
            if (running && fsync != Fsync.ALWAYS && error == null) {
              worked = pass(true);
            }
          } finally {
            drainLock.unlock();
          }
        }
      } catch (RuntimeException | Error e) {
        broken(e);
      }
      if (!worked && running) {
        // Under always, or after an error (the writer thread retries), this thread has nothing
        // to do: a policy change wakes it (fsync), the writer thread covers for it meanwhile.
        LockSupport.parkNanos(
            this,
            TimeUnit.MILLISECONDS.toNanos(idle ? BACKGROUND_STALL_MILLIS : IDLE_WRITE_MILLIS));
      }
    }
  }

  /** Whether some record is not on disk yet, or some deferred reply not yet released. */
  private boolean waiting() {
    return appended() > durable || !deferredIn.isEmpty();
  }

  /**
   * Under always, between passes: returns when asked, when {@link #STALL_MILLIS} went by with
   * records or replies waiting and nobody draining (no drain ended, and none is under way), or
   * after {@link #ALWAYS_IDLE_MILLIS} when nothing waits (a record no reply waits for, such as an
   * expired key's deletion, reaches the disk within that). A deferral that finds it in that long
   * sleep wakes it into the short one ({@code idleWait} is written before the emptiness check here
   * and read after the offer there, both volatile, so the wake-up cannot be missed).
   */
  private void awaitAsked() {
    while (!asked && running && fsync == Fsync.ALWAYS && error == null) {
      if (waiting()) {
        long before = durable;
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS));
        if (durable == before && !drainLock.isLocked()) {
          return;
        }
        continue;
      }
      idleWait = true;
      if (!deferredIn.isEmpty()) {
        idleWait = false;
        continue;
      }
      LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(ALWAYS_IDLE_MILLIS));
      if (idleWait) {
        idleWait = false;
        return;
      }
    }
  }

  /**
   * Drains the queue, writes, forces as the policy says (or retries after an error) and runs the
   * releases that became due; true if any of it happened. With drainLock held.
   */
  private boolean pass() {
    return pass(false);
  }

  /**
   * As {@link #pass()}; on the background thread ({@code background}), leaves what may take long, a
   * file switch and an fsync, to the writer thread, which it asks.
   */
  private boolean pass(boolean background) {
    boolean worked = drain(background);
    long now = System.currentTimeMillis();
    if (error != null) {
      if (!broken && now >= retryAtMillis) {
        retry(now);
      }
    } else if (!pending.isEmpty() || worked) {
      worked |= flush(now, background);
    }
    worked |= release();
    showPending();
    lastPassNanos = System.nanoTime();
    return worked;
  }

  private void showPending() {
    unwrittenShown = pending.size() - pendingWritten;
    heldShown = pending.memory() + pending.pooledMemory();
  }

  /** The writer's end, once running is false and the queue drained. With drainLock held. */
  private void stop() {
    if (error == null) {
      flushAll();
    }
    release();
    stopped = true;
    if (error == null) {
      // Everything is on disk: whatever still waits may go (a deferral that raced with the
      // close). After an error the replies stay unsent: those writes are not durable, and the
      // connections close with the server.
      releaseAllLeft();
    } else {
      dropAllLeft();
    }
    closeFile();
    refuseLeftSwitches();
  }

  /** Moves queued records to {@link #pending} and writes them; true if any were queued. */
  private boolean drain() {
    return drain(false);
  }

  /** As {@link #drain()}; on the background thread, stops at a file switch and asks for it. */
  private boolean drain(boolean background) {
    Object p;
    boolean any = false;
    long drained = 0;
    while ((p = queue.peek()) != null) {
      if (background && p instanceof Switch) {
        ask();
        break;
      }
      queue.poll();
      if (p instanceof Switch sw) {
        switchFile(sw);
      } else if (p instanceof byte[] record) {
        AofRecord.seal(record);
        pending.add(record);
        drained += record.length;
        any = true;
      } else {
        for (byte[] record : (byte[][]) p) {
          AofRecord.seal(record);
          pending.add(record);
          drained += record.length;
        }
        any = true;
      }
      taken++;
    }
    if (drained != 0) {
      // Shown as the writer's before they leave the queue's count, so that they never go uncounted.
      showPending();
      queuedBytes.add(-drained);
    }
    if (pending.size() > pendingWritten && error == null) {
      try {
        write();
      } catch (IOException e) {
        fail("write", e);
      }
    }
    if (error == null && pending.isEmpty()) {
      // Only a file switch was drained: its own sequence number is on disk as much as any.
      written = taken;
      durable = taken;
    }
    return any;
  }

  /**
   * Writes and forces what precedes the switch in the current file, then continues in the next one.
   * On an error, stays in the current file and reports the error to the requester.
   */
  private void switchFile(Switch p) {
    String failure = error;
    if (failure == null) {
      try {
        write(false);
        file.force();
        markDurable(System.currentTimeMillis(), true);
      } catch (IOException e) {
        fail("write before switching files", e);
        failure = error;
      }
    }
    if (failure != null) {
      p.refuse(failure);
      return;
    }
    LogFile old = file;
    try {
      size = p.next().size();
    } catch (IOException e) {
      size = 0;
    }
    long oldSize = durableSize;
    file = p.next();
    durableSize = size;
    forcedSize = size;
    fileEnd = size;
    close(old, oldSize);
    p.switched().accept(null);
  }

  /** Writes the pending bytes not yet written at the end of the file. */
  private void write() throws IOException {
    write(true);
  }

  /**
   * As {@link #write()}; without reserving space when {@code reserve} is false (the file is about
   * to be closed).
   */
  private void write(boolean reserve) throws IOException {
    long bytes = pending.size() - pendingWritten;
    if (bytes == 0) {
      return;
    }
    if (fileEnd > size && fsync != Fsync.ALWAYS) {
      // The policy changed: appending again, the zeros go, so that only a file written under
      // always ends in them (see the class comment).
      unreserve();
    }
    boolean always = fsync == Fsync.ALWAYS && error == null;
    while (pendingWritten < pending.size()) {
      // The blocks of one write over zeros may reach the disk in any order, and a reader takes
      // that for a write cut short only up to PIECE_BYTES past the bad record's end: under always
      // a larger batch goes a piece at a time, each forced before the next (also when the file is
      // about to be switched, as it may still have zeros ahead).
      long to = always ? Math.min(pending.size(), pendingWritten + PIECE_BYTES) : pending.size();
      long end = durableSize + to;
      if (reserve && always && end + RESERVE_MARGIN > fileEnd) {
        reserve(end);
      }
      file.write(pending.range(pendingWritten, to), durableSize + pendingWritten);
      if (to < pending.size()) {
        file.force();
      }
      fileEnd = Math.max(fileEnd, end);
      pendingWritten = to;
      size = durableSize + pendingWritten;
    }
    written = taken;
  }

  /**
   * Writes zeros from the end of the file to {@link #RESERVE_BYTES} past {@code end}, where the
   * records about to be written end, and forces them, so that they are on disk before any record is
   * written over the blocks before them (records that go past the file's end overwrite zeros too:
   * the file never has holes). Only an optimization: when it fails (a full disk), the records are
   * written anyway, and their own write reports the error if it fails too.
   */
  private void reserve(long end) {
    long to = end + RESERVE_BYTES;
    try {
      long at = fileEnd;
      while (at < to) {
        ByteBuffer zeros = Zeros.BUFFER.duplicate();
        zeros.limit((int) Math.min(zeros.capacity(), to - at));
        file.write(new ByteBuffer[] {zeros}, at);
        at += zeros.limit();
      }
      file.force();
      fileEnd = to;
    } catch (IOException e) {
      log.debug("Reserving AOF space failed: {}", e.toString());
      try {
        // Part of the zeros may be there: the close must still cut them off.
        fileEnd = Math.max(fileEnd, file.size());
      } catch (IOException sizeUnknown) {
        fileEnd = Long.MAX_VALUE;
      }
    }
  }

  private void unreserve() {
    try {
      file.truncate(size);
      fileEnd = size;
    } catch (IOException e) {
      log.debug("Cutting the reserved AOF space failed: {}", e.toString());
    }
  }

  /** Forces the file when the policy asks for it; true if it did. */
  private boolean flush(long now, boolean background) {
    Fsync policy = fsync;
    if (pending.isEmpty()) {
      return false;
    }
    if (policy == Fsync.NO
        || (policy == Fsync.EVERYSEC
            && now - lastFsyncMillis < EVERYSEC_MILLIS
            && pending.memory() < EARLY_FSYNC_BYTES)) {
      if (policy == Fsync.NO) {
        markDurable(now, false);
      }
      return false;
    }
    if (background) {
      ask();
      return false;
    }
    try {
      file.force();
      markDurable(now, true);
      return true;
    } catch (IOException e) {
      fail("fsync", e);
      return false;
    }
  }

  private void markDurable(long now, boolean forced) {
    durableSize += pending.size();
    pending.clear();
    pendingWritten = 0;
    durable = taken;
    if (forced) {
      lastFsyncMillis = now;
      forcedSize = durableSize;
    }
  }

  /** At close: writes what is still queued and forces everything, whatever the policy. */
  private void flushAll() {
    drain();
    if (error != null || (pending.isEmpty() && forcedSize == size)) {
      return;
    }
    try {
      file.force();
      markDurable(System.currentTimeMillis(), true);
    } catch (IOException e) {
      fail("fsync", e);
    }
  }

  private void fail(String what, IOException e) {
    if (broken) {
      return;
    }
    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
    if (error == null) {
      log.error(
          "Error on AOF {} ({} records kept in memory until it works again): {}",
          what,
          pending.records(),
          reason);
    }
    error = reason;
    retryAtMillis = System.currentTimeMillis() + RETRY_MILLIS;
    onStatus.accept(reason);
  }

  /**
   * After an error: cuts the file back to what is known to be on disk, writes every record kept
   * since then and forces them. Success ends the error state.
   */
  private void retry(long now) {
    try {
      file.truncate(durableSize);
      size = durableSize;
      fileEnd = durableSize;
      pendingWritten = 0;
      write();
      file.force();
      markDurable(now, true);
      log.warn("AOF writes work again; the log is complete");
      error = null;
      onStatus.accept(null);
    } catch (IOException e) {
      fail("retry", e);
    }
  }

  private void releaseAllLeft() {
    Deferred d;
    synchronized (deferred) {
      while ((d = deferredIn.poll()) != null) {
        deferred.add(d);
      }
      while ((d = deferred.poll()) != null) {
        try {
          d.release().run();
        } catch (RuntimeException e) {
          log.error("Releasing a reply failed", e);
        }
      }
    }
  }

  private void dropAllLeft() {
    synchronized (deferred) {
      int dropped = deferred.size() + deferredIn.size();
      deferred.clear();
      deferredIn.clear();
      if (dropped > 0) {
        log.warn("{} replies to writes that never reached the disk are not sent", dropped);
      }
    }
  }

  /** Runs every deferred release whose records are on disk; true if it ran any. */
  private boolean release() {
    synchronized (deferred) {
      return releaseDurable();
    }
  }

  private boolean releaseDurable() {
    Deferred d;
    while ((d = deferredIn.poll()) != null) {
      deferred.add(d);
    }
    if (deferred.isEmpty()) {
      return false;
    }
    long upTo = fsync == Fsync.ALWAYS || error != null ? durable : written;
    boolean any = false;
    for (Iterator<Deferred> it = deferred.iterator(); it.hasNext(); ) {
      Deferred next = it.next();
      if (next.seq() <= upTo) {
        it.remove();
        any = true;
        try {
          next.release().run();
        } catch (RuntimeException e) {
          log.error("Releasing a reply failed", e);
        }
      }
    }
    return any;
  }

  private void closeFile() {
    close(file, error == null ? size : -1);
  }

  /**
   * Closes {@code f}, first cutting off whatever lies past its records at {@code records} (reserved
   * zeros) and forcing that, unless it is -1. A failure to cut only leaves the zeros, which loading
   * removes.
   */
  private static void close(LogFile f, long records) {
    if (records >= 0) {
      try {
        if (f.size() > records) {
          f.truncate(records);
          f.force();
        }
      } catch (IOException e) {
        log.warn("Cutting the reserved space off the AOF: {}", e.getMessage());
      }
    }
    try {
      f.close();
    } catch (IOException e) {
      log.warn("Closing the AOF: {}", e.getMessage());
    }
  }
}
