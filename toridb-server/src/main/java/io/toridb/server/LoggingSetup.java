package io.toridb.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

/** Points logback at stdout or the configured logfile, at the level Redis's loglevel names. */
final class LoggingSetup {
  private static final String PATTERN =
      "%d{dd MMM yyyy HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";

  private LoggingSetup() {}

  static void configure(String loglevel, String logfile) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext lc)) {
      return;
    }
    lc.reset();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(lc);
    encoder.setPattern(PATTERN);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender;
    if (logfile == null || logfile.isEmpty()) {
      appender = new ConsoleAppender<>();
    } else {
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setFile(logfile);
      file.setAppend(true);
      appender = file;
    }
    appender.setContext(lc);
    appender.setEncoder(encoder);
    appender.setName("main");
    appender.start();
    ch.qos.logback.classic.Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    root.setLevel(level(loglevel));
    lc.getLogger("io.netty").setLevel(Level.INFO);
  }

  /** Maps Redis's levels (debug, verbose, notice, warning, nothing) to logback's. */
  static Level level(String loglevel) {
    return switch (loglevel) {
      case "debug" -> Level.DEBUG;
      case "verbose" -> Level.DEBUG;
      case "warning" -> Level.WARN;
      case "nothing" -> Level.OFF;
      default -> Level.INFO;
    };
  }

  /** Changes the level at runtime (CONFIG SET loglevel). */
  static void setLevel(String loglevel) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext lc) {
      lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(level(loglevel));
    }
  }
}
