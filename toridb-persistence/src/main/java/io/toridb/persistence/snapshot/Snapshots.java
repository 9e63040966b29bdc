package io.toridb.persistence.snapshot;

import io.toridb.core.config.Config;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.KeyLocks;
import io.toridb.core.keyspace.Keyspace;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.server.ServerContext;
import io.toridb.persistence.DurableFiles;
import io.toridb.persistence.PointInTimeScan;
import io.toridb.persistence.rdb.EncodingLimits;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's snapshots: the RDB file {@code dir/dbfilename} written by SAVE, BGSAVE, the save
 * points, FLUSHALL, DEBUG RELOAD and SHUTDOWN, and loaded at startup and by DEBUG RELOAD; with the
 * state INFO persistence reports.
 *
 * <p>How a snapshot is taken, by who asks:
 *
 * <ul>
 *   <li>BGSAVE and the save points: a {@link PointInTimeScan} (clients keep reading and writing)
 *       walked by a background thread, which plays the part of Redis's fork child;
 *   <li>SAVE: the same scan, walked by the calling worker before it replies; when another scan runs
 *       (a log rewrite) or the scan is cancelled, a walk with every key lock held, which stops
 *       clients as Redis's SAVE does;
 *   <li>FLUSHALL, DEBUG RELOAD and SHUTDOWN, which hold every lock already, and the save at exit: a
 *       plain walk of the keyspace.
 * </ul>
 *
 * Only one scan runs at a time, so a background save and a rewrite of the append-only file exclude
 * each other as Redis's single child process does: whichever is asked for second is refused or
 * scheduled ({@code BGSAVE SCHEDULE}, {@code BGREWRITEAOF}), and the cron starts it later. Every
 * file goes to a temporary file in {@code dir}, is forced to disk, renamed over {@code dbfilename}
 * and the directory forced; a snapshot whose cut is older than the file already renamed into place
 * is dropped instead of replacing it.
 *
 * <p>"Changes since the last save" is the server's dirty counter (which only grows) less its value
 * at the cut of the newest snapshot on disk, as Redis subtracts dirty_before_bgsave.
 */
public final class Snapshots {
  private static final Logger log = LoggerFactory.getLogger(Snapshots.class);

  /** Seconds before a failed background save is retried by the save points (Redis's value). */
  static final long RETRY_DELAY_SECONDS = 5;

  /** Redis's reply to writes while stop-writes-on-bgsave-error holds them back. */
  public static final String WRITES_REFUSED =
      "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to"
          + " disk. Commands that may modify the data set are disabled, because this instance is"
          + " configured to report errors during writes if RDB snapshotting fails"
          + " (stop-writes-on-bgsave-error option). Please check the Redis logs for details about"
          + " the RDB error.";

  /** Redis's reply to BGREWRITEAOF while a rewrite runs. */
  static final String REWRITE_RUNNING =
      "ERR Background append only file rewriting already in progress";

  /** The rewrite of the append-only file, as far as scheduling it next to snapshots goes. */
  public interface LogRewriter {
    boolean rewriting();

    /** Starts a rewrite; null when it started, else the error reply. */
    String rewrite(String why);

    /** Starts a rewrite when the log grew enough (auto-aof-rewrite-*). */
    void rewriteIfGrown();
  }

  /** What BGSAVE (or BGREWRITEAOF) did. */
  public enum Start {
    STARTED,
    SCHEDULED,
    /** A background save runs already. */
    ALREADY_RUNNING,
    /** Another scan (a log rewrite, a SAVE) runs and scheduling was not asked for. */
    OTHER_JOB_RUNNING,
    FAILED
  }

  /** How one snapshot file ended. */
  private enum Outcome {
    OK,
    FAILED,
    /** The scan was cancelled by FLUSHDB or SWAPDB. */
    CANCELLED,
    /** Stopped on purpose (FLUSHALL, DEBUG RELOAD, SHUTDOWN). */
    KILLED
  }

  /** Loading progress, for INFO's loading fields. */
  public record LoadProgress(long startMillis, long totalBytes, long loadedBytes) {}

  /** Where each key of a snapshot comes from. */
  private interface Source {
    void run(PointInTimeScan.Sink sink) throws IOException, PointInTimeScan.CancelledException;
  }

  /** One snapshot being written: its cut and progress. */
  private static final class Job {
    final long startMillis = System.currentTimeMillis();
    final AtomicLong processed = new AtomicLong();
    long cut;
    long dirtyAtCut;
    long total;
    long[] keys;
    long[] expires;

    /** The function libraries' codes at the cut. */
    java.util.List<byte[]> functions = java.util.List.of();

    volatile boolean killed;
    PointInTimeScan scan;
  }

  private final ServerContext server;
  private final Config config;
  private final long pid = ProcessHandle.current().pid();
  private final AtomicLong tempFiles = new AtomicLong();

  /** Temporary snapshot files being written, for {@link #removeTempFiles}. */
  private final Set<Path> liveTempFiles = ConcurrentHashMap.newKeySet();

  private volatile boolean removingTempFiles;

  private final AtomicLong cuts = new AtomicLong();
  private volatile Supplier<LogRewriter> logRewriter = () -> null;

  /**
   * Guards starting scans and the running job. Lock order: {@code jobs}, then key locks (a cut
   * takes them all), then {@link #renames}. Code that holds key locks (FLUSHALL, DEBUG RELOAD,
   * SHUTDOWN) therefore never takes {@code jobs}: stopping a background save needs no lock.
   */
  private final Object jobs = new Object();

  /** Guards renaming snapshots into place and what the newest one on disk is; takes nothing. */
  private final Object renames = new Object();

  private volatile Job background;
  private int foregroundScans;
  private volatile boolean bgsaveScheduled;
  private volatile boolean rewriteScheduled;
  private long renamedCut = -1;

  /** The dirty counter at the cut of the newest snapshot on disk. */
  private volatile long savedDirty;

  private volatile long[] savePoints;
  private volatile long lastBgsaveTry;
  private volatile boolean lastBgsaveOk = true;
  private volatile long lastBgsaveSeconds = -1;
  private volatile long saves;
  private volatile Job current;
  private volatile long lastLoadKeysLoaded;
  private volatile long lastLoadKeysExpired;
  private volatile LoadProgress loadProgress;

  public Snapshots(ServerContext server) {
    this.server = server;
    this.config = server.config();
    this.savePoints = Config.parseSavePoints(config.text("save"));
    config
        .require("save")
        .onChange(
            d -> {
              savePoints = Config.parseSavePoints(d.text());
              updateWriteRefusal();
            });
    config.require("stop-writes-on-bgsave-error").onChange(d -> updateWriteRefusal());
  }

  /** Where the append-only file's rewrite is found (null inside: appendonly is off). */
  public void logRewriter(Supplier<LogRewriter> rewriter) {
    this.logRewriter = rewriter;
  }

  /** The snapshot file: {@code dir/dbfilename}. */
  public Path file() {
    return Path.of(config.text("dir")).resolve(config.text("dbfilename"));
  }

  /** Whether save points are configured ({@code save} is not ""). */
  public boolean savePointsConfigured() {
    return savePoints.length > 0;
  }

  // ---------------------------------------------------------------- commands

  /**
   * BGSAVE [SCHEDULE]: starts a background save unless one runs, or another scan runs (then with
   * {@code schedule}, or inside EXEC, it is scheduled for when that one ends).
   */
  public Start bgsave(boolean schedule, boolean inTransaction) {
    if (inTransaction) {
      // EXEC holds key locks: no jobs lock here (see its lock order); nothing starts inside EXEC.
      if (background != null) {
        return Start.ALREADY_RUNNING;
      }
      bgsaveScheduled = true;
      return Start.SCHEDULED;
    }
    synchronized (jobs) {
      if (background != null) {
        return Start.ALREADY_RUNNING;
      }
      if (otherScanRunning()) {
        if (schedule) {
          bgsaveScheduled = true;
          return Start.SCHEDULED;
        }
        return Start.OTHER_JOB_RUNNING;
      }
      return startBackground() ? Start.STARTED : Start.FAILED;
    }
  }

  /**
   * BGREWRITEAOF: starts the log rewrite unless a snapshot scan runs (or inside EXEC): then it is
   * scheduled. Returns null with {@code scheduled[0]} set, or the rewrite's own error reply.
   */
  public String rewriteLog(LogRewriter rewriter, boolean inTransaction, boolean[] scheduled) {
    scheduled[0] = false;
    if (inTransaction) {
      // As in bgsave: no jobs lock inside EXEC, and nothing starts there.
      if (rewriter.rewriting()) {
        return REWRITE_RUNNING;
      }
      rewriteScheduled = true;
      scheduled[0] = true;
      return null;
    }
    synchronized (jobs) {
      if (!rewriter.rewriting() && (background != null || scanRunning())) {
        rewriteScheduled = true;
        scheduled[0] = true;
        return null;
      }
      return rewriter.rewrite("BGREWRITEAOF");
    }
  }

  /**
   * SAVE: writes a snapshot before returning; true when it is on disk. False without trying when a
   * background save runs ({@code alreadyRunning[0]} set).
   */
  public boolean save(boolean[] alreadyRunning) {
    Job job = new Job();
    PointInTimeScan scan = null;
    TempFile file = null;
    synchronized (jobs) {
      alreadyRunning[0] = background != null;
      if (alreadyRunning[0]) {
        return false;
      }
      saves++;
      if (!otherScanRunning()) {
        file = openTemp();
        if (file == null) {
          return false;
        }
        try {
          scan = PointInTimeScan.cut(server, () -> atCut(job));
          foregroundScans++;
        } catch (IllegalStateException e) {
          file.discard();
          scan = null;
        }
      }
    }
    Outcome outcome = null;
    if (scan != null) {
      job.scan = scan;
      try {
        outcome = write(scan::run, job, file);
      } finally {
        synchronized (jobs) {
          foregroundScans--;
        }
      }
    }
    if (outcome == null || outcome == Outcome.CANCELLED) {
      // Another scan runs, or a FLUSHDB/SWAPDB cancelled this one: stop everyone, as Redis does.
      KeyLocks locks = server.keyspace().locks();
      locks.lockEverything();
      try {
        Job locked = new Job();
        atCut(locked);
        outcome = write(this::walk, locked);
        job.dirtyAtCut = locked.dirtyAtCut;
      } finally {
        locks.unlockEverything();
      }
    }
    return saved(outcome, job);
  }

  /**
   * Saves with every key lock held by the caller (DEBUG RELOAD, SHUTDOWN): a running background
   * save is stopped first. True when the snapshot is on disk.
   */
  public boolean saveWhileLocked(String why) {
    killBackground(why);
    Job job = new Job();
    atCut(job);
    return saved(write(this::walk, job), job);
  }

  /**
   * The save at exit, once no command runs any more: takes every lock and saves; true when the
   * snapshot is on disk.
   */
  public boolean saveAtExit() {
    KeyLocks locks = server.keyspace().locks();
    locks.lockEverything();
    try {
      return saveWhileLocked("the server is stopping");
    } finally {
      locks.unlockEverything();
    }
  }

  /** Stops a background save that runs (SHUTDOWN NOSAVE, before the server stops). */
  public void stopBackground(String why) {
    killBackground(why);
  }

  /**
   * FLUSHALL, every key lock held: a running background save stops, and with save points the empty
   * data set is saved at once (resetting the changes since the last save), as in Redis. Nothing
   * happens while loading.
   */
  public void afterFlushAll() {
    if (server.loading()) {
      return;
    }
    killBackground("FLUSHALL emptied the data set");
    if (savePointsConfigured()) {
      Job job = new Job();
      atCut(job);
      saved(write(this::walk, job), job);
    }
  }

  /**
   * Stops any scan that runs, with every lock held by the caller, before the caller replaces the
   * keyspace without telling the scan key by key (DEBUG RELOAD): a background save is stopped, a
   * log rewrite fails and is retried later.
   */
  public void cancelScans(String why) {
    killBackground(why);
    io.toridb.core.keyspace.ChangeObserver observer = server.changeObserver();
    if (observer != null) {
      log.warn("Cancelling the running point-in-time scan: {}", why);
      observer.beforeWholeKeyspaceChange();
    }
  }

  /**
   * The periodic checks Redis's serverCron makes, when no scan runs: a scheduled log rewrite, the
   * save points (BGSAVE after {@code changes} changes and {@code seconds} seconds since the last
   * save; a failed save is retried after 5 seconds), the log's automatic rewrite, then a scheduled
   * BGSAVE.
   */
  public void cron(long nowMillis) {
    if (server.loading()) {
      return;
    }
    long now = nowMillis / 1000;
    synchronized (jobs) {
      LogRewriter rewriter = logRewriter.get();
      if (busy()) {
        return;
      }
      if (rewriteScheduled && rewriter != null) {
        rewriteScheduled = false;
        String error = rewriter.rewrite("scheduled");
        if (error != null) {
          log.warn("Scheduled rewrite of the append-only file did not start: {}", error);
        }
        if (busy()) {
          return;
        }
      }
      long dirty = changesSinceLastSave();
      long[] points = savePoints;
      boolean retryAllowed = now - lastBgsaveTry > RETRY_DELAY_SECONDS || lastBgsaveOk;
      for (int i = 0; i + 1 < points.length; i += 2) {
        long seconds = points[i];
        long changes = points[i + 1];
        if (dirty >= changes && now - server.lastSaveSeconds() > seconds && retryAllowed) {
          log.info("{} changes in {} seconds. Saving...", changes, seconds);
          startBackground();
          break;
        }
      }
      if (busy()) {
        return;
      }
      if (rewriter != null) {
        rewriter.rewriteIfGrown();
        if (busy()) {
          return;
        }
      }
      if (bgsaveScheduled && retryAllowed && startBackground()) {
        bgsaveScheduled = false;
      }
    }
  }

  /**
   * Writes a snapshot for a replica's full synchronization into a temporary file in {@code dir},
   * from a point-in-time scan as BGSAVE's: {@code atCut} runs at the cut with every key lock held
   * (where the replication offset the snapshot matches is read), then a background thread writes
   * the file and calls {@code done} with it (the caller deletes it once sent), or with null and the
   * reason. Nothing is renamed into place and the save counters are left alone. Returns {@link
   * Start#OTHER_JOB_RUNNING} without doing anything while another scan or save runs (try again
   * later), {@link Start#FAILED} when no file can be opened. {@code withoutKeys} and {@code
   * withoutFunctions} leave those out (REPLCONF rdb-filter-only).
   */
  public Start forReplica(
      Runnable atCut,
      boolean withoutKeys,
      boolean withoutFunctions,
      java.util.function.BiConsumer<Path, String> done) {
    Job job = new Job();
    TempFile file;
    synchronized (jobs) {
      if (busy()) {
        return Start.OTHER_JOB_RUNNING;
      }
      file = openTemp();
      if (file == null) {
        return Start.FAILED;
      }
      try {
        job.scan =
            PointInTimeScan.cut(
                server,
                () -> {
                  atCut(job);
                  if (withoutFunctions) {
                    job.functions = java.util.List.of();
                  }
                  if (withoutKeys) {
                    java.util.Arrays.fill(job.keys, 0);
                    java.util.Arrays.fill(job.expires, 0);
                    job.total = 0;
                  }
                  atCut.run();
                });
      } catch (IllegalStateException e) {
        file.discard();
        return Start.OTHER_JOB_RUNNING;
      }
      foregroundScans++;
    }
    Thread t =
        new Thread(
            () -> {
              Outcome outcome;
              try {
                // Without keys the scan still runs to its end (which ends its observing), writing
                // nothing.
                Source source =
                    withoutKeys ? sink -> job.scan.run((db, key, value) -> {}) : job.scan::run;
                outcome = write(source, job, file, false);
              } catch (RuntimeException e) {
                log.warn("Writing the snapshot for a replica failed", e);
                outcome = Outcome.FAILED;
              } finally {
                synchronized (jobs) {
                  foregroundScans--;
                }
              }
              if (outcome == Outcome.OK) {
                done.accept(file.path, null);
              } else {
                done.accept(
                    null,
                    "the snapshot for the replica was " + outcome.name().toLowerCase(Locale.ROOT));
              }
            },
            "toridb-repl-snapshot");
    t.setDaemon(true);
    t.start();
    log.info("Starting BGSAVE for SYNC with target: disk");
    return Start.STARTED;
  }

  /** Loads {@code file} (which must exist) into the keyspace, at startup. */
  public RdbFileReader.Result loadAtStartup() throws IOException {
    return load(file(), false);
  }

  /**
   * Loads the snapshot file into the keyspace; keys already there are refused unless {@code merge}.
   * The caller holds every lock or nothing else runs (startup).
   *
   * @throws NoSuchFileException when there is no file
   * @throws IOException when it cannot be read or is damaged: the message names the file and the
   *     problem
   */
  public RdbFileReader.Result load(Path file, boolean merge) throws IOException {
    long start = System.currentTimeMillis();
    lastLoadKeysLoaded = 0;
    lastLoadKeysExpired = 0;
    Keyspace keyspace = server.keyspace();
    KeyLocks locks = keyspace.locks();
    RdbFileReader.Options options =
        new RdbFileReader.Options(
            keyspace.databaseCount(),
            EncodingLimits.of(config),
            config.yes("rdbchecksum"),
            merge,
            RdbFileWriter.Access.of(config.text("maxmemory-policy")),
            start);
    long delay = config.number("key-load-delay");
    io.toridb.core.command.CommandExecutor[] loader = new io.toridb.core.command.CommandExecutor[1];
    RdbFileReader.Target target =
        new RdbFileReader.Target() {
          @Override
          public StoredValue put(int db, Key key, StoredValue value, long expireAt) {
            if (delay != 0) {
              io.toridb.persistence.PointInTimeScan.keyDelay(delay);
            }
            int stripe = KeyLocks.stripeOf(key.hashCode());
            locks.lock(stripe);
            try {
              return keyspace.db(db).load(key, value, expireAt);
            } finally {
              locks.unlock(stripe);
            }
          }

          @Override
          public String function(byte[] code) {
            // Loaded as FUNCTION LOAD loads it (REPLACE when merging, as Redis's
            // RDBFLAGS_ALLOW_DUP): the library's code must run to register its functions.
            if (loader[0] == null) {
              loader[0] = new io.toridb.core.command.CommandExecutor(server);
            }
            byte[][] argv =
                merge
                    ? new byte[][] {b("FUNCTION"), b("LOAD"), b("REPLACE"), code}
                    : new byte[][] {b("FUNCTION"), b("LOAD"), code};
            io.netty.buffer.ByteBuf scratch = io.netty.buffer.Unpooled.buffer(64);
            try {
              return loader[0].replay(
                  new io.toridb.core.session.ClientSession(true), argv, scratch);
            } finally {
              scratch.release();
            }
          }
        };
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16)) {
      long size = ch.size();
      loadProgress = new LoadProgress(start, size, 0);
      RdbFileReader.Result r =
          RdbFileReader.read(
              in,
              size,
              options,
              target,
              offset -> loadProgress = new LoadProgress(start, size, offset));
      lastLoadKeysLoaded = r.keysLoaded();
      lastLoadKeysExpired = r.keysExpired();
      long millis = Math.max(1, System.currentTimeMillis() - start);
      if (r.emptyKeysSkipped() > 0) {
        log.warn(
            "Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
            r.keysLoaded(),
            r.keysExpired(),
            r.emptyKeysSkipped());
      } else {
        log.info(
            "Done loading RDB, keys loaded: {}, keys expired: {}.",
            r.keysLoaded(),
            r.keysExpired());
      }
      log.info(
          "DB loaded from disk: {} seconds", String.format(Locale.ROOT, "%.3f", millis / 1000.0));
      return r;
    } catch (RdbFileReader.Damaged e) {
      throw e.in(file.toAbsolutePath());
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException(
          "Can't read the RDB file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    } finally {
      loadProgress = null;
    }
  }

  // ---------------------------------------------------------------- INFO

  /**
   * Changes since the last snapshot that reached the disk (INFO's rdb_changes_since_last_save): the
   * dirty counter now less its value at that snapshot's cut.
   */
  /** Counts every change made so far as saved (DEBUG LOADAOF, as Redis resets its dirty count). */
  public void changesSaved() {
    savedDirty = server.stats().dirty.sum();
  }

  public long changesSinceLastSave() {
    return server.stats().dirty.sum() - savedDirty;
  }

  public boolean bgsaveInProgress() {
    return current != null && background != null;
  }

  /** Seconds the running background save has taken, or -1. */
  public long currentBgsaveSeconds() {
    Job j = current;
    return j == null || !bgsaveInProgress()
        ? -1
        : (System.currentTimeMillis() - j.startMillis) / 1000;
  }

  public long lastBgsaveSeconds() {
    return lastBgsaveSeconds;
  }

  public String lastBgsaveStatus() {
    return lastBgsaveOk ? "ok" : "err";
  }

  /** SAVE commands and background saves started (INFO's rdb_saves). */
  public long saves() {
    return saves;
  }

  /** Keys written so far by the snapshot being written, or 0. */
  public long currentKeysProcessed() {
    Job j = current;
    return j == null ? 0 : j.processed.get();
  }

  /** Keys at the cut of the snapshot being written, or 0. */
  public long currentKeysTotal() {
    Job j = current;
    return j == null ? 0 : j.total;
  }

  public boolean rewriteScheduled() {
    return rewriteScheduled;
  }

  public long lastLoadKeysLoaded() {
    return lastLoadKeysLoaded;
  }

  public long lastLoadKeysExpired() {
    return lastLoadKeysExpired;
  }

  /** Progress of a load that runs, else null. */
  public LoadProgress loadProgress() {
    return loadProgress;
  }

  // ---------------------------------------------------------------- machinery

  /** A background save, a log rewrite or a SAVE holds the scan, or a log rewrite finishes. */
  private boolean busy() {
    return background != null || otherScanRunning();
  }

  /** A scan that is not a background save's, or a log rewrite, runs. Caller holds {@link #jobs}. */
  private boolean otherScanRunning() {
    LogRewriter r = logRewriter.get();
    return scanRunning() || foregroundScans > 0 || (r != null && r.rewriting());
  }

  private boolean scanRunning() {
    return server.changeObserver() != null;
  }

  /** Starts a background save; the caller holds {@link #jobs} and checked nothing runs. */
  private boolean startBackground() {
    saves++;
    lastBgsaveTry = System.currentTimeMillis() / 1000;
    Job job = new Job();
    TempFile file = openTemp();
    if (file == null) {
      // As Redis's child failing at once: the save started, and failed.
      log.warn("Background saving error");
      lastBgsaveOk = false;
      lastBgsaveSeconds = 0;
      updateWriteRefusal();
      return true;
    }
    try {
      job.scan = PointInTimeScan.cut(server, () -> atCut(job));
    } catch (IllegalStateException e) {
      file.discard();
      lastBgsaveOk = false;
      updateWriteRefusal();
      log.warn("Can't save in background: {}", e.getMessage());
      return false;
    }
    background = job;
    current = job;
    Thread t = new Thread(() -> runBackground(job, file), "toridb-bgsave");
    t.setDaemon(true);
    t.start();
    log.info("Background saving started");
    return true;
  }

  private void runBackground(Job job, TempFile file) {
    Outcome outcome;
    try {
      outcome = write(job.scan::run, job, file);
    } catch (RuntimeException e) {
      log.warn("Background saving failed", e);
      outcome = Outcome.FAILED;
    }
    synchronized (jobs) {
      lastBgsaveSeconds = (System.currentTimeMillis() - job.startMillis) / 1000;
      switch (outcome) {
        case OK -> log.info("Background saving terminated with success");
        case FAILED -> log.warn("Background saving error");
        case CANCELLED -> {
          // FLUSHDB or SWAPDB replaced a database under the scan; Redis's child would have gone
          // on with its copy, so start again (from a later instant) as soon as the cron can.
          bgsaveScheduled = true;
          log.warn("Background saving cancelled by a change of a whole database; it starts again");
        }
        case KILLED -> log.warn("Background saving stopped");
      }
      saved(outcome, job);
      if (outcome == Outcome.FAILED) {
        lastBgsaveOk = false;
        updateWriteRefusal();
      }
      // Last: whoever sees no save in progress sees its outcome too.
      background = null;
      current = null;
    }
  }

  /** Marks a running background save killed and cancels its scan. */
  private void killBackground(String why) {
    Job job = background;
    if (job != null) {
      job.killed = true;
      bgsaveScheduled = false;
      log.warn("There is a background save running. Stopping it: {}", why);
      job.scan.beforeWholeKeyspaceChange();
    }
  }

  /** Records the cut: every lock is held. */
  private void atCut(Job job) {
    job.cut = cuts.incrementAndGet();
    job.dirtyAtCut = server.stats().dirty.sum();
    job.functions = server.functions().codes();
    Keyspace keyspace = server.keyspace();
    int n = keyspace.databaseCount();
    job.keys = new long[n];
    job.expires = new long[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      Database d = keyspace.db(i);
      job.keys[i] = d.size();
      job.expires[i] = d.expiresCount();
      total += job.keys[i];
    }
    job.total = total;
  }

  /** Every key of every database; the caller holds every lock. */
  private void walk(PointInTimeScan.Sink sink) throws IOException {
    Keyspace keyspace = server.keyspace();
    for (int db = 0; db < keyspace.databaseCount(); db++) {
      for (Map.Entry<Key, StoredValue> e : keyspace.db(db).entries()) {
        sink.accept(db, e.getKey(), e.getValue());
      }
    }
  }

  /** After a save: on success, the changes since it and the last save time, as Redis's rdbSave. */
  private boolean saved(Outcome outcome, Job job) {
    if (outcome != Outcome.OK) {
      return false;
    }
    synchronized (renames) {
      savedDirty = Math.max(savedDirty, job.dirtyAtCut);
    }
    server.lastSaveSeconds(System.currentTimeMillis() / 1000);
    lastBgsaveOk = true;
    updateWriteRefusal();
    return true;
  }

  /**
   * A temporary snapshot file in {@code dir}, opened before the cut so a scan never starts for a
   * file that cannot be.
   */
  private final class TempFile {
    final Path dir = Path.of(config.text("dir"));
    final Path target = dir.resolve(config.text("dbfilename"));
    final Path path = dir.resolve("temp-" + pid + "-" + tempFiles.incrementAndGet() + ".rdb");
    final FileChannel channel;

    TempFile() throws IOException {
      try {
        channel =
            FileChannel.open(
                path,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        liveTempFiles.add(path);
        if (removingTempFiles) {
          // The process is ending (removeTempFiles ran or runs): leave nothing behind.
          discard();
          throw new IOException("the server is exiting");
        }
      } catch (IOException e) {
        throw new IOException(
            "Failed opening the temp RDB file "
                + path.toAbsolutePath()
                + " for saving: "
                + (e.getMessage() == null ? e.toString() : e.getMessage()),
            e);
      }
    }

    void discard() {
      try {
        channel.close();
      } catch (IOException e) {
        log.debug("Closing {}: {}", path, e.toString());
      }
      DurableFiles.deleteQuietly(path);
      liveTempFiles.remove(path);
    }
  }

  /**
   * Deletes the temporary files of the saves under way, for a process about to end without letting
   * them finish (Redis's rdbRemoveTempFile); the snapshot already in place is left as it is.
   */
  public void removeTempFiles() {
    // Set before the files are listed: a save that opens its file meanwhile either is listed or
    // sees the flag and deletes its file itself.
    removingTempFiles = true;
    for (Path p : liveTempFiles) {
      DurableFiles.deleteQuietly(p);
    }
  }

  /** Opens a temporary file, or logs why it cannot and returns null. */
  private TempFile openTemp() {
    try {
      return new TempFile();
    } catch (IOException e) {
      log.warn("{}", e.getMessage());
      return null;
    }
  }

  /** Writes one snapshot file from {@code source} and renames it into place. */
  private Outcome write(Source source, Job job) {
    TempFile file = openTemp();
    return file == null ? Outcome.FAILED : write(source, job, file);
  }

  /** Writes {@code file} from {@code source}, then renames it into place; it is closed after. */
  private Outcome write(Source source, Job job, TempFile file) {
    return write(source, job, file, true);
  }

  /**
   * Writes {@code file} from {@code source}, then renames it into place unless {@code intoPlace} is
   * false (a replica's copy, left where it is for the caller); it is closed after.
   */
  private Outcome write(Source source, Job job, TempFile file, boolean intoPlace) {
    Path temp = file.path;
    long now = System.currentTimeMillis();
    long delay = config.number("rdb-key-save-delay");
    try {
      try (FileChannel ch = file.channel;
          OutputStream out =
              new BufferedOutputStream(
                  io.toridb.persistence.IncrementalSync.over(
                      ch, config.yes("rdb-save-incremental-fsync")),
                  1 << 16)) {
        RdbFileWriter w =
            new RdbFileWriter(
                out,
                config.yes("rdbcompression"),
                config.yes("rdbchecksum"),
                RdbFileWriter.Access.of(config.text("maxmemory-policy")),
                (int) config.number("lfu-decay-time"),
                job.keys,
                job.expires);
        Runtime rt = Runtime.getRuntime();
        w.writeHeader(now / 1000, rt.totalMemory() - rt.freeMemory());
        for (byte[] code : job.functions) {
          w.writeFunction(code);
        }
        source.run(
            (db, key, value) -> {
              if (job.killed) {
                throw new Killed();
              }
              w.writeKey(db, key, value, now);
              job.processed.incrementAndGet();
              if (delay != 0) {
                io.toridb.persistence.PointInTimeScan.keyDelay(delay);
              }
            });
        w.finish();
        ch.force(true);
      }
      if (!intoPlace) {
        if (job.killed) {
          Files.deleteIfExists(temp);
          return Outcome.KILLED;
        }
        return Outcome.OK;
      }
      synchronized (renames) {
        if (job.killed) {
          Files.deleteIfExists(temp);
          return Outcome.KILLED;
        }
        if (job.cut < renamedCut) {
          // A newer snapshot is in place already (SHUTDOWN or FLUSHALL saved meanwhile).
          Files.deleteIfExists(temp);
          return Outcome.OK;
        }
        Files.move(
            temp, file.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        renamedCut = job.cut;
      }
      DurableFiles.forceDirectory(file.dir);
      log.info("DB saved on disk");
      return Outcome.OK;
    } catch (PointInTimeScan.CancelledException e) {
      file.discard();
      return job.killed ? Outcome.KILLED : Outcome.CANCELLED;
    } catch (Killed e) {
      file.discard();
      return Outcome.KILLED;
    } catch (IOException | RuntimeException e) {
      file.discard();
      log.warn(
          "Write error saving DB on disk ({}): {}",
          temp.toAbsolutePath(),
          e.getMessage() == null ? e.toString() : e.getMessage());
      return Outcome.FAILED;
    } finally {
      liveTempFiles.remove(temp);
    }
  }

  /** Thrown out of the sink when the save was stopped. */
  private static final class Killed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Killed() {
      super(null, null, false, false);
    }
  }

  /**
   * stop-writes-on-bgsave-error: writes are refused while save points exist and the last failed.
   */
  private void updateWriteRefusal() {
    boolean refuse =
        !lastBgsaveOk && savePointsConfigured() && config.yes("stop-writes-on-bgsave-error");
    server.snapshotWriteRefusal(refuse ? WRITES_REFUSED : null);
  }

  private static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
