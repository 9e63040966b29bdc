package io.toridb.core.command;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.toridb.core.CoreCommands;
import io.toridb.core.config.Config;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The heap allocated per GET and SET on the command path (lookup, checks, locking, the handler,
 * statistics, the reply), against the budget recorded in docs/performance.md. A change that makes
 * the hot path allocate more fails here rather than only in a benchmark nobody runs.
 *
 * <p>Request arrays are built before measuring, as the decoder builds them in the server; the reply
 * goes into one reused buffer. Allocation is counted by the JVM per thread, exactly, so the test
 * has no timing in it. It measures in rounds and keeps the lowest: the first rounds run before the
 * JIT has compiled the path (and removed its short-lived objects), which is not what the budget is
 * about.
 */
class CommandPathAllocationTest {
  /**
   * Budgets in bytes per command; see docs/performance.md, "Allocation per command". Measured: GET
   * 0 B and SET over an existing key 64 B (the 16-byte key wrapper of the lookup and the new
   * 48-byte value, which holds a short value's bytes itself). In about one JVM run in ten the JIT
   * keeps the key wrapper of a GET too, so the GET budget allows for it, and the SET budget for one
   * more such wrapper.
   */
  private static final long GET_BUDGET = 16;

  private static final long SET_OVERWRITE_BUDGET = 64 + 16;

  private static final int KEYS = 10_000;
  private static final int ROUND = 50_000;
  private static final int ROUNDS = 40;

  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private CommandExecutor executor;
  private final ClientSession session = new ClientSession(true);
  private final ByteBuf out =
      new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 4096, 1 << 20);
  private byte[][][] gets;
  private byte[][][] sets;

  @BeforeEach
  void setUp() {
    ServerContext server = new ServerContext(Config.standard());
    CoreCommands.registerAll(server.commands());
    executor = new CommandExecutor(server);
    gets = new byte[KEYS][][];
    sets = new byte[KEYS][][];
    for (int i = 0; i < KEYS; i++) {
      byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
      gets[i] = new byte[][] {bytes("GET"), key};
      sets[i] = new byte[][] {bytes("SET"), key, bytes("v" + i)};
      run(sets[i]);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private void run(byte[][] argv) {
    out.clear();
    executor.context().out().reset(out, 2);
    executor.execute(session, argv);
  }

  /** The lowest allocation per operation over the rounds, in bytes. */
  private long bytesPerOp(IntConsumer op) {
    long thread = Thread.currentThread().getId();
    long best = Long.MAX_VALUE;
    for (int round = 0; round < ROUNDS; round++) {
      long before = threads.getThreadAllocatedBytes(thread);
      for (int i = 0; i < ROUND; i++) {
        op.accept(i % KEYS);
      }
      long after = threads.getThreadAllocatedBytes(thread);
      best = Math.min(best, (after - before) / ROUND);
    }
    return best;
  }

  @Test
  void getOfAnExistingKey_staysWithinItsAllocationBudget() {
    long perOp = bytesPerOp(i -> run(gets[i]));
    assertTrue(out.toString(StandardCharsets.US_ASCII).startsWith("$"), "GET found its key");
    assertTrue(
        perOp <= GET_BUDGET, "GET allocates " + perOp + " B per command, budget " + GET_BUDGET);
  }

  @Test
  void setOverAnExistingKey_staysWithinItsAllocationBudget() {
    long perOp = bytesPerOp(i -> run(sets[i]));
    assertTrue(out.toString(StandardCharsets.US_ASCII).equals("+OK\r\n"), "SET succeeded");
    assertTrue(
        perOp <= SET_OVERWRITE_BUDGET,
        "SET allocates " + perOp + " B per command, budget " + SET_OVERWRITE_BUDGET);
  }
}
