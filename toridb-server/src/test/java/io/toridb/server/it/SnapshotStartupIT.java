package io.toridb.server.it;

import static io.toridb.server.it.SnapshotServers.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.server.ToriServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Startup from dump.rdb: loaded when appendonly is no, with clients answered -LOADING meanwhile and
 * INFO showing the progress; ignored when appendonly is yes (the append-only file wins, as in
 * Redis).
 */
class SnapshotStartupIT {
  @TempDir Path dir;

  private void saveKeys(int n) throws Exception {
    ToriServer server = SnapshotServers.tori(dir);
    try (RespClient c = SnapshotServers.connect(server)) {
      List<String> mset = new ArrayList<>(List.of("MSET"));
      for (int i = 0; i < n; i++) {
        mset.add("k" + i);
        mset.add("v" + i);
      }
      c.call(mset.toArray(new String[0]));
      assertEquals("+OK\r\n", c.call("SAVE").rawText());
    } finally {
      server.shutdown();
    }
  }

  @Test
  void clientsGetLoading_whileTheSnapshotLoads() throws Exception {
    saveKeys(400);
    // 5 ms per key: about two seconds of loading, on a port known before start() returns.
    int port = RedisServerExtension.freePort();
    CompletableFuture<ToriServer> starting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return SnapshotServers.tori(
                    dir, "key-load-delay", "5000", "port", Integer.toString(port));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    ToriServer server = null;
    try {
      boolean sawLoading = false;
      long deadline = System.currentTimeMillis() + 30_000;
      while (!starting.isDone() && System.currentTimeMillis() < deadline) {
        {
          try (RespClient c = new RespClient("127.0.0.1", port)) {
            String reply = c.call("GET", "k1").rawText();
            if (reply.startsWith("-LOADING")) {
              assertEquals("-LOADING Redis is loading the dataset in memory\r\n", reply);
              assertEquals("1", info(c, "loading"));
              assertTrue(Long.parseLong(info(c, "loading_total_bytes")) > 0);
              sawLoading = true;
              break;
            }
          } catch (IOException e) {
            // Not listening yet.
          }
        }
        SnapshotServers.sleep(20);
      }
      server = starting.get(60, TimeUnit.SECONDS);
      assertTrue(sawLoading, "no -LOADING reply seen");
      try (RespClient c = SnapshotServers.connect(server)) {
        assertEquals(":400\r\n", c.call("DBSIZE").rawText());
        assertEquals("0", info(c, "loading"));
        assertEquals("400", info(c, "rdb_last_load_keys_loaded"));
      }
    } finally {
      if (server != null) {
        server.shutdown();
      } else {
        starting.thenAccept(ToriServer::shutdown);
      }
    }
  }

  @Test
  void appendOnlyFile_winsOverTheSnapshot() throws Exception {
    saveKeys(10);
    assertTrue(Files.exists(dir.resolve("dump.rdb")));
    ToriServer server = SnapshotServers.tori(dir, "appendonly", "yes");
    try (RespClient c = SnapshotServers.connect(server)) {
      assertEquals(":0\r\n", c.call("DBSIZE").rawText());
    } finally {
      server.shutdown();
    }
  }
}
