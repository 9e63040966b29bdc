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
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Each benchmark thread is one worker with its own executor over one shared keyspace, as in the
 * server; the threads walk the keys from different offsets, so they rarely meet on a stripe. With
 * {@code -t 2} the lock words and map entries move between two cores' caches as they do under the
 * server's two workers, which one thread never pays.
 *
 * <p>Run: {@code mvn -q -DskipTests package && java -jar benchmarks/target/benchmarks.jar
 * CommandPathBenchmark -prof gc} (add {@code -t 2} for two workers).
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

  /** The server and its keyspace, filled once and shared by every benchmark thread. */
  @State(Scope.Benchmark)
  public static class Keyspace {
    ServerContext server;
    byte[][] keys;
    int[] keyHashes;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      server = new ServerContext(Config.standard());
      CoreCommands.registerAll(server.commands());
      Worker loader = new Worker(server);
      keys = new byte[KEYS][];
      keyHashes = new int[KEYS];
      for (int i = 0; i < KEYS; i++) {
        keys[i] = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
        keyHashes[i] = Key.hash(keys[i]);
        loader.run(new byte[][] {SET, keys[i], VALUE});
      }
      loader.release();
    }
  }

  /** What one server worker owns: an executor, a client session and a reply buffer. */
  private static final class Worker {
    final CommandExecutor executor;
    final ClientSession session = new ClientSession(true);
    final ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(4096);

    Worker(ServerContext server) {
      executor = new CommandExecutor(server);
    }

    void run(byte[][] argv) {
      out.clear();
      executor.context().out().reset(out, 2);
      executor.execute(session, argv);
    }

    void release() {
      out.release();
    }
  }

  private byte[][] keys;
  private int[] keyHashes;
  private KeyLocks locks;
  private Worker worker;
  private int next;

  @Setup(Level.Trial)
  public void setUp(Keyspace keyspace) {
    keys = keyspace.keys;
    keyHashes = keyspace.keyHashes;
    locks = keyspace.server.keyspace().locks();
    worker = new Worker(keyspace.server);
    // Threads start far apart (a golden-ratio step through the keys) so they do not walk the
    // same stripes in step.
    next = (int) ((keyspace.threads.getAndIncrement() * 61_803L) % KEYS);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    worker.release();
  }

  private int nextIndex() {
    int i = next;
    next = next + 1 == KEYS ? 0 : next + 1;
    return i;
  }

  @Benchmark
  public ByteBuf get() {
    worker.run(new byte[][] {GET, keys[nextIndex()]});
    return worker.out;
  }

  /** The request arrays are fresh per call, as the decoder hands them over. */
  @Benchmark
  public ByteBuf set() {
    worker.run(new byte[][] {SET, keys[nextIndex()], VALUE.clone()});
    return worker.out;
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
    int stripe = KeyLocks.stripeOf(Key.hash(keys[nextIndex()]));
    locks.lock(stripe);
    locks.unlock(stripe);
    return stripe;
  }
}
