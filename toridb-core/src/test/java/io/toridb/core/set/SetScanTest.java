package io.toridb.core.set;

import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.set.SetTestSupport.NOT_INTEGER;
import static io.toridb.core.set.SetTestSupport.SYNTAX;
import static io.toridb.core.set.SetTestSupport.WRONGTYPE;
import static io.toridb.core.set.SetTestSupport.putOther;
import static io.toridb.core.set.SetTestSupport.scanReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SSCAN: whole intsets at once, cursor iteration over hashtables with Redis's guarantee. */
class SetScanTest {
  private final CommandHarness h = new CommandHarness();

  private void fill(String key, String prefix, int n) {
    List<String> args = new ArrayList<>(List.of("SADD", key));
    for (int i = 0; i < n; i++) {
      args.add(prefix + i);
    }
    h.call(args.toArray(new String[0]));
  }

  /** Runs a full iteration; returns every member returned (with duplicates) and the call count. */
  private List<String> iterate(String key, String... options) {
    List<String> all = new ArrayList<>();
    String cursor = "0";
    int calls = 0;
    do {
      List<String> args = new ArrayList<>(List.of("SSCAN", key, cursor));
      args.addAll(List.of(options));
      List<String> r = scanReply(h.call(args.toArray(new String[0])));
      cursor = r.get(0);
      all.addAll(r.subList(1, r.size()));
      assertTrue(++calls < 100_000, "iteration does not end");
    } while (!cursor.equals("0"));
    return all;
  }

  @Test
  void sscan_intset_returnsEverythingWithCursorZero() {
    fill("s", "", 100);
    assertEquals("intset", CommandHarness.encoding(h, "s"));
    List<String> r = scanReply(h.call("SSCAN", "s", "0", "COUNT", "1"));
    assertEquals("0", r.get(0));
    assertEquals(100, r.size() - 1);
    // Any cursor gets the whole set.
    assertEquals(101, scanReply(h.call("SSCAN", "s", "12345")).size());
  }

  @Test
  void sscan_intset_match_filtersDecimalText() {
    h.call("SADD", "s", "1", "10", "11", "2", "21");
    assertEquals(
        List.of("0", "1", "10", "11", "21"), scanReply(h.call("SSCAN", "s", "0", "MATCH", "*1*")));
    assertEquals(List.of("0"), scanReply(h.call("SSCAN", "s", "0", "MATCH", "*a*")));
  }

  @Test
  void sscan_hashtable_fullIterationReturnsEveryMember() {
    fill("s", "m", 1000);
    assertEquals("hashtable", CommandHarness.encoding(h, "s"));
    for (String count : List.of("1", "10", "100", "5000")) {
      Set<String> seen = new HashSet<>(iterate("s", "COUNT", count));
      assertEquals(1000, seen.size(), "COUNT " + count);
    }
  }

  @Test
  void sscan_hashtable_defaultCount_returnsAboutTenPerCall() {
    fill("s", "m", 1000);
    List<String> r = scanReply(h.call("SSCAN", "s", "0"));
    assertTrue(r.size() - 1 >= 10 && r.size() - 1 < 30, r.toString());
    assertTrue(!r.get(0).equals("0"));
  }

  @Test
  void sscan_hashtable_match() {
    fill("s", "foo", 50);
    fill("s", "bar", 50);
    List<String> all = iterate("s", "MATCH", "foo*", "COUNT", "7");
    assertEquals(50, new HashSet<>(all).size());
    assertTrue(all.stream().allMatch(m -> m.startsWith("foo")));
  }

  @Test
  void sscan_guarantee_holdsWhileTheTableGrowsAndShrinks() {
    Random random = new Random(7);
    for (int round = 0; round < 20; round++) {
      h.call("DEL", "s");
      fill("s", "keep", 200);
      Set<String> seen = new HashSet<>();
      List<String> transients = new ArrayList<>();
      String cursor = "0";
      int step = 0;
      do {
        List<String> r = scanReply(h.call("SSCAN", "s", cursor, "COUNT", "5"));
        cursor = r.get(0);
        seen.addAll(r.subList(1, r.size()));
        // Grow and shrink by thousands of transient members between calls.
        if (step++ % 3 == 0) {
          int n = random.nextInt(3000);
          List<String> args = new ArrayList<>(List.of("SADD", "s"));
          for (int i = 0; i < n; i++) {
            args.add("tmp" + step + "-" + i);
          }
          transients.addAll(args.subList(2, args.size()));
          h.call(args.toArray(new String[0]));
        } else if (!transients.isEmpty()) {
          List<String> args = new ArrayList<>(List.of("SREM", "s"));
          args.addAll(transients);
          transients.clear();
          h.call(args.toArray(new String[0]));
        }
      } while (!cursor.equals("0"));
      for (int i = 0; i < 200; i++) {
        assertTrue(seen.contains("keep" + i), "round " + round + " missed keep" + i);
      }
    }
  }

  @Test
  void sscan_missingKey_repliesEmptyBeforeReadingOptions() {
    assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call("SSCAN", "nope", "0"));
    assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call("SSCAN", "nope", "0", "BADOPT"));
    assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call3("SSCAN", "nope", "7"));
  }

  @Test
  void sscan_errors_matchRedis() {
    h.call("SADD", "s", "a");
    putOther(h, "l");
    String invalid = error("ERR invalid cursor");
    assertEquals(invalid, h.call("SSCAN", "s", "abc"));
    assertEquals(invalid, h.call("SSCAN", "nope", "-"));
    assertEquals(invalid, h.call("SSCAN", "l", "abc"));
    assertEquals(WRONGTYPE, h.call("SSCAN", "l", "0"));
    assertEquals(WRONGTYPE, h.call("SSCAN", "l", "0", "BADOPT"));
    assertEquals(SYNTAX, h.call("SSCAN", "s", "0", "BADOPT"));
    assertEquals(SYNTAX, h.call("SSCAN", "s", "0", "COUNT"));
    assertEquals(SYNTAX, h.call("SSCAN", "s", "0", "COUNT", "0"));
    assertEquals(SYNTAX, h.call("SSCAN", "s", "0", "TYPE", "string"));
    assertEquals(NOT_INTEGER, h.call("SSCAN", "s", "0", "COUNT", "x"));
    assertEquals(arity("sscan"), h.call("SSCAN", "s"));
  }

  @Test
  void sscan_resp3_isAnArrayOfCursorAndArray() {
    h.call("SADD", "s", "a");
    assertEquals("*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n", h.call3("SSCAN", "s", "0"));
  }
}
