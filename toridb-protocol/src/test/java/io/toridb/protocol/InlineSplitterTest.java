package io.toridb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inline splitting against Redis's {@code sdssplitargs}. In the tables, arguments are joined with
 * '|' and chars stand for ISO-8859-1 bytes; Java escapes spell the control bytes.
 */
class InlineSplitterTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '`',
      value = {
        "`GET k`;`GET|k`",
        "`  GET   k  `;`GET|k`",
        "`\tGET\tk\t`;`GET|k`",
        // \f and \v are skipped between arguments but belong to an unquoted argument.
        "`a\fb`;`a\fb`",
        "`a\u000bb`;`a\u000bb`",
        "`\fb`;`b`",
        "`a \fb`;`a|b`",
        "`a\rb`;`a|b`",
        "`a\nb`;`a|b`",
        // A quote inside an unquoted argument opens a quoted part of the same argument.
        "`a\"b c\"`;`ab c`",
        "`a'b c'`;`ab c`",
        "`\"\"`;``",
        "`''`;``",
        "`\"\" x`;`|x`",
        "`\"a b\"`;`a b`",
        "`\"\\x41\\x4a\\x4A\"`;`AJJ`",
        "`\"\\x4g\"`;`x4g`",
        "`\"\\x4\"`;`x4`",
        "`\"\\n\\r\\t\\b\\a\"`;`\n\r\t\b\u0007`",
        "`\"\\q\\\\\\\"\"`;`q\\\"`",
        "`'a\\'b'`;`a'b`",
        "`'a\\nb'`;`a\\nb`",
        // After a closing quote any C blank may follow, \f and \v included.
        "`\"a\"\fb`;`a|b`",
        "`'a'\u000bb`;`a|b`",
        "`\"a\"\tb`;`a|b`",
        // A NUL ends the line, as it ends Redis's C string.
        "`a\u0000b`;`a`",
      })
  void split_matchesSdssplitargs(String line, String expected) {
    List<String> want = Arrays.asList(expected.split("\\|", -1));
    assertEquals(want, split(line));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"\"abc", "'abc", "\"a\"b", "'a'b", "\"a\\\"", "'a\\'", "'a\\\\'", "\"", "a\"b\"c"})
  void split_withUnbalancedQuotes_returnsNull(String line) {
    assertNull(InlineSplitter.split(Wire.bytes(line)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\f\u000b\r\n"})
  void split_ofBlankLine_returnsNoArguments(String line) {
    assertEquals(List.of(), split(line));
  }

  private static List<String> split(String line) {
    byte[][] args = InlineSplitter.split(Wire.bytes(line));
    return Arrays.stream(args).map(Wire::latin1).collect(Collectors.toList());
  }
}
