package io.toridb.core.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The serialized form of a vector set: a round trip keeps elements, attributes, stored vectors,
 * node ids and links exactly; damaged or forged items are refused instead of building a broken
 * graph.
 */
class VectorSetCodecTest {
  /** The items as written, numbers as Long and strings as byte[]. */
  private static List<Object> items(VectorSet set) {
    List<Object> out = new ArrayList<>();
    VectorSetCodec.write(
        set,
        new VectorSetCodec.Sink() {
          @Override
          public void unsigned(long value) {
            out.add(value);
          }

          @Override
          public void string(byte[] value) {
            out.add(value);
          }
        });
    return out;
  }

  private static VectorSet read(List<Object> items) {
    int[] at = {0};
    return VectorSetCodec.read(
        new VectorSetCodec.Source() {
          @Override
          public long unsigned() {
            if (at[0] >= items.size() || !(items.get(at[0]) instanceof Long)) {
              throw new VectorSetCodec.Invalid("no number");
            }
            return (Long) items.get(at[0]++);
          }

          @Override
          public byte[] string() {
            if (at[0] >= items.size() || !(items.get(at[0]) instanceof byte[])) {
              throw new VectorSetCodec.Invalid("no string");
            }
            return (byte[]) items.get(at[0]++);
          }
        });
  }

  private static VectorSet sample(int quant, boolean reduce) {
    Random r = new Random(quant);
    VectorSet set = new VectorSet(reduce ? 4 : 12, quant, 8);
    if (reduce) {
      set.project(12);
    }
    for (int i = 0; i < 60; i++) {
      float[] v = new float[12];
      for (int j = 0; j < 12; j++) {
        v[j] = (float) r.nextGaussian();
      }
      byte[] attrs = i % 3 == 0 ? ("{\"n\":" + i + "}").getBytes() : null;
      set.add(("el" + i).getBytes(), set.reduce(v), attrs, 30);
    }
    return set;
  }

  @ParameterizedTest
  @ValueSource(ints = {Hnsw.QUANT_NONE, Hnsw.QUANT_Q8, Hnsw.QUANT_BIN})
  void roundTrip_keepsTheGraphExactly(int quant) {
    VectorSet set = sample(quant, quant == Hnsw.QUANT_Q8);
    List<Object> written = items(set);
    VectorSet back = read(written);
    HnswTest.checkInvariants(back.graph);
    assertEquals(set.size(), back.size());
    assertEquals(set.attributeCount(), back.attributeCount());
    assertEquals(set.projectionInput(), back.projectionInput());
    List<Object> again = items(back);
    assertEquals(written.size(), again.size());
    for (int i = 0; i < written.size(); i++) {
      Object a = written.get(i);
      Object b = again.get(i);
      if (a instanceof byte[] x) {
        assertArrayEquals(x, (byte[]) b, "item " + i);
      } else {
        assertEquals(a, b, "item " + i);
      }
    }
    assertEquals(set.graph.maxLevel, back.graph.maxLevel);
  }

  @Test
  void header_holdsQuantizationMAndFlagsAsRedisWritesThem() {
    VectorSet set = sample(Hnsw.QUANT_Q8, true);
    List<Object> items = items(set);
    assertEquals(4L, items.get(0));
    assertEquals(60L, items.get(1));
    assertEquals((long) (Hnsw.QUANT_Q8 | 8 << 8), items.get(2));
    assertEquals(3L, items.get(3)); // projection and attributes
    assertEquals(12L, items.get(4));
    assertEquals(4 * 12 * 4, ((byte[]) items.get(5)).length);
  }

  @Test
  void damagedItems_areRefused() {
    VectorSet set = sample(Hnsw.QUANT_NONE, false);
    List<Object> good = items(set);

    List<Object> zeroDim = new ArrayList<>(good);
    zeroDim.set(0, 0L);
    assertThrows(VectorSetCodec.Invalid.class, () -> read(zeroDim));

    List<Object> badQuant = new ArrayList<>(good);
    badQuant.set(2, 9L | 8 << 8);
    assertThrows(VectorSetCodec.Invalid.class, () -> read(badQuant));

    List<Object> shortVector = new ArrayList<>(good);
    // Items of the first element: element, attributes, vector, count, params...
    shortVector.set(6, new byte[3]);
    assertThrows(VectorSetCodec.Invalid.class, () -> read(shortVector));

    List<Object> truncated = new ArrayList<>(good.subList(0, good.size() - 1));
    assertThrows(VectorSetCodec.Invalid.class, () -> read(truncated));
  }

  /** Two nodes of level 0, "a" (id 1) and "b" (id 2), each with one link, written by hand. */
  private static List<Object> twoNodes(long aId, long aLinks, long bId, long bLinks, String bName) {
    long l2AndRange = Float.floatToRawIntBits(1.0f) & 0xffffffffL;
    List<Object> items = new ArrayList<>(List.of(2L, 2L, (long) (4 << 8), 0L));
    addNode(items, "a", new float[] {1, 0}, aId, aLinks, l2AndRange);
    addNode(items, bName, new float[] {0, 1}, bId, bLinks, l2AndRange);
    return items;
  }

  private static void addNode(
      List<Object> items, String name, float[] v, long id, long link, long l2AndRange) {
    byte[] vec = new byte[v.length * 4];
    java.nio.ByteBuffer.wrap(vec).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v);
    items.add(name.getBytes());
    items.add(vec);
    if (link < 0) {
      items.addAll(List.of(6L, id, 1L << 24, 0L, 8L, 0L, l2AndRange));
    } else {
      items.addAll(List.of(7L, id, 1L << 24, 1L, 8L, link, 0L, l2AndRange));
    }
  }

  @Test
  void handWrittenGraph_isRead() {
    VectorSet set = read(twoNodes(1, 2, 2, 1, "b"));
    HnswTest.checkInvariants(set.graph);
    assertEquals(2, set.size());
  }

  @Test
  void forgedLinks_areRefused() {
    assertThrows(VectorSetCodec.Invalid.class, () -> read(twoNodes(1, 99, 2, 1, "b")));
    assertThrows(VectorSetCodec.Invalid.class, () -> read(twoNodes(1, 1, 2, 1, "b")));
    assertThrows(VectorSetCodec.Invalid.class, () -> read(twoNodes(1, -1, 2, 1, "b")));
    assertThrows(VectorSetCodec.Invalid.class, () -> read(twoNodes(1, 2, 1, 1, "b")));
    assertThrows(VectorSetCodec.Invalid.class, () -> read(twoNodes(0, 2, 2, 0, "b")));
    // Ids past 2^62 (and unsigned ones past 2^63, negative here) could wrap the next id given out.
    long huge = (1L << 62) + 1;
    assertThrows(VectorSetCodec.Invalid.class, () -> read(twoNodes(huge, 2, 2, huge, "b")));
    assertThrows(
        VectorSetCodec.Invalid.class,
        () -> read(twoNodes(Long.MIN_VALUE, 2, 2, Long.MIN_VALUE, "b")));
    // Capacity: at most 3M at level 0 (M is 4 here), what growing a full node can reach.
    List<Object> grown = twoNodes(1, 2, 2, 1, "b");
    grown.set(10, 12L);
    VectorSet kept = read(grown);
    assertEquals(2, kept.size());
    // The grown capacity (12) is written back; without it every capacity would read 8.
    assertEquals(1L, items(kept).stream().filter(o -> Long.valueOf(12L).equals(o)).count());
    grown.set(10, 13L);
    assertThrows(VectorSetCodec.Invalid.class, () -> read(grown));
    // A link count of 2^64 - 1 (-1 as a long).
    List<Object> negative = twoNodes(1, 2, 2, 1, "b");
    negative.set(9, -1L);
    assertThrows(VectorSetCodec.Invalid.class, () -> read(negative));
  }

  @Test
  void duplicateElements_areRefused() {
    assertThrows(VectorSetCodec.Invalid.class, () -> read(twoNodes(1, 2, 2, 1, "a")));
  }

  @Test
  void emptyAttributes_readBackAsNone() {
    VectorSet set = new VectorSet(2, Hnsw.QUANT_NONE, 4);
    set.add("a".getBytes(), new float[] {1, 0}, new byte[0], 10);
    set.add("b".getBytes(), new float[] {0, 1}, "{}".getBytes(), 10);
    VectorSet back = read(items(set));
    assertNull(back.node("a".getBytes()).attributes);
    assertEquals(1, back.attributeCount());
  }

  @Test
  void restoredNodes_takeMemoryForTheLinksTheyHold_notForTheirCapacity() {
    // M 4096 and level 16, no links: a node made by VADD would have 2M + 16M slots.
    List<Object> items = new ArrayList<>(List.of(1L, 1L, (long) (4096 << 8), 0L));
    items.add("a".getBytes());
    items.add(new byte[] {0, 0, (byte) 0x80, 0x3f});
    List<Long> params = new ArrayList<>(List.of(1L, 16L | 1L << 24));
    for (int level = 0; level <= 16; level++) {
      params.addAll(List.of(0L, 0L, 0L));
    }
    params.add(0x3f800000L);
    items.add((long) params.size());
    items.addAll(params);
    VectorSet set = read(items);
    Hnsw.Node node = set.node("a".getBytes());
    for (int level = 0; level <= 16; level++) {
      assertEquals(0, node.links[level].length);
    }
    assertEquals(8192, node.maxLinks(0));
    assertEquals(4096, node.maxLinks(16));
  }

  @Test
  void aProjectionPastTheLimit_isRefusedBeforeItsMatrixIsRead() {
    List<Object> items = new ArrayList<>(List.of(4096L, 1L, (long) (16 << 8), 1L, 4097L));
    // No matrix follows: the size alone refuses it.
    assertThrows(VectorSetCodec.Invalid.class, () -> read(items));
  }
}
