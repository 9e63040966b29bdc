package io.toridb.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.CoreCommands;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.config.Config;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;

/**
 * The heap one big set takes: loads {@code N} members (default 1,000,000) into one key with SADD
 * through the command executor, in batches of 1,000, and prints the live heap after a full GC
 * before and after, per member. The members are short strings ("member:0" ...) or decimal integers
 * (0 ...), which are hashtable members once the set is past set-max-intset-entries; run one kind
 * per JVM. Compare with Redis's INFO memory used_memory before and after the same SADDs.
 *
 * <p>Run: {@code mvn -q -o -pl benchmarks -am package -DskipTests && java -Xmx2g -cp
 * benchmarks/target/benchmarks.jar io.toridb.benchmarks.SetMemoryFootprint strings|integers [N]}
 */
public final class SetMemoryFootprint {
  private SetMemoryFootprint() {}

  public static void main(String[] args) {
    String kind = args.length > 0 ? args[0] : "strings";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    if (kind.equals("strings")) {
      measure(kind, n, i -> "member:" + i);
    } else {
      measure(kind, n, String::valueOf);
    }
  }

  private static void measure(String label, int n, java.util.function.IntFunction<String> member) {
    ServerContext server = new ServerContext(Config.standard());
    CoreCommands.registerAll(server.commands());
    CommandExecutor executor = new CommandExecutor(server);
    ClientSession session = new ClientSession(true);
    ByteBuf out = Unpooled.buffer(64);
    long before = liveHeap();
    int batch = 1000;
    for (int start = 0; start < n; start += batch) {
      int size = Math.min(batch, n - start);
      byte[][] argv = new byte[2 + size][];
      argv[0] = bytes("SADD");
      argv[1] = bytes("set");
      for (int i = 0; i < size; i++) {
        argv[2 + i] = bytes(member.apply(start + i));
      }
      out.clear();
      executor.context().out().reset(out, 2);
      executor.execute(session, argv);
    }
    out.clear();
    executor.context().out().reset(out, 2);
    executor.execute(session, new byte[][] {bytes("OBJECT"), bytes("ENCODING"), bytes("set")});
    String encoding = out.toString(StandardCharsets.US_ASCII).split("\r\n")[1];
    long after = liveHeap();
    long delta = after - before;
    System.out.printf(
        "%-8s %,d members (%s): %,d bytes, %.1f bytes/member%n",
        label, n, encoding, delta, (double) delta / n);
    // Keep the server reachable until after the measurement.
    if (server.keyspace().db(0).size() != 1) {
      throw new IllegalStateException("the set was not stored");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Heap in use after full collections, once it stops shrinking. */
  private static long liveHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (used >= last) {
        return Math.min(used, last);
      }
      last = used;
    }
    return last;
  }
}
