package io.toridb.core.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeySpecTest {
  private static List<Integer> keys(KeySpec spec, int argc) {
    List<Integer> found = new ArrayList<>();
    spec.forEachKey(new byte[argc][], found::add);
    return found;
  }

  @Test
  void forEachKey_followsRelativeAndNegativeLastKey() {
    assertEquals(List.of(1), keys(KeySpec.range(1, 0, 1, "RO"), 3));
    assertEquals(List.of(1, 2), keys(KeySpec.range(1, 1, 1, "RO"), 3));
    assertEquals(List.of(1, 3, 5), keys(KeySpec.range(1, -1, 2, "OW", "update"), 7));
    assertEquals(List.of(1, 2), keys(KeySpec.range(1, -2, 1, "RO"), 4));
  }

  @Test
  void forEachKey_stopsAtTheArguments() {
    assertEquals(List.of(), keys(KeySpec.range(2, 0, 1, "RO"), 2));
    assertEquals(List.of(1), keys(KeySpec.range(1, 3, 1, "RO"), 2));
  }

  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return out;
  }

  @Test
  void keyword_findsTheKeyAfterTheFirstOccurrence_fromWhereTheSearchStarts() {
    KeySpec store = KeySpec.keyword("STORE", 6, "OW", "update");
    List<Integer> found = new ArrayList<>();
    store.forEachKey(
        args("georadius", "k", "1", "2", "3", "km", "store", "a", "STORE", "b"), found::add);
    assertEquals(List.of(7), found);
    // Not before startfrom (a member may be called STORE), and not as the last argument.
    found.clear();
    store.forEachKey(args("georadius", "STORE", "1", "2", "3", "km", "STORE"), found::add);
    assertEquals(List.of(), found);
  }

  @Test
  void keyword_affectedKeys_areAfterEveryOccurrence() {
    KeySpec store = KeySpec.keyword("STORE", 6, "OW", "update");
    List<Integer> found = new ArrayList<>();
    store.forEachAffectedKey(
        args("georadius", "k", "1", "2", "3", "km", "STORE", "a", "COUNT", "1", "store", "b"),
        found::add);
    assertEquals(List.of(7, 11), found);
  }

  @Test
  void flags_areOrderedAndSpelledAsRedisPrintsThem() {
    assertEquals(
        List.of("RW", "access", "update", "variable_flags"),
        KeySpec.range(1, 0, 1, "VARIABLE_FLAGS", "update", "ACCESS", "rw").flags());
  }

  @Test
  void flags_unknown_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> KeySpec.range(1, 0, 1, "RW", "nosuch"));
  }
}
