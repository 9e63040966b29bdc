package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of differential scripts: directives and the {@code [N]} connection prefix. */
class CommandScriptTest {

  @Test
  void linesWithoutPrefix_runOnConnectionOne() {
    CommandScript s = CommandScript.parse("t", List.of("FLUSHALL", "SET a 1", "@type TIME"));
    assertEquals(1, s.connections());
    for (CommandScript.Step step : s.steps()) {
      assertEquals(1, step.connection());
    }
  }

  @Test
  void connectionPrefix_selectsTheConnectionAndComesBeforeADirective() {
    CommandScript s =
        CommandScript.parse(
            "t",
            List.of(
                "FLUSHALL",
                "[2] SET k \"a b\"",
                "[3]@approx 1 TTL k",
                "[ 2 ]   @mask id HELLO 3",
                "# [9] a comment names no connection",
                "[1] GET k"));
    assertEquals(3, s.connections());
    List<CommandScript.Step> steps = s.steps();
    assertEquals(2, steps.get(1).connection());
    assertArrayEquals(RespClient.bytes("SET", "k", "a b"), steps.get(1).argv());
    assertEquals(3, steps.get(2).connection());
    assertEquals(CommandScript.Mode.APPROX, steps.get(2).mode());
    assertEquals("1", steps.get(2).modeArg());
    assertArrayEquals(RespClient.bytes("TTL", "k"), steps.get(2).argv());
    assertEquals(2, steps.get(3).connection());
    assertEquals(CommandScript.Mode.MASK, steps.get(3).mode());
    assertEquals(1, steps.get(4).connection());
    assertEquals(6, steps.get(4).line());
    assertEquals("[1] GET k", steps.get(4).display());
  }

  @Test
  void badConnectionPrefixes_areRefusedWithTheirLine() {
    for (String bad :
        new String[] {"[0] GET k", "[17] GET k", "[x] GET k", "[2 GET k", "[] GET k"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> CommandScript.parse("t", List.of("FLUSHALL", bad)),
              bad);
      assertTrue(e.getMessage().startsWith("t:2: a connection prefix is [N]"), e.getMessage());
    }
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> CommandScript.parse("t", List.of("FLUSHALL", "[2]")));
    assertTrue(empty.getMessage().contains("empty command"), empty.getMessage());
  }

  @Test
  void scriptMustStartWithFlushall_onAnyConnection() {
    assertThrows(IllegalArgumentException.class, () -> CommandScript.parse("t", List.of("GET k")));
    assertEquals(2, CommandScript.parse("t", List.of("[2] FLUSHALL")).connections());
  }
}
