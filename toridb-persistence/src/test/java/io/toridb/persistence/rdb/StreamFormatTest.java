package io.toridb.persistence.rdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.stream.ConsumerGroup;
import io.toridb.core.stream.StreamId;
import io.toridb.core.stream.StreamValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Streams written and read back (entries, tombstones left out, node layout, counters, consumer
 * groups), and hand-made stream payloads: valid ones of both types load as Redis loads them, and
 * every kind of malformed one is refused with {@link RdbFormatException}.
 */
class StreamFormatTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[][] fv(String... s) {
    byte[][] out = new byte[s.length][];
    for (int i = 0; i < s.length; i++) {
      out[i] = b(s[i]);
    }
    return out;
  }

  private static StreamId id(long ms, long seq) {
    return new StreamId(ms, seq);
  }

  static byte[] write(StreamValue s, boolean compress) {
    RdbOutput out = new RdbOutput(compress);
    RdbObjectWriter.write(out, s);
    return out.toByteArray();
  }

  /** Reads a type byte and a value that must take all of {@code bytes}. */
  static StreamValue read(byte[] bytes) {
    RdbInput in = new RdbInput(bytes, 0, bytes.length);
    StreamValue v =
        assertInstanceOf(
            StreamValue.class, RdbObjectReader.read(in.readByte(), in, EncodingLimits.DEFAULTS));
    assertEquals(0, in.remaining(), "whole value read");
    return v;
  }

  private static List<StreamId> masters(StreamValue s) {
    List<StreamId> out = new ArrayList<>();
    for (StreamValue.NodeView n : s.nodeViews()) {
      out.add(n.master());
    }
    return out;
  }

  /** Writes (compressed and not), checks the type byte, reads back, compares everything. */
  private static StreamValue roundTrip(StreamValue s) {
    StreamValue back = null;
    for (boolean compress : new boolean[] {true, false}) {
      byte[] bytes = write(s, compress);
      assertEquals(RdbType.STREAM_LISTPACKS_2, bytes[0]);
      back = read(bytes);
      assertEquals(StreamDescription.of(s), StreamDescription.of(back));
      assertEquals(masters(s), masters(back), "node layout");
    }
    return back;
  }

  private static StreamValue appended(int n, long maxEntries) {
    StreamValue s = new StreamValue();
    for (int i = 1; i <= n; i++) {
      s.append(id(i, 0), fv("a", Integer.toString(i), "b", "v" + i), 4096, maxEntries);
    }
    return s;
  }

  @Test
  void emptyStream_roundTrips() {
    StreamValue empty = roundTrip(new StreamValue());
    assertEquals(0, empty.nodeCount());
    StreamValue counted = new StreamValue();
    counted.counters(id(7, 3), 12, id(7, 3));
    counted.createGroup(b("g"), id(7, 3), 12).restoreConsumer(b("c"), 99);
    assertEquals(
        List.of(
            "stream length=0 nodes=0 last=7-3 max-deleted=7-3 added=12 first=0-0",
            "group g last=7-3 read=12 pending=0",
            "consumer c seen=99 pending=-"),
        StreamDescription.of(roundTrip(counted)));
  }

  @Test
  void severalNodes_keepTheirBoundaries() {
    StreamValue s = appended(10, 4);
    assertEquals(3, s.nodeCount());
    assertEquals(List.of(id(1, 0), id(5, 0), id(9, 0)), masters(roundTrip(s)));
  }

  @Test
  void tombstones_areLeftOut_andNodesKeepTheirMasterIds() {
    StreamValue s = appended(12, 4);
    // The first entry of a node, one in the middle, the last of the stream, a whole node.
    for (long ms : new long[] {1, 3, 12, 5, 6, 7, 8}) {
      assertTrue(s.delete(id(ms, 0)));
    }
    s.counters(s.lastId(), s.entriesAdded(), id(12, 0));
    StreamValue back = roundTrip(s);
    assertEquals(List.of(id(1, 0), id(9, 0)), masters(back));
    assertEquals(id(2, 0), back.firstId());
    byte[] bytes = write(s, false);
    // Nodes written with their live entries only: the first node counts 2 live and 0 deleted.
    assertEquals(2, bytes[1]);
  }

  @Test
  void sameAndOtherFields_integersAndBinary_roundTrip() {
    StreamValue s = new StreamValue();
    s.append(id(1, 1), fv("name", "ann", "age", "31"), 0, 0);
    s.append(id(1, 2), fv("name", "bob", "age", "-7"), 0, 0);
    s.append(id(2, 0), fv("name", "cid"), 0, 0);
    s.append(id(3, 0), fv("age", "40", "name", "dee"), 0, 0);
    s.append(id(4, 0), fv("name", "", "age", "9223372036854775807"), 0, 0);
    s.append(id(5, 0), fv("n", "-9223372036854775808", "m", "18446744073709551616"), 0, 0);
    s.append(id(6, 0), fv("123", "007", "-0", "x".repeat(5000), "", "\u0000\u00ff\r\n"), 0, 0);
    s.append(id(7, 0), fv("dup", "1", "dup", "2"), 0, 0);
    // The first entry's fields deleted from the node: the others are still compared to them.
    s.delete(id(1, 1));
    roundTrip(s);
  }

  @Test
  void largeIds_andNegativeDeltas_roundTrip() {
    StreamValue s = new StreamValue();
    s.append(id(1, 100), fv("a", "1"), 0, 0);
    s.append(id(2, 0), fv("a", "2"), 0, 0);
    s.append(id(-1L, -2L), fv("a", "3"), 0, 0);
    s.append(StreamId.MAX, fv("a", "4"), 0, 0);
    s.counters(StreamId.MAX, -1L, id(-1L, -3L));
    roundTrip(s);
  }

  @Test
  void consumerGroups_withPendingEntriesAndConsumers_roundTrip() {
    StreamValue s = appended(6, 0);
    ConsumerGroup g = s.createGroup(b("g1"), id(5, 0), 5);
    g.restorePending(id(2, 0), 1_700_000_000_000L, 1);
    g.restorePending(id(3, 0), -5, Long.MAX_VALUE);
    g.restorePending(id(4, 0), Long.MIN_VALUE, -1L);
    g.restorePending(id(99, 0), 0, 3);
    ConsumerGroup.Consumer alice = g.restoreConsumer(b("alice"), 1_700_000_000_001L);
    ConsumerGroup.Consumer bob = g.restoreConsumer(b("bob"), -1);
    g.restoreConsumer(b("carol"), 7);
    assertTrue(alice.claimRestored(g, id(2, 0)));
    assertTrue(bob.claimRestored(g, id(3, 0)));
    assertTrue(bob.claimRestored(g, id(4, 0)));
    assertTrue(alice.claimRestored(g, id(99, 0)));
    s.createGroup(b("unknown-read"), id(3, 0), ConsumerGroup.INVALID_ENTRIES_READ);
    ConsumerGroup binary = s.createGroup(b("\u0000\u00ff"), StreamId.MIN, 0);
    binary.restorePending(id(1, 0), 5, 2);
    assertTrue(binary.restoreConsumer(b("123"), 5).claimRestored(binary, id(1, 0)));
    s.delete(id(3, 0));
    StreamValue back = roundTrip(s);
    assertEquals(ConsumerGroup.INVALID_ENTRIES_READ, back.group(b("unknown-read")).entriesRead());
    assertEquals(b("bob")[0], back.group(b("g1")).pel().get(id(4, 0)).consumer().name()[0]);
  }

  @Property(tries = 60)
  void anyStream_roundTrips(@ForAll long seed) {
    Random r = new Random(seed);
    StreamValue s = new StreamValue();
    long ms = r.nextInt(3) == 0 ? -1L - r.nextInt(1000) * 1000L : r.nextInt(1000);
    int n = r.nextInt(300);
    List<StreamId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ms += r.nextInt(3);
      StreamId id = id(ms, r.nextInt(5) == 0 ? r.nextLong() >>> 1 : i);
      if (!ids.isEmpty() && id.compareTo(ids.get(ids.size() - 1)) <= 0) {
        continue;
      }
      int fields = 1 + r.nextInt(3);
      String[] pairs = new String[2 * fields];
      for (int f = 0; f < fields; f++) {
        pairs[2 * f] = r.nextInt(4) == 0 ? "other" + f : "f" + f;
        pairs[2 * f + 1] =
            r.nextBoolean() ? Long.toString(r.nextLong()) : "v".repeat(r.nextInt(90));
      }
      s.append(id, fv(pairs), 200 + r.nextInt(2000), r.nextInt(20));
      ids.add(id);
    }
    for (StreamId id : ids) {
      if (r.nextInt(3) == 0) {
        s.delete(id);
      }
    }
    for (int g = r.nextInt(4); g > 0; g--) {
      ConsumerGroup group = s.createGroup(b("g" + g), s.lastId(), r.nextInt(5) - 1);
      List<ConsumerGroup.Consumer> consumers = new ArrayList<>();
      for (int c = 1 + r.nextInt(3); c > 0; c--) {
        consumers.add(group.restoreConsumer(b("c" + c), r.nextLong()));
      }
      for (StreamId id : ids) {
        if (r.nextInt(4) == 0) {
          group.restorePending(id, r.nextLong(), r.nextLong());
          consumers.get(r.nextInt(consumers.size())).claimRestored(group, id);
        }
      }
    }
    roundTrip(s);
  }

  // Hand-made payloads. The template: one node of master 1-0 with fields a, b holding 1-0 (same
  // fields), 2-0 (same fields, deleted) and 3-0 (field c); one group with one pending entry.

  /** Writes stream parts by hand. */
  static final class Forge {
    final RdbOutput out = new RdbOutput(false);

    Forge len(long n) {
      out.writeLength(n);
      return this;
    }

    Forge str(String s) {
      out.writeString(b(s));
      return this;
    }

    Forge str(byte[] s) {
      out.writeString(s);
      return this;
    }

    Forge raw(long ms, long seq) {
      out.writeBytes(StreamValue.rawId(id(ms, seq)), 0, 16);
      return this;
    }

    Forge time(long t) {
      for (int i = 0; i < 8; i++) {
        out.writeByte((int) (t >>> (8 * i)));
      }
      return this;
    }

    /** A group's name, last ID {@code lastMs}-0 and read counter (type 19), its PEL count next. */
    Forge group(String name, long lastMs) {
      return str(name).len(lastMs).len(0).len(lastMs);
    }

    /** A pending entry of ID {@code ms}-0, delivered once at time 1000. */
    Forge pending(long ms) {
      return raw(ms, 0).time(1000).len(1);
    }

    /** A consumer seen at time 2000 owning the pending entries of IDs {@code ms}-0. */
    Forge consumer(String name, long... ms) {
      str(name).time(2000).len(ms.length);
      for (long m : ms) {
        raw(m, 0);
      }
      return this;
    }

    /**
     * A listpack of elements: a number as an integer element, a String as lpAppend stores it (an
     * integer element when it is integer text).
     */
    static byte[] listpack(Object... elements) {
      ListpackFormat.Builder lp = new ListpackFormat.Builder();
      for (Object e : elements) {
        if (e instanceof Long l) {
          lp.appendInteger(l);
        } else if (e instanceof Integer i) {
          lp.appendInteger(i);
        } else {
          lp.append(b((String) e));
        }
      }
      return lp.build();
    }
  }

  /** The template's parts, each replaceable by a test. */
  static final class Forged {
    int type = RdbType.STREAM_LISTPACKS_2;
    final List<byte[]> keys = new ArrayList<>();
    final List<byte[]> listpacks = new ArrayList<>();
    long nodeCount = -1;
    long length = 2;
    long[] last = {3, 0};
    long[] first = {1, 0};
    long[] maxDeleted = {2, 0};
    long added = 3;
    Consumer<Forge> groups = f -> f.len(1).group("g", 3).len(1).pending(1).len(1).consumer("c", 1);

    Forged() {
      node(
          1, 0, 2, 1, 2, "a", "b", 0, 2, 0, 0, "1", "2", 5, 3, 1, 0, "3", "4", 5, 0, 2, 0, 1, "c",
          "5", 6);
    }

    Forged noNodes() {
      keys.clear();
      listpacks.clear();
      return this;
    }

    Forged node(long ms, long seq, Object... elements) {
      keys.add(StreamValue.rawId(id(ms, seq)));
      listpacks.add(Forge.listpack(elements));
      return this;
    }

    byte[] bytes() {
      Forge f = new Forge();
      f.out.writeByte(type);
      f.len(nodeCount >= 0 ? nodeCount : keys.size());
      for (int i = 0; i < keys.size(); i++) {
        f.str(keys.get(i)).str(listpacks.get(i));
      }
      f.len(length).len(last[0]).len(last[1]);
      if (type == RdbType.STREAM_LISTPACKS_2) {
        f.len(first[0]).len(first[1]).len(maxDeleted[0]).len(maxDeleted[1]).len(added);
      }
      groups.accept(f);
      return f.out.toByteArray();
    }
  }

  private static String refused(Forged f) {
    byte[] bytes = f.bytes();
    return assertThrows(RdbFormatException.class, () -> read(bytes)).getMessage();
  }

  @Test
  void handMadeStream_loadsAsRedisWouldHoldIt() {
    assertEquals(
        List.of(
            "stream length=2 nodes=1 last=3-0 max-deleted=2-0 added=3 first=1-0",
            "entry 1-0 a=1 b=2",
            "entry 3-0 c=5",
            "group g last=3-0 read=3 pending=1",
            "pending 1-0 c 1000 1",
            "consumer c seen=2000 pending=1-0"),
        StreamDescription.of(read(new Forged().bytes())));
  }

  @Test
  void redis6Stream_getsItsCountersAsRedisDerivesThem() {
    // Type 15 has no first ID, max deleted ID, entries added or entries read: entries added is the
    // length, nothing counts as deleted, and a group's read counter is estimated from its ID.
    Forged f = new Forged();
    f.type = RdbType.STREAM_LISTPACKS;
    f.groups =
        g -> {
          g.len(3);
          g.str("at-first").len(1).len(0).len(0).len(0);
          g.str("at-last").len(3).len(0).len(0).len(0);
          g.str("between").len(2).len(0).len(0).len(0);
        };
    assertEquals(
        List.of(
            "stream length=2 nodes=1 last=3-0 max-deleted=0-0 added=2 first=1-0",
            "entry 1-0 a=1 b=2",
            "entry 3-0 c=5",
            "group at-first last=1-0 read=1 pending=0",
            "group at-last last=3-0 read=2 pending=0",
            "group between last=2-0 read=-1 pending=0"),
        StreamDescription.of(read(f.bytes())));
  }

  @Test
  void integersStoredAsText_areReadAsIntegers() {
    // Redis reads a listpack integer stored as a string as that integer (lpGetIntegerIfValid).
    Forged f = new Forged().noNodes();
    ListpackFormat.Builder lp = new ListpackFormat.Builder();
    // Builder.append stores canonical text as an integer, so the text is forged by hand below.
    lp.appendInteger(1).appendInteger(0).appendInteger(1).append(b("f")).appendInteger(0);
    lp.appendInteger(2).appendInteger(0).appendInteger(0).append(b("v")).appendInteger(4);
    byte[] blob = lp.build();
    // Replace the first element (integer 1, one byte 0x01 and backlen 0x01) by the string "1".
    byte[] text = new byte[blob.length + 1];
    System.arraycopy(blob, 0, text, 0, 6);
    text[6] = (byte) 0x81;
    text[7] = '1';
    text[8] = 2;
    System.arraycopy(blob, 8, text, 9, blob.length - 8);
    text[0] = (byte) text.length;
    f.keys.add(StreamValue.rawId(id(1, 0)));
    f.listpacks.add(text);
    f.length = 1;
    f.last = new long[] {1, 0};
    f.maxDeleted = new long[] {0, 0};
    f.added = 1;
    f.groups = g -> g.len(0);
    assertEquals(
        List.of(
            "stream length=1 nodes=1 last=1-0 max-deleted=0-0 added=1 first=1-0", "entry 1-0 f=v"),
        StreamDescription.of(read(f.bytes())));
  }

  @Test
  void nodeWithOnlyTombstones_isDropped_andEmptyNodeToo() {
    Forged f = new Forged();
    f.node(10, 0, 0, 1, 1, "x", 0, 3, 0, 0, "gone", 4);
    f.node(11, 0, 0, 0, 1, "x", 0);
    StreamValue s = read(f.bytes());
    assertEquals(1, s.nodeCount());
    assertEquals(2, s.length());
  }

  @Test
  void nodeKeyNotTheSizeOfAnId_isRefused() {
    Forged f = new Forged();
    f.keys.set(0, new byte[15]);
    assertTrue(refused(f).contains("size of a stream ID"));
  }

  @Test
  void nodesOutOfOrder_orRepeated_areRefused() {
    Forged repeated = new Forged().node(1, 0, 1, 0, 1, "a", 0, 2, 5, 0, "x", 4);
    assertTrue(refused(repeated).contains("out of order"));
    // A node starting at or below the previous node's last entry.
    Forged overlapping = new Forged().node(3, 0, 1, 0, 1, "a", 0, 2, 1, 0, "x", 4);
    assertTrue(refused(overlapping).contains("out of order"));
    Forged fine = new Forged().node(3, 1, 1, 0, 1, "a", 0, 2, 0, 0, "x", 4);
    fine.length = 3;
    fine.last = new long[] {3, 1};
    assertEquals(2, read(fine.bytes()).nodeCount());
  }

  @Test
  void entryIdsNotIncreasing_orBelowTheMaster_areRefused() {
    Forged same = new Forged().noNodes();
    same.node(1, 0, 2, 0, 1, "a", 0, 2, 0, 0, "1", 4, 2, 0, 0, "2", 4);
    assertTrue(refused(same).contains("out of order"));
    Forged below = new Forged().noNodes();
    // A delta of -1 ms: 0-0 in a node whose master is 1-0.
    below.node(1, 0, 1, 0, 1, "a", 0, 2, -1, 0, "1", 4);
    assertTrue(refused(below).contains("out of order"));
  }

  /** The template with its node's listpack replaced by {@code elements}. */
  private static Forged withNode(Object... elements) {
    Forged f = new Forged().noNodes();
    f.node(1, 0, elements);
    return f;
  }

  @Test
  void listpacksThatAreNotStreamListpacks_areRefused() {
    // Master entry not terminated by 0.
    refused(withNode(2, 1, 2, "a", "b", 7, 2, 0, 0, "1", "2", 5));
    // A string where an integer belongs (flags).
    refused(withNode(1, 0, 2, "a", "b", 0, "flags", 0, 0, "1", "2", 5));
    // Unknown flag bits.
    assertTrue(refused(withNode(1, 0, 2, "a", "b", 0, 6, 0, 0, "1", "2", 5)).contains("flags"));
    // Element count of the entry wrong.
    assertTrue(refused(withNode(1, 0, 2, "a", "b", 0, 2, 0, 0, "1", "2", 4)).contains("count"));
    // Ends inside an entry: values missing, then the element count missing.
    refused(withNode(1, 0, 2, "a", "b", 0, 2, 0, 0, "1"));
    refused(withNode(1, 0, 2, "a", "b", 0, 2, 0, 0, "1", "2"));
    // Negative counts and counts past the end of the listpack.
    refused(withNode(-1, 0, 2, "a", "b", 0));
    refused(withNode(1, -1, 2, "a", "b", 0, 2, 0, 0, "1", "2", 5));
    refused(withNode(1, 0, 1000, "a", "b", 0, 2, 0, 0, "1", "2", 5));
    refused(withNode(1, 0, 2, "a", "b", 0, 0, 0, 0, Long.MAX_VALUE, "1", "2", 5));
    refused(withNode(1, 0, 2, "a", "b", 0, 0, 0, 0, -1, "1", "2", 5));
    // Live and deleted counts that disagree with the entries' flags.
    assertTrue(refused(withNode(2, 0, 2, "a", "b", 0, 2, 0, 0, "1", "2", 5)).contains("counts"));
    assertTrue(refused(withNode(0, 1, 2, "a", "b", 0, 2, 0, 0, "1", "2", 5)).contains("counts"));
    // No elements at all, or not a listpack.
    assertTrue(refused(withNode()).contains("empty listpack"));
    Forged garbage = new Forged();
    garbage.listpacks.set(0, b("not a listpack"));
    refused(garbage);
  }

  @Test
  void countersInconsistentWithTheEntries_areRefused() {
    Forged length = new Forged();
    length.length = 3;
    assertTrue(refused(length).contains("length"));
    Forged noNodes = new Forged().noNodes();
    assertTrue(refused(noNodes).contains("inconsistent"));
    Forged last = new Forged();
    last.last = new long[] {2, 9};
    assertTrue(refused(last).contains("last ID"));
    Forged added = new Forged();
    added.added = 1;
    assertTrue(refused(added).contains("entries added"));
    // A stream saved empty is a value (RESTORE takes it), not an empty collection.
    Forged empty = new Forged().noNodes();
    empty.length = 0;
    assertEquals(0, read(empty.bytes()).length());
  }

  @Test
  void consumerGroupsThatDoNotHoldTogether_areRefused() {
    Forged twoGroups = new Forged();
    twoGroups.groups = f -> f.len(2).group("g", 0).len(0).len(0).group("g", 0).len(0).len(0);
    assertTrue(refused(twoGroups).contains("duplicated consumer group"));

    Forged twoPending = new Forged();
    twoPending.groups = f -> f.len(1).group("g", 0).len(2).pending(1).pending(1).len(0);
    assertTrue(refused(twoPending).contains("duplicated pending"));

    Forged twoConsumers = new Forged();
    twoConsumers.groups = f -> f.len(1).group("g", 0).len(0).len(2).consumer("c").consumer("c");
    assertTrue(refused(twoConsumers).contains("duplicate stream consumer"));

    Forged notPending = new Forged();
    notPending.groups = f -> f.len(1).group("g", 0).len(0).len(1).consumer("c", 1);
    assertTrue(refused(notPending).contains("not found in group pending list"));

    Forged claimedTwice = new Forged();
    claimedTwice.groups =
        f -> f.len(1).group("g", 0).len(1).pending(1).len(2).consumer("c", 1).consumer("d", 1);
    assertTrue(refused(claimedTwice).contains("claimed by two consumers"));

    Forged claimedTwiceBySame = new Forged();
    claimedTwiceBySame.groups =
        f -> f.len(1).group("g", 0).len(1).pending(1).len(1).consumer("c", 1, 1);
    assertTrue(refused(claimedTwiceBySame).contains("duplicated consumer pending entry"));

    Forged unowned = new Forged();
    unowned.groups = f -> f.len(1).group("g", 0).len(1).pending(1).len(1).consumer("c");
    assertTrue(refused(unowned).contains("without consumer"));
  }

  @Test
  void countsClaimingMoreThanThePayload_areRefusedBeforeAnyLoop() {
    long huge = 1L << 62;
    Forged nodes = new Forged();
    nodes.nodeCount = huge;
    assertTrue(refused(nodes).contains("more stream nodes"));
    Forged groups = new Forged();
    groups.groups = f -> f.len(huge);
    assertTrue(refused(groups).contains("more consumer groups"));
    Forged pending = new Forged();
    pending.groups = f -> f.len(1).group("g", 0).len(huge);
    assertTrue(refused(pending).contains("more pending entries"));
    Forged consumers = new Forged();
    consumers.groups = f -> f.len(1).group("g", 0).len(0).len(huge);
    assertTrue(refused(consumers).contains("more consumers"));
    Forged owned = new Forged();
    owned.groups = f -> f.len(1).group("g", 0).len(0).len(1).str("c").time(0).len(huge);
    assertTrue(refused(owned).contains("more consumer pending entries"));
    // A length of 2^64 - 1.
    Forged length = new Forged();
    length.length = -1;
    refused(length);
  }
}
