package io.toridb.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.CoreCommands;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.config.Config;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import io.toridb.persistence.dump.DumpPayload;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The scan hands over exactly the keyspace of the cut, whatever changes while it walks. */
class PointInTimeScanTest {
  private final ServerContext server = new ServerContext(Config.standard());
  private final CommandExecutor executor;
  private final ClientSession session = new ClientSession(true);
  private final ByteBuf out = Unpooled.buffer();

  PointInTimeScanTest() {
    CoreCommands.registerAll(server.commands());
    executor = new CommandExecutor(server);
  }

  private String call(String... args) {
    return Commands.call(executor, session, out, args);
  }

  private static String describe(StoredValue v) {
    return HexFormat.of().formatHex(DumpPayload.create(v)) + " ttl " + v.expireAt();
  }

  /** Every key of every database, described, read directly (the caller holds every lock). */
  private Map<String, String> contents() {
    Map<String, String> m = new TreeMap<>();
    for (int db = 0; db < server.keyspace().databaseCount(); db++) {
      for (Map.Entry<Key, StoredValue> e : server.keyspace().db(db).entries()) {
        m.put(db + ":" + e.getKey(), describe(e.getValue()));
      }
    }
    return m;
  }

  private Map<String, String> scan(PointInTimeScan scan) throws Exception {
    Map<String, String> m = new TreeMap<>();
    scan.run(
        (db, key, value) -> {
          String previous = m.put(db + ":" + key, describe(value));
          assertEquals(null, previous, "handed over twice: " + db + ":" + key);
        });
    return m;
  }

  @Test
  void changesAfterTheCut_areNotSeen() throws Exception {
    for (int i = 0; i < 200; i++) {
      call("SET", "s" + i, "v" + i);
    }
    call("RPUSH", "list", "a", "b");
    call("HSET", "hash", "f", "1");
    call("SADD", "set", "1", "2");
    call("ZADD", "zset", "1", "one");
    call("SET", "ttl", "x", "PX", "100000");
    // A plain counter, which INCR changes in place.
    call("SET", "c1", "20000");
    call("INCR", "c1");
    call("SELECT", "3");
    call("SET", "in3", "3");
    call("SELECT", "0");
    List<Map<String, String>> atCut = new ArrayList<>();
    PointInTimeScan scan = PointInTimeScan.cut(server, () -> atCut.add(contents()));
    // Every kind of change, before the walk reaches the keys.
    call("SET", "s1", "changed");
    call("DEL", "s2");
    call("SET", "new", "created after the cut");
    call("RENAME", "s3", "renamed");
    call("RPUSH", "list", "c");
    call("HSET", "hash", "g", "2");
    call("SPOP", "set");
    call("ZINCRBY", "zset", "5", "one");
    call("PERSIST", "ttl");
    call("MOVE", "s4", "3");
    call("COPY", "s5", "s5copy");
    call("INCR", "c1");
    call("DECRBY", "c1", "7");
    call("MULTI");
    call("INCR", "counter");
    call("DEL", "s6");
    call("EXEC");
    call("BEGIN");
    call("APPEND", "s7", "+");
    call("DEL", "s8");
    call("COMMIT");
    call("SELECT", "3");
    call("DEL", "in3");
    call("SELECT", "0");
    assertEquals(atCut.get(0), scan(scan));
    assertEquals(null, server.changeObserver());
  }

  @Test
  void concurrentWriters_neverLeakIntoTheInstant() throws Exception {
    for (int i = 0; i < 5000; i++) {
      call("SET", "k" + i, "v" + i);
      call("RPUSH", "l" + (i % 50), "e" + i);
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int seed = t;
      Thread th =
          new Thread(
              () -> {
                CommandExecutor ex = new CommandExecutor(server);
                ClientSession s = new ClientSession(true);
                ByteBuf buf = Unpooled.buffer();
                Random r = new Random(seed);
                while (!stop.get()) {
                  int k = r.nextInt(6000);
                  switch (r.nextInt(5)) {
                    case 0 -> Commands.call(ex, s, buf, "SET", "k" + k, "w" + r.nextInt());
                    case 1 -> Commands.call(ex, s, buf, "DEL", "k" + k);
                    case 2 -> Commands.call(ex, s, buf, "RPUSH", "l" + (k % 60), "x");
                    case 3 -> Commands.call(ex, s, buf, "RENAME", "k" + k, "k" + r.nextInt(6000));
                    default -> Commands.call(ex, s, buf, "INCR", "n" + (k % 10));
                  }
                }
                buf.release();
              });
      writers.add(th);
      th.start();
    }
    Thread.sleep(50);
    List<Map<String, String>> atCut = new ArrayList<>();
    PointInTimeScan scan = PointInTimeScan.cut(server, () -> atCut.add(contents()));
    Map<String, String> seen = scan(scan);
    stop.set(true);
    for (Thread th : writers) {
      th.join();
    }
    assertEquals(atCut.get(0).size(), seen.size());
    assertEquals(atCut.get(0), seen);
    assertTrue(scan.savedKeys() > 0, "the writers changed nothing during the scan");
  }

  @Test
  void wholeKeyspaceChange_cancelsTheScan() throws Exception {
    call("SET", "a", "1");
    PointInTimeScan scan = PointInTimeScan.cut(server, () -> {});
    call("FLUSHALL");
    assertThrows(PointInTimeScan.CancelledException.class, () -> scan(scan));
    assertEquals(null, server.changeObserver());
  }

  @Test
  void onlyOneScanAtATime() {
    PointInTimeScan.cut(server, () -> {});
    assertThrows(IllegalStateException.class, () -> PointInTimeScan.cut(server, () -> {}));
  }
}
