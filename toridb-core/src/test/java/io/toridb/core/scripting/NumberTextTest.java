package io.toridb.core.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Lua numbers as redis.call arguments: C's %.17g, as printf writes it. */
class NumberTextTest {
  @Test
  void formatsAsCDoes() {
    assertEquals("100", NumberText.format(100));
    assertEquals("-7", NumberText.format(-7));
    assertEquals("3.5", NumberText.format(3.5));
    assertEquals("0.10000000000000001", NumberText.format(0.1));
    assertEquals("0.33333333333333331", NumberText.format(1.0 / 3));
    assertEquals("1e+20", NumberText.format(1e20));
    assertEquals("1.5e-05", NumberText.format(1.5e-5));
    assertEquals("0.0001", NumberText.format(1e-4));
    assertEquals("12345678901234568", NumberText.format(12345678901234567.0));
    assertEquals("1.2345678901234568e+17", NumberText.format(123456789012345678.0));
    assertEquals("-0.5", NumberText.format(-0.5));
    assertEquals("0", NumberText.format(0));
    assertEquals("-0", NumberText.format(-0.0));
    assertEquals("inf", NumberText.format(Double.POSITIVE_INFINITY));
    assertEquals("-inf", NumberText.format(Double.NEGATIVE_INFINITY));
  }

  @Test
  void luaTostring_isPercentPoint14g() {
    assertEquals("0.0003", NumberText.format(0.0003, 14));
    assertEquals("0.3", NumberText.format(0.1 + 0.2, 14));
    assertEquals("0.33333333333333", NumberText.format(1.0 / 3, 14));
    assertEquals("1e+20", NumberText.format(1e20, 14));
    assertEquals("9.007199254741e+15", NumberText.format(Math.pow(2, 53), 14));
    assertEquals("99999999999999", NumberText.format(99999999999999.0, 14));
    assertEquals("1e+14", NumberText.format(1e14, 14));
    assertEquals("1.5e-07", NumberText.format(1.5e-7, 14));
  }
}
