package io.toridb.core.keyspace;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.command.CommandSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SORT against a model (Java's sort of the same elements, numeric with ties by bytes, or by bytes),
 * with LIMIT, DESC, BY and GET; which calls lock the whole keyspace; BEGIN's refusal of patterns.
 * The differential script sort compares replies with redis-server.
 */
class SortCommandTest {
  private final CommandHarness h = new CommandHarness();

  private static String array(List<String> items) {
    StringBuilder sb = new StringBuilder("*" + items.size() + "\r\n");
    for (String s : items) {
      if (s == null) {
        sb.append("$-1\r\n");
      } else {
        sb.append("$").append(s.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        sb.append(s).append("\r\n");
      }
    }
    return sb.toString();
  }

  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  @Test
  void randomListsAndSets_sortAsTheModel_withLimitAndDesc() {
    Random random = new Random(3);
    Comparator<String> numeric =
        Comparator.<String>comparingDouble(Double::parseDouble)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.getBytes(), b.getBytes()));
    Comparator<String> bytes = (a, b) -> Arrays.compareUnsigned(a.getBytes(), b.getBytes());
    for (int round = 0; round < 50; round++) {
      h.call("DEL", "l", "s");
      List<String> elements = new ArrayList<>();
      int n = random.nextInt(40);
      for (int i = 0; i < n; i++) {
        String e =
            random.nextBoolean()
                ? Integer.toString(random.nextInt(200) - 100)
                : String.format(java.util.Locale.ROOT, "%.2f", random.nextDouble() * 10);
        elements.add(e);
        h.call("RPUSH", "l", e);
        h.call("SADD", "s", e);
      }
      int start = random.nextInt(50) - 5;
      int count = random.nextInt(50) - 5;
      List<String> sorted = new ArrayList<>(elements);
      sorted.sort(numeric);
      List<String> desc = new ArrayList<>(sorted);
      java.util.Collections.reverse(desc);
      String where = "round " + round + " " + elements + " LIMIT " + start + " " + count;
      assertEquals(array(sorted), h.call("SORT", "l"), where);
      assertEquals(
          array(limit(sorted, start, count)),
          h.call("SORT", "l", "LIMIT", "" + start, "" + count),
          where);
      assertEquals(
          array(limit(desc, start, count)),
          h.call("SORT", "l", "DESC", "LIMIT", "" + start, "" + count),
          where);
      List<String> alpha = new ArrayList<>(new java.util.TreeSet<>(elements));
      alpha.sort(bytes);
      assertEquals(array(alpha), h.call("SORT", "s", "ALPHA"), where);
    }
  }

  /** Redis's LIMIT: a negative start is 0, a negative count is everything from the start. */
  private static List<String> limit(List<String> all, int start, int count) {
    int from = Math.max(start, 0);
    if (from >= all.size()) {
      return List.of();
    }
    int to = count < 0 ? all.size() : Math.min(all.size(), from + count);
    return all.subList(from, to);
  }

  @Test
  void byAndGetPatterns_readStringsAndHashFields_missingOnesAsNil() {
    h.call("RPUSH", "ids", "1", "2", "3");
    h.call("MSET", "w_1", "30", "w_2", "10", "w_3", "20", "name_1", "one", "name_3", "three");
    h.call("HSET", "obj_1", "age", "5");
    h.call("HSET", "obj_2", "age", "7");
    assertEquals(array(List.of("2", "3", "1")), h.call("SORT", "ids", "BY", "w_*"));
    assertEquals(
        array(Arrays.asList("2", null, "3", "three", "1", "one")),
        h.call("SORT", "ids", "BY", "w_*", "GET", "#", "GET", "name_*"));
    // obj_3 has no age: 0, so it comes first.
    assertEquals(array(Arrays.asList("3", "1", "2")), h.call("SORT", "ids", "BY", "obj_*->age"));
    assertEquals(
        array(Arrays.asList(null, "5", "7")),
        h.call("SORT", "ids", "BY", "obj_*->age", "GET", "obj_*->age"));
    assertEquals(
        integer(6),
        h.call("SORT", "ids", "BY", "w_*", "GET", "#", "GET", "name_*", "STORE", "out"));
    assertEquals(
        array(List.of("2", "", "3", "three", "1", "one")), h.call("LRANGE", "out", "0", "-1"));
    h.call("SET", "w_2", "abc");
    assertEquals(
        error("ERR One or more scores can't be converted into double"),
        h.call("SORT", "ids", "BY", "w_*"));
  }

  @Test
  void callsWithPatterns_lockTheWholeKeyspace_andAreRefusedInsideBegin() {
    CommandSpec sort = h.server().commands().lookup("sort".getBytes());
    assertTrue(sort.needsWholeKeyspace(args("SORT", "k", "BY", "w_*")));
    assertTrue(sort.needsWholeKeyspace(args("SORT", "k", "GET", "v_*->f")));
    assertFalse(sort.needsWholeKeyspace(args("SORT", "k", "BY", "nosort", "GET", "#")));
    assertFalse(sort.needsWholeKeyspace(args("SORT", "k", "LIMIT", "0", "1", "STORE", "d")));
    h.call("RPUSH", "l", "2", "1");
    assertEquals(OK, h.call("BEGIN"));
    assertEquals(array(List.of("1", "2")), h.call("SORT", "l"));
    assertEquals(error("ERR SORT inside BEGIN is not allowed"), h.call("SORT", "l", "BY", "w_*"));
    assertEquals(integer(2), h.call("SORT", "l", "STORE", "d"));
    assertEquals(OK, h.call("COMMIT"));
    assertEquals(array(List.of("1", "2")), h.call("LRANGE", "d", "0", "-1"));
  }

  @Test
  void storeTakesTheLastStore_andLocksEveryCandidate() {
    h.call("RPUSH", "l", "b", "a");
    assertEquals(integer(2), h.call("SORT", "l", "ALPHA", "STORE", "first", "STORE", "second"));
    assertEquals(integer(0), h.call("EXISTS", "first"));
    assertEquals(array(List.of("a", "b")), h.call("LRANGE", "second", "0", "-1"));
    CommandSpec sort = h.server().commands().lookup("sort".getBytes());
    List<Integer> affected = new ArrayList<>();
    for (var spec : sort.keySpecs()) {
      spec.forEachAffectedKey(
          args("SORT", "l", "STORE", "get", "STORE", "x", "LIMIT", "0", "1"), affected::add);
    }
    assertEquals(List.of(1, 3, 5), affected);
  }

  @Test
  void alphaByTiesOverASet_followTheElements_soAStoredResultReplaysTheSame() {
    for (int i = 1; i <= 100; i++) {
      h.call("SADD", "s", "m" + i);
    }
    for (int i = 41; i <= 100; i++) {
      h.call("SREM", "s", "m" + i);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      expected.add("m" + i);
    }
    expected.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(), b.getBytes()));
    h.call("SORT", "s", "BY", "nokey_*", "ALPHA", "STORE", "d");
    assertEquals(array(expected), h.call("LRANGE", "d", "0", "-1"));
    // A list keeps its own order for ties, as Redis does.
    h.call("RPUSH", "l", "b", "a", "c");
    assertEquals(array(List.of("b", "a", "c")), h.call("SORT", "l", "BY", "nokey_*", "ALPHA"));
  }

  @Test
  void alphaWithoutStore_comparesAsStrcoll_upToTheFirstNul() {
    h.call("RPUSH", "l", "a\u0000c", "a\u0000b", "a", "b");
    assertEquals(array(List.of("a\u0000c", "a\u0000b", "a", "b")), h.call("SORT", "l", "ALPHA"));
    assertEquals(integer(4), h.call("SORT", "l", "ALPHA", "STORE", "d"));
    assertEquals(
        array(List.of("a", "a\u0000b", "a\u0000c", "b")), h.call("LRANGE", "d", "0", "-1"));
    assertTrue(SortCommand.compareCStrings("ab".getBytes(), "a".getBytes()) > 0);
    assertEquals(0, SortCommand.compareCStrings("a\u0000x".getBytes(), "a".getBytes()));
  }

  @Test
  void aSortedSetIsLeftInItsSkiplistForm_asRedisLeavesIt() {
    h.call("ZADD", "z", "1", "a", "2", "b");
    assertEquals("$8\r\nlistpack\r\n", h.call("OBJECT", "ENCODING", "z"));
    h.call("SORT_RO", "z", "BY", "nosort");
    assertEquals("$8\r\nskiplist\r\n", h.call("OBJECT", "ENCODING", "z"));
  }

  @Test
  void inClusterMode_patternsAreRefused_asRedisRefusesThem() throws Exception {
    io.toridb.core.config.Config config = io.toridb.core.config.Config.standard();
    config.loadArgs(List.of("--cluster-enabled", "yes"));
    CommandHarness cluster = new CommandHarness(config);
    cluster.call("RPUSH", "l", "2", "1");
    assertEquals(
        error("ERR BY option of SORT denied in Cluster mode."),
        cluster.call("SORT", "l", "BY", "w_*"));
    assertEquals(
        error("ERR GET option of SORT denied in Cluster mode."),
        cluster.call("SORT", "l", "GET", "#"));
    assertEquals(array(List.of("2", "1")), cluster.call("SORT", "l", "BY", "nosort"));
  }

  @Test
  void sortAndGeoStore_areMovableKeyCommands_soTheirDestinationsAreLocked() {
    for (String name : List.of("sort", "sort_ro", "georadius", "georadiusbymember")) {
      CommandSpec spec = h.server().commands().lookup(name.getBytes());
      assertTrue(spec.has(io.toridb.core.command.CommandFlag.MOVABLE_KEYS), name);
    }
  }
}
