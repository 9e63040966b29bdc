package io.toridb.core.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.server.CountingThread;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void empty_readsZero() {
    assertArrayEquals(new long[] {0, 0}, new LatencyHistogram().valuesAt(50, 100));
  }

  /** Redis prints a 1 µs call as 1.003, a 2 µs one as 2.007, 5 µs as 5.023, 114 µs as 114.175. */
  @Test
  void value_isTheHighestOfItsBucket_asRedisPrintsIt() {
    long[][] cases = {{1000, 1003}, {2000, 2007}, {5000, 5023}, {114_000, 114_175}, {7000, 7007}};
    for (long[] c : cases) {
      LatencyHistogram h = new LatencyHistogram();
      h.record(c[0]);
      assertArrayEquals(new long[] {c[1], c[1], c[1]}, h.valuesAt(0, 50, 100), "for " + c[0]);
    }
  }

  @Test
  void smallValues_areExact_andOutOfRangeOnesClamped() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(0);
    h.record(-5);
    h.record(200);
    h.record(5_000_000_000L);
    // 10^9 falls in [238 << 22, 239 << 22).
    assertArrayEquals(new long[] {1, 200, (239L << 22) - 1}, h.valuesAt(50, 75, 100));
  }

  @Test
  void percentiles_roundToTheNearestCallLikeHdrHistogram() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 1; i <= 100; i++) {
      h.record(i);
    }
    assertArrayEquals(new long[] {1, 50, 99, 100, 100}, h.valuesAt(0, 50, 99, 99.9, 100));
  }

  @Test
  void everyValue_fallsInABucketWhoseHighestValueIsNotBelowIt() {
    for (long v = 1; v <= LatencyHistogram.HIGHEST; v = v * 3 + 1) {
      int index = LatencyHistogram.countsIndex(v);
      long high = LatencyHistogram.highestValueAt(index);
      assertEquals(true, high >= v && high - v <= v / 100 + 1, v + " -> " + high);
      assertEquals(true, index < LatencyHistogram.COUNTS_LEN, v + " -> index " + index);
    }
  }

  /** Workers count in arrays of their own and other threads in a shared one: a read sums all. */
  @Test
  void callsRecordedByManyThreadsAtOnce_allCount() throws Exception {
    LatencyHistogram h = new LatencyHistogram();
    int each = 20_000;
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(new CountingThread(() -> record(h, 100, each), "worker-" + t));
    }
    for (int t = 0; t < 2; t++) {
      threads.add(new Thread(() -> record(h, 200, each), "other-" + t));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    // 80,000 calls of 100 ns, then 40,000 of 200 ns: the split falls exactly at two thirds.
    assertArrayEquals(new long[] {100, 100, 200, 200}, h.valuesAt(50, 66.66, 66.67, 100));
  }

  private static void record(LatencyHistogram h, long nanos, int times) {
    for (int i = 0; i < times; i++) {
      h.record(nanos);
    }
  }
}
