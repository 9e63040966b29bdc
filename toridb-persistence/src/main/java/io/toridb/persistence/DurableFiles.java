package io.toridb.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File-system steps the log and the snapshots share. */
public final class DurableFiles {
  private static final Logger log = LoggerFactory.getLogger(DurableFiles.class);

  private DurableFiles() {}

  /**
   * Forces a directory's entries to disk, so that a file created or renamed in it survives a crash
   * (a rename alone is durable only once its directory is). Where the platform cannot open a
   * directory at all, there is nothing to force and the rename is as durable as it makes it; an
   * error forcing an opened directory is a real one and is thrown.
   */
  public static void forceDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("Cannot open directory {} to force it: {}", dir, e.toString());
      return;
    }
    try (ch) {
      ch.force(true);
    }
  }

  /** Deletes {@code p} if it exists; a failure is logged, not thrown (cleanup after a failure). */
  public static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("Could not delete {}: {}", p, e.getMessage());
    }
  }
}
