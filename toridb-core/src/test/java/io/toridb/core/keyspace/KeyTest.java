package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class KeyTest {
  private static byte[] random(Random r, int length) {
    byte[] b = new byte[length];
    r.nextBytes(b);
    return b;
  }

  @Test
  void shortKeysArePacked_longerOnesStayWrapped() {
    for (int n = 0; n <= Key.PACKED_MAX; n++) {
      assertTrue(Key.of(new byte[n]).compact() instanceof Key.Packed, "length " + n);
    }
    Key longer = Key.of(new byte[Key.PACKED_MAX + 1]);
    assertSame(longer, longer.compact());
    Key packed = Key.of(new byte[3]).compact();
    assertSame(packed, packed.compact());
  }

  @Test
  void bothForms_agreeOnBytesEqualityHashAndOrder_forEveryLength() {
    Random r = new Random(7);
    for (int round = 0; round < 2000; round++) {
      byte[] a = random(r, r.nextInt(20));
      // Neighbours that differ in one byte, in length, or only in a trailing zero byte.
      byte[] b = a.clone();
      switch (r.nextInt(4)) {
        case 0 -> {
          if (b.length > 0) {
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
          }
        }
        case 1 -> b = Arrays.copyOf(a, a.length + 1);
        case 2 -> b = Arrays.copyOf(a, Math.max(0, a.length - 1));
        default -> {}
      }
      Key[] as = {Key.of(a), Key.of(a.clone()).compact()};
      Key[] bs = {Key.of(b), Key.of(b.clone()).compact()};
      boolean same = Arrays.equals(a, b);
      int order = Integer.signum(Arrays.compareUnsigned(a, b));
      for (Key x : as) {
        assertArrayEquals(a, x.bytes());
        assertEquals(a.length, x.length());
        assertEquals(Key.hash(a), x.hashCode());
        assertEquals(Arrays.toString(a), Arrays.toString(x.bytes()));
        for (Key y : bs) {
          assertEquals(same, x.equals(y), x + " vs " + y);
          assertEquals(same, y.equals(x), y + " vs " + x);
          assertEquals(order, Integer.signum(x.compareTo(y)));
          assertEquals(-order, Integer.signum(y.compareTo(x)));
        }
      }
    }
  }

  @Test
  void highBytes_areUnsignedInOrderAndHash() {
    Key low = Key.of(new byte[] {0x01}).compact();
    Key high = Key.of(new byte[] {(byte) 0xFF}).compact();
    assertTrue(low.compareTo(high) < 0);
    assertEquals(Key.hash(new byte[] {(byte) 0xFF}), high.hashCode());
    assertEquals((byte) 0xFF, high.byteAt(0));
    assertThrows(IndexOutOfBoundsException.class, () -> high.byteAt(1));
  }

  @Test
  void aMapHoldingPackedKeys_findsThemThroughWrappedLookups() {
    Random r = new Random(11);
    Map<Key, Integer> model = new HashMap<>();
    ConcurrentHashMap<Key, Integer> map = new ConcurrentHashMap<>();
    for (int i = 0; i < 5000; i++) {
      byte[] k = random(r, 1 + r.nextInt(24));
      model.put(Key.of(k), i);
      map.put(Key.of(k.clone()).compact(), i);
    }
    assertEquals(model.size(), map.size());
    for (Map.Entry<Key, Integer> e : model.entrySet()) {
      assertEquals(e.getValue(), map.get(Key.of(e.getKey().bytes().clone())));
    }
    assertEquals(null, map.get(Key.of(new byte[25])));
    assertNotEquals(Key.of("abc").compact(), Key.of("abd"));
  }
}
