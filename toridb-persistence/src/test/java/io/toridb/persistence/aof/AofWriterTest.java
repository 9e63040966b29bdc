package io.toridb.persistence.aof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.propagation.PropagationSink.Effect;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer: fsync policies, replies held for the disk, and surviving write and fsync errors. */
class AofWriterTest {
  @TempDir Path dir;
  private AofWriter writer;

  /** A real file whose writes and forces fail on demand, a write failing halfway through. */
  static class FaultyFile implements LogFile {
    final LogFile real;
    final AtomicBoolean failWrites = new AtomicBoolean();
    final AtomicBoolean failForce = new AtomicBoolean();

    /** Writes of reserved zeros (a single read-only buffer) stop half-way on a full disk. */
    final AtomicBoolean failZeros = new AtomicBoolean();

    final AtomicInteger forces = new AtomicInteger();

    /** The threads that wrote records, and that forced the file. */
    final java.util.Set<String> writers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    final java.util.Set<String> forcers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    FaultyFile(Path path) throws IOException {
      real = LogFile.open(path);
    }

    @Override
    public void write(ByteBuffer[] buffers, long position) throws IOException {
      boolean zeros = buffers.length == 1 && buffers[0].isReadOnly();
      if (failWrites.get() || (zeros && failZeros.get())) {
        // Half of the bytes reach the file before the disk fills up.
        ByteBuffer b = buffers[0];
        ByteBuffer half = b.duplicate();
        half.limit(b.position() + b.remaining() / 2);
        real.write(new ByteBuffer[] {half}, position);
        throw new IOException("No space left on device");
      }
      writers.add(Thread.currentThread().getName());
      real.write(buffers, position);
    }

    @Override
    public void force() throws IOException {
      if (failForce.get()) {
        throw new IOException("Input/output error");
      }
      forces.incrementAndGet();
      forcers.add(Thread.currentThread().getName());
      real.force();
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public void truncate(long size) throws IOException {
      real.truncate(size);
    }

    @Override
    public void close() throws IOException {
      real.close();
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (writer != null) {
      writer.close(5000);
    }
  }

  private static byte[] record(int i) {
    return AofRecord.encode(
        0, new byte[][] {"SET".getBytes(), ("k" + i).getBytes(), ("value-" + i).getBytes()});
  }

  /** Queues a switch to a new file at {@code next}; completes with null once switched. */
  private java.util.concurrent.CompletableFuture<String> switchTo(Path next) throws IOException {
    java.util.concurrent.CompletableFuture<String> switched =
        new java.util.concurrent.CompletableFuture<>();
    writer.switchTo(LogFile.open(next), switched::complete);
    return switched;
  }

  /** SET big with a 3 MiB value: a batch of six pieces. */
  private static byte[] bigRecord() {
    return AofRecord.encode(
        0, new byte[][] {"SET".getBytes(), "big".getBytes(), new byte[3 << 20]});
  }

  private static List<String> readBack(Path file) throws IOException {
    List<String> keys = new ArrayList<>();
    AofReader.Result r =
        AofReader.read(
            file,
            (effects, end) -> {
              for (Effect e : effects) {
                keys.add(new String(e.argv()[1], StandardCharsets.UTF_8));
              }
            });
    // A file the writer still has open may end in the zeros it reserves under always.
    assertTrue(
        r.outcome() == AofReader.Outcome.COMPLETE || r.outcome() == AofReader.Outcome.PADDED,
        r.outcome() + ": " + r.problem());
    return keys;
  }

  /** The keys of a file no writer has open: every byte a record, no zeros after them. */
  private static List<String> readBackClosed(Path file) throws IOException {
    List<String> keys = readBack(file);
    assertEquals(
        AofReader.Outcome.COMPLETE,
        AofReader.read(file, (effects, end) -> {}).outcome(),
        "" + file);
    return keys;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 1000 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertTrue(condition.getAsBoolean(), "timed out waiting until " + what);
  }

  private static List<String> keys(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("k" + i);
    }
    return out;
  }

  @Test
  void queueProducerCount_coversEveryOfferOfTheReadingThread() {
    // The writer numbers records by their place in its queue, and a reply waiting for the disk
    // waits for the producer count its thread reads after appending: that count must include the
    // thread's own offers at once, across the queue's chunk boundaries.
    MpscUnboundedArrayQueue<Object> queue = new MpscUnboundedArrayQueue<>(4096);
    for (int i = 1; i <= 20_000; i++) {
      queue.offer(i);
      assertEquals(i, queue.currentProducerIndex());
    }
    for (int i = 1; i <= 20_000; i++) {
      assertEquals(i, queue.poll());
    }
  }

  /**
   * A transaction's parts are one queue entry: records appended meanwhile by other threads never
   * come between them, so the file reads back whole.
   */
  @Test
  void partsAppendedTogether_stayTogether_whileOtherThreadsAppend() throws Exception {
    Path path = dir.resolve("p.aof");
    writer = new AofWriter(LogFile.open(path), AofWriter.Fsync.NO, s -> {});
    writer.start();
    List<Effect> tx = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      tx.add(new Effect(0, new byte[][] {"SET".getBytes(), ("t" + i).getBytes(), "v".getBytes()}));
    }
    Thread other =
        new Thread(
            () -> {
              for (int i = 0; i < 20_000; i++) {
                writer.append(record(i));
              }
            });
    other.start();
    for (int n = 0; n < 2_000; n++) {
      byte[][] parts = AofRecord.encodeTransaction(tx, 20);
      assertEquals(6, parts.length);
      writer.append(parts);
    }
    other.join();
    writer.close(5000);
    writer = null;
    List<Integer> sizes = new ArrayList<>();
    AofReader.Result r = AofReader.read(path, (effects, end) -> sizes.add(effects.size()));
    assertEquals(AofReader.Outcome.COMPLETE, r.outcome(), r.problem());
    assertEquals(22_000, sizes.size());
    assertEquals(2_000, sizes.stream().filter(n -> n == 6).count());
  }

  @Test
  void always_releasesARepliesOnlyAfterTheForceCoveringIt() throws Exception {
    Path path = dir.resolve("a.aof");
    FaultyFile file = new FaultyFile(path);
    file.failForce.set(true);
    writer = new AofWriter(file, AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    writer.append(record(0));
    AtomicBoolean released = new AtomicBoolean();
    assertTrue(writer.deferUntilDurable(() -> released.set(true), false));
    Thread.sleep(100);
    assertFalse(released.get(), "released before the record was forced");
    file.failForce.set(false);
    await(released::get, "the reply is released");
    assertEquals(List.of("k0"), readBack(path));
    // Nothing pending: no need to wait.
    assertFalse(writer.deferUntilDurable(() -> {}, false));
  }

  /** Under always a batch larger than a piece is written and forced a piece at a time. */
  @Test
  void always_writesALargeBatchAPieceAtATime() throws Exception {
    Path path = dir.resolve("big.aof");
    FaultyFile file = new FaultyFile(path);
    writer = new AofWriter(file, AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    writer.append(bigRecord());
    AtomicBoolean released = new AtomicBoolean();
    assertTrue(writer.deferUntilDurable(() -> released.set(true), false));
    await(released::get, "the record is forced");
    // Six pieces: each but the last forced before the next, then the commit's own force, besides
    // the forces of the zeros reserved ahead of them.
    assertTrue(file.forces.get() >= 6, "forces: " + file.forces.get());
    writer.close(5000);
    writer = null;
    assertEquals(List.of("big"), readBackClosed(path));
  }

  /** The same when the batch is written on its way to a file switch. */
  @Test
  void always_aLargeBatchBeforeASwitch_goesAPieceAtATimeToo() throws Exception {
    Path first = dir.resolve("big1.aof");
    Path next = dir.resolve("big2.aof");
    FaultyFile file = new FaultyFile(first);
    writer = new AofWriter(file, AofWriter.Fsync.ALWAYS, s -> {});
    // Both queued before the writer runs: its first pass takes the record, then the switch.
    writer.append(bigRecord());
    java.util.concurrent.CompletableFuture<String> switched = switchTo(next);
    writer.start();
    assertNull(switched.get(5, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(file.forces.get() >= 6, "forces: " + file.forces.get());
    assertEquals(List.of("big"), readBackClosed(first));
  }

  @Test
  void always_reservesZerosAheadOfTheRecords_andCloseCutsThemOff() throws Exception {
    Path path = dir.resolve("r.aof");
    writer = new AofWriter(LogFile.open(path), AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    for (int i = 0; i < 3; i++) {
      writer.append(record(i));
    }
    AtomicBoolean released = new AtomicBoolean();
    if (writer.deferUntilDurable(() -> released.set(true), false)) {
      await(released::get, "the records are forced");
    }
    long records = writer.size();
    assertEquals(concatLength(0, 3), records);
    // Reserved when a write first went past the file's end: up to RESERVE_BYTES beyond it.
    assertTrue(Files.size(path) > records, "no space reserved: " + Files.size(path));
    assertTrue(Files.size(path) <= records + AofWriter.RESERVE_BYTES, "" + Files.size(path));
    AofReader.Result r = AofReader.read(path, (effects, end) -> {});
    assertEquals(AofReader.Outcome.PADDED, r.outcome());
    assertEquals(records, r.goodBytes());
    assertEquals(3, r.records());
    // Writing past the reserved space reserves more, and the records stay whole.
    byte[] big =
        AofRecord.encode(0, new byte[][] {"SET".getBytes(), "big".getBytes(), new byte[1_500_000]});
    writer.append(big);
    writer.append(record(3));
    AtomicBoolean again = new AtomicBoolean();
    if (writer.deferUntilDurable(() -> again.set(true), false)) {
      await(again::get, "the large record is forced");
    }
    long after = writer.size();
    assertEquals(records + big.length + record(3).length, after);
    assertTrue(Files.size(path) > after, "no space reserved past the large record");
    writer.close(5000);
    writer = null;
    assertEquals(after, Files.size(path), "close leaves only the records");
    assertEquals(List.of("k0", "k1", "k2", "big", "k3"), readBackClosed(path));
  }

  /** Whether the file ends in at least {@code bytes} zero bytes. */
  private static boolean endsInZeros(Path path, int bytes) throws IOException {
    byte[] all = Files.readAllBytes(path);
    if (all.length < bytes) {
      return false;
    }
    for (int i = all.length - bytes; i < all.length; i++) {
      if (all[i] != 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void always_theFileOnDiskEndsInZerosAfterEveryForce_whateverTheRecordSizes() throws Exception {
    Path path = dir.resolve("z.aof");
    writer = new AofWriter(LogFile.open(path), AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    java.util.Random random = new java.util.Random(5);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      int size = random.nextInt(4) == 0 ? random.nextInt(400_000) : random.nextInt(100);
      writer.append(
          AofRecord.encode(
              0, new byte[][] {"SET".getBytes(), ("k" + i).getBytes(), new byte[size]}));
      keys.add("k" + i);
      AtomicBoolean forced = new AtomicBoolean();
      if (writer.deferUntilDurable(() -> forced.set(true), false)) {
        await(forced::get, "record " + i + " is forced");
      }
      // Records never reach the last RESERVE_MARGIN bytes: those zeros were forced before them.
      assertTrue(Files.size(path) >= writer.size() + AofWriter.RESERVE_MARGIN, "after record " + i);
      assertTrue(endsInZeros(path, AofWriter.RESERVE_MARGIN), "after record " + i);
    }
    writer.close(5000);
    writer = null;
    assertEquals(keys, readBackClosed(path));
  }

  @Test
  void reservingSpaceFailsHalfWay_theRecordsAreWritten_andCloseAndSwitchCutTheZeros()
      throws Exception {
    Path first = dir.resolve("h1.aof");
    FaultyFile halfFull = new FaultyFile(first);
    halfFull.failZeros.set(true);
    writer = new AofWriter(halfFull, AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    writer.append(record(0));
    AtomicBoolean forced = new AtomicBoolean();
    if (writer.deferUntilDurable(() -> forced.set(true), false)) {
      await(forced::get, "the record is forced");
    }
    assertNull(writer.error(), "failing to reserve space is not a write error");
    Path next = dir.resolve("h2.aof");
    java.util.concurrent.CompletableFuture<String> switched = switchTo(next);
    assertNull(switched.get(5, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(List.of("k0"), readBackClosed(first));
    writer.append(record(1));
    writer.fsync(AofWriter.Fsync.EVERYSEC);
    writer.close(5000);
    writer = null;
    assertEquals(List.of("k1"), readBackClosed(next));
  }

  @Test
  void fromAlwaysToEverysec_theReservedZerosGoAtTheNextWrite() throws Exception {
    Path path = dir.resolve("p.aof");
    writer = new AofWriter(LogFile.open(path), AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    writer.append(record(0));
    AtomicBoolean forced = new AtomicBoolean();
    if (writer.deferUntilDurable(() -> forced.set(true), false)) {
      await(forced::get, "the record is forced");
    }
    assertTrue(Files.size(path) > writer.size());
    writer.fsync(AofWriter.Fsync.EVERYSEC);
    writer.append(record(1));
    await(() -> writer.pendingRecords() == 0, "the second record is written");
    assertEquals(writer.size(), Files.size(path));
    assertEquals(List.of("k0", "k1"), readBackClosed(path));
  }

  @Test
  void pendingBytes_countWhatIsNotWrittenYet_andTheMemoryHeldUntilTheFsync() throws Exception {
    Path path = dir.resolve("b.aof");
    writer = new AofWriter(LogFile.open(path), AofWriter.Fsync.EVERYSEC, s -> {});
    assertEquals(0, writer.pendingBytes());
    assertEquals(0, writer.bufferMemory());
    // Not started: everything waits in the queue, a transaction's parts as one entry.
    writer.append(record(0));
    writer.append(new byte[][] {record(1), record(2)});
    long queued = concatLength(0, 3);
    assertEquals(queued, writer.pendingBytes());
    assertEquals(queued, writer.bufferMemory());
    writer.start();
    await(() -> writer.pendingBytes() == 0, "everything is written");
    assertEquals(queued, Files.size(path));
    // Under everysec the written bytes are kept (for a retry) until the next fsync, in a chunk
    // that is then pooled for reuse: memory the log holds either way.
    assertTrue(writer.bufferMemory() >= PendingBytes.CHUNK, "held: " + writer.bufferMemory());
  }

  @Test
  void everysec_reservesNothing() throws Exception {
    Path path = dir.resolve("n.aof");
    writer = new AofWriter(LogFile.open(path), AofWriter.Fsync.EVERYSEC, s -> {});
    writer.start();
    writer.append(record(0));
    await(() -> writer.pendingRecords() == 0, "the record is written");
    assertEquals(writer.size(), Files.size(path));
  }

  @Test
  void aSwitch_cutsTheReservedZerosOffThePreviousFile() throws Exception {
    Path first = dir.resolve("s1.aof");
    Path next = dir.resolve("s2.aof");
    writer = new AofWriter(LogFile.open(first), AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    writer.append(record(0));
    await(() -> writer.pendingRecords() == 0, "the record is written");
    assertTrue(Files.size(first) > record(0).length);
    java.util.concurrent.CompletableFuture<String> switched = switchTo(next);
    assertNull(switched.get(5, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(record(0).length, Files.size(first));
    writer.append(record(1));
    await(() -> writer.pendingRecords() == 0, "the next record is written");
    writer.close(5000);
    writer = null;
    assertEquals(List.of("k0"), readBack(first));
    assertEquals(List.of("k1"), readBack(next));
    assertEquals(record(1).length, Files.size(next));
  }

  private static long concatLength(int from, int to) {
    long n = 0;
    for (int i = from; i < to; i++) {
      n += record(i).length;
    }
    return n;
  }

  @Test
  void everysec_doesNotHoldReplies_andTheDataReachesTheFile() throws Exception {
    Path path = dir.resolve("e.aof");
    writer = new AofWriter(LogFile.open(path), AofWriter.Fsync.EVERYSEC, s -> {});
    writer.start();
    for (int i = 0; i < 100; i++) {
      writer.append(record(i));
      assertFalse(writer.deferUntilDurable(() -> {}, false));
    }
    await(() -> writer.pendingRecords() == 0, "everything is written");
    assertEquals(keys(0, 100), readBack(path));
  }

  /** The nice values of this process's threads named {@code name} (up to 15 characters). */
  private static List<Integer> niceOfThreads(String name) throws IOException {
    List<Integer> out = new ArrayList<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          if (Files.readString(t.resolve("comm")).strip().equals(name)) {
            out.add(ThreadPriorityTest.nice(Integer.parseInt(t.getFileName().toString())));
          }
        } catch (IOException gone) {
          // The thread ended meanwhile.
        }
      }
    }
    return out;
  }

  @Test
  void everysec_theBackgroundThreadWritesAtTheLowestPriority_theWriterThreadForcesAndSwitches()
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(Path.of("/proc/thread-self")), "Linux only");
    int normal = ThreadPriorityTest.nice(ThreadPriorityTest.currentTid());
    org.junit.jupiter.api.Assumptions.assumeTrue(normal < AofWriter.BACKGROUND_NICE);
    Path path = dir.resolve("n.aof");
    FaultyFile file = new FaultyFile(path);
    writer = new AofWriter(file, AofWriter.Fsync.EVERYSEC, s -> {});
    writer.start();
    await(
        () -> {
          try {
            List<Integer> nice = niceOfThreads("toridb-aof-idle");
            return !nice.isEmpty() && nice.stream().allMatch(n -> n == AofWriter.BACKGROUND_NICE);
          } catch (IOException e) {
            return false;
          }
        },
        "the background thread runs at nice " + AofWriter.BACKGROUND_NICE);
    List<Integer> writers = niceOfThreads("toridb-aof-writ");
    assertFalse(writers.isEmpty());
    assertTrue(writers.stream().allMatch(n -> n == normal), "writer threads: " + writers);
    for (int i = 0; i < 100; i++) {
      writer.append(record(i));
    }
    await(() -> writer.pendingRecords() == 0, "everything is written");
    assertEquals(keys(0, 100), readBack(path));
    assertEquals(java.util.Set.of("toridb-aof-idle"), file.writers, "who wrote the records");
    // The fsync of the second, and a file switch, may take long: the writer thread's.
    await(() -> file.forces.get() > 0, "the file is forced");
    assertEquals(java.util.Set.of("toridb-aof-writer"), file.forcers, "who forced the file");
    AtomicReference<String> switchedOn = new AtomicReference<>();
    writer.switchTo(
        LogFile.open(dir.resolve("n2.aof")), e -> switchedOn.set(Thread.currentThread().getName()));
    await(() -> switchedOn.get() != null, "the switch is made");
    assertEquals("toridb-aof-writer", switchedOn.get());
  }

  /**
   * A machine too busy to give the background thread any time: the writer thread, at normal
   * priority, writes and forces instead, a little later.
   */
  @Test
  void everysec_withoutTheBackgroundThread_theWriterThreadWritesAndForcesAllTheSame()
      throws Exception {
    Path path = dir.resolve("b.aof");
    FaultyFile file = new FaultyFile(path);
    writer = new AofWriter(file, AofWriter.Fsync.EVERYSEC, s -> {});
    writer.start(false);
    for (int i = 0; i < 100; i++) {
      writer.append(record(i));
    }
    await(() -> writer.pendingRecords() == 0, "everything is written");
    assertEquals(keys(0, 100), readBack(path));
    writer.append(record(100));
    await(() -> file.forces.get() > 0, "the file is forced");
    await(() -> writer.pendingRecords() == 0, "the last record is written");
    assertEquals(keys(0, 101), readBack(path));
  }

  /** A thread such as a worker: it commits the log itself when it runs out of work. */
  private static final class CommitterThread extends Thread implements AofWriter.Committer {
    CommitterThread(Runnable task) {
      super(task);
    }
  }

  /**
   * On a committer thread: appends record {@code i} and defers a reply for it (checked to be held),
   * then commits if {@code commit}; returns the flag the reply's release sets.
   */
  private AtomicBoolean appendAndDeferOnCommitter(int i, boolean commit)
      throws InterruptedException {
    AtomicBoolean released = new AtomicBoolean();
    AtomicBoolean deferred = new AtomicBoolean();
    runOn(
        new CommitterThread(
            () -> {
              writer.append(record(i));
              deferred.set(writer.deferUntilDurable(() -> released.set(true), false));
              if (commit) {
                writer.commitIdle();
              }
            }));
    assertTrue(deferred.get(), "a reply after an unforced record is held");
    return released;
  }

  private static void runOn(Thread t) throws InterruptedException {
    t.start();
    t.join(10_000);
    assertFalse(t.isAlive(), "the thread did not finish");
  }

  @Test
  void always_aCommitterCommitsOnItsOwnThread_releasingItsRepliesBeforeCommitIdleReturns()
      throws Exception {
    Path path = dir.resolve("c.aof");
    FaultyFile file = new FaultyFile(path);
    writer = new AofWriter(file, AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    AtomicReference<String> seen = new AtomicReference<>();
    runOn(
        new CommitterThread(
            () -> {
              int forcesBefore = file.forces.get();
              Thread me = Thread.currentThread();
              AtomicReference<Thread> releasedOn = new AtomicReference<>();
              for (int i = 0; i < 3; i++) {
                writer.append(record(i));
                if (!writer.deferUntilDurable(
                    () -> releasedOn.set(Thread.currentThread()), false)) {
                  seen.set("a reply after an unforced record was not held");
                  return;
                }
              }
              writer.commitIdle();
              if (releasedOn.get() != me) {
                seen.set("released on " + releasedOn.get() + " instead of the committer");
              } else if (file.forces.get() <= forcesBefore) {
                seen.set("released without a force");
              } else {
                seen.set("ok");
              }
            }));
    assertEquals("ok", seen.get());
    assertEquals(keys(0, 3), readBack(path));
  }

  @Test
  void always_aCommittersReplyIsReleasedEvenIfItNeverCommits() throws Exception {
    // A worker that goes on with other work instead of committing: the writer thread drains what
    // waits with nobody draining it.
    Path path = dir.resolve("n.aof");
    writer = new AofWriter(new FaultyFile(path), AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    AtomicBoolean released = appendAndDeferOnCommitter(7, false);
    await(released::get, "the reply is released");
    assertEquals(List.of("k7"), readBack(path));
  }

  @Test
  void always_whileTheWriterHoldsTheDrain_aCommittersRecordIsStillForcedAndReleased()
      throws Exception {
    // The first force blocks inside the writer thread; a committer's commit meanwhile must not
    // wait for it, and its record must still be forced and its reply released afterwards.
    Path path = dir.resolve("h.aof");
    java.util.concurrent.CountDownLatch inForce = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
    FaultyFile file =
        new FaultyFile(path) {
          @Override
          public void force() throws IOException {
            if (inForce.getCount() > 0
                && Thread.currentThread().getName().equals("toridb-aof-writer")) {
              inForce.countDown();
              try {
                letGo.await();
              } catch (InterruptedException e) {
                throw new IOException(e);
              }
            }
            super.force();
          }
        };
    writer = new AofWriter(file, AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    writer.append(record(0));
    assertTrue(writer.deferUntilDurable(() -> {}, false));
    assertTrue(inForce.await(10, java.util.concurrent.TimeUnit.SECONDS));
    AtomicBoolean released = appendAndDeferOnCommitter(1, true);
    assertFalse(released.get(), "released while the force before it had not returned");
    letGo.countDown();
    await(released::get, "the committer's reply is released");
    assertEquals(keys(0, 2), readBack(path));
  }

  @Test
  void everysec_commitIdleLeavesTheWritingToTheLogsOwnThreads() throws Exception {
    Path path = dir.resolve("e.aof");
    List<String> forcedOn = java.util.Collections.synchronizedList(new ArrayList<>());
    FaultyFile file =
        new FaultyFile(path) {
          @Override
          public void force() throws IOException {
            forcedOn.add(Thread.currentThread().getName());
            super.force();
          }
        };
    writer = new AofWriter(file, AofWriter.Fsync.EVERYSEC, s -> {});
    writer.start();
    Thread committer =
        new CommitterThread(
            () -> {
              writer.append(record(0));
              writer.commitIdle();
            });
    committer.setName("committer");
    runOn(committer);
    await(
        () -> {
          try {
            return Files.size(path) > 0;
          } catch (IOException e) {
            return false;
          }
        },
        "the log's threads write the record");
    assertEquals(List.of("k0"), readBack(path));
    assertFalse(forcedOn.contains("committer"), "forced on the committer: " + forcedOn);
    assertFalse(file.writers.contains("committer"), "written on the committer: " + file.writers);
  }

  @Test
  void groupCommit_oneForceServesManyWriters() throws Exception {
    Path path = dir.resolve("g.aof");
    FaultyFile file = new FaultyFile(path);
    writer = new AofWriter(file, AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    int threads = 4;
    int each = 250;
    AtomicInteger released = new AtomicInteger();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * each;
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  writer.append(record(base + i));
                  if (!writer.deferUntilDurable(released::incrementAndGet, false)) {
                    released.incrementAndGet();
                  }
                }
              });
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) {
      th.join();
    }
    await(() -> released.get() == threads * each, "every reply is released");
    List<String> back = readBack(path);
    assertEquals(threads * each, back.size());
    assertEquals(new java.util.HashSet<>(keys(0, threads * each)), new java.util.HashSet<>(back));
    assertTrue(file.forces.get() <= threads * each, "more forces than records");
  }

  @Test
  void writeError_reportsIt_keepsTheRecords_andRecoversWithACompleteLog() throws Exception {
    Path path = dir.resolve("w.aof");
    FaultyFile file = new FaultyFile(path);
    AtomicReference<String> status = new AtomicReference<>();
    List<String> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
    writer =
        new AofWriter(
            file,
            AofWriter.Fsync.ALWAYS,
            s -> {
              status.set(s);
              statuses.add(String.valueOf(s));
            });
    writer.start();
    writer.append(record(0));
    await(() -> writer.pendingRecords() == 0, "the first record is written");
    file.failWrites.set(true);
    writer.append(record(1));
    writer.append(record(2));
    AtomicBoolean released = new AtomicBoolean();
    writer.deferUntilDurable(() -> released.set(true), false);
    await(() -> status.get() != null, "the error is reported");
    assertEquals("No space left on device", status.get());
    assertEquals("No space left on device", writer.error());
    Thread.sleep(200);
    assertFalse(released.get(), "a reply was released while its write failed");
    file.failWrites.set(false);
    await(released::get, "the reply is released after recovery");
    assertNull(writer.error());
    assertNull(status.get());
    assertEquals(List.of("No space left on device", "null"), statuses.subList(0, 2));
    // No half-written record is left in the middle: the log reads back whole.
    writer.append(record(3));
    await(() -> writer.pendingRecords() == 0, "the last record is written");
    writer.close(5000);
    writer = null;
    assertEquals(keys(0, 4), readBackClosed(path));
  }

  @Test
  void writeError_inTheMiddleOfLargeAndChunkSpanningRecords_leavesACompleteLog() throws Exception {
    Path path = dir.resolve("big.aof");
    FaultyFile file = new FaultyFile(path);
    AtomicReference<String> status = new AtomicReference<>();
    writer = new AofWriter(file, AofWriter.Fsync.EVERYSEC, status::set);
    writer.start();
    List<String> expected = new ArrayList<>();
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 600; i++) {
      if (i == 200) {
        await(() -> writer.pendingRecords() == 0, "the first records are written");
        file.failWrites.set(true);
      }
      if (i == 400) {
        await(() -> status.get() != null, "the error is reported");
        file.failWrites.set(false);
        await(() -> status.get() == null, "the writer recovers");
      }
      // Values from a few bytes to several times the size of a chunk of pending bytes.
      int size =
          i % 50 == 0 ? 3 * PendingBytes.CHUNK + random.nextInt(1000) : random.nextInt(20_000);
      byte[] value = new byte[size];
      random.nextBytes(value);
      writer.append(
          AofRecord.encode(0, new byte[][] {"SET".getBytes(), ("k" + i).getBytes(), value}));
      expected.add("k" + i);
    }
    await(() -> writer.pendingRecords() == 0, "everything is written");
    writer.close(5000);
    writer = null;
    assertEquals(expected, readBackClosed(path));
  }

  /** A failure the writer does not expect must not end its thread silently. */
  @Test
  void anUnexpectedFailure_refusesWritesForGood_andNeverReleasesTheWaitingReply() throws Exception {
    Path path = dir.resolve("u.aof");
    AtomicBoolean explode = new AtomicBoolean();
    FaultyFile file =
        new FaultyFile(path) {
          @Override
          public void write(ByteBuffer[] buffers, long position) throws IOException {
            if (explode.get()) {
              throw new IllegalStateException("a bug");
            }
            super.write(buffers, position);
          }
        };
    AtomicReference<String> status = new AtomicReference<>();
    writer = new AofWriter(file, AofWriter.Fsync.ALWAYS, status::set);
    writer.start();
    writer.append(record(0));
    await(() -> writer.pendingRecords() == 0, "the first record is written");
    explode.set(true);
    writer.append(record(1));
    AtomicBoolean released = new AtomicBoolean();
    writer.deferUntilDurable(() -> released.set(true), false);
    await(() -> status.get() != null, "the failure is reported");
    assertTrue(status.get().contains("a bug"), status.get());
    explode.set(false);
    Thread.sleep(1500);
    assertFalse(released.get(), "a reply was released for a write that may be lost");
    assertNotNull(writer.error(), "the error is for good: no retry clears it");
    writer.close(5000);
    writer = null;
    assertEquals(List.of("k0"), readBack(path));
  }

  @Test
  void fsyncError_isReportedAndRetried() throws Exception {
    Path path = dir.resolve("f.aof");
    FaultyFile file = new FaultyFile(path);
    AtomicReference<String> status = new AtomicReference<>();
    writer = new AofWriter(file, AofWriter.Fsync.ALWAYS, status::set);
    writer.start();
    file.failForce.set(true);
    writer.append(record(0));
    AtomicBoolean released = new AtomicBoolean();
    writer.deferUntilDurable(() -> released.set(true), false);
    await(() -> status.get() != null, "the error is reported");
    assertEquals("Input/output error", status.get());
    file.failForce.set(false);
    await(released::get, "the reply is released");
    assertNull(status.get());
    writer.close(5000);
    writer = null;
    assertEquals(List.of("k0"), readBackClosed(path));
  }

  @Test
  void close_writesAndForcesEverything_evenWithFsyncNo() throws Exception {
    Path path = dir.resolve("c.aof");
    FaultyFile file = new FaultyFile(path);
    writer = new AofWriter(file, AofWriter.Fsync.NO, s -> {});
    writer.start();
    for (int i = 0; i < 50; i++) {
      writer.append(record(i));
    }
    writer.close(5000);
    writer = null;
    assertTrue(file.forces.get() >= 1);
    assertEquals(keys(0, 50), readBackClosed(path));
  }

  @Test
  void afterAFileSwitch_anIdleServersRepliesAreNotHeld() throws Exception {
    writer = new AofWriter(LogFile.open(dir.resolve("a.aof")), AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    java.util.concurrent.CompletableFuture<String> switched =
        new java.util.concurrent.CompletableFuture<>();
    writer.switchTo(LogFile.open(dir.resolve("b.aof")), switched::complete);
    assertNull(switched.get(10, java.util.concurrent.TimeUnit.SECONDS));
    AtomicBoolean released = new AtomicBoolean();
    if (!writer.deferUntilDurable(() -> released.set(true), false)) {
      released.set(true);
    }
    await(released::get, "a reply after the switch is released");
  }

  @Test
  void aSwitchAskedForAfterClose_isRefused_insteadOfWaitingForever() throws Exception {
    // A rewrite that cuts the log while CONFIG SET appendonly no closes it.
    writer = new AofWriter(LogFile.open(dir.resolve("a.aof")), AofWriter.Fsync.EVERYSEC, s -> {});
    writer.start();
    writer.close(5000);
    Path next = dir.resolve("b.aof");
    java.util.concurrent.CompletableFuture<String> switched = switchTo(next);
    String failure = switched.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals("the append-only file was closed", failure);
    writer = null;
  }

  @Test
  void close_sendsTheRepliesItMadeDurable_andDropsThoseOfFailedWrites() throws Exception {
    FaultyFile file = new FaultyFile(dir.resolve("d.aof"));
    writer = new AofWriter(file, AofWriter.Fsync.ALWAYS, s -> {});
    writer.start();
    file.failWrites.set(true);
    writer.append(record(0));
    AtomicBoolean released = new AtomicBoolean();
    assertTrue(writer.deferUntilDurable(() -> released.set(true), false));
    await(() -> writer.error() != null, "the error is seen");
    writer.close(5000);
    writer = null;
    assertFalse(released.get(), "a reply to a write that never reached the disk was sent");
    // Once stopped, nothing waits any more.
    FaultyFile other = new FaultyFile(dir.resolve("e.aof"));
    AofWriter stopped = new AofWriter(other, AofWriter.Fsync.ALWAYS, s -> {});
    stopped.start();
    stopped.append(record(1));
    stopped.close(5000);
    assertFalse(stopped.deferUntilDurable(() -> {}, true));
  }
}
