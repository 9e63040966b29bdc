package io.toridb.core.vector;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * FILTER expressions compiled and run on attribute texts. Expected results are Redis's: the last
 * group of tests restates the assertions of Redis's own vector set filter tests element by element.
 */
class VectorFilterTest {

  private static VectorFilter compile(String expr) {
    try {
      return VectorFilter.compile(expr.getBytes(UTF_8));
    } catch (VectorFilter.SyntaxError e) {
      throw new AssertionError("should compile: " + expr, e);
    }
  }

  private static boolean matches(String expr, String json) {
    return compile(expr).matches(json == null ? null : json.getBytes(UTF_8));
  }

  /** An expression without selectors, run on an empty object. */
  private static boolean holds(String expr) {
    return matches(expr, "{}");
  }

  private static int errorAt(String expr) {
    return errorAt(expr.getBytes(UTF_8));
  }

  private static int errorAt(byte[] expr) {
    return assertThrows(VectorFilter.SyntaxError.class, () -> VectorFilter.compile(expr))
        .position();
  }

  /** The 1-based numbers of the elements whose attributes match, as the Python tests count them. */
  private static List<Integer> matching(String expr, String... attributes) {
    VectorFilter f = compile(expr);
    List<Integer> hits = new ArrayList<>();
    for (int i = 0; i < attributes.length; i++) {
      if (f.matches(attributes[i] == null ? null : attributes[i].getBytes(UTF_8))) {
        hits.add(i + 1);
      }
    }
    return hits;
  }

  // --- operators -------------------------------------------------------------------------------

  @Test
  void arithmetic_computesInDoubles() {
    assertTrue(holds("1 + 2 == 3"));
    assertFalse(holds("1 + 2 == 4"));
    assertTrue(holds("5 - 7 == -2"));
    assertTrue(holds("6 * 7 == 42"));
    assertTrue(holds("7 / 2 == 3.5"));
    assertTrue(holds("7 % 3 == 1"));
    assertTrue(holds("-7 % 3 == -1"));
    assertTrue(holds("5.5 % 2 == 1.5"));
    assertTrue(holds("2 ** 10 == 1024"));
    assertTrue(holds("2 ** -1 == 0.5"));
    assertTrue(holds("2 ** 0.5 > 1.414 and 2 ** 0.5 < 1.415"));
    assertTrue(holds("1 ** (0 / 0) == 1"));
    assertTrue(holds("1.5e2 == 150 and 1. == 1 and 2E1 == 20"));
  }

  @Test
  void power_isRightAssociative_andBindsTighterThanProducts() {
    assertTrue(holds("2 ** 3 ** 2 == 512"));
    assertTrue(holds("(2 ** 3) ** 2 == 64"));
    assertTrue(holds("2 * 3 ** 2 == 18"));
    assertTrue(holds("!0 ** 2 == 1"));
  }

  @Test
  void precedence_followsRedisTable_andBinaryOperatorsAssociateLeft() {
    assertTrue(holds("1 + 2 * 3 == 7"));
    assertTrue(holds("(1 + 2) * 3 == 9"));
    assertTrue(holds("10 - 4 - 3 == 3"));
    assertTrue(holds("64 / 4 / 2 == 8"));
    // Comparisons share one level: (1 < 2) == 1, and (3 > 2) > 1.
    assertTrue(holds("1 < 2 == 1"));
    assertFalse(holds("3 > 2 > 1"));
    assertTrue(holds("1 or 0 and 0"));
    assertTrue(holds("0 and 0 or 1"));
    assertFalse(holds("0 and 1 or 0"));
    assertTrue(holds("1 || 0 && 0"));
    // Negation binds tightest: (not 0) == 1, (!1) + 1.
    assertTrue(holds("not 0 == 1"));
    assertTrue(holds("!1 + 1 == 1"));
    assertTrue(holds("!(1 == 2)"));
    assertTrue(holds("1 + 1 == 2 and 3 > 2"));
  }

  @Test
  void minus_isASignWhereAValueIsExpected_andSubtractsAfterAValue() {
    assertTrue(holds("-1 + 2 == 1"));
    assertTrue(holds("2 - -1 == 3"));
    assertTrue(holds("2--1 == 3"));
    assertTrue(holds("2-1 == 1"));
    assertTrue(holds("(3) -1 == 2"));
    assertTrue(holds("2*-1 == -2"));
    assertTrue(holds("2**-1 == 0.5"));
    assertTrue(matches(".a==-1", "{\"a\": -1}"));
    assertTrue(matches(".a<-1", "{\"a\": -2}"));
    assertEquals(0, errorAt("-(1)"));
  }

  @Test
  void notOperators_repeat_andMayEvenFollowTheirOperand() {
    assertTrue(holds("!!1"));
    assertFalse(holds("!!!1"));
    assertTrue(holds("not not 1"));
    // "not!" reads as "not" then "!": not (!0).
    assertFalse(holds("not!0"));
    assertTrue(holds("not!1"));
    assertFalse(holds("1 !"));
    assertTrue(holds("0 !"));
  }

  @Test
  void divisionAndModuloByZero_giveInfinityOrNaN_andNaNIsTrue() {
    assertTrue(holds("1 / 0 > 1e308"));
    assertTrue(holds("-1 / 0 < -1e308"));
    assertFalse(holds("0 / 0 == 0 / 0"));
    assertTrue(holds("0 / 0"));
    assertFalse(holds("1 % 0 == 1 % 0"));
    assertTrue(holds("1 % 0"));
    assertFalse(holds("(1 / 0) % 2 == (1 / 0) % 2"));
    assertFalse(holds("0 / 0 > 0 or 0 / 0 <= 0"));
  }

  // --- types and coercions ---------------------------------------------------------------------

  @Test
  void ordering_readsBothSidesAsNumbers() {
    assertTrue(holds("\"10\" > 9"));
    assertTrue(holds("\"abc\" < 1"));
    assertFalse(holds("\"b\" > \"a\""));
    assertTrue(holds("\"b\" >= \"a\""));
    assertTrue(holds("null < 1"));
    assertTrue(holds("[5] <= 0"));
    assertTrue(holds("\"-2.5e1\" < -20"));
  }

  @Test
  void equality_comparesStringsAsBytes_numbersAsValues_nullOnlyWithNull_restAsNumbers() {
    assertTrue(holds("\"b\" == 'b'"));
    assertFalse(holds("\"abc\" == \"ABC\""));
    assertTrue(holds("\"b\" != \"a\""));
    assertFalse(holds("\"5\" == \"5.0\""));
    assertTrue(holds("\"5\" == 5"));
    assertTrue(holds("5 == \"5.0\""));
    assertTrue(holds("\"abc\" == 0"));
    assertTrue(holds("\"\" == 0"));
    assertTrue(holds("null == null"));
    assertFalse(holds("null == 0"));
    assertFalse(holds("null == \"\""));
    assertTrue(holds("null != 0"));
    assertTrue(holds("[1] == [2]"));
    assertTrue(holds("[1] == 0"));
    assertTrue(holds("\"nan\" == \"nan\""));
    assertFalse(holds("\"nan\" + 0 == \"nan\" + 0"));
  }

  @Test
  void stringsAsNumbers_areReadByStrtod_wholeOrNotAtAll() {
    assertTrue(holds("\" 5\" == 5"));
    assertFalse(holds("\"5 \" == 5"));
    assertTrue(holds("\"0x10\" == 16"));
    assertTrue(holds("\"0x1p4\" == 16"));
    assertTrue(holds("\"1e3\" == 1000"));
    assertTrue(holds("\"+7\" == 7"));
    assertTrue(holds("\".5\" == 0.5"));
    assertTrue(holds("\"inf\" > 1e308"));
    assertTrue(holds("\"-Infinity\" < -1e308"));
    assertFalse(holds("\"1e\" == 1"));
    assertTrue(holds("\"12abc\" == 0"));
    // A string of 256 bytes or more is never read as a number.
    String zeros = "0".repeat(254);
    assertTrue(holds("\"" + zeros + "1\" == 1"));
    assertTrue(holds("\"" + zeros + "01\" == 0"));
  }

  @Test
  void truth_isFalseForZeroEmptyStringAndNull_only() {
    assertFalse(holds("0"));
    assertFalse(holds("-0"));
    assertTrue(holds("1"));
    assertTrue(holds("-0.5"));
    assertFalse(holds("\"\""));
    assertTrue(holds("\"0\""));
    assertFalse(holds("null"));
    assertTrue(holds("[]"));
    assertTrue(holds("[0]"));
    assertFalse(matches(".s", "{\"s\": \"\"}"));
    assertTrue(matches(".s", "{\"s\": \" \"}"));
    assertTrue(matches(".a", "{\"a\": []}"));
  }

  // --- in --------------------------------------------------------------------------------------

  @Test
  void in_withTuple_testsMembershipByEquality() {
    assertTrue(holds("2 in [1, 2, 3]"));
    assertFalse(holds("4 in [1, 2, 3]"));
    assertTrue(holds("\"b\" in [\"a\", 'b']"));
    assertTrue(holds("\"2\" in [1, 2]"));
    assertTrue(holds("2 in [\"2\"]"));
    assertFalse(holds("null in [0]"));
    assertFalse(holds("1 in []"));
    assertTrue(holds("1 in [1,]"));
    assertTrue(holds("-1 in [ -1 , 2 ]"));
    assertTrue(matches("\"new\" in .tags", "{\"tags\": [\"sale\", \"new\"]}"));
    assertFalse(matches("\"old\" in .tags", "{\"tags\": [\"sale\", \"new\"]}"));
    assertTrue(matches(".n in [1, 5]", "{\"n\": 5}"));
    assertTrue(matches("null in .a", "{\"a\": [1, null]}"));
  }

  @Test
  void in_betweenStrings_isSubstringSearch_andFalseForOtherKinds() {
    assertTrue(holds("\"lic\" in \"Alice\""));
    assertTrue(holds("\"Alice\" in \"Alice\""));
    assertFalse(holds("\"Alicee\" in \"Alice\""));
    assertTrue(holds("\"\" in \"\""));
    assertTrue(holds("\"\" in \"x\""));
    assertFalse(holds("\"x\" in \"\""));
    assertFalse(holds("1 in \"1\""));
    assertFalse(holds("\"1\" in 1"));
    assertFalse(holds("null in null"));
    assertTrue(matches("\"ork\" in .city", "{\"city\": \"New York\"}"));
  }

  // --- string literals -------------------------------------------------------------------------

  @Test
  void stringLiterals_takeEitherQuote_andBackslashMakesTheNextCharacterLiteral() {
    assertTrue(holds("\"a\\\"b\" == 'a\"b'"));
    assertTrue(holds("'O\\'Brien' == \"O'Brien\""));
    assertTrue(holds("\"x\\\\y\" == 'x\\\\y'"));
    assertTrue(holds("\"\\q\" == \"q\""));
    assertTrue(matches(".s == \"l1\\nl2\"", "{\"s\": \"l1\\nl2\"}"));
    assertTrue(matches(".s == \"a\\tb\\rc\"", "{\"s\": \"a\\tb\\rc\"}"));
    assertTrue(matches(".s == \"x\\\\y\"", "{\"s\": \"x\\\\y\"}"));
    assertFalse(matches(".s == \"x\\\\y\"", "{\"s\": \"xy\"}"));
    assertTrue(holds("\"\\\"\" in [\"a\", \"\\\"\"]"));
  }

  // --- reading JSON ----------------------------------------------------------------------------

  @Test
  void jsonValues_becomeNumbersStringsTuplesAndNull() {
    assertTrue(matches(".n == 150", "{\"n\": 1.5e2}"));
    assertTrue(matches(".n == 5", "{\"n\": +5}"));
    assertTrue(matches(".n == -0.5", "{\"n\":-0.5}"));
    assertTrue(matches(".n > 1e308", "{\"n\": 1e400}"));
    assertTrue(matches(".s == \"x\"", "{\"s\": \"x\"}"));
    assertTrue(matches(".t == 1", "{\"t\": true}"));
    assertTrue(matches(".f == 0", "{\"f\": false}"));
    assertTrue(matches("!.f", "{\"f\": false}"));
    assertTrue(matches(".z == null", "{\"z\": null}"));
    assertFalse(matches(".z", "{\"z\": null}"));
    assertTrue(matches("!.z", "{\"z\": null}"));
    String a = "{\"a\": [1, \"x\", true, null]}";
    assertTrue(matches("1 in .a", a));
    assertTrue(matches("\"x\" in .a", a));
    assertTrue(matches("null in .a", a));
    assertFalse(matches("2 in .a", a));
  }

  @Test
  void jsonStrings_decodeTheirEscapes_andKeepUnicodeEscapesAsLetters() {
    assertTrue(matches(".s == 'a\"b\\\\c\\nd'", "{\"s\": \"a\\\"b\\\\c\\nd\"}"));
    assertTrue(matches(".s == \"a/b\"", "{\"s\": \"a\\/b\"}"));
    assertTrue(matches(".u == \"u00e9\"", "{\"u\": \"\\u00e9\"}"));
    assertTrue(matches(".s == \"é\"", "{\"s\": \"é\"}"));
    // Keys are compared as written, escapes and all.
    assertFalse(matches(".ab", "{\"a\\u0062\": 1}"));
  }

  @Test
  void nestedArrays_readAsTuplesThatCountAsZero() {
    String json = "{\"a\": [[1, 2], 3, [[]]]}";
    assertTrue(matches("3 in .a", json));
    assertTrue(matches("0 in .a", json));
    assertFalse(matches("1 in .a", json));
    assertFalse(matches(".a", "{\"a\": [[1, {}]]}"));
  }

  @Test
  void objectsAndUnreadableValues_makeTheElementNotMatch_evenUnderNot() {
    assertFalse(matches(".o", "{\"o\": {\"x\": 1}}"));
    assertFalse(matches("!.o", "{\"o\": {\"x\": 1}}"));
    assertFalse(matches(".a", "{\"a\": [{\"x\": 1}]}"));
    assertFalse(matches("!.n", "{\"n\": 1e}"));
    assertFalse(matches("!.n", "{\"n\": 1-2}"));
    assertFalse(matches("!.n", "{\"n\": .5}"));
    assertFalse(matches("!.t", "{\"t\": truex}"));
    assertTrue(matches(".t", "{\"t\":true}"));
    assertFalse(matches("!.s", "{\"s\": \"unterminated}"));
    assertFalse(matches("!.a", "{\"a\": [1, 2}"));
    assertFalse(matches("!.a", "{\"a\": [1,]}"));
    assertFalse(matches("!.a", "{\"a\": [1 2]}"));
  }

  @Test
  void missingFieldsAndInvalidAttributes_neverMatch() {
    assertFalse(matches(".x == 1", "{\"a\": 1}"));
    assertFalse(matches("!.x", "{\"a\": 1}"));
    assertFalse(matches(".x or 1", "{\"a\": 1}"));
    assertFalse(matches("!.x", "invalid json"));
    assertFalse(matches("!.x", "{{invalid json}}"));
    assertFalse(matches("!.x", "[1]"));
    assertFalse(matches("!.x", ""));
    assertFalse(matches("!.x", "{}"));
    assertFalse(matches(".a == 1", null));
    assertFalse(matches("1", null));
  }

  @Test
  void fieldsAreSought_asRedisDoes_withFirstKeyWinning_andNothingPastWhatIsNeeded() {
    assertTrue(matches(".a == 1", "{\"a\": 1, \"a\": 2}"));
    assertTrue(matches(".a == 1", " \n{ \"a\" : 1 "));
    assertTrue(matches(".a == 1", "{\"a\": 1, \"b\": {bad"));
    assertFalse(matches(".b", "{\"a\": 1, \"b\": {bad"));
    assertTrue(matches(".a == 1", "{\"a\":1,}"));
    assertFalse(matches(".b", "{\"a\":1,}"));
    assertTrue(matches(".n == 5", "{\"n\": 5x}"));
    // Skipped values: brackets of the value's own kind are counted outside strings.
    assertTrue(
        matches(".b == 2", "{\"o\": {\"a\": 9, \"s\": \"}\"}, \"a\": [1, \"]\"], \"b\": 2}"));
    // Skipped literals are not checked for a delimiter; what follows them then breaks the walk.
    assertFalse(matches(".y", "{\"x\": truex, \"y\": 1}"));
    assertTrue(matches(".y == 1", "{\"x\": true, \"y\": 1}"));
    assertTrue(matches(".a > 1 and .a < 3 and .b == 'x'", "{\"b\": \"x\", \"a\": 2}"));
  }

  @Test
  void expressionsWithoutSelectors_doNotLookAtTheAttributes() {
    assertTrue(matches("1 + 1 == 2", "not json"));
    assertFalse(matches("1 + 1 == 3", "{}"));
  }

  // --- syntax errors ---------------------------------------------------------------------------

  @Test
  void tokenizingErrors_areReportedWhereReadingStopped() {
    assertEquals(6, errorAt(".a == @"));
    assertEquals(4, errorAt(".a = 1"));
    assertEquals(15, errorAt(".active == true"));
    assertEquals(9, errorAt(".a == nul"));
    assertEquals(12, errorAt("(.a == null)"));
    assertEquals(2, errorAt("1e-5 > 0"));
    assertEquals(5, errorAt("1.2.3"));
    assertEquals(4, errorAt("[1, x]"));
    assertEquals(3, errorAt("[1 2]"));
    assertEquals(5, errorAt("[1, 2"));
    assertEquals(1, errorAt("[null]"));
    assertEquals(10, errorAt("0.5 in [5e-1]"));
    assertEquals(0, errorAt(". 5"));
    assertEquals(3, errorAt("5 & 3"));
    assertEquals(3, errorAt("5 | 3"));
    assertEquals(4, errorAt("\"abc"));
    assertEquals(5, errorAt("'abc\\"));
    assertEquals(13, errorAt(".category === \"books\""));
    assertEquals(4, errorAt("notx"));
    assertEquals(5, errorAt("1 AND 1"));
    assertEquals(7, errorAt("1 == 1 ; 2"));
    assertEquals(3, errorAt(".a € 1"));
    assertEquals(255, errorAt("1".repeat(300)));
  }

  @Test
  void arrangementErrors_areReportedAtZero() {
    assertEquals(0, errorAt(""));
    assertEquals(0, errorAt("   "));
    assertEquals(0, errorAt("1 +"));
    assertEquals(0, errorAt("(1 + 2"));
    assertEquals(0, errorAt("1 + 2)"));
    assertEquals(0, errorAt("1 2"));
    assertEquals(0, errorAt(".a .b"));
    assertEquals(0, errorAt("()"));
    assertEquals(0, errorAt("!"));
    assertEquals(0, errorAt("* 2"));
    assertEquals(0, errorAt("2 ** "));
  }

  @Test
  void oddButValidForms_compileAsInRedis() {
    assertTrue(holds("() 1"));
    assertTrue(holds("1 in [1,]"));
    assertTrue(holds("1 == 1andnot 0"));
    assertTrue(holds("\"a\"in[\"a\"]"));
    assertTrue(holds("1".repeat(255) + " > 0"));
  }

  @Test
  void theExpressionEndsAtItsFirstNulByte() {
    byte[] expr = "1 == 1\0 garbage (".getBytes(UTF_8);
    assertDoesNotThrowAndMatches(expr);
    assertEquals(0, errorAt("1 ==\0 1".getBytes(UTF_8)));
    assertEquals(2, errorAt("\"a\0\"".getBytes(UTF_8)));
  }

  private static void assertDoesNotThrowAndMatches(byte[] expr) {
    try {
      assertTrue(VectorFilter.compile(expr).matches("{}".getBytes(UTF_8)));
    } catch (VectorFilter.SyntaxError e) {
      throw new AssertionError(e);
    }
  }

  // --- limits and reuse ------------------------------------------------------------------------

  @Test
  void deepNestingAndLongChains_needNoRecursion() {
    int n = 20_000;
    assertTrue(holds("(".repeat(n) + "1" + ")".repeat(n)));
    assertTrue(holds("!".repeat(n) + "1"));
    assertTrue(holds("1" + " + 1".repeat(n) + " == " + (n + 1)));
    assertTrue(holds("2" + " ** 1".repeat(n) + " == 2"));
    String deep = "{\"a\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertTrue(matches(".a", deep));
    assertTrue(matches("0 in .a", deep));
  }

  @Test
  void oneCompiledFilter_givesTheSameAnswersFromManyThreads() {
    VectorFilter f = compile(".n % 3 == 0 and \"x\" in .s");
    byte[][] docs =
        IntStream.range(0, 20_000)
            .mapToObj(i -> ("{\"n\": " + i + ", \"s\": \"" + (i % 2 == 0 ? "xy" : "y") + "\"}"))
            .map(s -> s.getBytes(UTF_8))
            .toArray(byte[][]::new);
    long expected = IntStream.range(0, docs.length).filter(i -> i % 6 == 0).count();
    long sequential = IntStream.range(0, docs.length).filter(i -> f.matches(docs[i])).count();
    long parallel =
        IntStream.range(0, docs.length).parallel().filter(i -> f.matches(docs[i])).count();
    assertEquals(expected, sequential);
    assertEquals(expected, parallel);
  }

  // --- Redis's tests: filter_expr.py -----------------------------------------------------------

  private static final String[] PEOPLE = {
    "{\"age\": 25, \"name\": \"Alice\", \"active\": true, \"scores\": [85, 90, 95],"
        + " \"city\": \"New York\"}",
    "{\"age\": 30, \"name\": \"Bob\", \"active\": false, \"scores\": [70, 75, 80],"
        + " \"city\": \"Boston\"}",
    "{\"age\": 35, \"name\": \"Charlie\", \"scores\": [60, 65, 70], \"city\": \"Seattle\"}",
    null,
    "invalid json"
  };

  @Test
  void redisFilterExpr_comparisonsLogicAndIn() {
    assertEquals(List.of(1), matching(".age == 25", PEOPLE));
    assertEquals(List.of(2, 3), matching(".age > 25", PEOPLE));
    assertEquals(List.of(1, 2), matching(".age <= 30", PEOPLE));
    assertEquals(List.of(1), matching(".name == \"Alice\"", PEOPLE));
    assertEquals(List.of(2, 3), matching(".name != \"Alice\"", PEOPLE));
    assertEquals(List.of(1), matching(".active", PEOPLE));
    assertEquals(List.of(1), matching(".age > 20 and .age < 30", PEOPLE));
    assertEquals(List.of(1), matching(".age < 30 or .age > 35", PEOPLE));
    assertEquals(List.of(2, 3), matching("!(.age == 25)", PEOPLE));
    assertEquals(List.of(1, 3), matching(".age in [25, 35]", PEOPLE));
    assertEquals(List.of(1), matching(".name in [\"Alice\", \"David\"]", PEOPLE));
  }

  @Test
  void redisFilterExpr_substrings() {
    assertEquals(List.of(1), matching("\"lic\" in .name", PEOPLE));
    assertEquals(List.of(1), matching("\"ork\" in .city", PEOPLE));
    assertEquals(List.of(), matching("\"xyz\" in .name", PEOPLE));
    assertEquals(List.of(1), matching("\"Ali\" in .name", PEOPLE));
    assertEquals(List.of(1), matching("\"ice\" in .name", PEOPLE));
    assertEquals(List.of(1), matching("\"Alice\" in .name", PEOPLE));
    assertEquals(List.of(1), matching("\"A\" in .name", PEOPLE));
    assertEquals(List.of(1, 2, 3), matching("\"\" in .name", PEOPLE));
    assertEquals(List.of(), matching(".name in \"\"", PEOPLE));
    assertEquals(List.of(1, 2, 3), matching("\"\" in .name && \"\" in \"\"", PEOPLE));
  }

  @Test
  void redisFilterExpr_arithmeticMissingFieldsAndGrouping() {
    assertEquals(List.of(3), matching(".age + 10 > 40", PEOPLE));
    assertEquals(List.of(3), matching(".age * 2 > 60", PEOPLE));
    assertEquals(List.of(1), matching(".age / 5 == 5", PEOPLE));
    assertEquals(List.of(2), matching(".age % 2 == 0", PEOPLE));
    assertEquals(List.of(3), matching(".age ** 2 > 900", PEOPLE));
    assertEquals(List.of(), matching(".missing_field == \"value\"", PEOPLE));
    assertEquals(List.of(), matching(".any_field", PEOPLE));
    assertEquals(
        List.of(1, 2),
        matching(
            "(.age > 20 and .age < 40) and (.city == \"Boston\" or .city == \"New York\")",
            PEOPLE));
    assertEquals(List.of(3), matching(".age > (20 + 10)", PEOPLE));
    assertEquals(List.of(1, 2, 3), matching(".scores", PEOPLE));
  }

  // --- Redis's tests: filter_string_escape.py and filter_double_not.py --------------------------

  @Test
  void redisFilterStringEscape() {
    String[] items = {
      "{\"dq\": \"a\\\"b\", \"sq\": \"O'Brien\", \"bs\": \"x\\\\y\", \"nl\": \"l1\\nl2\"}",
      "{\"dq\": \"ab\", \"sq\": \"OBrien\", \"bs\": \"xy\", \"nl\": \"l1l2\"}"
    };
    assertEquals(List.of(1), matching(".dq == \"a\\\"b\"", items));
    assertEquals(List.of(1), matching(".sq == 'O\\'Brien'", items));
    assertEquals(List.of(1), matching(".bs == \"x\\\\y\"", items));
    assertEquals(List.of(1), matching(".nl == \"l1\\nl2\"", items));
    assertEquals(List.of(1), matching("\"\\\"b\" in .dq", items));
    assertEquals(List.of(1), matching(".dq in [\"zzz\", \"a\\\"b\"]", items));
    assertEquals(List.of(1), matching("'a\"b' == .dq", items));
    assertEquals(List.of(1), matching(".sq == \"O'Brien\"", items));
  }

  @Test
  void redisFilterDoubleNot() {
    String[] items = {"{\"active\": true, \"n\": 5}", "{\"active\": false, \"n\": 0}"};
    assertEquals(List.of(1), matching("!!.active", items));
    assertEquals(List.of(1), matching("not not .active", items));
    assertEquals(List.of(2), matching("!!!.active", items));
    assertEquals(List.of(1), matching("!!.n == 1", items));
    assertEquals(List.of(1, 2), matching("!.active or !!.active", items));
    assertEquals(List.of(1), matching(".n > 1 and not not .active", items));
  }

  // --- Redis's tests: filter_int.py, on a fixed sample of its generated attributes ---------------

  private static final String[] PRODUCTS = {
    "{\"id\": 0, \"category\": \"electronics\", \"location\": \"Tokyo\", \"price\": 1299.99,"
        + " \"year\": 2021, \"in_stock\": true, \"rating\": 4.5, \"views\": 1500,"
        + " \"tags\": [\"sale\", \"new\"], \"is_premium\": true,"
        + " \"special_features\": [\"premium\", \"warranty\", \"support\"],"
        + " \"subcategory\": \"phones\", \"promotion\": \"discount\"}",
    "{\"id\": 1, \"category\": \"furniture\", \"location\": \"Paris\", \"price\": 150.0,"
        + " \"year\": 2005, \"in_stock\": false, \"rating\": 3.2, \"views\": 40, \"tags\": [],"
        + " \"subcategory\": \"chairs\"}",
    "{\"id\": 2, \"category\": \"books\", \"location\": \"London\", \"year\": 2015,"
        + " \"in_stock\": true, \"rating\": 4.9, \"views\": 2000, \"tags\": [\"popular\"]}",
    "{{invalid json}}",
    "{\"id\": 4, \"category\": \"clothing\", \"location\": \"Berlin\", \"price\": 45.5,"
        + " \"year\": 2012, \"in_stock\": true, \"rating\": 2.0, \"views\": 1200,"
        + " \"tags\": [\"clearance\"], \"subcategory\": \"shoes\"}"
  };

  @Test
  void redisFilterInt_basicAndSelectivityFilters() {
    assertEquals(List.of(1), matching(".category == \"electronics\"", PRODUCTS));
    assertEquals(List.of(1), matching(".price > 1000", PRODUCTS));
    assertEquals(List.of(1, 3, 5), matching(".in_stock", PRODUCTS));
    assertEquals(List.of(1, 3), matching(".rating >= 4", PRODUCTS));
    assertEquals(List.of(), matching(".category == \"electronics\" and .price < 500", PRODUCTS));
    assertEquals(List.of(1), matching(".is_premium", PRODUCTS));
    assertEquals(List.of(2), matching(".price > 100 and .price < 1000", PRODUCTS));
    assertEquals(List.of(1, 2, 3, 5), matching(".year > 2000", PRODUCTS));
    assertEquals(List.of(1), matching(".category == \"electronics\" and .price > 200", PRODUCTS));
    assertEquals(List.of(), matching(".category == \"nonexistent_category\"", PRODUCTS));
  }

  @Test
  void redisFilterInt_complexFilters_failWhereAFieldTheyReadIsMissing() {
    assertEquals(
        List.of(1, 2),
        matching(
            ".price > 100 and (.category == \"electronics\" or .category == \"furniture\")",
            PRODUCTS));
    // Item 3 has a high rating and stock but no price, which fails the whole expression.
    assertEquals(
        List.of(1, 5),
        matching("(.rating > 4 and .in_stock) or (.price < 50 and .views > 1000)", PRODUCTS));
    assertEquals(
        List.of(1),
        matching(
            ".category in [\"electronics\", \"clothing\"] and .price > 200 and .rating >= 3",
            PRODUCTS));
    assertEquals(
        List.of(1),
        matching(
            "(.category == \"electronics\" and .subcategory == \"phones\") or (.category =="
                + " \"furniture\" and .price > 1000)",
            PRODUCTS));
    assertEquals(List.of(1), matching(".year > 2010 and !(.price < 100) and .in_stock", PRODUCTS));
  }

  @Test
  void redisFilterInt_attributeTypesAndLongExpressions() {
    assertEquals(List.of(1), matching(".price > 500", PRODUCTS));
    assertEquals(List.of(3), matching(".category == \"books\"", PRODUCTS));
    // An array against a tuple of strings: both count as 0 in the comparison, so every element
    // with tags matches, the empty array included.
    assertEquals(List.of(1, 2, 3, 5), matching(".tags in [\"sale\", \"new\"]", PRODUCTS));
    assertEquals(List.of(1, 3), matching(".rating * 2 > 8", PRODUCTS));
    String longExpr =
        String.join(
            " and ", IntStream.range(0, 10).mapToObj(i -> ".rating > " + (i / 10.0)).toList());
    assertEquals(List.of(1, 2, 3, 5), matching(longExpr, PRODUCTS));
    assertEquals(13, errorAt(".category === \"books\""));
  }

  @Test
  void redisFilterInt_selectivityByAge() {
    String[] ages =
        IntStream.range(0, 1000)
            .mapToObj(i -> "{\"age\": " + (i % 100 + 1) + "}")
            .toArray(String[]::new);
    for (int threshold : new int[] {1, 5, 10, 25, 50, 75, 99}) {
      assertEquals(threshold * 10, matching(".age <= " + threshold, ages).size());
    }
    String[] premium = {
      "{\"id\": 1, \"category\": \"premium\", \"quality\": 95}",
      "{\"id\": 2, \"category\": \"premium\", \"quality\": 90}",
      "{\"id\": 3, \"category\": \"basic\", \"quality\": 99}"
    };
    assertEquals(List.of(1), matching(".category == \"premium\" and .quality > 90", premium));
  }
}
