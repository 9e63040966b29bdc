package io.toridb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link DoubleFormat} against C's {@code printf("%.17g")}. The expected texts were produced by
 * glibc's printf for these inputs.
 */
class DoubleFormatTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "0.1;0.10000000000000001",
        "1.5;1.5",
        "1e17;1e+17",
        "-1e17;-1e+17",
        "1.2345678901234567e-5;1.2345678901234568e-05",
        "123456789012345680000.0;1.2345678901234568e+20",
        "-0.0;-0",
        "0.0;0",
        "3.0;3",
        "-123456789.0;-123456789",
        "100.0;100",
        "0.5;0.5",
        "-1.5;-1.5",
        "2.5;2.5",
        "1e16;10000000000000000",
        "9.999999999999998e16;99999999999999984",
        "7.205759403792794e16;72057594037927936",
        "9007199254740992.0;9007199254740992",
        "9007199254740993.0;9007199254740992",
        "1000000000000000.5;1000000000000000.5",
        "99999999999999.99;99999999999999.984",
        "1e-4;0.0001",
        "0.00012345;0.00012344999999999999",
        "1e-5;1.0000000000000001e-05",
        "5e-5;5.0000000000000002e-05",
        "2.0e-5;2.0000000000000002e-05",
        "9.9999999999999995e-6;9.9999999999999991e-06",
        "1.0e-6;9.9999999999999995e-07",
        "-1e-7;-9.9999999999999995e-08",
        "-2.5e-5;-2.5000000000000001e-05",
        "1e-10;1e-10",
        "1e-300;1e-300",
        "1e-320;9.9998886718268301e-321",
        "4.9e-324;4.9406564584124654e-324",
        "2.2250738585072014e-308;2.2250738585072014e-308",
        "1.7976931348623157e308;1.7976931348623157e+308",
        "1.5e300;1.5000000000000001e+300",
        "1e21;1e+21",
        "1e22;1e+22",
        "1e100;1e+100",
        "6.02214076e23;6.0221407599999999e+23",
        "1.2345678901234568e18;1.2345678901234568e+18",
        "0.3;0.29999999999999999",
        "0.6666666666666666;0.66666666666666663",
        "0.3333333333333333;0.33333333333333331",
        "12345.678;12345.678",
        "3.14159;3.1415899999999999",
        "4.35;4.3499999999999996",
        "1.1;1.1000000000000001",
        "1.2345678912345679e8;123456789.12345679",
      })
  void format_matchesCPrintf17g(String input, String expected) {
    assertEquals(expected, DoubleFormat.format(Double.parseDouble(input)));
  }

  @Test
  void format_ofInfinities_isInfAndMinusInf() {
    assertEquals("inf", DoubleFormat.format(Double.POSITIVE_INFINITY));
    assertEquals("-inf", DoubleFormat.format(Double.NEGATIVE_INFINITY));
  }

  @Test
  void format_ofNan_followsItsSignBitAsGlibcDoes() {
    assertEquals("nan", DoubleFormat.format(Double.NaN));
    assertEquals("-nan", DoubleFormat.format(Double.longBitsToDouble(0xfff8000000000000L)));
  }

  /** 2000 doubles from random bits, decimals, large integers and subnormals. */
  @Test
  void format_matchesCPrintf17gOnRecordedTable() throws Exception {
    List<String> mismatches = new ArrayList<>();
    int rows = 0;
    try (InputStream in = DoubleFormatTest.class.getResourceAsStream("printf-17g.txt");
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("#")) {
          continue;
        }
        rows++;
        String[] parts = line.split(" ");
        double d = Double.longBitsToDouble(Long.parseUnsignedLong(parts[0], 16));
        String got = DoubleFormat.format(d);
        if (!got.equals(parts[1])) {
          mismatches.add(parts[0] + ": expected " + parts[1] + ", got " + got);
        }
      }
    }
    assertTrue(rows > 1000, "table rows: " + rows);
    assertEquals(List.of(), mismatches);
  }

  @Test
  void shortest_writesTheFewestDigitsThatReadBack_inRedis8sLayout() {
    // Integral values as integers, as d2string's double2ll path.
    assertEquals("1", DoubleFormat.shortest(1.0));
    assertEquals("-3", DoubleFormat.shortest(-3.0));
    assertEquals("0", DoubleFormat.shortest(0.0));
    assertEquals("-0", DoubleFormat.shortest(-0.0));
    assertEquals("nan", DoubleFormat.shortest(Double.NaN));
    assertEquals("-inf", DoubleFormat.shortest(Double.NEGATIVE_INFINITY));
    // Plain decimals while the exponent is small (fpconv_dtoa's emit_digits).
    assertEquals("0.5", DoubleFormat.shortest(0.5));
    assertEquals("0.9998867657923256", DoubleFormat.shortest(0.9998867657923256));
    assertEquals("0.1", DoubleFormat.shortest(0.1));
    assertEquals("0.000001", DoubleFormat.shortest(1e-6));
    assertEquals("-2.25", DoubleFormat.shortest(-2.25));
    assertEquals("0.30000000000000004", DoubleFormat.shortest(0.1 + 0.2));
    // Scientific notation past them, the exponent without padding.
    assertEquals("1e-7", DoubleFormat.shortest(1e-7));
    assertEquals("1.5e-10", DoubleFormat.shortest(1.5e-10));
    assertEquals("1e+300", DoubleFormat.shortest(1e300));
    assertEquals("1.2345678901234567e+30", DoubleFormat.shortest(1.2345678901234567e30));
    assertEquals(0.2360680103302, Double.parseDouble(DoubleFormat.shortest(0.2360680103302)));
    // Shorter than Java 17's Double.toString (9.999999999999999E22).
    assertEquals("1e+23", DoubleFormat.shortest(1e23));
    // Integers only up to LLONG_MAX / 2, as Redis's double2ll.
    assertEquals("4611686018427387904", DoubleFormat.shortest(4.611686018427387904e18));
    assertEquals("5e+18", DoubleFormat.shortest(5e18));
  }
}
