package io.toridb.persistence.aof;

import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.persistence.DurableFiles;
import io.toridb.persistence.PointInTimeScan;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
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
   * Starts a rewrite; returns once the cut is made and the background part runs. Throws if the
   * first step fails (nothing changed then, except perhaps an empty incremental file listed).
   */
  static void start(
      io.toridb.core.server.ServerContext server,
      Path directory,
      String baseName,
      Path manifestFile,
      AofManifest manifest,
      AofWriter writer,
      KeyEncoder encoder,
      Done done)
      throws IOException {
    long seq = 1;
    for (AofManifest.Part p : manifest.parts()) {
      seq = Math.max(seq, p.seq() + 1);
    }
    String incrName = baseName + "." + seq + ".incr.aof";
    Path incr = directory.resolve(incrName);
    Files.deleteIfExists(incr);
    Files.createFile(incr);
    List<AofManifest.Part> parts = new ArrayList<>(manifest.parts());
    parts.add(new AofManifest.Part(incrName, seq, AofManifest.Type.INCR));
    AofManifest withIncr = new AofManifest(parts);
    withIncr.writeAtomically(manifestFile);

    LogFile next = LogFile.open(incr);
    CompletableFuture<String> switched = new CompletableFuture<>();
    long cutSeq = seq;
    // The cut takes every key lock, so it runs on the rewrite's own thread: the caller may hold
    // key locks (BGREWRITEAOF inside EXEC), and a transaction it is part of must have logged all
    // its writes before the cut.
    Thread t =
        new Thread(
            () -> {
              Path temp = directory.resolve(TEMP_PREFIX + cutSeq + ".base.aof");
              PointInTimeScan scan = null;
              try {
                try {
                  scan =
                      PointInTimeScan.cut(server, () -> writer.switchTo(next, switched::complete));
                } catch (IllegalStateException e) {
                  next.close();
                  switched.complete("not switched");
                  throw new IOException(e.getMessage());
                }
                long bytes = writeBase(scan, temp, encoder);
                String failure = switched.join();
                if (failure != null) {
                  throw new IOException("the log could not switch files: " + failure);
                }
                String baseFile = baseName + "." + cutSeq + ".base.aof";
                Files.move(
                    temp,
                    directory.resolve(baseFile),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
                List<AofManifest.Part> kept = new ArrayList<>();
                kept.add(new AofManifest.Part(baseFile, cutSeq, AofManifest.Type.BASE));
                List<String> obsolete = new ArrayList<>();
                for (AofManifest.Part p : withIncr.parts()) {
                  if (p.type() == AofManifest.Type.INCR && p.seq() >= cutSeq) {
                    kept.add(p);
                  } else {
                    obsolete.add(p.file());
                  }
                }
                AofManifest after = new AofManifest(kept);
                after.writeAtomically(manifestFile);
                for (String f : obsolete) {
                  Files.deleteIfExists(directory.resolve(f));
                }
                done.ended(null, after, bytes, scan.savedKeys());
              } catch (PointInTimeScan.CancelledException | IOException | RuntimeException e) {
                DurableFiles.deleteQuietly(temp);
                AofManifest now = withIncr;
                if (switched.join() != null) {
                  // The writer never moved to the new file: take it off the list again.
                  now = undoIncr(withIncr, incrName, manifestFile, directory, now);
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

  /** Writes the scan into {@code temp}, one record per key, forced to disk; returns its size. */
  private static long writeBase(PointInTimeScan scan, Path temp, KeyEncoder encoder)
      throws IOException, PointInTimeScan.CancelledException {
    try (FileChannel ch =
            FileChannel.open(
                temp,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
      scan.run(
          (db, key, value) -> {
            byte[] record = AofRecord.encode(db, encoder.effect(key, value));
            AofRecord.seal(record);
            out.write(record);
          });
      out.flush();
      ch.force(true);
      return ch.size();
    }
  }
}
