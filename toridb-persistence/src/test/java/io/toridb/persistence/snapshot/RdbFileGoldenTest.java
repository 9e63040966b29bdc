package io.toridb.persistence.snapshot;

import static io.toridb.persistence.snapshot.RdbFiles.b;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.string.StringValue;
import io.toridb.persistence.rdb.Crc64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes of a small file: the magic, the AUX fields in Redis's order and encodings, the
 * SELECTDB/RESIZEDB/EXPIRETIME_MS/EOF opcodes and the checksum. A change here breaks files that
 * Redis (and earlier versions of this server) read.
 */
class RdbFileGoldenTest {
  @Test
  void oneKeyWithExpiry_hasExactlyRedisLayout() throws Exception {
    StoredValue v = StringValue.of(b("v"));
    RdbFileRoundTripTest.setExpiry(v, 0x0000_0102_0304_0506L);
    byte[] file = RdbFiles.write(List.of(new RdbFiles.Entry(0, Key.of("k"), v)));
    String expected =
        hex("REDIS0010")
            // AUX redis-ver "7.0.15"
            + "fa09"
            + hex("redis-ver")
            + "06"
            + hex("7.0.15")
            // AUX redis-bits 64, as an 8-bit integer string
            + "fa0a"
            + hex("redis-bits")
            + "c040"
            // AUX ctime 1700000000, as a 32-bit integer string
            + "fa05"
            + hex("ctime")
            + "c200f15365"
            // AUX used-mem 1000000
            + "fa08"
            + hex("used-mem")
            + "c240420f00"
            // AUX aof-base 0
            + "fa08"
            + hex("aof-base")
            + "c000"
            // SELECTDB 0, RESIZEDB 1 1
            + "fe00"
            + "fb0101"
            // EXPIRETIME_MS, 8 bytes little endian
            + "fc0605040302010000"
            // type string, key "k", value "v"
            + "00016b0176"
            // EOF
            + "ff";
    String actual = HexFormat.of().formatHex(file);
    assertEquals(expected, actual.substring(0, actual.length() - 16));
    long crc = Crc64.of(file, 0, file.length - 8);
    StringBuilder tail = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      tail.append(String.format("%02x", (crc >>> (8 * i)) & 0xFF));
    }
    assertEquals(tail.toString(), actual.substring(actual.length() - 16));
  }

  @Test
  void opcodes_areRedisNumbers() {
    assertEquals(245, RdbFileWriter.OPCODE_FUNCTION2);
    assertEquals(246, RdbFileWriter.OPCODE_FUNCTION);
    assertEquals(247, RdbFileWriter.OPCODE_MODULE_AUX);
    assertEquals(248, RdbFileWriter.OPCODE_IDLE);
    assertEquals(249, RdbFileWriter.OPCODE_FREQ);
    assertEquals(250, RdbFileWriter.OPCODE_AUX);
    assertEquals(251, RdbFileWriter.OPCODE_RESIZEDB);
    assertEquals(252, RdbFileWriter.OPCODE_EXPIRETIME_MS);
    assertEquals(253, RdbFileWriter.OPCODE_EXPIRETIME);
    assertEquals(254, RdbFileWriter.OPCODE_SELECTDB);
    assertEquals(255, RdbFileWriter.OPCODE_EOF);
  }

  private static String hex(String ascii) {
    return HexFormat.of().formatHex(b(ascii));
  }
}
