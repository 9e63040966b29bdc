package io.toridb.core.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toridb.core.command.CommandException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Shebang lines, as Redis's evalExtractShebangFlags reads them. */
class ScriptTest {
  @Test
  void noShebang_isCompatibilityMode() {
    assertEquals(Script.COMPAT, Script.shebangFlags(b("return 1")));
    assertEquals(0, Script.shebangLength(b("return 1")));
  }

  @Test
  void flags_areRead_andTheLineFeedIsKept() {
    byte[] body = b("#!lua flags=no-writes,allow-oom\nreturn 1");
    assertEquals(Script.NO_WRITES | Script.ALLOW_OOM, Script.shebangFlags(body));
    assertEquals(body.length - "\nreturn 1".length(), Script.shebangLength(body));
    assertEquals(0, Script.shebangFlags(b("#!lua\nreturn 1")));
    assertEquals(0, Script.shebangFlags(b("#!lua flags=\nreturn 1")));
  }

  @Test
  void badShebangs_getRedisErrors() {
    assertError("ERR Invalid script shebang", "#!lua flags=no-writes");
    assertError("ERR Unexpected engine in script shebang: #!python", "#!python\n");
    assertError("ERR Unexpected flag in script shebang: nope", "#!lua flags=nope\n");
    assertError("ERR Unknown lua shebang option: x=y", "#!lua x=y\n");
  }

  private static void assertError(String expected, String body) {
    CommandException e = assertThrows(CommandException.class, () -> Script.shebangFlags(b(body)));
    assertEquals(expected, e.reply());
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
