package io.toridb.core.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WallClockTest {
  private final WallClock clock = new WallClock();

  @Test
  void millisAt_now_isTheWallClock() {
    for (int i = 0; i < 1000; i++) {
      long before = System.currentTimeMillis();
      long derived = clock.millisAt(System.nanoTime());
      long after = System.currentTimeMillis();
      // The derived time may straddle a millisecond boundary differently, never more.
      assertTrue(
          derived >= before - 1 && derived <= after + 1, before + " " + derived + " " + after);
    }
  }

  @Test
  void millisAt_followsTheReadingItIsGiven() {
    long nanos = System.nanoTime();
    long at = clock.millisAt(nanos);
    assertEquals(at + 1500, clock.millisAt(nanos + TimeUnit.MILLISECONDS.toNanos(1500)), 1);
    assertEquals(at - 250, clock.millisAt(nanos - TimeUnit.MILLISECONDS.toNanos(250)), 1);
  }

  @Test
  void millisAt_afterTheRefreshInterval_readsTheWallClockAgain() throws InterruptedException {
    clock.millisAt(System.nanoTime());
    Thread.sleep(WallClock.REFRESH_MILLIS + 20);
    long before = System.currentTimeMillis();
    long derived = clock.millisAt(System.nanoTime());
    long after = System.currentTimeMillis();
    assertTrue(derived >= before - 1 && derived <= after + 1, before + " " + derived + " " + after);
  }
}
