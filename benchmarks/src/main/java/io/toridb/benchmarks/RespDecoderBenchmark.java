package io.toridb.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.toridb.protocol.ProtocolException;
import io.toridb.protocol.ProtocolLimits;
import io.toridb.protocol.RespDecoder;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding speed of the request decoder on fixed, pre-generated input: one batch of 16 pipelined
 * commands of the given shape per invocation.
 *
 * <p>Run: {@code mvn -q -DskipTests package && java -jar benchmarks/target/benchmarks.jar
 * RespDecoderBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RespDecoderBenchmark {
  private static final int PIPELINE = 16;

  @Param({"get", "set-1k", "inline-ping"})
  public String shape;

  private ByteBuf input;
  private RespDecoder decoder;

  @Setup(Level.Trial)
  public void setUp() {
    String one =
        switch (shape) {
          case "get" -> "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000012345\r\n";
          case "set-1k" ->
              "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000012345\r\n$1024\r\n" + "x".repeat(1024) + "\r\n";
          case "inline-ping" -> "PING\r\n";
          default -> throw new IllegalArgumentException(shape);
        };
    input =
        ByteBufAllocator.DEFAULT
            .directBuffer()
            .writeBytes(one.repeat(PIPELINE).getBytes(StandardCharsets.US_ASCII));
    decoder = new RespDecoder(ProtocolLimits.DEFAULTS);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    input.release();
  }

  /** Decodes one pipelined batch of 16 requests. */
  @Benchmark
  public void decodeBatch(Blackhole bh) throws ProtocolException {
    input.readerIndex(0);
    decoder.decode(input, bh::consume);
  }
}
