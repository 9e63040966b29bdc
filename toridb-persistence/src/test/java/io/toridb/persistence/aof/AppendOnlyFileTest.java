package io.toridb.persistence.aof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.CoreCommands;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.config.Config;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server's log end to end: writes go in, a restart replays them, damage is handled. */
class AppendOnlyFileTest {
  @TempDir Path dir;
  private Node node;

  /** One server's keyspace and command path with its log, without the network. */
  private final class Node implements AutoCloseable {
    final ServerContext server;
    final CommandExecutor executor;
    final ClientSession session = new ClientSession(true);
    final AppendOnlyFile aof;
    final ByteBuf out = Unpooled.buffer();

    Node(String... config) throws Exception {
      Config c = Config.standard();
      c.require("enable-debug-command").set("yes");
      for (int i = 0; i < config.length; i += 2) {
        c.require(config[i]).set(config[i + 1]);
      }
      server = new ServerContext(c);
      CoreCommands.registerAll(server.commands());
      io.toridb.persistence.dump.DumpCommands.register(server.commands());
      aof = AppendOnlyFile.open(server, dir);
      server.loading(true);
      server.keyspace().expiryPaused(true);
      try {
        aof.load();
      } catch (Exception e) {
        aof.close();
        throw e;
      } finally {
        server.keyspace().expiryPaused(false);
        server.loading(false);
      }
      aof.start();
      executor = new CommandExecutor(server);
    }

    /** DEBUG DIGEST: the digest of the whole data set, equal to Redis's for the same data. */
    String digest() {
      return io.toridb.core.keyspace.DatasetDigest.ofKeyspace(server.keyspace());
    }

    String call(String... args) {
      return io.toridb.persistence.Commands.call(executor, session, out, args);
    }

    @Override
    public void close() {
      aof.close();
      out.release();
    }
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private Node restart(String... config) throws Exception {
    if (node != null) {
      node.close();
    }
    node = new Node(config);
    return node;
  }

  private Path incr() {
    return dir.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof");
  }

  @Test
  void everyTypeAndTransaction_surviveARestart() throws Exception {
    Node n = restart();
    n.call("SET", "s", "v", "EX", "1000");
    n.call("INCRBYFLOAT", "f", "1.5");
    n.call("RPUSH", "l", "a", "b", "c");
    n.call("LPOP", "l");
    n.call("HSET", "h", "f1", "1", "f2", "2");
    n.call("SADD", "set", "x", "y", "z");
    n.call("SPOP", "set");
    n.call("ZADD", "z", "1", "one", "2", "two");
    n.call("SELECT", "5");
    n.call("SET", "in5", "yes");
    n.call("SELECT", "0");
    n.call("MULTI");
    n.call("INCR", "counter");
    n.call("INCR", "counter");
    n.call("EXEC");
    n.call("BEGIN");
    n.call("SET", "staged", "1");
    n.call("APPEND", "staged", "2");
    n.call("COMMIT");
    n.call("BEGIN");
    n.call("SET", "rolledback", "1");
    n.call("ROLLBACK");
    String digest = n.digest();
    assertTrue(!digest.equals("0".repeat(40)), digest);
    Node m = restart();
    assertEquals(digest, m.digest());
    assertEquals("$2\r\n12\r\n", m.call("GET", "staged"));
    assertEquals(":0\r\n", m.call("EXISTS", "rolledback"));
    assertEquals("$1\r\n2\r\n", m.call("GET", "counter"));
    assertTrue(Integer.parseInt(m.call("TTL", "s").trim().substring(1)) > 990);
    m.call("SELECT", "5");
    assertEquals("$3\r\nyes\r\n", m.call("GET", "in5"));
  }

  @Test
  void aSecondServerOnTheSameDirectory_isRefused() throws Exception {
    restart();
    AppendOnlyFile.LoadException e =
        assertThrows(AppendOnlyFile.LoadException.class, () -> new Node());
    assertTrue(e.getMessage().startsWith("Another ToriDB server is using"), e.getMessage());
    // Once the first one closes, the directory is free again.
    restart().call("PING");
  }

  @Test
  void newDirectory_getsAManifestAndAFirstFile() throws Exception {
    restart();
    assertEquals(
        "file appendonly.aof.1.incr.aof seq 1 type i\n",
        Files.readString(dir.resolve("appendonlydir").resolve("appendonly.aof.manifest")));
    assertTrue(Files.exists(incr()));
  }

  @Test
  void tornTail_isCutOff_andTheRestLoads() throws Exception {
    Node n = restart();
    n.call("SET", "a", "1");
    n.call("SET", "b", "2");
    n.close();
    node = null;
    long good = Files.size(incr());
    byte[] next =
        AofRecord.encode(0, new byte[][] {"SET".getBytes(), "c".getBytes(), "3".getBytes()});
    AofRecord.seal(next);
    Files.write(incr(), java.util.Arrays.copyOf(next, next.length - 3), StandardOpenOption.APPEND);
    Node m = restart();
    assertEquals("$1\r\n2\r\n", m.call("GET", "b"));
    assertEquals(":0\r\n", m.call("EXISTS", "c"));
    assertEquals(good, Files.size(incr()));
    // Writes after the cut append cleanly: the next start reads everything.
    m.call("SET", "c", "after");
    Node again = restart();
    assertEquals("$5\r\nafter\r\n", again.call("GET", "c"));
  }

  /**
   * The incremental file as a crash under appendfsync always leaves it: the records, then the zeros
   * the writer had reserved past them (a clean close cuts those off).
   */
  private byte[] crashImageUnderAlways(String... keys) throws Exception {
    Node n = restart("appendfsync", "always");
    for (String k : keys) {
      n.call("SET", k, k + "-value");
    }
    n.aof.awaitWritten();
    byte[] image = Files.readAllBytes(incr());
    n.close();
    node = null;
    long records = Files.size(incr());
    assertTrue(image.length > records, "nothing reserved");
    for (int i = (int) records; i < image.length; i++) {
      assertEquals(0, image[i]);
    }
    return image;
  }

  @Test
  void reservedSpaceLeftByACrash_isCutOffAtStartup_evenWithLoadTruncatedNo() throws Exception {
    byte[] image = crashImageUnderAlways("a", "b");
    long records = Files.size(incr());
    Files.write(incr(), image);
    Node m = restart("aof-load-truncated", "no", "appendfsync", "always");
    assertEquals("$7\r\nb-value\r\n", m.call("GET", "b"));
    assertEquals(records, Files.size(incr()));
    // Appending goes on from the last record: the next start reads every write.
    m.call("SET", "c", "after");
    Node again = restart();
    assertEquals("$7\r\na-value\r\n", again.call("GET", "a"));
    assertEquals("$5\r\nafter\r\n", again.call("GET", "c"));
  }

  @Test
  void reservedSpaceInAFileBeforeTheLast_isCutToo_andTheCheckToolAgrees() throws Exception {
    // A switch cuts the zeros off the file it leaves; if that cut failed, the zeros lose nothing.
    byte[] image = crashImageUnderAlways("a");
    Path aofDir = dir.resolve("appendonlydir");
    Files.write(incr(), image);
    byte[] next =
        AofRecord.encode(0, new byte[][] {"SET".getBytes(), "z".getBytes(), "26".getBytes()});
    AofRecord.seal(next);
    Path second = aofDir.resolve("appendonly.aof.2.incr.aof");
    Files.write(second, next);
    Files.writeString(
        aofDir.resolve("appendonly.aof.manifest"),
        "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    assertEquals(0, check("", aofDir.toString()));
    assertTrue(lastOutput.contains("zero bytes reserved"), lastOutput);
    Node m = restart();
    assertEquals("$7\r\na-value\r\n", m.call("GET", "a"));
    assertEquals("$2\r\n26\r\n", m.call("GET", "z"));
    assertTrue(Files.size(incr()) < image.length, "the zeros were not cut");
    m.close();
    node = null;
    assertEquals(0, check("", aofDir.toString()));
    assertTrue(lastOutput.contains("OK, 1 records"), lastOutput);
  }

  @Test
  void aTornBatchInReservedSpace_followedByAnEmptyFile_isCutAtItsFirstBadRecord() throws Exception {
    // A crash in the middle of an fsync over reserved space: the batch's second block reached the
    // disk, its first did not. A rewrite had just listed a new, still empty file after it.
    byte[] image = crashImageUnderAlways("a", "b");
    int records = (int) Files.size(incr());
    byte[] big = new byte[6000];
    java.util.Arrays.fill(big, (byte) 'x');
    byte[] torn = AofRecord.encode(0, new byte[][] {"SET".getBytes(), "big".getBytes(), big});
    AofRecord.seal(torn);
    System.arraycopy(torn, 0, image, records, torn.length);
    java.util.Arrays.fill(image, records, records + 4096, (byte) 0);
    Path aofDir = dir.resolve("appendonlydir");
    Files.write(incr(), image);
    Files.createFile(aofDir.resolve("appendonly.aof.2.incr.aof"));
    Files.writeString(
        aofDir.resolve("appendonly.aof.manifest"),
        "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    // The check tool judges it as the server does: the last file written, cut back by --fix.
    assertEquals(1, check("", aofDir.toString()));
    assertTrue(lastOutput.contains("incomplete record at offset " + records), lastOutput);
    Node m = restart();
    assertEquals("$7\r\nb-value\r\n", m.call("GET", "b"));
    assertEquals(":0\r\n", m.call("EXISTS", "big"));
    assertEquals(records, Files.size(incr()));
  }

  @Test
  void tornTail_withLoadTruncatedNo_stopsTheStart() throws Exception {
    Node n = restart();
    n.call("SET", "a", "1");
    n.close();
    node = null;
    Files.write(incr(), new byte[] {0x54, 0x52, 1}, StandardOpenOption.APPEND);
    AppendOnlyFile.LoadException e =
        assertThrows(AppendOnlyFile.LoadException.class, () -> restart("aof-load-truncated", "no"));
    assertTrue(e.getMessage().contains("aof-load-truncated is no"), e.getMessage());
  }

  @Test
  void damageBeforeTheEnd_stopsTheStart_namingFileOffsetAndTool() throws Exception {
    Node n = restart();
    n.call("SET", "a", "1");
    long second = Files.size(incr());
    n.call("SET", "b", "2");
    n.call("SET", "c", "3");
    n.close();
    node = null;
    byte[] bytes = Files.readAllBytes(incr());
    bytes[(int) second + AofRecord.HEADER + 6] ^= 0x10;
    Files.write(incr(), bytes);
    AppendOnlyFile.LoadException e =
        assertThrows(AppendOnlyFile.LoadException.class, this::restart);
    assertEquals(
        "Bad AOF: "
            + incr()
            + " has a damaged record at offset "
            + second
            + " (checksum mismatch). Run 'scripts/toridb-check-aof --fix "
            + incr()
            + "' to cut the file at that offset (losing the "
            + (bytes.length - second)
            + " bytes after it), then start again.",
        e.getMessage());
    // Nothing was changed by the failed start.
    assertEquals(bytes.length, Files.size(incr()));
  }

  @Test
  void manifestListingAMissingFile_stopsTheStart() throws Exception {
    restart().close();
    node = null;
    Path manifest = dir.resolve("appendonlydir").resolve("appendonly.aof.manifest");
    Files.writeString(
        manifest,
        "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    AppendOnlyFile.LoadException e =
        assertThrows(AppendOnlyFile.LoadException.class, this::restart);
    assertTrue(e.getMessage().contains("appendonly.aof.2.incr.aof, which does not exist"));
    Files.writeString(manifest, "this is not a manifest\n");
    e = assertThrows(AppendOnlyFile.LoadException.class, this::restart);
    assertTrue(e.getMessage().contains("is damaged: invalid manifest line 1"), e.getMessage());
  }

  @Test
  void emptyAndGarbageFiles() throws Exception {
    restart().close();
    node = null;
    // An empty log loads as an empty data set.
    assertEquals("*0\r\n", restart().call("KEYS", "*"));
    node.close();
    node = null;
    Files.writeString(incr(), "*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n not ours at all, and long enough");
    AppendOnlyFile.LoadException e =
        assertThrows(AppendOnlyFile.LoadException.class, this::restart);
    assertTrue(e.getMessage().contains("at offset 0 (bad record magic)"), e.getMessage());
  }

  @Test
  void checkTool_reportsAndFixes() throws Exception {
    Node n = restart();
    n.call("SET", "a", "1");
    n.call("SET", "b", "2");
    n.close();
    node = null;
    long good = Files.size(incr());
    Files.write(incr(), new byte[] {0x54, 0x52, 1, 1, 0, 0}, StandardOpenOption.APPEND);
    Path aofDir = dir.resolve("appendonlydir");

    assertEquals(1, check("n\n", aofDir.toString()));
    assertEquals(1, check("n\n", "--fix", aofDir.toString()));
    assertEquals(good + 6, Files.size(incr()));
    String report = lastOutput;
    assertTrue(report.contains("incomplete record at offset " + good), report);
    assertTrue(report.contains("losing the last 6 bytes"), report);
    assertTrue(report.contains("Nothing changed."), report);

    assertEquals(0, check("y\n", "--fix", aofDir.toString()));
    assertEquals(good, Files.size(incr()));
    assertEquals(0, check("", incr().toString()));
    assertTrue(lastOutput.contains("OK, 2 records"), lastOutput);
    assertEquals(2, check("", "--bogus"));
  }

  /**
   * A record of a later format version (as a newer build writes after an upgrade) is not damage:
   * the start is refused, even from the last file and with aof-load-truncated, without cutting it,
   * and the check tool cuts it only with --fix, after a warning.
   */
  @Test
  void recordsOfANewerFormat_stopTheStart_andAreOnlyCutWhenToldTo() throws Exception {
    Node n = restart();
    n.call("SET", "a", "1");
    n.close();
    node = null;
    long good = Files.size(incr());
    byte[] newer = AofRecord.encode(0, new byte[][] {"SET".getBytes(), "b".getBytes()});
    newer[2] = (byte) (AofRecord.VERSION + 1);
    newer[3] = 7; // a kind this version does not know
    AofRecord.seal(newer);
    Files.write(incr(), newer, StandardOpenOption.APPEND);
    AppendOnlyFile.LoadException e =
        assertThrows(AppendOnlyFile.LoadException.class, this::restart);
    assertEquals(
        "Can't load the AOF "
            + incr()
            + ": at offset "
            + good
            + ", record format version "
            + (AofRecord.VERSION + 1)
            + ", written by a newer version of ToriDB (this one reads versions 1 to "
            + AofRecord.VERSION
            + "). Start the newer version on this directory; to move the data back to this"
            + " version, see 'Upgrades' in docs/operations.md. Do not cut the file: the records"
            + " from that offset on are valid (unless no newer version ever wrote to this"
            + " directory: then that record's version byte is damaged, and"
            + " 'scripts/toridb-check-aof --fix "
            + incr()
            + "' can cut the file there).",
        e.getMessage());
    assertEquals(good + newer.length, Files.size(incr()));

    // The check tool reports it and only cuts it when told to, after a warning.
    Path aofDir = dir.resolve("appendonlydir");
    assertEquals(1, check("", aofDir.toString()));
    assertTrue(lastOutput.contains("written by a newer version"), lastOutput);
    assertEquals(1, check("n\n", "--fix", aofDir.toString()));
    assertTrue(lastOutput.contains("only if no newer version"), lastOutput);
    assertTrue(lastOutput.contains("Nothing changed."), lastOutput);
    // --yes does not answer for it.
    assertEquals(1, check("", "--fix", "--yes", aofDir.toString()));
    assertTrue(lastOutput.contains("Nothing changed."), lastOutput);
    assertEquals(good + newer.length, Files.size(incr()));
    assertEquals(0, check("y\n", "--fix", aofDir.toString()));
    assertEquals(good, Files.size(incr()));
    assertEquals("$1\r\n1\r\n", restart().call("GET", "a"));
  }

  private String lastOutput;

  private int check(String input, String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int status = new AofCheck(out, new BufferedReader(new StringReader(input))).run(args);
    lastOutput = bytes.toString(StandardCharsets.UTF_8);
    return status;
  }

  @Test
  void writesWhileTheLogFails_areRefusedWithMisconf_readsStillWork() throws Exception {
    Node n = restart();
    n.call("SET", "a", "1");
    n.server.writeRefusal(AppendOnlyFile.refusal("No space left on device"));
    String misconf = "-MISCONF Errors writing to the AOF file: No space left on device\r\n";
    assertEquals(misconf, n.call("SET", "a", "2"));
    assertEquals(misconf, n.call("PING"));
    assertEquals("$1\r\n1\r\n", n.call("GET", "a"));
    n.call("MULTI");
    n.call("GET", "a");
    assertEquals("*1\r\n$1\r\n1\r\n", n.call("EXEC"));
    n.call("MULTI");
    // Queueing a write is refused too, which aborts the transaction, as in Redis.
    assertEquals(misconf, n.call("INCR", "a"));
    assertTrue(n.call("EXEC").startsWith("-EXECABORT"));
    n.server.writeRefusal(null);
    assertEquals("+OK\r\n", n.call("SET", "a", "3"));
  }

  @Test
  void sortAndGeoResultsStoredBeforeARestart_areTheSameAfterIt() throws Exception {
    Node n = restart();
    for (int i = 1; i <= 100; i++) {
      n.call("SADD", "s", "m" + i);
    }
    for (int i = 41; i <= 100; i++) {
      n.call("SREM", "s", "m" + i);
    }
    // The set is rebuilt from a base at the next start. (Within one JVM its table iterates in the
    // same order again; across processes it need not, which SortCommandTest's tie order covers.)
    n.call("BGREWRITEAOF");
    awaitRewrite(n.aof);
    n.call("SORT", "s", "BY", "nokey_*", "ALPHA", "STORE", "sorted");
    for (int i = 0; i < 30; i++) {
      n.call("GEOADD", "g", "5", "5", "m" + i);
    }
    n.call("GEORADIUS", "g", "5", "5", "1", "km", "COUNT", "5", "STORE", "near");
    String sorted = n.call("LRANGE", "sorted", "0", "-1");
    String near = n.call("ZRANGE", "near", "0", "-1");
    assertTrue(sorted.startsWith("*40\r\n"), sorted);
    assertTrue(near.startsWith("*5\r\n"), near);
    Node m = restart();
    assertEquals(sorted, m.call("LRANGE", "sorted", "0", "-1"));
    assertEquals(near, m.call("ZRANGE", "near", "0", "-1"));
  }

  private void awaitRewrite(AppendOnlyFile aof) throws InterruptedException {
    for (int i = 0; i < 3000 && aof.rewriting(); i++) {
      Thread.sleep(10);
    }
    assertTrue(!aof.rewriting(), "the rewrite did not finish");
  }

  private List<String> aofFiles() throws Exception {
    try (var files = Files.list(dir.resolve("appendonlydir"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".aof"))
          .sorted()
          .toList();
    }
  }

  @Test
  void rewrite_compactsTheLogIntoABase_andTheDataSurvives() throws Exception {
    Node n = restart();
    for (int i = 0; i < 500; i++) {
      n.call("INCR", "counter");
      n.call("SET", "k" + (i % 50), "v" + i);
    }
    n.call("RPUSH", "list", "a", "b", "c");
    n.call("HSET", "hash", "f", "1");
    n.call("SADD", "set", "1", "2", "3");
    n.call("ZADD", "zset", "1.5", "m");
    n.call("SET", "ttl", "x", "PX", "500000");
    n.call("SELECT", "7");
    n.call("SET", "in7", "7");
    n.call("SELECT", "0");
    for (int i = 0; i < 500 && n.aof.pendingBytes() > 0; i++) {
      Thread.sleep(2);
    }
    long before = n.aof.currentSize();
    assertEquals(null, n.aof.rewrite("test"));
    awaitRewrite(n.aof);
    assertEquals("ok", n.aof.history().lastStatus());
    assertEquals(1, n.aof.history().rewrites());
    assertEquals(List.of("appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof"), aofFiles());
    assertEquals(
        "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
        Files.readString(dir.resolve("appendonlydir").resolve("appendonly.aof.manifest")));
    assertTrue(n.aof.currentSize() < before, n.aof.currentSize() + " >= " + before);
    n.call("INCR", "counter");
    String digest = n.digest();
    assertTrue(!digest.equals("0".repeat(40)), digest);
    long ttl = Long.parseLong(n.call("PTTL", "ttl").trim().substring(1));
    Node m = restart();
    assertEquals(digest, m.digest());
    assertEquals("$3\r\n501\r\n", m.call("GET", "counter"));
    assertTrue(Long.parseLong(m.call("PTTL", "ttl").trim().substring(1)) <= ttl);
    // A second rewrite replaces the first base.
    assertEquals(null, m.aof.rewrite("again"));
    awaitRewrite(m.aof);
    assertEquals(List.of("appendonly.aof.3.base.aof", "appendonly.aof.3.incr.aof"), aofFiles());
    assertEquals(digest.length(), restart().digest().length());
    assertEquals(digest, node.digest());
  }

  @Test
  void rewrite_keepsStreamsWithTheirGroups() throws Exception {
    Node n = restart();
    for (int i = 1; i <= 120; i++) {
      n.call("XADD", "s", "*", "f", "v" + i);
    }
    n.call("XTRIM", "s", "MAXLEN", "100");
    n.call("XGROUP", "CREATE", "s", "g", "0");
    n.call("XREADGROUP", "GROUP", "g", "c", "COUNT", "5", "STREAMS", "s", ">");
    for (int i = 0; i < 500 && n.aof.pendingBytes() > 0; i++) {
      Thread.sleep(2);
    }
    assertEquals(null, n.aof.rewrite("test"));
    awaitRewrite(n.aof);
    assertEquals("ok", n.aof.history().lastStatus());
    String full = n.call("XINFO", "STREAM", "s", "FULL", "COUNT", "0");
    Node m = restart();
    assertEquals(full, m.call("XINFO", "STREAM", "s", "FULL", "COUNT", "0"));
  }

  @Test
  void writesDuringRewrites_areAllThereAfterRestart() throws Exception {
    Node n = restart();
    for (int i = 0; i < 2000; i++) {
      n.call("RPUSH", "list" + (i % 20), "seed" + i);
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int id = t;
      Thread th =
          new Thread(
              () -> {
                CommandExecutor ex = new CommandExecutor(n.server);
                ClientSession s = new ClientSession(true);
                ByteBuf buf = Unpooled.buffer();
                int i = 0;
                while (!stop.get()) {
                  io.toridb.persistence.Commands.call(ex, s, buf, "INCR", "counter" + id);
                  io.toridb.persistence.Commands.call(
                      ex, s, buf, "LPUSH", "list" + (i % 20), "w" + id + ":" + i);
                  io.toridb.persistence.Commands.call(
                      ex, s, buf, "SET", "k" + id + ":" + (i % 300), "v" + i);
                  io.toridb.persistence.Commands.call(
                      ex, s, buf, "DEL", "k" + id + ":" + ((i + 150) % 300));
                  i++;
                }
                buf.release();
              });
      writers.add(th);
      th.start();
    }
    for (int r = 0; r < 3; r++) {
      Thread.sleep(100);
      assertEquals(null, n.aof.rewrite("test"));
      awaitRewrite(n.aof);
      assertEquals("ok", n.aof.history().lastStatus());
    }
    stop.set(true);
    for (Thread th : writers) {
      th.join();
    }
    String digest = n.digest();
    Node m = restart();
    assertEquals(digest, m.digest());
  }

  @Test
  void flushallDuringARewrite_cancelsIt_andNothingIsLost() throws Exception {
    Node n = restart();
    for (int i = 0; i < 20000; i++) {
      n.call("SET", "k" + i, "v" + i);
    }
    assertEquals(null, n.aof.rewrite("test"));
    n.call("FLUSHALL");
    n.call("SET", "after", "1");
    awaitRewrite(n.aof);
    // Either the rewrite finished before the FLUSHALL reached it, or it was cancelled.
    String digest = n.digest();
    Node m = restart();
    assertEquals(digest, m.digest());
    assertEquals("$1\r\n1\r\n", m.call("GET", "after"));
    assertEquals(":1\r\n", m.call("DBSIZE"));
  }

  @Test
  void tornTailFollowedOnlyByEmptyFiles_isCutOff() throws Exception {
    Node n = restart();
    n.call("SET", "a", "1");
    n.close();
    node = null;
    Files.write(incr(), new byte[] {0x54, 0x52, 1, 1, 0, 0, 0, 0x28}, StandardOpenOption.APPEND);
    Path aofDir = dir.resolve("appendonlydir");
    Files.createFile(aofDir.resolve("appendonly.aof.2.incr.aof"));
    Files.writeString(
        aofDir.resolve("appendonly.aof.manifest"),
        "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    assertEquals("$1\r\n1\r\n", restart().call("GET", "a"));
  }

  @Test
  void bgrewriteaofInsideExec_logsTheTransactionOnce() throws Exception {
    Node n = restart();
    n.server
        .commands()
        .add(
            io.toridb.core.command.CommandSpec.builder("bgrewriteaof", 1)
                .flags(io.toridb.core.command.CommandFlag.ADMIN)
                .handler(
                    (ctx, argv) -> {
                      assertEquals(null, n.aof.rewrite("test"));
                      ctx.out().ok();
                    }));
    n.call("MULTI");
    n.call("INCR", "counter");
    n.call("BGREWRITEAOF");
    n.call("INCR", "counter");
    assertEquals("*3\r\n:1\r\n+OK\r\n:2\r\n", n.call("EXEC"));
    awaitRewrite(n.aof);
    assertEquals("ok", n.aof.history().lastStatus());
    assertEquals("$1\r\n2\r\n", restart().call("GET", "counter"));
  }

  @Test
  void selectInsideExecDuringARewrite_isCaptured() throws Exception {
    Node n = restart();
    n.call("SET", "k", "1");
    n.call("SELECT", "1");
    n.call("SET", "k", "10");
    n.call("SELECT", "0");
    for (int i = 0; i < 20000; i++) {
      n.call("SET", "filler" + i, "x");
    }
    assertEquals(null, n.aof.rewrite("test"));
    for (int i = 0; i < 20; i++) {
      n.call("MULTI");
      n.call("SELECT", i % 2 == 0 ? "+1" : "1");
      n.call("INCR", "k");
      n.call("SELECT", "0");
      n.call("INCR", "k");
      n.call("EXEC");
    }
    awaitRewrite(n.aof);
    String digest = n.digest();
    assertEquals(digest, restart().digest());
  }

  @Test
  void filesTheManifestDoesNotList_areDeletedAtStartup() throws Exception {
    restart().call("SET", "a", "1");
    node.close();
    node = null;
    Path aofDir = dir.resolve("appendonlydir");
    Files.writeString(aofDir.resolve("appendonly.aof.7.base.aof"), "left by a crashed rewrite");
    Files.writeString(aofDir.resolve("temp-rewrite-8.base.aof"), "half written");
    Files.writeString(aofDir.resolve("notes.txt"), "not ours");
    assertEquals("$1\r\n1\r\n", restart().call("GET", "a"));
    assertTrue(!Files.exists(aofDir.resolve("appendonly.aof.7.base.aof")));
    assertTrue(!Files.exists(aofDir.resolve("temp-rewrite-8.base.aof")));
    assertTrue(Files.exists(aofDir.resolve("notes.txt")));
  }
}
