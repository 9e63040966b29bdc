package io.toridb.persistence.aof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.propagation.PropagationSink.Effect;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a log back, and telling a torn tail (cut off at startup) from damage (refused). */
class AofReaderTest {
  @TempDir Path dir;

  /** Three records: SET k0 v0, a transaction (INCR n, DEL x), SET k2 with a longer value. */
  private static List<byte[]> records() {
    List<byte[]> out = new ArrayList<>();
    out.add(AofRecord.encode(0, argv("SET", "k0", "v0")));
    out.add(
        AofRecord.encode(
            List.of(new Effect(0, argv("INCR", "n")), new Effect(1, argv("DEL", "x")))));
    out.add(AofRecord.encode(2, argv("SET", "k2", "a-longer-value-for-the-last-record")));
    out.forEach(AofRecord::seal);
    return out;
  }

  private static byte[][] argv(String... args) {
    byte[][] out = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      out[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private Path write(byte[] bytes) throws IOException {
    Path f = Files.createTempFile(dir, "part", ".aof");
    Files.write(f, bytes);
    return f;
  }

  private static final class Collected implements AofReader.RecordSink {
    final List<String> writes = new ArrayList<>();

    @Override
    public void accept(List<Effect> effects, long end) {
      StringBuilder sb = new StringBuilder();
      for (Effect e : effects) {
        sb.append(sb.length() == 0 ? "" : " | ").append(e.db());
        for (byte[] a : e.argv()) {
          sb.append(' ').append(new String(a, StandardCharsets.UTF_8));
        }
      }
      writes.add(sb.toString());
    }
  }

  @Test
  void completeFile_readsEveryRecordInOrder() throws IOException {
    byte[] all = concat(records());
    Collected c = new Collected();
    AofReader.Result r = AofReader.read(write(all), c);
    assertEquals(AofReader.Outcome.COMPLETE, r.outcome());
    assertEquals(3, r.records());
    assertEquals(all.length, r.goodBytes());
    assertNull(r.problem());
    assertEquals(
        List.of("0 SET k0 v0", "0 INCR n | 1 DEL x", "2 SET k2 a-longer-value-for-the-last-record"),
        c.writes);
  }

  /** A log written before version 2, appended to after: one file, records of both versions. */
  @Test
  void recordsOfBothVersions_readInOrder() throws IOException {
    byte[] v1 =
        concat(
            List.of(
                new byte[] {0x54, 0x52, 1, 1, 0, 0, 0, 0x1f},
                java.util.HexFormat.of().parseHex("7fc3dcfa00000003"),
                "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".getBytes(StandardCharsets.US_ASCII)));
    List<byte[]> parts = new ArrayList<>(records());
    parts.add(1, v1);
    Collected c = new Collected();
    AofReader.Result r = AofReader.read(write(concat(parts)), c);
    assertEquals(AofReader.Outcome.COMPLETE, r.outcome(), r.problem());
    assertEquals(4, r.records());
    assertEquals(
        List.of(
            "0 SET k0 v0",
            "3 SET k v",
            "0 INCR n | 1 DEL x",
            "2 SET k2 a-longer-value-for-the-last-record"),
        c.writes);
  }

  /**
   * A value ending in zero bytes does not make the file look as if it ended in reserved space: the
   * end marker keeps a record from ending in a zero byte, so damage before it is still damage.
   */
  @Test
  void damageBeforeALastValueEndingInZeros_isDamage() throws IOException {
    List<byte[]> recs = records();
    byte[] last =
        AofRecord.encode(0, new byte[][] {"SET".getBytes(), "z".getBytes(), new byte[64]});
    AofRecord.seal(last);
    recs.add(last);
    byte[] all = concat(recs);
    assertEquals(AofRecord.END, all[all.length - 1]);
    all[recs.get(0).length + AofRecord.HEADER + 2] ^= 0x10;
    AofReader.Result r = AofReader.read(write(all), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome(), r.problem());
    assertEquals(recs.get(0).length, r.goodBytes());
  }

  /** Records of about {@code bytes} in all: SETs with 1 KiB values. */
  private static List<byte[]> filler(int bytes) {
    List<byte[]> out = new ArrayList<>();
    byte[] value = new byte[1024];
    Arrays.fill(value, (byte) 'v');
    for (int n = 0, i = 0; n < bytes; i++) {
      byte[] r = AofRecord.encode(0, new byte[][] {"SET".getBytes(), ("f" + i).getBytes(), value});
      AofRecord.seal(r);
      out.add(r);
      n += r.length;
    }
    return out;
  }

  private static long allocatedByThisThread() {
    return ((com.sun.management.ThreadMXBean)
            java.lang.management.ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  /**
   * A flipped bit in a length field can make a record claim most of a large file: its checksum is
   * checked from the file before a buffer of that size is allocated, so the damage is reported
   * without the reader needing (and perhaps running out of) that much memory.
   */
  @Test
  void aDamagedLengthClaimingMegabytes_isFoundWithoutAllocatingThem() throws IOException {
    List<byte[]> recs = new ArrayList<>(records());
    recs.addAll(filler(12 << 20));
    byte[] all = concat(recs);
    int claimed = 8 << 20;
    all[4] = (byte) (claimed >>> 24);
    all[5] = (byte) (claimed >>> 16);
    all[6] = (byte) (claimed >>> 8);
    all[7] = (byte) claimed;
    Path f = write(all);
    org.junit.jupiter.api.Assumptions.assumeTrue(allocatedByThisThread() >= 0);
    long before = allocatedByThisThread();
    AofReader.Result r = AofReader.read(f, new Collected(), 1 << 20);
    long allocated = allocatedByThisThread() - before;
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome(), r.problem());
    assertEquals(0, r.goodBytes());
    assertEquals("checksum mismatch", r.problem());
    assertTrue(allocated < claimed / 2, "allocated " + allocated + " bytes");
  }

  /** A record at least as large as that is read as usual when its checksum matches. */
  @Test
  void aLargeRecordWithAMatchingChecksum_isReadAsUsual() throws IOException {
    byte[] value = new byte[(1 << 20) + 5];
    Arrays.fill(value, (byte) 'x');
    value[value.length - 1] = 'y';
    byte[] big = AofRecord.encode(0, new byte[][] {"SET".getBytes(), "big".getBytes(), value});
    AofRecord.seal(big);
    List<byte[]> recs = new ArrayList<>(records());
    recs.add(1, big);
    List<byte[][]> seen = new ArrayList<>();
    AofReader.Result r =
        AofReader.read(
            write(concat(recs)),
            (effects, end) -> effects.forEach(e -> seen.add(e.argv())),
            1 << 20);
    assertEquals(AofReader.Outcome.COMPLETE, r.outcome(), r.problem());
    assertEquals(4, r.records());
    assertArrayEquals(value, seen.get(1)[2]);
  }

  /** SET k0 v0, a transaction of five writes in three parts, SET k2 ...: the parts and all. */
  private static List<byte[]> recordsWithParts() {
    List<Effect> tx = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tx.add(new Effect(i % 2, argv("SET", "t" + i, "value-" + i)));
    }
    byte[][] parts = AofRecord.encodeTransaction(tx, 40);
    assertEquals(3, parts.length);
    List<byte[]> recs = records();
    List<byte[]> out = new ArrayList<>();
    out.add(recs.get(0));
    for (byte[] p : parts) {
      AofRecord.seal(p);
      out.add(p);
    }
    out.add(recs.get(2));
    return out;
  }

  private static final String TX =
      "0 SET t0 value-0 | 1 SET t1 value-1 | 0 SET t2 value-2 | 1 SET t3 value-3 | 0 SET t4 value-4";

  @Test
  void transactionInParts_reachesTheSinkWhole() throws IOException {
    byte[] all = concat(recordsWithParts());
    Collected c = new Collected();
    AofReader.Result r = AofReader.read(write(all), c);
    assertEquals(AofReader.Outcome.COMPLETE, r.outcome(), r.problem());
    assertEquals(3, r.records());
    assertEquals(
        List.of("0 SET k0 v0", TX, "2 SET k2 a-longer-value-for-the-last-record"), c.writes);
  }

  /** A crash inside a transaction's parts loses it whole: nothing of it is applied. */
  @Test
  void fileCutAnywhereInsideTheParts_isATornTailFromTheFirstPart() throws IOException {
    List<byte[]> recs = recordsWithParts();
    byte[] all = concat(recs);
    int partsStart = recs.get(0).length;
    int partsEnd = all.length - recs.get(4).length;
    for (int cut = partsStart + 1; cut < partsEnd; cut++) {
      Collected c = new Collected();
      AofReader.Result r = AofReader.read(write(Arrays.copyOf(all, cut)), c);
      assertEquals(AofReader.Outcome.TORN_TAIL, r.outcome(), "cut at " + cut);
      assertEquals(partsStart, r.goodBytes(), "cut at " + cut);
      assertEquals(List.of("0 SET k0 v0"), c.writes, "cut at " + cut);
      assertEquals(1, r.records(), "cut at " + cut);
    }
    // Cut between two parts, with the zeros a crash over reserved space leaves.
    int afterFirstPart = partsStart + recs.get(1).length;
    byte[] padded = Arrays.copyOf(Arrays.copyOf(all, afterFirstPart), afterFirstPart + 4096);
    AofReader.Result r = AofReader.read(write(padded), new Collected());
    assertEquals(AofReader.Outcome.TORN_TAIL, r.outcome());
    assertEquals("transaction cut short: its last part is missing", r.problem());
    assertEquals(partsStart, r.goodBytes());
  }

  @Test
  void partsOutOfPlace_areDamage() throws IOException {
    List<byte[]> recs = recordsWithParts();
    // A whole record between two parts.
    List<byte[]> between = new ArrayList<>(recs);
    between.add(2, recs.get(0));
    Collected c = new Collected();
    AofReader.Result r = AofReader.read(write(concat(between)), c);
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome(), r.problem());
    assertEquals("a record between the parts of a transaction", r.problem());
    assertEquals(recs.get(0).length, r.goodBytes());
    assertEquals(List.of("0 SET k0 v0"), c.writes);
    // A last part with no first.
    List<byte[]> headless = new ArrayList<>(recs);
    headless.remove(1);
    headless.remove(1);
    r = AofReader.read(write(concat(headless)), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome(), r.problem());
    assertEquals("last part of a transaction with no first part", r.problem());
    assertEquals(recs.get(0).length, r.goodBytes());
    // A damaged middle part, with records after it.
    byte[] all = concat(recs);
    all[recs.get(0).length + recs.get(1).length + AofRecord.HEADER + 3] ^= 0x04;
    r = AofReader.read(write(all), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome(), r.problem());
    assertEquals(recs.get(0).length, r.goodBytes());
  }

  @Test
  void versionOneRecords_ofThePartKinds_areDamage() throws IOException {
    byte[] rec = records().get(0).clone();
    rec[2] = AofRecord.VERSION_RESP;
    rec[3] = AofRecord.KIND_PART;
    assertEquals(
        "unknown record kind 3",
        AofReader.read(write(concat(List.of(rec, records().get(1)))), new Collected()).problem());
  }

  @Test
  void emptyFile_isComplete() throws IOException {
    AofReader.Result r = AofReader.read(write(new byte[0]), new Collected());
    assertEquals(AofReader.Outcome.COMPLETE, r.outcome());
    assertEquals(0, r.records());
  }

  @Test
  void cutAtEveryOffsetOfTheLastRecord_isATornTail_andKeepsTheRecordsBefore() throws IOException {
    List<byte[]> recs = records();
    byte[] all = concat(recs);
    int lastStart = all.length - recs.get(2).length;
    for (int cut = lastStart + 1; cut < all.length; cut++) {
      Collected c = new Collected();
      AofReader.Result r = AofReader.read(write(Arrays.copyOf(all, cut)), c);
      assertEquals(AofReader.Outcome.TORN_TAIL, r.outcome(), "cut at " + cut);
      assertEquals(lastStart, r.goodBytes(), "cut at " + cut);
      assertEquals(2, c.writes.size(), "cut at " + cut);
    }
  }

  @Test
  void lastRecordWithGarbageOrZerosInItsPayload_isATornTail() throws IOException {
    List<byte[]> recs = records();
    byte[] all = concat(recs);
    int lastStart = all.length - recs.get(2).length;
    byte[] zeroed = all.clone();
    Arrays.fill(zeroed, lastStart + 20, all.length, (byte) 0);
    AofReader.Result r = AofReader.read(write(zeroed), new Collected());
    assertEquals(AofReader.Outcome.TORN_TAIL, r.outcome());
    assertEquals(lastStart, r.goodBytes());
    // Zeros over the rest of the file from inside a record's header on: torn too.
    byte[] headerCut = all.clone();
    Arrays.fill(headerCut, lastStart + 2, all.length, (byte) 0);
    r = AofReader.read(write(headerCut), new Collected());
    assertEquals(AofReader.Outcome.TORN_TAIL, r.outcome());
    assertEquals(lastStart, r.goodBytes());
  }

  @Test
  void aBatchTornOverReservedSpace_isATornTail_onlyWhileTheFileEndsInZeros() throws IOException {
    List<byte[]> recs = records();
    byte[] all = concat(recs);
    int lastStart = all.length - recs.get(2).length;
    // The last record's first bytes never reached the disk, a later block of its batch did.
    byte[] image = Arrays.copyOf(all, all.length + 8192);
    Arrays.fill(image, lastStart, lastStart + 6, (byte) 0);
    AofReader.Result r = AofReader.read(write(image), new Collected());
    assertEquals(AofReader.Outcome.TORN_TAIL, r.outcome(), r.problem());
    assertEquals(lastStart, r.goodBytes());
    // The same damage in a file that does not end in zeros was not left by a write in progress.
    r = AofReader.read(write(Arrays.copyOf(image, all.length)), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome());
    // Nor is data far past the bad record, more than one batch of writes could have left.
    byte[] far = new byte[lastStart + AofRecord.HEADER + AofWriter.RESERVE_BYTES + 100];
    System.arraycopy(all, 0, far, 0, all.length);
    Arrays.fill(far, lastStart, lastStart + 6, (byte) 0);
    far[lastStart + AofRecord.HEADER + AofWriter.RESERVE_BYTES + 10] = 1;
    r = AofReader.read(write(far), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome());
  }

  /**
   * A large record and a small one after it, written a piece at a time over reserved zeros, the
   * last piece left in part by a crash (a block of the large record missing, the small record
   * there): torn, however far the data lies from the large record's start. Damage before them stays
   * damage.
   */
  @Test
  void aLargeRecordTornInItsLastPiece_isATornTail() throws IOException {
    List<byte[]> recs = records();
    byte[] big = new byte[3 << 20];
    Arrays.fill(big, (byte) 'v');
    byte[] large = AofRecord.encode(0, new byte[][] {"SET".getBytes(), "big".getBytes(), big});
    AofRecord.seal(large);
    byte[] small = AofRecord.encode(0, argv("SET", "after", "1"));
    AofRecord.seal(small);
    byte[] before = concat(recs);
    byte[] written = concat(List.of(before, large, small));
    byte[] image = Arrays.copyOf(written, written.length + 8192);
    int hole = before.length + large.length - AofWriter.PIECE_BYTES / 2;
    Arrays.fill(image, hole, hole + 4096, (byte) 0);
    Collected c = new Collected();
    AofReader.Result r = AofReader.read(write(image), c);
    assertEquals(AofReader.Outcome.TORN_TAIL, r.outcome(), r.problem());
    assertEquals(before.length, r.goodBytes());
    assertEquals(3, c.writes.size());
    // Damage in an earlier record, with the large one whole after it: damage.
    byte[] early = Arrays.copyOf(written, written.length + 8192);
    early[recs.get(0).length + AofRecord.HEADER + 2] ^= 0x10;
    r = AofReader.read(write(early), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome(), r.problem());
    assertEquals(recs.get(0).length, r.goodBytes());
  }

  @Test
  void zerosAfterTheLastWholeRecord_arePadding_notDamage() throws IOException {
    List<byte[]> recs = records();
    byte[] all = concat(recs);
    // Space the writer reserved past its records (a crash before the close cut it off), from a
    // few bytes (less than a header) to many blocks.
    for (int zeros : new int[] {1, AofRecord.HEADER - 1, AofRecord.HEADER, 4096, 1 << 20}) {
      Collected c = new Collected();
      AofReader.Result r = AofReader.read(write(Arrays.copyOf(all, all.length + zeros)), c);
      assertEquals(AofReader.Outcome.PADDED, r.outcome(), zeros + " zeros");
      assertEquals(all.length, r.goodBytes());
      assertEquals(all.length + zeros, r.fileBytes());
      assertEquals(3, r.records());
      assertEquals(3, c.writes.size());
    }
    // Nothing but zeros: the reservation of a file whose records never reached the disk.
    AofReader.Result r = AofReader.read(write(new byte[5000]), new Collected());
    assertEquals(AofReader.Outcome.PADDED, r.outcome());
    assertEquals(0, r.goodBytes());
    // Zeros with anything after them are not padding.
    byte[] gap = Arrays.copyOf(all, all.length + 4096);
    gap[gap.length - 1] = 1;
    r = AofReader.read(write(gap), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome());
    assertEquals(all.length, r.goodBytes());
  }

  @Test
  void flippedBitInAnEarlierRecord_isDamage() throws IOException {
    List<byte[]> recs = records();
    byte[] all = concat(recs);
    int second = recs.get(0).length;
    for (int offset = 0; offset < recs.get(0).length + recs.get(1).length; offset++) {
      for (int bit = 0; bit < 8; bit += 3) {
        byte[] damaged = all.clone();
        damaged[offset] ^= (byte) (1 << bit);
        Collected c = new Collected();
        AofReader.Result r = AofReader.read(write(damaged), c);
        String where = "bit " + bit + " of byte " + offset;
        // A flip in the length field can make a record claim to run past the end of the file:
        // that looks like a torn tail, and either way no later record is accepted unverified.
        if (r.outcome() == AofReader.Outcome.TORN_TAIL) {
          assertEquals(offset < second ? 0 : second, r.goodBytes(), where);
          continue;
        }
        assertEquals(AofReader.Outcome.CORRUPT, r.outcome(), where);
        assertEquals(offset < second ? 0 : second, r.goodBytes(), where);
        assertEquals(offset < second ? 0 : 1, c.writes.size(), where);
      }
    }
  }

  @Test
  void garbage_isDamage() throws IOException {
    byte[] garbage = "this is not an append-only file at all\n".getBytes(StandardCharsets.UTF_8);
    AofReader.Result r = AofReader.read(write(garbage), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome());
    assertEquals(0, r.goodBytes());
    assertEquals("bad record magic", r.problem());
  }

  @Test
  void unknownVersionOrKind_isDamage() throws IOException {
    byte[] rec = records().get(0);
    byte[] v = rec.clone();
    v[2] = 0;
    assertEquals(
        "unknown record format version 0",
        AofReader.read(write(concat(List.of(v, rec))), new Collected()).problem());
    byte[] k = rec.clone();
    k[3] = 9;
    assertEquals(
        "unknown record kind 9",
        AofReader.read(write(concat(List.of(k, rec))), new Collected()).problem());
  }

  /**
   * A later version's record is told from damage by its checksum and by what follows it: whole, and
   * followed by no record of a version this build knows (a build writes only its own), it is a
   * newer format, whatever its kind; otherwise damage, as any record.
   */
  @Test
  void aLaterVersionsRecord_isANewerFormat_onlyWhenWholeAndLast() throws IOException {
    List<byte[]> recs = records();
    byte[] newer = later(recs.get(1));
    Collected c = new Collected();
    AofReader.Result r =
        AofReader.read(write(concat(List.of(recs.get(0), newer, later(recs.get(2))))), c);
    assertEquals(AofReader.Outcome.NEWER_FORMAT, r.outcome(), r.problem());
    assertEquals(recs.get(0).length, r.goodBytes());
    assertEquals(1, r.records());
    assertEquals(List.of("0 SET k0 v0"), c.writes);
    assertEquals(
        "record format version "
            + (AofRecord.VERSION + 1)
            + ", written by a newer version of ToriDB (this one reads versions 1 to "
            + AofRecord.VERSION
            + ")",
        r.problem());
    // A record of this version after it: the first one's version byte is damaged.
    r = AofReader.read(write(concat(List.of(recs.get(0), newer, recs.get(2)))), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome(), r.problem());
    assertEquals("unknown record format version " + (AofRecord.VERSION + 1), r.problem());
    assertEquals(recs.get(0).length, r.goodBytes());
    // Its payload damaged: the checksum fails.
    newer[AofRecord.HEADER + 1] ^= 0x01;
    r = AofReader.read(write(concat(List.of(recs.get(0), newer, recs.get(2)))), new Collected());
    assertEquals(AofReader.Outcome.CORRUPT, r.outcome(), r.problem());
    assertEquals("checksum mismatch", r.problem());
  }

  /** The record as a later version would write it: the next version number, a new kind. */
  private static byte[] later(byte[] record) {
    byte[] r = record.clone();
    r[2] = (byte) (AofRecord.VERSION + 1);
    r[3] = 9;
    return r;
  }

  @Test
  void zeroFilledBlockStartingInsideARecord_isATornTail() throws IOException {
    List<byte[]> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] r = AofRecord.encode(0, argv("SET", "key" + i, "value-" + i));
      AofRecord.seal(r);
      many.add(r);
    }
    byte[] all = concat(many);
    Arrays.fill(all, 1024, all.length, (byte) 0);
    AofReader.Result r = AofReader.read(write(all), new Collected());
    assertEquals(AofReader.Outcome.TORN_TAIL, r.outcome(), r.problem());
    // Something non-zero after the damaged record is damage, not a torn write.
    all[all.length - 1] = 7;
    assertEquals(AofReader.Outcome.CORRUPT, AofReader.read(write(all), new Collected()).outcome());
  }
}
