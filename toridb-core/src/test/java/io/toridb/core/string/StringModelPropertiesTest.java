package io.toridb.core.string;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Runs random sequences of counter and range commands against one key and checks every reply
 * against a plain model: a byte array, or a long for the counters.
 */
class StringModelPropertiesTest {
  /** One command with its arguments after the key. */
  record Op(String name, String a, String b) {}

  @Provide
  Arbitrary<List<Op>> rangeSequences() {
    return rangeOps().list().ofMaxSize(40);
  }

  @Provide
  Arbitrary<List<Op>> counterSequences() {
    return counterOps().list().ofMaxSize(30);
  }

  private Arbitrary<Op> rangeOps() {
    Arbitrary<String> smallText = Arbitraries.strings().withChars("abcXYZ\0").ofMaxLength(6);
    Arbitrary<Integer> offset = Arbitraries.integers().between(0, 40);
    Arbitrary<Integer> index = Arbitraries.integers().between(-50, 50);
    return Arbitraries.oneOf(
        smallText.map(t -> new Op("APPEND", t, null)),
        Combinators.combine(offset, smallText).as((o, t) -> new Op("SETRANGE", "" + o, t)),
        Combinators.combine(index, index).as((s, e) -> new Op("GETRANGE", "" + s, "" + e)),
        Arbitraries.just(new Op("STRLEN", null, null)),
        Arbitraries.just(new Op("GET", null, null)));
  }

  @Property(tries = 200)
  void appendSetrangeGetrange_matchByteArrayModel(@ForAll("rangeSequences") List<Op> ops) {
    CommandHarness h = new CommandHarness();
    byte[] model = null;
    for (Op op : ops) {
      String reply = call(h, op);
      String expected;
      switch (op.name()) {
        case "APPEND" -> {
          byte[] t = bytes(op.a());
          model = concat(model == null ? new byte[0] : model, t);
          expected = ":" + model.length + "\r\n";
        }
        case "SETRANGE" -> {
          int off = Integer.parseInt(op.a());
          byte[] t = bytes(op.b());
          if (t.length == 0) {
            expected = ":" + (model == null ? 0 : model.length) + "\r\n";
          } else {
            byte[] cur = model == null ? new byte[0] : model;
            byte[] next = new byte[Math.max(cur.length, off + t.length)];
            System.arraycopy(cur, 0, next, 0, cur.length);
            System.arraycopy(t, 0, next, off, t.length);
            model = next;
            expected = ":" + model.length + "\r\n";
          }
        }
        case "GETRANGE" ->
            expected = bulk(range(model, Long.parseLong(op.a()), Long.parseLong(op.b())));
        case "STRLEN" -> expected = ":" + (model == null ? 0 : model.length) + "\r\n";
        default -> expected = model == null ? "$-1\r\n" : bulk(model);
      }
      assertEquals(expected, reply, op.toString());
    }
  }

  private Arbitrary<Op> counterOps() {
    Arbitrary<Long> amount =
        Arbitraries.oneOf(
            Arbitraries.longs().between(-1000, 1000),
            Arbitraries.longs(),
            Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1));
    return Arbitraries.oneOf(
        Arbitraries.just(new Op("INCR", null, null)),
        Arbitraries.just(new Op("DECR", null, null)),
        amount.map(n -> new Op("INCRBY", "" + n, null)),
        amount.map(n -> new Op("DECRBY", "" + n, null)),
        amount.map(n -> new Op("SET", "" + n, null)));
  }

  @Property(tries = 300)
  void incrbyDecrby_matchLongModelWithOverflowChecks(@ForAll("counterSequences") List<Op> ops) {
    CommandHarness h = new CommandHarness();
    long model = 0;
    boolean exists = false;
    for (Op op : ops) {
      String reply = call(h, op);
      String expected;
      if (op.name().equals("SET")) {
        model = Long.parseLong(op.a());
        exists = true;
        expected = "+OK\r\n";
      } else {
        long delta =
            switch (op.name()) {
              case "INCR" -> 1;
              case "DECR" -> -1;
              case "INCRBY" -> Long.parseLong(op.a());
              default -> Long.parseLong(op.a()) == Long.MIN_VALUE ? 0 : -Long.parseLong(op.a());
            };
        if (op.name().equals("DECRBY") && Long.parseLong(op.a()) == Long.MIN_VALUE) {
          expected = "-ERR decrement would overflow\r\n";
        } else {
          try {
            model = Math.addExact(model, delta);
            exists = true;
            expected = ":" + model + "\r\n";
          } catch (ArithmeticException e) {
            expected = "-ERR increment or decrement would overflow\r\n";
          }
        }
      }
      assertEquals(expected, reply, op.toString());
    }
    assertEquals(exists ? bulk(bytes(Long.toString(model))) : "$-1\r\n", h.call("GET", "k"));
  }

  private static String call(CommandHarness h, Op op) {
    if (op.a() == null) {
      return h.call(op.name(), "k");
    }
    if (op.b() == null) {
      return h.call(op.name(), "k", op.a());
    }
    return h.call(op.name(), "k", op.a(), op.b());
  }

  /** GETRANGE's index rules, written independently of the implementation. */
  private static byte[] range(byte[] value, long start, long end) {
    if (value == null || value.length == 0) {
      return new byte[0];
    }
    long n = value.length;
    if (start < 0 && end < 0 && start > end) {
      return new byte[0];
    }
    long s = start < 0 ? Math.max(0, n + start) : start;
    long e = end < 0 ? Math.max(0, n + end) : Math.min(end, n - 1);
    if (s > e) {
      return new byte[0];
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(value, (int) s, (int) (e - s + 1));
    return out.toByteArray();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String bulk(byte[] b) {
    return "$" + b.length + "\r\n" + new String(b, StandardCharsets.ISO_8859_1) + "\r\n";
  }
}
