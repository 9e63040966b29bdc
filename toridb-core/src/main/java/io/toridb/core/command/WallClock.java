package io.toridb.core.command;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Wall-clock milliseconds for a {@link System#nanoTime} reading the caller already has, so that a
 * command needs one clock read for both its start time and its duration. On a virtual machine each
 * read is a call of its own (in pipelined profiles the three reads a command made were 15% of a
 * worker's time).
 *
 * <p>Implementation notes: the offset between the two clocks is re-read every {@value
 * #REFRESH_MILLIS} ms, from the nanosecond wall clock, so a derived time is within the drift of
 * that interval (tens of microseconds under NTP slewing) of {@link System#currentTimeMillis}, and a
 * step of the wall clock is followed within the interval. Not thread safe: one per executor.
 */
final class WallClock {
  static final long REFRESH_MILLIS = 100;
  private static final long REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS);

  private boolean read;
  private long readAt;
  private long offset;

  /**
   * Milliseconds since the epoch at the moment {@code System.nanoTime()} returned {@code nanos}.
   */
  long millisAt(long nanos) {
    if (!read || nanos - readAt >= REFRESH_NANOS) {
      Instant wall = Instant.now();
      long mono = System.nanoTime();
      offset = wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - mono;
      readAt = mono;
      read = true;
    }
    return Math.floorDiv(nanos + offset, 1_000_000L);
  }
}
