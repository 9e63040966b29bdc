package io.toridb.core.zset;

import io.toridb.core.keyspace.Key;
import java.util.Arrays;

/**
 * The member-to-score half of a big sorted set: ZSCORE in O(1), and the score that locates a member
 * in the {@link ScoreTree}. Plays the part of the dict beside Redis's skiplist, and like it drives
 * ZSCAN's cursor.
 *
 * <p>Implementation notes: open addressing with linear probing over two parallel arrays (members,
 * scores), so an entry costs 12 bytes per slot and no node object. The capacity is a power of two,
 * at most 3/4 full (it doubles past that) and shrinks when under 1/8 full. Deletion shifts the
 * following entries of the cluster back instead of leaving tombstones, so a member always sits in
 * the run of occupied slots that starts at its home slot ({@code hash & mask}).
 *
 * <p>SCAN: a cursor names a home slot. One step visits the members whose home is that slot, found
 * by walking the run that starts there, and moves the cursor on with Redis's reverse-binary
 * increment. That increment is what lets Redis's dictScan promise that an element present for the
 * whole iteration is returned at least once even if the table grows or shrinks in between; it holds
 * here because a member with home h at capacity 2^k has home h or h + 2^k at capacity 2^(k+1),
 * exactly as a bucket of a chained table.
 */
final class MemberIndex {
  private static final int MIN_CAPACITY = 8;

  private byte[][] members;
  private double[] scores;
  private int size;
  private int mask;

  MemberIndex(int expected) {
    int capacity = capacityFor(expected);
    members = new byte[capacity][];
    scores = new double[capacity];
    mask = capacity - 1;
  }

  /** The smallest power of two that holds {@code n} members at most 3/4 full. */
  private static int capacityFor(int n) {
    long needed = Math.max(MIN_CAPACITY, (long) n * 4 / 3 + 1);
    return (int) Math.min(1L << 30, Long.highestOneBit(needed - 1) << 1);
  }

  int size() {
    return size;
  }

  private static int hash(byte[] member) {
    return Key.hash(member);
  }

  private int slotOf(byte[] member) {
    int i = hash(member) & mask;
    while (true) {
      byte[] m = members[i];
      if (m == null) {
        return -1 - i;
      }
      if (Arrays.equals(m, member)) {
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /** The member's score, or NaN when it is absent (a sorted set never holds NaN). */
  double get(byte[] member) {
    int i = slotOf(member);
    return i >= 0 ? scores[i] : Double.NaN;
  }

  /** Sets the member's score; true when the member was not there before. */
  boolean put(byte[] member, double score) {
    int i = slotOf(member);
    if (i >= 0) {
      scores[i] = score;
      return false;
    }
    if ((size + 1) * 4L > (mask + 1) * 3L) {
      resize(capacityFor(size + 1));
      i = slotOf(member);
    }
    int slot = -1 - i;
    members[slot] = member;
    scores[slot] = score;
    size++;
    return true;
  }

  /** Removes the member; false when it was absent. */
  boolean remove(byte[] member) {
    int i = slotOf(member);
    if (i < 0) {
      return false;
    }
    // Shift later members of the cluster back into the hole when their home allows it.
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      byte[] m = members[j];
      if (m == null) {
        break;
      }
      int home = hash(m) & mask;
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        members[hole] = m;
        scores[hole] = scores[j];
        hole = j;
      }
    }
    members[hole] = null;
    size--;
    int capacity = mask + 1;
    if (capacity > MIN_CAPACITY && size * 8L < capacity) {
      resize(capacityFor(size));
    }
    return true;
  }

  private void resize(int capacity) {
    byte[][] oldMembers = members;
    double[] oldScores = scores;
    members = new byte[capacity][];
    scores = new double[capacity];
    mask = capacity - 1;
    for (int k = 0; k < oldMembers.length; k++) {
      byte[] m = oldMembers[k];
      if (m != null) {
        int i = hash(m) & mask;
        while (members[i] != null) {
          i = (i + 1) & mask;
        }
        members[i] = m;
        scores[i] = oldScores[k];
      }
    }
  }

  /** Visits every entry, in slot order. */
  void forEach(EntrySink sink) {
    for (int i = 0; i < members.length; i++) {
      if (members[i] != null) {
        sink.accept(members[i], scores[i]);
      }
    }
  }

  /** Receives entries from {@link #scanStep} and {@link #forEach}. */
  interface EntrySink {
    void accept(byte[] member, double score);
  }

  /**
   * Feeds {@code sink} the members whose home slot is the one {@code cursor} names and returns the
   * next cursor, 0 when the iteration is complete (see the class comment).
   */
  long scanStep(long cursor, EntrySink sink) {
    int home = (int) (cursor & mask);
    for (int j = home; members[j] != null; j = (j + 1) & mask) {
      if ((hash(members[j]) & mask) == home) {
        sink.accept(members[j], scores[j]);
      }
    }
    long v = cursor | ~(long) mask;
    v = Long.reverse(v);
    v++;
    return Long.reverse(v);
  }
}
