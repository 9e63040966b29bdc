package io.toridb.core.server;

import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServerCommandsTest {
  private final CommandHarness h = new CommandHarness();

  @Test
  void time_returnsSecondsAndMicrosecondsAsBulkStrings() {
    long before = System.currentTimeMillis() / 1000;
    Matcher m =
        Pattern.compile("\\*2\r\n\\$\\d+\r\n(\\d+)\r\n\\$\\d+\r\n(\\d+)\r\n")
            .matcher(h.call("TIME"));
    assertTrue(m.matches());
    long seconds = Long.parseLong(m.group(1));
    assertTrue(seconds >= before && seconds <= before + 5);
    assertTrue(Long.parseLong(m.group(2)) < 1_000_000);
    // TIME is an array of bulk strings in RESP3 too.
    assertTrue(h.call3("TIME").matches("\\*2\r\n\\$\\d+\r\n\\d+\r\n\\$\\d+\r\n\\d+\r\n"));
  }

  @Test
  void time_withArguments_returnsArityError() {
    assertEquals(error("ERR wrong number of arguments for 'time' command"), h.call("TIME", "x"));
  }

  @Test
  void lastsave_returnsTheLastSaveTime() {
    h.server().lastSaveSeconds(1700000000);
    assertEquals(integer(1700000000), h.call("LASTSAVE"));
  }
}
