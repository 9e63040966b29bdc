package io.toridb.persistence.dump;

import static io.toridb.persistence.dump.DumpHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.keyspace.DatasetDigest;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DUMP and RESTORE through the executor: replies, errors, TTLs, metadata, effects and events. */
class DumpCommandsTest {
  private static final String OK = "+OK\r\n";
  private static final byte[] BAR = GoldenDumps.named("string-embstr").payload();

  private DumpHarness h;

  @BeforeEach
  void setUp() {
    h = new DumpHarness();
  }

  private static String error(String text) {
    return "-" + text + "\r\n";
  }

  @Test
  void dump_missingKey_nullBulk() {
    assertEquals("$-1\r\n", h.call("DUMP", "nope"));
  }

  @Test
  void dump_string_isRedisPayload() {
    h.call("SET", "foo", "bar");
    assertArrayEquals(BAR, h.dump("foo"));
  }

  @Test
  void dump_wrongArity() {
    assertEquals(error("ERR wrong number of arguments for 'dump' command"), h.call("DUMP"));
    assertEquals(
        error("ERR wrong number of arguments for 'restore' command"), h.call("RESTORE", "k", "0"));
  }

  @Test
  void restore_roundTripOfEveryType_keepsContentAndEncoding() {
    h.call("SET", "s", "12345");
    h.call("RPUSH", "l", "a", "b", "3");
    h.call("SADD", "si", "1", "2");
    h.call("SADD", "sh", "a", "b");
    h.call("HSET", "h", "f", "v");
    h.call("ZADD", "z", "1", "a", "2.5", "b");
    for (String key : List.of("s", "l", "si", "sh", "h", "z")) {
      String digest = DatasetDigest.ofValue(h.peek(key));
      String encoding = h.peek(key).encoding();
      byte[] payload = h.dump(key);
      h.call("DEL", key);
      assertEquals(OK, h.restore(key, "0", payload), key);
      assertEquals(digest, DatasetDigest.ofValue(h.peek(key)), key);
      assertEquals(encoding, h.peek(key).encoding(), key);
      assertEquals(":-1\r\n", h.call("TTL", key));
    }
  }

  @Test
  void restore_stream_keepsEntriesCountersGroupsAndConsumers() {
    for (int i = 1; i <= 150; i++) {
      h.call("XADD", "s", i + "-1", "f", "v" + i, "n", Integer.toString(i));
    }
    h.call("XDEL", "s", "3-1", "120-1");
    h.call("XGROUP", "CREATE", "s", "g", "0");
    h.call("XGROUP", "CREATE", "s", "late", "$");
    h.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">");
    h.call("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">");
    h.call("XGROUP", "CREATECONSUMER", "s", "g", "carol");
    String full = h.call("XINFO", "STREAM", "s", "FULL", "COUNT", "0");
    String groups = h.call("XINFO", "GROUPS", "s");
    byte[] payload = h.dump("s");
    assertEquals(19, payload[0]);
    assertEquals(OK, h.restore("copy", "0", payload));
    assertEquals(full, h.call("XINFO", "STREAM", "copy", "FULL", "COUNT", "0"));
    assertEquals(groups, h.call("XINFO", "GROUPS", "copy"));
    // The restored stream goes on where the original would.
    assertEquals("$5\r\n150-2\r\n", h.call("XADD", "copy", "150-*", "f", "x"));
    assertEquals(h.call("XADD", "s", "150-*", "f", "x"), "$5\r\n150-2\r\n");
    // An empty stream is a value: it restores.
    h.call("XADD", "e", "1-1", "f", "v");
    h.call("XDEL", "e", "1-1");
    assertEquals(OK, h.restore("e2", "0", h.dump("e")));
    assertEquals(":0\r\n", h.call("XLEN", "e2"));
    assertEquals("+stream\r\n", h.call("TYPE", "e2"));
  }

  @Test
  void restore_existingKey_busykeyUnlessReplace() {
    h.call("SET", "foo", "old");
    assertEquals(error("BUSYKEY Target key name already exists."), h.restore("foo", "0", BAR));
    // BUSYKEY is checked before the payload, as in Redis.
    assertEquals(
        error("BUSYKEY Target key name already exists."), h.restore("foo", "0", bytes("...")));
    assertEquals(OK, h.restore("foo", "0", BAR, "REPLACE"));
    assertEquals("$3\r\nbar\r\n", h.call("GET", "foo"));
  }

  @Test
  void restore_badArguments_redisErrorsInRedisOrder() {
    assertEquals(error("ERR syntax error"), h.restore("k", "0", BAR, "invalid-option"));
    assertEquals(error("ERR syntax error"), h.restore("k", "0", BAR, "IDLETIME"));
    assertEquals(error("ERR syntax error"), h.restore("k", "0", BAR, "FREQ", "1", "IDLETIME", "1"));
    assertEquals(error("ERR syntax error"), h.restore("k", "0", BAR, "IDLETIME", "1", "FREQ", "1"));
    assertEquals(
        error("ERR value is not an integer or out of range"),
        h.restore("k", "0", BAR, "IDLETIME", "x"));
    assertEquals(
        error("ERR Invalid IDLETIME value, must be >= 0"),
        h.restore("k", "0", BAR, "IDLETIME", "-1"));
    assertEquals(
        error("ERR Invalid FREQ value, must be >= 0 and <= 255"),
        h.restore("k", "0", BAR, "FREQ", "256"));
    assertEquals(
        error("ERR Invalid FREQ value, must be >= 0 and <= 255"),
        h.restore("k", "0", BAR, "FREQ", "-1"));
    assertEquals(error("ERR value is not an integer or out of range"), h.restore("k", "x", BAR));
    assertEquals(error("ERR Invalid TTL value, must be >= 0"), h.restore("k", "-1", BAR));
    assertEquals(
        error("ERR DUMP payload version or checksum are wrong"), h.restore("k", "0", bytes("...")));
    assertEquals(":0\r\n", h.call("EXISTS", "k"));
  }

  @Test
  void restore_corruptValueWithGoodFooter_badDataFormat() {
    byte[] bad = Payloads.withFooter(Payloads.bytes(2, 2, 1, 'a', 1, 'a'));
    assertEquals(error("ERR Bad data format"), h.restore("k", "0", bad));
    byte[] stream = Payloads.withFooter(Payloads.bytes(19, 0));
    assertEquals(error("ERR Bad data format"), h.restore("k", "0", stream));
    assertEquals(":0\r\n", h.call("EXISTS", "k"));
    assertTrue(h.effects.isEmpty());
  }

  @Test
  void restore_relativeTtl_setsExpiryAndPropagatesAbsoluteTime() {
    long before = System.currentTimeMillis();
    assertEquals(OK, h.restore("foo", "5000", BAR));
    long pttl = Long.parseLong(h.call("PTTL", "foo").substring(1).trim());
    assertTrue(pttl > 3000 && pttl <= 5000, "pttl " + pttl);
    String effect = h.effects.get(0);
    String[] parts = effect.split(" ");
    assertEquals("RESTORE", parts[0]);
    assertEquals("foo", parts[1]);
    long at = Long.parseLong(parts[2]);
    assertTrue(at >= before + 5000 && at <= System.currentTimeMillis() + 5000);
    assertTrue(effect.endsWith(" ABSTTL"));
    assertEquals(List.of("restore foo"), h.events);
  }

  @Test
  void restore_ttlOver32Bits_kept() {
    assertEquals(OK, h.restore("foo", "2569591501", BAR));
    long pttl = Long.parseLong(h.call("PTTL", "foo").substring(1).trim());
    assertTrue(pttl > 2569591501L - 3000 && pttl <= 2569591501L);
  }

  @Test
  void restore_absoluteTtl_keptAndPropagatedAsGiven() {
    long at = System.currentTimeMillis() + 100_000;
    assertEquals(OK, h.restore("foo", Long.toString(at), BAR, "ABSTTL"));
    assertEquals(":" + at + "\r\n", h.call("PEXPIRETIME", "foo"));
    assertTrue(
        h.effects
            .get(0)
            .endsWith(
                at
                    + " "
                    + new String(BAR, java.nio.charset.StandardCharsets.ISO_8859_1)
                    + " ABSTTL"));
  }

  @Test
  void restore_ttlInThePast_repliesOkAndStoresNothing() {
    long past = System.currentTimeMillis() - 3000;
    assertEquals(OK, h.restore("foo", Long.toString(past), BAR, "ABSTTL"));
    assertEquals(":0\r\n", h.call("EXISTS", "foo"));
    assertTrue(h.effects.isEmpty());
    assertTrue(h.events.isEmpty());
  }

  @Test
  void restore_replaceWithTtlInThePast_deletesTheOldKeyAsDel() {
    h.call("SET", "foo", "old");
    h.effects.clear();
    h.events.clear();
    long past = System.currentTimeMillis() - 3000;
    assertEquals(OK, h.restore("foo", Long.toString(past), BAR, "ABSTTL", "REPLACE"));
    assertEquals(":0\r\n", h.call("EXISTS", "foo"));
    assertEquals(List.of("DEL foo"), h.effects);
    assertEquals(List.of("del foo"), h.events);
  }

  @Test
  void restore_noTtl_propagatedVerbatim() {
    h.restore("foo", "0", BAR, "REPLACE");
    assertEquals(
        "RESTORE foo 0 "
            + new String(BAR, java.nio.charset.StandardCharsets.ISO_8859_1)
            + " REPLACE",
        h.effects.get(0));
  }

  @Test
  void restore_idletime_backdatesLastAccess() {
    assertEquals(OK, h.restore("foo", "0", BAR, "IDLETIME", "1000"));
    long idle = Long.parseLong(h.call("OBJECT", "IDLETIME", "foo").substring(1).trim());
    assertTrue(idle >= 1000 && idle <= 1010, "idle " + idle);
  }

  @Test
  void restore_freq_setsTheCounterUnderLfu() {
    assertEquals(OK, h.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"));
    assertEquals(OK, h.restore("foo", "0", BAR, "FREQ", "100"));
    assertEquals(":100\r\n", h.call("OBJECT", "FREQ", "foo"));
    // IDLETIME is ignored under LFU, FREQ under LRU.
    assertEquals(OK, h.restore("bar", "0", BAR, "IDLETIME", "100000"));
    assertEquals(OK, h.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
    assertEquals(OK, h.restore("baz", "0", BAR, "FREQ", "100"));
    assertEquals(":0\r\n", h.call("OBJECT", "IDLETIME", "baz"));
  }

  @Test
  void restore_followsTheServersEncodingThresholds() {
    h.call("HSET", "h", "a", "1", "b", "2", "c", "3");
    h.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
    h.call("SADD", "s", "1", "2", "3");
    byte[] hash = h.dump("h");
    byte[] zset = h.dump("z");
    byte[] set = h.dump("s");
    h.call("CONFIG", "SET", "hash-max-listpack-entries", "2");
    h.call("CONFIG", "SET", "zset-max-listpack-entries", "2");
    h.call("CONFIG", "SET", "set-max-intset-entries", "2");
    h.restore("h", "0", hash, "REPLACE");
    h.restore("z", "0", zset, "REPLACE");
    h.restore("s", "0", set, "REPLACE");
    assertEquals("hashtable", h.peek("h").encoding());
    assertEquals("skiplist", h.peek("z").encoding());
    assertEquals("hashtable", h.peek("s").encoding());
  }

  @Test
  void restore_list_wakesNothingButStoresTheList() {
    h.call("RPUSH", "l", "x", "y");
    byte[] payload = h.dump("l");
    assertEquals(OK, h.restore("m", "0", payload));
    assertEquals("*2\r\n$1\r\nx\r\n$1\r\ny\r\n", h.call("LRANGE", "m", "0", "-1"));
    assertNull(h.dump("missing"));
  }

  @Test
  void commandInfo_matchesRedis() {
    assertEquals(
        "*1\r\n*10\r\n$4\r\ndump\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n"
            + "*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n"
            + "*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n"
            + "*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"
            + "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
            + "*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
        h.call("COMMAND", "INFO", "dump"));
    String restore = h.call("COMMAND", "INFO", "restore");
    assertTrue(restore.contains("+write\r\n+denyoom\r\n"), restore);
    assertTrue(restore.contains("+@keyspace\r\n+@write\r\n+@slow\r\n+@dangerous\r\n"), restore);
    assertTrue(restore.contains("+OW\r\n+update\r\n"), restore);
  }
}
