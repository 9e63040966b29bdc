package io.toridb.server.it;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the buffer leaks Netty's leak detector reports (the build runs it at "paranoid"), so
 * that the over-the-wire tests fail on a leak instead of only logging it. Attached to Netty's
 * {@code ResourceLeakDetector} logger in {@code logback-test.xml}.
 */
public final class LeakRecorder extends AppenderBase<ILoggingEvent> {
  private static final List<String> leaks = new ArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    if (message != null && message.contains("LEAK")) {
      synchronized (leaks) {
        leaks.add(message);
      }
    }
  }

  /**
   * Makes Netty look for leaked buffers now (it reports a leak when it tracks a new buffer after
   * the leaked one was collected) and returns, then forgets, every leak reported so far.
   */
  static List<String> collect() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      for (int i = 0; i < 64; i++) {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
        b.release();
      }
    }
    synchronized (leaks) {
      List<String> out = new ArrayList<>(leaks);
      leaks.clear();
      return out;
    }
  }
}
