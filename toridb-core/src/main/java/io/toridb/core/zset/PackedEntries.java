package io.toridb.core.zset;

import java.util.Arrays;

/**
 * The small form of a sorted set, Redis's "listpack" encoding: the entries in order, in two packed
 * parallel arrays (scores and members) with no per-entry object. Every operation is a scan or an
 * array shift, O(n) as in Redis, which is cheap for the few entries this form holds.
 *
 * <p>Like a listpack, which stores an integral score as an integer, this form cannot hold -0: a
 * score of -0 is stored as 0.
 */
final class PackedEntries {
  private double[] scores;
  private byte[][] members;
  private int size;

  /** Sum of the member lengths, for Redis's listpack size limit (lpSafeToAdd). */
  private long memberBytes;

  PackedEntries(int capacity) {
    int c = Math.max(capacity, 1);
    scores = new double[c];
    members = new byte[c][];
  }

  int size() {
    return size;
  }

  long memberBytes() {
    return memberBytes;
  }

  double scoreAt(int i) {
    return scores[i];
  }

  byte[] memberAt(int i) {
    return members[i];
  }

  /** The index of {@code member}, or -1. */
  int indexOf(byte[] member) {
    for (int i = 0; i < size; i++) {
      if (Arrays.equals(members[i], member)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Inserts an entry that is not present, before the first entry with a greater score or an equal
   * score and a greater member (zzlInsert).
   */
  void insert(double score, byte[] member) {
    double s = score + 0.0; // -0 becomes 0, as a listpack integer.
    int i = 0;
    while (i < size) {
      double t = scores[i];
      if (t > s || (t == s && Arrays.compareUnsigned(members[i], member) > 0)) {
        break;
      }
      i++;
    }
    insertAt(i, s, member);
  }

  /** Appends an entry known to sort after every present one. */
  void append(double score, byte[] member) {
    insertAt(size, score + 0.0, member);
  }

  private void insertAt(int i, double score, byte[] member) {
    if (size == scores.length) {
      int c = size + Math.max(4, size >> 1);
      scores = Arrays.copyOf(scores, c);
      members = Arrays.copyOf(members, c);
    }
    System.arraycopy(scores, i, scores, i + 1, size - i);
    System.arraycopy(members, i, members, i + 1, size - i);
    scores[i] = score;
    members[i] = member;
    size++;
    memberBytes += member.length;
  }

  void removeAt(int i) {
    removeRange(i, 1);
  }

  /** Removes {@code count} entries from index {@code from}. */
  void removeRange(int from, int count) {
    for (int k = from; k < from + count; k++) {
      memberBytes -= members[k].length;
    }
    int tail = size - from - count;
    System.arraycopy(scores, from + count, scores, from, tail);
    System.arraycopy(members, from + count, members, from, tail);
    Arrays.fill(members, size - count, size, null);
    size -= count;
  }

  PackedEntries copy() {
    PackedEntries c = new PackedEntries(size);
    System.arraycopy(scores, 0, c.scores, 0, size);
    System.arraycopy(members, 0, c.members, 0, size);
    c.size = size;
    c.memberBytes = memberBytes;
    return c;
  }
}
