package io.toridb.persistence.aof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    // magic "TR", version 1, kind 1, length 31, CRC32C, then db 3 and *3 $3 SET $1 k $1 v.
    String payload = "00000003" + hex("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    assertEquals("54520101" + "0000001f" + "7fc3dcfa" + payload, HexFormat.of().formatHex(r));
  }

  @Test
  void transaction_isOneRecordOfKindTwo() {
    byte[] r =
        AofRecord.encode(
            List.of(new Effect(0, argv("INCR", "a")), new Effect(1, argv("DEL", "b"))));
    AofRecord.seal(r);
    String payload =
        "00000000"
            + hex("*2\r\n$4\r\nINCR\r\n$1\r\na\r\n")
            + "00000001"
            + hex("*2\r\n$3\r\nDEL\r\n$1\r\nb\r\n");
    assertEquals("54520102" + "00000031" + "58450b69" + payload, HexFormat.of().formatHex(r));
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
    String[] bad = {
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
    for (String b : bad) {
      byte[] bytes = HexFormat.of().parseHex(b);
      assertThrows(
          AofRecord.MalformedException.class,
          () -> AofRecord.decode(AofRecord.KIND_WRITE, ByteBuffer.wrap(bytes)),
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
