package io.toridb.core.scripting;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.error;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Test;

class ScriptingCommandsTest {
  private final CommandHarness h = new CommandHarness();

  @Test
  void functionFlush_acceptsModes() {
    assertEquals(OK, h.call("FUNCTION", "FLUSH"));
    assertEquals(OK, h.call("FUNCTION", "FLUSH", "async"));
    assertEquals(OK, h.call("FUNCTION", "FLUSH", "SYNC"));
    assertEquals(
        error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"),
        h.call("FUNCTION", "FLUSH", "x"));
    assertEquals(
        error(
            "ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP."),
        h.call("FUNCTION", "FLUSH", "a", "b"));
  }

  @Test
  void scriptFlush_acceptsModes() {
    assertEquals(OK, h.call("SCRIPT", "FLUSH"));
    assertEquals(OK, h.call("SCRIPT", "FLUSH", "ASYNC"));
    assertEquals(
        error("ERR SCRIPT FLUSH only support SYNC|ASYNC option"),
        h.call("SCRIPT", "FLUSH", "a", "b"));
  }

  @Test
  void functionList_isEmpty() {
    assertEquals("*0\r\n", h.call("FUNCTION", "LIST"));
    assertEquals("*0\r\n", h.call("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "x*"));
    assertEquals(
        error("ERR library name argument was not given"),
        h.call("FUNCTION", "LIST", "LIBRARYNAME"));
    assertEquals(error("ERR Unknown argument foo"), h.call("FUNCTION", "LIST", "foo"));
  }
}
