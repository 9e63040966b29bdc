package io.toridb.core.string;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The long double emulation. Expected texts come from glibc on x86-64 ({@code strtold}, an x87
 * addition and {@code printf("%.17Lf")}, trimmed as Redis trims), which is what Redis runs.
 */
class LongDoubleTest {
  private static LongDouble parse(String s) {
    return LongDouble.parse(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static String sum(String a, String b) {
    LongDouble x = parse(a);
    LongDouble y = parse(b);
    assertNotNull(x, a);
    assertNotNull(y, b);
    return x.add(y).toHumanString();
  }

  @ParameterizedTest
  @CsvSource({
    "10.5, 0.1, 10.6",
    "0.1, 0.2, 0.3",
    "1.1, 2.2, 3.3",
    "3.0, -1.1, 1.9",
    "1, -1.1, -0.1",
    "17179869184, 1.5, 17179869185.5",
    "0.024390243902439025, -0.024390243902439025, 0",
    "0, -1e-20, 0",
    "0, 0.000003814697265625, 0.00000381469726562",
    "0, 0.000011444091796875, 0.00001144409179688",
    "0x10, 1, 17",
    "0X1.8p1, 0, 3",
    "0, 0x1p-60, 0",
    "0, 1e-4950, 0",
    "0, +.5, 0.5",
    "0, 5., 5",
    "00012, -0, 12",
    "+0, -0, 0",
    "9223372036854775807, 1, 9223372036854775808",
    "-9223372036854775808, -1, -9223372036854775809",
    "18446744073709551615, 0, 18446744073709551615",
    "18446744073709551617, 0, 18446744073709551616",
    "123456789.123456789, 0, 123456789.12345678899873747",
    "-5436418486.1, 0.40175816157141630000, -5436418485.69824183871969581",
    "3.5, -3.5, 0",
    "0, 1.5E-3, 0.0015",
    "0, 1e-00005, 0.00001",
    "0, 99999999999999999999999999.999999999999999999, 100000000000000000000000000",
    "0, 0.00000000000000000999, 0.00000000000000001",
    "0, 0.000000000000000005, 0",
    "0, 0.0000000000000000050000001, 0.00000000000000001",
    "0, -0.0000000000000000050000001, -0.00000000000000001",
  })
  void addAndFormat_matchGlibc(String a, String b, String expected) {
    assertEquals(expected, sum(a, b));
  }

  @ParameterizedTest
  @CsvSource({
    "1e4000, 0, 4000, 9999999999999999999965463873099623784932, "
        + "1956972190272729951206648276349901340672",
    "-1e4000, 1, 4001, -999999999999999999996546387309962378493, "
        + "1956972190272729951206648276349901340672",
    "1.18973149535723176502e4932, 0, 4933, 1189731495357231765021263853030970205169, "
        + "8849149662444156604419552086811989770240",
  })
  void hugeValues_printAllTheirDigits(String a, String b, int length, String head, String tail) {
    String s = sum(a, b);
    assertEquals(length, s.length());
    assertTrue(s.startsWith(head), s.substring(0, 40));
    assertTrue(s.endsWith(tail), s.substring(s.length() - 40));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "nan",
        "NaN",
        "1e",
        "1e+",
        ".",
        "-.",
        "0x",
        "0xp1",
        "0xg",
        "1.2.3",
        " 1",
        "1 ",
        "\t1",
        "1e-4960",
        "1.18973149535723176509e4932",
        "1e99999999999999999999",
        "--1",
        "+-1",
        "1f",
        "infinit",
        "in",
        "1\u00002",
        "0x1p",
        "12a"
      })
  void parse_refusesWhatString2ldRefuses(String text) {
    assertNull(parse(text), text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"inf", "-inf", "+INF", "Infinity", "-infinity"})
  void parse_acceptsInfinities(String text) {
    LongDouble v = parse(text);
    assertNotNull(v);
    assertTrue(v.isInfinite());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0e999999999999", "-0.0", "0x0p99999", "1.9e-4951", "3.6e-4951"})
  void parse_acceptsZeroWithAnyExponentAndSubnormals(String text) {
    assertNotNull(parse(text), text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e-4952", "1.8e-4951"})
  void parse_refusesValuesThatRoundToZero(String text) {
    assertNull(parse(text), text);
  }

  @org.junit.jupiter.api.Test
  void add_infinityPlusOppositeInfinity_isNaN() {
    assertNull(parse("inf").add(parse("-inf")));
    assertTrue(parse("inf").add(parse("1")).isInfinite());
    assertEquals("-inf", parse("-inf").add(parse("1")).toHumanString());
  }

  @org.junit.jupiter.api.Test
  void add_pastLargestValue_isInfinite() {
    LongDouble max = parse("1.18973149535723176502e4932");
    assertTrue(max.add(max).isInfinite());
  }

  @Property
  void longs_areExact(@ForAll long v) {
    assertEquals(Long.toString(v), LongDouble.of(v).toHumanString());
    assertEquals(LongDouble.of(v).toHumanString(), parse(Long.toString(v)).toHumanString());
  }

  @Property
  void doubles_parseBackExactly(@ForAll double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return;
    }
    // Every double fits the 64-bit significand, so parsing its exact decimal expansion must
    // give it back unchanged.
    String text = new BigDecimal(d).toString();
    BigDecimal exact = new BigDecimal(d);
    LongDouble v = parse(text);
    assertNotNull(v, text);
    assertEquals(0, exact.compareTo(v.toBigDecimal()), text);
  }

  @Property
  void smallSums_areExactWhenRepresentable(@ForAll int a, @ForAll int b) {
    // Halves and integers are exact in binary, so the sum prints exactly.
    BigDecimal x = BigDecimal.valueOf(a).divide(BigDecimal.valueOf(2));
    BigDecimal y = BigDecimal.valueOf(b).divide(BigDecimal.valueOf(4));
    String expected = x.add(y).stripTrailingZeros().toPlainString();
    assertEquals(expected, sum(x.toPlainString(), y.toPlainString()));
  }
}
