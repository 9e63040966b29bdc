package io.toridb.core.set;

import static io.toridb.core.CommandHarness.captureEffects;
import static io.toridb.core.CommandHarness.captureEvents;
import static io.toridb.core.set.SetTestSupport.elements;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What set commands hand to propagation (deterministic effects, nothing for no-ops) and the
 * keyspace events they raise, in t_set.c's order.
 */
class SetEffectsTest {
  private final CommandHarness h = new CommandHarness();
  private final List<String> effects = captureEffects(h);
  private final List<String> events = captureEvents(h);

  private void reset() {
    effects.clear();
    events.clear();
  }

  @Test
  void sadd_propagatesAsIs_onlyWhenSomethingWasAdded() {
    h.call("SADD", "s", "a", "b");
    h.call("SADD", "s", "a");
    assertEquals(List.of("SADD s a b"), effects);
    assertEquals(List.of("sadd s"), events);
  }

  @Test
  void srem_lastMember_raisesSremThenDel() {
    h.call("SADD", "s", "a", "b");
    reset();
    h.call("SREM", "s", "x");
    h.call("SREM", "s", "a");
    h.call("SREM", "s", "b", "c");
    assertEquals(List.of("SREM s a", "SREM s b c"), effects);
    assertEquals(List.of("srem s", "srem s", "del s"), events);
  }

  @Test
  void smove_raisesSremOnSourceAndSaddOnDestination() {
    h.call("SADD", "src", "a", "b");
    h.call("SADD", "dst", "b");
    reset();
    h.call("SMOVE", "src", "dst", "a");
    h.call("SMOVE", "src", "dst", "b"); // already in dst: no sadd; src becomes empty
    h.call("SMOVE", "dst", "dst", "a"); // same key: nothing
    h.call("SMOVE", "dst", "other", "zz"); // not a member: nothing
    assertEquals(List.of("SMOVE src dst a", "SMOVE src dst b"), effects);
    assertEquals(List.of("srem src", "sadd dst", "srem src", "del src"), events);
  }

  @Test
  void spop_single_propagatesSremOfThePoppedMember() {
    h.call("SADD", "s", "only");
    reset();
    h.call("SPOP", "s");
    h.call("SPOP", "s");
    assertEquals(List.of("SREM s only"), effects);
    assertEquals(List.of("spop s", "del s"), events);
  }

  @Test
  void spop_countBelowSize_propagatesSremOfExactlyThePoppedMembers() {
    for (int popped : new int[] {2, 18}) {
      h.call("DEL", "s");
      List<String> args = new ArrayList<>(List.of("SADD", "s"));
      for (int i = 1; i <= 20; i++) {
        args.add("m" + i);
      }
      h.call(args.toArray(new String[0]));
      reset();
      List<String> reply = elements(h.call("SPOP", "s", String.valueOf(popped)));
      assertEquals(1, effects.size(), effects.toString());
      String[] e = effects.get(0).split(" ");
      assertEquals("SREM", e[0]);
      assertEquals("s", e[1]);
      assertEquals(
          new TreeSet<>(reply), new TreeSet<>(List.of(e).subList(2, e.length)), "" + popped);
      assertEquals(List.of("spop s"), events);
    }
  }

  @Test
  void spop_manyMembers_propagatesSremBatchesOf1024() {
    List<String> args = new ArrayList<>(List.of("SADD", "s"));
    for (int i = 0; i < 3000; i++) {
      args.add("m" + i);
    }
    h.call(args.toArray(new String[0]));
    reset();
    h.call("SPOP", "s", "2500");
    assertEquals(3, effects.size());
    assertEquals(2 + 1024, effects.get(0).split(" ").length);
    assertEquals(2 + 1024, effects.get(1).split(" ").length);
    assertEquals(2 + 452, effects.get(2).split(" ").length);
  }

  @Test
  void spop_wholeSet_propagatesDel() {
    h.call("SADD", "s", "1", "2");
    reset();
    h.call("SPOP", "s", "5");
    h.call("SPOP", "s", "5");
    h.call("SPOP", "s", "0");
    assertEquals(List.of("DEL s"), effects);
    assertEquals(List.of("spop s", "del s"), events);
  }

  @Test
  void storeCommands_propagateAsIs_andRaiseTheirEvent() {
    h.call("SADD", "a", "1", "2");
    h.call("SADD", "b", "2", "3");
    reset();
    h.call("SINTERSTORE", "d", "a", "b");
    h.call("SUNIONSTORE", "d", "a", "b");
    h.call("SDIFFSTORE", "d", "a", "b");
    assertEquals(List.of("SINTERSTORE d a b", "SUNIONSTORE d a b", "SDIFFSTORE d a b"), effects);
    assertEquals(List.of("sinterstore d", "sunionstore d", "sdiffstore d"), events);
  }

  @Test
  void storeCommands_emptyResult_deleteDestinationWithDelEvent() {
    h.call("SADD", "a", "1");
    h.call("SADD", "d", "x");
    reset();
    h.call("SINTERSTORE", "d", "a", "nokey");
    h.call("SINTERSTORE", "d", "a", "nokey"); // nothing left to delete: no effect
    h.call("SADD", "d", "x");
    reset();
    h.call("SDIFFSTORE", "d", "a", "a");
    h.call("SUNIONSTORE", "d", "nokey");
    assertEquals(List.of("SDIFFSTORE d a a"), effects.subList(0, 1));
    assertEquals(1, effects.size());
    assertEquals(List.of("del d"), events);
  }

  @Test
  void readCommands_propagateNothing() {
    h.call("SADD", "s", "a", "b", "c");
    reset();
    h.call("SCARD", "s");
    h.call("SISMEMBER", "s", "a");
    h.call("SMISMEMBER", "s", "a", "z");
    h.call("SMEMBERS", "s");
    h.call("SRANDMEMBER", "s", "-5");
    h.call("SINTER", "s", "s");
    h.call("SINTERCARD", "1", "s");
    h.call("SUNION", "s");
    h.call("SDIFF", "s");
    h.call("SSCAN", "s", "0");
    assertTrue(effects.isEmpty(), effects.toString());
    assertTrue(events.isEmpty(), events.toString());
  }

  @Test
  void dirtyCounter_countsEveryChangedMember() {
    long before = h.server().stats().dirty.sum();
    h.call("SADD", "s", "a", "b", "c");
    h.call("SREM", "s", "a", "b");
    h.call("SPOP", "s", "5");
    assertEquals(before + 6, h.server().stats().dirty.sum());
  }
}
