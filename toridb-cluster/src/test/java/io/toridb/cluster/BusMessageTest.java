package io.toridb.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BusMessageTest {
  private static final String A = "a".repeat(40);
  private static final String B = "0123456789abcdef0123456789abcdef01234567";

  private static BusMessage sample(int type) {
    BitSet slots = new BitSet();
    slots.set(0, 100);
    slots.set(16383);
    return new BusMessage(
        type,
        A,
        7,
        5,
        ClusterNode.REPLICA,
        B,
        123_456_789_012L,
        BusMessage.FORCE_ACK | BusMessage.PAUSED,
        7001,
        17001,
        "10.0.0.1",
        "node-a",
        slots,
        List.of(new BusMessage.Gossip(B, "10.0.0.2", 7002, 17002, ClusterNode.PFAIL)),
        type == BusMessage.FAIL ? B : null);
  }

  @Test
  void roundTripsEveryField() {
    for (int type = 0; type < BusMessage.TYPES; type++) {
      BusMessage m = sample(type);
      BusMessage back = BusMessage.decode(m.encode());
      assertEquals(type, back.type);
      assertEquals(A, back.sender);
      assertEquals(7, back.currentEpoch);
      assertEquals(5, back.configEpoch);
      assertEquals(ClusterNode.REPLICA, back.flags);
      assertEquals(B, back.masterId);
      assertEquals(123_456_789_012L, back.offset);
      assertEquals(BusMessage.FORCE_ACK | BusMessage.PAUSED, back.messageFlags);
      assertEquals(7001, back.port);
      assertEquals(17001, back.busPort);
      assertEquals("10.0.0.1", back.ip);
      assertEquals("node-a", back.hostname);
      assertEquals(m.slots, back.slots);
      assertEquals(m.gossip, back.gossip);
      assertEquals(m.failed, back.failed);
      assertArrayEquals(m.encode(), back.encode());
    }
  }

  @Test
  void refusesEveryTruncationAndTrailingBytes() {
    byte[] whole = sample(BusMessage.FAIL).encode();
    for (int n = 0; n < whole.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(whole, n);
      assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(cut), "length " + n);
    }
    byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
    assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(longer));
  }

  @Test
  void refusesBadHeaderAndNames() {
    byte[] good = sample(BusMessage.PING).encode();
    for (int at : new int[] {0, 4, 5, 6}) {
      byte[] bad = good.clone();
      bad[at] = (byte) 0x7f;
      assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(bad), "byte " + at);
    }
    byte[] unknownType = good.clone();
    unknownType[5] = (byte) BusMessage.TYPES;
    assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(unknownType));
    byte[] upper = good.clone();
    upper[6] = 'A';
    assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(upper));
  }

  /** A PING from A on ports 1 and 2, config epoch 1, no slots: the fields the checks vary. */
  private static byte[] ping(
      long currentEpoch,
      int flags,
      String masterId,
      long offset,
      String ip,
      String hostname,
      List<BusMessage.Gossip> gossip) {
    return new BusMessage(
            BusMessage.PING,
            A,
            currentEpoch,
            1,
            flags,
            masterId,
            offset,
            0,
            1,
            2,
            ip,
            hostname,
            new BitSet(),
            gossip,
            null)
        .encode();
  }

  @Test
  void refusesAddressesHostnamesAndEpochsThatCouldHarmTheNodeFile() {
    int master = ClusterNode.MASTER;
    String[] badIps = {"1.2.3.4 x", "a\nb", "host.example", "x".repeat(46)};
    for (String ip : badIps) {
      byte[] b = ping(1, master, null, 0, ip, "", List.of());
      assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(b), ip);
      byte[] g = ping(1, master, null, 0, "", "", List.of(new BusMessage.Gossip(B, ip, 1, 2, 0)));
      assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(g), ip);
    }
    byte[] host = ping(1, master, null, 0, "", "a b", List.of());
    assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(host));
    byte[] epoch = ping(Long.MAX_VALUE, master, null, 0, "", "", List.of());
    assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(epoch));
    byte[] badMaster = ping(1, ClusterNode.REPLICA, "z".repeat(40), 0, "", "", List.of());
    assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(badMaster));
    byte[] offset = ping(1, ClusterNode.REPLICA, B, -1, "", "", List.of());
    assertThrows(IllegalArgumentException.class, () -> BusMessage.decode(offset));
  }

  @Test
  void randomBytesOnlyEverFailCleanly() {
    Random r = new Random(11);
    byte[] good = sample(BusMessage.PONG).encode();
    for (int i = 0; i < 20_000; i++) {
      byte[] b = good.clone();
      for (int k = 0; k < 1 + r.nextInt(4); k++) {
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      }
      try {
        BusMessage.decode(b);
      } catch (IllegalArgumentException expected) {
        // Refused: fine.
      }
      byte[] noise = new byte[r.nextInt(64)];
      r.nextBytes(noise);
      try {
        BusMessage.decode(noise);
      } catch (IllegalArgumentException expected) {
        // Refused: fine.
      }
    }
  }
}
