package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sends the same seeded random command sequences (see {@link RandomCommands}) to ToriDB and to a
 * real Redis and compares every reply. A sequence stops at its first difference and reports the
 * seed, the step, the command, both replies and the commands before it.
 *
 * <p>Each sequence's seed is in its name; {@code -Ddifferential.seed=S} reruns from seed S (the
 * seed's parity picks RESP2 or RESP3, so the rerun uses the same protocol), {@code
 * -Ddifferential.sequences=N} and {@code -Ddifferential.steps=N} change how much is run.
 */
@Tag("differential")
class RandomDifferentialIT {
  private static final int HISTORY = 25;

  @RegisterExtension static final RedisServerExtension redis = new RedisServerExtension();
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  @TestFactory
  Stream<DynamicTest> randomSequences() {
    String configured = System.getProperty("differential.seed", "").trim();
    long base =
        configured.isEmpty() ? System.nanoTime() & 0xffff_ffffL : Long.parseLong(configured);
    int sequences = Integer.getInteger("differential.sequences", configured.isEmpty() ? 8 : 1);
    int steps = Integer.getInteger("differential.steps", 1000);
    System.out.println("RandomDifferentialIT: seeds " + base + ".." + (base + sequences - 1));
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < sequences; i++) {
      long seed = base + i;
      int protocol = (seed & 1) == 0 ? 2 : 3;
      tests.add(
          DynamicTest.dynamicTest(
              "seed " + seed + " RESP" + protocol,
              () -> run(seed, protocol, steps, commands(seed))));
    }
    return tests.stream();
  }

  /**
   * The command generator for one sequence; subclasses override it to drive other command families
   * through the same comparison.
   */
  protected Supplier<RandomCommands.Command> commands(long seed) {
    return new RandomCommands(seed)::next;
  }

  private static void run(
      long seed, int protocol, int steps, Supplier<RandomCommands.Command> commands)
      throws IOException {
    Deque<String> history = new ArrayDeque<>();
    try (RespClient r = redis.connect();
        RespClient t = DifferentialIT.connectTarget(tori)) {
      List<RandomCommands.Command> setup = new ArrayList<>();
      setup.add(
          new RandomCommands.Command(RespClient.bytes("FLUSHALL"), CommandScript.Mode.EXACT, null));
      if (protocol == 3) {
        setup.add(
            new RandomCommands.Command(
                RespClient.bytes("HELLO", "3"), CommandScript.Mode.MASK, "id"));
      }
      for (int step = -setup.size(); step < steps; step++) {
        RandomCommands.Command c = step < 0 ? setup.get(step + setup.size()) : commands.get();
        r.send(c.argv());
        t.send(c.argv());
        Reply expected = r.read();
        Reply actual;
        try {
          actual = t.read();
        } catch (IOException e) {
          fail(report(seed, protocol, step, c, history, expected.render(), "no valid reply: " + e));
          return;
        }
        if (!ReplyComparison.matches(c.mode(), c.modeArg(), expected, actual)) {
          fail(report(seed, protocol, step, c, history, expected.render(), actual.render()));
        }
        history.addLast(c.display() + "  ->  " + expected.render().strip().replace("\n", " "));
        if (history.size() > HISTORY) {
          history.removeFirst();
        }
      }
    }
  }

  private static String report(
      long seed,
      int protocol,
      int step,
      RandomCommands.Command c,
      Deque<String> history,
      String expected,
      String actual) {
    StringBuilder sb = new StringBuilder();
    sb.append("seed ")
        .append(seed)
        .append(" (RESP")
        .append(protocol)
        .append("), step ")
        .append(step)
        .append(": ")
        .append(c.display())
        .append('\n');
    sb.append("  redis : ").append(expected.strip().replace("\n", "\n          ")).append('\n');
    sb.append("  toridb: ").append(actual.strip().replace("\n", "\n          ")).append('\n');
    sb.append("  rerun: -Dtest=RandomDifferentialIT -Ddifferential.seed=")
        .append(seed)
        .append('\n');
    sb.append("  previous commands (with Redis's replies):\n");
    for (String h : history) {
      sb.append("    ").append(h).append('\n');
    }
    return sb.toString();
  }
}
