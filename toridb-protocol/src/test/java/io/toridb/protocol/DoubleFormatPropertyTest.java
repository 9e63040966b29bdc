package io.toridb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of {@link DoubleFormat} that hold for every finite double. */
class DoubleFormatPropertyTest {
  /** What %g prints: plain digits, or one digit, fraction and a two- or three-digit exponent. */
  private static final Pattern G_FORMAT =
      Pattern.compile("-?(?:(\\d+)(?:\\.(\\d*[1-9]))?|(\\d)(?:\\.(\\d*[1-9]))?e[+-]\\d{2,3})");

  @Property(tries = 3000, seed = "9001")
  void format_parsedBack_givesTheSameDouble(@ForAll("finiteDoubles") double d) {
    String text = DoubleFormat.format(d);
    assertEquals(
        Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(Double.parseDouble(text)));
  }

  @Property(tries = 3000, seed = "9002")
  void format_hasGShapeWithAtMostSeventeenSignificantDigits(@ForAll("finiteDoubles") double d) {
    String text = DoubleFormat.format(d);
    Matcher m = G_FORMAT.matcher(text);
    assertTrue(m.matches(), text);
    String digits =
        m.group(1) != null
            ? m.group(1) + (m.group(2) == null ? "" : m.group(2))
            : m.group(3) + (m.group(4) == null ? "" : m.group(4));
    String significant = digits.replaceFirst("^0+", "");
    if (text.contains("e") || !text.contains(".")) {
      // Plain integers may carry trailing zeros that are not significant digits.
      significant = significant.replaceFirst("0+$", "");
    }
    assertTrue(significant.length() <= 17, text);
  }

  @Provide
  Arbitrary<Double> finiteDoubles() {
    Arbitrary<Double> fromBits =
        Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite);
    return Arbitraries.oneOf(fromBits, Arbitraries.doubles(), Arbitraries.doubles().ofScale(3));
  }
}
