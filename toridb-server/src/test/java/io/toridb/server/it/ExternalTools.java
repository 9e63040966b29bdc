package io.toridb.server.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.opentest4j.AssertionFailedError;

/**
 * Finds the stock Redis programs the comparison tests need. A missing program fails the test with
 * instructions instead of skipping it: a skipped comparison would look like a passing one.
 */
final class ExternalTools {
  private ExternalTools() {}

  /** The absolute path of {@code name} on the PATH, or a failed assertion saying how to get it. */
  static String require(String name) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate.toAbsolutePath().toString();
        }
      }
    }
    throw new AssertionFailedError(
        name
            + " was not found on the PATH. The differential and redis-cli tests compare ToriDB"
            + " with a real Redis 7.0: run scripts/test (it installs redis-server and redis-cli,"
            + " then runs the build), or install them yourself.");
  }
}
