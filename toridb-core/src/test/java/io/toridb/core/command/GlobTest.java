package io.toridb.core.command;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {
  @ParameterizedTest
  @CsvSource({
    "*, anything",
    "h?llo, hello",
    "h*llo, heeeello",
    "h[ae]llo, hallo",
    "h[^e]llo, hallo",
    "h[a-b]llo, hbllo",
    "h[b-a]llo, hallo",
    "h\\*llo, h*llo",
    "a*b*c, aXXbYYc",
    "*ziplist*, hash-max-ziplist-entries",
    "[abc, a",
  })
  void matches(String pattern, String string) {
    assertTrue(Glob.matches(pattern, string, false), pattern + " vs " + string);
  }

  @ParameterizedTest
  @CsvSource({
    "h?llo, hllo",
    "h[ae]llo, hillo",
    "h[^e]llo, hello",
    "h\\*llo, hello",
    "a*b*c, aXXbYY",
    "abc, abcd",
    "abc, ab",
    // As Redis's stringmatchlen: the empty string matches no pattern (KEYS * special-cases it).
    "*, ''",
  })
  void rejects(String pattern, String string) {
    assertFalse(Glob.matches(pattern, string, false), pattern + " vs " + string);
  }

  @Test
  void nocase_ignoresAsciiCase() {
    assertTrue(Glob.matches("HZ", "hz", true));
    assertTrue(Glob.matches("[A-C]x", "bX", true));
    assertFalse(Glob.matches("HZ", "hz", false));
  }

  @Test
  void manyStars_doNotBacktrackExponentially() {
    String pattern = "a*".repeat(30) + "b";
    String string = "a".repeat(60);
    assertFalse(Glob.matches(pattern, string, false));
  }
}
