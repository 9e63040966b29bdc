package io.toridb.server.lincheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.toridb.server.it.ToriServerExtension;
import io.toridb.server.lincheck.LinearizabilityChecker.Result;
import io.toridb.server.lincheck.LinearizabilityChecker.Verdict;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Eight Jedis clients, each on its own connection, run a random mix of SET (unique values), GET and
 * INCR against one key of a server with four workers. Every operation is recorded with the client's
 * clock before the request and after the reply, and the whole history is handed to the {@link
 * LinearizabilityChecker}: the server must behave as one register whose operations each take effect
 * at one instant within their interval.
 *
 * <p>The control test shows the check has teeth over the wire: the same load with INCR done by the
 * client as GET then SET (two round trips, recorded as one INCR) loses increments under contention,
 * and the checker must find such a history non-linearizable in one of a few rounds.
 */
class LinearizabilityIT {
  private static final int CLIENTS = 8;
  private static final int OPS_PER_CLIENT = 3_000;
  private static final int CONTROL_OPS_PER_CLIENT = 500;
  private static final int CONTROL_ROUNDS = 5;

  @RegisterExtension
  static final ToriServerExtension tori = new ToriServerExtension().with("workers", "4");

  private static ExecutorService pool;
  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  @BeforeAll
  static void startPool() {
    pool = Executors.newFixedThreadPool(CLIENTS);
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void setGetIncrFromEightClients_isLinearizable() throws Exception {
    String key = "lin:register";
    List<Operation> history = run(key, OPS_PER_CLIENT, 30, 40, false, 1);
    assertEquals(CLIENTS * OPS_PER_CLIENT, history.size());
    assertEquals(EnumSet.allOf(Operation.Kind.class), kinds(history));
    assertTrue(overlappingPairs(history) > 0, "the clients never ran concurrently");

    Result r = timedCheck("atomic INCR", history);
    assertEquals(Verdict.LINEARIZABLE, r.verdict(), r::toString);
  }

  @Test
  void incrDoneByTheClientAsGetThenSet_isCaughtAsNotLinearizable() throws Exception {
    List<String> rounds = new ArrayList<>();
    for (int round = 1; round <= CONTROL_ROUNDS; round++) {
      List<Operation> history =
          run("lin:control:" + round, CONTROL_OPS_PER_CLIENT, 10, 20, true, 100 + round);
      Result r = timedCheck("client-side INCR, round " + round, history);
      assertTrue(r.verdict() != Verdict.UNKNOWN, r::toString);
      if (r.verdict() == Verdict.NOT_LINEARIZABLE) {
        // The culprit can only be an INCR or a GET that observed a lost or repeated increment.
        assertTrue(r.failingOperation().kind() != Operation.Kind.SET, r::toString);
        System.out.println(r.explanation());
        return;
      }
      rounds.add("round " + round + ": " + r.verdict());
    }
    fail(
        "a client-side GET+SET increment under contention was never caught as a violation: "
            + rounds);
  }

  private Result timedCheck(String what, List<Operation> history) {
    long start = System.nanoTime();
    Result r = checker.check(history);
    long micros = (System.nanoTime() - start) / 1_000;
    System.out.printf(
        Locale.ROOT,
        "LinearizabilityIT %s: %d operations from %d clients, %s in %.2f s, %d configurations%n",
        what,
        history.size(),
        CLIENTS,
        r.verdict(),
        micros / 1e6,
        r.configurations());
    return r;
  }

  /**
   * Runs the load on {@code key} from {@link #CLIENTS} connections at once and returns the merged
   * history. With {@code clientSideIncr}, INCR is a GET and then a SET of the value plus one.
   */
  private static List<Operation> run(
      String key,
      int opsPerClient,
      int setPercent,
      int getPercent,
      boolean clientSideIncr,
      long seed)
      throws Exception {
    try (Jedis j = connect()) {
      j.del(key);
    }
    CountDownLatch ready = new CountDownLatch(CLIENTS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<Operation>>> futures = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      Random rnd = new Random(seed * 31 + c);
      Callable<List<Operation>> task =
          () -> {
            List<Operation> mine = new ArrayList<>(opsPerClient);
            try (Jedis j = connect()) {
              j.ping();
              ready.countDown();
              go.await();
              for (int i = 0; i < opsPerClient; i++) {
                int pick = rnd.nextInt(100);
                if (pick < setPercent) {
                  String v = SimulatedHistories.value(rnd, client, i);
                  long t0 = System.nanoTime();
                  String reply = j.set(key, v);
                  long t1 = System.nanoTime();
                  assertEquals("OK", reply);
                  mine.add(Operation.set(client, v, t0, t1));
                } else if (pick < setPercent + getPercent) {
                  long t0 = System.nanoTime();
                  String v = j.get(key);
                  long t1 = System.nanoTime();
                  mine.add(Operation.get(client, v, t0, t1));
                } else {
                  mine.add(clientSideIncr ? getThenSet(j, key, client) : incr(j, key, client));
                }
              }
            }
            return mine;
          };
      futures.add(pool.submit(task));
    }
    if (!ready.await(30, TimeUnit.SECONDS)) {
      fail("clients did not connect");
    }
    go.countDown();
    List<Operation> history = new ArrayList<>();
    for (Future<List<Operation>> f : futures) {
      history.addAll(f.get(120, TimeUnit.SECONDS));
    }
    return history;
  }

  private static Operation incr(Jedis j, String key, int client) {
    long t0 = System.nanoTime();
    try {
      long v = j.incr(key);
      return Operation.incr(client, v, t0, System.nanoTime());
    } catch (JedisDataException e) {
      return Operation.incrError(client, e.getMessage(), t0, System.nanoTime());
    }
  }

  /** The racy increment: read, add one on the client, write back; two round trips. */
  private static Operation getThenSet(Jedis j, String key, int client) {
    long t0 = System.nanoTime();
    String old = j.get(key);
    Long next = Register.increment(old);
    if (next == null) {
      return Operation.incrError(
          client, "ERR value is not an integer or out of range", t0, System.nanoTime());
    }
    j.set(key, next.toString());
    return Operation.incr(client, next, t0, System.nanoTime());
  }

  private static Jedis connect() {
    return new Jedis(
        new HostAndPort(tori.host(), tori.port()),
        DefaultJedisClientConfig.builder().timeoutMillis(15_000).build());
  }

  private static Set<Operation.Kind> kinds(List<Operation> history) {
    Set<Operation.Kind> kinds = EnumSet.noneOf(Operation.Kind.class);
    for (Operation op : history) {
      kinds.add(op.kind());
    }
    return kinds;
  }

  /** How many pairs of operations of different clients overlap in time (sweep over invokes). */
  private static long overlappingPairs(List<Operation> history) {
    List<Operation> byInvoke = new ArrayList<>(history);
    byInvoke.sort((a, b) -> Long.compare(a.invoke(), b.invoke()));
    long pairs = 0;
    for (int i = 0; i < byInvoke.size(); i++) {
      Operation a = byInvoke.get(i);
      for (int k = i + 1; k < byInvoke.size() && byInvoke.get(k).invoke() <= a.complete(); k++) {
        if (byInvoke.get(k).client() != a.client()) {
          pairs++;
        }
      }
    }
    return pairs;
  }
}
