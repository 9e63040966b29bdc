package io.toridb.core.keyspace;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.keyspace.KeyspaceTestSupport.bulks;
import static io.toridb.core.keyspace.KeyspaceTestSupport.expired;
import static io.toridb.core.keyspace.KeyspaceTestSupport.recordPropagation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.command.CommandFlag;
import io.toridb.core.keyspace.KeyspaceTestSupport.FakeValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DatabaseCommandsTest {
  private final CommandHarness h = new CommandHarness();
  private final List<String> propagated = recordPropagation(h);

  private Database db(int i) {
    return h.server().keyspace().db(i);
  }

  /** A SCAN reply split into its cursor and keys. */
  record ScanReply(String cursor, List<String> keys) {}

  static ScanReply parseScan(String reply) {
    String[] lines = reply.split("\r\n", -1);
    assertEquals("*2", lines[0], reply);
    String cursor = lines[2];
    int n = Integer.parseInt(lines[3].substring(1));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(lines[5 + 2 * i]);
    }
    return new ScanReply(cursor, keys);
  }

  /** Runs a whole SCAN iteration with the given options and returns every key seen. */
  static List<String> scanAll(CommandHarness h, String... options) {
    List<String> all = new ArrayList<>();
    String cursor = "0";
    int calls = 0;
    do {
      String[] argv = new String[2 + options.length];
      argv[0] = "SCAN";
      argv[1] = cursor;
      System.arraycopy(options, 0, argv, 2, options.length);
      ScanReply r = parseScan(h.call(argv));
      all.addAll(r.keys());
      cursor = r.cursor();
      assertTrue(++calls < 1_000_000, "SCAN did not terminate");
    } while (!cursor.equals("0"));
    return all;
  }

  private void populate(int n) {
    for (int i = 0; i < n; i++) {
      h.call("SET", "key:" + i, "v");
    }
  }

  // ---- KEYS

  @Test
  void keys_withPattern() {
    for (String k : new String[] {"key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"}) {
      h.call("SET", k, "hello");
    }
    assertEquals(Set.of("foo_a", "foo_b", "foo_c"), keySet(h.call("KEYS", "foo*")));
    assertEquals(6, keySet(h.call("KEYS", "*")).size());
    assertEquals(Set.of("key_x", "key_y"), keySet(h.call("KEYS", "key_[xy]")));
    assertEquals("*0\r\n", h.call("KEYS", "nomatch*"));
    assertEquals("*0\r\n", h.call3("KEYS", "nomatch*"));
  }

  @Test
  void keys_skipsExpiredKeys_withoutReclaimingThem() {
    h.call("SET", "a", "1");
    h.call("SET", "b", "2");
    expired(h, "a");
    assertEquals(bulks("b"), h.call("KEYS", "*"));
    assertEquals(2, db(0).size());
  }

  @Test
  void keys_emptyKeyName_matchesOnlyALoneStar() {
    h.call("SET", "", "x");
    assertEquals(bulks(""), h.call("KEYS", "*"));
    assertEquals("*0\r\n", h.call("KEYS", "**"));
  }

  @Test
  void keys_pathologicalPatternAnswersQuickly() {
    h.call("SET", "a".repeat(40), "1");
    assertEquals("*0\r\n", h.call("KEYS", "a*".repeat(20) + "b"));
  }

  @Test
  void keys_wrongArity() {
    assertEquals(error("ERR wrong number of arguments for 'keys' command"), h.call("KEYS"));
  }

  private static Set<String> keySet(String arrayReply) {
    String[] lines = arrayReply.split("\r\n");
    Set<String> out = new TreeSet<>();
    for (int i = 2; i < lines.length; i += 2) {
      out.add(lines[i]);
    }
    return out;
  }

  // ---- SCAN

  @Test
  void scan_returnsEveryKeyWithDefaultAndSmallCounts() {
    populate(1000);
    for (String[] opts : new String[][] {{}, {"COUNT", "5"}, {"count", "1"}, {"COUNT", "5000"}}) {
      List<String> all = scanAll(h, opts);
      assertEquals(1000, new HashSet<>(all).size());
      assertEquals(1000, all.size(), "no key is returned twice on a quiet database");
    }
  }

  @Test
  void scan_countIsAMinimumPerCall() {
    populate(100);
    ScanReply r = parseScan(h.call("SCAN", "0", "COUNT", "7"));
    assertTrue(r.keys().size() >= 7, r.toString());
    assertTrue(!r.cursor().equals("0"));
    ScanReply all = parseScan(h.call("SCAN", "0", "COUNT", "9223372036854775807"));
    assertEquals("0", all.cursor());
    assertEquals(100, all.keys().size());
  }

  @Test
  void scan_match() {
    populate(1000);
    List<String> all = scanAll(h, "MATCH", "key:1??");
    assertEquals(100, new HashSet<>(all).size());
    assertEquals(1000, scanAll(h, "match", "*").size());
  }

  @Test
  void scan_typeFilter() {
    populate(100);
    db(0).put(Key.of("mylist"), new FakeValue(ValueType.LIST, "quicklist"));
    assertEquals(List.of("mylist"), scanAll(h, "TYPE", "list"));
    assertEquals(List.of("mylist"), scanAll(h, "TYPE", "LIST"));
    assertEquals(100, scanAll(h, "TYPE", "string").size());
    assertEquals(100, scanAll(h, "type", "string", "match", "key:*", "count", "10").size());
    assertEquals(List.of(), scanAll(h, "TYPE", "nosuchtype"));
    assertEquals(List.of(), scanAll(h, "TYPE", "none"));
  }

  @Test
  void scan_hidesAndReclaimsExpiredKeys() {
    h.call("SET", "foo1", "bar");
    h.call("SET", "foo2", "bar");
    h.call("SET", "live", "bar");
    expired(h, "foo1");
    expired(h, "foo2");
    propagated.clear();
    ScanReply r = parseScan(h.call("SCAN", "0"));
    assertEquals(List.of("live"), r.keys());
    assertEquals("0", r.cursor());
    assertEquals(Set.of("0:DEL foo1", "0:DEL foo2"), new HashSet<>(propagated));
    assertEquals(1, db(0).size());
  }

  @Test
  void scan_onEmptyDatabase() {
    assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call("SCAN", "0"));
    assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call3("SCAN", "0"));
  }

  @Test
  void scan_cursorParsing_likeStrtoul() {
    h.call("SET", "", "x");
    String one = "*2\r\n$1\r\n0\r\n*1\r\n$0\r\n\r\n";
    assertEquals(one, h.call("SCAN", ""));
    assertEquals(one, h.call("SCAN", "+0"));
    assertEquals(one, h.call("SCAN", "00"));
    assertEquals(one, h.call("SCAN", "-0"));
    // -1 wraps to 2^64-1, past every hash: nothing left.
    assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call("SCAN", "-1"));
    assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call("SCAN", "18446744073709551615"));
    for (String bad : new String[] {" 1", "1x", "18446744073709551616", "+", "-", "0x10", "1 "}) {
      assertEquals(error("ERR invalid cursor"), h.call("SCAN", bad), bad);
    }
  }

  @Test
  void scan_optionErrors() {
    assertEquals(error("ERR syntax error"), h.call("SCAN", "0", "COUNT", "0"));
    assertEquals(error("ERR syntax error"), h.call("SCAN", "0", "COUNT", "-1"));
    assertEquals(
        error("ERR value is not an integer or out of range"), h.call("SCAN", "0", "COUNT", "x"));
    assertEquals(error("ERR syntax error"), h.call("SCAN", "0", "MATCH"));
    assertEquals(error("ERR syntax error"), h.call("SCAN", "0", "COUNT", "1", "TYPE"));
    assertEquals(error("ERR syntax error"), h.call("SCAN", "0", "FOO", "bar"));
    assertEquals(error("ERR invalid cursor"), h.call("SCAN", "x", "FOO"));
    assertEquals(error("ERR wrong number of arguments for 'scan' command"), h.call("SCAN"));
  }

  @Test
  void scan_takesNoLocks_othersDo() {
    assertTrue(!h.server().commands().lookup("scan").has(CommandFlag.WHOLE_KEYSPACE));
    for (String c : new String[] {"keys", "randomkey", "dbsize", "flushdb", "flushall", "swapdb"}) {
      assertTrue(h.server().commands().lookup(c).has(CommandFlag.WHOLE_KEYSPACE), c);
    }
  }

  @Test
  void scan_startedAfterAnInsert_seesTheKeyDespiteAnAbandonedSnapshot() {
    populate(50);
    // Start an iteration and abandon it: its snapshot stays behind.
    assertTrue(!parseScan(h.call("SCAN", "0", "COUNT", "1")).cursor().equals("0"));
    h.call("SET", "late", "v");
    assertTrue(scanAll(h).contains("late"));
    // Deleted keys left in a reused snapshot do not show.
    parseScan(h.call("SCAN", "0", "COUNT", "1"));
    h.call("DEL", "key:7");
    assertTrue(!scanAll(h).contains("key:7"));
  }

  @Test
  void scan_survivesFlushAndSwapMidIteration() {
    populate(100);
    ScanReply first = parseScan(h.call("SCAN", "0", "COUNT", "10"));
    h.call("FLUSHDB");
    h.call("SET", "after", "v");
    List<String> rest = new ArrayList<>();
    String cursor = first.cursor();
    while (!cursor.equals("0")) {
      ScanReply r = parseScan(h.call("SCAN", cursor, "COUNT", "10"));
      rest.addAll(r.keys());
      cursor = r.cursor();
    }
    assertTrue(rest.stream().allMatch(k -> k.equals("after")), rest.toString());
    h.call("SELECT", "2");
    h.call("SET", "two", "v");
    h.call("SWAPDB", "0", "2");
    assertEquals(List.of("after"), scanAll(h));
    h.call("SELECT", "0");
    assertEquals(List.of("two"), scanAll(h));
  }

  @Test
  void scan_perDatabase() {
    h.call("SET", "zero", "v");
    h.call("SELECT", "1");
    h.call("SET", "one", "v");
    assertEquals(List.of("one"), scanAll(h));
  }

  // ---- RANDOMKEY

  @Test
  void randomkey_returnsEachKeyEventually() {
    h.call("SET", "foo", "x");
    h.call("SET", "bar", "y");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200 && seen.size() < 2; i++) {
      seen.add(h.call("RANDOMKEY"));
    }
    assertEquals(Set.of(bulk("foo"), bulk("bar")), seen);
  }

  @Test
  void randomkey_reachesEveryKeyOfALargerDatabase() {
    populate(100);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20_000 && seen.size() < 100; i++) {
      seen.add(h.call("RANDOMKEY"));
    }
    assertEquals(100, seen.size());
  }

  @Test
  void randomkey_onEmptyDatabase_isNull() {
    assertEquals(NIL, h.call("RANDOMKEY"));
    assertEquals("_\r\n", h.call3("RANDOMKEY"));
    h.call("SET", "x", "10");
    h.call("DEL", "x");
    assertEquals(NIL, h.call("RANDOMKEY"));
  }

  @Test
  void randomkey_whenAllKeysExpired_reclaimsThemAndReturnsNull() {
    for (int i = 0; i < 50; i++) {
      h.call("SET", "k" + i, "v");
      expired(h, "k" + i);
    }
    propagated.clear();
    assertEquals(NIL, h.call("RANDOMKEY"));
    assertEquals(0, db(0).size());
    assertEquals(50, propagated.size());
  }

  @Test
  void randomkey_neverReturnsAnExpiredKey() {
    h.call("SET", "live", "v");
    for (int i = 0; i < 20; i++) {
      h.call("SET", "dead" + i, "v");
    }
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 20; i++) {
        if (db(0).peek(Key.of("dead" + i)) == null) {
          h.call("SET", "dead" + i, "v");
        }
        expired(h, "dead" + i);
      }
      assertEquals(bulk("live"), h.call("RANDOMKEY"));
    }
  }

  @Test
  void randomkey_wrongArity() {
    assertEquals(
        error("ERR wrong number of arguments for 'randomkey' command"), h.call("RANDOMKEY", "x"));
  }

  // ---- DBSIZE / FLUSHDB / FLUSHALL

  @Test
  void dbsize_countsKeysOfTheSelectedDatabase_includingUnreclaimedExpired() {
    populate(6);
    assertEquals(integer(6), h.call("DBSIZE"));
    expired(h, "key:0");
    assertEquals(integer(6), h.call("DBSIZE"));
    h.call("SELECT", "1");
    assertEquals(integer(0), h.call("DBSIZE"));
    assertEquals(
        error("ERR wrong number of arguments for 'dbsize' command"), h.call("DBSIZE", "x"));
  }

  @Test
  void flushdb_emptiesOnlyTheSelectedDatabase() {
    populate(5);
    h.call("EXPIRE", "key:1", "100");
    h.call("SELECT", "1");
    h.call("SET", "other", "v");
    h.call("SELECT", "0");
    propagated.clear();
    assertEquals(OK, h.call("FLUSHDB"));
    assertEquals(integer(0), h.call("DBSIZE"));
    assertEquals(0, db(0).expiresCount());
    assertEquals(1, db(1).size());
    assertEquals(OK, h.call("FLUSHDB", "ASYNC"));
    assertEquals(OK, h.call("flushdb", "sync"));
    assertEquals(List.of("0:FLUSHDB", "0:FLUSHDB ASYNC", "0:flushdb sync"), propagated);
  }

  @Test
  void flushall_emptiesEveryDatabase() {
    populate(3);
    h.call("SELECT", "5");
    h.call("SET", "x", "y");
    long dirty = h.server().stats().dirty.sum();
    assertEquals(OK, h.call("FLUSHALL"));
    assertEquals(dirty + 4, h.server().stats().dirty.sum());
    assertEquals(0, h.server().keyspace().totalKeys());
    assertEquals(OK, h.call("FLUSHALL", "SYNC"));
    assertEquals(OK, h.call("FLUSHALL", "async"));
  }

  @Test
  void flush_syntaxErrors() {
    for (String cmd : new String[] {"FLUSHDB", "FLUSHALL"}) {
      assertEquals(error("ERR syntax error"), h.call(cmd, "x"));
      assertEquals(error("ERR syntax error"), h.call(cmd, "async", "x"));
      assertEquals(error("ERR syntax error"), h.call(cmd, "sync", "async"));
    }
  }

  // ---- SWAPDB

  @Test
  void swapdb_exchangesContentsAndExpiries() {
    h.call("SET", "a", "zero");
    h.call("EXPIRE", "a", "100");
    h.call("SELECT", "1");
    h.call("SET", "b", "one");
    h.call("SET", "c", "one");
    assertEquals(OK, h.call("SWAPDB", "0", "1"));
    assertEquals(integer(1), h.call("DBSIZE"));
    assertEquals(integer(100), h.call("TTL", "a"));
    h.call("SELECT", "0");
    assertEquals(integer(2), h.call("DBSIZE"));
    assertEquals(bulk("one"), h.call("GET", "b"));
    assertEquals(0, db(0).expiresCount());
    assertEquals(1, db(1).expiresCount());
    assertEquals(OK, h.call("SWAPDB", "3", "3"));
    assertEquals("0:SWAPDB 3 3", propagated.get(propagated.size() - 1));
  }

  @Test
  void swapdb_ofADatabaseWithItself_leavesWatchesAlone() {
    CommandHarness other = new CommandHarness(h);
    h.call("SET", "k", "1");
    assertEquals(OK, other.call("WATCH", "k"));
    assertEquals(OK, h.call("SWAPDB", "0", "0"));
    other.call("MULTI");
    other.call("GET", "k");
    assertEquals("*1\r\n" + bulk("1"), other.call("EXEC"));
    assertEquals("0:SWAPDB 0 0", propagated.get(propagated.size() - 1));

    // A swap of two databases still aborts the watcher's EXEC.
    assertEquals(OK, other.call("WATCH", "k"));
    assertEquals(OK, h.call("SWAPDB", "0", "1"));
    other.call("MULTI");
    other.call("GET", "k");
    assertEquals("*-1\r\n", other.call("EXEC"));
  }

  @Test
  void swapdb_errors() {
    assertEquals(error("ERR invalid first DB index"), h.call("SWAPDB", "x", "0"));
    assertEquals(error("ERR invalid second DB index"), h.call("SWAPDB", "0", "x"));
    assertEquals(error("ERR invalid first DB index"), h.call("SWAPDB", "x", "y"));
    assertEquals(error("ERR invalid first DB index"), h.call("SWAPDB", "2147483648", "0"));
    assertEquals(error("ERR DB index is out of range"), h.call("SWAPDB", "0", "16"));
    assertEquals(error("ERR DB index is out of range"), h.call("SWAPDB", "-1", "0"));
    assertEquals(
        error("ERR wrong number of arguments for 'swapdb' command"), h.call("SWAPDB", "0"));
    h.server().config().require("cluster-enabled").set("yes");
    assertEquals(error("ERR SWAPDB is not allowed in cluster mode"), h.call("SWAPDB", "0", "1"));
  }
}
