package io.toridb.core.hash;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.hash.HashTestSupport.EMPTY_ARRAY;
import static io.toridb.core.hash.HashTestSupport.NOT_INTEGER;
import static io.toridb.core.hash.HashTestSupport.NULL3;
import static io.toridb.core.hash.HashTestSupport.SYNTAX;
import static io.toridb.core.hash.HashTestSupport.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HRANDFIELD: every case of Redis's algorithm, both encodings, both protocols. */
class HashRandomFieldTest {
  private final CommandHarness h = new CommandHarness();
  private final Map<String, String> content = new HashMap<>();

  /** Ten fields a..j with values 0..9; one long value makes it a hash table. */
  private void tenFields(boolean table) {
    for (int i = 0; i < 10; i++) {
      String f = String.valueOf((char) ('a' + i));
      String v = table && i == 9 ? "v".repeat(80) : String.valueOf(i);
      h.call("HSET", "h", f, v);
      content.put(f, v);
    }
    assertEquals(table ? "hashtable" : "listpack", CommandHarness.encoding(h, "h"));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void withoutCount_returnsEveryFieldEventually(boolean table) {
    tenFields(table);
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < 1000 && seen.size() < 10; i++) {
      seen.add(HashTestSupport.parse(h.call("HRANDFIELD", "h")));
    }
    assertEquals(content.keySet(), seen);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void negativeCount_repeatsAndIsRoughlyUniform(boolean table) {
    tenFields(table);
    List<Object> res = list(h.call("HRANDFIELD", "h", "-1000"));
    assertEquals(1000, res.size());
    Map<Object, Integer> counts = new HashMap<>();
    for (Object f : res) {
      assertTrue(content.containsKey(f));
      counts.merge(f, 1, Integer::sum);
    }
    // Chi-square with 9 degrees of freedom; 40 is exceeded with probability 0.00001.
    double chi = 0;
    for (String f : content.keySet()) {
      double d = counts.getOrDefault(f, 0) - 100.0;
      chi += d * d / 100.0;
    }
    assertTrue(chi < 40, "chi-square " + chi);
    assertEquals(40, list(h.call("HRANDFIELD", "h", "-20", "WITHVALUES")).size());
    assertEquals(2002, list(h.call("HRANDFIELD", "h", "-1001", "withvalues")).size());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void withValues_pairsFieldsWithTheirValues(boolean table) {
    tenFields(table);
    for (String count : new String[] {"-7", "1", "2", "8", "10", "20"}) {
      List<Object> flat = list(h.call("HRANDFIELD", "h", count, "WITHVALUES"));
      for (int i = 0; i < flat.size(); i += 2) {
        assertEquals(content.get(flat.get(i)), flat.get(i + 1), count);
      }
      List<Object> nested = list(h.call3("HRANDFIELD", "h", count, "WITHVALUES"));
      assertEquals(flat.size() / 2, nested.size());
      for (Object o : nested) {
        List<?> pair = (List<?>) o;
        assertEquals(2, pair.size());
        assertEquals(content.get(pair.get(0)), pair.get(1));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void positiveCount_returnsDistinctFieldsAndCoversAll(boolean table) {
    tenFields(table);
    for (int size : new int[] {10, 20}) {
      List<Object> res = list(h.call("HRANDFIELD", "h", String.valueOf(size)));
      assertEquals(content.keySet(), new HashSet<>(res));
      assertEquals(10, res.size());
    }
    // 8 takes the shuffle path (8 * 3 > 10), 2 the sampling path.
    for (int size : new int[] {8, 2}) {
      Set<Object> all = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        List<Object> res = list(h.call("HRANDFIELD", "h", String.valueOf(size)));
        assertEquals(size, res.size());
        assertEquals(size, new HashSet<>(res).size(), "distinct");
        all.addAll(res);
      }
      assertEquals(content.keySet(), all);
    }
  }

  @Test
  void zeroCount_andMissingKey_giveEmptyArrays() {
    h.call("HSET", "h", "a", "1");
    assertEquals(EMPTY_ARRAY, h.call("HRANDFIELD", "h", "0"));
    assertEquals(EMPTY_ARRAY, h.call("HRANDFIELD", "nokey", "100"));
    assertEquals(EMPTY_ARRAY, h.call3("HRANDFIELD", "nokey", "-5", "WITHVALUES"));
    assertEquals(NIL, h.call("HRANDFIELD", "nokey"));
    assertEquals(NULL3, h.call3("HRANDFIELD", "nokey"));
  }

  @Test
  void resp3_withoutValues_isFlatArray() {
    tenFields(false);
    assertEquals("*3\r\n$1\r\n", h.call3("HRANDFIELD", "h", "3").substring(0, 8));
  }

  @Test
  void countErrors_areCheckedBeforeTheKey() {
    h.call("HMSET", "h", "a", "1");
    String range = error("ERR value is out of range");
    assertEquals(range, h.call("HRANDFIELD", "h", "-9223372036854770000", "withvalues"));
    assertEquals(range, h.call("HRANDFIELD", "nokey", "4611686018427387904", "WITHVALUES"));
    assertEquals(
        error(
            "ERR value is out of range, value must between -9223372036854775807 and"
                + " 9223372036854775807"),
        h.call("HRANDFIELD", "h", "-9223372036854775808"));
    assertEquals(NOT_INTEGER, h.call("HRANDFIELD", "h", "abc"));
    assertEquals(SYNTAX, h.call("HRANDFIELD", "h", "1", "WITHVALUE"));
    assertEquals(SYNTAX, h.call("HRANDFIELD", "h", "1", "WITHVALUES", "x"));
    h.call("SET", "s", "x");
    assertEquals(NOT_INTEGER, h.call("HRANDFIELD", "s", "abc"));
    assertEquals(SYNTAX, h.call("HRANDFIELD", "s", "1", "x"));
  }

  @Test
  void hugeNegativeCount_isRefusedRatherThanBuilt() {
    h.call("HSET", "h", "a", "1");
    assertEquals(
        error("ERR value is out of range"), h.call("HRANDFIELD", "h", "-9223372036854775807"));
  }
}
