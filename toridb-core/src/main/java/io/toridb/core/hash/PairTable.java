package io.toridb.core.hash;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;

/**
 * The "hashtable" encoding of a hash: an open-addressing table whose slots hold one immutable byte
 * array per pair, {@code varint(field length) field value}, next to the field's 32-bit hash.
 *
 * <h2>Implementation notes</h2>
 *
 * <ul>
 *   <li>Memory: a pair costs its one array plus two 4-byte slots (reference and hash); there is no
 *       entry object, no boxed key and no per-pair linked node. Arrays are never modified after
 *       they are stored (a new value makes a new array), so {@link #copy} shares them.
 *   <li>Order: a pair's home slot is the top {@code bits} bits of its hash, and the table keeps the
 *       Robin Hood invariant that pairs appear in slot order by non-decreasing home slot, each at
 *       or after its home. Inserting shifts the run after the insertion point right by one slot;
 *       removing shifts the displaced pairs after the hole left by one (backward-shift deletion),
 *       so there are no tombstones. The table does not wrap around: pairs pushed past the last home
 *       slot go to an overflow area after it, which grows when an insert needs more room.
 *   <li>Because slot order is hash order at the granularity of home slots, {@link #scan} can serve
 *       HSCAN with a cursor that is a position in hash space, the same cursor meaning {@link
 *       io.toridb.core.keyspace.ScanSnapshot} uses for SCAN: cursor {@code c > 0} continues with
 *       the fields whose unsigned hash is at least {@code c - 1}. A call ends on a whole home slot,
 *       so the calls of an iteration cover consecutive ranges of hash space whatever resizes happen
 *       between them, and a field present throughout is returned, as Redis promises.
 *   <li>The table doubles past 80% load and, like Redis's dict, shrinks to fit once below 10%, so a
 *       random slot holds a pair with probability of about 1/10 or more and {@link #randomPosition}
 *       (pick slots until one is full) is fair and fast.
 *   <li>Hashes are seeded per process, so clients cannot choose fields that collide.
 * </ul>
 */
final class PairTable extends Pairs {
  private static final int SEED = new SecureRandom().nextInt();
  private static final int MIN_BITS = 2;
  private static final int MAX_BITS = 30;

  /** Pairs, or null for an empty slot; home slots [0, 2^bits), then the overflow area. */
  private byte[][] entries;

  private int[] hashes;
  private int bits;
  private int size;

  /** An empty table sized for {@code expected} pairs. */
  PairTable(int expected) {
    allocate(bitsFor(expected));
  }

  private PairTable(byte[][] entries, int[] hashes, int bits, int size) {
    this.entries = entries;
    this.hashes = hashes;
    this.bits = bits;
    this.size = size;
  }

  /** The seeded 32-bit hash of a field (FNV-1a steps with a murmur3 finish). */
  static int hash(byte[] b, int off, int len) {
    int h = SEED;
    for (int i = off, end = off + len; i < end; i++) {
      h = (h ^ (b[i] & 0xFF)) * 0x01000193;
    }
    h ^= len;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** Smallest number of home-slot bits that keeps {@code n} pairs at or below 80% load. */
  private static int bitsFor(int n) {
    int b = MIN_BITS;
    while (b < MAX_BITS && (long) n * 5 > (4L << b)) {
      b++;
    }
    return b;
  }

  private void allocate(int newBits) {
    bits = newBits;
    int length = (1 << newBits) + overflowFor(newBits);
    entries = new byte[length][];
    hashes = new int[length];
  }

  private static int overflowFor(int bits) {
    return 8 + 2 * bits;
  }

  private int home(int hash) {
    return hash >>> (32 - bits);
  }

  @Override
  int size() {
    return size;
  }

  /** Slots in the table, home and overflow (for tests and memory estimates). */
  int slots() {
    return entries.length;
  }

  @Override
  int find(byte[] field) {
    return find(field, hash(field, 0, field.length));
  }

  private int find(byte[] field, int h) {
    int home = home(h);
    byte[][] es = entries;
    for (int i = home; i < es.length; i++) {
      byte[] e = es[i];
      if (e == null) {
        return -1;
      }
      int eh = hashes[i];
      if (home(eh) > home) {
        return -1;
      }
      if (eh == h && fieldEquals(e, field)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean fieldEquals(byte[] entry, byte[] field) {
    int flen = Varint.read(entry, 0);
    int off = Varint.size(flen);
    return flen == field.length && Arrays.equals(entry, off, off + flen, field, 0, flen);
  }

  @Override
  int first() {
    return next(-1);
  }

  @Override
  int next(int pos) {
    byte[][] es = entries;
    for (int i = pos + 1; i < es.length; i++) {
      if (es[i] != null) {
        return i;
      }
    }
    return -1;
  }

  @Override
  byte[] array(int pos) {
    return entries[pos];
  }

  @Override
  int fieldStart(int pos) {
    return 0;
  }

  @Override
  int valueOffset(int pos) {
    byte[] e = entries[pos];
    int flen = Varint.read(e, 0);
    return Varint.size(flen) + flen;
  }

  @Override
  int valueLength(int pos) {
    return entries[pos].length - valueOffset(pos);
  }

  /** The stored form of a pair. */
  static byte[] entry(byte[] field, int fOff, int fLen, byte[] value, int vOff, int vLen) {
    int head = Varint.size(fLen);
    byte[] e = new byte[head + fLen + vLen];
    Varint.write(e, 0, fLen);
    System.arraycopy(field, fOff, e, head, fLen);
    System.arraycopy(value, vOff, e, head + fLen, vLen);
    return e;
  }

  @Override
  boolean put(byte[] field, byte[] value) {
    int h = hash(field, 0, field.length);
    byte[] e = entry(field, 0, field.length, value, 0, value.length);
    int at = find(field, h);
    if (at >= 0) {
      entries[at] = e;
      return false;
    }
    if ((long) (size + 1) * 5 > (4L << bits) && bits < MAX_BITS) {
      rebuild(bits + 1);
    }
    insert(e, h);
    size++;
    return true;
  }

  /** Adds a pair whose field is known to be absent. */
  void add(byte[] entry, int h) {
    if ((long) (size + 1) * 5 > (4L << bits) && bits < MAX_BITS) {
      rebuild(bits + 1);
    }
    insert(entry, h);
    size++;
  }

  private void insert(byte[] e, int h) {
    while (true) {
      int home = home(h);
      byte[][] es = entries;
      int n = es.length;
      int p = home;
      while (p < n && es[p] != null && home(hashes[p]) <= home) {
        p++;
      }
      int free = p;
      while (free < n && es[free] != null) {
        free++;
      }
      if (free == n) {
        growOverflow();
        continue;
      }
      System.arraycopy(es, p, es, p + 1, free - p);
      System.arraycopy(hashes, p, hashes, p + 1, free - p);
      es[p] = e;
      hashes[p] = h;
      return;
    }
  }

  private void growOverflow() {
    int home = 1 << bits;
    int overflow = entries.length - home;
    int length = home + overflow * 2;
    entries = Arrays.copyOf(entries, length);
    hashes = Arrays.copyOf(hashes, length);
  }

  @Override
  boolean remove(byte[] field) {
    int i = find(field);
    if (i < 0) {
      return false;
    }
    byte[][] es = entries;
    int j = i + 1;
    while (j < es.length && es[j] != null && home(hashes[j]) < j) {
      j++;
    }
    System.arraycopy(es, i + 1, es, i, j - i - 1);
    System.arraycopy(hashes, i + 1, hashes, i, j - i - 1);
    es[j - 1] = null;
    size--;
    if (bits > MIN_BITS && (long) size * 10 < (1L << bits)) {
      rebuild(bitsFor(size));
    }
    return true;
  }

  private void rebuild(int newBits) {
    byte[][] oldEntries = entries;
    int[] oldHashes = hashes;
    allocate(newBits);
    for (int i = 0; i < oldEntries.length; i++) {
      if (oldEntries[i] != null) {
        insert(oldEntries[i], oldHashes[i]);
      }
    }
  }

  @Override
  Pairs copy() {
    return new PairTable(entries.clone(), hashes.clone(), bits, size);
  }

  @Override
  int randomPosition(ThreadLocalRandom random) {
    byte[][] es = entries;
    while (true) {
      int i = random.nextInt(es.length);
      if (es[i] != null) {
        return i;
      }
    }
  }

  /**
   * Feeds {@code sink} the positions of the pairs from {@code cursor} on, at least {@code count} of
   * them unless the table runs out, ending on a whole home slot (see the class notes).
   *
   * @param cursor the client's cursor, an unsigned 64-bit value held in a long
   * @return the next cursor, 0 when the iteration is complete
   */
  long scan(long cursor, long count, IntConsumer sink) {
    long from = cursor == 0 ? 0 : cursor - 1;
    if (Long.compareUnsigned(from, 0xFFFFFFFFL) > 0) {
      return 0; // Past the end of hash space: nothing left.
    }
    int shift = 32 - bits;
    byte[][] es = entries;
    long returned = 0;
    int lastHome = -1;
    for (int i = (int) (from >>> shift); i < es.length; i++) {
      if (es[i] == null) {
        continue;
      }
      int h = hashes[i];
      int home = h >>> shift;
      if (returned >= count && home != lastHome) {
        return ((long) home << shift) + 1;
      }
      if (Integer.toUnsignedLong(h) >= from) {
        sink.accept(i);
        returned++;
        lastHome = home;
      }
    }
    return 0;
  }
}
