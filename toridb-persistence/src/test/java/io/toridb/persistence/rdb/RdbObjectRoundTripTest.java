package io.toridb.persistence.rdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.hash.HashValue;
import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.list.ListValue;
import io.toridb.core.set.SetValue;
import io.toridb.core.string.StringValue;
import io.toridb.core.zset.ZSetValue;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Every type in every encoding written and read back: same content (DEBUG DIGEST-VALUE), the type
 * byte Redis 7.0 would write, and the encoding Redis would give the loaded value.
 */
class RdbObjectRoundTripTest {
  private static final EncodingLimits LIMITS = EncodingLimits.DEFAULTS;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] write(StoredValue v) {
    RdbOutput out = new RdbOutput(true);
    RdbObjectWriter.write(out, v);
    return out.toByteArray();
  }

  private static StoredValue read(byte[] bytes, EncodingLimits limits) {
    RdbInput in = new RdbInput(bytes, 0, bytes.length);
    StoredValue v = RdbObjectReader.read(in.readByte(), in, limits);
    assertEquals(0, in.remaining(), "whole value read");
    return v;
  }

  /** Writes, checks the type byte, reads back with {@code limits}, checks digest and encoding. */
  private static StoredValue roundTrip(StoredValue v, int type, String encoding, EncodingLimits l) {
    byte[] bytes = write(v);
    assertEquals(type, bytes[0] & 0xFF, "type byte");
    StoredValue back = read(bytes, l);
    assertEquals(DatasetDigest.ofValue(v), DatasetDigest.ofValue(back), "content");
    assertEquals(encoding, back.encoding(), "encoding");
    return back;
  }

  @Test
  void strings_everyEncoding() {
    for (String s :
        new String[] {
          "",
          "bar",
          "0",
          "-128",
          "127",
          "-32768",
          "32767",
          "2147483647",
          "-2147483648",
          "2147483648",
          "9223372036854775807",
          "007",
          "-0",
          "x".repeat(44),
          "y".repeat(45),
          "abc".repeat(100),
          "\u0000\u00ff\r\n"
        }) {
      StringValue v = StringValue.of(b(s));
      roundTrip(v, RdbType.STRING, v.encoding(), LIMITS);
    }
  }

  @Test
  void list_short_long_andEveryFill() {
    for (long fill : new long[] {-2, -1, -5, 1, 3, 128}) {
      ListValue l = new ListValue(fill);
      for (int i = 0; i < 3000; i++) {
        l.push(b(i % 7 == 0 ? Integer.toString(i * 1000) : "element-" + i), false);
      }
      roundTrip(l, RdbType.LIST_QUICKLIST_2, "quicklist", LIMITS);
    }
    ListValue one = new ListValue(-2);
    one.push(b("only"), true);
    roundTrip(one, RdbType.LIST_QUICKLIST_2, "quicklist", LIMITS);
  }

  @Test
  void list_plainNodes_forElementsPastThePackedThreshold() {
    ListValue.packedThreshold(100);
    try {
      ListValue l = new ListValue(-2);
      l.push(b("a"), false);
      l.push(b("P".repeat(150)), false);
      l.push(b("b"), false);
      byte[] bytes = write(l);
      // Three nodes: packed, plain, packed.
      assertEquals(3, bytes[1]);
      assertEquals(RdbType.CONTAINER_PACKED, bytes[2]);
      roundTrip(l, RdbType.LIST_QUICKLIST_2, "quicklist", LIMITS);
    } finally {
      ListValue.packedThreshold(0);
    }
  }

  @Test
  void set_intsetAndHashtable() {
    SetValue ints = SetValue.emptyIntset();
    for (long v : new long[] {-3, 5, 70_000, Long.MAX_VALUE}) {
      ints.add(b(Long.toString(v)), 512);
    }
    roundTrip(ints, RdbType.SET_INTSET, "intset", LIMITS);
    SetValue strings = SetValue.emptyHashtable(0);
    strings.add(b("a"), 512);
    strings.add(b("12"), 512);
    strings.add(b("\u0000"), 512);
    roundTrip(strings, RdbType.SET, "hashtable", LIMITS);
  }

  @Test
  void set_loadedIntegersFollowTheIntsetLimit() {
    SetValue ints = SetValue.emptyIntset();
    for (int i = 0; i < 600; i++) {
      ints.add(b(Integer.toString(i)), 10_000);
    }
    // Saved as an intset of 600, loaded under the default limit of 512: a hashtable.
    roundTrip(ints, RdbType.SET_INTSET, "hashtable", LIMITS);
    // A hashtable of integers that fits the limit loads as an intset, as Redis's SET loading.
    SetValue table = SetValue.emptyHashtable(0);
    table.add(b("1"), 512);
    table.add(b("2"), 512);
    roundTrip(table, RdbType.SET, "intset", LIMITS);
  }

  @Test
  void hash_listpackAndHashtable() {
    HashValue small = new HashValue();
    small.set(b("f"), b("v"), 512, 64);
    small.set(b("n"), b("-42"), 512, 64);
    roundTrip(small, RdbType.HASH_LISTPACK, "listpack", LIMITS);
    HashValue big = new HashValue();
    for (int i = 0; i < 600; i++) {
      big.set(b("field" + i), b("value" + i), 512, 64);
    }
    roundTrip(big, RdbType.HASH, "hashtable", LIMITS);
  }

  @Test
  void hash_loadThresholdsAsRedis() {
    HashValue small = new HashValue();
    for (int i = 0; i < 10; i++) {
      small.set(b("f" + i), b("v".repeat(i * 10)), 512, 1000);
    }
    // A listpack with long values stays a listpack (Redis checks only the count)...
    roundTrip(small, RdbType.HASH_LISTPACK, "listpack", LIMITS);
    // ...and converts when it has more fields than the limit.
    roundTrip(small, RdbType.HASH_LISTPACK, "hashtable", limits(5, 64, 512, 128, 64));
    // A hashtable with a long value loads as a hashtable; without one, as a listpack.
    small.convertToHashtable();
    roundTrip(small, RdbType.HASH, "hashtable", LIMITS);
    HashValue shortValues = HashValue.hashtable(2);
    shortValues.set(b("a"), b("1"), 512, 64);
    roundTrip(shortValues, RdbType.HASH, "listpack", LIMITS);
  }

  @Test
  void zset_listpackAndSkiplist() {
    ZSetValue small = ZSetValue.empty(true, 4);
    small.insert(b("a"), 1);
    small.insert(b("b"), 2.5);
    small.insert(b("c"), Double.NEGATIVE_INFINITY);
    small.insert(b("d"), Double.POSITIVE_INFINITY);
    small.insert(b("e"), 1e300);
    small.insert(b("f"), -0.1);
    small.insert(b("g"), 4611686018427387904.0);
    roundTrip(small, RdbType.ZSET_LISTPACK, "listpack", LIMITS);
    ZSetValue big = ZSetValue.empty(false, 300);
    for (int i = 0; i < 300; i++) {
      big.insert(b("member" + i), i * 0.25 - 10);
    }
    roundTrip(big, RdbType.ZSET_2, "skiplist", LIMITS);
    // A skiplist that fits the limits loads as a listpack, as Redis converts after loading.
    ZSetValue fits = ZSetValue.empty(false, 2);
    fits.insert(b("x"), 1);
    roundTrip(fits, RdbType.ZSET_2, "listpack", LIMITS);
    // A listpack with too many entries for the limits loads as a skiplist.
    roundTrip(small, RdbType.ZSET_LISTPACK, "skiplist", limits(512, 64, 512, 3, 64));
  }

  @Property(tries = 100)
  void hash_anyContent_roundTrips(
      @ForAll @Size(max = 40) java.util.Map<@Size(max = 100) byte[], @Size(max = 100) byte[]> m) {
    HashValue h = new HashValue();
    // The generated map compares byte[] keys by identity, so equal fields can repeat: the last
    // value set wins, as in the hash.
    java.util.Map<java.nio.ByteBuffer, byte[]> content = new java.util.HashMap<>();
    m.forEach(
        (f, v) -> {
          h.set(f, v, 512, 64);
          content.put(java.nio.ByteBuffer.wrap(f), v);
        });
    if (h.size() > 0) {
      // Loading picks the encoding from the content, as Redis does: a hash converted by a long
      // value that was since replaced by a short one comes back as a listpack.
      boolean fits =
          content.size() <= 512
              && content.entrySet().stream()
                  .allMatch(e -> e.getKey().remaining() <= 64 && e.getValue().length <= 64);
      roundTrip(
          h,
          h.isListpack() ? RdbType.HASH_LISTPACK : RdbType.HASH,
          fits ? "listpack" : "hashtable",
          LIMITS);
    }
  }

  private static EncodingLimits limits(
      long hashEntries, long hashValue, long intset, long zsetEntries, long zsetValue) {
    return new EncodingLimits(hashEntries, hashValue, intset, zsetEntries, zsetValue, -2);
  }
}
