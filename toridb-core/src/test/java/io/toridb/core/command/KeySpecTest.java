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
