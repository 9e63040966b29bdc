package io.toridb.server;

import io.toridb.core.config.Config;

/**
 * One client's check against a class of client-output-buffer-limit, as Redis's
 * checkClientOutputBufferLimits: over the limit at or past the hard one, or at or past the soft one
 * for more than its seconds (whole seconds, the first check starting the count). Used for
 * subscribers' pushed messages and replicas' unsent stream; checks may come from several threads.
 */
final class OutputLimitCheck {
  /**
   * The second (System.currentTimeMillis() / 1000) the pending output reached the soft limit; 0
   * while it is below it.
   */
  private long softLimitSince;

  /** Whether {@code pending} bytes break {@code limit}. */
  synchronized boolean over(long pending, Config.OutputLimit limit) {
    if (limit.hard() > 0 && pending >= limit.hard()) {
      return true;
    }
    if (limit.soft() <= 0 || pending < limit.soft()) {
      softLimitSince = 0;
      return false;
    }
    long now = System.currentTimeMillis() / 1000;
    if (softLimitSince == 0) {
      softLimitSince = now;
      return false;
    }
    return now - softLimitSince > limit.softSeconds();
  }
}
