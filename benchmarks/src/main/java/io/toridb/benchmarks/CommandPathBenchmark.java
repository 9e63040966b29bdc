package io.toridb.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.toridb.core.CoreCommands;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.config.Config;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.KeyLocks;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GET and SET through the whole command path without sockets: table lookup, arity and auth checks,
 * key-stripe locking, the handler, statistics and the RESP reply written into a pooled buffer. Keys
 * cycle through 100,000 pre-generated names with 3-byte values.
 *
 * <p>Beside them, the locking a single-key command pays on its own, on the server's own stripes:
 * {@link #lockUnlock} is the bare lock and unlock of one uncontended stripe for a rotating key
 * hash; {@link #hashLockUnlock} adds hashing the key to find its stripe, which together is
 * everything the executor spends on locking for one key. Their share of {@link #get} and {@link
 * #set} is the share of the command path spent locking.
 *
 * <p>Run: {@code mvn -q -DskipTests package && java -jar benchmarks/target/benchmarks.jar
 * CommandPathBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CommandPathBenchmark {
  private static final int KEYS = 100_000;
  private static final byte[] GET = "GET".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VALUE = "xxx".getBytes(StandardCharsets.US_ASCII);

  private byte[][] keys;
  private int[] keyHashes;
  private KeyLocks locks;
  private CommandExecutor executor;
  private ClientSession session;
  private ByteBuf out;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    ServerContext server = new ServerContext(Config.standard());
    CoreCommands.registerAll(server.commands());
    executor = new CommandExecutor(server);
    session = new ClientSession(true);
    out = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
    locks = server.keyspace().locks();
    keys = new byte[KEYS][];
    keyHashes = new int[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
      keyHashes[i] = Key.hash(keys[i]);
      run(new byte[][] {SET, keys[i], VALUE});
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    out.release();
  }

  private void run(byte[][] argv) {
    out.clear();
    executor.context().out().reset(out, 2);
    executor.execute(session, argv);
  }

  private byte[] nextKey() {
    return keys[nextIndex()];
  }

  private int nextIndex() {
    int i = next;
    next = next + 1 == KEYS ? 0 : next + 1;
    return i;
  }

  @Benchmark
  public ByteBuf get() {
    run(new byte[][] {GET, nextKey()});
    return out;
  }

  /** The request arrays are fresh per call, as the decoder hands them over. */
  @Benchmark
  public ByteBuf set() {
    run(new byte[][] {SET, nextKey(), VALUE.clone()});
    return out;
  }

  /** The stripe lock and unlock of a single-key command, with the key's hash already known. */
  @Benchmark
  public int lockUnlock() {
    int stripe = KeyLocks.stripeOf(keyHashes[nextIndex()]);
    locks.lock(stripe);
    locks.unlock(stripe);
    return stripe;
  }

  /** Hashing the key to its stripe, then the lock and unlock: all a single-key command spends. */
  @Benchmark
  public int hashLockUnlock() {
    int stripe = KeyLocks.stripeOf(Key.hash(nextKey()));
    locks.lock(stripe);
    locks.unlock(stripe);
    return stripe;
  }
}
