package io.toridb.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.CoreCommands;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.config.Config;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Vector-set searches and insertions through the command path, on a set of {@link #size} random
 * 128-dimension vectors (Gaussian components, so no clusters to help the graph): {@link #vsim} asks
 * the HNSW graph for the 10 nearest elements to a pre-generated query, {@link #vsimTruth} scans
 * every element for the same ({@code TRUTH}), and {@link #vaddUpdate} gives an existing element a
 * new vector, which unlinks its node and links a new one (the cost of an insertion at this size).
 * The search benchmarks also print, once, the recall of the graph's answers against the scan's over
 * the queries.
 *
 * <p>Run: {@code mvn -q -DskipTests package && java -jar benchmarks/target/benchmarks.jar
 * VectorSetBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VectorSetBenchmark {
  private static final int DIM = 128;
  private static final int QUERIES = 256;

  @Param({"10000"})
  public int size;

  @Param({"Q8", "NOQUANT"})
  public String quant;

  private final ClientSession session = new ClientSession(true);
  private final ByteBuf out = Unpooled.buffer(1 << 16);
  private CommandExecutor executor;
  private byte[][] queries;
  private byte[][] updates;
  private int next;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] randomVector(Random r) {
    ByteBuffer buf = ByteBuffer.allocate(DIM * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < DIM; i++) {
      buf.putFloat((float) r.nextGaussian());
    }
    return buf.array();
  }

  @Setup(Level.Trial)
  public void setUp() {
    ServerContext server = new ServerContext(Config.standard());
    CoreCommands.registerAll(server.commands());
    executor = new CommandExecutor(server);
    Random r = new Random(1);
    for (int i = 0; i < size; i++) {
      run(b("VADD"), b("vs"), b("FP32"), randomVector(r), b("e" + i), b(quant));
    }
    queries = new byte[QUERIES][];
    updates = new byte[QUERIES][];
    for (int i = 0; i < QUERIES; i++) {
      queries[i] = randomVector(r);
      updates[i] = randomVector(r);
    }
    System.out.printf("%nrecall@10 of the graph against the scan: %.3f%n", recall());
  }

  private String run(byte[]... argv) {
    out.clear();
    executor.context().out().reset(out, 2);
    executor.execute(session, argv);
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private double recall() {
    int hits = 0;
    int total = 0;
    for (byte[] q : queries) {
      String graph = run(b("VSIM"), b("vs"), b("FP32"), q, b("COUNT"), b("10"));
      String exact = run(b("VSIM"), b("vs"), b("FP32"), q, b("COUNT"), b("10"), b("TRUTH"));
      for (String line : exact.split("\r\n")) {
        if (line.startsWith("e")) {
          total++;
          if (graph.contains("\r\n" + line + "\r\n")) {
            hits++;
          }
        }
      }
    }
    return (double) hits / total;
  }

  private int nextIndex() {
    int i = next;
    next = (next + 1) % QUERIES;
    return i;
  }

  @Benchmark
  public ByteBuf vsim() {
    run(b("VSIM"), b("vs"), b("FP32"), queries[nextIndex()], b("COUNT"), b("10"));
    return out;
  }

  @Benchmark
  public ByteBuf vsimTruth() {
    run(b("VSIM"), b("vs"), b("FP32"), queries[nextIndex()], b("COUNT"), b("10"), b("TRUTH"));
    return out;
  }

  @Benchmark
  public ByteBuf vaddUpdate() {
    int i = nextIndex();
    run(b("VADD"), b("vs"), b("FP32"), updates[i], b("e" + (i * 37 % size)), b(quant));
    return out;
  }
}
