package io.toridb.core.list;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of list operations, applied to a {@link ListValue} with small nodes and to an
 * {@link ArrayList} model; after every step the contents, the answers and the internal invariants
 * must agree.
 */
class ListValuePropertiesTest {
  enum Kind {
    PUSH_HEAD,
    PUSH_TAIL,
    POP_HEAD,
    POP_TAIL,
    INSERT,
    SET,
    GET,
    REMOVE_ALL,
    REMOVE_RANGE,
    RANGE,
    INDEX_OF,
    COPY
  }

  /** One operation: {@code a} and {@code b} are fractions of the size or counts, as it needs. */
  record Op(Kind kind, byte[] element, int a, int b, boolean flag) {
    @Override
    public String toString() {
      return kind
          + "("
          + (element == null ? "-" : element.length + "B")
          + ","
          + a
          + ","
          + b
          + ","
          + flag
          + ")";
    }
  }

  @Provide
  Arbitrary<Long> fills() {
    return Arbitraries.of(1L, 2L, 3L, 5L, 0L, -1L, -2L);
  }

  @Provide
  Arbitrary<List<Op>> sequences() {
    return ops().list().ofMinSize(1).ofMaxSize(400);
  }

  private static Arbitrary<byte[]> elements() {
    // Mostly short elements from a few values (so searches match), integers of every width,
    // some long enough for
    // two-byte and three-byte length prefixes and for nodes of their own.
    Arbitrary<byte[]> few =
        Arbitraries.of("a", "b", "c", "", "12", "012", "-1", "0", "-0", "300000")
            .map(String::getBytes);
    Arbitrary<byte[]> integers = Arbitraries.longs().map(n -> Long.toString(n).getBytes());
    Arbitrary<byte[]> medium =
        Arbitraries.integers().between(0, 300).map(n -> filled(n, (byte) ('d' + n % 5)));
    Arbitrary<byte[]> large =
        Arbitraries.integers().between(4000, 20000).map(n -> filled(n, (byte) 'L'));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(10, few),
        net.jqwik.api.Tuple.of(5, medium),
        net.jqwik.api.Tuple.of(3, integers),
        net.jqwik.api.Tuple.of(1, large));
  }

  private static byte[] filled(int n, byte b) {
    byte[] out = new byte[n];
    Arrays.fill(out, b);
    return out;
  }

  private static Arbitrary<Op> ops() {
    Arbitrary<Integer> pos = Arbitraries.integers().between(0, 1000);
    Arbitrary<Integer> small = Arbitraries.integers().between(0, 6);
    return Combinators.combine(
            Arbitraries.of(Kind.class), elements(), pos, small, Arbitraries.of(true, false))
        .as(Op::new);
  }

  @Property(tries = 300)
  void listValue_behavesAsAnArrayList(
      @ForAll("fills") long fill, @ForAll("sequences") List<Op> ops) {
    ListValue list = new ListValue(fill);
    List<byte[]> model = new ArrayList<>();
    for (Op op : ops) {
      apply(list, model, op);
      list.checkInvariants();
      assertEquals(model.size(), list.size(), op.toString());
    }
    assertContents(model, list);
  }

  private static void apply(ListValue list, List<byte[]> model, Op op) {
    int size = model.size();
    long index = size == 0 ? 0 : op.a() % size;
    switch (op.kind()) {
      case PUSH_HEAD -> {
        list.push(op.element(), true);
        model.add(0, op.element());
      }
      case PUSH_TAIL -> {
        list.push(op.element(), false);
        model.add(op.element());
      }
      case POP_HEAD -> {
        byte[] got = list.pop(true);
        if (size == 0) {
          assertNull(got);
        } else {
          assertArrayEquals(model.remove(0), got);
        }
      }
      case POP_TAIL -> {
        byte[] got = list.pop(false);
        if (size == 0) {
          assertNull(got);
        } else {
          assertArrayEquals(model.remove(size - 1), got);
        }
      }
      case INSERT -> {
        long at = op.a() % (size + 1);
        list.insert(at, op.element());
        model.add((int) at, op.element());
      }
      case SET -> {
        if (size > 0) {
          list.set(index, op.element());
          model.set((int) index, op.element());
        }
      }
      case GET -> {
        if (size > 0) {
          assertArrayEquals(model.get((int) index), list.get(index));
        }
      }
      case REMOVE_ALL -> {
        long limit = op.b();
        long expected = removeFromModel(model, op.element(), limit, op.flag());
        assertEquals(expected, list.removeAll(op.element(), limit, op.flag()), op.toString());
      }
      case REMOVE_RANGE -> {
        long count = op.b() * (op.flag() ? 1 : 7L);
        list.removeRange(index, count);
        for (long j = 0; j < count && index < model.size(); j++) {
          model.remove((int) index);
        }
      }
      case RANGE -> {
        long count = op.b() * 5L + 1;
        List<byte[]> seen = new ArrayList<>();
        list.forEach(
            index,
            count,
            op.flag(),
            (buf, off, len) -> {
              seen.add(Arrays.copyOfRange(buf, off, off + len));
              return true;
            });
        List<byte[]> expected = new ArrayList<>();
        for (long j = index, n = 0; n < count && j >= 0 && j < size; n++, j += op.flag() ? -1 : 1) {
          expected.add(model.get((int) j));
        }
        assertEquals(expected.size(), seen.size(), op.toString());
        for (int j = 0; j < seen.size(); j++) {
          assertArrayEquals(expected.get(j), seen.get(j), op.toString());
        }
      }
      case INDEX_OF -> {
        long expected = -1;
        for (int j = 0; j < size; j++) {
          if (Arrays.equals(model.get(j), op.element())) {
            expected = j;
            break;
          }
        }
        assertEquals(expected, list.indexOf(op.element()));
      }
      case COPY -> {
        ListValue copy = (ListValue) list.copy();
        copy.checkInvariants();
        assertContents(model, copy);
        copy.push(op.element(), true);
        assertEquals(size, list.size());
      }
    }
  }

  /** LREM on the model: up to {@code limit} (0 = all) matches from the head or the tail. */
  private static long removeFromModel(
      List<byte[]> model, byte[] element, long limit, boolean fromTail) {
    long removed = 0;
    if (fromTail) {
      for (int j = model.size() - 1; j >= 0 && (limit == 0 || removed < limit); j--) {
        if (Arrays.equals(model.get(j), element)) {
          model.remove(j);
          removed++;
        }
      }
    } else {
      for (int j = 0; j < model.size() && (limit == 0 || removed < limit); ) {
        if (Arrays.equals(model.get(j), element)) {
          model.remove(j);
          removed++;
        } else {
          j++;
        }
      }
    }
    return removed;
  }

  private static void assertContents(List<byte[]> model, ListValue list) {
    assertEquals(model.size(), list.size());
    List<byte[]> seen = new ArrayList<>();
    list.forEach(
        0,
        list.size(),
        false,
        (buf, off, len) -> {
          seen.add(Arrays.copyOfRange(buf, off, off + len));
          return true;
        });
    for (int j = 0; j < model.size(); j++) {
      assertArrayEquals(model.get(j), seen.get(j), "element " + j);
    }
  }
}
