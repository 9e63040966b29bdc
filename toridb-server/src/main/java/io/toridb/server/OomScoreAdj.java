package io.toridb.server;

import io.toridb.core.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oom-score-adj and oom-score-adj-values, as Redis applies them: when oom-score-adj is not {@code
 * no}, the first of the values (the primary's) is written to the process's {@code
 * /proc/self/oom_score_adj}: as it is for {@code absolute}, added to the score the process started
 * with for {@code yes} and {@code relative}, and clamped to -1000..1000. Turning it back to {@code
 * no} restores the starting score. Lowering the score needs a privilege (CAP_SYS_RESOURCE) that a
 * service manager may not grant: a failure is logged, and CONFIG SET refuses the change with
 * Redis's error.
 */
final class OomScoreAdj {
  private static final Logger log = LoggerFactory.getLogger(OomScoreAdj.class);

  static final String APPLY_ERROR = "Failed to set current oom_score_adj. Check server logs.";

  private final Config config;
  private final Path file;

  /** The score before the first change, or null while this process has changed nothing. */
  private Integer base;

  OomScoreAdj(Config config, Path file) {
    this.config = config;
    this.file = file;
  }

  /** Puts the configured score into effect; null when done, else Redis's error text. */
  synchronized String apply() {
    String mode = config.text("oom-score-adj");
    int value;
    try {
      if (!mode.equals("no")) {
        if (base == null) {
          base = Integer.parseInt(read().trim());
        }
        value = Integer.parseInt(config.text("oom-score-adj-values").split(" ")[0]);
        if (!mode.equals("absolute")) {
          value += base;
        }
        value = Math.max(-1000, Math.min(1000, value));
      } else if (base != null) {
        value = base;
        base = null;
      } else {
        return null;
      }
      Files.writeString(file, value + "\n", StandardCharsets.US_ASCII);
      return null;
    } catch (IOException | RuntimeException e) {
      log.warn("Unable to write oom_score_adj: {}", e.getMessage() == null ? e : e.getMessage());
      return APPLY_ERROR;
    }
  }

  private String read() throws IOException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      log.warn("Unable to read oom_score_adj: {}", e.getMessage());
      throw e;
    }
  }
}
