package io.toridb.persistence.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.stream.StreamValue;
import io.toridb.persistence.rdb.EncodingLimits;
import io.toridb.persistence.rdb.RdbObjectWriter;
import io.toridb.persistence.rdb.RdbOutput;
import io.toridb.persistence.rdb.RdbType;
import io.toridb.persistence.rdb.StreamDescription;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stream payloads captured from a real Redis 7.0.15 by {@code dump/capture-golden-streams.py} (type
 * 19, and type 15 as Redis 5 and 6 wrote it) decode to the stream Redis held: entries, counters,
 * node count, groups, pending entries and consumers as XINFO STREAM FULL reported them.
 */
class StreamDumpGoldenTest {
  /** The captured streams whose nodes hold deleted entries, which ToriDB does not write. */
  private static final Set<String> WITH_TOMBSTONES =
      Set.of("stream-tombstones", "stream-many-nodes-and-trim", "stream-groups");

  /** One captured stream. */
  record Golden(String name, String commands, List<String> info, byte[] plain, byte[] payload) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Golden> goldens() throws IOException {
    try (InputStream in =
        StreamDumpGoldenTest.class.getResourceAsStream("/dump/golden-streams.txt")) {
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      List<Golden> out = new ArrayList<>();
      String name = null;
      String commands = null;
      List<String> info = new ArrayList<>();
      byte[] plain = null;
      for (String line : text.split("\n")) {
        if (line.startsWith("name: ")) {
          name = line.substring(6);
          info = new ArrayList<>();
          plain = null;
        } else if (line.startsWith("commands: ")) {
          commands = line.substring(10);
        } else if (line.startsWith("info: ")) {
          info.add(line.substring(6));
        } else if (line.startsWith("plain: ")) {
          plain = HexFormat.of().parseHex(line.substring(7));
        } else if (line.startsWith("payload: ")) {
          out.add(
              new Golden(name, commands, info, plain, HexFormat.of().parseHex(line.substring(9))));
        }
      }
      return out;
    }
  }

  private static StreamValue load(byte[] payload) {
    assertTrue(DumpPayload.verify(payload), "footer");
    return assertInstanceOf(StreamValue.class, DumpPayload.load(payload, EncodingLimits.DEFAULTS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void goldenPayload_decodesToWhatRedisHeld(Golden g) {
    int type = g.payload()[0];
    assertEquals(
        g.name().startsWith("stream-v1-") ? RdbType.STREAM_LISTPACKS : RdbType.STREAM_LISTPACKS_2,
        type);
    assertEquals(g.info(), StreamDescription.of(load(g.payload())), g.commands());
    if (g.plain() != null) {
      assertEquals(g.info(), StreamDescription.of(load(g.plain())), "uncompressed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void goldenValue_dumpedAgain_decodesToTheSameStream(Golden g) {
    byte[] again = DumpPayload.create(load(g.payload()));
    assertEquals(RdbType.STREAM_LISTPACKS_2, again[0]);
    assertEquals(g.info(), StreamDescription.of(load(again)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void streamWithoutTombstones_writtenUncompressed_isByteIdenticalToRedis(Golden g) {
    // With no deleted entry left in its nodes, what ToriDB writes follows from the content alone
    // (LZF output is not compared: Redis's compressor makes choices of its own).
    if (g.plain() == null || WITH_TOMBSTONES.contains(g.name())) {
      return;
    }
    RdbOutput out = new RdbOutput(false);
    RdbObjectWriter.write(out, load(g.payload()));
    assertArrayEquals(g.plain(), DumpPayload.withFooter(out), g.name());
  }
}
