package io.toridb.persistence.aof;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.propagation.PropagationSink;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import io.toridb.persistence.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only log of a server: a directory ({@code appenddirname} under {@code dir}) holding a
 * manifest and the files it lists (see {@link AofManifest}); the records are {@link AofRecord}s.
 *
 * <p>Life: {@link #open} finds or creates the directory; {@link #load} replays every file into the
 * keyspace (cutting off a torn tail of the last one, refusing anything else that is damaged);
 * {@link #start} then makes it the server's propagation sink, so every write's effect is appended
 * from then on; {@link #close} writes and forces what is left.
 */
public final class AppendOnlyFile implements PropagationSink {
  private static final Logger log = LoggerFactory.getLogger(AppendOnlyFile.class);

  /** The message a client gets for a write while the log cannot be written, as Redis's. */
  static String refusal(String reason) {
    return "MISCONF Errors writing to the AOF file: " + reason;
  }

  private final ServerContext server;
  private final Path directory;
  private final Path manifestFile;
  private volatile AofManifest manifest;
  private final String baseName;
  private final boolean loadTruncated;
  private final java.nio.channels.FileChannel lockChannel;
  private volatile AofWriter writer;
  private volatile LoadProgress progress;
  private volatile String lastWriteStatus = "ok";
  private volatile long baseSize;

  // Rewrite state, for BGREWRITEAOF, the automatic rewrite and INFO.
  private volatile boolean rewriting;
  private volatile long rewriteStartMillis;
  private final RewriteHistory history;

  /** A log started at run time is writing its first base: until then it holds nothing. */
  private volatile boolean writingFirstBase;

  /** The running rewrite, which {@link #close} abandons; null before the first. */
  private volatile AofRewrite.Handle rewriteHandle;

  /** The log's size after the last rewrite (or at startup): growth is measured against it. */
  private volatile long rewriteBaseSize;

  private volatile AofRewrite.KeyEncoder encoder = AppendOnlyFile::restoreEffect;

  private static final byte[] RESTORE = {'R', 'E', 'S', 'T', 'O', 'R', 'E'};
  private static final byte[] ABSTTL = {'A', 'B', 'S', 'T', 'T', 'L'};

  /**
   * How a rewritten base holds a key: {@code RESTORE key <expiry ms or 0> <DUMP payload> ABSTTL},
   * the same per-key format as DUMP, for every type. Replayed while loading, a key whose expiry
   * already passed is kept until loading ends, so that later records of the log still apply to it.
   */
  static byte[][] restoreEffect(io.toridb.core.keyspace.Key key, StoredValue value) {
    long expiry = value.hasExpiry() ? value.expireAt() : 0;
    return new byte[][] {
      RESTORE,
      key.bytes(),
      Long.toString(expiry).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
      io.toridb.persistence.dump.DumpPayload.create(value),
      ABSTTL
    };
  }

  /** How far loading is, for INFO; sizes in bytes. */
  public record LoadProgress(long startMillis, long totalBytes, long loadedBytes) {}

  /** Loading stopped at a damaged record; the message says where and what to do. */
  public static final class LoadException extends IOException {
    public LoadException(String message) {
      super(message);
    }
  }

  private AppendOnlyFile(
      ServerContext server,
      Path directory,
      String baseName,
      AofManifest manifest,
      java.nio.channels.FileChannel lockChannel,
      RewriteHistory history) {
    this.lockChannel = lockChannel;
    this.history = history;
    this.server = server;
    this.directory = directory;
    this.manifestFile = manifestFile(directory, baseName);
    this.baseName = baseName;
    this.manifest = manifest;
    this.loadTruncated = server.config().yes("aof-load-truncated");
  }

  /**
   * Opens the log under {@code dataDir}, creating the directory, a first incremental file and the
   * manifest when there is none. A manifest that lists a missing file is refused.
   */
  public static AppendOnlyFile open(ServerContext server, Path dataDir) throws IOException {
    return open(server, dataDir, true, new RewriteHistory());
  }

  /**
   * Opens the log under {@code dataDir} as {@link #open} does, except that a directory without a
   * manifest is left as it is: with {@code create} false, the result then has no files (an empty
   * manifest) and writes nothing until a rewrite makes a base ({@link #startNew}, {@link
   * #rewriteWhileOff}). Rewrites are counted in {@code history}.
   */
  public static AppendOnlyFile open(
      ServerContext server, Path dataDir, boolean create, RewriteHistory history)
      throws IOException {
    String baseName = server.config().text("appendfilename");
    Path directory = directory(server, dataDir);
    Files.createDirectories(directory);
    java.nio.channels.FileChannel lock = lock(directory);
    try {
      return open(server, directory, baseName, lock, create, history);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** Whether {@code dataDir} holds a log (its manifest). */
  public static boolean exists(ServerContext server, Path dataDir) {
    return Files.exists(
        manifestFile(directory(server, dataDir), server.config().text("appendfilename")));
  }

  /** The log's directory under {@code dataDir} ({@code appenddirname}). */
  private static Path directory(ServerContext server, Path dataDir) {
    return dataDir.resolve(server.config().text("appenddirname"));
  }

  private static Path manifestFile(Path directory, String baseName) {
    return directory.resolve(baseName + ".manifest");
  }

  /**
   * Locks the directory for this process, so that a second server started on the same {@code dir}
   * cannot append to the same files.
   */
  private static java.nio.channels.FileChannel lock(Path directory) throws IOException {
    java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            directory.resolve("toridb.lock"),
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileLock held;
    try {
      held = ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      held = null;
    }
    if (held == null) {
      ch.close();
      throw new LoadException(
          "Another ToriDB server is using the append-only directory "
              + directory
              + ": give each server its own dir");
    }
    return ch;
  }

  private static AppendOnlyFile open(
      ServerContext server,
      Path directory,
      String baseName,
      java.nio.channels.FileChannel lock,
      boolean create,
      RewriteHistory history)
      throws IOException {
    Path manifestFile = manifestFile(directory, baseName);
    // What an interrupted rewrite left: never listed in a manifest, so never needed.
    try (var leftovers = Files.list(directory)) {
      for (Path p : leftovers.toList()) {
        if (p.getFileName().toString().startsWith(AofRewrite.TEMP_PREFIX)) {
          Files.deleteIfExists(p);
        }
      }
    }
    AofManifest manifest;
    if (Files.exists(manifestFile)) {
      try {
        manifest = AofManifest.read(manifestFile);
      } catch (AofManifest.InvalidException e) {
        throw new LoadException(
            "The AOF manifest " + manifestFile + " is damaged: " + e.getMessage());
      }
      if (manifest.incrs().isEmpty()) {
        throw new LoadException(
            "The AOF manifest " + manifestFile + " lists no incremental file to append to");
      }
      deleteUnlisted(directory, baseName, manifest);
      for (AofManifest.Part p : manifest.replayOrder()) {
        if (!Files.exists(directory.resolve(p.file()))) {
          throw new LoadException(
              "The AOF manifest "
                  + manifestFile
                  + " lists "
                  + p.file()
                  + ", which does not exist: the log is incomplete. Restore the file, or run"
                  + " 'scripts/toridb-check-aof "
                  + directory
                  + "' to see what is there.");
        }
      }
    } else if (!create) {
      manifest = new AofManifest(List.of());
    } else {
      List<String> strays = logFiles(directory, baseName);
      if (!strays.isEmpty()) {
        throw new LoadException(
            "The append-only directory "
                + directory
                + " holds "
                + String.join(", ", strays)
                + " but no manifest ("
                + manifestFile.getFileName()
                + "), which says how to replay them: restore the manifest, or move the files"
                + " away to start with an empty log.");
      }
      String first = baseName + ".1.incr.aof";
      Files.createFile(directory.resolve(first));
      manifest = new AofManifest(List.of(new AofManifest.Part(first, 1, AofManifest.Type.INCR)));
      manifest.writeAtomically(manifestFile);
      log.info("Created the append-only file {}", directory.resolve(first));
    }
    return new AppendOnlyFile(server, directory, baseName, manifest, lock, history);
  }

  /**
   * Deletes log files the manifest does not list: a base renamed into place by a rewrite that
   * crashed before replacing the manifest, or files a finished rewrite could not delete. Nothing
   * would ever replay them.
   */
  private static void deleteUnlisted(Path directory, String baseName, AofManifest manifest)
      throws IOException {
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (AofManifest.Part p : manifest.parts()) {
      if (p.type() != AofManifest.Type.HISTORY) {
        listed.add(p.file());
      }
    }
    for (String name : logFiles(directory, baseName)) {
      if (!listed.contains(name)) {
        Path p = directory.resolve(name);
        log.info("Deleting {}, which the manifest does not list", p);
        Files.deleteIfExists(p);
      }
    }
  }

  /** The names of the base and incremental files in {@code directory}, listed or not. */
  private static List<String> logFiles(Path directory, String baseName) throws IOException {
    java.util.regex.Pattern ours =
        java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(baseName) + "\\.[0-9]+\\.(base|incr)\\.aof");
    try (var files = Files.list(directory)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> ours.matcher(name).matches())
          .sorted()
          .toList();
    }
  }

  public Path directory() {
    return directory;
  }

  /** The file new records are appended to: the last incremental one. */
  public Path currentFile() {
    List<AofManifest.Part> incrs = manifest.incrs();
    return directory.resolve(incrs.get(incrs.size() - 1).file());
  }

  /** Log bytes per key assumed when sizing the default database before a load. */
  private static final long BYTES_PER_KEY = 64;

  /** Keys the default database is sized for at most before a load (a table of 32 MB). */
  private static final long PRESIZE_CAP = 4L << 20;

  /**
   * Replays every file of the log into the server's keyspace, in order, through the command path
   * (without client checks); logs progress for large files. The server is expected to be loading
   * (clients get -LOADING) with expiry paused.
   */
  public void load() throws IOException {
    load(true);
  }

  /**
   * Replays the log as {@link #load()} does; a torn tail of the last file is cut off only when
   * {@code cutTornTail} (and {@code aof-load-truncated}) allow it, else it stops the load.
   */
  private void load(boolean cutTornTail) throws IOException {
    List<AofManifest.Part> parts = manifest.replayOrder();
    long total = 0;
    for (AofManifest.Part p : parts) {
      total += Files.size(directory.resolve(p.file()));
    }
    long start = System.currentTimeMillis();
    progress = new LoadProgress(start, total, 0);
    if (total == 0) {
      progress = null;
      return;
    }
    // Size the default database for the log: at least BYTES_PER_KEY bytes of log per key it can
    // hold (a SET of a short key and value), so filling it does not copy the table at every
    // doubling; capped, as a log of many updates to few keys would overestimate.
    server.keyspace().db(0).presize((int) Math.min(PRESIZE_CAP, total / BYTES_PER_KEY));
    CommandExecutor executor = new CommandExecutor(server);
    ClientSession session = new ClientSession(true);
    ByteBuf scratch = Unpooled.buffer(256);
    long records = 0;
    long lastLog = start;
    long loadedBefore = 0;
    // One thread reads, verifies and parses the files while this one applies the writes.
    java.util.concurrent.BlockingQueue<LoadItem> queue =
        new java.util.concurrent.ArrayBlockingQueue<>(64);
    Thread reader = new Thread(() -> readAll(parts, queue), "toridb-aof-reader");
    reader.setDaemon(true);
    reader.start();
    int lastWritten = lastWritten(directory, parts);
    try {
      int fileIndex = 0;
      while (fileIndex < parts.size()) {
        LoadItem item;
        try {
          item = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while loading the AOF");
        }
        Path file = directory.resolve(parts.get(fileIndex).file());
        if (item.failure() != null) {
          throw item.failure();
        }
        if (item.result() != null) {
          AofReader.Result r = item.result();
          if (r.outcome() == AofReader.Outcome.PADDED) {
            // Nothing but zeros follows the records: nothing is lost by cutting them, in any file.
            // A log being appended to (DEBUG LOADAOF) keeps them.
            if (cutTornTail) {
              cutPadding(file, r);
            }
          } else if (r.outcome() != AofReader.Outcome.COMPLETE) {
            handleDamage(file, r, cutTornTail && fileIndex >= lastWritten);
          }
          loadedBefore += item.result().fileBytes();
          fileIndex++;
          continue;
        }
        for (List<Effect> record : item.records()) {
          for (Effect e : record) {
            session.db(e.db());
            String error = executor.replay(session, e.argv(), scratch);
            if (error != null) {
              log.warn(
                  "AOF {}: the write '{}' before offset {} failed on replay: {}",
                  file.getFileName(),
                  AofRecord.describe(e.argv()),
                  item.end(),
                  error);
            }
          }
        }
        records += item.records().size();
        long loaded = loadedBefore + item.end();
        progress = new LoadProgress(start, total, loaded);
        long now = System.currentTimeMillis();
        if (now - lastLog >= 1000) {
          lastLog = now;
          logProgress(records, loaded, total, now - start);
        }
      }
    } finally {
      reader.interrupt();
      scratch.release();
    }
    long millis = Math.max(1, System.currentTimeMillis() - start);
    log.info(
        "DB loaded from append only file: {} records, {} MB in {} s ({} MB/s)",
        records,
        mb(total),
        String.format(Locale.ROOT, "%.3f", millis / 1000.0),
        String.format(Locale.ROOT, "%.1f", total / 1048576.0 / (millis / 1000.0)));
    progress = null;
  }

  /**
   * What the reader hands the applier: a batch of records (and the offset after the last), the
   * outcome of a file once it is read, or the error that stopped reading.
   */
  private record LoadItem(
      List<List<Effect>> records, long end, AofReader.Result result, IOException failure) {}

  private static final int LOAD_BATCH = 512;

  /** The reader thread: reads every part in order, in batches, each file ending in its result. */
  private void readAll(
      List<AofManifest.Part> parts, java.util.concurrent.BlockingQueue<LoadItem> queue) {
    try {
      for (AofManifest.Part part : parts) {
        Batcher batcher = new Batcher(queue);
        AofReader.Result r = AofReader.read(directory.resolve(part.file()), batcher);
        batcher.flush();
        // After a damaged file too: the applier decides whether loading goes on.
        put(queue, new LoadItem(null, 0, r, null));
      }
    } catch (IOException e) {
      put(queue, new LoadItem(null, 0, null, e));
    } catch (java.util.concurrent.CancellationException e) {
      // The applier gave up; so does the reader.
    } catch (RuntimeException | Error e) {
      put(queue, new LoadItem(null, 0, null, new IOException(e.toString(), e)));
    }
  }

  /** Groups records into batches of {@value #LOAD_BATCH} for the applier. */
  private static final class Batcher implements AofReader.RecordSink {
    private final java.util.concurrent.BlockingQueue<LoadItem> queue;
    private List<List<Effect>> batch = new java.util.ArrayList<>(LOAD_BATCH);
    private long end;

    Batcher(java.util.concurrent.BlockingQueue<LoadItem> queue) {
      this.queue = queue;
    }

    @Override
    public void accept(List<Effect> effects, long endOffset) {
      batch.add(effects);
      end = endOffset;
      if (batch.size() == LOAD_BATCH) {
        flush();
      }
    }

    void flush() {
      if (!batch.isEmpty()) {
        put(queue, new LoadItem(batch, end, null, null));
        batch = new java.util.ArrayList<>(LOAD_BATCH);
      }
    }
  }

  private static void put(java.util.concurrent.BlockingQueue<LoadItem> queue, LoadItem item) {
    try {
      queue.put(item);
    } catch (InterruptedException e) {
      // The applier stopped (an error): nothing more to hand over.
      throw new java.util.concurrent.CancellationException();
    }
  }

  private static void logProgress(long records, long loaded, long total, long millis) {
    log.info(
        "Loading AOF: {} records, {} of {} MB ({}%), {} MB/s",
        records,
        mb(loaded),
        mb(total),
        String.format(Locale.ROOT, "%.1f", 100.0 * loaded / total),
        String.format(Locale.ROOT, "%.1f", loaded / 1048576.0 / Math.max(0.001, millis / 1000.0)));
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }

  /**
   * The index of the last file of {@code parts} that holds anything: a file followed only by empty
   * files counts as the last, since the log was switched to the next file (by a rewrite) before
   * anything was written to it. Only that file may be cut back at a torn record.
   */
  static int lastWritten(Path directory, List<AofManifest.Part> parts) throws IOException {
    int last = parts.size() - 1;
    while (last > 0) {
      Path f = directory.resolve(parts.get(last).file());
      if (Files.exists(f) && Files.size(f) > 0) {
        break;
      }
      last--;
    }
    return last;
  }

  /**
   * Cuts off the zero bytes after a file's last record, which a crash left behind (space reserved
   * under appendfsync always, or blocks a file system allocated before their data reached them): no
   * record is lost, and appending goes on from the last one.
   */
  private static void cutPadding(Path file, AofReader.Result r) throws IOException {
    log.warn(
        "The AOF {} ends in {} zero bytes after its last complete record (space reserved ahead of"
            + " writes under appendfsync always, left by a crash): cutting them off at offset {}",
        file,
        r.fileBytes() - r.goodBytes(),
        r.goodBytes());
    LogFile.cut(file, r.goodBytes());
  }

  /** A torn tail of the last file is cut off (aof-load-truncated); anything else stops loading. */
  private void handleDamage(Path file, AofReader.Result r, boolean last) throws IOException {
    if (r.outcome() == AofReader.Outcome.NEWER_FORMAT) {
      throw new LoadException(
          "Can't load the AOF "
              + file
              + ": at offset "
              + r.goodBytes()
              + ", "
              + r.problem()
              + ". Start the newer version on this directory; to move the data back to this"
              + " version, see 'Upgrades' in docs/operations.md. Do not cut the file: the records"
              + " from that offset on are valid (unless no newer version ever wrote to this"
              + " directory: then that record's version byte is damaged, and 'scripts/toridb-check-aof"
              + " --fix "
              + file
              + "' can cut the file there).");
    }
    long lost = r.fileBytes() - r.goodBytes();
    if (last && r.outcome() == AofReader.Outcome.TORN_TAIL && loadTruncated) {
      log.warn(
          "!!! The AOF {} ends in an incomplete record at offset {} ({}): cutting off its last {}"
              + " bytes. A crash during a write leaves this; every complete record before it was"
              + " loaded.",
          file,
          r.goodBytes(),
          r.problem(),
          lost);
      LogFile.cut(file, r.goodBytes());
      return;
    }
    String what =
        r.outcome() == AofReader.Outcome.TORN_TAIL
            ? "ends in an incomplete record"
            : "has a damaged record";
    throw new LoadException(
        "Bad AOF: "
            + file
            + " "
            + what
            + " at offset "
            + r.goodBytes()
            + " ("
            + r.problem()
            + ")"
            + (last && r.outcome() == AofReader.Outcome.TORN_TAIL
                ? " and aof-load-truncated is no"
                : "")
            + ". Run 'scripts/toridb-check-aof --fix "
            + file
            + "' to cut the file at that offset (losing the "
            + lost
            + " bytes after it), then start again.");
  }

  /**
   * Starts appending: opens the current file at its end, starts the writer and makes this the
   * server's propagation sink. {@code appendfsync} changes apply at once.
   */
  public void start() throws IOException {
    Path file = currentFile();
    baseSize = 0;
    AofManifest.Part base = manifest.base();
    if (base != null) {
      baseSize = Files.size(directory.resolve(base.file()));
    }
    startWriter(file);
    server.propagation(this);
    rewriteBaseSize = currentSize();
  }

  private AofWriter startWriter(Path file) throws IOException {
    AofWriter w =
        new AofWriter(
            LogFile.open(file),
            AofWriter.Fsync.of(server.config().text("appendfsync")),
            this::onWriteStatus);
    writer = w;
    server.config().require("appendfsync").onChange(d -> w.fsync(AofWriter.Fsync.of(d.text())));
    w.start();
    return w;
  }

  /**
   * Turns the log on while the server runs (CONFIG SET appendonly yes, as Redis does): a writer
   * starts on a new incremental file and, from a cut with every key lock held, takes every write,
   * while a rewrite writes the data as it was at the cut into a new base. The two replace whatever
   * the directory held once the base is complete; until then a crash leaves the previous files.
   * When the rewrite fails, the writer stops, the new file is deleted and {@code failed} is told
   * why (on the rewrite's thread); the caller then treats the log as off.
   */
  public synchronized void startNew(Consumer<String> failed) throws IOException {
    String tempIncr = AofRewrite.tempIncrName(AofRewrite.nextSeq(manifest));
    Path incr = directory.resolve(tempIncr);
    Files.createFile(incr);
    startWriter(incr);
    rewriting = true;
    writingFirstBase = true;
    rewriteStartMillis = System.currentTimeMillis();
    log.info("Turning the append-only file on: writing the data set into a new base");
    startFresh(
        tempIncr,
        () -> {
          if (writer != null) {
            server.propagation(this);
          }
        },
        failure -> {
          if (failure != null) {
            close();
            DurableFiles.deleteQuietly(incr);
          }
          writingFirstBase = false;
        },
        failure -> {
          if (failure != null) {
            failed.accept(failure);
          }
        });
  }

  /**
   * Starts a rewrite into a new log ({@link AofRewrite#startFresh}); when it ends, {@code cleanUp}
   * and then {@code ended} are told null or why it failed, around the bookkeeping of its end.
   */
  private void startFresh(
      String tempIncr, Runnable atCut, Consumer<String> cleanUp, Consumer<String> ended) {
    rewriteHandle =
        AofRewrite.startFresh(
            server,
            directory,
            baseName,
            manifestFile,
            manifest,
            tempIncr,
            atCut,
            encoder,
            (failure, now, bytes, saved) -> {
              cleanUp.accept(failure);
              rewriteEnded(failure, now, bytes, saved);
              ended.accept(failure);
            });
  }

  /**
   * BGREWRITEAOF while the log is off, as Redis 7 does it: writes the data into a new base and a
   * manifest listing it (with an empty incremental file), replacing the files the directory held,
   * in the background; the directory is released when it ends. {@code ended} is told null or why it
   * failed.
   */
  public synchronized void rewriteWhileOff(Consumer<String> ended) throws IOException {
    String tempIncr = AofRewrite.tempIncrName(AofRewrite.nextSeq(manifest));
    Path incr = directory.resolve(tempIncr);
    Files.createFile(incr);
    rewriting = true;
    rewriteStartMillis = System.currentTimeMillis();
    log.info("Background append only file rewriting started (the log is off)");
    try {
      startRewriteWhileOff(tempIncr, incr, ended);
    } catch (RuntimeException e) {
      rewriting = false;
      DurableFiles.deleteQuietly(incr);
      throw e;
    }
  }

  private void startRewriteWhileOff(String tempIncr, Path incr, Consumer<String> ended) {
    startFresh(
        tempIncr,
        () -> {},
        failure -> {
          if (failure != null) {
            DurableFiles.deleteQuietly(incr);
          }
        },
        failure -> {
          unlock();
          ended.accept(failure);
        });
  }

  /**
   * Waits until every write appended so far is in the file (forced under {@code always}); throws
   * when the log cannot be written or the writer does not catch up in 30 seconds.
   */
  public void awaitWritten() throws IOException {
    AofWriter w = writer;
    if (w != null) {
      if (w.error() != null) {
        throw new IOException("the append-only file cannot be written: " + w.error());
      }
      java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
      if (w.deferUntilDurable(written::countDown, true)) {
        // On a worker (DEBUG LOADAOF), which drains the log itself under always: do it now.
        w.commitIdle();
        try {
          if (!written.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IOException("the append-only file writer did not catch up in 30 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the append-only file writer");
        }
      }
    }
  }

  /**
   * DEBUG LOADAOF: replays the log from disk into the keyspace, which the caller has emptied after
   * {@link #awaitWritten}, with the server loading and every key lock held. A damaged record
   * anywhere, even a torn tail, stops it with an exception: the file may be appended to, so it is
   * not cut.
   */
  public void reload() throws IOException {
    load(false);
  }

  /** Releases the directory when this log was opened only to be read ({@link #reload}). */
  public void release() {
    if (writer == null && !rewriting) {
      unlock();
    }
  }

  /** The text BGREWRITEAOF replies when a rewrite cannot start, as Redis's. */
  public static final String CANNOT_REWRITE =
      "ERR Can't execute an AOF background rewriting. Please check the server logs for more"
          + " information.";

  /** BGREWRITEAOF's reply when a rewrite already runs, as Redis's. */
  public static final String ALREADY_REWRITING =
      "ERR Background append only file rewriting already in progress";

  /**
   * Starts rewriting the log into a compact base in the background (see {@link AofRewrite});
   * returns null when it started, else the error reply.
   */
  public synchronized String rewrite(String why) {
    AofWriter w = writer;
    if (w == null) {
      return CANNOT_REWRITE;
    }
    if (rewriting) {
      return ALREADY_REWRITING;
    }
    AofRewrite.KeyEncoder e = encoder;
    if (e == null) {
      log.warn("Can't rewrite the append-only file: no key encoder is configured");
      return CANNOT_REWRITE;
    }
    rewriting = true;
    rewriteStartMillis = System.currentTimeMillis();
    log.info("Background append only file rewriting started ({})", why);
    try {
      rewriteHandle =
          AofRewrite.start(
              server, directory, baseName, manifestFile, manifest, w, e, this::rewriteEnded);
      return null;
    } catch (IOException | RuntimeException ex) {
      rewriteEnded(ex.getMessage() == null ? ex.toString() : ex.getMessage(), manifest, -1, 0);
      return CANNOT_REWRITE;
    }
  }

  private void rewriteEnded(String failure, AofManifest now, long baseBytes, int savedKeys) {
    manifest = now;
    long seconds = (System.currentTimeMillis() - rewriteStartMillis) / 1000;
    history.ended(failure == null, seconds);
    if (failure == null) {
      baseSize = baseBytes;
      rewriteBaseSize = currentSize();
      log.info(
          "Background AOF rewrite finished successfully: base of {} MB, {} keys changed during"
              + " the rewrite",
          mb(baseBytes),
          savedKeys);
    } else {
      log.warn("Background AOF rewrite failed: {}", failure);
    }
    rewriting = false;
  }

  /**
   * Starts a rewrite when the log has grown past {@code auto-aof-rewrite-min-size} and by {@code
   * auto-aof-rewrite-percentage} since the last one, as Redis's serverCron does.
   */
  public void rewriteIfGrown() {
    long percentage = server.config().number("auto-aof-rewrite-percentage");
    if (percentage <= 0 || rewriting || writer == null) {
      return;
    }
    long failures = history.consecutiveFailures();
    if (failures >= 3) {
      // As Redis after repeated failures: wait a minute, doubling up to an hour, between tries.
      long delay = Math.min(3_600_000L, 60_000L << Math.min(6, failures - 3));
      if (System.currentTimeMillis() - history.lastFailureMillis() < delay) {
        return;
      }
    }
    long size = currentSize();
    if (size < server.config().number("auto-aof-rewrite-min-size")) {
      return;
    }
    long base = Math.max(1, rewriteBaseSize);
    long growth = (size * 100 / base) - 100;
    if (growth >= percentage) {
      rewrite("the log grew by " + growth + "%");
    }
  }

  /** Sets how a key is written into a rewritten base. */
  void encoder(AofRewrite.KeyEncoder encoder) {
    this.encoder = encoder;
  }

  public boolean rewriting() {
    return rewriting;
  }

  /**
   * Whether this log, started at run time, is still writing its first base: the files hold none of
   * the data yet (SHUTDOWN refuses then, as Redis does).
   */
  public boolean writingFirstBase() {
    return writingFirstBase;
  }

  /** Seconds the running rewrite has taken so far, or -1. */
  public long currentRewriteSeconds() {
    return rewriting ? (System.currentTimeMillis() - rewriteStartMillis) / 1000 : -1;
  }

  /** Rewrites of this server's logs: INFO's aof_rewrites, aof_last_bgrewrite_status, ... */
  public RewriteHistory history() {
    return history;
  }

  private void onWriteStatus(String error) {
    lastWriteStatus = error == null ? "ok" : "err";
    server.writeRefusal(error == null ? null : refusal(error));
  }

  @Override
  public void propagate(int db, byte[][] argv) {
    AofWriter w = writer;
    if (w != null) {
      w.append(AofRecord.encode(db, argv));
    }
  }

  @Override
  public void propagateTransaction(List<Effect> effects) {
    AofWriter w = writer;
    if (w != null) {
      if (effects.stream().anyMatch(Effect::replicasOnly)) {
        // Commands only replicas run (PUBLISH) are not the log's.
        effects = effects.stream().filter(e -> !e.replicasOnly()).toList();
        if (effects.isEmpty()) {
          return;
        }
      }
      byte[][] records;
      try {
        records = AofRecord.encodeTransaction(effects, AofRecord.MAX_PAYLOAD);
      } catch (IllegalArgumentException e) {
        // EXEC's reply is already out: an error now would follow it and put the client out of
        // step. Only a write larger than client-query-buffer-limit allows by default gets here.
        log.error("A transaction's writes are in memory only, not in the AOF: {}", e.getMessage());
        return;
      }
      w.append(records);
    }
  }

  /** Whether replies wait for the disk ({@code appendfsync always}). */
  public boolean fsyncAlways() {
    AofWriter w = writer;
    return w != null && w.fsync() == AofWriter.Fsync.ALWAYS;
  }

  /** See {@link AofWriter#commitIdle}. */
  public boolean commitIdle() {
    AofWriter w = writer;
    return w != null && w.commitIdle();
  }

  /** See {@link AofWriter#deferUntilDurable}. */
  public boolean deferUntilDurable(Runnable release, boolean force) {
    AofWriter w = writer;
    return w != null && w.deferUntilDurable(release, force);
  }

  /** Writes and forces everything appended, then stops the writer (SHUTDOWN). */
  public void close() {
    AofRewrite.Handle rewrite = rewriteHandle;
    if (rewrite != null) {
      // A rewrite still running must not replace the manifest of a log that is closed: the next
      // one to open the directory (CONFIG SET appendonly yes again) would find its files changed.
      rewrite.abandon();
    }
    AofWriter w = writer;
    if (w == null) {
      unlock();
      return;
    }
    server.propagation(PropagationSink.NONE);
    try {
      w.close(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer = null;
    log.info("The append-only file is flushed and closed");
    unlock();
  }

  private void unlock() {
    try {
      lockChannel.close();
    } catch (IOException e) {
      log.debug("Releasing the directory lock: {}", e.toString());
    }
  }

  /** Loading progress while {@link #load} runs, else null. */
  public LoadProgress loadProgress() {
    return progress;
  }

  /** "ok" or "err", as INFO's aof_last_write_status. */
  public String lastWriteStatus() {
    return lastWriteStatus;
  }

  /** Bytes of the whole log (base and incremental files). */
  public long currentSize() {
    AofWriter w = writer;
    long incrs = 0;
    try {
      List<AofManifest.Part> parts = manifest.incrs();
      for (int i = 0; i < parts.size() - 1; i++) {
        incrs += Files.size(directory.resolve(parts.get(i).file()));
      }
    } catch (IOException e) {
      // Sizes are informational.
    }
    return baseSize + incrs + (w == null ? 0 : w.size());
  }

  public long baseSize() {
    return baseSize;
  }

  /** Bytes of records appended but not yet written to the file (aof_buffer_length). */
  public long pendingBytes() {
    AofWriter w = writer;
    return w == null ? 0 : w.pendingBytes();
  }

  /** Memory held for records not yet known to be on disk (mem_aof_buffer). */
  public long bufferMemory() {
    AofWriter w = writer;
    return w == null ? 0 : w.bufferMemory();
  }
}
