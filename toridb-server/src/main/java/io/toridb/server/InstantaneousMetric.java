package io.toridb.server;

/**
 * A per-second rate averaged over the last 16 samples taken at least 100 ms apart, as Redis's
 * instantaneous_ops_per_sec and instantaneous_*_kbps. Sampled by the cron thread only; read by INFO
 * from any thread.
 */
final class InstantaneousMetric {
  private static final int SAMPLES = 16;
  private static final long MIN_INTERVAL_MS = 100;

  private final long[] samples = new long[SAMPLES];
  private int index;
  private long lastTime;
  private long lastValue;

  /** Records {@code value} (a running total) seen at {@code nowMillis}. */
  synchronized void sample(long nowMillis, long value) {
    if (lastTime == 0) {
      lastTime = nowMillis;
      lastValue = value;
      return;
    }
    long elapsed = nowMillis - lastTime;
    if (elapsed < MIN_INTERVAL_MS) {
      return;
    }
    samples[index] = Math.max(0, value - lastValue) * 1000 / elapsed;
    index = (index + 1) % SAMPLES;
    lastTime = nowMillis;
    lastValue = value;
  }

  /** The average rate per second over the kept samples. */
  synchronized long perSecond() {
    long sum = 0;
    for (long s : samples) {
      sum += s;
    }
    return sum / SAMPLES;
  }
}
