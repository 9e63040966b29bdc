package io.toridb.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.command.LatencyHistogram;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The latency monitor's samples and the LATENCY command over it, and the histogram's CDF. */
class LatencyMonitorTest {
  @Test
  void samplesOfOneSecondMerge_intoTheirMaximum_andTheRingKeepsTheLast160() {
    LatencyMonitor m = new LatencyMonitor();
    m.add("command", 300, 1000);
    m.add("command", 500, 1000);
    m.add("command", 200, 1000);
    m.add("command", 400, 1001);
    assertEquals(
        List.of(new LatencyMonitor.Sample(1000, 500), new LatencyMonitor.Sample(1001, 400)),
        m.history("command"));
    assertEquals(List.of(new LatencyMonitor.Latest("command", 1001, 400, 500)), m.latest());
    for (int i = 0; i < 200; i++) {
      m.add("command", i, 2000 + i);
    }
    List<LatencyMonitor.Sample> h = m.history("command");
    assertEquals(LatencyMonitor.SAMPLES, h.size());
    assertEquals(new LatencyMonitor.Sample(2040, 40), h.get(0));
    assertEquals(new LatencyMonitor.Sample(2199, 199), h.get(h.size() - 1));
    assertEquals(500, m.max("command"));
    assertTrue(m.graph("command", 2200).startsWith("command - high 199 ms, low 40 ms"));
    assertNull(m.graph("other", 2200));
    assertEquals(0, m.reset("other"));
    assertEquals(1, m.reset(null));
    assertEquals(List.of(), m.latest());
  }

  @Test
  void fastCommandsReachingTheThreshold_areTheirOwnEvent() {
    CommandHarness h = new CommandHarness();
    LatencyMonitor m = h.server().latencyMonitor();
    h.call("GET", "k");
    assertEquals(List.of(), m.latest());
    // A threshold of 1 ms is reached by no GET here; the event class is what is checked.
    m.add("fast-command", 5);
    assertEquals("fast-command", m.latest().get(0).event());
    assertTrue(h.call("LATENCY", "LATEST").startsWith("*1\r\n*4\r\n$12\r\nfast-command\r\n"));
    assertEquals(":1\r\n", h.call("LATENCY", "RESET", "fast-command", "command"));
  }

  @Test
  void histogramCdf_countsCallsAtOrBelowEachPowerOfTwoMicroseconds() {
    LatencyHistogram hist = new LatencyHistogram();
    hist.record(500); // 0.5 µs
    hist.record(1_500); // 1.5 µs
    hist.record(3_000_000); // 3 ms
    List<long[]> cdf = hist.cumulativeMicros();
    assertEquals(3, hist.total());
    assertEquals(1, cdf.get(0)[0]);
    assertEquals(1, cdf.get(0)[1]);
    assertEquals(2, cdf.get(1)[0]);
    assertEquals(2, cdf.get(1)[1]);
    long[] last = cdf.get(cdf.size() - 1);
    assertEquals(3, last[1]);
    // 3 ms lies under the 2^22 ns bound, whose highest equivalent value is 4227071 ns.
    assertEquals(4227, last[0]);
    assertEquals(3, cdf.size());
  }
}
