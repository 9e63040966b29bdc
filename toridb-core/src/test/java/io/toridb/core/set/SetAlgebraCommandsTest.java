package io.toridb.core.set;

import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.encoding;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.set.SetTestSupport.EMPTY_ARRAY;
import static io.toridb.core.set.SetTestSupport.EMPTY_SET3;
import static io.toridb.core.set.SetTestSupport.SYNTAX;
import static io.toridb.core.set.SetTestSupport.WRONGTYPE;
import static io.toridb.core.set.SetTestSupport.array;
import static io.toridb.core.set.SetTestSupport.putOther;
import static io.toridb.core.set.SetTestSupport.set3;
import static io.toridb.core.set.SetTestSupport.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE. */
class SetAlgebraCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private void create(String key, Object... members) {
    List<String> args = new ArrayList<>(List.of("SADD", key));
    for (Object m : members) {
      args.add(m.toString());
    }
    h.call(args.toArray(new String[0]));
  }

  private static List<String> strs(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(String.valueOf(i));
    }
    return out;
  }

  /** The sets of Redis's "set operations" tests: set1 0..199, set2 195..199 and 199..?, ... */
  @Nested
  class BothEncodings {
    private void setup(String enc) {
      h.call("FLUSHALL");
      for (int i = 0; i < 200; i++) {
        h.call("SADD", "set1", String.valueOf(i));
        h.call("SADD", "set2", String.valueOf(i + 195));
      }
      for (String m : List.of("199", "195", "1000", "2000")) {
        h.call("SADD", "set3", m);
      }
      for (int i = 5; i < 200; i++) {
        h.call("SADD", "set4", String.valueOf(i));
      }
      h.call("SADD", "set5", "0");
      if (enc.equals("hashtable")) {
        for (String k : List.of("set1", "set2", "set3", "set4", "set5")) {
          h.call("SADD", k, "foo");
          h.call("SREM", k, "foo");
        }
      }
      for (String k : List.of("set1", "set2", "set3", "set4", "set5")) {
        assertEquals(enc, encoding(h, k));
      }
    }

    @ParameterizedTest
    @ValueSource(strings = {"intset", "hashtable"})
    void sinter_sintercard_sinterstore(String enc) {
      setup(enc);
      List<String> expected = strs(195, 199);
      assertEquals(expected, sorted(h.call("SINTER", "set1", "set2")));
      assertEquals(integer(5), h.call("SINTERCARD", "2", "set1", "set2"));
      assertEquals(integer(5), h.call("SINTERSTORE", "setres", "set1", "set2"));
      assertEquals("intset", encoding(h, "setres"));
      assertEquals(array(expected.toArray(new String[0])), h.call("SMEMBERS", "setres"));
      assertEquals(List.of("195", "199"), sorted(h.call("SINTER", "set1", "set2", "set3")));
      assertEquals(integer(2), h.call("SINTERCARD", "3", "set1", "set2", "set3"));
      assertEquals(integer(2), h.call("SINTERSTORE", "setres", "set1", "set2", "set3"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"intset", "hashtable"})
    void sunion_sunionstore(String enc) {
      setup(enc);
      List<String> expected = new ArrayList<>(new TreeSet<>(strs(0, 394)));
      assertEquals(expected, sorted(h.call("SUNION", "set1", "set2")));
      assertEquals(integer(395), h.call("SUNIONSTORE", "setres", "set1", "set2"));
      // 395 members exceed no limit at 512: Redis builds the union as an intset.
      assertEquals("intset", encoding(h, "setres"));
      assertEquals(expected, sorted(h.call("SUNION", "set1", "nokey", "set2", "nokey2")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"intset", "hashtable"})
    void sdiff_sdiffstore(String enc) {
      setup(enc);
      assertEquals(strs(0, 4), sorted(h.call("SDIFF", "set1", "set4")));
      assertEquals(List.of("1", "2", "3", "4"), sorted(h.call("SDIFF", "set1", "set4", "set5")));
      assertEquals(integer(4), h.call("SDIFFSTORE", "setres", "set1", "set4", "set5"));
      assertEquals(array("1", "2", "3", "4"), h.call("SMEMBERS", "setres"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"intset", "hashtable"})
    void threeSameSets(String enc) {
      setup(enc);
      List<String> all = new ArrayList<>(new TreeSet<>(strs(0, 199)));
      assertEquals(all, sorted(h.call("SINTER", "set1", "set1", "set1")));
      assertEquals(integer(200), h.call("SINTERCARD", "3", "set1", "set1", "set1"));
      assertEquals(all, sorted(h.call("SUNION", "set1", "set1", "set1")));
      assertEquals(EMPTY_ARRAY, h.call("SDIFF", "set1", "set1", "set1"));
      assertEquals(EMPTY_ARRAY, h.call("SDIFF", "set1", "set2", "set1"));
    }
  }

  @Nested
  class Intersection {
    @Test
    void sinter_intsetSmallest_repliesSortedAndResp3Set() {
      create("a", 5, 3, 1, 2);
      create("b", 1, 2, 3, "x", 9);
      assertEquals(array("1", "2", "3"), h.call("SINTER", "b", "a"));
      assertEquals(set3("1", "2", "3"), h.call3("SINTER", "a", "b"));
    }

    @Test
    void sinter_sameIntegersDifferentEncodings() {
      create("i", 1, 2, 3);
      create("t", 1, 2, 3, "a");
      h.call("SREM", "t", "a");
      assertEquals("hashtable", encoding(h, "t"));
      assertEquals(List.of("1", "2", "3"), sorted(h.call("SINTER", "t", "i")));
      assertEquals(List.of("1", "2", "3"), sorted(h.call("SINTER", "i", "t")));
    }

    @Test
    void sinter_missingKey_isEmpty_butWrongTypeStillErrors() {
      create("a", "x");
      putOther(h, "l");
      assertEquals(EMPTY_ARRAY, h.call("SINTER", "a", "nokey"));
      assertEquals(EMPTY_SET3, h.call3("SINTER", "nokey", "a"));
      assertEquals(WRONGTYPE, h.call("SINTER", "nokey", "l"));
      assertEquals(WRONGTYPE, h.call("SINTER", "a", "l"));
      assertEquals(integer(0), h.call("SINTERCARD", "2", "a", "nokey"));
    }

    @Test
    void sinterstore_emptyResult_deletesDestination() {
      create("a", "x");
      create("b", "y");
      create("dst", "old");
      assertEquals(integer(0), h.call("SINTERSTORE", "dst", "a", "b"));
      assertNull(peek(h, "dst"));
      h.call("SET", "dst", "string");
      assertEquals(integer(0), h.call("SINTERSTORE", "dst", "a", "nokey"));
      assertNull(peek(h, "dst"));
    }

    @Test
    void sinterstore_overwritesAnyTypeAndDropsExpiry() {
      create("a", "x", "y");
      h.call("SET", "dst", "string");
      h.call("EXPIRE", "dst", "100");
      assertEquals(integer(2), h.call("SINTERSTORE", "dst", "a"));
      assertEquals("+set\r\n", h.call("TYPE", "dst"));
      assertFalse(peek(h, "dst").hasExpiry());
    }

    @Test
    void sinterstore_destinationAmongSources() {
      create("a", 1, 2, 3);
      create("b", 2, 3, 4);
      assertEquals(integer(2), h.call("SINTERSTORE", "a", "a", "b"));
      assertEquals(array("2", "3"), h.call("SMEMBERS", "a"));
    }

    @Test
    void sinterstore_wrongTypeSource_leavesDestination() {
      create("a", "x");
      create("dst", "keep");
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("SINTERSTORE", "dst", "a", "l"));
      assertEquals(WRONGTYPE, h.call("SINTERSTORE", "dst", "nokey", "l"));
      assertEquals(array("keep"), h.call("SMEMBERS", "dst"));
    }

    @Test
    void sinterstore_resultEncoding_followsMembersAndLimit() {
      h.call("CONFIG", "SET", "set-max-intset-entries", "3");
      create("a", "a", 1, 2, 3, 4);
      create("b", "a", 1, 2, 3, 4, 5);
      h.call("SINTERSTORE", "r1", "a", "b");
      assertEquals("hashtable", encoding(h, "r1"));
      h.call("SREM", "a", "a");
      h.call("SINTERSTORE", "r2", "a", "b");
      assertEquals("hashtable", encoding(h, "r2"));
      h.call("SREM", "a", "4");
      h.call("SINTERSTORE", "r3", "a", "b");
      assertEquals("intset", encoding(h, "r3"));
    }

    @Test
    void sintercard_limit_stopsCounting() {
      create("a", 1, 2, 3, 4, 5);
      create("b", 1, 2, 3, 4, 6);
      assertEquals(integer(4), h.call("SINTERCARD", "2", "a", "b"));
      assertEquals(integer(4), h.call("SINTERCARD", "2", "a", "b", "LIMIT", "0"));
      assertEquals(integer(2), h.call("SINTERCARD", "2", "a", "b", "limit", "2"));
      assertEquals(integer(4), h.call("SINTERCARD", "2", "a", "b", "LIMIT", "10"));
      assertEquals(integer(3), h.call("SINTERCARD", "2", "a", "b", "LIMIT", "9", "LIMIT", "3"));
      assertEquals(integer(5), h.call("SINTERCARD", "1", "a"));
    }

    @Test
    void sintercard_illegalArguments_returnRedisErrors() {
      create("a", 1, 2);
      putOther(h, "l");
      String numkeys = error("ERR numkeys should be greater than 0");
      assertEquals(arity("sintercard"), h.call("SINTERCARD", "1"));
      assertEquals(numkeys, h.call("SINTERCARD", "0", "a"));
      assertEquals(numkeys, h.call("SINTERCARD", "-1", "a"));
      assertEquals(numkeys, h.call("SINTERCARD", "abc", "a"));
      assertEquals(
          error("ERR Number of keys can't be greater than number of args"),
          h.call("SINTERCARD", "3", "a", "b"));
      String limit = error("ERR LIMIT can't be negative");
      assertEquals(limit, h.call("SINTERCARD", "1", "a", "LIMIT", "-1"));
      assertEquals(limit, h.call("SINTERCARD", "1", "a", "LIMIT", "abc"));
      assertEquals(SYNTAX, h.call("SINTERCARD", "1", "a", "LIMIT"));
      assertEquals(SYNTAX, h.call("SINTERCARD", "1", "a", "bar", "1"));
      assertEquals(WRONGTYPE, h.call("SINTERCARD", "2", "a", "l"));
      assertEquals(WRONGTYPE, h.call("SINTERCARD", "2", "nokey", "l"));
    }

    @Test
    void commandGetkeys_sintercard_findsKeysByCount() {
      assertEquals(
          array("a", "b"), h.call("COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"));
    }
  }

  @Nested
  class UnionAndDifference {
    @Test
    void sunion_intsets_isSortedIntset() {
      create("a", 5, 1);
      create("b", 3, 1);
      assertEquals(array("1", "3", "5"), h.call("SUNION", "a", "b"));
      assertEquals(set3("1", "3", "5"), h.call3("SUNION", "a", "b", "nokey"));
      assertEquals(integer(3), h.call("SUNIONSTORE", "u", "a", "b"));
      assertEquals("intset", encoding(h, "u"));
    }

    @Test
    void sunionstore_resultEncoding_followsMembersAndLimit() {
      h.call("CONFIG", "SET", "set-max-intset-entries", "3");
      create("a", 1, 2);
      create("b", 3, 4);
      h.call("SUNIONSTORE", "u", "a", "b");
      assertEquals("hashtable", encoding(h, "u"));
      create("c", "x");
      h.call("SUNIONSTORE", "v", "a", "c");
      assertEquals("hashtable", encoding(h, "v"));
      h.call("SUNIONSTORE", "w", "a");
      assertEquals("intset", encoding(h, "w"));
    }

    @Test
    void sunion_sdiff_missingAndWrongTypeKeys() {
      create("a", "x", "y");
      putOther(h, "l");
      assertEquals(EMPTY_ARRAY, h.call("SUNION", "nokey", "nokey2"));
      assertEquals(EMPTY_ARRAY, h.call("SDIFF", "nokey", "a"));
      assertEquals(List.of("x", "y"), sorted(h.call("SDIFF", "a", "nokey")));
      assertEquals(WRONGTYPE, h.call("SUNION", "a", "l"));
      assertEquals(WRONGTYPE, h.call("SDIFF", "nokey", "l"));
      assertEquals(WRONGTYPE, h.call("SDIFF", "a", "l"));
      assertEquals(WRONGTYPE, h.call("SUNIONSTORE", "d", "l"));
      assertEquals(WRONGTYPE, h.call("SDIFFSTORE", "d", "nokey", "l"));
      assertNull(peek(h, "d"));
    }

    @Test
    void storeVariants_emptyResult_deleteDestination() {
      create("a", "x");
      create("d1", "old");
      create("d2", "old");
      assertEquals(integer(0), h.call("SUNIONSTORE", "d1", "nokey"));
      assertEquals(integer(0), h.call("SDIFFSTORE", "d2", "a", "a"));
      assertNull(peek(h, "d1"));
      assertNull(peek(h, "d2"));
      assertEquals(integer(0), h.call("SDIFFSTORE", "d3", "nokey", "a"));
      assertNull(peek(h, "d3"));
    }

    @Test
    void sdiff_firstSetEmpty_andSameSetTwice() {
      create("a", 1, 2, 3, 4);
      assertEquals(EMPTY_ARRAY, h.call("SDIFF", "nokey", "a"));
      assertEquals(EMPTY_ARRAY, h.call("SDIFF", "a", "a"));
      assertEquals(EMPTY_SET3, h.call3("SDIFF", "a", "a"));
    }

    @Test
    void sdiffstore_algorithmTwo_canLeaveAHashtable() {
      // Algorithm 2 (a first set bigger than all the others together, several others) adds the
      // whole first set before removing: a non-integer removed later has already converted it.
      create("first", "a", 1, 2, 3, 4);
      create("o1", "a");
      create("o2", "x");
      create("o3", "y");
      assertEquals(integer(4), h.call("SDIFFSTORE", "r", "first", "o1", "o2", "o3"));
      assertEquals("hashtable", encoding(h, "r"));
      // Algorithm 1 (big first set) only adds survivors: an intset.
      create("first2", "a", 1, 2, 3, 4, 5, 6, 7, 8, 9);
      create("other2", "a");
      assertEquals(integer(9), h.call("SDIFFSTORE", "r2", "first2", "other2"));
      assertEquals("intset", encoding(h, "r2"));
    }

    @Test
    void arity_errors() {
      assertEquals(arity("sunion"), h.call("SUNION"));
      assertEquals(arity("sdiff"), h.call("SDIFF"));
      assertEquals(arity("sinter"), h.call("SINTER"));
      assertEquals(arity("sunionstore"), h.call("SUNIONSTORE", "d"));
      assertEquals(arity("sdiffstore"), h.call("SDIFFSTORE", "d"));
      assertEquals(arity("sinterstore"), h.call("SINTERSTORE", "d"));
    }
  }

  @Nested
  class Fuzz {
    @BeforeEach
    void lowLimit() {
      h.call("CONFIG", "SET", "set-max-intset-entries", "8");
    }

    @Test
    void sdiffSunionSinter_matchAModel() {
      Random random = new Random(42);
      for (int round = 0; round < 200; round++) {
        h.call("FLUSHALL");
        List<TreeSet<String>> model = new ArrayList<>();
        int n = 1 + random.nextInt(4);
        for (int k = 0; k < n; k++) {
          TreeSet<String> s = new TreeSet<>();
          int size = random.nextInt(15);
          boolean ints = random.nextBoolean();
          for (int i = 0; i < size; i++) {
            String m = ints ? String.valueOf(random.nextInt(30)) : "m" + random.nextInt(30);
            s.add(m);
            h.call("SADD", "k" + k, m);
          }
          model.add(s);
        }
        String[] keys = new String[n];
        for (int k = 0; k < n; k++) {
          keys[k] = "k" + k;
        }
        TreeSet<String> union = new TreeSet<>();
        TreeSet<String> inter = new TreeSet<>(model.get(0));
        TreeSet<String> diff = new TreeSet<>(model.get(0));
        for (int k = 0; k < n; k++) {
          union.addAll(model.get(k));
          inter.retainAll(model.get(k));
          if (k > 0) {
            diff.removeAll(model.get(k));
          }
        }
        assertEquals(new ArrayList<>(union), sorted(h.call(cmd("SUNION", keys))));
        assertEquals(new ArrayList<>(inter), sorted(h.call(cmd("SINTER", keys))));
        assertEquals(new ArrayList<>(diff), sorted(h.call(cmd("SDIFF", keys))));
        String[] count = new String[n + 1];
        count[0] = String.valueOf(n);
        System.arraycopy(keys, 0, count, 1, n);
        assertEquals(integer(inter.size()), h.call(cmd("SINTERCARD", count)));
        String[] store = new String[n + 1];
        store[0] = "dst";
        System.arraycopy(keys, 0, store, 1, n);
        assertEquals(integer(diff.size()), h.call(cmd("SDIFFSTORE", store)));
        assertEquals(new ArrayList<>(diff), sorted(setOrEmpty("dst")));
        assertEquals(integer(union.size()), h.call(cmd("SUNIONSTORE", store)));
        assertEquals(new ArrayList<>(union), sorted(setOrEmpty("dst")));
        assertTrue(union.isEmpty() || peek(h, "dst") != null);
      }
    }

    private String setOrEmpty(String key) {
      return h.call("SMEMBERS", key);
    }

    private String[] cmd(String name, String... args) {
      String[] out = new String[args.length + 1];
      out[0] = name;
      System.arraycopy(args, 0, out, 1, args.length);
      return out;
    }
  }
}
