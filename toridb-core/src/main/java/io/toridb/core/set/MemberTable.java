package io.toridb.core.set;

import io.toridb.core.keyspace.Key;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A hash set of byte strings, the "hashtable" encoding of sets: open addressing with linear probing
 * over two parallel arrays, the members and their cached hashes, so that a member costs its byte
 * array plus two array slots and no entry object.
 *
 * <h2>Implementation notes</h2>
 *
 * <ul>
 *   <li>The capacity is a power of two; a member's home slot is its hash's low bits ({@code hash &
 *       mask}), as a bucket in Redis's dict. A member sits in the first free slot from its home on,
 *       so every slot from a member's home up to the member is occupied: the members of one home
 *       slot are all found in the run of occupied slots that starts there.
 *   <li>Removal shifts later members of the run back into the hole (Knuth's algorithm R), so there
 *       are no tombstones and the invariant above always holds.
 *   <li>The table grows to twice its size when more than 3/4 full and shrinks when less than 1/10
 *       full (Redis's HASHTABLE_MIN_FILL), which also keeps random sampling (probing random slots
 *       until one is occupied) at a few probes.
 *   <li>{@link #scan} visits home slots in Redis's reverse-binary cursor order and returns every
 *       member whose home is the visited slot. Since a home slot is a bucket of Redis's dict, the
 *       same argument as for dictScan holds across grows and shrinks between calls: a member
 *       present during a whole iteration is returned at least once.
 * </ul>
 */
final class MemberTable {
  private static final int MIN_CAPACITY = 4;
  private static final int MAX_CAPACITY = 1 << 30;

  private byte[][] members;
  private int[] hashes;
  private int mask;
  private int size;

  /** An empty table sized for {@code expected} members without growing. */
  MemberTable(int expected) {
    allocate(capacityFor(expected));
  }

  private MemberTable(byte[][] members, int[] hashes, int size) {
    this.members = members;
    this.hashes = hashes;
    this.mask = members.length - 1;
    this.size = size;
  }

  /** The smallest capacity that holds {@code n} members at most 3/4 full. */
  static int capacityFor(long n) {
    long needed = Math.max(MIN_CAPACITY, n + (n + 2) / 3);
    if (needed > MAX_CAPACITY) {
      return MAX_CAPACITY;
    }
    return Integer.highestOneBit((int) needed - 1) << 1;
  }

  private void allocate(int capacity) {
    members = new byte[capacity][];
    hashes = new int[capacity];
    mask = capacity - 1;
  }

  static int hash(byte[] member) {
    return Key.hash(member);
  }

  int size() {
    return size;
  }

  int capacity() {
    return members.length;
  }

  boolean contains(byte[] member) {
    return slotOf(member, hash(member)) >= 0;
  }

  private int slotOf(byte[] member, int h) {
    byte[][] ms = members;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      byte[] m = ms[i];
      if (m == null) {
        return -1;
      }
      if (hashes[i] == h && Arrays.equals(m, member)) {
        return i;
      }
    }
  }

  /** Adds {@code member} (kept, not copied); false if an equal member was there already. */
  boolean add(byte[] member) {
    int h = hash(member);
    byte[][] ms = members;
    int i = h & mask;
    for (; ms[i] != null; i = (i + 1) & mask) {
      if (hashes[i] == h && Arrays.equals(ms[i], member)) {
        return false;
      }
    }
    ms[i] = member;
    hashes[i] = h;
    size++;
    growIfNeeded();
    return true;
  }

  /** Doubles the table once it is more than 3/4 full. */
  private void growIfNeeded() {
    if (size > members.length - (members.length >> 2)) {
      if (members.length == MAX_CAPACITY) {
        // Linear probing needs free slots; a bigger array is not possible.
        throw new IllegalStateException("a set cannot hold more than " + size + " members");
      }
      resize(members.length << 1);
    }
  }

  /** Adds a member known to be absent, without looking for it first. */
  void addNew(byte[] member) {
    place(member, hash(member));
    size++;
    growIfNeeded();
  }

  private void place(byte[] member, int h) {
    int i = h & mask;
    while (members[i] != null) {
      i = (i + 1) & mask;
    }
    members[i] = member;
    hashes[i] = h;
  }

  /** Removes {@code member}; false if it was not there. */
  boolean remove(byte[] member) {
    int slot = slotOf(member, hash(member));
    if (slot < 0) {
      return false;
    }
    removeSlot(slot);
    return true;
  }

  private void removeSlot(int hole) {
    byte[][] ms = members;
    int[] hs = hashes;
    int i = hole;
    for (int j = (i + 1) & mask; ms[j] != null; j = (j + 1) & mask) {
      int home = hs[j] & mask;
      // The member at j may fill the hole unless its home lies cyclically in (i, j].
      boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        ms[i] = ms[j];
        hs[i] = hs[j];
        i = j;
      }
    }
    ms[i] = null;
    hs[i] = 0;
    size--;
    if (members.length > MIN_CAPACITY && size * 10L < members.length) {
      resize(capacityFor(size));
    }
  }

  private void resize(int capacity) {
    byte[][] oldMembers = members;
    int[] oldHashes = hashes;
    allocate(capacity);
    for (int i = 0; i < oldMembers.length; i++) {
      if (oldMembers[i] != null) {
        place(oldMembers[i], oldHashes[i]);
      }
    }
  }

  /** A member chosen uniformly at random; the table must not be empty. */
  byte[] random(Random random) {
    byte[][] ms = members;
    while (true) {
      byte[] m = ms[random.nextInt(ms.length)];
      if (m != null) {
        return m;
      }
    }
  }

  /** Removes and returns a member chosen uniformly at random; the table must not be empty. */
  byte[] removeRandom(Random random) {
    byte[][] ms = members;
    while (true) {
      int slot = random.nextInt(ms.length);
      byte[] m = ms[slot];
      if (m != null) {
        removeSlot(slot);
        return m;
      }
    }
  }

  /** Calls {@code action} with every member, in slot order. */
  void forEach(Consumer<byte[]> action) {
    for (byte[] m : members) {
      if (m != null) {
        action.accept(m);
      }
    }
  }

  /**
   * Feeds {@code sink} every member whose home is the slot {@code cursor} names and returns the
   * next cursor, 0 after the last slot: one step of Redis's dictScan over a single table.
   *
   * @param cursor the client's cursor, an unsigned 64-bit value
   */
  long scan(long cursor, Consumer<byte[]> sink) {
    int home = (int) (cursor & mask);
    for (int i = home; members[i] != null; i = (i + 1) & mask) {
      if ((hashes[i] & mask) == home) {
        sink.accept(members[i]);
      }
    }
    // Set the bits above the mask so that incrementing the reversed cursor carries through the
    // masked bits only, then increment the reversed cursor.
    long v = cursor | ~(long) mask;
    v = Long.reverse(v);
    v++;
    return Long.reverse(v);
  }

  /** A copy with its own arrays; members are immutable and shared. */
  MemberTable copy() {
    return new MemberTable(members.clone(), hashes.clone(), size);
  }
}
