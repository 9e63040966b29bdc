package io.toridb.persistence.aof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.propagation.PropagationSink.Effect;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The record format: golden bytes pin every persisted number; round trips; malformed payloads. */
class AofRecordTest {
  private static byte[][] argv(String... args) {
    byte[][] out = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      out[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  @Test
  void oneWrite_hasTheDocumentedBytes() {
    byte[] r = AofRecord.encode(3, argv("SET", "k", "v"));
    AofRecord.seal(r);
    // Magic "TR", version 2, kind 1, length 11, CRC32C; then database 3, three arguments
    // (3 "SET", 1 "k", 1 "v") and the end marker.
    String payload = "030303" + hex("SET") + "01" + hex("k") + "01" + hex("v") + "0a";
    assertEquals("54520201" + "0000000b" + "114c28bf" + payload, HexFormat.of().formatHex(r));
  }

  @Test
  void transaction_isOneRecordOfKindTwo() {
    byte[] r =
        AofRecord.encode(
            List.of(new Effect(0, argv("INCR", "a")), new Effect(1, argv("DEL", "b"))));
    AofRecord.seal(r);
    String payload =
        "000204" + hex("INCR") + "01" + hex("a") + "010203" + hex("DEL") + "01" + hex("b") + "0a";
    assertEquals("54520202" + "00000012" + "966506df" + payload, HexFormat.of().formatHex(r));
  }

  @Test
  void lengthsFrom128Up_takeMoreVarintBytes() {
    byte[] r = AofRecord.encode(0, new byte[][] {"SET".getBytes(), "x".repeat(300).getBytes()});
    AofRecord.seal(r);
    // 300 = 0b10_0101100: low seven bits with the high bit set (0xac), then 2.
    String payload = "000203" + hex("SET") + "ac02" + hex("x".repeat(300)) + "0a";
    assertEquals("54520201" + "00000135" + "58514f51" + payload, HexFormat.of().formatHex(r));
  }

  @Test
  void varintSizes_matchWhatIsWritten() {
    int[] values = {0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455};
    int[] sizes = {1, 1, 1, 2, 2, 3, 3, 4, 4};
    for (int i = 0; i < values.length; i++) {
      byte[] out = new byte[5];
      assertEquals(sizes[i], AofRecord.putVarint(out, 0, values[i]), "value " + values[i]);
      assertEquals(sizes[i], AofRecord.varintSize(values[i]), "value " + values[i]);
    }
    byte[] out = new byte[5];
    assertEquals(5, AofRecord.putVarint(out, 0, Integer.MAX_VALUE));
    assertEquals("ffffffff07", HexFormat.of().formatHex(out));
    assertEquals(5, AofRecord.varintSize(Integer.MAX_VALUE));
  }

  /** Logs written before version 2 stay readable: these are the bytes version 1 wrote. */
  @Test
  void versionOneRecords_stillDecode() throws Exception {
    String one =
        "54520101"
            + "0000001f"
            + "7fc3dcfa"
            + "00000003"
            + hex("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    String tx =
        "54520102"
            + "00000031"
            + "58450b69"
            + "00000000"
            + hex("*2\r\n$4\r\nINCR\r\n$1\r\na\r\n")
            + "00000001"
            + hex("*2\r\n$3\r\nDEL\r\n$1\r\nb\r\n");
    List<Effect> write = decodeRecord(HexFormat.of().parseHex(one));
    assertEquals(1, write.size());
    assertEquals(3, write.get(0).db());
    assertArrayEquals(argv("SET", "k", "v"), write.get(0).argv());
    List<Effect> both = decodeRecord(HexFormat.of().parseHex(tx));
    assertEquals(2, both.size());
    assertEquals(0, both.get(0).db());
    assertArrayEquals(argv("INCR", "a"), both.get(0).argv());
    assertEquals(1, both.get(1).db());
    assertArrayEquals(argv("DEL", "b"), both.get(1).argv());
  }

  /** Checks the header and CRC32C as the reader does, then decodes by the record's version. */
  private static List<Effect> decodeRecord(byte[] r) throws Exception {
    assertEquals(null, AofReader.checkHeader(r));
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(r, AofRecord.HEADER, r.length - AofRecord.HEADER);
    assertEquals(AofRecord.getInt(r, 8), (int) crc.getValue());
    assertEquals(AofRecord.getInt(r, 4), r.length - AofRecord.HEADER);
    return AofRecord.decode(
        r[2], r[3], ByteBuffer.wrap(r, AofRecord.HEADER, r.length - AofRecord.HEADER));
  }

  @Test
  void transactionTooLargeForOneRecord_isWrittenInParts() {
    List<Effect> effects =
        List.of(new Effect(0, argv("INCR", "a")), new Effect(1, argv("DEL", "b")));
    // The two writes take 18 bytes as one record's payload; at most 10 a record, one a part.
    byte[][] parts = AofRecord.encodeTransaction(effects, 10);
    assertEquals(2, parts.length);
    AofRecord.seal(parts[0]);
    AofRecord.seal(parts[1]);
    assertEquals(
        "54520203" + "0000000a" + "abe9baf0" + "000204" + hex("INCR") + "01" + hex("a") + "0a",
        HexFormat.of().formatHex(parts[0]));
    assertEquals(
        "54520204" + "00000009" + "79e8448f" + "010203" + hex("DEL") + "01" + hex("b") + "0a",
        HexFormat.of().formatHex(parts[1]));
    // Fitting, they are one record of kind 2, as encode writes it.
    byte[][] one = AofRecord.encodeTransaction(effects, 18);
    assertEquals(1, one.length);
    assertArrayEquals(AofRecord.encode(effects), one[0]);
  }

  @Test
  void parts_holdAsManyWritesAsFit_andDecodeBackInOrder() throws Exception {
    Random random = new Random(7);
    List<Effect> effects = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] value = new byte[random.nextInt(200)];
      random.nextBytes(value);
      effects.add(new Effect(i % 3, new byte[][] {"SET".getBytes(), ("k" + i).getBytes(), value}));
    }
    byte[][] parts = AofRecord.encodeTransaction(effects, 1000);
    List<Effect> back = new java.util.ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      byte[] r = parts[i];
      assertEquals(
          i == parts.length - 1 ? AofRecord.KIND_LAST_PART : AofRecord.KIND_PART,
          r[3],
          "part " + i);
      int payload = r.length - AofRecord.HEADER;
      assertTrue(payload <= 1000, "part " + i + " of " + payload + " bytes");
      List<Effect> got = AofRecord.decode(r[3], ByteBuffer.wrap(r, AofRecord.HEADER, payload));
      if (i + 1 < parts.length) {
        // Full: the next part's first write would not have fitted.
        byte[] next = parts[i + 1];
        int firstOfNext =
            AofRecord.encode(
                        0,
                        AofRecord.decode(next[3], ByteBuffer.wrap(next, 12, next.length - 12))
                            .get(0)
                            .argv())
                    .length
                - AofRecord.HEADER
                - 1;
        assertTrue(payload + firstOfNext > 1000, "part " + i + " could hold one more write");
      }
      back.addAll(got);
    }
    assertEquals(effects.size(), back.size());
    for (int i = 0; i < effects.size(); i++) {
      assertEquals(effects.get(i).db(), back.get(i).db());
      assertArrayEquals(effects.get(i).argv(), back.get(i).argv());
    }
  }

  @Test
  void aWriteLargerThanARecord_isRefused() {
    List<Effect> effects =
        List.of(
            new Effect(0, argv("SET", "small", "1")),
            new Effect(0, new byte[][] {"SET".getBytes(), "big".getBytes(), new byte[100]}));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> AofRecord.encodeTransaction(effects, 50));
    assertEquals("a write of 112 bytes is larger than a log record can hold", e.getMessage());
    // Alone in its transaction too.
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AofRecord.encodeTransaction(effects.subList(1, 2), 50));
    assertEquals("a write of 112 bytes is larger than a log record can hold", e.getMessage());
  }

  @Test
  void singleEffectTransaction_isAPlainWrite() {
    byte[] r = AofRecord.encode(List.of(new Effect(2, argv("SET", "a", "1"))));
    assertEquals(AofRecord.KIND_WRITE, r[3]);
  }

  private static String hex(String s) {
    return HexFormat.of().formatHex(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void randomWrites_roundTrip() throws Exception {
    Random random = new Random(42);
    for (int n = 0; n < 200; n++) {
      int count = 1 + random.nextInt(4);
      List<Effect> effects = new java.util.ArrayList<>();
      for (int e = 0; e < count; e++) {
        byte[][] args = new byte[1 + random.nextInt(5)][];
        for (int i = 0; i < args.length; i++) {
          args[i] = new byte[random.nextInt(i == 0 ? 8 : 300)];
          random.nextBytes(args[i]);
        }
        effects.add(new Effect(random.nextInt(16), args));
      }
      byte[] r = AofRecord.encode(effects);
      List<Effect> back =
          AofRecord.decode(r[3], ByteBuffer.wrap(r, AofRecord.HEADER, r.length - AofRecord.HEADER));
      assertEquals(effects.size(), back.size());
      for (int e = 0; e < count; e++) {
        assertEquals(effects.get(e).db(), back.get(e).db());
        assertArrayEquals(effects.get(e).argv(), back.get(e).argv());
      }
    }
  }

  @Test
  void malformedPayloads_areRefusedWithoutHugeAllocations() {
    // Each payload and the start of the message it is refused with.
    String[][] bad = {
      {"", "no end marker"},
      {"0a", "empty record"},
      {"0001" + "01" + hex("x"), "no end marker"},
      {"0001" + "01" + hex("x") + "00", "no end marker"}, // another byte in its place
      {"000a", "argument count cut short"},
      {"00000a", "bad argument count 0"},
      {"00010a", "bad argument count 1"}, // one argument, nothing left for it
      {"000105" + hex("abc") + "0a", "argument longer than the record"},
      {"0002" + "01" + hex("x") + "0a", "argument length cut short"}, // second argument missing
      {"00" + "ffffffff07" + "0a", "bad argument count 2147483647"},
      {"00" + "80" + "0a", "argument count cut short"},
      {"0001" + "ffffffff08" + "0a", "argument length out of range"}, // beyond an int
      {"0001" + "ffffffffff01" + "0a", "argument length out of range"}, // six bytes
      {"ffffffffff01" + "0101" + hex("x") + "0a", "database out of range"},
    };
    for (String[] b : bad) {
      byte[] bytes = HexFormat.of().parseHex(b[0]);
      AofRecord.MalformedException e =
          assertThrows(
              AofRecord.MalformedException.class,
              () -> AofRecord.decode(AofRecord.KIND_WRITE, ByteBuffer.wrap(bytes)),
              b[0]);
      assertEquals(b[1], e.getMessage(), b[0]);
    }
    String[] badResp = {
      "", // empty
      "00000000" + hex("*1\r\n$999999999\r\nx\r\n"), // length beyond the record
      "00000000" + hex("*2000000000\r\n"), // argument count beyond the record
      "00000000" + hex("*1\r\n$1\r\nxy\r\n"), // missing CRLF
      "00000000" + hex("*0\r\n"), // no arguments
      "ffffffff" + hex("*1\r\n$1\r\nx\r\n"), // negative database
      "00000000" + hex("*1\r\n$-1\r\n"), // negative length
      "00000000" + hex("*1\r\n$12345678901\r\n"), // more than ten digits
      "000000", // database cut short
    };
    for (String b : badResp) {
      byte[] bytes = HexFormat.of().parseHex(b);
      assertThrows(
          AofRecord.MalformedException.class,
          () ->
              AofRecord.decode(
                  AofRecord.VERSION_RESP, AofRecord.KIND_WRITE, ByteBuffer.wrap(bytes)),
          b);
    }
    // A write record with two writes, a transaction record with one.
    byte[] two =
        AofRecord.encode(List.of(new Effect(0, argv("DEL", "a")), new Effect(0, argv("DEL", "b"))));
    assertThrows(
        AofRecord.MalformedException.class,
        () ->
            AofRecord.decode(
                AofRecord.KIND_WRITE,
                ByteBuffer.wrap(two, AofRecord.HEADER, two.length - AofRecord.HEADER)));
    byte[] one = AofRecord.encode(0, argv("DEL", "a"));
    assertThrows(
        AofRecord.MalformedException.class,
        () ->
            AofRecord.decode(
                AofRecord.KIND_TRANSACTION,
                ByteBuffer.wrap(one, AofRecord.HEADER, one.length - AofRecord.HEADER)));
  }
}
