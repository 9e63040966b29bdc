package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.config.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preparation that SHUTDOWN, SIGTERM and SIGINT share ({@link ShutdownCommand#prepare}). */
class ShutdownCommandTest {
  @TempDir Path dir;

  /**
   * A signal that arrives before the server has its data in memory (while the log opens) must not
   * save: the final snapshot would replace the file on disk with an empty data set.
   */
  @Test
  void beforeTheDataIsLoaded_theFinalSaveLeavesTheSnapshotAlone() throws Exception {
    Config config = Config.standard();
    config.require("dir").set(dir.toString());
    config.require("save").set("3600 1");
    Path snapshot = dir.resolve("dump.rdb");
    byte[] before = "the snapshot the server would load".getBytes(StandardCharsets.US_ASCII);
    Files.write(snapshot, before);
    ToriServer server = new ToriServer(config);
    assertTrue(ShutdownCommand.prepare(server, false, false, false));
    assertArrayEquals(before, Files.readAllBytes(snapshot), "the snapshot was overwritten");
  }
}
