package io.toridb.core.transaction;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.propagation.PropagationSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** BEGIN / COMMIT / ROLLBACK: private staging, read-your-writes, conflicts, one unit. */
class StagedTransactionTest {
  private static final String CONFLICT = error(TransactionCommands.CONFLICT);
  private final CommandHarness h = new CommandHarness();
  private final CommandHarness other = new CommandHarness(h);

  @Test
  void commandsRunAtOnce_readTheirOwnWrites_andStayPrivateUntilCommit() {
    assertEquals(OK, h.call("BEGIN"));
    assertEquals(OK, h.call("SET", "a", "1"));
    assertEquals(integer(2), h.call("INCR", "a"));
    assertEquals(bulk("2"), h.call("GET", "a"));
    assertEquals(integer(1), h.call("RPUSH", "l", "x"));
    assertEquals(NIL, other.call("GET", "a"));
    assertEquals(integer(0), other.call("EXISTS", "l"));
    assertEquals(OK, h.call("COMMIT"));
    assertEquals(bulk("2"), other.call("GET", "a"));
    assertEquals("*1\r\n$1\r\nx\r\n", other.call("LRANGE", "l", "0", "-1"));
    // The transaction is over: the next COMMIT has nothing to commit.
    assertEquals(error("ERR COMMIT without BEGIN"), h.call("COMMIT"));
  }

  @Test
  void rollback_dropsEverything() {
    other.call("SET", "a", "old");
    h.call("BEGIN");
    h.call("SET", "a", "new");
    h.call("DEL", "a");
    h.call("SADD", "s", "m");
    assertEquals(OK, h.call("ROLLBACK"));
    assertEquals(bulk("old"), other.call("GET", "a"));
    assertEquals(integer(0), other.call("EXISTS", "s"));
    assertEquals(bulk("old"), h.call("GET", "a"));
    assertEquals(error("ERR ROLLBACK without BEGIN"), h.call("ROLLBACK"));
  }

  @Test
  void existingValues_areCopied_soTheOriginalsStayUntouchedUntilCommit() {
    other.call("RPUSH", "l", "a", "b");
    other.call("HSET", "h", "f", "1");
    other.call("SADD", "s", "1", "2");
    other.call("ZADD", "z", "1", "one");
    other.call("SET", "str", "abc");
    h.call("BEGIN");
    h.call("RPUSH", "l", "c");
    h.call("HINCRBY", "h", "f", "10");
    h.call("SREM", "s", "1");
    h.call("ZINCRBY", "z", "5", "one");
    h.call("APPEND", "str", "def");
    assertEquals("*2\r\n$1\r\na\r\n$1\r\nb\r\n", other.call("LRANGE", "l", "0", "-1"));
    assertEquals(bulk("1"), other.call("HGET", "h", "f"));
    assertEquals(integer(2), other.call("SCARD", "s"));
    assertEquals(bulk("1"), other.call("ZSCORE", "z", "one"));
    assertEquals(bulk("abc"), other.call("GET", "str"));
    assertEquals(OK, h.call("COMMIT"));
    assertEquals(integer(3), other.call("LLEN", "l"));
    assertEquals(bulk("11"), other.call("HGET", "h", "f"));
    assertEquals("*1\r\n$1\r\n2\r\n", other.call("SMEMBERS", "s"));
    assertEquals(bulk("6"), other.call("ZSCORE", "z", "one"));
    assertEquals(bulk("abcdef"), other.call("GET", "str"));
  }

  @Test
  void deletionsAndEmptiedCollections_areApplied() {
    other.call("SET", "a", "1");
    other.call("RPUSH", "l", "only");
    h.call("BEGIN");
    assertEquals(integer(1), h.call("DEL", "a"));
    assertEquals(bulk("only"), h.call("LPOP", "l"));
    assertEquals(integer(0), h.call("EXISTS", "a", "l"));
    assertEquals(integer(2), other.call("EXISTS", "a", "l"));
    h.call("COMMIT");
    assertEquals(integer(0), other.call("EXISTS", "a", "l"));
  }

  @Test
  void expiryTimes_travelWithTheKeys() {
    other.call("SET", "k", "v", "EX", "1000");
    h.call("BEGIN");
    h.call("APPEND", "k", "w");
    h.call("SET", "n", "x", "EX", "500");
    assertEquals(integer(1000), h.call("TTL", "k"));
    h.call("COMMIT");
    assertEquals(integer(1000), other.call("TTL", "k"));
    assertEquals(integer(500), other.call("TTL", "n"));
    assertEquals(bulk("vw"), other.call("GET", "k"));
  }

  @Test
  void eachKeyIsSeenAsAtItsFirstUse_andAChangeByAnotherClientFailsTheCommit() {
    other.call("SET", "a", "1");
    h.call("BEGIN");
    assertEquals(bulk("1"), h.call("GET", "a"));
    other.call("SET", "a", "2");
    // The transaction keeps reading its own copy...
    assertEquals(bulk("1"), h.call("GET", "a"));
    h.call("SET", "b", "written");
    // ...but cannot commit on a value that is no longer true.
    assertEquals(CONFLICT, h.call("COMMIT"));
    assertEquals(integer(0), other.call("EXISTS", "b"));
    assertEquals(bulk("2"), other.call("GET", "a"));
    assertEquals(error("ERR COMMIT without BEGIN"), h.call("COMMIT"));
  }

  @Test
  void blindWriteOverAKeyAnotherClientChanged_conflictsToo() {
    h.call("BEGIN");
    h.call("SET", "x", "mine");
    other.call("SET", "x", "theirs");
    assertEquals(CONFLICT, h.call("COMMIT"));
    assertEquals(bulk("theirs"), other.call("GET", "x"));
  }

  @Test
  void changesToKeysTheTransactionNeverUsed_doNotConflict() {
    h.call("BEGIN");
    h.call("INCR", "a");
    other.call("SET", "b", "1");
    other.call("SELECT", "1");
    other.call("SET", "a", "in another db");
    assertEquals(OK, h.call("COMMIT"));
    assertEquals(bulk("1"), h.call("GET", "a"));
  }

  @Test
  void keysWatchedBeforeBegin_areCheckedAtCommit() {
    h.call("WATCH", "w");
    h.call("BEGIN");
    h.call("SET", "a", "1");
    other.call("SET", "w", "changed");
    assertEquals(CONFLICT, h.call("COMMIT"));
    assertEquals(integer(0), other.call("EXISTS", "a"));
  }

  @Test
  void aKeyThatExpiresDuringTheTransaction_failsTheCommit() throws Exception {
    other.call("SET", "t", "v", "PX", "15");
    h.call("BEGIN");
    assertEquals(bulk("v"), h.call("GET", "t"));
    h.call("SET", "other", "1");
    Thread.sleep(30);
    assertEquals(CONFLICT, h.call("COMMIT"));
    assertEquals(integer(0), other.call("EXISTS", "other"));
  }

  @Test
  void selectAndMove_workOnTheirDatabasesInsideTheTransaction() {
    other.call("SET", "m", "moved");
    h.call("BEGIN");
    h.call("SELECT", "2");
    h.call("SET", "k", "in db 2");
    h.call("SELECT", "0");
    assertEquals(integer(1), h.call("MOVE", "m", "3"));
    other.call("SELECT", "2");
    assertEquals(NIL, other.call("GET", "k"));
    assertEquals(OK, h.call("COMMIT"));
    assertEquals(bulk("in db 2"), other.call("GET", "k"));
    other.call("SELECT", "3");
    assertEquals(bulk("moved"), other.call("GET", "m"));
    other.call("SELECT", "0");
    assertEquals(integer(0), other.call("EXISTS", "m"));
  }

  @Test
  void refusedCommands_getAnErrorAndLeaveTheTransactionOpen() {
    h.call("BEGIN");
    h.call("SET", "a", "1");
    assertEquals(error("ERR BEGIN calls can not be nested"), h.call("BEGIN"));
    assertEquals(error("ERR KEYS inside BEGIN is not allowed"), h.call("KEYS", "*"));
    assertEquals(error("ERR SCAN inside BEGIN is not allowed"), h.call("SCAN", "0"));
    assertEquals(error("ERR DBSIZE inside BEGIN is not allowed"), h.call("DBSIZE"));
    assertEquals(error("ERR FLUSHALL inside BEGIN is not allowed"), h.call("FLUSHALL"));
    assertEquals(error("ERR SWAPDB inside BEGIN is not allowed"), h.call("SWAPDB", "0", "1"));
    assertEquals(error("ERR MULTI inside BEGIN is not allowed"), h.call("MULTI"));
    assertEquals(error("ERR WATCH inside BEGIN is not allowed"), h.call("WATCH", "a"));
    assertEquals(error("ERR UNWATCH inside BEGIN is not allowed"), h.call("UNWATCH"));
    assertEquals(error("ERR PUBLISH inside BEGIN is not allowed"), h.call("PUBLISH", "c", "m"));
    assertEquals(error("ERR EXEC without MULTI"), h.call("EXEC"));
    // Errors of the commands themselves are just their replies, as in Redis.
    assertEquals(error("ERR value is not an integer or out of range"), h.call("INCRBY", "a", "x"));
    assertEquals(error("ERR wrong number of arguments for 'get' command"), h.call("GET"));
    assertEquals(OK, h.call("COMMIT"));
    assertEquals(bulk("1"), other.call("GET", "a"));
  }

  @Test
  void beginCommitAndRollback_areRefusedInsideMulti() {
    h.call("MULTI");
    assertEquals(error("ERR Command not allowed inside a transaction"), h.call("BEGIN"));
    assertEquals(error("ERR Command not allowed inside a transaction"), h.call("COMMIT"));
    assertEquals(error("ERR Command not allowed inside a transaction"), h.call("ROLLBACK"));
    assertEquals(error(TransactionCommands.EXECABORT), h.call("EXEC"));
    assertEquals(error("ERR COMMIT without BEGIN"), h.call("COMMIT"));
  }

  @Test
  void blockingCommands_doNotBlockInside() {
    h.call("BEGIN");
    assertEquals("*-1\r\n", h.call("BLPOP", "empty", "0"));
    h.call("RPUSH", "l", "x");
    assertEquals("*2\r\n$1\r\nl\r\n$1\r\nx\r\n", h.call("BLPOP", "l", "0"));
    assertEquals(0, h.host().blockedCount());
    h.call("ROLLBACK");
  }

  @Test
  void aClientBlockedOnAKey_isServedAtCommit_notBefore() {
    assertEquals("", other.call("BLPOP", "q", "0"));
    assertEquals(1, other.host().blockedCount());
    h.call("BEGIN");
    h.call("RPUSH", "q", "job");
    assertEquals("", other.host().takeSent());
    h.call("COMMIT");
    assertEquals("*2\r\n$1\r\nq\r\n$3\r\njob\r\n", other.host().takeSent());
    assertEquals(integer(0), h.call("EXISTS", "q"));
  }

  @Test
  void effects_reachTheSinkAtCommitAsOneUnit_andNeverOnRollback() {
    List<String> log = CommandHarness.captureEffects(h);
    h.call("BEGIN");
    h.call("SET", "a", "1");
    h.call("GET", "a");
    h.call("INCRBYFLOAT", "a", "1.5");
    assertEquals(List.of(), log);
    h.call("COMMIT");
    assertEquals(List.of("MULTI", "SET a 1", "SET a 2.5 KEEPTTL", "EXEC"), log);
    log.clear();
    h.call("BEGIN");
    h.call("SET", "b", "1");
    h.call("COMMIT");
    assertEquals(List.of("SET b 1"), log);
    log.clear();
    h.call("BEGIN");
    h.call("SET", "c", "1");
    h.call("ROLLBACK");
    h.call("BEGIN");
    h.call("SET", "a", "9");
    other.call("GET", "x");
    other.call("SET", "a", "other");
    log.clear();
    assertEquals(CONFLICT, h.call("COMMIT"));
    assertEquals(List.of(), log);
  }

  @Test
  void aCommitIsHandedToTheSinkInOneCall() {
    AtomicInteger units = new AtomicInteger();
    h.server()
        .propagation(
            new PropagationSink() {
              @Override
              public void propagate(int db, byte[][] argv) {}

              @Override
              public void propagateTransaction(List<Effect> effects) {
                units.incrementAndGet();
                assertEquals(3, effects.size());
              }
            });
    h.call("BEGIN");
    h.call("SET", "a", "1");
    h.call("LPUSH", "l", "x");
    h.call("SELECT", "1");
    h.call("SADD", "s", "m");
    h.call("COMMIT");
    assertEquals(1, units.get());
  }

  @Test
  void keyspaceEvents_areRaisedAtCommit() {
    h.call("CONFIG", "SET", "notify-keyspace-events", "KEA");
    List<String> events = CommandHarness.captureEvents(h);
    h.call("BEGIN");
    h.call("LPUSH", "l", "x");
    h.call("SET", "k", "v");
    assertEquals(List.of(), events);
    h.call("COMMIT");
    assertTrue(events.contains("lpush l"), events.toString());
    assertTrue(events.contains("set k"), events.toString());
    assertTrue(events.indexOf("lpush l") < events.indexOf("set k"), events.toString());
  }

  @Test
  void reset_rollsBackTheTransaction() {
    h.call("BEGIN");
    h.call("SET", "a", "1");
    assertEquals("+RESET\r\n", h.call("RESET"));
    assertEquals(error("ERR COMMIT without BEGIN"), h.call("COMMIT"));
    assertEquals(integer(0), other.call("EXISTS", "a"));
    // Its watches are gone too: another client's write does not mark this client.
    other.call("SET", "a", "2");
    h.call("MULTI");
    assertEquals("*0\r\n", h.call("EXEC"));
  }

  /**
   * Transfers between two accounts from several threads with BEGIN/COMMIT, retried on CONFLICT:
   * every committed transfer applies whole, so the total never changes and the count is exact.
   */
  @Test
  void transfersFromManyThreads_preserveTheTotal() throws Exception {
    h.call("SET", "acct:a", "1000");
    h.call("SET", "acct:b", "1000");
    int threads = 4;
    int transfers = 300;
    AtomicInteger conflicts = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      CommandHarness c = new CommandHarness(h);
      int direction = t % 2;
      Thread th =
          new Thread(
              () -> {
                try {
                  String from = direction == 0 ? "acct:a" : "acct:b";
                  String to = direction == 0 ? "acct:b" : "acct:a";
                  int done = 0;
                  while (done < transfers) {
                    c.call("BEGIN");
                    long balance = Long.parseLong(c.call("GET", from).split("\r\n")[1]);
                    long amount = balance > 0 ? 1 : 0;
                    c.call("DECRBY", from, Long.toString(amount));
                    c.call("INCRBY", to, Long.toString(amount));
                    String reply = c.call("COMMIT");
                    if (reply.equals(OK)) {
                      done++;
                    } else {
                      assertEquals(CONFLICT, reply);
                      conflicts.incrementAndGet();
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      workers.add(th);
      th.start();
    }
    for (Thread th : workers) {
      th.join();
    }
    assertEquals(List.of(), failures);
    long a = Long.parseLong(h.call("GET", "acct:a").split("\r\n")[1]);
    long b = Long.parseLong(h.call("GET", "acct:b").split("\r\n")[1]);
    assertEquals(2000, a + b);
    // As many transfers went each way, each of amount 1 (no balance can reach 0): exact counts.
    assertEquals(1000, a);
    assertEquals(1000, b);
  }
}
