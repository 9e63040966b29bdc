package io.toridb.core.command;

import io.toridb.core.server.CountingThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The latency distribution of one command, for INFO latencystats: nanoseconds from 1 to 10^9 kept
 * to two significant digits in the bucket layout of HdrHistogram, which Redis uses, so a percentile
 * reads as the same bucket bound Redis prints (a call of 1 µs shows as 1.003).
 *
 * <p>Implementation notes: the counts form buckets of 128 sub-buckets each; bucket b holds values
 * of [2^(b+7), 2^(b+8)) in steps of 2^b (bucket 0 also holds 0..127 in steps of 1). Workers record
 * concurrently, so each {@link CountingThread} counts in an array of its own (made on its first
 * call) and other threads share one, all through {@link CountingThread#add} as {@link
 * io.toridb.core.server.Counter} does; a read sums them.
 */
public final class LatencyHistogram {
  /** Values are clamped to this range, as Redis clamps them. */
  static final long LOWEST = 1;

  static final long HIGHEST = 1_000_000_000L;

  private static final int SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
  private static final int SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
  private static final long SUB_BUCKET_MASK = (2L * SUB_BUCKET_HALF_COUNT) - 1;
  static final int COUNTS_LEN = (bucketsFor(HIGHEST) + 1) * SUB_BUCKET_HALF_COUNT;

  /** Counts by {@link CountingThread#currentSlot}. */
  private final AtomicReferenceArray<long[]> slots =
      new AtomicReferenceArray<>(CountingThread.SLOTS + 1);

  /** How many buckets it takes to reach {@code value}. */
  private static int bucketsFor(long value) {
    long smallestUntrackable = 2L * SUB_BUCKET_HALF_COUNT;
    int buckets = 1;
    while (smallestUntrackable <= value) {
      smallestUntrackable <<= 1;
      buckets++;
    }
    return buckets;
  }

  private static int bucketIndex(long value) {
    int magnitude = 64 - Long.numberOfLeadingZeros(value | SUB_BUCKET_MASK);
    return magnitude - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
  }

  /** Where {@code value} is counted. */
  static int countsIndex(long value) {
    int bucket = bucketIndex(value);
    int subBucket = (int) (value >>> bucket);
    return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + subBucket - SUB_BUCKET_HALF_COUNT;
  }

  /** The highest value counted at {@code index}. */
  static long highestValueAt(int index) {
    int bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
    int subBucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
    if (bucket < 0) {
      subBucket -= SUB_BUCKET_HALF_COUNT;
      bucket = 0;
    }
    long lowest = (long) subBucket << bucket;
    return lowest + (1L << bucket) - 1;
  }

  /** Counts one call that took {@code nanos}. */
  public void record(long nanos) {
    long v = Math.max(LOWEST, Math.min(HIGHEST, nanos));
    int slot = CountingThread.currentSlot();
    long[] counts = slots.get(slot);
    if (counts == null) {
      slots.compareAndSet(slot, null, new long[COUNTS_LEN]);
      counts = slots.get(slot);
    }
    CountingThread.add(counts, countsIndex(v), 1, slot != 0);
  }

  /**
   * For each of {@code percentiles}, the value below or at which that percentage of the calls fall,
   * as HdrHistogram reports it (the highest value of its bucket), in nanoseconds; 0 when nothing
   * was recorded.
   */
  public long[] valuesAt(double... percentiles) {
    long[] counts = counts();
    long total = 0;
    for (long n : counts) {
      total += n;
    }
    long[] values = new long[percentiles.length];
    for (int p = 0; p < percentiles.length; p++) {
      long wanted = Math.max(1, (long) ((Math.min(percentiles[p], 100.0) / 100) * total + 0.5));
      long seen = 0;
      for (int i = 0; i < COUNTS_LEN && total > 0; i++) {
        seen += counts[i];
        if (seen >= wanted) {
          values[p] = highestValueAt(i);
          break;
        }
      }
    }
    return values;
  }

  /** The counts of every thread, summed. */
  private long[] counts() {
    long[] counts = new long[COUNTS_LEN];
    for (int s = 0; s < slots.length(); s++) {
      long[] slot = slots.get(s);
      if (slot != null) {
        for (int i = 0; i < COUNTS_LEN; i++) {
          counts[i] += CountingThread.read(slot, i);
        }
      }
    }
    return counts;
  }

  /** Calls recorded. */
  public long total() {
    long total = 0;
    for (long n : counts()) {
      total += n;
    }
    return total;
  }

  /**
   * LATENCY HISTOGRAM's distribution, as Redis takes it from HdrHistogram's logarithmic iteration
   * (first bucket 1024 ns, base 2): for each power-of-two bound from 1024 ns up, the bound's
   * highest equivalent value in microseconds and how many calls were at or below it, listed only
   * where that count grew. Pairs {microseconds, cumulative count}.
   */
  public List<long[]> cumulativeMicros() {
    long[] counts = counts();
    long total = 0;
    for (long n : counts) {
      total += n;
    }
    List<long[]> out = new ArrayList<>();
    long cumulative = 0;
    long previous = 0;
    int index = 0;
    for (long level = 1024; cumulative < total && level > 0; level <<= 1) {
      int upTo = countsIndex(Math.min(level, HIGHEST));
      for (; index <= upTo && index < COUNTS_LEN; index++) {
        cumulative += counts[index];
      }
      if (level >= HIGHEST) {
        for (; index < COUNTS_LEN; index++) {
          cumulative += counts[index];
        }
      }
      if (cumulative > previous) {
        out.add(new long[] {highestValueAt(upTo) / 1000, cumulative});
      }
      previous = cumulative;
    }
    return out;
  }
}
