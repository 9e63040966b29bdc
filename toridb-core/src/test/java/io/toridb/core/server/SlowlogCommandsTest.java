package io.toridb.core.server;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SlowlogCommandsTest {
  private final CommandHarness h = new CommandHarness();

  @BeforeEach
  void logEverything() {
    h.session().addresses("127.0.0.1:5000", "127.0.0.1:6379");
    h.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
    h.call("SLOWLOG", "RESET");
  }

  @Test
  void get_returnsNewestFirstWithRedisEntryShape() {
    h.call("SET", "k", "v");
    h.session().name("app");
    h.call("GET", "k");
    String reply = h.call("SLOWLOG", "GET", "2");
    // id, unix time, duration, argv, client address, client name. Ids keep counting across
    // SLOWLOG RESET, which is logged itself (id 1, after CONFIG SET's 0).
    Pattern shape =
        Pattern.compile(
            "\\*2\r\n"
                + "\\*6\r\n:3\r\n:\\d{10}\r\n:\\d+\r\n\\*2\r\n\\$3\r\nGET\r\n\\$1\r\nk\r\n"
                + "\\$14\r\n127.0.0.1:5000\r\n\\$3\r\napp\r\n"
                + "\\*6\r\n:2\r\n:\\d{10}\r\n:\\d+\r\n\\*3\r\n\\$3\r\nSET\r\n\\$1\r\nk\r\n"
                + "\\$1\r\nv\r\n\\$14\r\n127.0.0.1:5000\r\n\\$0\r\n\r\n");
    assertTrue(shape.matcher(reply).matches(), reply);
  }

  @Test
  void len_andReset() {
    h.call("PING");
    h.call("PING");
    assertEquals(integer(3), h.call("SLOWLOG", "LEN"));
    assertEquals(OK, h.call("SLOWLOG", "RESET"));
    assertEquals(integer(1), h.call("SLOWLOG", "LEN"));
  }

  @Test
  void get_minusOne_returnsAll_andDefaultIsTen() {
    for (int i = 0; i < 12; i++) {
      h.call("PING");
    }
    assertTrue(h.call("SLOWLOG", "GET").startsWith("*10\r\n"));
    assertTrue(h.call("SLOWLOG", "GET", "-1").startsWith("*14\r\n"));
    assertEquals("*0\r\n", h.call("SLOWLOG", "GET", "0"));
  }

  @Test
  void get_badCount_returnsRedisErrors() {
    assertEquals(
        error("ERR count should be greater than or equal to -1"), h.call("SLOWLOG", "GET", "-2"));
    assertEquals(
        error("ERR count should be greater than or equal to -1"), h.call("SLOWLOG", "GET", "x"));
    assertEquals(
        error("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP."),
        h.call("SLOWLOG", "GET", "1", "2"));
    assertEquals(
        error("ERR wrong number of arguments for 'slowlog|len' command"),
        h.call("SLOWLOG", "LEN", "x"));
  }

  @Test
  void auth_argumentsAreRedacted() {
    h.call("AUTH", "default", "hunter2");
    String reply = h.call("SLOWLOG", "GET", "1");
    assertTrue(
        reply.contains("*3\r\n" + bulk("AUTH") + bulk("(redacted)") + bulk("(redacted)")), reply);
  }

  @Test
  void longArguments_areTrimmedAsRedisDoes() {
    h.call("ECHO", "x".repeat(130));
    String reply = h.call("SLOWLOG", "GET", "1");
    assertTrue(reply.contains(bulk("x".repeat(128) + "... (2 more bytes)")), reply);
  }

  @Test
  void maxLen_bounds_theLog() {
    h.call("CONFIG", "SET", "slowlog-max-len", "2");
    h.call("PING");
    h.call("PING");
    h.call("PING");
    assertEquals(integer(2), h.call("SLOWLOG", "LEN"));
  }

  @Test
  void help_listsSubcommands() {
    assertTrue(
        h.call("SLOWLOG", "HELP")
            .startsWith(
                "*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  }
}
