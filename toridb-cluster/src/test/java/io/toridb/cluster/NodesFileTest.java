package io.toridb.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodesFileTest {
  @TempDir Path dir;

  private static final String ME = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";
  private static final String OTHER = "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1";

  private Cluster load(String text) throws IOException {
    Files.writeString(dir.resolve("nodes.conf"), text);
    return Cluster.open(Config.standard(), dir);
  }

  @Test
  void readsRedisFormat() throws IOException {
    Cluster c =
        load(
            ME
                + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 5462"
                + " [5461-<-"
                + OTHER
                + "]\n"
                + OTHER
                + " 127.0.0.1:30002@31002,host-b master - 0 1426238316232 2 connected 5461"
                + " 5463-16383\n"
                + "vars currentEpoch 6 lastVoteEpoch 0\n");
    try {
      assertEquals(ME, c.myself.id);
      assertEquals(5462, c.myself.slotCount());
      assertEquals(OTHER, c.owners[5461].id);
      assertEquals(OTHER, c.importingFrom[5461].id);
      assertEquals("host-b", c.node(OTHER).hostname);
      assertEquals(31002, c.node(OTHER).busPort);
      assertEquals(6, c.currentEpoch);
      String saved = Files.readString(dir.resolve("nodes.conf"));
      assertTrue(
          saved.startsWith(
              ME
                  + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 5462 [5461-<-"
                  + OTHER
                  + "]\n"),
          saved);
      assertTrue(saved.endsWith("vars currentEpoch 6 lastVoteEpoch 0\n"), saved);
    } finally {
      c.close();
    }
  }

  @Test
  void refusesDamagedFilesNamingTheLine() {
    String[] bad = {
      "garbage\n",
      ME + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-16384\n",
      ME + " 127.0.0.1:30001@31001 myself,bogus - 0 0 1 connected\n",
      ME + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 10-5\n",
      ME + " 127.0.0.1:30001@31001 myself,master - 0 0 -1 connected\n",
      ME + " 127.0.0.1:99999@31001 myself,master - 0 0 1 connected\n",
      ME + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected [5-<-nothex]\n",
      OTHER + " 127.0.0.1:30002@31002 master - 0 0 1 connected\n",
      ME
          + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected\n"
          + OTHER
          + " 127.0.0.1:30002@31002 myself,master - 0 0 2 connected\n",
      ME + " 127.0.0.1:30001@31001 myself,master - 0 0 1\n",
      "vars currentEpoch x lastVoteEpoch 0\n",
    };
    for (String text : bad) {
      IOException e = assertThrows(IOException.class, () -> load(text).close(), text);
      assertTrue(e.getMessage().contains("corrupted cluster config file"), e.getMessage());
    }
  }

  @Test
  void aSecondServerCannotUseTheSameFile() throws IOException {
    Cluster first = Cluster.open(Config.standard(), dir);
    try {
      IOException e =
          assertThrows(IOException.class, () -> Cluster.open(Config.standard(), dir).close());
      assertTrue(e.getMessage().contains("already used by a different"), e.getMessage());
    } finally {
      first.close();
    }
    Cluster again = Cluster.open(Config.standard(), dir);
    assertEquals(first.myself.id, again.myself.id);
    again.close();
  }
}
