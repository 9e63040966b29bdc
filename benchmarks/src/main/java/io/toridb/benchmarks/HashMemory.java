package io.toridb.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.CoreCommands;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.config.Config;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.nio.charset.StandardCharsets;

/**
 * Live heap taken by one hash of N fields ({@code field:<i>} to the 16-byte {@code value:<i, 10
 * digits>}), built through the command path with HSET of 100 pairs at a time: the figure to set
 * beside Redis's INFO used_memory growth for the same data. Prints the bytes per field.
 *
 * <p>Run: {@code mvn -q -DskipTests package && java -Xmx2g -cp benchmarks/target/benchmarks.jar
 * io.toridb.benchmarks.HashMemory 1000000}
 */
public final class HashMemory {
  private HashMemory() {}

  public static void main(String[] args) throws InterruptedException {
    int fields = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    ServerContext server = new ServerContext(Config.standard());
    CoreCommands.registerAll(server.commands());
    CommandExecutor executor = new CommandExecutor(server);
    ClientSession session = new ClientSession(true);
    ByteBuf out = Unpooled.buffer(1 << 16);
    long before = liveHeap();
    for (int start = 0; start < fields; start += 100) {
      int end = Math.min(fields, start + 100);
      byte[][] argv = new byte[2 + 2 * (end - start)][];
      argv[0] = ascii("HSET");
      argv[1] = ascii("bighash");
      for (int i = start; i < end; i++) {
        argv[2 + 2 * (i - start)] = ascii("field:" + i);
        argv[3 + 2 * (i - start)] = ascii(String.format("value:%010d", i));
      }
      out.clear();
      executor.context().out().reset(out, 2);
      executor.execute(session, argv);
    }
    long after = liveHeap();
    out.clear();
    executor.context().out().reset(out, 2);
    executor.execute(session, new byte[][] {ascii("OBJECT"), ascii("ENCODING"), ascii("bighash")});
    System.out.printf(
        "%d fields (%s): %d bytes, %.1f bytes per field%n",
        fields,
        out.toString(StandardCharsets.US_ASCII).split("\r\n")[1],
        after - before,
        (after - before) / (double) fields);
    // Keep the server reachable until measured.
    if (server.keyspace().db(0).size() != 1) {
      throw new IllegalStateException("hash missing");
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Heap in use after full collections, once it stops shrinking. */
  private static long liveHeap() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(50);
      long now = rt.totalMemory() - rt.freeMemory();
      if (now >= used) {
        return now;
      }
      used = now;
    }
    return used;
  }
}
