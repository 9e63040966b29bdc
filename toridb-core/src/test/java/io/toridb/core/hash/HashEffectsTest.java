package io.toridb.core.hash;

import static io.toridb.core.CommandHarness.captureEffects;
import static io.toridb.core.CommandHarness.captureEvents;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keyspace events, propagated effects and the dirty counter of the hash writes. */
class HashEffectsTest {
  private final CommandHarness h = new CommandHarness();
  private final List<String> events = captureEvents(h);
  private final List<String> effects = captureEffects(h);

  private long dirty() {
    return h.server().stats().dirty.sum();
  }

  @Test
  void hsetAndHmset_raiseOneHsetEvent() {
    h.call("HSET", "h", "a", "1", "b", "2");
    h.call("HMSET", "h", "a", "3");
    assertEquals(List.of("hset h", "hset h"), events);
    assertEquals(List.of("HSET h a 1 b 2", "HMSET h a 3"), effects);
  }

  @Test
  void hset_countsEveryPairAsAChange() {
    long before = dirty();
    h.call("HSET", "h", "a", "1", "b", "2", "a", "3");
    assertEquals(before + 3, dirty());
  }

  @Test
  void hsetnx_raisesAndPropagatesOnlyWhenItSets() {
    h.call("HSETNX", "h", "a", "1");
    long before = dirty();
    h.call("HSETNX", "h", "a", "2");
    assertEquals(before, dirty());
    assertEquals(List.of("hset h"), events);
    assertEquals(List.of("HSETNX h a 1"), effects);
  }

  @Test
  void hdel_raisesHdelThenDelWhenEmptied() {
    h.call("HSET", "h", "a", "1", "b", "2");
    events.clear();
    effects.clear();
    h.call("HDEL", "h", "zz");
    assertEquals(List.of(), events);
    assertEquals(List.of(), effects);
    long before = dirty();
    h.call("HDEL", "h", "a", "b", "c");
    assertEquals(List.of("hdel h", "del h"), events);
    assertEquals(List.of("HDEL h a b c"), effects);
    assertEquals(before + 2, dirty());
  }

  @Test
  void hincrby_raisesHincrby() {
    h.call("HINCRBY", "h", "n", "5");
    assertEquals(List.of("hincrby h"), events);
    assertEquals(List.of("HINCRBY h n 5"), effects);
  }

  @Test
  void hincrbyfloat_propagatesAsHsetOfTheResult() {
    h.call("HINCRBYFLOAT", "h", "f", "1.5");
    h.call("HINCRBYFLOAT", "h", "f", "0.25e1");
    assertEquals(List.of("hincrbyfloat h", "hincrbyfloat h"), events);
    assertEquals(List.of("HSET h f 1.5", "HSET h f 4"), effects);
  }

  @Test
  void failedWrites_raiseAndPropagateNothing() {
    h.call("HSET", "h", "s", "abc");
    events.clear();
    effects.clear();
    long before = dirty();
    h.call("HINCRBY", "h", "s", "1");
    h.call("HINCRBYFLOAT", "h", "s", "1");
    h.call("HINCRBYFLOAT", "h", "s", "inf");
    h.call("HSET", "h", "odd");
    h.call("SET", "str", "x");
    events.clear();
    effects.clear();
    h.call("HSET", "str", "a", "1");
    assertEquals(List.of(), events);
    assertEquals(List.of(), effects);
    assertEquals(before + 1, dirty()); // Only the SET.
  }

  @Test
  void reads_raiseAndPropagateNothing() {
    h.call("HSET", "h", "a", "1");
    events.clear();
    effects.clear();
    h.call("HGET", "h", "a");
    h.call("HGETALL", "h");
    h.call("HRANDFIELD", "h", "-3");
    h.call("HSCAN", "h", "0");
    assertEquals(List.of(), events);
    assertEquals(List.of(), effects);
  }
}
