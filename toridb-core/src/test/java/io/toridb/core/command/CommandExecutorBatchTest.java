package io.toridb.core.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.KeyLocks;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A batch keeps a single stripe locked between commands that need only it, and never otherwise: the
 * lock is released before any other command locks, at the end of the batch, and not kept at all
 * outside a batch.
 */
class CommandExecutorBatchTest {
  private final CommandHarness h = new CommandHarness();
  private final CommandExecutor executor = h.executor();
  private final KeyLocks locks = h.server().keyspace().locks();

  private String run(String... args) {
    return h.call(args);
  }

  private static int stripe(String key) {
    return KeyLocks.stripeOf(Key.of(key).hashCode());
  }

  /** Whether another thread could lock {@code stripe} right now. */
  private boolean freeForOthers(int stripe) throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              boolean got = locks.tryLock(stripe);
              if (got) {
                locks.unlock(stripe);
              }
              return got;
            })
        .get(10, TimeUnit.SECONDS);
  }

  /** Asserts that this thread does not hold {@code stripe} and another thread could lock it. */
  private void assertReleased(int stripe) throws Exception {
    assertFalse(locks.isHeldByCurrentThread(stripe), "still held by the batch");
    assertTrue(freeForOthers(stripe), "still locked for other threads");
  }

  /** A key whose stripe differs from {@code other}'s. */
  private static String keyOnAnotherStripe(String other) {
    for (int i = 0; ; i++) {
      String k = "other:" + i;
      if (stripe(k) != stripe(other)) {
        return k;
      }
    }
  }

  @Test
  void withinABatch_aSingleKeysStripeStaysLocked_untilTheBatchEnds() throws Exception {
    int s = stripe("k");
    executor.beginBatch();
    assertEquals("+OK\r\n", run("SET", "k", "1"));
    assertTrue(locks.isHeldByCurrentThread(s));
    assertFalse(freeForOthers(s), "another worker waits while the batch goes on");
    assertEquals(":2\r\n", run("INCR", "k"));
    assertEquals(":3\r\n", run("INCR", "k"));
    assertTrue(locks.isHeldByCurrentThread(s));
    executor.endBatch();
    // Held once however many commands used it: one release frees it.
    assertReleased(s);
  }

  @Test
  void aCommandOnOtherStripes_releasesTheRetainedOneBeforeLocking() throws Exception {
    String a = "k";
    String b = keyOnAnotherStripe(a);
    assertNotEquals(stripe(a), stripe(b));
    executor.beginBatch();
    run("SET", a, "1");
    run("SET", b, "2");
    assertFalse(locks.isHeldByCurrentThread(stripe(a)));
    assertTrue(locks.isHeldByCurrentThread(stripe(b)));
    // Commands of several stripes keep none of them.
    assertEquals("+OK\r\n", run("MSET", a, "3", b, "4"));
    assertReleased(stripe(a));
    assertReleased(stripe(b));
    executor.endBatch();
  }

  @Test
  void keylessAndWholeKeyspaceCommands_releaseTheRetainedStripe() throws Exception {
    int s = stripe("k");
    executor.beginBatch();
    run("SET", "k", "1");
    assertEquals("+PONG\r\n", run("PING"));
    assertReleased(s);
    run("SET", "k", "2");
    assertEquals(":1\r\n", run("DBSIZE"));
    assertReleased(s);
    executor.endBatch();
  }

  @Test
  void aTransactionInABatch_locksItsOwnKeysAfterReleasingTheRetainedStripe() throws Exception {
    String b = keyOnAnotherStripe("k");
    executor.beginBatch();
    run("SET", "k", "1");
    assertEquals("+OK\r\n", run("MULTI"));
    assertEquals("+QUEUED\r\n", run("INCR", "k"));
    assertEquals("+QUEUED\r\n", run("SET", b, "x"));
    assertEquals("*2\r\n:2\r\n+OK\r\n", run("EXEC"));
    executor.endBatch();
    assertReleased(stripe("k"));
    assertReleased(stripe(b));
  }

  @Test
  void outsideABatch_nothingStaysLocked() throws Exception {
    run("SET", "k", "1");
    assertEquals("$1\r\n1\r\n", run("GET", "k"));
    assertReleased(stripe("k"));
  }
}
