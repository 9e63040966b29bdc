package io.toridb.persistence.dump;

import static io.toridb.persistence.dump.Payloads.body;
import static io.toridb.persistence.dump.Payloads.bytes;
import static io.toridb.persistence.dump.Payloads.concat;
import static io.toridb.persistence.dump.Payloads.str;
import static io.toridb.persistence.dump.Payloads.withFooter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.string.StringValue;
import io.toridb.persistence.rdb.EncodingLimits;
import io.toridb.persistence.rdb.RdbFormatException;
import io.toridb.persistence.rdb.RdbType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The footer checks and the refusal of malformed values, without a server. */
class DumpPayloadTest {
  private static final byte[] BAR = GoldenDumps.named("string-embstr").payload();

  private static StoredValue load(byte[] payload) {
    return DumpPayload.load(payload, EncodingLimits.DEFAULTS);
  }

  private static void assertBadData(byte[] body) {
    byte[] payload = withFooter(body);
    assertTrue(DumpPayload.verify(payload));
    assertThrows(RdbFormatException.class, () -> load(payload));
  }

  @Test
  void create_stringBar_isRedisPayloadByteForByte() {
    // Captured from Redis 7.0.15: DUMP of "bar" (type, string, version 10, CRC64).
    assertEquals("00036261720a00e6be4960ee66fd17", java.util.HexFormat.of().formatHex(BAR));
    assertTrue(Arrays.equals(BAR, DumpPayload.create(StringValue.of(bytes('b', 'a', 'r')))));
  }

  @Test
  void verify_everyFlippedChecksumBit_refused() {
    for (int i = BAR.length - 8; i < BAR.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] p = BAR.clone();
        p[i] ^= (byte) (1 << bit);
        assertFalse(DumpPayload.verify(p), "byte " + i + " bit " + bit);
      }
    }
  }

  @Test
  void verify_everyFlippedContentByte_refused() {
    for (int i = 0; i < BAR.length - 8; i++) {
      byte[] p = BAR.clone();
      p[i] ^= 0x5A;
      assertFalse(DumpPayload.verify(p), "byte " + i);
    }
  }

  @Test
  void verify_newerVersion_refusedEvenWithRightChecksum() {
    byte[] body = body(BAR);
    assertFalse(DumpPayload.verify(withFooter(body, 11)));
    assertFalse(DumpPayload.verify(withFooter(body, 0x100)));
    assertTrue(DumpPayload.verify(withFooter(body, 10)));
    assertTrue(DumpPayload.verify(withFooter(body, 9)));
    assertTrue(DumpPayload.verify(withFooter(body, 0)));
    assertEquals("bar", text(load(withFooter(body, 9))));
  }

  @Test
  void verify_shorterThanFooter_refused() {
    for (int n = 0; n < 10; n++) {
      assertFalse(DumpPayload.verify(new byte[n]));
    }
    assertFalse(DumpPayload.verify("...".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void load_footerOnly_isBadData() {
    byte[] p = withFooter(new byte[0]);
    assertTrue(DumpPayload.verify(p));
    assertThrows(RdbFormatException.class, () -> load(p));
  }

  @Test
  void load_trailingBytesBeforeFooter_ignoredAsRedis() {
    byte[] body = concat(bytes(RdbType.STRING), str("bar"), bytes(1, 2, 3));
    assertEquals("bar", text(load(withFooter(body))));
  }

  static List<GoldenDumps.Golden> goldens() {
    return GoldenDumps.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void load_everyTruncationOfAGoldenValue_isBadDataNotAnotherException(GoldenDumps.Golden g) {
    byte[] body = body(g.payload());
    // Step through long payloads so the test stays quick; every cut of short ones.
    int step = Math.max(1, body.length / 400);
    for (int n = 0; n < body.length; n += step) {
      byte[] cut = withFooter(Arrays.copyOf(body, n));
      assertThrows(RdbFormatException.class, () -> load(cut), "cut at " + n);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void load_everyCorruptedByte_loadsOrIsBadData(GoldenDumps.Golden g) {
    byte[] body = body(g.payload());
    int step = Math.max(1, body.length / 300);
    for (int i = 0; i < body.length; i += step) {
      for (int flip : new int[] {0x01, 0x80, 0xFF}) {
        byte[] b = body.clone();
        b[i] ^= (byte) flip;
        byte[] p = withFooter(b);
        try {
          load(p);
        } catch (RdbFormatException expected) {
          // Refused as it should be; anything else escaping is a bug.
        }
      }
    }
  }

  @Test
  void load_unsupportedTypes_badData() {
    for (int type : new int[] {6, 7, 8, 15, 19, 20, 100, 255}) {
      assertBadData(concat(bytes(type), str("x")));
    }
  }

  @Test
  void load_hugeClaimedLengths_badDataWithoutAllocating() {
    // A 64-bit string length, a 32-bit one, huge counts for every collection, a huge LZF length.
    assertBadData(bytes(RdbType.STRING, 0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
    assertBadData(bytes(RdbType.STRING, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
    assertBadData(bytes(RdbType.STRING, 0x80, 0xFF, 0xFF, 0xFF, 0xF0, 'a'));
    for (int type :
        new int[] {
          RdbType.LIST,
          RdbType.SET,
          RdbType.HASH,
          RdbType.ZSET,
          RdbType.ZSET_2,
          RdbType.LIST_QUICKLIST,
          RdbType.LIST_QUICKLIST_2
        }) {
      assertBadData(bytes(type, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 1, 'a'));
      assertBadData(bytes(type, 0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 'a'));
    }
    // LZF: 3 compressed bytes claiming 2^31 - 1 and 2^40 uncompressed bytes.
    assertBadData(bytes(RdbType.STRING, 0xC3, 3, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 1, 'a', 'b'));
    assertBadData(bytes(RdbType.STRING, 0xC3, 3, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 1, 'a', 'b'));
    // A listpack whose header claims 4 GiB.
    assertBadData(
        concat(bytes(RdbType.HASH_LISTPACK, 7), bytes(0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0xFF)));
  }

  @Test
  void load_emptyCollections_badData() {
    for (int type : new int[] {RdbType.LIST, RdbType.SET, RdbType.HASH, RdbType.ZSET_2}) {
      assertBadData(bytes(type, 0));
    }
    assertBadData(bytes(RdbType.LIST_QUICKLIST_2, 0));
    // One empty listpack node: Redis skips it and then finds the list empty.
    assertBadData(concat(bytes(RdbType.LIST_QUICKLIST_2, 1, 2, 7), bytes(7, 0, 0, 0, 0, 0, 0xFF)));
    assertBadData(concat(bytes(RdbType.HASH_LISTPACK, 7), bytes(7, 0, 0, 0, 0, 0, 0xFF)));
    assertBadData(concat(bytes(RdbType.ZSET_LISTPACK, 7), bytes(7, 0, 0, 0, 0, 0, 0xFF)));
    // An intset of no integers.
    assertBadData(concat(bytes(RdbType.SET_INTSET, 8), bytes(2, 0, 0, 0, 0, 0, 0, 0)));
  }

  @Test
  void load_duplicateMembers_badData() {
    assertBadData(concat(bytes(RdbType.SET, 2), str("a"), str("a")));
    assertBadData(concat(bytes(RdbType.SET, 2), str("7"), str("7")));
    assertBadData(concat(bytes(RdbType.HASH, 2), str("f"), str("1"), str("f"), str("2")));
    assertBadData(concat(bytes(RdbType.ZSET_2, 2), str("m"), new byte[8], str("m"), new byte[8]));
    // Intset not strictly ascending.
    assertBadData(concat(bytes(RdbType.SET_INTSET, 12), bytes(2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 5, 0)));
    // Hash listpack with a repeated field: f 1 f 2.
    assertBadData(
        concat(
            bytes(RdbType.HASH_LISTPACK, 15),
            bytes(15, 0, 0, 0, 4, 0),
            bytes(0x81, 'f', 2, 1, 1, 0x81, 'f', 2, 2, 1, 0xFF)));
    // Sorted set listpack with a repeated member.
    assertBadData(
        concat(
            bytes(RdbType.ZSET_LISTPACK, 15),
            bytes(15, 0, 0, 0, 4, 0),
            bytes(0x81, 'm', 2, 1, 1, 0x81, 'm', 2, 2, 1, 0xFF)));
  }

  @Test
  void load_nanScore_badData() {
    byte[] nan = new byte[8];
    long bits = Double.doubleToRawLongBits(Double.NaN);
    for (int i = 0; i < 8; i++) {
      nan[i] = (byte) (bits >>> (8 * i));
    }
    assertBadData(concat(bytes(RdbType.ZSET_2, 1), str("m"), nan));
    assertBadData(concat(bytes(RdbType.ZSET, 1), str("m"), bytes(253)));
  }

  @Test
  void load_badQuicklistContainer_badData() {
    assertBadData(concat(bytes(RdbType.LIST_QUICKLIST_2, 1, 3), str("x")));
    assertBadData(concat(bytes(RdbType.LIST_QUICKLIST_2, 1, 1, 0)));
  }

  @Test
  void load_garbage_badDataOrValue() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] body = new byte[1 + random.nextInt(40)];
      random.nextBytes(body);
      body[0] = (byte) random.nextInt(20);
      byte[] p = withFooter(body);
      try {
        load(p);
      } catch (RdbFormatException expected) {
        // The only acceptable failure.
      }
    }
  }

  private static String text(StoredValue v) {
    StringValue s = (StringValue) v;
    return new String(s.bytes(), StandardCharsets.ISO_8859_1);
  }
}
