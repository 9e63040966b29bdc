package io.toridb.core.list;

import static io.toridb.core.CommandHarness.captureEffects;
import static io.toridb.core.list.ListTestSupport.captureEvents;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keyspace events list commands raise and the effects they hand to propagation, as t_list.c of
 * Redis 7.0.15: event names and order (with "del" when a list empties), the non-blocking form for
 * served blocking commands, nothing for commands that changed nothing.
 */
class ListEffectsTest {
  private final CommandHarness h = new CommandHarness();
  private final List<String> effects = captureEffects(h);
  private final List<String> events = captureEvents(h);

  @BeforeEach
  void clear() {
    effects.clear();
    events.clear();
  }

  private void reset() {
    effects.clear();
    events.clear();
  }

  private void assertRecorded(List<String> expectedEvents, List<String> expectedEffects) {
    assertEquals(expectedEvents, events, "events");
    assertEquals(expectedEffects, effects, "effects");
    reset();
  }

  @Test
  void pushes() {
    h.call("LPUSH", "l", "a", "b");
    assertRecorded(List.of("lpush:l"), List.of("LPUSH l a b"));
    h.call("rpush", "l", "c");
    assertRecorded(List.of("rpush:l"), List.of("rpush l c"));
    h.call("LPUSHX", "l", "x");
    h.call("RPUSHX", "l", "y");
    assertRecorded(List.of("lpush:l", "rpush:l"), List.of("LPUSHX l x", "RPUSHX l y"));
    h.call("LPUSHX", "missing", "x");
    h.call("RPUSHX", "missing", "x");
    assertRecorded(List.of(), List.of());
  }

  @Test
  void pops() {
    h.call("RPUSH", "l", "a", "b", "c", "d");
    reset();
    h.call("LPOP", "l");
    assertRecorded(List.of("lpop:l"), List.of("LPOP l"));
    h.call("RPOP", "l", "1");
    assertRecorded(List.of("rpop:l"), List.of("RPOP l 1"));
    h.call("LPOP", "l", "0");
    h.call("LPOP", "missing");
    h.call("RPOP", "missing", "3");
    assertRecorded(List.of(), List.of());
    h.call("RPOP", "l", "10");
    assertRecorded(List.of("rpop:l", "del:l"), List.of("RPOP l 10"));
  }

  @Test
  void lmpop_propagatesAsPopWithTheCountPopped() {
    h.call("RPUSH", "b", "1", "2");
    reset();
    h.call("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5");
    assertRecorded(List.of("rpop:b", "del:b"), List.of("RPOP b 2"));
    h.call("RPUSH", "b", "1", "2", "3");
    reset();
    h.call("LMPOP", "1", "b", "LEFT");
    assertRecorded(List.of("lpop:b"), List.of("LPOP b 1"));
    h.call("LMPOP", "1", "nope", "LEFT");
    assertRecorded(List.of(), List.of());
  }

  @Test
  void servedBlockingPops_propagateAsTheirNonBlockingForm() {
    h.call("RPUSH", "b", "1", "2", "3");
    reset();
    h.call("BLPOP", "a", "b", "0");
    assertRecorded(List.of("lpop:b"), List.of("LPOP b"));
    h.call("BRPOP", "b", "a", "1");
    assertRecorded(List.of("rpop:b"), List.of("RPOP b"));
    h.call("BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "3");
    assertRecorded(List.of("lpop:b", "del:b"), List.of("LPOP b 1"));
  }

  @Test
  void timedOutBlockingCommands_changeNothing() {
    h.call("BLPOP", "a", "0.01");
    h.call("BRPOP", "a", "0");
    h.call("BLMPOP", "0", "1", "a", "LEFT");
    h.call("BLMOVE", "a", "b", "LEFT", "LEFT", "0");
    h.call("BRPOPLPUSH", "a", "b", "0");
    assertRecorded(List.of(), List.of());
  }

  @Test
  void moves_pushBeforeTheyPop() {
    h.call("RPUSH", "s", "a", "b", "c");
    reset();
    h.call("LMOVE", "s", "d", "LEFT", "RIGHT");
    assertRecorded(List.of("rpush:d", "lpop:s"), List.of("LMOVE s d LEFT RIGHT"));
    h.call("RPOPLPUSH", "s", "d");
    assertRecorded(List.of("lpush:d", "rpop:s"), List.of("RPOPLPUSH s d"));
    h.call("BLMOVE", "s", "d", "right", "left", "0");
    assertRecorded(List.of("lpush:d", "rpop:s", "del:s"), List.of("LMOVE s d right left"));
    h.call("BRPOPLPUSH", "d", "e", "5");
    assertRecorded(List.of("lpush:e", "rpop:d"), List.of("RPOPLPUSH d e"));
    h.call("RPOPLPUSH", "missing", "d");
    assertRecorded(List.of(), List.of());
  }

  @Test
  void editsInPlace() {
    h.call("RPUSH", "l", "a", "b", "a");
    reset();
    h.call("LSET", "l", "0", "x");
    assertRecorded(List.of("lset:l"), List.of("LSET l 0 x"));
    h.call("LINSERT", "l", "BEFORE", "b", "y");
    assertRecorded(List.of("linsert:l"), List.of("LINSERT l BEFORE b y"));
    h.call("LINSERT", "l", "BEFORE", "zz", "y");
    h.call("LREM", "l", "0", "zz");
    assertRecorded(List.of(), List.of());
    h.call("LREM", "l", "-1", "a");
    assertRecorded(List.of("lrem:l"), List.of("LREM l -1 a"));
  }

  @Test
  void ltrim_notifiesEvenWhenNothingGoes_butPropagatesOnlyChanges() {
    h.call("RPUSH", "l", "a", "b", "c");
    reset();
    h.call("LTRIM", "l", "0", "-1");
    assertRecorded(List.of("ltrim:l"), List.of());
    h.call("LTRIM", "l", "1", "-1");
    assertRecorded(List.of("ltrim:l"), List.of("LTRIM l 1 -1"));
    h.call("LTRIM", "missing", "1", "-1");
    assertRecorded(List.of(), List.of());
    h.call("LTRIM", "l", "5", "10");
    assertRecorded(List.of("ltrim:l", "del:l"), List.of("LTRIM l 5 10"));
  }

  @Test
  void lremToEmpty_deletesTheKey() {
    h.call("RPUSH", "l", "a", "a");
    reset();
    h.call("LREM", "l", "0", "a");
    assertRecorded(List.of("lrem:l", "del:l"), List.of("LREM l 0 a"));
  }

  @Test
  void dirty_countsEveryElementAsRedis() {
    long before = h.server().stats().dirty.sum();
    h.call("RPUSH", "l", "a", "b", "c");
    assertEquals(before + 3, h.server().stats().dirty.sum());
    h.call("LPOP", "l", "2");
    assertEquals(before + 5, h.server().stats().dirty.sum());
    h.call("LREM", "l", "0", "zz");
    assertEquals(before + 5, h.server().stats().dirty.sum());
  }
}
