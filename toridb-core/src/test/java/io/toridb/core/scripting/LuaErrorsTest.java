package io.toridb.core.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The interpreter's error messages in the form Lua 5.1 gives them. */
class LuaErrorsTest {
  @Test
  void positions_areWrittenAsLuaWritesThem() {
    assertEquals("user_script:3: boom", LuaErrors.plain("@user_script:3 boom"));
    assertEquals("3", LuaErrors.line("@user_script:3 boom"));
    assertEquals("no position", LuaErrors.plain("no position"));
    assertNull(LuaErrors.line("no position"));
  }

  @Test
  void commonRuntimeErrors_useLua51Wording() {
    assertEquals(
        "user_script:1: attempt to perform arithmetic on a nil value",
        LuaErrors.plain("@user_script:1 attempt to perform arithmetic __add on nil and number"));
    assertEquals(
        "attempt to perform arithmetic on a table value",
        LuaErrors.plain("attempt to perform arithmetic __mul on number and table"));
    assertEquals("attempt to call a nil value", LuaErrors.plain("attempt to call nil"));
    assertEquals(
        "attempt to concatenate a boolean value",
        LuaErrors.plain("attempt to concatenate string and boolean"));
  }

  @Test
  void tracebacks_areCutOff() {
    assertEquals(
        "@user_script:1 x",
        LuaErrors.withoutTraceback("@user_script:1 x\nstack traceback:\n\t..."));
  }
}
