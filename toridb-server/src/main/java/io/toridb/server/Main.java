package io.toridb.server;

import io.toridb.core.config.Config;
import io.toridb.core.server.ServerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar toridb-server.jar [config-file] [--directive value ...]}: the same convention as
 * redis-server. Exits with status 1 and one clear line on a bad configuration or a port in use.
 */
public final class Main {
  private Main() {}

  /**
   * Sets the JVM-wide properties the server wants in {@code props} (the system properties), each
   * unless already given (-D wins). Called before any channel or Netty class is used: both are read
   * once.
   */
  static void defaultProperties(java.util.Properties props) {
    // The JDK keeps, per thread, a direct buffer as large as the largest heap buffer that thread
    // wrote to a file or socket, for good. The log's large records are heap buffers, written by the
    // writer thread and by every worker: without a cap each could keep one as large as the
    // largest value ever logged.
    props.putIfAbsent("jdk.nio.maxCachedBufferSize", Integer.toString(1 << 20));
    // Netty's leak detector, on by default, records the stack of one buffer allocation in 128 and
    // checks it at release: about 2% of the server's CPU under unpipelined clients (one buffer
    // per read and per reply). The tests run with it at its strictest level; a server that leaks
    // buffers can be run with -Dio.netty.leakDetection.level=simple to find where (Netty also
    // reads the older name io.netty.leakDetectionLevel).
    if (!props.containsKey("io.netty.leakDetectionLevel")) {
      props.putIfAbsent("io.netty.leakDetection.level", "disabled");
    }
  }

  public static void main(String[] args) {
    defaultProperties(System.getProperties());
    Config config = Config.standard();
    try {
      parse(config, args);
    } catch (Config.ConfigException e) {
      System.err.println("toridb: " + e.getMessage());
      System.exit(1);
    }
    LoggingSetup.configure(config.text("loglevel"), config.text("logfile"));
    Logger log = LoggerFactory.getLogger(Main.class);
    try {
      Files.createDirectories(Path.of(config.text("dir")));
    } catch (Exception e) {
      log.error("Can't create data directory '{}': {}", config.text("dir"), e.getMessage());
      System.exit(1);
    }
    ToriServer server = new ToriServer(config);
    log.info(
        "ToriDB {} (Redis {} compatible) starting, pid {}, port {}, workers {}, data in {}",
        version(),
        ServerContext.VERSION,
        ProcessHandle.current().pid(),
        config.number("port"),
        ToriServer.workerCount(config),
        Path.of(config.text("dir")).toAbsolutePath().normalize());
    // Before starting: a signal that arrives while the log is replayed is handled as later.
    // Saves unless SHUTDOWN or a signal prepared the stop (and saved) already.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> server.shutdown(!server.context().stopping()), "toridb-shutdown"));
    exitCleanlyOnSignals(log, server);
    try {
      server.start();
    } catch (java.io.IOException e) {
      // A port in use, or an append-only file that cannot be opened or is damaged.
      log.error("{}", e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(1);
    }
    try {
      server.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Set while a signal's stop is under way: a second SIGTERM is then logged and ignored, a second
   * SIGINT ends the process at once.
   */
  private static final java.util.concurrent.atomic.AtomicBoolean SIGNALLED =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * SIGTERM and SIGINT ask for a graceful shutdown and end with status 0, and SIGHUP is ignored, as
   * they are for Redis; left to the JVM they would run the shutdown hook but report the signal (143
   * or 130). Where the JVM offers no signal API, the shutdown hook alone still stops the server
   * cleanly. As in Redis, the signal does what SHUTDOWN with the flags of shutdown-on-sigterm or
   * shutdown-on-sigint does (none by default), and is refused when that would: while the log turned
   * on at run time writes its first base (exiting then would leave no log of the data set), or when
   * the final save fails (the data since the last snapshot would be lost); unless {@code force}.
   *
   * <p>A SIGINT while a signal's stop is under way (Ctrl-C pressed again during a long final save)
   * means, as in Redis, to quit now: the process ends with status 1 without finishing the save (its
   * temporary file is deleted, the snapshot in place is left as it was) or the stop. Writes the log
   * writer had not yet handed to the OS are lost, as when the process is killed.
   */
  static void exitCleanlyOnSignals(Logger log, ToriServer server) {
    try {
      // Redis ignores SIGHUP; a terminal or session going away must not stop the server.
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sun.misc.SignalHandler.SIG_IGN);
    } catch (Throwable e) {
      log.debug("Cannot ignore SIGHUP: {}", e.toString());
    }
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(
            new sun.misc.Signal(name),
            signal -> {
              // Each signal runs on a thread of its own: one stop at a time, as Redis's flag.
              boolean first = SIGNALLED.compareAndSet(false, true);
              if (!first && name.equals("INT")) {
                log.warn("You insist... exiting now.");
                server.snapshots().removeTempFiles();
                // Not System.exit: the shutdown hook would wait for the stop under way.
                Runtime.getRuntime().halt(1);
              }
              if (!server.context().loading()) {
                log.warn("Received SIG{} scheduling shutdown...", name);
              } else {
                log.warn("Received shutdown signal during loading, scheduling shutdown.");
              }
              if (!first) {
                return;
              }
              List<String> flags =
                  Arrays.asList(
                      server
                          .context()
                          .config()
                          .text("shutdown-on-sig" + name.toLowerCase(java.util.Locale.ROOT))
                          .split(" "));
              if (!ShutdownCommand.prepare(
                  server,
                  flags.contains("save"),
                  flags.contains("nosave"),
                  flags.contains("force"))) {
                SIGNALLED.set(false);
                return;
              }
              // The shutdown hook that System.exit runs stops the server, without saving again.
              System.exit(0);
            });
      } catch (Throwable e) {
        log.debug("Cannot handle SIG{}: {}", name, e.toString());
      }
    }
  }

  /** Applies an optional config file (first argument) and then --directive overrides. */
  static void parse(Config config, String[] args) throws Config.ConfigException {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    if (!rest.isEmpty() && !rest.get(0).startsWith("--")) {
      config.loadFile(Path.of(rest.remove(0)));
    }
    config.loadArgs(rest);
    // As Redis, daemonize is ignored under a service manager that supervises the process.
    if (config.yes("daemonize")
        && !ServiceManager.supervises(config.text("supervised"), System.getenv())) {
      throw new Config.ConfigException(
          "daemonize yes is not available: ToriDB runs in the foreground; let a service manager"
              + " such as systemd run it in the background, or pass --daemonize no");
    }
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
