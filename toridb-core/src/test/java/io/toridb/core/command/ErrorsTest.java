package io.toridb.core.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorsTest {
  private final CommandHarness h = new CommandHarness();

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void unknownCommand_quotesArgumentsWithTrailingSpace() {
    assertEquals(
        "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n",
        h.call("foo", "a", "b"));
    assertEquals("-ERR unknown command 'foo', with args beginning with: \r\n", h.call("foo"));
  }

  @Test
  void unknownCommand_cutsNameAndArgumentsAtNulAsRedisDoes() {
    assertEquals(
        "-ERR unknown command 'AB', with args beginning with: 'x' 'z' \r\n",
        h.callBytes(new byte[][] {b("AB\0CD"), b("x\0y"), b("z")}));
  }

  @Test
  void unknownCommand_limitsQuotedArgumentsTo128Characters() {
    String longArg = "a".repeat(200);
    assertEquals(
        "-ERR unknown command 'foo', with args beginning with: '" + "a".repeat(128) + "' \r\n",
        h.call("foo", longArg, "next"));
  }

  @Test
  void unknownSubcommand_cutsAtNul() {
    assertEquals(
        "-ERR unknown subcommand 'GE'. Try CONFIG HELP.\r\n",
        h.callBytes(new byte[][] {b("CONFIG"), b("GE\0T")}));
  }

  @Test
  void commandInfoSet_showsKeySpecNotesAndFlags() {
    String reply = h.call("COMMAND", "INFO", "set");
    assertTrue(
        reply.contains(
            "$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n"));
    assertTrue(reply.contains("*4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n"));
  }
}
