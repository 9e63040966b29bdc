package io.toridb.persistence.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.CoreCommands;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.config.Config;
import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.Key;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot coordinator without sockets: how background saves and log rewrites exclude each
 * other, what the cron starts, how cancelled and failed saves are handled, the dirty accounting and
 * loading into the keyspace.
 */
class SnapshotsTest {
  @TempDir Path dir;

  private ServerContext server;
  private Snapshots snapshots;
  private CommandExecutor executor;
  private ClientSession session;
  private final FakeRewriter rewriter = new FakeRewriter();

  /** A log rewrite that runs as long as the test says. */
  static final class FakeRewriter implements Snapshots.LogRewriter {
    volatile boolean rewriting;
    final List<String> started = new ArrayList<>();

    @Override
    public boolean rewriting() {
      return rewriting;
    }

    @Override
    public String rewrite(String why) {
      if (rewriting) {
        return "ERR Background append only file rewriting already in progress";
      }
      started.add(why);
      return null;
    }

    @Override
    public void rewriteIfGrown() {}
  }

  @BeforeEach
  void setUp() {
    Config config = Config.standard();
    config.require("dir").set(dir.toString());
    config.require("save").set("");
    server = new ServerContext(config);
    CoreCommands.registerAll(server.commands());
    snapshots = new Snapshots(server);
    snapshots.logRewriter(() -> rewriter);
    server.afterFlushAll(snapshots::afterFlushAll);
    executor = new CommandExecutor(server);
    session = new ClientSession(true);
  }

  private String call(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    ByteBuf buf = Unpooled.buffer();
    try {
      executor.context().out().reset(buf, 2);
      executor.execute(session, argv);
      return buf.toString(StandardCharsets.ISO_8859_1);
    } finally {
      buf.release();
    }
  }

  private void fill(int n) {
    for (int i = 0; i < n; i++) {
      call("SET", "key:" + i, "value:" + i);
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "timed out");
      Thread.sleep(10);
    }
  }

  private Path file() {
    return dir.resolve("dump.rdb");
  }

  @Test
  void bgsave_whileTheLogRewrites_isRefused_orScheduledAndStartedByTheCron() throws Exception {
    fill(10);
    rewriter.rewriting = true;
    assertEquals(Snapshots.Start.OTHER_JOB_RUNNING, snapshots.bgsave(false, false));
    assertEquals(Snapshots.Start.SCHEDULED, snapshots.bgsave(true, false));
    snapshots.cron(System.currentTimeMillis());
    assertFalse(snapshots.bgsaveInProgress());
    assertEquals(0, snapshots.saves());
    rewriter.rewriting = false;
    snapshots.cron(System.currentTimeMillis());
    assertEquals(1, snapshots.saves());
    await(() -> !snapshots.bgsaveInProgress());
    assertTrue(Files.exists(file()));
    assertEquals(0, snapshots.changesSinceLastSave());
    // Scheduled once: the next cron starts nothing.
    snapshots.cron(System.currentTimeMillis());
    assertEquals(1, snapshots.saves());
  }

  @Test
  void bgsave_insideExec_isScheduled() {
    assertEquals(Snapshots.Start.SCHEDULED, snapshots.bgsave(false, true));
    assertEquals(0, snapshots.saves());
  }

  @Test
  void logRewrite_whileABackgroundSaveRuns_isScheduled_andStartsAfterIt() throws Exception {
    fill(200);
    server.config().require("rdb-key-save-delay").set("2000");
    assertEquals(Snapshots.Start.STARTED, snapshots.bgsave(false, false));
    assertEquals(Snapshots.Start.ALREADY_RUNNING, snapshots.bgsave(true, false));
    boolean[] scheduled = {false};
    assertNull(snapshots.rewriteLog(rewriter, false, scheduled));
    assertTrue(scheduled[0]);
    assertTrue(snapshots.rewriteScheduled());
    snapshots.cron(System.currentTimeMillis());
    assertTrue(rewriter.started.isEmpty());
    server.config().require("rdb-key-save-delay").set("0");
    await(() -> !snapshots.bgsaveInProgress());
    snapshots.cron(System.currentTimeMillis());
    assertEquals(List.of("scheduled"), rewriter.started);
    assertFalse(snapshots.rewriteScheduled());
    assertEquals("ok", snapshots.lastBgsaveStatus());
  }

  @Test
  void bgsave_cancelledByFlushdb_startsAgainFromTheCron() throws Exception {
    fill(300);
    server.config().require("rdb-key-save-delay").set("1000");
    assertEquals(Snapshots.Start.STARTED, snapshots.bgsave(false, false));
    assertEquals("+OK\r\n", call("FLUSHDB"));
    await(() -> !snapshots.bgsaveInProgress());
    assertFalse(Files.exists(file()));
    assertEquals("ok", snapshots.lastBgsaveStatus());
    server.config().require("rdb-key-save-delay").set("0");
    snapshots.cron(System.currentTimeMillis());
    assertEquals(2, snapshots.saves());
    await(() -> !snapshots.bgsaveInProgress());
    assertTrue(Files.exists(file()));
    RdbFileReader.Result r = snapshots.load(file(), true);
    assertEquals(0, r.keysLoaded());
  }

  @Test
  void flushall_stopsABackgroundSave_andSavesOnlyWithSavePoints() throws Exception {
    fill(300);
    server.config().require("rdb-key-save-delay").set("1000");
    assertEquals(Snapshots.Start.STARTED, snapshots.bgsave(false, false));
    assertEquals("+OK\r\n", call("FLUSHALL"));
    await(() -> !snapshots.bgsaveInProgress());
    // Stopped, not failed, and not started again.
    assertEquals("ok", snapshots.lastBgsaveStatus());
    snapshots.cron(System.currentTimeMillis());
    assertEquals(1, snapshots.saves());
    assertFalse(Files.exists(file()));
    assertTrue(snapshots.changesSinceLastSave() > 0);
    server.config().require("save").set("3600 1");
    call("SET", "k", "v");
    assertEquals("+OK\r\n", call("FLUSHALL"));
    assertTrue(Files.exists(file()));
    assertEquals(0, snapshots.changesSinceLastSave());
  }

  @Test
  void savePoints_startABackgroundSave_afterEnoughChangesAndTime() throws Exception {
    server.config().require("save").set("100 5");
    long now = System.currentTimeMillis();
    server.lastSaveSeconds(now / 1000 - 50);
    fill(10);
    snapshots.cron(now);
    assertEquals(0, snapshots.saves(), "not enough time");
    server.lastSaveSeconds(now / 1000 - 101);
    snapshots.cron(now);
    assertEquals(1, snapshots.saves());
    await(() -> !snapshots.bgsaveInProgress());
    assertEquals(0, snapshots.changesSinceLastSave());
    server.lastSaveSeconds(now / 1000 - 101);
    fill(4);
    snapshots.cron(now);
    assertEquals(1, snapshots.saves(), "not enough changes");
  }

  @Test
  void failedBackgroundSave_stopsWrites_andIsRetriedAfterFiveSeconds() throws Exception {
    server.config().require("save").set("1 1");
    server.config().require("dir").set(dir.resolve("missing").toString());
    fill(3);
    long now = System.currentTimeMillis();
    server.lastSaveSeconds(now / 1000 - 10);
    snapshots.cron(now);
    await(() -> !snapshots.bgsaveInProgress());
    assertEquals("err", snapshots.lastBgsaveStatus());
    assertEquals(1, snapshots.saves());
    assertTrue(call("SET", "x", "y").startsWith("-MISCONF Redis is configured to save RDB"));
    snapshots.cron(now + 1000);
    assertEquals(1, snapshots.saves(), "retried too soon");
    Files.createDirectories(dir.resolve("missing"));
    snapshots.cron(now + 6000);
    assertEquals(2, snapshots.saves());
    await(() -> !snapshots.bgsaveInProgress());
    assertEquals("ok", snapshots.lastBgsaveStatus());
    assertEquals("+OK\r\n", call("SET", "x", "y"));
  }

  @Test
  void save_runsInTheCaller_evenWhileTheLogRewrites() throws Exception {
    fill(50);
    rewriter.rewriting = true;
    boolean[] already = {false};
    assertTrue(snapshots.save(already));
    assertEquals(0, snapshots.changesSinceLastSave());
    assertEquals(50, snapshots.load(file(), true).keysLoaded());
  }

  @Test
  void changesSinceLastSave_countFromTheCut() throws Exception {
    fill(5);
    assertEquals(5, snapshots.changesSinceLastSave());
    boolean[] already = {false};
    assertTrue(snapshots.save(already));
    assertEquals(0, snapshots.changesSinceLastSave());
    fill(2);
    assertEquals(2, snapshots.changesSinceLastSave());
  }

  @Test
  void load_refusesKeysAlreadyThere_unlessMerging() throws Exception {
    fill(20);
    String digest = DatasetDigest.ofKeyspace(server.keyspace());
    boolean[] already = {false};
    assertTrue(snapshots.save(already));
    RdbFileReader.Damaged d =
        assertThrows(RdbFileReader.Damaged.class, () -> snapshots.load(file(), false));
    assertTrue(
        d.getMessage().startsWith("Bad RDB file " + file().toAbsolutePath()), d.getMessage());
    assertTrue(d.getMessage().contains("duplicate key"), d.getMessage());
    assertEquals(20, snapshots.load(file(), true).keysLoaded());
    assertEquals(digest, DatasetDigest.ofKeyspace(server.keyspace()));
    assertEquals(20, snapshots.lastLoadKeysLoaded());
    server.keyspace().db(0).remove(Key.of("key:3"));
    assertThrows(
        java.nio.file.NoSuchFileException.class, () -> snapshots.load(dir.resolve("x"), true));
  }
}
