package io.toridb.server.it;

import static io.toridb.server.it.SnapshotServers.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.protocol.RespReply;
import io.toridb.server.ToriServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BGSAVE while clients keep writing writes exactly the data set of one instant.
 *
 * <p>Every write is a MULTI/EXEC transaction that also appends its id to the list {@code log}, so
 * transactions are ordered by that list and the saved {@code log} says which ones the snapshot
 * holds. A second server replays exactly those transactions, in that order, over the same initial
 * data: its DEBUG DIGEST must equal the digest of the snapshot loaded into a third server. A write
 * missing, extra, or half applied changes the digest.
 */
class BgsaveInstantIT {
  @TempDir Path dir;

  private static final int KEYS = 3000;
  private static final int POOL = 400;

  /** The same initial data on any server. */
  private static void preload(RespClient c) throws IOException {
    Random random = new Random(42);
    List<String> mset = new ArrayList<>(List.of("MSET"));
    for (int i = 0; i < KEYS; i++) {
      mset.add("filler:" + i);
      mset.add("value-" + random.nextInt(1_000_000));
    }
    c.call(mset.toArray(new String[0]));
    for (int i = 0; i < POOL; i++) {
      c.call("SET", "s:" + i, "initial-" + i);
      c.call("HSET", "h:" + i, "f", Integer.toString(i));
      c.call("RPUSH", "l:" + i, "a", "b");
      c.call("SADD", "set:" + i, "x", Integer.toString(i));
      c.call("ZADD", "z:" + i, Integer.toString(i), "m");
    }
  }

  /** A random write on one of the pools; never an error, whatever ran before. */
  private static String[] randomWrite(Random random, String tag) {
    int k = random.nextInt(POOL);
    return switch (random.nextInt(9)) {
      case 0 -> new String[] {"SET", "s:" + k, tag};
      case 1 -> new String[] {"DEL", "s:" + k};
      case 2 -> new String[] {"APPEND", "s:" + k, "+" + tag};
      case 3 -> new String[] {"HSET", "h:" + k, "f" + random.nextInt(5), tag};
      case 4 -> new String[] {"LPUSH", "l:" + k, tag};
      case 5 -> new String[] {"SADD", "set:" + k, tag};
      case 6 -> new String[] {"ZADD", "z:" + k, Integer.toString(random.nextInt(100)), tag};
      case 7 -> new String[] {"PEXPIREAT", "h:" + k, Long.toString(4_102_444_800_000L + k)};
      default -> new String[] {"RENAME", "set:" + k, "set:" + random.nextInt(POOL)};
    };
  }

  /** Runs one transaction: MULTI, RPUSH log id, the writes, EXEC (pipelined). */
  private static void transaction(RespClient c, String id, List<String[]> writes)
      throws IOException {
    c.send("MULTI");
    c.send("RPUSH", "log", id);
    for (String[] w : writes) {
      c.send(w);
    }
    c.send("EXEC");
    for (int i = 0; i < writes.size() + 2; i++) {
      c.read();
    }
    RespReply exec = c.read().resp();
    assertEquals(writes.size() + 1, exec.elements().size(), "EXEC of " + id);
  }

  private static List<String> lrange(RespClient c, String key) throws IOException {
    List<String> out = new ArrayList<>();
    for (RespReply r : c.call("LRANGE", key, "0", "-1").resp().elements()) {
      out.add(new String(r.bytes(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static boolean idle(RespClient c) {
    try {
      return info(c, "rdb_bgsave_in_progress").equals("0");
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void bgsaveUnderConcurrentWriters_savesTheDataSetOfItsCut() throws Exception {
    Path source = Files.createDirectories(dir.resolve("source"));
    Map<String, List<String[]>> transactions = new ConcurrentHashMap<>();
    List<String> fullLog;
    int atStart;
    int atEnd;
    ToriServer server = SnapshotServers.tori(source, "workers", "2");
    try (RespClient c = SnapshotServers.connect(server)) {
      preload(c);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger done = new AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int w = 0; w < 3; w++) {
        int writer = w;
        Thread t =
            new Thread(
                () -> {
                  Random random = new Random(1000 + writer);
                  try (RespClient wc = SnapshotServers.connect(server)) {
                    for (int n = 0; !stop.get(); n++) {
                      String id = writer + "-" + n;
                      List<String[]> writes = new ArrayList<>();
                      for (int i = 0; i < 3; i++) {
                        writes.add(randomWrite(random, id));
                      }
                      transactions.put(id, writes);
                      transaction(wc, id, writes);
                      done.incrementAndGet();
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        t.start();
        writers.add(t);
      }
      SnapshotServers.sleep(200);
      // About 100 microseconds per key: the walk takes a while, the writers go on meanwhile.
      c.call("CONFIG", "SET", "rdb-key-save-delay", "100");
      atStart = done.get();
      assertEquals("+Background saving started\r\n", c.call("BGSAVE").rawText());
      assertTrue(SnapshotServers.await(60_000, () -> idle(c)));
      atEnd = done.get();
      SnapshotServers.sleep(100);
      stop.set(true);
      for (Thread t : writers) {
        t.join(30_000);
      }
      assertTrue(failures.isEmpty(), failures.toString());
      assertEquals("ok", info(c, "rdb_last_bgsave_status"));
      fullLog = lrange(c, "log");
    } finally {
      server.shutdown();
    }
    assertTrue(atEnd - atStart > 20, "writes during the save: " + (atEnd - atStart));

    // The snapshot, loaded.
    Path loadedDir = dir.resolve("loaded");
    SnapshotServers.copy(source, loadedDir);
    List<String> savedLog;
    String savedDigest;
    ToriServer loaded = SnapshotServers.tori(loadedDir);
    try (RespClient c = SnapshotServers.connect(loaded)) {
      savedLog = lrange(c, "log");
      savedDigest = c.call("DEBUG", "DIGEST").rawText();
    } finally {
      loaded.shutdown();
    }
    // The transactions before the cut: a prefix of the order, which ends during the save.
    assertEquals(fullLog.subList(0, savedLog.size()), savedLog);
    assertTrue(savedLog.size() >= atStart, savedLog.size() + " < " + atStart);
    assertTrue(savedLog.size() < fullLog.size());

    // Exactly those transactions, replayed in that order over the same initial data.
    ToriServer replay = SnapshotServers.tori(Files.createDirectories(dir.resolve("replay")));
    try (RespClient c = SnapshotServers.connect(replay)) {
      preload(c);
      for (String id : savedLog) {
        transaction(c, id, transactions.get(id));
      }
      assertEquals(savedDigest, c.call("DEBUG", "DIGEST").rawText());
    } finally {
      replay.shutdown();
    }
  }
}
