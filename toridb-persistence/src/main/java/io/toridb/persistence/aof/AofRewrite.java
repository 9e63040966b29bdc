package io.toridb.persistence.aof;

import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.persistence.DurableFiles;
import io.toridb.persistence.PointInTimeScan;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rewrite of the log into a compact base, in the background (BGREWRITEAOF).
 *
 * <ol>
 *   <li>A new, empty incremental file is created and added to the manifest.
 *   <li>The cut, with every key lock held for a moment: the writer is told to continue in the new
 *       file after every record so far, and a {@link PointInTimeScan} starts.
 *   <li>The scan writes every key as it was at the cut into a temporary base file, one record per
 *       key, while clients keep writing (their records go to the new incremental file).
 *   <li>The base is forced, renamed into place, and a manifest listing the new base and the
 *       incremental files from the cut on replaces the old one; the files it no longer lists are
 *       deleted.
 * </ol>
 *
 * A crash at any point leaves a manifest that replays to the same data: the old files plus the new
 * (perhaps empty) incremental file, or the new base plus the files after the cut.
 */
final class AofRewrite {
  private static final Logger log = LoggerFactory.getLogger(AofRewrite.class);

  /** Turns one key into the write that recreates it (with its expiry time). */
  interface KeyEncoder {
    byte[][] effect(Key key, StoredValue value);
  }

  /** Whatever the outcome, told when the rewrite ends: null for success, else why it failed. */
  interface Done {
    void ended(String failure, AofManifest manifest, long baseBytes, int savedKeys);
  }

  private AofRewrite() {}

  static final String TEMP_PREFIX = "temp-rewrite-";

  /**
   * A running rewrite. The log's close abandons it ({@link #abandon}): it stops at its next key, or
   * before its cut, and from then on leaves the manifest and every file but its own temporary ones
   * alone.
   */
  static final class Handle {
    private volatile boolean abandoned;
    private volatile PointInTimeScan scan;

    /**
     * Abandons the rewrite; returns once it can no longer change the log's files (it may be
     * replacing the manifest at that moment, which this waits for).
     */
    synchronized void abandon() {
      abandoned = true;
      PointInTimeScan s = scan;
      if (s != null) {
        s.beforeWholeKeyspaceChange();
      }
    }
  }

  /**
   * Starts a rewrite of the running log, whose writer goes on in a new incremental file from the
   * cut; returns once the background part runs. Throws if the first step fails (nothing changed
   * then, except perhaps an empty incremental file listed).
   */
  static Handle start(
      io.toridb.core.server.ServerContext server,
      Path directory,
      String baseName,
      Path manifestFile,
      AofManifest manifest,
      AofWriter writer,
      KeyEncoder encoder,
      Done done)
      throws IOException {
    long seq = nextSeq(manifest);
    String incrName = incrName(baseName, seq);
    Path incr = directory.resolve(incrName);
    Files.deleteIfExists(incr);
    Files.createFile(incr);
    List<AofManifest.Part> parts = new ArrayList<>(manifest.parts());
    parts.add(new AofManifest.Part(incrName, seq, AofManifest.Type.INCR));
    AofManifest withIncr = new AofManifest(parts);
    withIncr.writeAtomically(manifestFile);

    LogFile next = LogFile.open(incr);
    CompletableFuture<String> switched = new CompletableFuture<>();
    Runnable atCut = () -> writer.switchTo(next, switched::complete);
    Runnable notCut =
        () -> {
          closeQuietly(next);
          switched.complete("not switched");
        };
    return run(
        server,
        new Plan(directory, baseName, manifestFile, withIncr, incrName, seq, null),
        atCut,
        notCut,
        switched,
        encoder,
        done);
  }

  /**
   * Starts a rewrite that begins a new log instead of compacting a running one: the log is off (so
   * the files the manifest lists, if any, are not the current data) and the base, with the new
   * incremental file {@code tempIncr} (from {@link #tempIncrName}, created by the caller), becomes
   * the whole log. Both are renamed into place just before the manifest is replaced, so a crash
   * before that leaves the previous files as they were and only temporary files, which the next
   * start deletes. While another point-in-time scan runs (a background save), the cut waits for it.
   * {@code atCut} runs at the cut with every key lock held (a new writer starting to take the
   * writes, or nothing). On failure the caller removes {@code tempIncr}.
   */
  static Handle startFresh(
      io.toridb.core.server.ServerContext server,
      Path directory,
      String baseName,
      Path manifestFile,
      AofManifest manifest,
      String tempIncr,
      Runnable atCut,
      KeyEncoder encoder,
      Done done) {
    long seq = nextSeq(manifest);
    return run(
        server,
        new Plan(
            directory, baseName, manifestFile, manifest, incrName(baseName, seq), seq, tempIncr),
        atCut,
        () -> {},
        CompletableFuture.completedFuture(null),
        encoder,
        done);
  }

  /** The sequence number of the next file a rewrite adds. */
  static long nextSeq(AofManifest manifest) {
    long seq = 1;
    for (AofManifest.Part p : manifest.parts()) {
      seq = Math.max(seq, p.seq() + 1);
    }
    return seq;
  }

  static String incrName(String baseName, long seq) {
    return baseName + "." + seq + ".incr.aof";
  }

  /**
   * A temporary file name for a rewrite of sequence {@code seq} (a base, or a new log's first
   * incremental file): unique, so that a rewrite abandoned but not yet stopped never deletes the
   * files of the one after it.
   */
  static String tempName(long seq, String kind) {
    return TEMP_PREFIX + seq + "-" + TEMP_IDS.incrementAndGet() + "." + kind + ".aof";
  }

  /** Where a new log's incremental file lives until its first manifest lists it. */
  static String tempIncrName(long seq) {
    return tempName(seq, "incr");
  }

  private static final java.util.concurrent.atomic.AtomicLong TEMP_IDS =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

  /**
   * The files of one rewrite: the manifest as it stands before the cut and the new incremental file
   * (already listed in it when the rewrite switches a running log; {@code tempIncr} until the end
   * when it starts a new log).
   */
  private record Plan(
      Path directory,
      String baseName,
      Path manifestFile,
      AofManifest before,
      String incrName,
      long seq,
      String tempIncr) {
    boolean fresh() {
      return tempIncr != null;
    }
  }

  /**
   * The background part: the cut (on the rewrite's own thread, as it takes every key lock: the
   * caller may hold key locks, BGREWRITEAOF inside EXEC, and a transaction it is part of must have
   * logged all its writes before the cut), the base, then the manifest. {@code switched} completes
   * with null once records go to the new incremental file, or with why they do not.
   */
  private static Handle run(
      io.toridb.core.server.ServerContext server,
      Plan f,
      Runnable atCut,
      Runnable notCut,
      CompletableFuture<String> switched,
      KeyEncoder encoder,
      Done done) {
    long cutSeq = f.seq();
    Handle handle = new Handle();
    long keyDelay = server.config().number("rdb-key-save-delay");
    boolean incrementalFsync = server.config().yes("aof-rewrite-incremental-fsync");
    Thread t =
        new Thread(
            () -> {
              Path directory = f.directory();
              Path temp = directory.resolve(tempName(cutSeq, "base"));
              String baseFile = f.baseName() + "." + cutSeq + ".base.aof";
              PointInTimeScan scan = null;
              boolean replaced = false;
              try {
                List<List<byte[]>> functions = new ArrayList<>(1);
                Runnable cutWithFunctions =
                    () -> {
                      functions.add(server.functions().codes());
                      atCut.run();
                    };
                scan = cut(server, cutWithFunctions, notCut, handle, f.fresh());
                long bytes =
                    writeBase(scan, functions.get(0), temp, encoder, keyDelay, incrementalFsync);
                String failure = switched.join();
                if (failure != null) {
                  throw new IOException("the log could not switch files: " + failure);
                }
                AofManifest after;
                synchronized (handle) {
                  if (handle.abandoned) {
                    throw new IOException("the append-only file was closed");
                  }
                  Files.move(
                      temp,
                      directory.resolve(baseFile),
                      StandardCopyOption.ATOMIC_MOVE,
                      StandardCopyOption.REPLACE_EXISTING);
                  List<AofManifest.Part> kept = new ArrayList<>();
                  kept.add(new AofManifest.Part(baseFile, cutSeq, AofManifest.Type.BASE));
                  List<String> obsolete = new ArrayList<>();
                  for (AofManifest.Part p : f.before().parts()) {
                    if (p.type() == AofManifest.Type.INCR && p.seq() >= cutSeq) {
                      kept.add(p);
                    } else {
                      obsolete.add(p.file());
                    }
                  }
                  if (f.fresh()) {
                    // A new log: its incremental file takes its place and joins the manifest. The
                    // writer keeps appending to it through the rename.
                    Files.move(
                        directory.resolve(f.tempIncr()),
                        directory.resolve(f.incrName()),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                    kept.add(new AofManifest.Part(f.incrName(), cutSeq, AofManifest.Type.INCR));
                  }
                  after = new AofManifest(kept);
                  after.writeAtomically(f.manifestFile());
                  replaced = true;
                  for (String name : obsolete) {
                    Files.deleteIfExists(directory.resolve(name));
                  }
                }
                done.ended(null, after, bytes, scan.savedKeys());
              } catch (PointInTimeScan.CancelledException | IOException | RuntimeException e) {
                DurableFiles.deleteQuietly(temp);
                if (f.fresh() && !replaced) {
                  // Renamed into place but never listed: no manifest may be left without them.
                  DurableFiles.deleteQuietly(directory.resolve(baseFile));
                  DurableFiles.deleteQuietly(directory.resolve(f.incrName()));
                }
                AofManifest now = f.before();
                if (switched.join() != null) {
                  // The writer never moved to the new file: take it off the list again.
                  now = undoIncr(f.before(), f.incrName(), f.manifestFile(), directory, now);
                }
                done.ended(
                    e.getMessage() == null ? e.toString() : e.getMessage(),
                    now,
                    -1,
                    scan == null ? 0 : scan.savedKeys());
              }
            },
            "toridb-aof-rewrite");
    t.setDaemon(true);
    t.start();
    return handle;
  }

  /**
   * Makes the cut. While another scan runs, a new log's rewrite ({@code wait}) tries again every 10
   * ms until the scan ends or the rewrite is abandoned; a rewrite of the running log fails.
   */
  private static PointInTimeScan cut(
      io.toridb.core.server.ServerContext server,
      Runnable atCut,
      Runnable notCut,
      Handle handle,
      boolean wait)
      throws IOException {
    while (true) {
      if (handle.abandoned) {
        notCut.run();
        throw new IOException("the append-only file was closed");
      }
      try {
        PointInTimeScan scan = PointInTimeScan.cut(server, atCut);
        handle.scan = scan;
        if (handle.abandoned) {
          scan.beforeWholeKeyspaceChange();
        }
        return scan;
      } catch (IllegalStateException e) {
        if (!wait) {
          notCut.run();
          throw new IOException(e.getMessage());
        }
      }
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
    }
  }

  private static void closeQuietly(LogFile file) {
    try {
      file.close();
    } catch (IOException e) {
      log.debug("Closing an unused AOF file: {}", e.toString());
    }
  }

  /** The manifest without the unused incremental file {@code name}, which is deleted. */
  private static AofManifest undoIncr(
      AofManifest withIncr, String name, Path manifestFile, Path directory, AofManifest fallback) {
    List<AofManifest.Part> parts = new ArrayList<>();
    for (AofManifest.Part p : withIncr.parts()) {
      if (!p.file().equals(name)) {
        parts.add(p);
      }
    }
    AofManifest without = new AofManifest(parts);
    try {
      without.writeAtomically(manifestFile);
      DurableFiles.deleteQuietly(directory.resolve(name));
      return without;
    } catch (IOException e) {
      log.warn("Could not take the unused {} off the manifest: {}", name, e.getMessage());
      return fallback;
    }
  }

  /**
   * Writes the function libraries as FUNCTION LOAD records (as Redis's rewriteFunctions), then the
   * scan, one record per key, into {@code temp}, forced to disk (also every few MB on the way with
   * {@code incrementalFsync}); returns its size. {@code keyDelay} is rdb-key-save-delay, which
   * slows rewrites down for tests as it does in Redis.
   */
  private static long writeBase(
      PointInTimeScan scan,
      List<byte[]> functions,
      Path temp,
      KeyEncoder encoder,
      long keyDelay,
      boolean incrementalFsync)
      throws IOException, PointInTimeScan.CancelledException {
    try (FileChannel ch =
            FileChannel.open(
                temp,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream out =
            new BufferedOutputStream(
                io.toridb.persistence.IncrementalSync.over(ch, incrementalFsync), 1 << 16)) {
      for (byte[] code : functions) {
        byte[] record =
            AofRecord.encode(
                0,
                new byte[][] {
                  "FUNCTION".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                  "LOAD".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                  code
                });
        AofRecord.seal(record);
        out.write(record);
      }
      scan.run(
          (db, key, value) -> {
            byte[] record = AofRecord.encode(db, encoder.effect(key, value));
            AofRecord.seal(record);
            out.write(record);
          },
          keyDelay);
      out.flush();
      ch.force(true);
      return ch.size();
    }
  }
}
