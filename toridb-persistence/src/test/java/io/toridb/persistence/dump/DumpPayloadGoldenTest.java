package io.toridb.persistence.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.persistence.rdb.EncodingLimits;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Payloads captured from a real Redis 7.0.15 (every type and encoding, and the older formats Redis
 * still loads) decode to the value Redis holds: same DEBUG DIGEST-VALUE, same OBJECT ENCODING.
 * Dumping the decoded value again and decoding that gives the same value back.
 */
class DumpPayloadGoldenTest {
  static List<GoldenDumps.Golden> goldens() {
    return GoldenDumps.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void goldenPayload_decodesToRedissValue(GoldenDumps.Golden g) {
    assertTrue(DumpPayload.verify(g.payload()), "footer");
    StoredValue v = DumpPayload.load(g.payload(), EncodingLimits.DEFAULTS);
    assertEquals(g.digest(), DatasetDigest.ofValue(v), "digest of " + g.commands());
    assertEquals(g.encoding(), v.encoding(), "encoding");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void goldenValue_dumpedAgain_roundTrips(GoldenDumps.Golden g) {
    StoredValue v = DumpPayload.load(g.payload(), EncodingLimits.DEFAULTS);
    byte[] again = DumpPayload.create(v);
    assertTrue(DumpPayload.verify(again));
    StoredValue back = DumpPayload.load(again, EncodingLimits.DEFAULTS);
    assertEquals(g.digest(), DatasetDigest.ofValue(back));
    assertEquals(g.encoding(), back.encoding());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void smallStringsAndListpacks_dumpByteIdenticalToRedis(GoldenDumps.Golden g) {
    // Where Redis's bytes follow from the content alone (no LZF choices, no table order), ToriDB
    // writes the very same payload.
    boolean canonical =
        g.name().startsWith("string-")
                && !g.name().contains("lzf")
                && !g.name().contains("incompressible")
            || g.name().equals("hash-listpack")
            || g.name().equals("set-intset16")
            || g.name().equals("set-intset32")
            || g.name().equals("list-small")
            || g.name().equals("list-integers");
    if (!canonical) {
      return;
    }
    StoredValue v = DumpPayload.load(g.payload(), EncodingLimits.DEFAULTS);
    assertArrayEquals(g.payload(), DumpPayload.create(v), g.name());
  }
}
