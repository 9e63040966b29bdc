package io.toridb.core.keyspace;

import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.keyspace.KeyspaceTestSupport.recordPropagation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.KeyspaceTestSupport.FakeValue;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ActiveExpiryTest {
  private static final long T0 = 1_800_000_000_000L;

  private final CommandHarness h = new CommandHarness();
  private final List<String> propagated = recordPropagation(h);
  private final ActiveExpiry expiry = h.server().activeExpiry();

  private Database db(int i) {
    return h.server().keyspace().db(i);
  }

  private void put(int db, String key, long expireAt) {
    StoredValue v = new FakeValue(ValueType.STRING, "embstr");
    Key k = Key.of(key);
    db(db).put(k, v);
    if (expireAt != StoredValue.NO_EXPIRY) {
      db(db).setExpire(k, v, expireAt);
    }
  }

  /** Runs cycles until one reclaims nothing; returns the total reclaimed. */
  private int runUntilQuiet(long now) {
    int total = 0;
    for (int i = 0; i < 100_000; i++) {
      int n = expiry.runCycle(now);
      if (n == 0) {
        return total;
      }
      total += n;
    }
    throw new AssertionError("expiry cycles never went quiet");
  }

  @Test
  void runCycle_reclaimsExpiredKeys_andDbsizeDrops() {
    for (int i = 0; i < 2000; i++) {
      put(0, "short:" + i, T0 + 100);
    }
    for (int i = 0; i < 100; i++) {
      put(0, "long:" + i, T0 + 3_600_000);
      put(0, "plain:" + i, StoredValue.NO_EXPIRY);
    }
    h.session().db(0);
    assertEquals(integer(2200), h.call("DBSIZE"));

    assertEquals(2000, runUntilQuiet(T0 + 1000));

    assertEquals(integer(200), h.call("DBSIZE"));
    assertEquals(100, db(0).expiresCount());
    assertEquals(2000, h.server().keyspace().stats().expiredKeys.sum());
    assertEquals(2000, propagated.size());
    assertTrue(propagated.stream().allMatch(p -> p.startsWith("0:DEL short:")));
  }

  @Test
  void runCycle_propagatesDelInTheKeysDatabase() {
    put(7, "gone", T0);
    put(3, "also", T0);
    assertEquals(2, runUntilQuiet(T0 + 1));
    assertEquals(Set.of("7:DEL gone", "3:DEL also"), new HashSet<>(propagated));
  }

  @Test
  void runCycle_leavesKeysThatHaveNotExpired() {
    put(0, "k", T0 + 10);
    assertEquals(0, expiry.runCycle(T0));
    // Expiring exactly now is still alive, as in Redis.
    assertEquals(0, expiry.runCycle(T0 + 10));
    assertNotNull(db(0).peek(Key.of("k")));
    assertEquals(1, expiry.runCycle(T0 + 11));
    assertNull(db(0).peek(Key.of("k")));
  }

  @Test
  void runCycle_whenDisabled_doesNothing() {
    put(0, "k", T0);
    expiry.enabled(false);
    assertEquals(0, expiry.runCycle(T0 + 1000));
    assertEquals(1, db(0).size());
    expiry.enabled(true);
    assertEquals(1, expiry.runCycle(T0 + 1000));
  }

  @Test
  void runCycle_continuesWhereThePreviousCycleStopped() {
    // Few expired keys among many live ones: one cycle samples a batch or two and stops, so
    // reaching all of them takes cycles that resume the walk through the expiry index.
    for (int i = 0; i < 400; i++) {
      put(0, "live:" + i, T0 + 3_600_000);
    }
    for (int i = 0; i < 10; i++) {
      put(0, "dead:" + i, T0);
    }
    int reclaimed = 0;
    for (int cycle = 0; cycle < 100 && reclaimed < 10; cycle++) {
      reclaimed += expiry.runCycle(T0 + 1);
    }
    assertEquals(10, reclaimed);
    assertEquals(400, db(0).size());
    assertTrue(db(0).avgTtl() > 0);
  }

  @Test
  void runCycle_skipsAKeyWhoseStripeIsBusy_andTakesItLater() throws Exception {
    put(0, "busy", T0);
    int stripe = KeyLocks.stripeOf(Key.of("busy").hashCode());
    KeyLocks locks = h.server().keyspace().locks();
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder =
        new Thread(
            () -> {
              locks.lock(stripe);
              try {
                locked.countDown();
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                locks.unlock(stripe);
              }
            });
    holder.start();
    locked.await();
    try {
      assertEquals(0, expiry.runCycle(T0 + 1));
      assertNotNull(db(0).peek(Key.of("busy")));
    } finally {
      release.countDown();
      holder.join();
    }
    assertEquals(1, runUntilQuiet(T0 + 1));
  }

  @Test
  void whileLoading_nothingExpires_andAfterwardsItDoes() {
    put(0, "k", System.currentTimeMillis() - 1000);
    h.server().loading(true);
    try {
      assertEquals(0, expiry.runCycle(T0 * 2));
      assertNotNull(db(0).lookupWrite(Key.of("k"), T0 * 2));
      assertFalse(db(0).expireIfNeeded(Key.of("k"), T0 * 2));
    } finally {
      h.server().loading(false);
    }
    assertEquals(integer(0), h.call("EXISTS", "k"));
    assertEquals(List.of("0:DEL k"), propagated);
  }

  @Test
  void runCycle_afterSwapdb_followsTheMovedKeys() {
    put(0, "a", T0);
    h.call("SWAPDB", "0", "1");
    assertEquals(1, runUntilQuiet(T0 + 1));
    assertEquals(List.of("0:SWAPDB 0 1", "1:DEL a"), propagated);
    assertFalse(db(1).entries().iterator().hasNext());
  }
}
