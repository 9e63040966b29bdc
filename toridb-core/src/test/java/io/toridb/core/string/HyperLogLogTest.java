package io.toridb.core.string;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * HyperLogLogs through the executor and the format's own operations. Byte-for-byte agreement with
 * Redis is the differential script {@code hyperloglog}'s.
 */
class HyperLogLogTest {
  private final CommandHarness h = new CommandHarness();

  private static long parse(String integerReply) {
    return Long.parseLong(integerReply.substring(1).trim());
  }

  @Test
  void theEstimate_staysWithinTheStandardError_asTheHllTurnsDense() {
    int n = 100_000;
    String[] args = new String[1001];
    args[0] = "hll";
    for (int done = 0; done < n; done += 1000) {
      for (int i = 0; i < 1000; i++) {
        args[i + 1] = "element:" + (done + i);
      }
      h.call(prepend("PFADD", args));
    }
    long estimate = parse(h.call("PFCOUNT", "hll"));
    // 0.81% standard error; 3% is far out in the tail.
    assertTrue(Math.abs(estimate - n) < n * 0.03, "estimate " + estimate);
    assertEquals("+dense\r\n", h.call("PFDEBUG", "ENCODING", "hll"));
    // Adding what is there already changes no register.
    assertEquals(integer(0), h.call("PFADD", "hll", "element:5", "element:99999"));
  }

  private static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  @Test
  void sparseAndDense_countTheSame_andTheSparseFormTurnsDenseWhenItOutgrowsItsLimit() {
    byte[][] sparse = {HyperLogLog.empty()};
    byte[][] dense = {HyperLogLog.toDense(HyperLogLog.empty())};
    for (int i = 0; i < 2000; i++) {
      byte[] e = ("x" + i).getBytes(StandardCharsets.UTF_8);
      HyperLogLog.add(sparse, e, 1 << 20);
      HyperLogLog.add(dense, e, 1 << 20);
    }
    assertEquals(HyperLogLog.SPARSE, HyperLogLog.encoding(sparse[0]));
    assertEquals(
        HyperLogLog.count(HyperLogLog.histogram(dense[0])),
        HyperLogLog.count(HyperLogLog.histogram(sparse[0])));
    byte[][] small = {HyperLogLog.empty()};
    for (int i = 0; i < 100; i++) {
      HyperLogLog.add(small, ("y" + i).getBytes(StandardCharsets.UTF_8), 100);
    }
    assertEquals(HyperLogLog.DENSE, HyperLogLog.encoding(small[0]));
    assertEquals(HyperLogLog.DENSE_SIZE, small[0].length);
  }

  @Test
  void registersRoundTrip_inTheDenseForm() {
    byte[] dense = HyperLogLog.toDense(HyperLogLog.empty());
    for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
      HyperLogLog.denseSet(dense, i, (i * 7) & 63);
    }
    for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
      assertEquals((i * 7) & 63, HyperLogLog.denseGet(dense, i), "register " + i);
    }
  }

  @Test
  void damagedValues_areRefused_notCounted() {
    h.call("SET", "short", "HYLL");
    assertEquals(error(HyperLogLog.NOT_HLL), h.call("PFCOUNT", "short"));
    // Sparse runs that cover fewer registers than there are.
    h.callBytes(
        new byte[][] {
          "SET".getBytes(StandardCharsets.US_ASCII),
          "runs".getBytes(StandardCharsets.US_ASCII),
          new byte[] {'H', 'Y', 'L', 'L', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x40, 0}
        });
    assertEquals(error(HyperLogLog.INVALID), h.call("PFCOUNT", "runs"));
    assertEquals(error(HyperLogLog.INVALID), h.call("PFMERGE", "dest", "runs"));
    h.call("LPUSH", "list", "a");
    assertTrue(h.call("PFADD", "list", "a").startsWith("-WRONGTYPE Operation against a key"));
  }

  @Test
  void anExpiry_survivesPfadd_andPfmerge() {
    h.call("PFADD", "t", "a");
    h.call("EXPIRE", "t", "1000");
    h.call("PFADD", "t", "b", "c");
    assertTrue(parse(h.call("TTL", "t")) > 990);
    assertEquals(OK, h.call("PFMERGE", "t", "t"));
    assertTrue(parse(h.call("TTL", "t")) > 990);
    assertEquals(integer(3), h.call("PFCOUNT", "t"));
  }

  @Test
  void selfTest_passes() {
    assertEquals(OK, h.call("PFSELFTEST"));
  }
}
