package io.toridb.core.set;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.encoding;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.set.SetTestSupport.EMPTY_ARRAY;
import static io.toridb.core.set.SetTestSupport.EMPTY_SET3;
import static io.toridb.core.set.SetTestSupport.WRONGTYPE;
import static io.toridb.core.set.SetTestSupport.array;
import static io.toridb.core.set.SetTestSupport.putOther;
import static io.toridb.core.set.SetTestSupport.set3;
import static io.toridb.core.set.SetTestSupport.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS and SMOVE, in both encodings. */
class SetCommandsTest {
  private final CommandHarness h = new CommandHarness();

  @Nested
  class Sadd {
    @Test
    void sadd_newKey_countsAddedMembersOnly() {
      assertEquals(integer(3), h.call("SADD", "s", "a", "b", "c"));
      assertEquals(integer(2), h.call("SADD", "s", "A", "a", "b", "c", "B"));
      assertEquals(integer(0), h.call("SADD", "s", "a"));
      assertEquals(List.of("A", "B", "a", "b", "c"), sorted(h.call("SMEMBERS", "s")));
    }

    @Test
    void sadd_duplicateArguments_countOnce() {
      assertEquals(integer(1), h.call("SADD", "s", "x", "x", "x"));
      assertEquals(integer(1), h.call("SCARD", "s"));
    }

    @Test
    void sadd_integers_startAsIntsetAndReplySorted() {
      assertEquals(integer(4), h.call("SADD", "s", "17", "-3", "100000", "16"));
      assertEquals("intset", encoding(h, "s"));
      assertEquals(array("-3", "16", "17", "100000"), h.call("SMEMBERS", "s"));
      assertEquals(set3("-3", "16", "17", "100000"), h.call3("SMEMBERS", "s"));
    }

    @Test
    void sadd_nonIntegerFirst_startsAsHashtableEvenForLaterIntegers() {
      h.call("SADD", "s", "foo");
      assertEquals("hashtable", encoding(h, "s"));
      h.call("SREM", "s", "foo");
      h.call("SADD", "s", "foo", "1");
      h.call("SREM", "s", "foo");
      assertEquals("hashtable", encoding(h, "s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "01", "+1", "-0", " 1", "1 ", "1.0", "9223372036854775808", ""})
    void sadd_nonCanonicalInteger_convertsIntsetToHashtable(String member) {
      h.call("SADD", "s", "1", "2", "3");
      assertEquals("intset", encoding(h, "s"));
      assertEquals(integer(1), h.call("SADD", "s", member));
      assertEquals("hashtable", encoding(h, "s"));
      assertEquals(integer(1), h.call("SISMEMBER", "s", member));
      assertEquals(integer(1), h.call("SISMEMBER", "s", "2"));
      assertEquals(integer(4), h.call("SCARD", "s"));
    }

    @Test
    void sadd_extremeLongs_stayIntset() {
      h.call("SADD", "s", "9223372036854775807", "-9223372036854775808", "0");
      assertEquals("intset", encoding(h, "s"));
      assertEquals(
          array("-9223372036854775808", "0", "9223372036854775807"), h.call("SMEMBERS", "s"));
    }

    @Test
    void sadd_integerLargerThan64Bits_isAHashtableMember() {
      h.call("SADD", "s", "213244124402402314402033402");
      assertEquals("hashtable", encoding(h, "s"));
      assertEquals(integer(1), h.call("SISMEMBER", "s", "213244124402402314402033402"));
    }

    @Test
    void sadd_pastMaxIntsetEntries_convertsAndNeverConvertsBack() {
      for (int i = 0; i < 512; i++) {
        h.call("SADD", "s", String.valueOf(i));
      }
      assertEquals("intset", encoding(h, "s"));
      assertEquals(integer(1), h.call("SADD", "s", "512"));
      assertEquals("hashtable", encoding(h, "s"));
      h.call("SREM", "s", "512", "511", "510");
      assertEquals("hashtable", encoding(h, "s"));
      assertEquals(integer(510), h.call("SCARD", "s"));
    }

    @Test
    void sadd_followsConfiguredMaxIntsetEntries() {
      assertEquals(OK, h.call("CONFIG", "SET", "set-max-intset-entries", "2"));
      h.call("SADD", "s", "1", "2");
      assertEquals("intset", encoding(h, "s"));
      h.call("SADD", "s", "3");
      assertEquals("hashtable", encoding(h, "s"));
      h.call("CONFIG", "SET", "set-max-intset-entries", "0");
      h.call("SADD", "z", "1");
      assertEquals("hashtable", encoding(h, "z"));
    }

    @Test
    void sadd_onWrongType_returnsWrongtypeError() {
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("SADD", "l", "a"));
    }

    @Test
    void sadd_withWrongArity_returnsRedisError() {
      assertEquals(arity("sadd"), h.call("SADD", "s"));
      assertEquals(arity("sadd"), h.call("SADD"));
    }

    @Test
    void sadd_keepsExpiry() {
      h.call("SADD", "s", "a");
      h.call("EXPIRE", "s", "1000");
      h.call("SADD", "s", "b");
      assertTrue(peek(h, "s").hasExpiry());
    }

    @Test
    void sadd_binaryMembers_roundTrip() {
      h.call("SADD", "s", "a\0b", "\r\n", "\u00ff");
      assertEquals(List.of("\r\n", "a\0b", "\u00ff"), sorted(h.call("SMEMBERS", "s")));
      assertEquals(integer(1), h.call("SISMEMBER", "s", "a\0b"));
      assertEquals(integer(0), h.call("SISMEMBER", "s", "a"));
    }
  }

  @Nested
  class Srem {
    @Test
    void srem_hashtable_removesAndCounts() {
      h.call("SADD", "s", "foo", "bar", "ciao");
      assertEquals(integer(0), h.call("SREM", "s", "qux"));
      assertEquals(integer(1), h.call("SREM", "s", "foo"));
      assertEquals(List.of("bar", "ciao"), sorted(h.call("SMEMBERS", "s")));
    }

    @Test
    void srem_intset_removesAndIgnoresNonIntegers() {
      h.call("SADD", "s", "3", "4", "5");
      assertEquals(integer(0), h.call("SREM", "s", "6"));
      assertEquals(integer(0), h.call("SREM", "s", "foo"));
      assertEquals(integer(0), h.call("SREM", "s", "04"));
      assertEquals(integer(1), h.call("SREM", "s", "4"));
      assertEquals(array("3", "5"), h.call("SMEMBERS", "s"));
      assertEquals("intset", encoding(h, "s"));
    }

    @Test
    void srem_multipleArguments_countsEachRemovedOnce() {
      h.call("SADD", "s", "a", "b", "c", "d");
      assertEquals(integer(3), h.call("SREM", "s", "k", "k", "b", "c", "d", "d"));
      assertEquals(array("a"), h.call("SMEMBERS", "s"));
    }

    @Test
    void srem_lastMember_deletesKey() {
      h.call("SADD", "s", "a", "b", "c");
      assertEquals(integer(3), h.call("SREM", "s", "a", "b", "c", "d", "e"));
      assertEquals(integer(0), h.call("EXISTS", "s"));
      assertNull(peek(h, "s"));
    }

    @Test
    void srem_missingKey_returnsZero() {
      assertEquals(integer(0), h.call("SREM", "nope", "a"));
    }

    @Test
    void srem_onWrongTypeAndArity_returnErrors() {
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("SREM", "l", "a"));
      assertEquals(arity("srem"), h.call("SREM", "s"));
    }
  }

  @Nested
  class Queries {
    @Test
    void scard_sismember_smismember_onBothEncodings() {
      for (String[] members : List.of(new String[] {"16", "17"}, new String[] {"foo", "bar"})) {
        h.call("DEL", "s");
        h.call("SADD", "s", members[0], members[1]);
        assertEquals(integer(2), h.call("SCARD", "s"));
        assertEquals(integer(1), h.call("SISMEMBER", "s", members[0]));
        assertEquals(integer(0), h.call("SISMEMBER", "s", "18"));
        assertEquals(integer(0), h.call("SISMEMBER", "s", "bla"));
        assertEquals("*2\r\n:1\r\n:0\r\n", h.call("SMISMEMBER", "s", members[1], "x"));
        assertEquals("*2\r\n:0\r\n:1\r\n", h.call3("SMISMEMBER", "s", "x", members[0]));
      }
    }

    @Test
    void queries_onMissingKey_answerAsEmptySet() {
      assertEquals(integer(0), h.call("SCARD", "nope"));
      assertEquals(integer(0), h.call("SISMEMBER", "nope", "a"));
      assertEquals("*2\r\n:0\r\n:0\r\n", h.call("SMISMEMBER", "nope", "a", "b"));
      assertEquals(EMPTY_ARRAY, h.call("SMEMBERS", "nope"));
      assertEquals(EMPTY_SET3, h.call3("SMEMBERS", "nope"));
    }

    @Test
    void queries_onWrongType_returnWrongtypeError() {
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("SCARD", "l"));
      assertEquals(WRONGTYPE, h.call("SISMEMBER", "l", "a"));
      assertEquals(WRONGTYPE, h.call("SMISMEMBER", "l", "a"));
      assertEquals(WRONGTYPE, h.call("SMEMBERS", "l"));
    }

    @Test
    void queries_withWrongArity_returnRedisErrors() {
      assertEquals(arity("scard"), h.call("SCARD"));
      assertEquals(arity("scard"), h.call("SCARD", "a", "b"));
      assertEquals(arity("sismember"), h.call("SISMEMBER", "s"));
      assertEquals(arity("sismember"), h.call("SISMEMBER", "s", "a", "b"));
      assertEquals(arity("smismember"), h.call("SMISMEMBER", "s"));
      assertEquals(arity("smembers"), h.call("SMEMBERS"));
      assertEquals(arity("smembers"), h.call("SMEMBERS", "a", "b"));
    }

    @Test
    void smembers_hashtable_resp3IsASet() {
      h.call("SADD", "s", "a", "b");
      String reply = h.call3("SMEMBERS", "s");
      assertTrue(reply.startsWith("~2\r\n"), reply);
      assertEquals(List.of("a", "b"), sorted(reply));
    }

    @Test
    void queries_onExpiredKey_seeNothing() {
      h.call("SADD", "s", "a");
      h.call("PEXPIREAT", "s", "1");
      assertEquals(integer(0), h.call("SCARD", "s"));
      assertNull(peek(h, "s"));
    }
  }

  @Nested
  class Smove {
    private void setup() {
      h.call("SADD", "s1", "1", "a", "b");
      h.call("SADD", "s2", "2", "3", "4");
      assertEquals("hashtable", encoding(h, "s1"));
      assertEquals("intset", encoding(h, "s2"));
    }

    @Test
    void smove_fromHashtableToIntset_convertsOnNonInteger() {
      setup();
      assertEquals(integer(1), h.call("SMOVE", "s1", "s2", "1"));
      assertEquals("intset", encoding(h, "s2"));
      assertEquals(integer(1), h.call("SMOVE", "s1", "s2", "a"));
      assertEquals("hashtable", encoding(h, "s2"));
      assertEquals(array("b"), h.call("SMEMBERS", "s1"));
      assertEquals(List.of("1", "2", "3", "4", "a"), sorted(h.call("SMEMBERS", "s2")));
    }

    @Test
    void smove_fromIntsetToHashtable_movesInteger() {
      setup();
      assertEquals(integer(1), h.call("SMOVE", "s2", "s1", "2"));
      assertEquals(array("3", "4"), h.call("SMEMBERS", "s2"));
      assertEquals(List.of("1", "2", "a", "b"), sorted(h.call("SMEMBERS", "s1")));
    }

    @Test
    void smove_missingMemberOrSource_returnsZero() {
      setup();
      assertEquals(integer(0), h.call("SMOVE", "s1", "s2", "nope"));
      assertEquals(integer(0), h.call("SMOVE", "nosrc", "s2", "2"));
      assertEquals(integer(0), h.call("SMOVE", "nosrc", "nodst", "x"));
      assertEquals(integer(0), h.call("EXISTS", "nodst"));
    }

    @Test
    void smove_toMissingDestination_createsItWithTheMembersEncoding() {
      setup();
      assertEquals(integer(1), h.call("SMOVE", "s1", "d1", "a"));
      assertEquals("hashtable", encoding(h, "d1"));
      assertEquals(integer(1), h.call("SMOVE", "s1", "d2", "1"));
      assertEquals("intset", encoding(h, "d2"));
    }

    @Test
    void smove_lastMember_deletesSource() {
      h.call("SADD", "src", "x");
      assertEquals(integer(1), h.call("SMOVE", "src", "dst", "x"));
      assertEquals(integer(0), h.call("EXISTS", "src"));
      assertEquals(array("x"), h.call("SMEMBERS", "dst"));
    }

    @Test
    void smove_memberAlreadyInDestination_removesFromSourceOnly() {
      h.call("SADD", "src", "x", "y");
      h.call("SADD", "dst", "x");
      assertEquals(integer(1), h.call("SMOVE", "src", "dst", "x"));
      assertEquals(array("y"), h.call("SMEMBERS", "src"));
      assertEquals(array("x"), h.call("SMEMBERS", "dst"));
    }

    @Test
    void smove_sameSourceAndDestination_isMembershipTest() {
      setup();
      assertEquals(integer(1), h.call("SMOVE", "s1", "s1", "a"));
      assertEquals(integer(0), h.call("SMOVE", "s1", "s1", "zz"));
      assertEquals(integer(3), h.call("SCARD", "s1"));
    }

    @Test
    void smove_wrongTypes_returnWrongtype() {
      setup();
      putOther(h, "l");
      assertEquals(WRONGTYPE, h.call("SMOVE", "l", "s2", "a"));
      assertEquals(WRONGTYPE, h.call("SMOVE", "s1", "l", "a"));
      assertEquals(integer(3), h.call("SCARD", "s1"));
      // A missing source answers 0 before the destination's type is looked at.
      assertEquals(integer(0), h.call("SMOVE", "nosrc", "l", "a"));
    }

    @Test
    void smove_withWrongArity_returnsRedisError() {
      assertEquals(arity("smove"), h.call("SMOVE", "a", "b"));
      assertEquals(arity("smove"), h.call("SMOVE", "a", "b", "c", "d"));
    }
  }

  @Test
  void type_objectEncoding_andCopy_seeSets() {
    h.call("SADD", "i", "1", "2");
    h.call("SADD", "t", "1", "a");
    assertEquals("+set\r\n", h.call("TYPE", "i"));
    assertEquals(CommandHarness.bulk("intset"), h.call("OBJECT", "ENCODING", "i"));
    assertEquals(CommandHarness.bulk("hashtable"), h.call("OBJECT", "ENCODING", "t"));
    assertEquals(integer(1), h.call("COPY", "i", "i2"));
    assertEquals(integer(1), h.call("COPY", "t", "t2"));
    assertEquals("intset", encoding(h, "i2"));
    assertEquals("hashtable", encoding(h, "t2"));
    h.call("SADD", "i2", "3");
    h.call("SREM", "t2", "a");
    assertEquals(array("1", "2"), h.call("SMEMBERS", "i"));
    assertEquals(List.of("1", "a"), sorted(h.call("SMEMBERS", "t")));
    assertEquals(array("1", "2", "3"), h.call("SMEMBERS", "i2"));
  }

  @Test
  void manyMembers_hashtableGrowsAndShrinks() {
    List<String> args = new ArrayList<>(List.of("SADD", "s"));
    for (int i = 0; i < 5000; i++) {
      args.add("m" + i);
    }
    assertEquals(integer(5000), h.call(args.toArray(new String[0])));
    for (int i = 0; i < 5000; i += 2) {
      assertEquals(integer(1), h.call("SREM", "s", "m" + i));
    }
    assertEquals(integer(2500), h.call("SCARD", "s"));
    for (int i = 0; i < 5000; i++) {
      assertEquals(integer(i % 2), h.call("SISMEMBER", "s", "m" + i));
    }
  }
}
