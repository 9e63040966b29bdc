package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toridb.core.command.CommandException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScanCursorTest {
  private static long parse(String s) {
    return ScanCursor.parse(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "'', 0",
    "+0, 0",
    "-0, 0",
    "007, 7",
    "4294967296, 4294967296",
    "18446744073709551615, -1",
    "-1, -1",
    "-18446744073709551615, 1",
    "9223372036854775808, -9223372036854775808"
  })
  void parse_acceptsWhatStrtoulAccepts(String text, long bits) {
    assertEquals(bits, parse(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        " 1",
        "\t1",
        "1 ",
        "1x",
        "x",
        "+",
        "-",
        "--1",
        "+-1",
        "0x10",
        "1.0",
        "18446744073709551616",
        "-18446744073709551616",
        "99999999999999999999"
      })
  void parse_refusesEverythingElse(String text) {
    CommandException e = assertThrows(CommandException.class, () -> parse(text));
    assertEquals("ERR invalid cursor", e.reply());
  }

  @org.junit.jupiter.api.Test
  void parse_stopsAtNulLikeACString() {
    assertEquals(12, ScanCursor.parse(new byte[] {'1', '2', 0, 'x'}));
    assertEquals(0, ScanCursor.parse(new byte[] {0, 'x'}));
  }
}
