package io.toridb.benchmarks;

import io.toridb.persistence.aof.AofRecord;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What logging one write costs the thread that ran it (encoding the record) and the log writer
 * (sealing it with its CRC32C), for the SET of redis-benchmark's default workload and for one with
 * a 1 KiB value.
 *
 * <p>Run: {@code mvn -q -DskipTests package && java -jar benchmarks/target/benchmarks.jar
 * AofRecordBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AofRecordBenchmark {
  @Param({"set-3", "set-1k"})
  public String shape;

  private byte[][] argv;

  @Setup
  public void setUp() {
    String value = shape.equals("set-3") ? "xxx" : "x".repeat(1024);
    argv =
        new byte[][] {
          "SET".getBytes(StandardCharsets.US_ASCII),
          "key:000000012345".getBytes(StandardCharsets.US_ASCII),
          value.getBytes(StandardCharsets.US_ASCII)
        };
  }

  @Benchmark
  public byte[] encode() {
    return AofRecord.encode(0, argv);
  }

  @Benchmark
  public byte[] encodeAndSeal() {
    byte[] record = AofRecord.encode(0, argv);
    AofRecord.seal(record);
    return record;
  }
}
