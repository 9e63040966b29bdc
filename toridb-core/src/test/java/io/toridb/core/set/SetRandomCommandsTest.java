package io.toridb.core.set;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.encoding;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.set.SetTestSupport.EMPTY_ARRAY;
import static io.toridb.core.set.SetTestSupport.EMPTY_SET3;
import static io.toridb.core.set.SetTestSupport.NOT_INTEGER;
import static io.toridb.core.set.SetTestSupport.NULL3;
import static io.toridb.core.set.SetTestSupport.SYNTAX;
import static io.toridb.core.set.SetTestSupport.WRONGTYPE;
import static io.toridb.core.set.SetTestSupport.elements;
import static io.toridb.core.set.SetTestSupport.putOther;
import static io.toridb.core.set.SetTestSupport.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPOP and SRANDMEMBER: every count strategy, in both encodings, and their error paths. */
class SetRandomCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private static final List<String> INTS = range("", 1, 20);
  private static final List<String> STRINGS = range("m", 1, 20);

  private static List<String> range(String prefix, int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  private void create(String key, List<String> members) {
    List<String> args = new ArrayList<>(List.of("SADD", key));
    args.addAll(members);
    h.call(args.toArray(new String[0]));
  }

  private static List<String> sortedCopy(List<String> l) {
    return new ArrayList<>(new TreeSet<>(l));
  }

  @Nested
  class Spop {
    @ParameterizedTest
    @ValueSource(strings = {"intset", "hashtable"})
    void spop_single_removesAndReturnsAMember(String enc) {
      List<String> members = enc.equals("intset") ? INTS : STRINGS;
      create("s", members);
      assertEquals(enc, encoding(h, "s"));
      Set<String> popped = new HashSet<>();
      for (int i = 0; i < members.size(); i++) {
        List<String> one = List.of(h.call("SPOP", "s").split("\r\n"));
        assertTrue(popped.add(one.get(1)));
      }
      assertEquals(new HashSet<>(members), popped);
      assertEquals(integer(0), h.call("EXISTS", "s"));
      assertEquals(NIL, h.call("SPOP", "s"));
      assertEquals(NULL3, h.call3("SPOP", "s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"intset", "hashtable"})
    void spop_withCounts_popsEveryMemberExactlyOnce(String enc) {
      List<String> members = enc.equals("intset") ? INTS : STRINGS;
      create("s", members);
      List<String> all = new ArrayList<>();
      for (String count : List.of("11", "4", "0", "1", "1", "0", "1", "100")) {
        String reply = h.call("SPOP", "s", count);
        List<String> got = elements(reply);
        all.addAll(got);
        if (enc.equals("intset") && peek(h, "s") != null) {
          assertEquals("intset", encoding(h, "s"));
        }
      }
      assertEquals(sortedCopy(members), sortedCopy(all));
      assertEquals(members.size(), all.size());
      assertEquals(integer(0), h.call("SCARD", "s"));
    }

    @Test
    void spop_countPaths_matchRedisCases() {
      // Path 1: count >= size returns everything and deletes the key.
      create("s", INTS);
      assertEquals(INTS.size(), sorted(h.call("SPOP", "s", "30")).size());
      assertEquals(integer(0), h.call("EXISTS", "s"));
      // Path 2: small count.
      create("s", INTS);
      List<String> two = elements(h.call("SPOP", "s", "2"));
      assertEquals(2, two.size());
      assertEquals(integer(18), h.call("SCARD", "s"));
      // Path 3: count close to size; the rest moves into a new set.
      create("t", INTS);
      List<String> many = elements(h.call("SPOP", "t", "18"));
      assertEquals(18, many.size());
      List<String> union = new ArrayList<>(many);
      union.addAll(elements(h.call("SMEMBERS", "t")));
      assertEquals(sortedCopy(INTS), sortedCopy(union));
      assertEquals(20, union.size());
    }

    @Test
    void spop_intsetPopReply_isSortedWhenWholeSet() {
      create("s", List.of("3", "1", "2"));
      assertEquals(SetTestSupport.array("1", "2", "3"), h.call("SPOP", "s", "3"));
      create("s", List.of("3", "1", "2"));
      assertEquals(SetTestSupport.set3("1", "2", "3"), h.call3("SPOP", "s", "5"));
    }

    @Test
    void spop_bigCountOnHashtableOfIntegers_leavesAnIntset() {
      // Redis's third path rebuilds the remaining members from scratch, as an intset if it can.
      h.call("SADD", "s", "x");
      List<String> args = new ArrayList<>(List.of("SADD", "s"));
      args.addAll(INTS);
      h.call(args.toArray(new String[0]));
      h.call("SREM", "s", "x");
      assertEquals("hashtable", encoding(h, "s"));
      h.call("SPOP", "s", "19");
      assertEquals("intset", encoding(h, "s"));
      assertEquals(integer(1), h.call("SCARD", "s"));
    }

    @Test
    void spop_pathThree_keepsTheExpiry() {
      create("s", INTS);
      h.call("EXPIRE", "s", "1000");
      h.call("SPOP", "s", "19");
      assertTrue(peek(h, "s").hasExpiry());
    }

    @Test
    void spop_countZeroAndMissingKey_replyEmptySet() {
      assertEquals(EMPTY_ARRAY, h.call("SPOP", "nope", "3"));
      assertEquals(EMPTY_SET3, h.call3("SPOP", "nope", "3"));
      create("s", INTS);
      assertEquals(EMPTY_ARRAY, h.call("SPOP", "s", "0"));
      assertEquals(EMPTY_SET3, h.call3("SPOP", "s", "0"));
      assertEquals(integer(20), h.call("SCARD", "s"));
    }

    @Test
    void spop_badArguments_returnRedisErrors() {
      String positive = error("ERR value is out of range, must be positive");
      create("s", INTS);
      assertEquals(positive, h.call("SPOP", "s", "-1"));
      assertEquals(positive, h.call("SPOP", "s", "abc"));
      assertEquals(positive, h.call("SPOP", "nope", "-1"));
      assertEquals(SYNTAX, h.call("SPOP", "s", "1", "2"));
      assertEquals(arity("spop"), h.call("SPOP"));
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("SPOP", "l"));
      assertEquals(WRONGTYPE, h.call("SPOP", "l", "1"));
      assertEquals(WRONGTYPE, h.call("SPOP", "l", "0"));
      assertEquals(positive, h.call("SPOP", "l", "-5"));
    }

    @Test
    void spop_lastMember_deletesKey() {
      h.call("SADD", "s", "only");
      assertEquals(CommandHarness.bulk("only"), h.call("SPOP", "s"));
      assertNull(peek(h, "s"));
    }
  }

  @Nested
  class Srandmember {
    @ParameterizedTest
    @ValueSource(strings = {"intset", "hashtable"})
    void srandmember_everyCountCase_returnsMembersOfTheSet(String enc) {
      List<String> members = enc.equals("intset") ? INTS : STRINGS;
      create("s", members);
      Set<String> all = new HashSet<>(members);
      for (int count : new int[] {-100, -5, -1, 1, 2, 5, 7, 15, 19, 20, 21, 100}) {
        List<String> got = elements(h.call("SRANDMEMBER", "s", String.valueOf(count)));
        int expected = count < 0 ? -count : Math.min(count, members.size());
        assertEquals(expected, got.size(), "count " + count);
        assertTrue(all.containsAll(got), "count " + count);
        if (count > 0) {
          assertEquals(got.size(), new HashSet<>(got).size(), "distinct for count " + count);
        }
      }
      assertEquals(integer(members.size()), h.call("SCARD", "s"));
      assertEquals(enc, encoding(h, "s"));
    }

    @Test
    void srandmember_resp3_isAnArray() {
      create("s", STRINGS);
      assertTrue(h.call3("SRANDMEMBER", "s", "3").startsWith("*3\r\n"));
      assertTrue(h.call3("SRANDMEMBER", "s", "-3").startsWith("*3\r\n"));
    }

    @Test
    void srandmember_wholeIntset_isSorted() {
      create("s", List.of("5", "-1", "3"));
      assertEquals(SetTestSupport.array("-1", "3", "5"), h.call("SRANDMEMBER", "s", "10"));
    }

    @Test
    void srandmember_withoutCount_returnsOneMember() {
      create("s", STRINGS);
      String reply = h.call("SRANDMEMBER", "s");
      assertTrue(STRINGS.contains(reply.split("\r\n")[1]), reply);
      assertEquals(NIL, h.call("SRANDMEMBER", "nope"));
      assertEquals(NULL3, h.call3("SRANDMEMBER", "nope"));
    }

    @Test
    void srandmember_countZeroAndMissingKey_replyEmptyArrayInBothProtocols() {
      assertEquals(EMPTY_ARRAY, h.call("SRANDMEMBER", "nope", "5"));
      assertEquals(EMPTY_ARRAY, h.call3("SRANDMEMBER", "nope", "-5"));
      create("s", INTS);
      assertEquals(EMPTY_ARRAY, h.call("SRANDMEMBER", "s", "0"));
      assertEquals(EMPTY_ARRAY, h.call3("SRANDMEMBER", "s", "0"));
    }

    @Test
    void srandmember_badArguments_returnRedisErrors() {
      create("s", INTS);
      assertEquals(
          error(
              "ERR value is out of range, value must between -9223372036854775807 and"
                  + " 9223372036854775807"),
          h.call("SRANDMEMBER", "s", "-9223372036854775808"));
      assertEquals(NOT_INTEGER, h.call("SRANDMEMBER", "s", "abc"));
      assertEquals(NOT_INTEGER, h.call("SRANDMEMBER", "nope", "1.5"));
      assertEquals(SYNTAX, h.call("SRANDMEMBER", "s", "1", "2"));
      assertEquals(arity("srandmember"), h.call("SRANDMEMBER"));
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("SRANDMEMBER", "l"));
      assertEquals(WRONGTYPE, h.call("SRANDMEMBER", "l", "0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"intset", "hashtable"})
    void srandmember_distribution_isCloseToUniform(String enc) {
      List<String> members = enc.equals("intset") ? INTS : STRINGS;
      create("s", members);
      // Counts 10 (case 3), 5 (case 4) and -10 (case 1) all pick each member equally often.
      for (String count : List.of("-10", "5", "10")) {
        Map<String, Integer> seen = new HashMap<>();
        int draws = 0;
        for (int i = 0; i < 1000; i++) {
          for (String m : elements(h.call("SRANDMEMBER", "s", count))) {
            seen.merge(m, 1, Integer::sum);
            draws++;
          }
        }
        double expected = (double) draws / members.size();
        double chi = 0;
        for (String m : members) {
          double d = seen.getOrDefault(m, 0) - expected;
          chi += d * d / expected;
        }
        // 19 degrees of freedom: 50 is far beyond any plausible deviation.
        assertTrue(chi < 50, "chi-square " + chi + " for count " + count);
      }
    }
  }
}
