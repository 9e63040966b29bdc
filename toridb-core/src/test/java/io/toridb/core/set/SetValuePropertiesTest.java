package io.toridb.core.set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.command.Args;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random operation sequences on a {@link SetValue} compared with a {@link HashSet} model, across
 * the intset-to-hashtable conversion: same answers, same members, and the encoding Redis would
 * report.
 */
class SetValuePropertiesTest {
  /** One operation: ADD, REMOVE, CONTAINS or POP (remove a random member). */
  record Op(String name, String member) {}

  @Provide
  Arbitrary<List<Op>> sequences() {
    Arbitrary<String> ints = Arbitraries.longs().between(-70_000, 70_000).map(String::valueOf);
    Arbitrary<String> bigInts =
        Arbitraries.of(
            "9223372036854775807", "-9223372036854775808", "4294967296", "-2147483649", "0");
    Arbitrary<String> nonCanonical = Arbitraries.of("01", "+1", "-0", " 1", "1.0", "", "abc");
    Arbitrary<String> words = Arbitraries.strings().withChars("ab\0\u00ff").ofMaxLength(3);
    Arbitrary<String> member =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, ints),
            net.jqwik.api.Tuple.of(1, bigInts),
            net.jqwik.api.Tuple.of(1, nonCanonical),
            net.jqwik.api.Tuple.of(1, words));
    Arbitrary<String> name = Arbitraries.of("ADD", "ADD", "ADD", "REMOVE", "CONTAINS", "POP");
    return Combinators.combine(name, member).as(Op::new).list().ofMaxSize(300);
  }

  @Property(tries = 300)
  void setValue_behavesAsAHashSet_withRedisEncodings(
      @ForAll("sequences") List<Op> ops, @ForAll @IntRange(min = 0, max = 40) int maxIntset) {
    Random random = new Random(ops.size());
    SetValue set = null;
    Set<String> model = new HashSet<>();
    boolean hashtable = false;
    for (Op op : ops) {
      byte[] m = Args.bytes(op.member());
      switch (op.name()) {
        case "ADD" -> {
          if (set == null) {
            set = SetValue.forMember(m);
            hashtable = !Args.isCanonicalLong(m);
          }
          boolean added = model.add(op.member());
          assertEquals(added, set.add(m, maxIntset), op.toString());
          if (added && (!Args.isCanonicalLong(m) || model.size() > maxIntset)) {
            hashtable = true;
          }
        }
        case "REMOVE" -> {
          if (set != null) {
            assertEquals(model.remove(op.member()), set.remove(m), op.toString());
          }
        }
        case "CONTAINS" -> {
          if (set != null) {
            assertEquals(model.contains(op.member()), set.contains(m), op.toString());
          }
        }
        default -> {
          if (set != null && set.size() > 0) {
            String popped = Args.latin1(set.removeRandom(random));
            assertTrue(model.remove(popped), popped);
          }
        }
      }
      if (set != null) {
        assertEquals(model.size(), set.size());
        assertEquals(hashtable ? "hashtable" : "intset", set.encoding(), op.toString());
        if (set.size() == 0) {
          // An empty set leaves the keyspace; the next ADD starts a new one.
          set = null;
        }
      }
    }
    if (set != null) {
      List<String> members = new ArrayList<>();
      set.forEach(x -> members.add(Args.latin1(x)));
      assertEquals(model, new HashSet<>(members));
      assertEquals(model.size(), members.size());
      SetValue copy = (SetValue) set.copy();
      assertEquals(set.encoding(), copy.encoding());
      List<String> copied = new ArrayList<>();
      copy.forEach(x -> copied.add(Args.latin1(x)));
      assertEquals(members, copied);
    }
  }
}
