package io.toridb.core.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.command.CommandSpec;
import org.junit.jupiter.api.Test;

/**
 * A blocked command's statistics, as Redis keeps them: its call counted when it blocks, its slow
 * log entry and latency distribution when its wait ends (served, timed out or unblocked).
 */
class BlockedCommandStatsTest {
  private final CommandHarness waiter = new CommandHarness();
  private final CommandHarness pusher = new CommandHarness(waiter);

  private CommandSpec blpop() {
    return waiter.server().commands().lookup("blpop".getBytes());
  }

  private String slowlogCommands() {
    return pusher.call("SLOWLOG", "GET", "10");
  }

  @Test
  void servedByAPush_isLoggedAndMeasuredThen_notWhenItBlocked() {
    pusher.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
    pusher.call("SLOWLOG", "RESET");
    assertEquals("", waiter.call("BLPOP", "l", "0"));
    assertEquals(1, blpop().calls.sum());
    assertTrue(!slowlogCommands().contains("BLPOP"), slowlogCommands());
    assertNull(blpop().latency());
    pusher.call("SLOWLOG", "RESET");
    pusher.call("LPUSH", "l", "x");
    assertEquals("*2\r\n$1\r\nl\r\n$1\r\nx\r\n", waiter.host().takeSent());
    String log = slowlogCommands();
    assertTrue(log.contains("$5\r\nBLPOP\r\n$1\r\nl\r\n$1\r\n0\r\n"), log);
    assertEquals(1, blpop().calls.sum(), "counted once, when it blocked");
    assertEquals(1, blpop().latency().total());
  }

  @Test
  void aTimeoutOrUnblock_endsTheWaitWithTheSameAccounting() {
    pusher.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
    assertEquals("", waiter.call("BLPOP", "t", "1"));
    pusher.call("SLOWLOG", "RESET");
    assertTrue(waiter.server().blocking().expire(waiter.session().blocked()));
    assertEquals("*-1\r\n", waiter.host().takeSent());
    assertTrue(slowlogCommands().contains("$5\r\nBLPOP\r\n$1\r\nt\r\n$1\r\n1\r\n"));
    assertEquals(1, blpop().latency().total());
  }

  @Test
  void aWaitThatTimesOut_isNeitherLoggedNorMeasured_asInRedis() {
    pusher.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
    assertEquals("", waiter.call("WAIT", "1", "0"));
    pusher.call("SLOWLOG", "RESET");
    assertTrue(waiter.server().blocking().expire(waiter.session().blocked()));
    assertEquals(":0\r\n", waiter.host().takeSent());
    assertTrue(!slowlogCommands().contains("WAIT"), slowlogCommands());
    assertNull(waiter.server().commands().lookup("wait".getBytes()).latency());
  }
}
