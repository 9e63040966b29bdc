package io.toridb.persistence.rdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.stream.ConsumerGroup;
import io.toridb.core.stream.StreamId;
import io.toridb.core.stream.StreamValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Damaged stream values (truncated anywhere, bytes flipped anywhere, random changes, listpacks of
 * random elements) are refused with {@link RdbFormatException} and nothing else; whatever still
 * loads is a stream that writes and reads back the same.
 */
class StreamFormatDamageTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A stream of everything: nodes, tombstones, same and other fields, groups, consumers. */
  private static StreamValue sample() {
    StreamValue s = new StreamValue();
    for (int i = 1; i <= 12; i++) {
      byte[][] fv =
          i % 4 == 0
              ? new byte[][] {b("other"), b("x" + i)}
              : new byte[][] {b("a"), b(Integer.toString(i * 1000)), b("b"), b("v" + i)};
      s.append(new StreamId(i, i % 3), fv, 4096, 5);
    }
    s.delete(new StreamId(1, 1));
    s.delete(new StreamId(7, 1));
    s.counters(new StreamId(20, 0), 15, new StreamId(7, 1));
    ConsumerGroup g = s.createGroup(b("group"), new StreamId(9, 0), 9);
    g.restorePending(new StreamId(2, 2), 1_700_000_000_000L, 2);
    g.restorePending(new StreamId(3, 0), 1_700_000_000_001L, 1);
    g.restorePending(new StreamId(5, 2), 1_700_000_000_002L, 7);
    g.restoreConsumer(b("alice"), 1_700_000_000_003L).claimRestored(g, new StreamId(2, 2));
    ConsumerGroup.Consumer bob = g.restoreConsumer(b("bob"), 1_700_000_000_004L);
    bob.claimRestored(g, new StreamId(3, 0));
    bob.claimRestored(g, new StreamId(5, 2));
    g.restoreConsumer(b("idle"), 5);
    s.createGroup(b("other"), StreamId.MIN, ConsumerGroup.INVALID_ENTRIES_READ);
    return s;
  }

  /** The value of a golden payload Redis wrote (its nodes keep their tombstones), type byte on. */
  private static byte[] golden(String name) throws IOException {
    try (InputStream in =
        StreamFormatDamageTest.class.getResourceAsStream("/dump/golden-streams.txt")) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n");
      for (int i = 0; i < lines.length; i++) {
        if (lines[i].equals("name: " + name)) {
          while (!lines[i].startsWith("plain: ")) {
            i++;
          }
          byte[] payload = HexFormat.of().parseHex(lines[i].substring(7));
          return Arrays.copyOf(payload, payload.length - 10);
        }
      }
    }
    throw new IllegalArgumentException(name);
  }

  private static List<byte[]> samples() throws IOException {
    List<byte[]> out = new ArrayList<>();
    out.add(StreamFormatTest.write(sample(), false));
    out.add(StreamFormatTest.write(sample(), true));
    out.add(golden("stream-groups"));
    out.add(golden("stream-tombstones"));
    return out;
  }

  /** Reads {@code bytes} as a value, which must be refused with RdbFormatException or be sound. */
  private static void refusedOrSound(byte[] bytes, String what) {
    StoredValue v;
    try {
      RdbInput in = new RdbInput(bytes, 0, bytes.length);
      v = RdbObjectReader.read(in.readByte(), in, EncodingLimits.DEFAULTS);
    } catch (RdbFormatException e) {
      return;
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": " + e, e);
    }
    if (v instanceof StreamValue s) {
      StreamValue again = StreamFormatTest.read(StreamFormatTest.write(s, false));
      assertEquals(StreamDescription.of(s), StreamDescription.of(again), what);
    }
  }

  @Test
  void everyTruncation_isRefused() throws IOException {
    for (byte[] sample : samples()) {
      StreamFormatTest.read(sample);
      for (int n = 0; n < sample.length; n++) {
        byte[] cut = Arrays.copyOf(sample, n);
        try {
          assertThrows(RdbFormatException.class, () -> StreamFormatTest.read(cut), "at " + n);
        } catch (AssertionError e) {
          fail("truncated to " + n + " of " + sample.length + ": " + e.getMessage(), e);
        }
      }
    }
  }

  @Test
  void everyFlippedByte_isRefusedOrLoadsASoundStream() throws IOException {
    int[] masks = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF};
    for (byte[] sample : samples()) {
      // The type byte stays: another type is another reader's business.
      for (int at = 1; at < sample.length; at++) {
        for (int mask : masks) {
          byte[] bad = sample.clone();
          bad[at] ^= (byte) mask;
          refusedOrSound(bad, "byte " + at + " ^ " + mask);
        }
      }
    }
  }

  @Test
  void randomDamage_isRefusedOrLoadsASoundStream() throws IOException {
    Random r = new Random(20240611);
    List<byte[]> samples = samples();
    for (int i = 0; i < 20_000; i++) {
      byte[] bad = samples.get(r.nextInt(samples.size())).clone();
      for (int k = 1 + r.nextInt(4); k > 0; k--) {
        int at = 1 + r.nextInt(bad.length - 1);
        switch (r.nextInt(4)) {
          case 0 -> bad[at] = (byte) r.nextInt(256);
          case 1 -> bad[at] = (byte) (r.nextBoolean() ? 0 : 0xFF);
          case 2 -> {
            // Remove a byte.
            byte[] shorter = new byte[bad.length - 1];
            System.arraycopy(bad, 0, shorter, 0, at);
            System.arraycopy(bad, at + 1, shorter, at, bad.length - at - 1);
            bad = shorter.length > 1 ? shorter : bad;
          }
          default -> {
            // Insert a byte.
            byte[] longer = new byte[bad.length + 1];
            System.arraycopy(bad, 0, longer, 0, at);
            longer[at] = (byte) r.nextInt(256);
            System.arraycopy(bad, at, longer, at + 1, bad.length - at);
            bad = longer;
          }
        }
      }
      refusedOrSound(bad, "case " + i);
    }
  }

  @Test
  void listpacksOfRandomElements_areRefusedOrLoadASoundStream() {
    // Structurally valid listpacks whose elements make a stream node only by chance: every path of
    // the node walk meets counts, flags and IDs it must not trust.
    Random r = new Random(7);
    Object[] alphabet = {0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, -1, -5, Long.MAX_VALUE, "a", "b", "x"};
    for (int i = 0; i < 50_000; i++) {
      int n = r.nextInt(24);
      Object[] elements = new Object[n];
      // Mostly a plausible master entry, then anything.
      Object[] start = {1 + r.nextInt(2), r.nextInt(2), 1 + r.nextInt(2), "a", "b", 0};
      for (int k = 0; k < n; k++) {
        elements[k] =
            k < start.length && r.nextInt(4) != 0 ? start[k] : alphabet[r.nextInt(alphabet.length)];
      }
      StreamFormatTest.Forged f = new StreamFormatTest.Forged().noNodes();
      f.node(1, 0, elements);
      f.length = r.nextInt(3);
      f.groups = g -> g.len(0);
      refusedOrSound(f.bytes(), Arrays.toString(elements));
    }
  }
}
