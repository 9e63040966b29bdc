package io.toridb.core.keyspace;

import java.util.Arrays;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * The elements of a collection at one moment, sorted by their 32-bit hash read as unsigned, from
 * which SCAN-style cursors are served: {@code SCAN} over a database's keys, and {@code HSCAN},
 * {@code SSCAN}, {@code ZSCAN} over the members of a large collection.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Redis's SCAN promises that an element present from the first call (cursor 0) until the call
 * that returns cursor 0 is returned at least once, that the cursor is a plain number the server
 * keeps no state for, and that a full iteration ends. Redis gets there by walking its hash table's
 * buckets in reverse-binary order. Our collections are Java hash maps whose iteration order is
 * private and changes when they resize, so the order is defined here instead: by element hash.
 *
 * <ul>
 *   <li>The cursor names a position in hash space: cursor {@code c > 0} means "continue with the
 *       elements whose unsigned hash is at least {@code c - 1}"; 0 starts and ends an iteration.
 *   <li>A call returns the elements of a snapshot with hash at or above that position in ascending
 *       hash order, at least {@code count} of them unless the snapshot runs out, always ending on a
 *       whole group of equal hashes; the next cursor is the hash of the first element not returned
 *       plus one, or 0 when none is left. The calls of one iteration therefore cover consecutive,
 *       disjoint ranges of hash space that together span all of it, and every call advances the
 *       cursor, so an iteration ends after at most (number of distinct hashes + 1) calls.
 *   <li>The guarantee needs only that every snapshot a call reads from contains every element
 *       present throughout the iteration. That holds for any snapshot whose copy was taken at or
 *       after the iteration started, because such an element was present during the whole copy (a
 *       weakly consistent iterator, as ConcurrentHashMap's, yields every element present from its
 *       creation to its end). Its owner may also keep serving a snapshot it can prove no element
 *       was added since (see {@link Database#scan}). Since cursors carry no state, an owner serving
 *       several iterations at once must never let a copy begun before some iteration started
 *       replace one that iteration relies on ({@link ScanSnapshotSlot}). An element found in its
 *       range is returned, so the element is returned by the call whose range holds its hash.
 *   <li>Snapshots may hold elements that have since been removed; the caller re-checks each element
 *       when it is returned, so removed elements never show.
 * </ul>
 *
 * <p>Building costs one pass over the collection plus a sort, O(N log N); each call then costs a
 * binary search plus the elements it returns. Elements with equal hashes always travel together, so
 * a call may return more than {@code count} elements.
 *
 * @param <E> element type
 */
public final class ScanSnapshot<E> {
  private static final ScanSnapshot<?> EMPTY = new ScanSnapshot<>(new int[0], new Object[0]);

  private final int[] hashes;
  private final Object[] elements;

  private ScanSnapshot(int[] hashes, Object[] elements) {
    this.hashes = hashes;
    this.elements = elements;
  }

  @SuppressWarnings("unchecked")
  public static <E> ScanSnapshot<E> empty() {
    return (ScanSnapshot<E>) EMPTY;
  }

  /**
   * Copies every element {@code source} yields and sorts the copy by unsigned hash.
   *
   * @param sizeHint the expected number of elements (any value works)
   */
  public static <E> ScanSnapshot<E> of(
      Iterator<? extends E> source, ToIntFunction<? super E> hash, int sizeHint) {
    Object[] items = new Object[Math.max(16, sizeHint)];
    int[] itemHashes = new int[items.length];
    int n = 0;
    while (source.hasNext()) {
      E e = source.next();
      if (n == items.length) {
        int grown = n + (n >> 1);
        items = Arrays.copyOf(items, grown);
        itemHashes = Arrays.copyOf(itemHashes, grown);
      }
      items[n] = e;
      itemHashes[n] = hash.applyAsInt(e);
      n++;
    }
    if (n == 0) {
      return empty();
    }
    // Sort (hash, position) pairs packed into longs. Flipping the hash's sign bit turns unsigned
    // order into signed order, which is what Arrays.sort on longs gives.
    long[] packed = new long[n];
    for (int i = 0; i < n; i++) {
      packed[i] = ((long) (itemHashes[i] ^ Integer.MIN_VALUE) << 32) | i;
    }
    Arrays.sort(packed);
    int[] sortedHashes = new int[n];
    Object[] sorted = new Object[n];
    for (int i = 0; i < n; i++) {
      int from = (int) packed[i];
      sortedHashes[i] = itemHashes[from];
      sorted[i] = items[from];
    }
    return new ScanSnapshot<>(sortedHashes, sorted);
  }

  public int size() {
    return elements.length;
  }

  /**
   * Feeds {@code sink} the elements from {@code cursor} on (see the class notes) and returns the
   * next cursor, 0 when the iteration is complete.
   *
   * @param cursor the client's cursor, an unsigned 64-bit value held in a long
   * @param count the minimum number of elements to return when that many are left (at least 1)
   */
  @SuppressWarnings("unchecked")
  public long scan(long cursor, long count, Consumer<? super E> sink) {
    long from = cursor == 0 ? 0 : cursor - 1;
    if (Long.compareUnsigned(from, 0xFFFFFFFFL) > 0) {
      return 0; // Past the end of hash space: nothing left to return.
    }
    int n = hashes.length;
    int i = firstAtOrAbove((int) from);
    long returned = 0;
    while (i < n && returned < count) {
      int groupHash = hashes[i];
      do {
        sink.accept((E) elements[i]);
        i++;
        returned++;
      } while (i < n && hashes[i] == groupHash);
    }
    return i < n ? Integer.toUnsignedLong(hashes[i]) + 1 : 0;
  }

  /** Index of the first element whose unsigned hash is at least {@code hash}. */
  private int firstAtOrAbove(int hash) {
    int lo = 0;
    int hi = hashes.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Integer.compareUnsigned(hashes[mid], hash) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
