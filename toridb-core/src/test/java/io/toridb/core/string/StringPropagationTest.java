package io.toridb.core.string;

import static io.toridb.core.CommandHarness.captureEffects;
import static io.toridb.core.string.StringTestSupport.putOther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The effects string commands hand to propagation: deterministic, absolute, nothing for no-ops. */
class StringPropagationTest {
  private final CommandHarness h = new CommandHarness();
  private final List<String> effects = captureEffects(h);

  /** The absolute time in a relative-expiry effect "... PXAT t", checked against the clock. */
  private void assertRelativeExpiry(String prefix, long before, long after, long ttl) {
    assertEquals(1, effects.size(), effects.toString());
    String e = effects.get(0);
    assertTrue(e.startsWith(prefix), e);
    long at = Long.parseLong(e.substring(prefix.length()));
    assertTrue(at >= before + ttl && at <= after + ttl, e);
  }

  @Test
  void set_plain_propagatesAsIs() {
    h.call("SET", "k", "v");
    h.call("set", "k", "w", "xx", "keepttl");
    assertEquals(List.of("SET k v", "set k w xx keepttl"), effects);
  }

  @Test
  void set_ex_propagatesAbsolutePxat() {
    long before = System.currentTimeMillis();
    h.call("SET", "k", "v", "EX", "100", "NX");
    long after = System.currentTimeMillis();
    assertRelativeExpiry("SET k v PXAT ", before, after, 100_000);
  }

  @Test
  void set_exatAndPxat_propagateTheSameAbsoluteTime() {
    h.call("SET", "a", "v", "EXAT", "99999999999");
    h.call("SET", "b", "v", "PXAT", "99999999999999", "GET");
    assertEquals(List.of("SET a v PXAT 99999999999000", "SET b v PXAT 99999999999999"), effects);
  }

  @Test
  void set_get_dropsEveryGetFromTheEffect() {
    h.call("SET", "k", "v", "GET", "XX", "get"); // not performed: nothing to propagate
    h.call("SET", "k", "v", "get", "NX");
    h.call("SET", "k", "w", "GET");
    assertEquals(List.of("SET k v NX", "SET k w"), effects);
  }

  @Test
  void set_notPerformed_propagatesNothing() {
    h.call("SET", "k", "v");
    effects.clear();
    h.call("SET", "k", "w", "NX");
    h.call("SET", "missing", "w", "XX");
    h.call("SETNX", "k", "w");
    h.call("SET", "k", "v", "EX", "0");
    h.call("MSETNX", "x", "1", "k", "2");
    assertEquals(List.of(), effects);
  }

  @Test
  void setnx_propagatesAsIs() {
    h.call("SETNX", "k", "v");
    assertEquals(List.of("SETNX k v"), effects);
  }

  @Test
  void setexAndPsetex_propagateAsSetWithPxat() {
    long before = System.currentTimeMillis();
    h.call("SETEX", "k", "100", "v");
    long after = System.currentTimeMillis();
    assertRelativeExpiry("SET k v PXAT ", before, after, 100_000);
    effects.clear();
    before = System.currentTimeMillis();
    h.call("PSETEX", "k", "2500", "v");
    after = System.currentTimeMillis();
    assertRelativeExpiry("SET k v PXAT ", before, after, 2500);
  }

  @Test
  void getset_propagatesAsSet() {
    h.call("GETSET", "k", "v");
    assertEquals(List.of("SET k v"), effects);
  }

  @Test
  void getdel_propagatesDelOnlyWhenSomethingIsDeleted() {
    h.call("GETDEL", "missing");
    h.call("SET", "k", "v");
    effects.clear();
    h.call("GETDEL", "k");
    assertEquals(List.of("DEL k"), effects);
  }

  @Test
  void getex_ex_propagatesPexpireat() {
    h.call("SET", "k", "v");
    effects.clear();
    long before = System.currentTimeMillis();
    h.call("GETEX", "k", "EX", "100");
    long after = System.currentTimeMillis();
    assertRelativeExpiry("PEXPIREAT k ", before, after, 100_000);
  }

  @Test
  void getex_exat_propagatesPexpireat() {
    h.call("SET", "k", "v");
    effects.clear();
    h.call("GETEX", "k", "EXAT", "99999999999");
    assertEquals(List.of("PEXPIREAT k 99999999999000"), effects);
  }

  @Test
  void getex_timeInThePast_propagatesDel() {
    h.call("SET", "k", "v");
    effects.clear();
    h.call("GETEX", "k", "PXAT", "1");
    assertEquals(List.of("DEL k"), effects);
  }

  @Test
  void getex_persist_propagatesOnlyWhenAnExpiryIsRemoved() {
    h.call("SET", "k", "v");
    effects.clear();
    h.call("GETEX", "k", "PERSIST");
    h.call("GETEX", "k");
    h.call("GETEX", "missing", "EX", "10");
    assertEquals(List.of(), effects);
    h.call("SET", "k", "v", "PXAT", "99999999999999");
    effects.clear();
    h.call("GETEX", "k", "PERSIST");
    assertEquals(List.of("PERSIST k"), effects);
  }

  @Test
  void msetAndAppendAndSetrange_propagateAsIs() {
    h.call("MSET", "a", "1", "b", "2");
    h.call("MSETNX", "c", "3");
    h.call("APPEND", "a", "x");
    h.call("SETRANGE", "b", "3", "y");
    h.call("SETRANGE", "b", "3", "");
    assertEquals(List.of("MSET a 1 b 2", "MSETNX c 3", "APPEND a x", "SETRANGE b 3 y"), effects);
  }

  @Test
  void counters_propagateAsIs_andFailuresNothing() {
    h.call("INCR", "n");
    h.call("DECRBY", "n", "5");
    h.call("SET", "s", "abc");
    effects.clear();
    h.call("INCR", "s");
    h.call("INCRBY", "n", "x");
    h.call("DECRBY", "n", "-9223372036854775808");
    assertEquals(List.of(), effects);
  }

  @Test
  void incrbyfloat_propagatesAsSetWithKeepttl() {
    h.call("SET", "f", "10.5");
    effects.clear();
    h.call("INCRBYFLOAT", "f", "0.1");
    h.call("INCRBYFLOAT", "f", "inf");
    assertEquals(List.of("SET f 10.6 KEEPTTL"), effects);
  }

  @Test
  void reads_propagateNothing() {
    h.call("SET", "k", "v");
    putOther(h, "list");
    effects.clear();
    h.call("GET", "k");
    h.call("MGET", "k", "list");
    h.call("STRLEN", "k");
    h.call("GETRANGE", "k", "0", "-1");
    h.call("LCS", "k", "k");
    h.call("GETSET", "list", "x");
    assertEquals(List.of(), effects);
  }
}
