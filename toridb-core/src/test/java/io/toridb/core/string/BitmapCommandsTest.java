package io.toridb.core.string;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP against a {@link BitSet} model over random bit
 * patterns, ranges and operations; the replies Redis gives for the same calls are checked over the
 * wire by the bitmaps differential script.
 */
class BitmapCommandsTest {
  private final CommandHarness h = new CommandHarness();
  private final Random random = new Random(7);

  @Test
  void randomSetbits_agreeWithABitSet_forGetbitBitcountAndBitpos() {
    for (int round = 0; round < 40; round++) {
      h.call("DEL", "k");
      BitSet model = new BitSet();
      int bits = 8 * (1 + random.nextInt(40));
      for (int i = 0; i < 60; i++) {
        int offset = random.nextInt(bits);
        int value = random.nextInt(4) == 0 ? 0 : 1;
        assertEquals(
            integer(model.get(offset) ? 1 : 0), h.call("SETBIT", "k", "" + offset, "" + value));
        model.set(offset, value == 1);
      }
      int length = bytes("k");
      for (int i = 0; i < 20; i++) {
        int offset = random.nextInt(bits + 16);
        assertEquals(integer(model.get(offset) ? 1 : 0), h.call("GETBIT", "k", "" + offset));
      }
      assertEquals(integer(model.cardinality()), h.call("BITCOUNT", "k"));
      for (int i = 0; i < 20; i++) {
        int total = length * 8;
        int start = random.nextInt(total);
        int end = start + random.nextInt(total - start);
        assertEquals(
            integer(model.get(start, end + 1).cardinality()),
            h.call("BITCOUNT", "k", "" + start, "" + end, "BIT"),
            "BITCOUNT k " + start + " " + end + " BIT");
        assertEquals(
            integer(expectedBitpos(model, 1, start, end)),
            h.call("BITPOS", "k", "1", "" + start, "" + end, "BIT"));
        assertEquals(
            integer(expectedBitpos(model, 0, start, end)),
            h.call("BITPOS", "k", "0", "" + start, "" + end, "BIT"));
        int byteStart = start / 8;
        int byteEnd = end / 8;
        assertEquals(
            integer(model.get(byteStart * 8, byteEnd * 8 + 8).cardinality()),
            h.call("BITCOUNT", "k", "" + byteStart, "" + byteEnd));
      }
      int first1 = model.nextSetBit(0);
      assertEquals(integer(first1), h.call("BITPOS", "k", "1"));
      // Without an end, the string continues with zeros: a 0 is found past the last byte.
      assertEquals(integer(model.nextClearBit(0)), h.call("BITPOS", "k", "0"));
    }
  }

  @Test
  void bitop_agreesWithBitSetOperations_zeroPaddingShorterKeys() {
    for (int round = 0; round < 30; round++) {
      BitSet a = randomBits("a", 8 * (1 + random.nextInt(20)));
      BitSet b = randomBits("b", 8 * (1 + random.nextInt(20)));
      int longest = Math.max(bytes("a"), bytes("b"));
      assertEquals(integer(longest), h.call("BITOP", "AND", "d", "a", "b"));
      BitSet and = (BitSet) a.clone();
      and.and(b);
      assertEquals(and, read("d"));
      assertEquals(integer(longest), h.call("BITOP", "OR", "d", "a", "b"));
      BitSet or = (BitSet) a.clone();
      or.or(b);
      assertEquals(or, read("d"));
      assertEquals(integer(longest), h.call("BITOP", "XOR", "d", "a", "b", "missing"));
      BitSet xor = (BitSet) a.clone();
      xor.xor(b);
      assertEquals(xor, read("d"));
      assertEquals(integer(bytes("a")), h.call("BITOP", "NOT", "d", "a"));
      BitSet not = (BitSet) a.clone();
      not.flip(0, bytes("a") * 8);
      assertEquals(not, read("d"));
    }
  }

  @Test
  void bitfield_setGetAndWrappingIncrby_agreeWithModularArithmetic() {
    java.math.BigInteger two = java.math.BigInteger.TWO;
    for (int round = 0; round < 300; round++) {
      h.call("DEL", "f");
      boolean signed = random.nextBoolean();
      int bits = 1 + random.nextInt(signed ? 64 : 63);
      String type = (signed ? "i" : "u") + bits;
      long offset = random.nextInt(200);
      long value = random.nextLong() >> random.nextInt(64);
      long incr = random.nextLong() >> random.nextInt(64);
      java.math.BigInteger modulus = two.pow(bits);
      java.math.BigInteger set = wrap(java.math.BigInteger.valueOf(value), modulus, signed);
      java.math.BigInteger sum = wrap(set.add(java.math.BigInteger.valueOf(incr)), modulus, signed);
      String reply =
          h.call(
              "BITFIELD",
              "f",
              "SET",
              type,
              "" + offset,
              "" + value,
              "GET",
              type,
              "" + offset,
              "INCRBY",
              type,
              "" + offset,
              "" + incr);
      String expected =
          "*3\r\n" + integer(0) + integer(set.longValueExact()) + integer(sum.longValueExact());
      assertEquals(
          expected, reply, "BITFIELD " + type + " at " + offset + ": " + value + ", " + incr);
      // The field's bits, read one by one, are the stored value's.
      for (int j = 0; j < bits; j++) {
        int bit = sum.mod(modulus).testBit(bits - 1 - j) ? 1 : 0;
        assertEquals(integer(bit), h.call("GETBIT", "f", "" + (offset + j)));
      }
    }
  }

  /** {@code v} reduced into the range of a field of that modulus, signed or not. */
  private static java.math.BigInteger wrap(
      java.math.BigInteger v, java.math.BigInteger modulus, boolean signed) {
    java.math.BigInteger r = v.mod(modulus);
    if (signed && r.compareTo(modulus.shiftRight(1)) >= 0) {
      r = r.subtract(modulus);
    }
    return r;
  }

  @Test
  void badArguments_getRedisErrors_andChangeNothing() {
    h.call("SET", "k", "abc");
    assertEquals(
        error("ERR bit offset is not an integer or out of range"),
        h.call("SETBIT", "k", "-1", "1"));
    assertEquals(
        error("ERR bit offset is not an integer or out of range"),
        h.call("SETBIT", "k", "4294967296", "1"));
    assertEquals(
        error("ERR bit is not an integer or out of range"), h.call("SETBIT", "k", "1", "2"));
    assertEquals(error("ERR The bit argument must be 1 or 0."), h.call("BITPOS", "k", "3"));
    assertEquals(
        error("ERR BITOP NOT must be called with a single source key."),
        h.call("BITOP", "NOT", "d", "k", "k"));
    assertEquals(error("ERR syntax error"), h.call("BITOP", "NAND", "d", "k"));
    assertEquals(error("ERR syntax error"), h.call("BITCOUNT", "k", "0"));
    h.call("RPUSH", "l", "x");
    assertEquals(
        error("WRONGTYPE Operation against a key holding the wrong kind of value"),
        h.call("SETBIT", "l", "0", "1"));
    assertEquals("$3\r\nabc\r\n", h.call("GET", "k"));
  }

  @Test
  void offsetsPastTheLargestString_areRefused_evenWithAHugeBulkLimit() {
    assertEquals(OK, h.call("CONFIG", "SET", "proto-max-bulk-len", "4gb"));
    String bad = error("ERR bit offset is not an integer or out of range");
    assertEquals(bad, h.call("BITFIELD", "k", "SET", "i64", "17179869111", "1"));
    assertEquals(bad, h.call("SETBIT", "k", "17179869184", "1"));
    assertEquals(bad, h.call("GETBIT", "k", "17179869184"));
    assertEquals(integer(0), h.call("EXISTS", "k"));
  }

  private BitSet randomBits(String key, int bits) {
    h.call("DEL", key);
    BitSet model = new BitSet();
    // The last bit makes the string exactly bits / 8 bytes long.
    h.call("SETBIT", key, "" + (bits - 1), "0");
    for (int i = 0; i < bits / 2; i++) {
      int offset = random.nextInt(bits);
      h.call("SETBIT", key, "" + offset, "1");
      model.set(offset);
    }
    return model;
  }

  /** The bits of a string value, bit 0 the most significant of the first byte. */
  private BitSet read(String key) {
    BitSet out = new BitSet();
    int n = bytes(key) * 8;
    for (int i = 0; i < n; i++) {
      if (h.call("GETBIT", key, "" + i).equals(integer(1))) {
        out.set(i);
      }
    }
    return out;
  }

  private int bytes(String key) {
    String reply = h.call("STRLEN", key);
    return Integer.parseInt(reply.substring(1).trim());
  }

  /** BITPOS over an explicit BIT range: -1 when the range holds no such bit. */
  private static long expectedBitpos(BitSet model, int bit, int start, int end) {
    for (int i = start; i <= end; i++) {
      if (model.get(i) == (bit == 1)) {
        return i;
      }
    }
    return -1;
  }
}
