package io.toridb.core.set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.command.Args;
import io.toridb.core.keyspace.DatasetDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The set value and its two encodings on their own, without commands. */
class SetValueTest {
  private static byte[] b(String s) {
    return Args.bytes(s);
  }

  private static List<String> members(SetValue s) {
    List<String> out = new ArrayList<>();
    s.forEach(m -> out.add(Args.latin1(m)));
    return out;
  }

  @Test
  void intSet_widensForBigValues_andKeepsOrder() {
    IntSet s = new IntSet();
    assertTrue(s.add(5));
    assertTrue(s.add(-3));
    assertTrue(s.add(70_000)); // needs 4 bytes
    assertTrue(s.add(Long.MIN_VALUE)); // needs 8 bytes, goes first
    assertTrue(s.add(Long.MAX_VALUE)); // goes last
    assertFalse(s.add(5));
    assertEquals(5, s.size());
    long[] expected = {Long.MIN_VALUE, -3, 5, 70_000, Long.MAX_VALUE};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], s.get(i));
    }
    assertTrue(s.remove(Long.MAX_VALUE));
    assertFalse(s.remove(Long.MAX_VALUE));
    assertTrue(s.contains(70_000));
    assertFalse(s.contains(70_001));
  }

  @Test
  void intSet_smallWidth_doesNotFindWiderValues() {
    IntSet s = new IntSet();
    s.add(1);
    assertFalse(s.contains(1L << 40));
    assertFalse(s.remove(1L << 40));
  }

  @Test
  void intSet_matchesAModelUnderRandomOperations() {
    Random r = new Random(1);
    IntSet s = new IntSet();
    java.util.TreeSet<Long> model = new java.util.TreeSet<>();
    long[] scales = {100, 40_000, 3_000_000_000L, Long.MAX_VALUE};
    for (int i = 0; i < 20_000; i++) {
      long v = r.nextLong() % scales[r.nextInt(scales.length)];
      if (r.nextInt(3) == 0) {
        assertEquals(model.remove(v), s.remove(v));
      } else {
        assertEquals(model.add(v), s.add(v));
      }
    }
    assertEquals(model.size(), s.size());
    int i = 0;
    for (long v : model) {
      assertEquals(v, s.get(i++));
    }
  }

  @Test
  void memberTable_matchesAModel_throughGrowAndShrink() {
    Random r = new Random(2);
    MemberTable t = new MemberTable(0);
    Set<String> model = new HashSet<>();
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 20_000; i++) {
        String m = "m" + r.nextInt(30_000);
        assertEquals(model.add(m), t.add(b(m)));
      }
      int capacity = t.capacity();
      for (int i = 0; i < 40_000; i++) {
        String m = "m" + r.nextInt(30_000);
        assertEquals(model.remove(m), t.remove(b(m)));
      }
      assertTrue(t.capacity() <= capacity);
      assertEquals(model.size(), t.size());
      for (int i = 0; i < 30_000; i++) {
        assertEquals(model.contains("m" + i), t.contains(b("m" + i)));
      }
    }
    // Shrunk after mass deletion: at least a tenth full.
    assertTrue(t.size() * 10L >= t.capacity() || t.capacity() <= 4, t.size() + "/" + t.capacity());
  }

  @Test
  void memberTable_randomAndRemoveRandom_drawMembers() {
    MemberTable t = new MemberTable(0);
    for (int i = 0; i < 100; i++) {
      t.add(b("x" + i));
    }
    Random r = new Random(3);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String m = Args.latin1(t.removeRandom(r));
      assertTrue(seen.add(m));
      assertFalse(t.contains(b(m)));
    }
    assertEquals(0, t.size());
  }

  @Test
  void capacityFor_keepsLoadAtMostThreeQuarters() {
    for (int n = 0; n < 5000; n++) {
      int c = MemberTable.capacityFor(n);
      assertEquals(0, c & (c - 1));
      assertTrue(n <= c - c / 4, "n=" + n + " c=" + c);
    }
  }

  @Test
  void setValue_convertsOnceAndKeepsMembers() {
    SetValue s = SetValue.forMember(b("1"));
    for (int i = 1; i <= 10; i++) {
      assertTrue(s.add(b(String.valueOf(i)), 10));
    }
    assertEquals("intset", s.encoding());
    assertTrue(s.add(b("11"), 10));
    assertEquals("hashtable", s.encoding());
    for (int i = 1; i <= 11; i++) {
      assertTrue(s.contains(b(String.valueOf(i))));
      assertTrue(s.containsInteger(i));
    }
    assertFalse(s.contains(b("011")));
  }

  @Test
  void copy_isIndependentAndKeepsEncoding() {
    SetValue i = SetValue.forMember(b("1"));
    i.add(b("1"), 512);
    SetValue c = (SetValue) i.copy();
    c.add(b("2"), 512);
    assertEquals(List.of("1"), members(i));
    assertEquals("intset", c.encoding());
    SetValue t = SetValue.forMember(b("a"));
    t.add(b("a"), 512);
    SetValue tc = (SetValue) t.copy();
    assertNotSame(t, tc);
    tc.remove(b("a"));
    assertEquals(List.of("a"), members(t));
    assertEquals("hashtable", tc.encoding());
  }

  @Test
  void digest_dependsOnMembersOnly_notOnEncodingOrOrder() {
    SetValue a = SetValue.forMember(b("1"));
    for (String m : List.of("3", "1", "2")) {
      a.add(b(m), 512);
    }
    SetValue h = SetValue.emptyHashtable(0);
    for (String m : List.of("2", "3", "1")) {
      h.add(b(m), 512);
    }
    assertEquals("intset", a.encoding());
    assertEquals("hashtable", h.encoding());
    assertEquals(DatasetDigest.ofValue(a), DatasetDigest.ofValue(h));
    h.add(b("4"), 512);
    assertFalse(DatasetDigest.ofValue(a).equals(DatasetDigest.ofValue(h)));
  }

  @Test
  void digest_matchesRedis() {
    // redis-cli SADD s a b 1; DEBUG DIGEST-VALUE s, against Redis 7.0.15.
    SetValue s = SetValue.emptyHashtable(0);
    for (String m : List.of("a", "b", "1")) {
      s.add(b(m), 512);
    }
    assertEquals(REDIS_DIGEST_A_B_1, DatasetDigest.ofValue(s));
    SetValue i = SetValue.forMember(b("1"));
    for (String m : List.of("1", "2", "3")) {
      i.add(b(m), 512);
    }
    assertEquals(REDIS_DIGEST_1_2_3, DatasetDigest.ofValue(i));
  }

  static final String REDIS_DIGEST_A_B_1 = "e8f32bbb1ad9bf537c8867de4f19fec9e001296d";
  static final String REDIS_DIGEST_1_2_3 = "2a462a3f51a1db89738ebbeef0c47ce1bbc85246";
}
