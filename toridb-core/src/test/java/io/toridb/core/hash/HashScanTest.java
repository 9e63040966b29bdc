package io.toridb.core.hash;

import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.hash.HashTestSupport.NOT_INTEGER;
import static io.toridb.core.hash.HashTestSupport.SYNTAX;
import static io.toridb.core.hash.HashTestSupport.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HSCAN over both encodings, its options and its guarantee under concurrent changes. */
class HashScanTest {
  private final CommandHarness h = new CommandHarness();

  private void fill(String key, int n) {
    for (int i = 0; i < n; i++) {
      h.call("HSET", key, "key:" + i, String.valueOf(i));
    }
  }

  /** Runs a whole iteration; returns field -> value and checks every reply's shape. */
  private Map<String, String> scanAll(String key, String... options) {
    Map<String, String> seen = new HashMap<>();
    String cursor = "0";
    int calls = 0;
    do {
      String[] argv = new String[3 + options.length];
      argv[0] = "HSCAN";
      argv[1] = key;
      argv[2] = cursor;
      System.arraycopy(options, 0, argv, 3, options.length);
      List<Object> reply = list(h.call(argv));
      cursor = (String) reply.get(0);
      List<?> items = (List<?>) reply.get(1);
      assertEquals(0, items.size() % 2);
      for (int i = 0; i < items.size(); i += 2) {
        seen.put((String) items.get(i), (String) items.get(i + 1));
      }
      assertTrue(++calls < 100_000, "iteration does not end");
    } while (!cursor.equals("0"));
    return seen;
  }

  @Test
  void listpack_isReturnedWholeWithCursorZero() {
    fill("h", 30);
    assertEquals("listpack", CommandHarness.encoding(h, "h"));
    for (String cursor : new String[] {"0", "12345"}) {
      List<Object> reply = list(h.call("HSCAN", "h", cursor, "COUNT", "1"));
      assertEquals("0", reply.get(0));
      assertEquals(60, ((List<?>) reply.get(1)).size());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 10, 100, 1000})
  void hashtable_fullIterationReturnsEveryPair(int count) {
    fill("h", 1000);
    assertEquals("hashtable", CommandHarness.encoding(h, "h"));
    Map<String, String> seen = scanAll("h", "COUNT", String.valueOf(count));
    assertEquals(1000, seen.size());
    for (int i = 0; i < 1000; i++) {
      assertEquals(String.valueOf(i), seen.get("key:" + i));
    }
  }

  @Test
  void hashtable_returnsAboutCountFieldsPerCall() {
    fill("h", 1000);
    List<Object> reply = list(h.call("HSCAN", "h", "0", "COUNT", "20"));
    int fields = ((List<?>) reply.get(1)).size() / 2;
    assertTrue(fields >= 20 && fields < 40, "fields " + fields);
    assertTrue(!reply.get(0).equals("0"));
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 1000})
  void match_filtersFields(int n) {
    fill("h", n);
    Map<String, String> seen = scanAll("h", "MATCH", "key:1*", "COUNT", "7");
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < n; i++) {
      if (String.valueOf(i).startsWith("1")) {
        expected.add("key:" + i);
      }
    }
    assertEquals(expected, seen.keySet());
  }

  @Test
  void fieldsPresentThroughout_areReturnedDespiteWritesAndResizes() {
    Random random = new Random(7);
    fill("h", 2000);
    Set<String> stable = new HashSet<>();
    for (int i = 0; i < 2000; i += 2) {
      stable.add("key:" + i);
    }
    Set<String> seen = new HashSet<>();
    String cursor = "0";
    int step = 0;
    do {
      List<Object> reply = list(h.call("HSCAN", "h", cursor, "COUNT", "50"));
      cursor = (String) reply.get(0);
      List<?> items = (List<?>) reply.get(1);
      for (int i = 0; i < items.size(); i += 2) {
        seen.add((String) items.get(i));
      }
      // Odd fields come and go; new ones arrive; the table grows and shrinks meanwhile.
      for (int k = 0; k < 200; k++) {
        int n = random.nextInt(20_000);
        if (n % 2 == 1 || n >= 2000) {
          if (step % 2 == 0) {
            h.call("HSET", "h", "key:" + n, "x");
          } else {
            h.call("HDEL", "h", "key:" + n);
          }
        }
      }
      step++;
    } while (!cursor.equals("0"));
    assertTrue(seen.containsAll(stable));
  }

  @Test
  void missingKey_givesEmptyScanEvenWithBadOptions() {
    String empty = "*2\r\n$1\r\n0\r\n*0\r\n";
    assertEquals(empty, h.call("HSCAN", "nokey", "0"));
    assertEquals(empty, h.call("HSCAN", "nokey", "0", "bad"));
    assertEquals(empty, h.call3("HSCAN", "nokey", "7", "COUNT", "0"));
  }

  @Test
  void errors() {
    fill("h", 3);
    assertEquals(error("ERR invalid cursor"), h.call("HSCAN", "h", "abc"));
    assertEquals(error("ERR invalid cursor"), h.call("HSCAN", "nokey", "-x"));
    assertEquals(SYNTAX, h.call("HSCAN", "h", "0", "COUNT", "0"));
    assertEquals(SYNTAX, h.call("HSCAN", "h", "0", "TYPE", "hash"));
    assertEquals(SYNTAX, h.call("HSCAN", "h", "0", "MATCH"));
    assertEquals(SYNTAX, h.call("HSCAN", "h", "0", "bad", "x"));
    assertEquals(NOT_INTEGER, h.call("HSCAN", "h", "0", "COUNT", "x"));
  }
}
