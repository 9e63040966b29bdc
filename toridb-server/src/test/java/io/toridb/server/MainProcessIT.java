package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a real process: it stops cleanly, with status 0, on SIGTERM, SIGINT or SHUTDOWN.
 */
class MainProcessIT {
  private static final Pattern READY =
      Pattern.compile("Ready to accept connections on port (\\d+)");

  @TempDir Path dir;
  private Process process;
  private final StringBuffer output = new StringBuffer();
  private final LinkedBlockingQueue<Integer> port = new LinkedBlockingQueue<>();

  /** Environment variables for the next {@link #launch}. */
  private final java.util.Map<String, String> env = new java.util.HashMap<>();

  @BeforeEach
  void startProcess() throws Exception {
    launch();
  }

  /**
   * Starts the server over {@link #dir}, with {@code extra} arguments (a config file first, if
   * any); its output is appended to {@link #output}.
   */
  private void launch(String... extra) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "--port",
                "0",
                "--dir",
                dir.toString()));
    List<String> more = new ArrayList<>(List.of(extra));
    if (!more.isEmpty() && !more.get(0).startsWith("--")) {
      // A config file comes first, before any directive.
      command.add(4, more.remove(0));
    }
    command.addAll(more);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Only what a test sets: not a service manager this build may itself run under.
    builder.environment().remove("NOTIFY_SOCKET");
    builder.environment().remove("UPSTART_JOB");
    builder.environment().putAll(env);
    process = builder.start();
    CompletableFuture.runAsync(
        () -> {
          try (BufferedReader r =
              new BufferedReader(
                  new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
              output.append(line).append('\n');
              Matcher m = READY.matcher(line);
              if (m.find()) {
                port.add(Integer.parseInt(m.group(1)));
              }
            }
          } catch (Exception e) {
            // The process went away.
          }
        });
  }

  @AfterEach
  void killLeftovers() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  private int awaitPort() throws Exception {
    Integer p = port.poll(30, TimeUnit.SECONDS);
    assertTrue(p != null, "server did not start:\n" + output);
    return p;
  }

  /** Sends a signal with kill(1): Process.destroy() would also close the pipe we read logs from. */
  private void signal(String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
  }

  private void assertCleanExit() throws Exception {
    assertTrue(process.waitFor(15, TimeUnit.SECONDS), "still running:\n" + output);
    assertEquals(0, process.exitValue(), output.toString());
    // The reader thread may still be draining the last lines.
    for (int i = 0; i < 50 && !output.toString().contains("ready to exit"); i++) {
      Thread.sleep(20);
    }
    assertTrue(
        output.toString().contains("ToriDB is now ready to exit, bye bye..."), output.toString());
  }

  @Test
  void sigterm_shutsDownGracefullyWithStatusZero() throws Exception {
    try (RawClient c = new RawClient(awaitPort())) {
      assertEquals("+PONG\r\n", c.call("PING"));
      signal("TERM");
      assertCleanExit();
      assertTrue(c.closedWithin(5000));
    }
  }

  @Test
  void sigterm_whileTheLogTurnedOnAtRunTimeWritesItsFirstBase_isRefused() throws Exception {
    try (RawClient c = new RawClient(awaitPort())) {
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "no"));
      for (int i = 0; i < 20; i++) {
        c.call("SET", "k" + i, "v" + i);
      }
      // The first base then takes about 2 s: 100 ms per key.
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "rdb-key-save-delay", "100000"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "yes"));
      signal("TERM");
      for (int i = 0; i < 50 && !output.toString().contains("can't exit"); i++) {
        Thread.sleep(20);
      }
      assertTrue(output.toString().contains("Writing initial AOF, can't exit."), output.toString());
      assertTrue(process.isAlive());
      assertEquals("+PONG\r\n", c.call("PING"));
      // Once the base is written, the same signal stops it.
      long deadline = System.currentTimeMillis() + 30_000;
      while (!c.call("INFO", "persistence").contains("aof_rewrite_in_progress:0")) {
        assertTrue(System.currentTimeMillis() < deadline, "the first base was not written");
        Thread.sleep(50);
      }
      signal("TERM");
      assertCleanExit();
    }
  }

  /**
   * As Redis 7: with save points configured, a signal whose final save fails does not stop the
   * server (the writes since the last snapshot would be lost); once the save can succeed, it does.
   */
  @Test
  void sigterm_whenTheFinalSaveFails_isRefused_andSavesOnceItCan() throws Exception {
    Path blocker = dir.resolve("dump.rdb");
    try (RawClient c = new RawClient(awaitPort())) {
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "no"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "save", "3600 1"));
      assertEquals("+OK\r\n", c.call("SET", "kept", "v"));
      // A directory where the snapshot goes: the save's final rename fails, even for root.
      java.nio.file.Files.createDirectories(blocker.resolve("inside"));
      signal("TERM");
      for (int i = 0; i < 250 && !output.toString().contains("can't exit"); i++) {
        Thread.sleep(20);
      }
      assertTrue(
          output.toString().contains("Error trying to save the DB, can't exit."),
          output.toString());
      assertTrue(process.isAlive());
      assertEquals("+PONG\r\n", c.call("PING"));
      assertEquals("$1\r\nv\r\n", c.call("GET", "kept"));
      assertEquals("+OK\r\n", c.call("SET", "later", "w"));
      java.nio.file.Files.delete(blocker.resolve("inside"));
      java.nio.file.Files.delete(blocker);
      signal("TERM");
      assertCleanExit();
    }
    String written =
        new String(java.nio.file.Files.readAllBytes(blocker), StandardCharsets.ISO_8859_1);
    assertTrue(written.contains("kept") && written.contains("later"), "the final snapshot");
  }

  /** Sets five keys and makes the final save slow (about 1 s), then sends {@code first}. */
  private void startSlowFinalSave(RawClient c, String first) throws Exception {
    assertEquals("+OK\r\n", c.call("CONFIG", "SET", "save", "3600 1"));
    for (int i = 0; i < 5; i++) {
      assertEquals("+OK\r\n", c.call("SET", "k" + i, "v" + i));
    }
    // 200 ms per key.
    assertEquals("+OK\r\n", c.call("CONFIG", "SET", "rdb-key-save-delay", "200000"));
    signal(first);
    for (int i = 0; i < 250 && !output.toString().contains("Saving the final RDB"); i++) {
      Thread.sleep(20);
    }
    assertTrue(output.toString().contains("Saving the final RDB snapshot"), output.toString());
  }

  /**
   * A second SIGTERM during a signal's stop (each signal runs on a thread of its own) neither saves
   * again nor ends the process before the first stop has flushed the log and said goodbye.
   */
  @Test
  void aSecondSigtermDuringTheStop_letsTheFirstFinish() throws Exception {
    try (RawClient c = new RawClient(awaitPort())) {
      startSlowFinalSave(c, "TERM");
      signal("TERM");
      signal("TERM");
      assertCleanExit();
    }
    String log = output.toString();
    assertTrue(log.contains("The append-only file is flushed and closed"), log);
    assertEquals(1, log.split("Saving the final RDB snapshot", -1).length - 1, log);
    assertTrue(Files.exists(dir.resolve("dump.rdb")), "the final snapshot");
  }

  /**
   * As Redis: SIGINT while a signal's stop is under way (Ctrl-C again) ends the process at once
   * with status 1, without finishing the final save, whose temporary file is removed; what was
   * written before is back after a restart, from the append-only file.
   */
  @Test
  void sigintDuringTheStop_exitsAtOnceWithStatusOne_andTheLogStillHasEveryWrite() throws Exception {
    try (RawClient c = new RawClient(awaitPort())) {
      startSlowFinalSave(c, "TERM");
      signal("INT");
      // Well before the save's second.
      assertTrue(process.waitFor(500, TimeUnit.MILLISECONDS), "still running:\n" + output);
      assertEquals(1, process.exitValue(), output.toString());
    }
    for (int i = 0; i < 50 && !output.toString().contains("You insist"); i++) {
      Thread.sleep(20);
    }
    assertTrue(output.toString().contains("You insist... exiting now."), output.toString());
    assertTrue(!output.toString().contains("bye bye"), output.toString());
    try (var files = Files.list(dir)) {
      assertEquals(
          List.of(),
          files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".rdb")).toList(),
          "no snapshot, finished or temporary");
    }
    port.clear();
    launch();
    try (RawClient c = new RawClient(awaitPort())) {
      for (int i = 0; i < 5; i++) {
        assertEquals("$2\r\nv" + i + "\r\n", c.call("GET", "k" + i));
      }
    }
  }

  /**
   * As Redis: a signal while the data set loads stops the server at once (Redis's message), and
   * saves nothing over the snapshot it was loading.
   */
  @Test
  void sigtermWhileLoading_stopsWithoutReplacingTheSnapshot() throws Exception {
    Path dump = dir.resolve("dump.rdb");
    try (RawClient c = new RawClient(awaitPort())) {
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "no"));
      for (int i = 0; i < 10; i++) {
        assertEquals("+OK\r\n", c.call("SET", "k" + i, "v" + i));
      }
      assertEquals("+OK\r\n", c.call("SAVE"));
      signal("TERM");
      assertCleanExit();
    }
    byte[] saved = Files.readAllBytes(dump);
    output.setLength(0);
    // Loading then takes about 2 s: 200 ms per key.
    launch("--appendonly", "no", "--save", "3600 1", "--key-load-delay", "200000");
    for (int i = 0; i < 250 && !output.toString().contains("Loading RDB"); i++) {
      Thread.sleep(20);
    }
    assertTrue(output.toString().contains("Loading RDB"), output.toString());
    signal("TERM");
    assertTrue(process.waitFor(15, TimeUnit.SECONDS), "still running:\n" + output);
    assertEquals(0, process.exitValue(), output.toString());
    assertTrue(
        output.toString().contains("Received shutdown signal during loading, scheduling shutdown."),
        output.toString());
    assertTrue(!output.toString().contains("Saving the final RDB"), output.toString());
    assertTrue(
        java.util.Arrays.equals(saved, Files.readAllBytes(dump)), "the snapshot was replaced");
  }

  /**
   * supervised systemd: Redis's sd_notify messages reach the socket NOTIFY_SOCKET names, READY=1
   * only once the server accepts connections, STOPPING=1 when it stops; INFO says so.
   */
  @Test
  void supervisedSystemd_tellsTheServiceManagerItsState() throws Exception {
    awaitPort();
    signal("TERM");
    assertCleanExit();
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    io.netty.channel.EventLoopGroup group =
        new io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.netty.channel.epoll.EpollIoHandler.newFactory());
    try {
      Path socket = dir.resolve("notify.sock");
      new io.netty.bootstrap.Bootstrap()
          .group(group)
          .channel(io.netty.channel.epoll.EpollDomainDatagramChannel.class)
          .handler(
              new io.netty.channel.SimpleChannelInboundHandler<
                  io.netty.channel.unix.DomainDatagramPacket>() {
                @Override
                protected void channelRead0(
                    io.netty.channel.ChannelHandlerContext ctx,
                    io.netty.channel.unix.DomainDatagramPacket packet) {
                  received.add(packet.content().toString(StandardCharsets.UTF_8));
                }
              })
          .bind(new io.netty.channel.unix.DomainSocketAddress(socket.toString()))
          .sync();
      env.put("NOTIFY_SOCKET", socket.toString());
      output.setLength(0);
      // daemonize is ignored under supervision, as in Redis.
      launch("--supervised", "systemd", "--daemonize", "yes");
      try (RawClient c = new RawClient(awaitPort())) {
        assertEquals("STATUS=Redis is loading...\n", received.poll(10, TimeUnit.SECONDS));
        assertEquals("STATUS=Ready to accept connections\n", received.poll(10, TimeUnit.SECONDS));
        assertEquals("READY=1\n", received.poll(10, TimeUnit.SECONDS));
        assertTrue(c.call("INFO", "server").contains("process_supervised:systemd"));
        signal("TERM");
        assertCleanExit();
      }
      assertEquals("STOPPING=1\n", received.poll(10, TimeUnit.SECONDS));
      // Save points are configured by default: the final save, announced as Redis does.
      assertEquals("STATUS=Saving the final RDB snapshot\n", received.poll(10, TimeUnit.SECONDS));
      assertEquals(null, received.poll(200, TimeUnit.MILLISECONDS));
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    }
  }

  /** Without a service manager to tell (no NOTIFY_SOCKET), supervised auto changes nothing. */
  @Test
  void supervisedAuto_withoutNotifySocket_isNotSupervised() throws Exception {
    awaitPort();
    signal("TERM");
    assertCleanExit();
    output.setLength(0);
    launch("--supervised", "auto");
    try (RawClient c = new RawClient(awaitPort())) {
      assertTrue(c.call("INFO", "server").contains("process_supervised:no"));
      signal("TERM");
      assertCleanExit();
    }
  }

  /**
   * daemonize yes is refused at startup with the reason (ToriDB runs in the foreground), but a
   * file's yes may be overridden on the command line, as Debian's unit does for Redis.
   */
  @Test
  void daemonizeYes_isRefused_unlessOverridden() throws Exception {
    awaitPort();
    signal("TERM");
    assertCleanExit();
    Path conf = dir.resolve("redis.conf");
    Files.writeString(conf, "daemonize yes\n");
    output.setLength(0);
    launch(conf.toString());
    assertTrue(process.waitFor(15, TimeUnit.SECONDS), output.toString());
    assertEquals(1, process.exitValue());
    for (int i = 0; i < 50 && !output.toString().contains("daemonize"); i++) {
      Thread.sleep(20);
    }
    assertTrue(output.toString().contains("daemonize yes is not available"), output.toString());
    output.setLength(0);
    launch(conf.toString(), "--daemonize", "no");
    awaitPort();
    signal("TERM");
    assertCleanExit();
  }

  /** A first SIGINT stops the server as SIGTERM does; only a second one during the stop insists. */
  @Test
  void sigintThenSigterm_letsTheStopFinish() throws Exception {
    try (RawClient c = new RawClient(awaitPort())) {
      startSlowFinalSave(c, "INT");
      signal("TERM");
      assertCleanExit();
    }
    assertTrue(!output.toString().contains("You insist"), output.toString());
  }

  /** shutdown-on-sigterm force: the signal exits although the final save fails, as in Redis. */
  @Test
  void sigterm_withShutdownOnSigtermForce_exitsAlthoughTheSaveFails() throws Exception {
    try (RawClient c = new RawClient(awaitPort())) {
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "save", "3600 1"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "shutdown-on-sigterm", "force"));
      java.nio.file.Files.createDirectories(dir.resolve("dump.rdb").resolve("inside"));
      signal("TERM");
      assertCleanExit();
    }
    assertTrue(
        output.toString().contains("Error trying to save the DB. Exit anyway."), output.toString());
  }

  /** pidfile: written with the process id at start, removed by a clean stop, as Redis does. */
  @Test
  void pidFile_isWrittenAtStart_andRemovedAtStop() throws Exception {
    awaitPort();
    signal("TERM");
    assertCleanExit();
    Path pidFile = dir.resolve("toridb.pid");
    output.setLength(0);
    launch("--pidfile", pidFile.toString());
    awaitPort();
    assertEquals(process.pid() + "\n", Files.readString(pidFile));
    signal("TERM");
    assertCleanExit();
    assertTrue(!Files.exists(pidFile), "the pid file is removed");
    assertTrue(output.toString().contains("Removing the pid file."), output.toString());
    // A file that names another process by the time of the stop is left to it.
    output.setLength(0);
    launch("--pidfile", pidFile.toString());
    awaitPort();
    Files.writeString(pidFile, "1\n");
    signal("TERM");
    assertCleanExit();
    assertEquals("1\n", Files.readString(pidFile));
  }

  @Test
  void sigint_shutsDownGracefullyWithStatusZero() throws Exception {
    awaitPort();
    signal("INT");
    assertCleanExit();
  }

  @Test
  void sighup_isIgnoredAndTheServerKeepsServing() throws Exception {
    try (RawClient c = new RawClient(awaitPort())) {
      signal("HUP");
      // A ping after the signal was delivered: the process must still be alive and serving.
      Thread.sleep(200);
      assertTrue(process.isAlive());
      assertEquals("+PONG\r\n", c.call("PING"));
    }
  }

  @Test
  void shutdownCommand_endsTheProcessWithStatusZero() throws Exception {
    try (RawClient c = new RawClient(awaitPort())) {
      c.send("SHUTDOWN");
      assertTrue(c.closedWithin(10_000));
      assertCleanExit();
      assertTrue(output.toString().contains("User requested shutdown..."));
    }
  }

  @Test
  void configRewrite_withoutConfigFile_isRefused() throws Exception {
    try (RawClient c = new RawClient(awaitPort())) {
      assertEquals(
          "-ERR The server is running without a config file\r\n", c.call("CONFIG", "REWRITE"));
      assertTrue(Files.isDirectory(dir));
      signal("TERM");
      assertCleanExit();
    }
  }
}
