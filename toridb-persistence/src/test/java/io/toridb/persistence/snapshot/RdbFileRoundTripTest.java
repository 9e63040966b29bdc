package io.toridb.persistence.snapshot;

import static io.toridb.persistence.snapshot.RdbFiles.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.string.StringValue;
import io.toridb.persistence.rdb.Crc64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Snapshot files written and read back: every type in every encoding, with and without expiry, in
 * several databases; expired keys; access metadata; the checksum and compression switches.
 */
class RdbFileRoundTripTest {
  private static final long FUTURE = 4_102_444_800_000L;

  private static List<RdbFiles.Entry> everyEncodingInTwoDatabases() {
    List<RdbFiles.Entry> entries = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, StoredValue> e : RdbFiles.everyEncoding().entrySet()) {
      StoredValue v = e.getValue().snapshot();
      entries.add(new RdbFiles.Entry(0, Key.of(e.getKey()), v));
      StoredValue withExpiry = e.getValue().snapshot();
      setExpiry(withExpiry, FUTURE + i++);
      entries.add(new RdbFiles.Entry(15, Key.of(e.getKey() + ":ttl"), withExpiry));
    }
    return entries;
  }

  /** Expiry is set through a database in the server; here a private copy carries it. */
  static void setExpiry(StoredValue v, long at) {
    io.toridb.core.keyspace.Keyspace ks = new io.toridb.core.keyspace.Keyspace(1);
    ks.db(0).load(Key.of("tmp"), v, at);
  }

  @Test
  void everyTypeAndEncoding_withAndWithoutExpiry_roundTrips() throws Exception {
    List<RdbFiles.Entry> entries = everyEncodingInTwoDatabases();
    for (boolean compress : new boolean[] {true, false}) {
      byte[] file = RdbFiles.write(entries, compress, true, RdbFileWriter.Access.NONE);
      RdbFiles.Loaded loaded = RdbFiles.read(file);
      assertEquals(entries.size(), loaded.result.keysLoaded());
      assertEquals(0, loaded.result.keysExpired());
      assertEquals(10, loaded.result.version());
      for (RdbFiles.Entry e : entries) {
        StoredValue back = loaded.dbs.get(e.db()).get(e.key());
        assertEquals(
            DatasetDigest.ofValue(e.value()), DatasetDigest.ofValue(back), e.key().toString());
        assertEquals(e.value().encoding(), back.encoding(), e.key().toString());
        Long expiry = loaded.expiry.get(e.key());
        if (e.value().hasExpiry()) {
          assertEquals(e.value().expireAt(), expiry, e.key().toString());
        } else {
          assertNull(expiry, e.key().toString());
        }
      }
      for (int db = 1; db < 15; db++) {
        assertTrue(loaded.dbs.get(db).isEmpty());
      }
    }
  }

  @Test
  void compression_makesRepetitiveStringsSmaller() throws Exception {
    List<RdbFiles.Entry> entries =
        List.of(new RdbFiles.Entry(0, Key.of("k"), StringValue.of(b("x".repeat(10_000)))));
    byte[] packed = RdbFiles.write(entries, true, true, RdbFileWriter.Access.NONE);
    byte[] plain = RdbFiles.write(entries, false, true, RdbFileWriter.Access.NONE);
    assertTrue(packed.length < 1000, "compressed: " + packed.length);
    assertTrue(plain.length > 10_000, "plain: " + plain.length);
  }

  @Test
  void expiredKeys_areSkippedAndCounted() throws Exception {
    StoredValue past = StringValue.of(b("old"));
    setExpiry(past, 1000);
    StoredValue now = StringValue.of(b("new"));
    byte[] file =
        RdbFiles.write(
            List.of(
                new RdbFiles.Entry(0, Key.of("gone"), past),
                new RdbFiles.Entry(0, Key.of("kept"), now)));
    RdbFiles.Loaded loaded = RdbFiles.read(file);
    assertEquals(1, loaded.result.keysLoaded());
    assertEquals(1, loaded.result.keysExpired());
    assertFalse(loaded.dbs.get(0).containsKey(Key.of("gone")));
    assertTrue(loaded.dbs.get(0).containsKey(Key.of("kept")));
  }

  @Test
  void keyExpiringAtTheLoadInstant_isKept() throws Exception {
    StoredValue v = StringValue.of(b("v"));
    setExpiry(v, 5000);
    byte[] file = RdbFiles.write(List.of(new RdbFiles.Entry(0, Key.of("k"), v)));
    // Redis skips a key whose expiry is before now, not at now.
    assertEquals(1, RdbFiles.read(file, RdbFiles.options(5000)).result.keysLoaded());
    assertEquals(0, RdbFiles.read(file, RdbFiles.options(5001)).result.keysLoaded());
  }

  @Test
  void checksumOff_writesZero_andZeroIsAccepted() throws Exception {
    byte[] file =
        RdbFiles.write(
            List.of(new RdbFiles.Entry(0, Key.of("k"), StringValue.of(b("v")))),
            true,
            false,
            RdbFileWriter.Access.NONE);
    assertArrayEquals(new byte[8], Arrays.copyOfRange(file, file.length - 8, file.length));
    assertEquals(1, RdbFiles.read(file).result.keysLoaded());
  }

  @Test
  void checksum_isTheCrc64OfEverythingBeforeIt() throws Exception {
    byte[] file = RdbFiles.write(everyEncodingInTwoDatabases());
    long crc = Crc64.of(file, 0, file.length - 8);
    for (int i = 0; i < 8; i++) {
      assertEquals((byte) (crc >>> (8 * i)), file[file.length - 8 + i]);
    }
  }

  @Test
  void lfuCounter_andLruIdleTime_roundTrip() throws Exception {
    long now = System.currentTimeMillis();
    StoredValue v = StringValue.of(b("v"));
    v.setLfuFrequency(now, 77);
    byte[] lfu =
        RdbFiles.write(
            List.of(new RdbFiles.Entry(0, Key.of("k"), v)), true, true, RdbFileWriter.Access.LFU);
    RdbFileReader.Options lfuOptions = RdbFiles.options(now, true, false, RdbFileWriter.Access.LFU);
    StoredValue back = RdbFiles.read(lfu, lfuOptions).dbs.get(0).get(Key.of("k"));
    assertEquals(77, back.lfuFrequency(now, 1));

    StoredValue idle = StringValue.of(b("v"));
    idle.idleSeconds(now, 500);
    byte[] lru =
        RdbFiles.write(
            List.of(new RdbFiles.Entry(0, Key.of("k"), idle)),
            true,
            true,
            RdbFileWriter.Access.LRU);
    RdbFileReader.Options lruOptions = RdbFiles.options(now, true, false, RdbFileWriter.Access.LRU);
    StoredValue idleBack = RdbFiles.read(lru, lruOptions).dbs.get(0).get(Key.of("k"));
    assertEquals(500, idleBack.idleSeconds(now));
  }

  @Test
  void databaseAppearingTwice_isReadIntoTheSameDatabase() throws Exception {
    // As a point-in-time scan writes the keys that changed before the walk reached them.
    byte[] file =
        RdbFiles.write(
            List.of(
                new RdbFiles.Entry(3, Key.of("a"), StringValue.of(b("1"))),
                new RdbFiles.Entry(5, Key.of("b"), StringValue.of(b("2"))),
                new RdbFiles.Entry(3, Key.of("c"), StringValue.of(b("3")))));
    RdbFiles.Loaded loaded = RdbFiles.read(file);
    assertEquals(2, loaded.dbs.get(3).size());
    assertEquals(1, loaded.dbs.get(5).size());
  }

  @Test
  void emptyFile_ofNoKeys_isHeaderAuxAndEof() throws Exception {
    byte[] file = RdbFiles.write(List.of());
    RdbFiles.Loaded loaded = RdbFiles.read(file);
    assertEquals(0, loaded.result.keysLoaded());
    assertEquals("REDIS0010", new String(file, 0, 9, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(0xFF, file[file.length - 9] & 0xFF);
  }

  @Property(tries = 60)
  void anyStrings_inAnyDatabase_roundTrip(
      @ForAll @Size(max = 30) List<@Size(max = 3000) byte[]> values,
      @ForAll @IntRange(min = 0, max = 15) int db)
      throws Exception {
    List<RdbFiles.Entry> entries = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      entries.add(new RdbFiles.Entry(db, Key.of("k" + i), StringValue.of(values.get(i))));
    }
    RdbFiles.Loaded loaded = RdbFiles.read(RdbFiles.write(entries));
    assertEquals(values.size(), loaded.dbs.get(db).size());
    for (int i = 0; i < values.size(); i++) {
      assertArrayEquals(
          values.get(i), ((StringValue) loaded.dbs.get(db).get(Key.of("k" + i))).bytes());
    }
  }
}
