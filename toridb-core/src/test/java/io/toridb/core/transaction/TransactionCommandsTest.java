package io.toridb.core.transaction;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import io.toridb.core.propagation.PropagationSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TransactionCommandsTest {
  private static final String QUEUED = "+QUEUED\r\n";
  private final CommandHarness h = new CommandHarness();
  private final CommandHarness other = new CommandHarness(h);

  @Test
  void exec_runsTheQueuedCommandsAndRepliesWithTheirReplies() {
    assertEquals(OK, h.call("MULTI"));
    assertEquals(QUEUED, h.call("SET", "a", "1"));
    assertEquals(QUEUED, h.call("INCR", "a"));
    assertEquals(QUEUED, h.call("GET", "a"));
    // Nothing ran yet.
    assertEquals(NIL, other.call("GET", "a"));
    assertEquals("*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n", h.call("EXEC"));
    assertEquals(bulk("2"), other.call("GET", "a"));
  }

  @Test
  void runtimeErrors_areRepliesInsideExec() {
    h.call("MULTI");
    h.call("SET", "s", "x");
    h.call("INCR", "s");
    h.call("APPEND", "s", "y");
    assertEquals(
        "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n:2\r\n", h.call("EXEC"));
  }

  @Test
  void queueTimeErrors_abortTheTransaction() {
    h.call("MULTI");
    h.call("SET", "x", "1");
    assertEquals(error("ERR unknown command 'NOPE', with args beginning with: "), h.call("NOPE"));
    assertEquals(error("ERR wrong number of arguments for 'get' command"), h.call("GET"));
    assertEquals(error(TransactionCommands.EXECABORT), h.call("EXEC"));
    assertEquals(integer(0), h.call("EXISTS", "x"));
    assertEquals(error("ERR EXEC without MULTI"), h.call("EXEC"));
  }

  @Test
  void controlCommands_andTheirErrors() {
    assertEquals(error("ERR DISCARD without MULTI"), h.call("DISCARD"));
    h.call("MULTI");
    assertEquals(error("ERR MULTI calls can not be nested"), h.call("MULTI"));
    assertEquals(error("ERR WATCH inside MULTI is not allowed"), h.call("WATCH", "k"));
    h.call("SET", "k", "v");
    assertEquals(OK, h.call("DISCARD"));
    assertEquals(integer(0), h.call("EXISTS", "k"));
    // Neither nested MULTI nor WATCH inside MULTI abort the transaction.
    h.call("MULTI");
    h.call("MULTI");
    h.call("WATCH", "k");
    h.call("PING");
    assertEquals("*1\r\n+PONG\r\n", h.call("EXEC"));
  }

  @Test
  void execWithWrongArity_abortsAndSaysWhy() {
    h.call("MULTI");
    h.call("SET", "x", "1");
    assertEquals(
        error(
            "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec'"
                + " command"),
        h.call("EXEC", "now"));
    assertEquals(error("ERR EXEC without MULTI"), h.call("EXEC"));
    assertEquals(integer(0), h.call("EXISTS", "x"));
  }

  @Test
  void watchedKeyTouchedByAnotherClient_failsExecWithNull() {
    h.call("SET", "w", "1");
    assertEquals(OK, h.call("WATCH", "w"));
    other.call("INCR", "w");
    h.call("MULTI");
    h.call("INCR", "w");
    assertEquals("*-1\r\n", h.call("EXEC"));
    assertEquals(bulk("2"), h.call("GET", "w"));
    // RESP3 null.
    h.session().protocol(3);
    h.call("WATCH", "w");
    other.call("DEL", "w");
    h.call("MULTI");
    assertEquals("_\r\n", h.call("EXEC"));
  }

  @Test
  void untouchedWatch_letsExecRun_andExecForgetsTheWatch() {
    h.call("SET", "w", "1");
    h.call("WATCH", "w");
    other.call("GET", "w");
    h.call("MULTI");
    h.call("INCR", "w");
    assertEquals("*1\r\n:2\r\n", h.call("EXEC"));
    other.call("SET", "w", "5");
    h.call("MULTI");
    h.call("GET", "w");
    assertEquals("*1\r\n$1\r\n5\r\n", h.call("EXEC"));
  }

  @Test
  void unwatchAndDiscard_clearTheWatch() {
    h.call("WATCH", "w");
    other.call("SET", "w", "1");
    h.call("UNWATCH");
    h.call("MULTI");
    h.call("PING");
    assertEquals("*1\r\n+PONG\r\n", h.call("EXEC"));
    h.call("WATCH", "w");
    other.call("SET", "w", "2");
    h.call("MULTI");
    h.call("DISCARD");
    h.call("MULTI");
    h.call("PING");
    assertEquals("*1\r\n+PONG\r\n", h.call("EXEC"));
  }

  @Test
  void watchedKeyThatExpiresBeforeExec_failsIt() throws Exception {
    h.call("SET", "t", "1", "PX", "5");
    h.call("WATCH", "t");
    Thread.sleep(20);
    h.call("MULTI");
    h.call("PING");
    assertEquals("*-1\r\n", h.call("EXEC"));
  }

  @Test
  void watchedKeyReclaimedAfterExpiring_failsExec() throws Exception {
    h.call("SET", "t", "1", "PX", "5");
    h.call("WATCH", "t");
    Thread.sleep(20);
    // Another client's read reclaims the expired key before the EXEC.
    assertEquals(integer(0), other.call("EXISTS", "t"));
    h.call("MULTI");
    h.call("PING");
    assertEquals("*-1\r\n", h.call("EXEC"));
  }

  @Test
  void staleKeyWatchedAndThenReclaimed_doesNotFailExec() throws Exception {
    h.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
    h.call("SET", "t", "1", "PX", "1");
    Thread.sleep(10);
    h.call("WATCH", "t");
    assertEquals(integer(0), other.call("EXISTS", "t"));
    h.call("MULTI");
    h.call("PING");
    assertEquals("*1\r\n+PONG\r\n", h.call("EXEC"));
  }

  @Test
  void flushAndSwap_touchOnlyKeysTheyChange() {
    h.call("SET", "f", "1");
    h.call("WATCH", "f", "missing");
    other.call("FLUSHALL");
    h.call("MULTI");
    assertEquals("*-1\r\n", h.call("EXEC"));
    h.call("WATCH", "missing");
    other.call("FLUSHDB");
    h.call("MULTI");
    assertEquals("*0\r\n", h.call("EXEC"));
    other.call("SELECT", "1");
    other.call("SET", "x", "30");
    h.call("WATCH", "x");
    other.call("SWAPDB", "0", "1");
    h.call("MULTI");
    assertEquals("*-1\r\n", h.call("EXEC"));
  }

  @Test
  void selectInsideMulti_appliesToTheCommandsAfterIt() {
    h.call("MULTI");
    h.call("SELECT", "3");
    h.call("SET", "in3", "yes");
    assertEquals("*2\r\n+OK\r\n+OK\r\n", h.call("EXEC"));
    assertEquals(NIL, other.call("GET", "in3"));
    other.call("SELECT", "3");
    assertEquals(bulk("yes"), other.call("GET", "in3"));
  }

  @Test
  void reset_discardsTheTransactionAndTheWatches() {
    h.call("WATCH", "w");
    h.call("MULTI");
    h.call("SET", "w", "1");
    h.call("RESET");
    assertEquals(integer(0), h.call("EXISTS", "w"));
    other.call("SET", "w", "2");
    h.call("MULTI");
    assertEquals("*0\r\n", h.call("EXEC"));
  }

  @Test
  void writes_arePropagatedAsOneUnit() {
    List<String> log = new ArrayList<>();
    h.server()
        .propagation(
            (db, argv) -> {
              StringBuilder sb = new StringBuilder().append(db);
              for (byte[] a : argv) {
                sb.append(' ').append(new String(a, StandardCharsets.ISO_8859_1));
              }
              log.add(sb.toString());
            });
    h.call("MULTI");
    h.call("SET", "a", "1");
    h.call("GET", "a");
    h.call("INCR", "a");
    h.call("EXEC");
    assertEquals(List.of("0 MULTI", "0 SET a 1", "0 INCR a", "0 EXEC"), log);
    log.clear();
    h.call("MULTI");
    h.call("SET", "b", "1");
    h.call("GET", "b");
    h.call("EXEC");
    assertEquals(List.of("0 SET b 1"), log);
    log.clear();
    h.call("MULTI");
    h.call("GET", "b");
    h.call("EXEC");
    assertEquals(List.of(), log);
  }

  @Test
  void transactionUnit_isHandedToTheSinkInOneCall() {
    AtomicInteger units = new AtomicInteger();
    h.server()
        .propagation(
            new PropagationSink() {
              @Override
              public void propagate(int db, byte[][] argv) {}

              @Override
              public void propagateTransaction(List<Effect> effects) {
                units.incrementAndGet();
                assertEquals(2, effects.size());
              }
            });
    h.call("MULTI");
    h.call("SET", "a", "1");
    h.call("SET", "b", "2");
    h.call("EXEC");
    assertEquals(1, units.get());
  }

  /**
   * Optimistic transfers between two counters by several threads with WATCH/MULTI/EXEC: every
   * transfer either applies whole or is retried, so the total never changes.
   */
  @Test
  void watchedTransfers_fromManyThreads_preserveTheTotal() throws Exception {
    h.call("SET", "acct:a", "1000");
    h.call("SET", "acct:b", "1000");
    int threads = 4;
    int transfers = 300;
    AtomicInteger committed = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      CommandHarness c = new CommandHarness(h);
      int direction = t % 2;
      Thread th =
          new Thread(
              () -> {
                String from = direction == 0 ? "acct:a" : "acct:b";
                String to = direction == 0 ? "acct:b" : "acct:a";
                int done = 0;
                while (done < transfers) {
                  c.call("WATCH", from, to);
                  String balance = c.call("GET", from);
                  long amount = Long.parseLong(balance.split("\r\n")[1]) > 0 ? 1 : 0;
                  c.call("MULTI");
                  c.call("DECRBY", from, Long.toString(amount));
                  c.call("INCRBY", to, Long.toString(amount));
                  if (!c.call("EXEC").equals("*-1\r\n")) {
                    done++;
                    committed.incrementAndGet();
                  }
                }
              });
      workers.add(th);
      th.start();
    }
    for (Thread th : workers) {
      th.join();
    }
    long a = Long.parseLong(h.call("GET", "acct:a").split("\r\n")[1]);
    long b = Long.parseLong(h.call("GET", "acct:b").split("\r\n")[1]);
    assertEquals(2000, a + b);
    assertEquals(threads * transfers, committed.get());
  }
}
