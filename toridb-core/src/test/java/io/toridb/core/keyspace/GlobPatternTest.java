package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cases whose expected results were produced by Redis 7.0.15's own stringmatchlen, including its
 * quirks (open classes, "[a-]", the empty string).
 */
class GlobPatternTest {
  static Stream<String[]> redisCases() {
    return Stream.of(
        new String[][] {
          {"*", "hello", "case", "match"},
          {"*", "", "case", "no"},
          {"**", "", "case", "no"},
          {"", "", "case", "match"},
          {"", "a", "case", "no"},
          {"h?llo", "hello", "case", "match"},
          {"h?llo", "hllo", "case", "no"},
          {"h*llo", "hllo", "case", "match"},
          {"h*llo", "heeeello", "case", "match"},
          {"h[ae]llo", "hallo", "case", "match"},
          {"h[ae]llo", "hillo", "case", "no"},
          {"h[^e]llo", "hallo", "case", "match"},
          {"h[^e]llo", "hello", "case", "no"},
          {"h[a-b]llo", "hbllo", "case", "match"},
          {"h[b-a]llo", "hbllo", "case", "match"},
          {"h[a-b]llo", "hcllo", "case", "no"},
          {"\\*", "*", "case", "match"},
          {"\\*", "a", "case", "no"},
          {"a\\", "a\\", "case", "match"},
          {"[\\]]", "]", "case", "match"},
          {"[\\-]", "-", "case", "match"},
          {"[a-]", "]", "case", "match"},
          {"[a-]", "^", "case", "match"},
          {"[a-]", "-", "case", "no"},
          {"[abc", "b", "case", "match"},
          {"[abc", "[", "case", "no"},
          {"[", "[", "case", "no"},
          {"[^", "x", "case", "match"},
          {"[^", "", "case", "no"},
          {"[]", "]", "case", "no"},
          {"[]]", "]", "case", "no"},
          {"[^]]", "a", "case", "no"},
          {"a*b*c", "aXbYc", "case", "match"},
          {"a*b*c", "aXbY", "case", "no"},
          {"*a", "a", "case", "match"},
          {"a*", "a", "case", "match"},
          {"a**", "a", "case", "match"},
          {"a*?", "a", "case", "no"},
          {"*?*", "x", "case", "match"},
          {"[A-Z]", "a", "case", "no"},
          {"[A-Z]", "a", "nocase", "match"},
          {"hELLO", "Hello", "nocase", "match"},
          {"[^a]", "A", "nocase", "no"},
          {"key:1??", "key:123", "case", "match"},
          {"key:1??", "key:1234", "case", "no"},
        });
  }

  @ParameterizedTest(name = "{0} vs {1} ({2})")
  @MethodSource("redisCases")
  void matches_asRedisStringmatchlen(String pattern, String string, String mode, String want) {
    boolean got =
        GlobPattern.matches(
            pattern.getBytes(StandardCharsets.ISO_8859_1),
            string.getBytes(StandardCharsets.ISO_8859_1),
            mode.equals("nocase"));
    assertEquals(want.equals("match"), got);
  }

  @Test
  void ranges_compareBytesAsSignedChars() {
    // [a-\xff] is the range -1..'a' once its ends are ordered.
    byte[] pattern = {'[', 'a', '-', (byte) 0xff, ']'};
    assertTrue(GlobPattern.matches(pattern, new byte[] {(byte) 0xff}));
    assertTrue(GlobPattern.matches(pattern, new byte[] {0}));
    assertFalse(GlobPattern.matches(pattern, new byte[] {'b'}));
    // Under nocase glibc's tolower lifts \x80 to 128, above 'a': the range is empty.
    byte[] high = {'[', (byte) 0x80, '-', 'a', ']'};
    assertTrue(GlobPattern.matches(high, new byte[] {(byte) 0x80}, false));
    assertFalse(GlobPattern.matches(high, new byte[] {(byte) 0x80}, true));
  }

  @Test
  void binarySafe_withNulBytes() {
    assertTrue(GlobPattern.matches(new byte[] {'a', 0, '*'}, new byte[] {'a', 0, 'z', 'z'}));
    assertFalse(GlobPattern.matches(new byte[] {'a', 0}, new byte[] {'a'}));
  }

  @Test
  void slices_matchOnlyTheGivenRange() {
    byte[] pattern = "xxh*oyy".getBytes(StandardCharsets.ISO_8859_1);
    byte[] string = "__hello__".getBytes(StandardCharsets.ISO_8859_1);
    assertTrue(GlobPattern.matches(pattern, 2, 3, string, 2, 5, false));
    assertFalse(GlobPattern.matches(pattern, 2, 3, string, 2, 6, false));
  }

  @Test
  void pathologicalPatterns_finishQuickly() {
    // Without Redis's early exit these take exponential time; with it, O(pattern x string).
    byte[] many = "a".repeat(10_000).getBytes(StandardCharsets.ISO_8859_1);
    byte[] pattern = ("a*".repeat(2_000) + "b").getBytes(StandardCharsets.ISO_8859_1);
    assertFalse(GlobPattern.matches(pattern, many));
    byte[] stars = ("*".repeat(100_000) + "a").getBytes(StandardCharsets.ISO_8859_1);
    assertTrue(GlobPattern.matches(stars, many));
    // Deeper than any Java stack would allow a recursive matcher to go.
    byte[] deep = "*a".repeat(50_000).getBytes(StandardCharsets.ISO_8859_1);
    assertFalse(
        GlobPattern.matches(deep, "a".repeat(49_999).getBytes(StandardCharsets.ISO_8859_1)));
    assertTrue(GlobPattern.matches(deep, "a".repeat(50_000).getBytes(StandardCharsets.ISO_8859_1)));
    byte[] redisRegression = ("a*".repeat(20) + "b").getBytes(StandardCharsets.ISO_8859_1);
    assertFalse(
        GlobPattern.matches(redisRegression, "a".repeat(40).getBytes(StandardCharsets.ISO_8859_1)));
  }
}
