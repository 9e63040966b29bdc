package io.toridb.persistence.snapshot;

import static io.toridb.persistence.snapshot.RdbFiles.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.string.StringValue;
import io.toridb.persistence.rdb.Crc64;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Files that must not load: each is refused with {@link RdbFileReader.Damaged} and a message that
 * says what is wrong, never another exception and never an allocation of what the file claims.
 */
class RdbFileDamageTest {
  private static byte[] sample() throws Exception {
    List<RdbFiles.Entry> entries = new ArrayList<>();
    for (Map.Entry<String, StoredValue> e : RdbFiles.everyEncoding().entrySet()) {
      entries.add(new RdbFiles.Entry(0, Key.of(e.getKey()), e.getValue()));
    }
    return RdbFiles.write(entries);
  }

  private static String refusal(byte[] file) {
    RdbFileReader.Damaged d = assertThrows(RdbFileReader.Damaged.class, () -> RdbFiles.read(file));
    return d.getMessage();
  }

  /** A file built by hand: header, then {@code body}, then EOF and a correct checksum. */
  private static byte[] handMade(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(b("REDIS0010"));
    out.writeBytes(body);
    out.write(0xFF);
    byte[] head = out.toByteArray();
    long crc = Crc64.of(head, 0, head.length);
    for (int i = 0; i < 8; i++) {
      out.write((int) (crc >>> (8 * i)));
    }
    return out.toByteArray();
  }

  private static byte[] bytes(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A string key/value entry: type 0, key, value. */
  private static byte[] stringEntry(String key, String value) {
    return concat(bytes(0, key.length()), b(key), bytes(value.length()), b(value));
  }

  @Test
  void badChecksum_isRefusedWithBothValues() throws Exception {
    byte[] file = sample();
    file[file.length - 1] ^= 1;
    String m = refusal(file);
    assertTrue(m.contains("wrong checksum"), m);
  }

  @Test
  void flippedByteInAValue_isCaughtByTheChecksum() throws Exception {
    byte[] file = sample();
    // Inside the long compressible string's LZF data, where any byte still decodes.
    int at = file.length / 2;
    file[at] ^= 0x01;
    String m = refusal(file);
    assertTrue(m.startsWith("at offset "), m);
  }

  @Test
  void everyTruncation_isRefused() throws Exception {
    byte[] file = sample();
    for (int n = 0; n < file.length; n++) {
      byte[] cut = Arrays.copyOf(file, n);
      String m = refusal(cut);
      assertTrue(m.startsWith("at offset "), n + ": " + m);
    }
  }

  @Test
  void garbage_isNotAnRdbFile() {
    assertTrue(refusal(b("hello, world\n")).contains("not an RDB file"));
    assertTrue(refusal(new byte[0]).contains("not an RDB file"));
  }

  @Test
  void newerVersion_isRefused() {
    byte[] file = handMade(new byte[0]);
    file[8] = '1';
    String m = refusal(file);
    assertTrue(m.contains("RDB format version 0011"), m);
  }

  @Test
  void olderVersionWithoutChecksum_loads() throws Exception {
    // Version 4 files end at EOF: no checksum.
    byte[] body = concat(b("REDIS0004"), stringEntry("k", "v"), bytes(0xFF));
    RdbFiles.Loaded loaded = RdbFiles.read(body);
    assertEquals(1, loaded.result.keysLoaded());
  }

  @Test
  void unknownOpcode_isRefused() {
    String m = refusal(handMade(bytes(8, 1, 'k', 1, 'v')));
    assertTrue(m.contains("unknown opcode or value type 8"), m);
    assertTrue(refusal(handMade(bytes(20))).contains("unknown opcode or value type 20"));
  }

  @Test
  void functionLibrary_isRefused() {
    String m = refusal(handMade(concat(bytes(245, 4), b("code"))));
    assertTrue(m.contains("function library"), m);
    assertTrue(refusal(handMade(bytes(246))).contains("function library"));
  }

  @Test
  void moduleAuxData_isRefused() {
    String m = refusal(handMade(bytes(247, 1, 2, 0)));
    assertTrue(m.contains("module"), m);
  }

  @Test
  void damagedStreamsAndModuleValues_areRefusedNamingTheKey() {
    // A stream of one node whose key is one byte long instead of sixteen.
    String m = refusal(handMade(bytes(19, 1, 's', 1, 1, 'x')));
    assertTrue(m.contains("size of a stream ID") && m.contains("key 's'"), m);
    assertTrue(refusal(handMade(bytes(7, 1, 'm', 0))).contains("module values"));
  }

  @Test
  void databaseBeyondTheServersDatabases_isRefused() {
    String m = refusal(handMade(concat(bytes(254, 16), stringEntry("k", "v"))));
    assertTrue(m.contains("database 16") && m.contains("16 databases"), m);
  }

  @Test
  void duplicateKey_isRefused_unlessMerging() throws Exception {
    byte[] file = handMade(concat(stringEntry("k", "a"), stringEntry("k", "b")));
    assertTrue(refusal(file).contains("duplicate key"));
    RdbFileReader.Options merge =
        RdbFiles.options(System.currentTimeMillis(), true, true, RdbFileWriter.Access.NONE);
    RdbFiles.Loaded loaded = RdbFiles.read(file, merge);
    assertEquals("b", new String(((StringValue) loaded.dbs.get(0).get(Key.of("k"))).bytes()));
  }

  @Test
  void lengthClaimingMoreThanTheFile_isRefusedWithoutAllocating() {
    // A string of 2^32-1 bytes claimed, four bytes present.
    byte[] file = handMade(concat(bytes(0, 1, 'k', 0x80, 0xFF, 0xFF, 0xFF, 0xFF), b("abcd")));
    String m = refusal(file);
    assertTrue(m.contains("unexpected end of file"), m);
    // A set claiming 2^31 members.
    assertTrue(refusal(handMade(bytes(2, 1, 's', 0x80, 0x80, 0, 0, 0))).contains("count"));
  }

  @Test
  void emptyCollection_isSkipped_asRedisDoes() throws Exception {
    // A set of no members, then a string.
    byte[] file = handMade(concat(bytes(2, 1, 's', 0), stringEntry("k", "v")));
    RdbFiles.Loaded loaded = RdbFiles.read(file);
    assertEquals(1, loaded.result.keysLoaded());
    assertEquals(1, loaded.result.emptyKeysSkipped());
  }

  @Test
  void oldExpireTimeInSeconds_andAuxAndResizeDb_areRead() throws Exception {
    byte[] file =
        handMade(
            concat(
                bytes(250, 3),
                b("foo"),
                bytes(3),
                b("bar"),
                bytes(254, 2, 251, 1, 1),
                // EXPIRETIME 2000000000 s (a signed 32-bit number), little endian.
                bytes(253, 0x00, 0x94, 0x35, 0x77),
                stringEntry("k", "v")));
    RdbFiles.Loaded loaded = RdbFiles.read(file);
    assertEquals(1, loaded.dbs.get(2).size());
    assertEquals(2_000_000_000_000L, loaded.expiry.get(Key.of("k")));
  }

  @Property(tries = 300)
  void anyCorruption_isRefusedOrLoads_neverAnotherFailure(
      @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll byte value) throws Exception {
    byte[] file = sample();
    int at = position % file.length;
    file[at] = value;
    // Without the checksum, decoding has to cope with the change itself.
    RdbFileReader.Options noChecksum =
        RdbFiles.options(System.currentTimeMillis(), false, false, RdbFileWriter.Access.NONE);
    try {
      RdbFiles.read(file, noChecksum);
    } catch (RdbFileReader.Damaged expected) {
      // Refused: fine.
    }
  }
}
