package io.toridb.core.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.toridb.core.keyspace.DatasetDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Random operation sequences on a {@link HashValue} against a LinkedHashMap model, with small
 * thresholds so that sequences cross the listpack to hashtable conversion: same content, same
 * encoding as Redis's rules give, insertion order while listpack, same digest as a fresh copy.
 */
class HashValueModelPropertiesTest {
  /** SET field value, DEL field, or GET field. */
  record Op(char kind, String field, String value) {}

  @Provide
  Arbitrary<List<Op>> sequences() {
    // Few distinct fields so updates and deletes hit; lengths around the value threshold.
    Arbitrary<String> fields =
        Arbitraries.oneOf(
            Arbitraries.of("a", "b", "c", "d", "e", "f", "g", "", "\0", "1", "-1"),
            Arbitraries.strings().withChars("xyz\0\u00ff").ofMaxLength(12));
    Arbitrary<String> values = Arbitraries.strings().withChars("vw0\n").ofMaxLength(12);
    Arbitrary<Op> set = Combinators.combine(fields, values).as((f, v) -> new Op('S', f, v));
    Arbitrary<Op> del = fields.map(f -> new Op('D', f, null));
    Arbitrary<Op> get = fields.map(f -> new Op('G', f, null));
    return Arbitraries.frequencyOf(Tuple.of(5, set), Tuple.of(2, del), Tuple.of(2, get))
        .list()
        .ofMaxSize(120);
  }

  @Property(tries = 300)
  void hashValue_behavesAsLinkedHashMap(
      @ForAll("sequences") List<Op> ops,
      @ForAll @IntRange(min = 0, max = 12) int maxEntries,
      @ForAll @IntRange(min = 0, max = 10) int maxValue) {
    HashValue h = new HashValue();
    Map<String, String> model = new LinkedHashMap<>();
    boolean converted = false;
    for (Op op : ops) {
      switch (op.kind()) {
        case 'S' -> {
          converted |= op.field().length() > maxValue || op.value().length() > maxValue;
          boolean added = h.set(b(op.field()), b(op.value()), maxEntries, maxValue);
          assertEquals(!model.containsKey(op.field()), added, op.toString());
          model.put(op.field(), op.value());
          converted |= model.size() > maxEntries;
        }
        case 'D' -> assertEquals(model.remove(op.field()) != null, h.delete(b(op.field())));
        default -> {
          String expected = model.get(op.field());
          byte[] actual = h.get(b(op.field()));
          if (expected == null) {
            assertNull(actual);
          } else {
            assertArrayEquals(b(expected), actual);
          }
        }
      }
      assertEquals(converted ? "hashtable" : "listpack", h.encoding(), op.toString());
      assertEquals(model.size(), h.size());
    }
    assertSameContent(model, h);
    HashValue fresh = new HashValue();
    for (Map.Entry<String, String> e : model.entrySet()) {
      fresh.set(b(e.getKey()), b(e.getValue()), 1_000, 1_000);
    }
    assertEquals(DatasetDigest.ofValue(fresh), DatasetDigest.ofValue(h));
    assertEquals(DatasetDigest.ofValue(h), DatasetDigest.ofValue(h.copy()));
  }

  private static void assertSameContent(Map<String, String> model, HashValue h) {
    Pairs pairs = h.pairs();
    List<String> order = new ArrayList<>();
    for (int p = pairs.first(); p >= 0; p = pairs.next(p)) {
      String f = s(pairs.field(p));
      order.add(f);
      assertEquals(model.get(f), s(pairs.value(p)));
    }
    if (h.isListpack()) {
      assertEquals(new ArrayList<>(model.keySet()), order);
    } else {
      Set<String> distinct = new HashSet<>(order);
      assertEquals(order.size(), distinct.size());
      assertEquals(model.keySet(), distinct);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
