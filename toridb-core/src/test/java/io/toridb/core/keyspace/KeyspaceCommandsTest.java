package io.toridb.core.keyspace;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.keyspace.KeyspaceTestSupport.expired;
import static io.toridb.core.keyspace.KeyspaceTestSupport.recordPropagation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.KeyspaceTestSupport.FakeValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyspaceCommandsTest {
  private final CommandHarness h = new CommandHarness();
  private final List<String> propagated = recordPropagation(h);

  private Database db(int i) {
    return h.server().keyspace().db(i);
  }

  // ---- DEL / UNLINK

  @Test
  void del_countsOnlyExistingKeysOnce() {
    h.call("SET", "a", "1");
    h.call("SET", "b", "2");
    assertEquals(integer(2), h.call("DEL", "a", "b", "a", "missing"));
    assertEquals(NIL, h.call("GET", "a"));
    assertEquals(integer(0), h.call("DEL", "a"));
  }

  @Test
  void del_propagatesOnlyTheDeletedKeys_andNothingWhenNoneExisted() {
    h.call("SET", "a", "1");
    propagated.clear();
    h.call("DEL", "missing", "a");
    assertEquals(List.of("0:DEL a"), propagated);
    propagated.clear();
    h.call("DEL", "missing");
    assertEquals(List.of(), propagated);
  }

  @Test
  void del_onExpiredKey_returnsZeroAndPropagatesTheExpiry() {
    h.call("SET", "k", "v");
    expired(h, "k");
    propagated.clear();
    assertEquals(integer(0), h.call("DEL", "k"));
    assertEquals(List.of("0:DEL k"), propagated);
    assertEquals(0, db(0).size());
  }

  @Test
  void unlink_deletesAndPropagatesAsUnlink() {
    h.call("SET", "a", "1");
    propagated.clear();
    assertEquals(integer(1), h.call("UNLINK", "a", "b"));
    assertEquals(List.of("0:UNLINK a"), propagated);
  }

  @Test
  void del_withoutKeys_isAnArityError() {
    assertEquals(error("ERR wrong number of arguments for 'del' command"), h.call("DEL"));
    assertEquals(error("ERR wrong number of arguments for 'unlink' command"), h.call("UNLINK"));
  }

  @Test
  void del_removesKeyFromExpiryIndex() {
    h.call("SET", "k", "v");
    h.call("EXPIRE", "k", "100");
    assertEquals(1, db(0).expiresCount());
    h.call("DEL", "k");
    assertEquals(0, db(0).expiresCount());
  }

  // ---- EXISTS / TYPE / TOUCH

  @Test
  void exists_countsDuplicates() {
    h.call("SET", "foo", "bar");
    assertEquals(integer(3), h.call("EXISTS", "foo", "foo", "foo", "nokey"));
    assertEquals(integer(0), h.call("EXISTS", "nokey"));
    assertEquals(error("ERR wrong number of arguments for 'exists' command"), h.call("EXISTS"));
  }

  @Test
  void exists_onExpiredKey_returnsZero() {
    h.call("SET", "k", "v");
    expired(h, "k");
    assertEquals(integer(0), h.call("EXISTS", "k"));
  }

  @Test
  void exists_countsKeyspaceHitsAndMisses() {
    h.call("SET", "k", "v");
    KeyspaceStats stats = h.server().keyspace().stats();
    long hits = stats.keyspaceHits.sum();
    long misses = stats.keyspaceMisses.sum();
    h.call("EXISTS", "k", "nokey");
    assertEquals(hits + 1, stats.keyspaceHits.sum());
    assertEquals(misses + 1, stats.keyspaceMisses.sum());
  }

  @Test
  void type_namesEveryTypeAndNoneForMissing() {
    h.call("SET", "s", "v");
    assertEquals("+string\r\n", h.call("TYPE", "s"));
    assertEquals("+none\r\n", h.call("TYPE", "missing"));
    assertEquals("+none\r\n", h.call3("TYPE", "missing"));
    String[][] types = {
      {"list", "quicklist"},
      {"set", "intset"},
      {"zset", "listpack"},
      {"hash", "listpack"},
      {"stream", "stream"}
    };
    for (String[] t : types) {
      db(0).put(Key.of(t[0]), new FakeValue(ValueType.byName(t[0]), t[1]));
      assertEquals("+" + t[0] + "\r\n", h.call("TYPE", t[0]));
    }
    assertEquals(error("ERR wrong number of arguments for 'type' command"), h.call("TYPE"));
    assertEquals(
        error("ERR wrong number of arguments for 'type' command"), h.call("TYPE", "a", "b"));
  }

  @Test
  void type_onExpiredKey_isNone() {
    h.call("SET", "k", "v");
    expired(h, "k");
    assertEquals("+none\r\n", h.call("TYPE", "k"));
  }

  @Test
  void type_doesNotRefreshAccessTime_butTouchDoes() {
    h.call("SET", "k", "v");
    StoredValue v = db(0).peek(Key.of("k"));
    long now = System.currentTimeMillis();
    v.idleSeconds(now, 1000);
    h.call("TYPE", "k");
    h.call("EXISTS", "k");
    h.call("TTL", "k");
    h.call("OBJECT", "ENCODING", "k");
    assertTrue(v.idleSeconds(System.currentTimeMillis()) >= 1000, "idle time kept");
    assertEquals(integer(1), h.call("TOUCH", "k", "missing"));
    assertTrue(v.idleSeconds(System.currentTimeMillis()) <= 1, "idle time reset");
  }

  @Test
  void touch_countsExistingKeysWithDuplicates() {
    h.call("SET", "foo", "bar");
    assertEquals(integer(2), h.call("TOUCH", "foo", "foo", "nokey"));
    assertEquals(error("ERR wrong number of arguments for 'touch' command"), h.call("TOUCH"));
  }

  // ---- RENAME / RENAMENX

  @Test
  void rename_movesValueAndOverwritesTarget() {
    h.call("SET", "a", "1");
    h.call("SET", "b", "2");
    assertEquals(OK, h.call("RENAME", "a", "b"));
    assertEquals(bulk("1"), h.call("GET", "b"));
    assertEquals(integer(0), h.call("EXISTS", "a"));
    assertEquals(List.of("0:SET a 1", "0:SET b 2", "0:RENAME a b"), propagated);
  }

  @Test
  void rename_missingSource_isNoSuchKey() {
    assertEquals(error("ERR no such key"), h.call("RENAME", "nokey", "x"));
    assertEquals(error("ERR no such key"), h.call("RENAMENX", "nokey", "x"));
    assertEquals(error("ERR no such key"), h.call("RENAME", "nokey", "nokey"));
  }

  @Test
  void rename_expiredSource_isNoSuchKey() {
    h.call("SET", "a", "1");
    expired(h, "a");
    assertEquals(error("ERR no such key"), h.call("RENAME", "a", "b"));
  }

  @Test
  void rename_toItself_repliesOkOrZero() {
    h.call("SET", "k", "v");
    propagated.clear();
    assertEquals(OK, h.call("RENAME", "k", "k"));
    assertEquals(integer(0), h.call("RENAMENX", "k", "k"));
    assertEquals(bulk("v"), h.call("GET", "k"));
    assertEquals(List.of(), propagated);
  }

  @Test
  void rename_carriesTtl_andDropsTargetTtl() {
    h.call("SET", "a", "1");
    h.call("PEXPIRE", "a", "100000");
    h.call("SET", "b", "2");
    h.call("PEXPIRE", "b", "500000");
    h.call("RENAME", "a", "b");
    long ttl = Long.parseLong(h.call("PTTL", "b").substring(1).trim());
    assertTrue(ttl > 90_000 && ttl <= 100_000, "ttl " + ttl);
    assertEquals(1, db(0).expiresCount());

    h.call("SET", "c", "3");
    h.call("SET", "d", "4");
    h.call("EXPIRE", "d", "100");
    h.call("RENAME", "c", "d");
    assertEquals(integer(-1), h.call("TTL", "d"));
    assertEquals(1, db(0).expiresCount());
  }

  @Test
  void renamenx_refusesExistingTarget() {
    h.call("SET", "a", "foo");
    h.call("SET", "b", "bar");
    assertEquals(integer(0), h.call("RENAMENX", "a", "b"));
    assertEquals(bulk("foo"), h.call("GET", "a"));
    assertEquals(bulk("bar"), h.call("GET", "b"));
    h.call("DEL", "b");
    assertEquals(integer(1), h.call("RENAMENX", "a", "b"));
    assertEquals(bulk("foo"), h.call("GET", "b"));
  }

  @Test
  void renamenx_overExpiredTarget_succeeds() {
    h.call("SET", "a", "1");
    h.call("SET", "b", "2");
    expired(h, "b");
    assertEquals(integer(1), h.call("RENAMENX", "a", "b"));
    assertEquals(bulk("1"), h.call("GET", "b"));
  }

  @Test
  void rename_wrongArity() {
    assertEquals(
        error("ERR wrong number of arguments for 'rename' command"), h.call("RENAME", "a"));
    assertEquals(
        error("ERR wrong number of arguments for 'renamenx' command"),
        h.call("RENAMENX", "a", "b", "c"));
  }

  // ---- COPY

  @Test
  void copy_duplicatesIndependentValueWithTtl() {
    h.call("SET", "src", "foobar");
    h.call("EXPIRE", "src", "100");
    assertEquals(integer(1), h.call("COPY", "src", "dst"));
    assertEquals(bulk("foobar"), h.call("GET", "dst"));
    assertNotSame(db(0).peek(Key.of("src")), db(0).peek(Key.of("dst")));
    assertEquals(db(0).peek(Key.of("src")).expireAt(), db(0).peek(Key.of("dst")).expireAt());
    assertEquals(2, db(0).expiresCount());
  }

  @Test
  void copy_withoutTtl_createsNoTtl() {
    h.call("SET", "src", "v");
    h.call("SET", "dst", "old");
    h.call("EXPIRE", "dst", "100");
    assertEquals(integer(1), h.call("COPY", "src", "dst", "REPLACE"));
    assertEquals(integer(-1), h.call("TTL", "dst"));
    assertEquals(0, db(0).expiresCount());
  }

  @Test
  void copy_toExistingTarget_needsReplace() {
    h.call("SET", "src", "new");
    h.call("SET", "dst", "old");
    assertEquals(integer(0), h.call("COPY", "src", "dst"));
    assertEquals(bulk("old"), h.call("GET", "dst"));
    assertEquals(integer(1), h.call("copy", "src", "dst", "replace"));
    assertEquals(bulk("new"), h.call("GET", "dst"));
  }

  @Test
  void copy_toAnotherDatabase() {
    h.call("SET", "k", "v");
    assertEquals(integer(1), h.call("COPY", "k", "k", "DB", "3"));
    assertEquals(1, db(3).size());
    assertEquals(integer(0), h.call("COPY", "k", "k", "DB", "3"));
    assertEquals(integer(1), h.call("COPY", "k", "x", "DB", "1", "DB", "3", "REPLACE"));
    assertEquals(2, db(3).size());
    assertEquals(0, db(1).size());
    assertEquals("0:COPY k x DB 1 DB 3 REPLACE", propagated.get(propagated.size() - 1));
  }

  @Test
  void copy_missingSource_returnsZero() {
    assertEquals(integer(0), h.call("COPY", "nokey", "x"));
    h.call("SET", "e", "v");
    expired(h, "e");
    assertEquals(integer(0), h.call("COPY", "e", "x"));
  }

  @Test
  void copy_errors() {
    h.call("SET", "k", "v");
    String same = "ERR source and destination objects are the same";
    assertEquals(error(same), h.call("COPY", "k", "k"));
    assertEquals(error(same), h.call("COPY", "k", "k", "DB", "0"));
    assertEquals(error(same), h.call("COPY", "nokey", "nokey"));
    assertEquals(error("ERR syntax error"), h.call("COPY", "k", "x", "DB"));
    assertEquals(error("ERR syntax error"), h.call("COPY", "k", "x", "foo"));
    assertEquals(
        error("ERR value is not an integer or out of range"),
        h.call("COPY", "k", "x", "DB", "notanumber"));
    assertEquals(
        error("ERR value is not an integer or out of range"),
        h.call("COPY", "k", "x", "DB", "2147483648"));
    assertEquals(error("ERR DB index is out of range"), h.call("COPY", "k", "x", "DB", "16"));
    assertEquals(error("ERR DB index is out of range"), h.call("COPY", "k", "x", "DB", "-1"));
    assertEquals(error("ERR wrong number of arguments for 'copy' command"), h.call("COPY", "k"));
  }

  @Test
  void copy_inClusterMode_refusesOtherDatabases() {
    h.server().config().require("cluster-enabled").set("yes");
    h.call("SET", "k", "v");
    assertEquals(
        error("ERR Copying to another database is not allowed in cluster mode"),
        h.call("COPY", "k", "x", "DB", "1"));
    assertEquals(integer(1), h.call("COPY", "k", "x", "DB", "0"));
  }

  // ---- MOVE

  @Test
  void move_transfersKeyWithTtl() {
    h.call("SET", "k", "v");
    h.call("EXPIRE", "k", "100");
    assertEquals(integer(1), h.call("MOVE", "k", "1"));
    assertEquals(integer(-2), h.call("TTL", "k"));
    assertEquals(0, db(0).expiresCount());
    assertEquals(1, db(1).expiresCount());
    h.call("SELECT", "1");
    assertEquals(bulk("v"), h.call("GET", "k"));
    assertEquals(integer(100), h.call("TTL", "k"));
  }

  @Test
  void move_returnsZeroWhenMissingOrTargetExists() {
    assertEquals(integer(0), h.call("MOVE", "nokey", "1"));
    h.call("SET", "k", "here");
    h.call("SELECT", "1");
    h.call("SET", "k", "there");
    h.call("SELECT", "0");
    assertEquals(integer(0), h.call("MOVE", "k", "1"));
    assertEquals(bulk("here"), h.call("GET", "k"));
  }

  @Test
  void move_errors() {
    h.call("SET", "k", "v");
    assertEquals(
        error("ERR source and destination objects are the same"), h.call("MOVE", "k", "0"));
    assertEquals(error("ERR DB index is out of range"), h.call("MOVE", "k", "16"));
    assertEquals(error("ERR DB index is out of range"), h.call("MOVE", "k", "-1"));
    assertEquals(
        error("ERR value is not an integer or out of range"), h.call("MOVE", "k", "notanumber"));
    assertEquals(error("ERR wrong number of arguments for 'move' command"), h.call("MOVE", "k"));
    h.server().config().require("cluster-enabled").set("yes");
    assertEquals(error("ERR MOVE is not allowed in cluster mode"), h.call("MOVE", "k", "1"));
  }

  // ---- OBJECT

  @Test
  void object_encoding_reportsValueEncoding() {
    h.call("SET", "i", "12345");
    h.call("SET", "e", "01");
    h.call("SET", "r", "x".repeat(45));
    assertEquals(bulk("int"), h.call("OBJECT", "ENCODING", "i"));
    assertEquals(bulk("embstr"), h.call("object", "encoding", "e"));
    assertEquals(bulk("raw"), h.call("OBJECT", "ENCODING", "r"));
    db(0).put(Key.of("l"), new FakeValue(ValueType.LIST, "quicklist"));
    assertEquals(bulk("quicklist"), h.call("OBJECT", "ENCODING", "l"));
  }

  @Test
  void object_onMissingKey_isNull() {
    for (String sub : new String[] {"ENCODING", "FREQ", "IDLETIME", "REFCOUNT"}) {
      assertEquals(NIL, h.call("OBJECT", sub, "nokey"));
      assertEquals("_\r\n", h.call3("OBJECT", sub, "nokey"));
    }
  }

  @Test
  void object_refcount_sharedIntegersReadIntMax() {
    h.call("SET", "n", "5");
    assertEquals(integer(2147483647), h.call("OBJECT", "REFCOUNT", "n"));
    h.call("SET", "n", "9999");
    assertEquals(integer(2147483647), h.call("OBJECT", "REFCOUNT", "n"));
    h.call("SET", "n", "10000");
    assertEquals(integer(1), h.call("OBJECT", "REFCOUNT", "n"));
    h.call("SET", "n", "-1");
    assertEquals(integer(1), h.call("OBJECT", "REFCOUNT", "n"));
    h.call("SET", "n", "abc");
    assertEquals(integer(1), h.call("OBJECT", "REFCOUNT", "n"));
    h.call("SET", "n", "1");
    h.server().config().require("maxmemory").set("1073741824");
    h.server().config().require("maxmemory-policy").set("allkeys-random");
    assertEquals(integer(2147483647), h.call("OBJECT", "REFCOUNT", "n"));
    h.server().config().require("maxmemory-policy").set("allkeys-lru");
    assertEquals(integer(1), h.call("OBJECT", "REFCOUNT", "n"));
  }

  @Test
  void object_idletime_countsWholeSecondsSinceLastAccess() {
    h.call("SET", "k", "v");
    assertEquals(integer(0), h.call("OBJECT", "IDLETIME", "k"));
    StoredValue v = db(0).peek(Key.of("k"));
    v.idleSeconds(System.currentTimeMillis(), 5);
    String idle = h.call("OBJECT", "IDLETIME", "k");
    assertTrue(idle.equals(integer(5)) || idle.equals(integer(6)), idle);
    h.call("GET", "k");
    assertEquals(integer(0), h.call("OBJECT", "IDLETIME", "k"));
  }

  @Test
  void object_freq_needsLfuPolicy_andIdletimeRefusesIt() {
    h.call("SET", "k", "v");
    assertEquals(
        error(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please"
                + " note that when switching between policies at runtime LRU and LFU data will"
                + " take some time to adjust."),
        h.call("OBJECT", "FREQ", "k"));
    h.server().config().require("maxmemory-policy").set("allkeys-lfu");
    assertEquals(
        error(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that"
                + " when switching between policies at runtime LRU and LFU data will take some"
                + " time to adjust."),
        h.call("OBJECT", "IDLETIME", "k"));
    h.call("SET", "fresh", "v");
    assertEquals(integer(5), h.call("OBJECT", "FREQ", "fresh"));
    // At the initial value the first access always counts.
    h.call("GET", "fresh");
    assertEquals(integer(6), h.call("OBJECT", "FREQ", "fresh"));
  }

  @Test
  void object_freq_decaysOnePerDecayPeriod() {
    StoredValue v = new FakeValue(ValueType.STRING, "embstr");
    long t0 = 1_700_000_040_000L; // On a minute boundary.
    v.setLfuFrequency(t0, 10);
    assertEquals(10, v.lfuFrequency(t0 + 59_000, 1));
    assertEquals(7, v.lfuFrequency(t0 + 3 * 60_000, 1));
    assertEquals(9, v.lfuFrequency(t0 + 3 * 60_000, 2));
    assertEquals(0, v.lfuFrequency(t0 + 60 * 60_000, 1));
    assertEquals(10, v.lfuFrequency(t0 + 60 * 60_000, 0));
  }

  @Test
  void object_help_listsSubcommands() {
    String reply = h.call("OBJECT", "help");
    assertTrue(
        reply.startsWith(
            "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                + "+ENCODING <key>\r\n"),
        reply);
    assertTrue(reply.endsWith("+HELP\r\n+    Prints this help.\r\n"), reply);
  }

  @Test
  void object_errors() {
    assertEquals(
        error("ERR unknown subcommand 'foo'. Try OBJECT HELP."), h.call("OBJECT", "foo", "k"));
    assertEquals(
        error("ERR wrong number of arguments for 'object|encoding' command"),
        h.call("OBJECT", "ENCODING"));
    assertEquals(
        error("ERR wrong number of arguments for 'object|help' command"),
        h.call("OBJECT", "HELP", "x"));
    assertEquals(error("ERR wrong number of arguments for 'object' command"), h.call("OBJECT"));
  }
}
