package io.toridb.core.vector;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The vector-set commands through the executor: reply shapes in RESP2 and RESP3, Redis's error
 * texts for each bad input (and the connection going on after each), what is logged, and how
 * updates, attributes and removals change a set. Scores use vectors whose similarities are exact in
 * float arithmetic, so the expected texts are Redis's own.
 */
class VectorSetCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private static final String T = "#t\r\n";
  private static final String F = "#f\r\n";

  private void axes() {
    assertEquals(integer(1), h.call("VADD", "v", "VALUES", "3", "1", "0", "0", "x"));
    assertEquals(integer(1), h.call("VADD", "v", "VALUES", "3", "0", "1", "0", "y"));
    assertEquals(integer(1), h.call("VADD", "v", "VALUES", "3", "-1", "0", "0", "minus-x"));
  }

  @Test
  void vsim_ranksByCosineSimilarity_withScoresFromOneToZero() {
    axes();
    assertEquals(
        "*6\r\n" + bulk("x") + bulk("1") + bulk("y") + bulk("0.5") + bulk("minus-x") + bulk("0"),
        h.call("VSIM", "v", "VALUES", "3", "2", "0", "0", "WITHSCORES"));
    assertEquals("*2\r\n" + bulk("x") + bulk("y"), h.call("VSIM", "v", "ELE", "x", "COUNT", "2"));
    // EPSILON keeps distances (1 - similarity) up to it.
    assertEquals(
        "*2\r\n" + bulk("x") + bulk("y"),
        h.call("VSIM", "v", "VALUES", "3", "1", "0", "0", "EPSILON", "0.5"));
    assertEquals(
        "*2\r\n" + bulk("x") + bulk("y"),
        h.call("VSIM", "v", "VALUES", "3", "1", "0", "0", "TRUTH", "NOTHREAD", "COUNT", "2"));
  }

  @Test
  void vsim_inResp3_repliesWithMapsWhenAskedForScoresOrAttributes() {
    axes();
    h.call("VSETATTR", "v", "x", "{\"a\":1}");
    assertEquals(
        "%2\r\n" + bulk("x") + ",1\r\n" + bulk("y") + ",0.5\r\n",
        h.call3("VSIM", "v", "ELE", "x", "WITHSCORES", "COUNT", "2"));
    assertEquals(
        "%2\r\n" + bulk("x") + bulk("{\"a\":1}") + bulk("y") + "_\r\n",
        h.call3("VSIM", "v", "ELE", "x", "WITHATTRIBS", "COUNT", "2"));
    assertEquals(
        "%1\r\n" + bulk("x") + "*2\r\n,1\r\n" + bulk("{\"a\":1}"),
        h.call3("VSIM", "v", "ELE", "x", "WITHSCORES", "WITHATTRIBS", "COUNT", "1"));
    assertEquals(
        "*3\r\n" + bulk("x") + bulk("1") + bulk("{\"a\":1}"),
        h.call("VSIM", "v", "ELE", "x", "WITHSCORES", "WITHATTRIBS", "COUNT", "1"));
    assertEquals("*1\r\n" + bulk("x"), h.call3("VSIM", "v", "ELE", "x", "COUNT", "1"));
  }

  @Test
  void vadd_replacesAnExistingVector_andKeepsOrReplacesItsAttributes() {
    h.call("VADD", "v", "VALUES", "2", "1", "0", "a", "SETATTR", "{\"n\":1}");
    assertEquals(integer(0), h.call("VADD", "v", "VALUES", "2", "0", "1", "a"));
    assertEquals("*2\r\n" + bulk("0") + bulk("1"), h.call("VEMB", "v", "a"));
    assertEquals(bulk("{\"n\":1}"), h.call("VGETATTR", "v", "a"));
    assertEquals(integer(0), h.call("VADD", "v", "VALUES", "2", "0", "1", "a", "SETATTR", ""));
    assertEquals(NIL, h.call("VGETATTR", "v", "a"));
    assertEquals(integer(1), h.call("VCARD", "v"));
    assertTrue(h.call("VINFO", "v").contains("attributes-count\r\n:0\r\n"));
  }

  @Test
  void attributes_areSetReplacedAndRemoved() {
    axes();
    assertEquals(integer(1), h.call("VSETATTR", "v", "x", "{\"year\":1950}"));
    assertEquals(bulk("{\"year\":1950}"), h.call("VGETATTR", "v", "x"));
    assertTrue(h.call("VINFO", "v").contains("attributes-count\r\n:1\r\n"));
    assertEquals(integer(1), h.call("VSETATTR", "v", "x", ""));
    assertEquals(NIL, h.call("VGETATTR", "v", "x"));
    assertEquals(integer(0), h.call("VSETATTR", "v", "nope", "{}"));
    assertEquals(integer(0), h.call("VSETATTR", "missing", "x", "{}"));
    assertEquals(NIL, h.call("VGETATTR", "missing", "x"));
    assertTrue(h.call("VINFO", "v").contains("attributes-count\r\n:0\r\n"));
  }

  @Test
  void vrem_removesElements_andTheKeyWithTheLast() {
    h.call("VADD", "v", "VALUES", "2", "1", "0", "a");
    h.call("VADD", "v", "VALUES", "2", "0", "1", "b");
    assertEquals(integer(1), h.call("VREM", "v", "a"));
    assertEquals(integer(0), h.call("VREM", "v", "a"));
    assertEquals(integer(0), h.call("VISMEMBER", "v", "a"));
    assertEquals(integer(1), h.call("VISMEMBER", "v", "b"));
    assertEquals(integer(1), h.call("VREM", "v", "b"));
    assertEquals(integer(0), h.call("EXISTS", "v"));
    assertEquals(integer(0), h.call("VREM", "v", "b"));
    assertEquals(F, h.call3("VISMEMBER", "v2", "a"));
    assertEquals(T, h.call3("VADD", "v2", "VALUES", "1", "1", "a"));
    assertEquals(T, h.call3("VISMEMBER", "v2", "a"));
  }

  @Test
  void vemb_givesTheVectorBack_andRawItsStoredForm() {
    h.call("VADD", "v", "VALUES", "2", "3", "4", "a", "NOQUANT");
    assertEquals("*2\r\n" + bulk("3") + bulk("4"), h.call("VEMB", "v", "a"));
    // The normalized vector (0.6, 0.8) as little-endian float32, then the length.
    assertEquals(
        "*3\r\n+f32\r\n" + bulk("\u009a\u0099\u0019?\u00cd\u00ccL?") + bulk("5"),
        h.call("VEMB", "v", "a", "RAW"));
    h.call("VADD", "q", "VALUES", "2", "-2", "1", "a");
    // Q8: -127 and 0.4472136f * (127 / 0.8944272f) = 63.499996f, so 63; then length and range.
    String raw = h.call("VEMB", "q", "a", "RAW");
    assertTrue(
        raw.startsWith(
            "*4\r\n+int8\r\n"
                + bulk("\u0081?")
                + bulk("2.2360680103302")
                + bulk("0.8944271802902222")),
        raw);
    assertEquals(NIL, h.call("VEMB", "v", "nope"));
    assertEquals(NIL, h.call("VEMB", "missing", "a"));
    assertEquals(error("ERR invalid option"), h.call("VEMB", "v", "a", "FOO"));
  }

  @Test
  void vinfo_vdim_vcard_describeTheSet() {
    h.call("VADD", "v", "REDUCE", "2", "VALUES", "4", "1", "2", "3", "4", "a", "BIN", "M", "8");
    String info = h.call("VINFO", "v");
    assertTrue(info.startsWith("*18\r\n+quant-type\r\n+bin\r\n+hnsw-m\r\n:8\r\n"), info);
    assertTrue(
        info.contains("+vector-dim\r\n:2\r\n+projection-input-dim\r\n:4\r\n+size\r\n:1\r\n"));
    assertTrue(h.call3("VINFO", "v").startsWith("%9\r\n"));
    assertEquals(integer(2), h.call("VDIM", "v"));
    assertEquals(integer(1), h.call("VCARD", "v"));
    assertEquals(integer(0), h.call("VCARD", "missing"));
    assertEquals(error("ERR key does not exist"), h.call("VDIM", "missing"));
    assertEquals("*-1\r\n", h.call("VINFO", "missing"));
    assertEquals("_\r\n", h.call3("VINFO", "missing"));
  }

  @Test
  void reduce_projectsEveryInputTheSameWay() {
    h.call("VADD", "v", "REDUCE", "2", "VALUES", "4", "1", "2", "3", "5", "a", "NOQUANT");
    // Rows of the Hadamard pattern, scaled by 1/sqrt(4): (1+2+3+5)/2 and (1-2+3-5)/2.
    assertEquals("*2\r\n" + bulk("5.5") + bulk("-1.5"), h.call("VEMB", "v", "a"));
    assertEquals(
        integer(1),
        h.call("VADD", "v", "REDUCE", "2", "VALUES", "4", "1", "0", "0", "0", "b", "NOQUANT"));
    assertEquals(
        error("ERR Vector dimension mismatch - got 4 but set has 2"),
        h.call("VADD", "v", "VALUES", "4", "1", "0", "0", "0", "c", "NOQUANT"));
    assertEquals(
        error("ERR Input dimension mismatch for projection - got 3 but projection expects 4"),
        h.call("VSIM", "v", "VALUES", "3", "1", "0", "0"));
    assertEquals(
        error("ERR Input dimension mismatch for projection - got 3 but projection expects 4"),
        h.call("VADD", "v", "REDUCE", "2", "VALUES", "3", "1", "0", "0", "c", "NOQUANT"));
    assertEquals(
        "*1\r\n" + bulk("b"), h.call("VSIM", "v", "VALUES", "4", "1", "0", "0", "0", "COUNT", "1"));
  }

  @Test
  void badInputs_getRedisErrors_andTheSetIsUnchanged() {
    h.call("VADD", "v", "VALUES", "2", "1", "0", "a");
    String[][] cases = {
      {"ERR invalid vector specification", "VADD", "v", "VALUES", "3", "1", "0", "b"},
      {"ERR invalid vector specification", "VADD", "v", "VALUES", "x", "1", "b"},
      {"ERR invalid vector specification", "VADD", "v", "VALUES", "2", "1", "nan", "b"},
      {"ERR invalid vector specification", "VADD", "v", "FP32", "abc", "b"},
      {"ERR invalid vector specification", "VADD", "v", "BLOB", "abcd", "b"},
      {
        "ERR invalid vector specification", "VADD", "v", "REDUCE", "3", "VALUES", "2", "1", "0", "b"
      },
      {
        "ERR invalid vector specification", "VADD", "v", "REDUCE", "0", "VALUES", "2", "1", "0", "b"
      },
      {"ERR wrong number of arguments for 'vadd' command", "VADD", "v", "VALUES", "2", "1", "0"},
      {"ERR invalid option after element", "VADD", "v", "VALUES", "2", "1", "0", "b", "FOO"},
      {"ERR invalid option after element", "VADD", "v", "VALUES", "2", "1", "0", "b", "EF"},
      {"ERR invalid EF", "VADD", "v", "VALUES", "2", "1", "0", "b", "EF", "0"},
      {"ERR invalid EF", "VADD", "v", "VALUES", "2", "1", "0", "b", "EF", "1000001"},
      {"ERR invalid M", "VADD", "v", "VALUES", "2", "1", "0", "b", "M", "3"},
      {"ERR invalid M", "VADD", "v", "VALUES", "2", "1", "0", "b", "M", "4097"},
      {
        "ERR cannot add projection to existing set without projection",
        "VADD",
        "v",
        "REDUCE",
        "1",
        "VALUES",
        "2",
        "1",
        "0",
        "b"
      },
      {
        "ERR asked quantization mismatch with existing vector set",
        "VADD",
        "v",
        "VALUES",
        "2",
        "1",
        "0",
        "b",
        "NOQUANT"
      },
      {
        "ERR asked M value mismatch with existing vector set",
        "VADD",
        "v",
        "VALUES",
        "2",
        "1",
        "0",
        "b",
        "M",
        "32"
      },
      {
        "ERR Vector dimension mismatch - got 3 but set has 2",
        "VADD",
        "v",
        "VALUES",
        "3",
        "1",
        "0",
        "0",
        "b"
      },
      {
        "ERR Vector dimension mismatch - got 3 but set has 2",
        "VSIM",
        "v",
        "VALUES",
        "3",
        "1",
        "0",
        "0"
      },
      {"ERR element not found in set", "VSIM", "v", "ELE", "nope"},
      {"ERR invalid vector specification", "VSIM", "v", "VECTOR", "1"},
      {"ERR syntax error in VSIM command", "VSIM", "v", "ELE", "a", "FOO"},
      {"ERR syntax error in VSIM command", "VSIM", "v", "ELE", "a", "COUNT"},
      {"ERR invalid COUNT", "VSIM", "v", "ELE", "a", "COUNT", "0"},
      {"ERR invalid EPSILON", "VSIM", "v", "ELE", "a", "EPSILON", "-1"},
      {"ERR invalid EPSILON", "VSIM", "v", "ELE", "a", "EPSILON", "x"},
      {"ERR invalid EF", "VSIM", "v", "ELE", "a", "EF", "0"},
      {"ERR invalid FILTER-EF", "VSIM", "v", "ELE", "a", "FILTER-EF", "-5"},
      {"ERR syntax error in FILTER expression near: ", "VSIM", "v", "ELE", "a", "FILTER", ".a >"},
      {"ERR COUNT value is not an integer", "VRANDMEMBER", "v", "x"},
      {"ERR value is out of range", "VRANDMEMBER", "v", "-9223372036854775808"},
      {"ERR value is out of range", "VRANDMEMBER", "missing", "-9223372036854775808"},
      {"ERR invalid COUNT value", "VRANGE", "v", "-", "+", "x"},
      {"ERR invalid start range format", "VRANGE", "v", "a", "+"},
      {"ERR invalid end range format", "VRANGE", "v", "-", "["},
      {"ERR '-' can only be used as first argument, '+' only as second", "VRANGE", "v", "+", "+"},
      {"ERR wrong number of arguments for 'vlinks' command", "VLINKS", "v", "a", "FOO"},
    };
    for (String[] c : cases) {
      String reply = h.call(java.util.Arrays.copyOfRange(c, 1, c.length));
      assertTrue(reply.startsWith("-" + c[0]), String.join(" ", c) + " -> " + reply);
    }
    assertEquals(integer(1), h.call("VCARD", "v"));
    assertEquals(integer(2), h.call("VDIM", "v"));
    assertEquals(arity("vadd"), h.call("VADD", "v", "VALUES", "1"));
    assertEquals(arity("vsim"), h.call("VSIM", "v", "ELE"));
  }

  @Test
  void otherTypes_getWrongtype_andMissingKeysTheEmptyReplies() {
    h.call("SET", "s", "x");
    String wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    for (String[] c :
        new String[][] {
          {"VADD", "s", "VALUES", "1", "1", "a"},
          {"VSIM", "s", "ELE", "a"},
          {"VREM", "s", "a"},
          {"VCARD", "s"},
          {"VDIM", "s"},
          {"VEMB", "s", "a"},
          {"VINFO", "s"},
          {"VLINKS", "s", "a"},
          {"VSETATTR", "s", "a", "{}"},
          {"VGETATTR", "s", "a"},
          {"VRANDMEMBER", "s"},
          {"VISMEMBER", "s", "a"},
          {"VRANGE", "s", "-", "+"},
        }) {
      assertEquals(wrongtype, h.call(c), String.join(" ", c));
    }
    h.call("VADD", "v", "VALUES", "1", "1", "a");
    assertEquals(wrongtype, h.call("GET", "v"));
    assertEquals("+vectorset\r\n", h.call("TYPE", "v"));
    assertEquals("*0\r\n", h.call("VSIM", "missing", "VALUES", "nonsense"));
    assertEquals(NIL, h.call("VRANDMEMBER", "missing"));
    assertEquals("*0\r\n", h.call("VRANDMEMBER", "missing", "3"));
    assertEquals(NIL, h.call("VLINKS", "missing", "a"));
    assertEquals("*0\r\n", h.call("VRANGE", "missing", "-", "+"));
  }

  @Test
  void vrange_walksElementsInByteOrder() {
    for (String e : new String[] {"b", "a", "c", "ab", "\u00ff"}) {
      h.call("VADD", "v", "VALUES", "1", "1", e);
    }
    assertEquals(
        "*5\r\n" + bulk("a") + bulk("ab") + bulk("b") + bulk("c") + bulk("\u00ff"),
        h.call("VRANGE", "v", "-", "+"));
    assertEquals("*2\r\n" + bulk("ab") + bulk("b"), h.call("VRANGE", "v", "(a", "[b"));
    assertEquals("*1\r\n" + bulk("ab"), h.call("VRANGE", "v", "(a", "(b"));
    assertEquals("*2\r\n" + bulk("a") + bulk("ab"), h.call("VRANGE", "v", "-", "+", "2"));
    assertEquals("*5\r\n", h.call("VRANGE", "v", "-", "+", "-1").substring(0, 4));
    assertEquals("*0\r\n", h.call("VRANGE", "v", "-", "+", "0"));
  }

  @Test
  void vrandmember_returnsDistinctOrRepeatedElements() {
    for (int i = 0; i < 10; i++) {
      h.call("VADD", "v", "VALUES", "2", String.valueOf(i), "1", "e" + i);
    }
    assertEquals("*0\r\n", h.call("VRANDMEMBER", "v", "0"));
    String all = h.call("VRANDMEMBER", "v", "100");
    assertTrue(all.startsWith("*10\r\n"));
    for (int i = 0; i < 10; i++) {
      assertTrue(all.contains(bulk("e" + i)), all);
    }
    assertTrue(h.call("VRANDMEMBER", "v", "-25").startsWith("*25\r\n"));
    String two = h.call("VRANDMEMBER", "v", "2");
    assertTrue(two.startsWith("*2\r\n"));
    assertTrue(h.call("VRANDMEMBER", "v").startsWith("$2\r\ne"));
  }

  @Test
  void vlinks_showsEachLevelsNeighbours() {
    axes();
    String links = h.call("VLINKS", "v", "x");
    assertTrue(links.contains(bulk("y")) && links.contains(bulk("minus-x")), links);
    String scored = h.call("VLINKS", "v", "x", "WITHSCORES");
    assertTrue(scored.contains(bulk("y") + bulk("0.5")), scored);
    assertTrue(scored.contains(bulk("minus-x") + bulk("0")), scored);
  }

  @Test
  void writes_areLoggedAsGiven_andReadsNot() {
    List<String> effects = CommandHarness.captureEffects(h);
    h.call("VADD", "v", "VALUES", "1", "1", "a", "CAS");
    h.call("VADD", "v", "VALUES", "1", "2", "a");
    h.call("VSETATTR", "v", "a", "{}");
    h.call("VSIM", "v", "ELE", "a");
    h.call("VREM", "v", "nope");
    h.call("VREM", "v", "a");
    assertEquals(
        List.of("VADD v VALUES 1 1 a CAS", "VADD v VALUES 1 2 a", "VSETATTR v a {}", "VREM v a"),
        effects);
  }

  @Test
  void copy_andDigest_coverVectorSets() {
    axes();
    h.call("VSETATTR", "v", "x", "{\"k\":1}");
    assertEquals(integer(1), h.call("COPY", "v", "w"));
    h.call("VREM", "v", "x");
    assertEquals(integer(3), h.call("VCARD", "w"));
    assertEquals(bulk("{\"k\":1}"), h.call("VGETATTR", "w", "x"));
    assertEquals(bulk("raw"), h.call("OBJECT", "ENCODING", "w"));
  }

  @Test
  void filter_keepsOnlyElementsWhoseAttributesMatch() {
    for (int i = 0; i < 20; i++) {
      String attrs = i % 5 == 0 ? "" : "{\"year\":" + (1990 + i) + ",\"tag\":\"t" + (i % 2) + "\"}";
      h.call("VADD", "v", "VALUES", "2", "1", String.valueOf(i), "e" + i, "SETATTR", attrs);
    }
    assertEquals(
        "*3\r\n" + bulk("e19") + bulk("e18") + bulk("e17"),
        h.call("VSIM", "v", "VALUES", "2", "1", "100", "FILTER", ".year > 2006", "COUNT", "3"));
    String odd =
        h.call("VSIM", "v", "VALUES", "2", "1", "0", "FILTER", ".tag == \"t1\"", "COUNT", "20");
    assertTrue(odd.startsWith("*8\r\n"), odd);
    assertTrue(!odd.contains(bulk("e15")) && !odd.contains(bulk("e2")), odd);
    assertEquals(
        "*1\r\n" + bulk("e19"),
        h.call(
            "VSIM",
            "v",
            "VALUES",
            "2",
            "1",
            "100",
            "FILTER",
            ".year >= 2009",
            "TRUTH",
            "FILTER-EF",
            "5"));
    assertEquals(
        error("ERR syntax error in FILTER expression near: .year >)"),
        h.call("VSIM", "v", "ELE", "e1", "FILTER", ".year >)"));
  }

  @Test
  void nonFiniteComponents_doNotDisturbTheOtherElements() {
    axes();
    assertEquals(integer(1), h.call("VADD", "v", "VALUES", "3", "inf", "1", "1", "bad"));
    // Normalized to NaN: a Q8 range of 0 (as C's comparisons give), distance 1 to everything.
    assertEquals(
        "*8\r\n"
            + bulk("x")
            + bulk("1")
            + bulk("y")
            + bulk("0.5")
            + bulk("bad")
            + bulk("0.5")
            + bulk("minus-x")
            + bulk("0"),
        h.call("VSIM", "v", "VALUES", "3", "1", "0", "0", "WITHSCORES", "TRUTH"));
    String scores = h.call("VSIM", "v", "VALUES", "3", "inf", "0", "0", "WITHSCORES");
    assertTrue(scores.startsWith("*8\r\n"), scores);
    assertEquals(integer(4), h.call("VCARD", "v"));
  }

  @Test
  void reduce_refusesAProjectionPastItsLimit() {
    byte[] blob = new byte[4097 * 4];
    blob[0] = 0x3f;
    byte[][] argv = {
      "VADD".getBytes(),
      "big".getBytes(),
      "REDUCE".getBytes(),
      "4096".getBytes(),
      "FP32".getBytes(),
      blob,
      "e".getBytes()
    };
    assertEquals(error(VectorSetCommands.PROJECTION_TOO_LARGE), h.callBytes(argv));
    assertEquals(integer(0), h.call("EXISTS", "big"));
    argv[3] = "4095".getBytes();
    assertEquals(integer(1), h.callBytes(argv));
  }

  @Test
  void vrandmember_endsEvenWhenRandomWalksCannotReachEveryNode() {
    // Ten nodes without a single link, as a restored payload may hold them.
    java.util.List<Object> items =
        new java.util.ArrayList<>(java.util.List.of(2L, 10L, 4L << 8, 0L));
    for (long id = 1; id <= 10; id++) {
      items.add(("n" + id).getBytes());
      items.add(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0});
      items.addAll(java.util.List.of(6L, id, 1L << 24, 0L, 8L, 0L, 0x3f800000L));
    }
    int[] at = {0};
    VectorSet set =
        VectorSetCodec.read(
            new VectorSetCodec.Source() {
              @Override
              public long unsigned() {
                return (Long) items.get(at[0]++);
              }

              @Override
              public byte[] string() {
                return (byte[]) items.get(at[0]++);
              }
            });
    h.server().keyspace().db(0).put(io.toridb.core.keyspace.Key.of("u"), set);
    String two = h.call("VRANDMEMBER", "u", "2");
    assertTrue(two.startsWith("*2\r\n"), two);
    assertTrue(h.call("VRANDMEMBER", "u", "10").startsWith("*10\r\n"));
  }

  @Test
  void commandInfo_putsTheCommandsInTheVectorsetCategory() {
    String vcard = h.call("COMMAND", "INFO", "vcard");
    assertTrue(
        vcard.contains("@vectorset") && vcard.contains("@read") && vcard.contains("@fast"), vcard);
    String vadd = h.call("COMMAND", "INFO", "vadd");
    assertTrue(
        vadd.contains("@vectorset") && vadd.contains("@write") && vadd.contains("@slow"), vadd);
    String list = h.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "vectorset");
    assertTrue(list.startsWith("*13\r\n"), list);
  }

  @Test
  void truthWithFilter_returnsTheExactNearestMatchingElements() {
    java.util.Random r = new java.util.Random(17);
    int n = 300;
    double[][] vectors = new double[n][8];
    for (int i = 0; i < n; i++) {
      String[] args = new String[4 + 8 + 4];
      args[0] = "VADD";
      args[1] = "p";
      args[2] = "VALUES";
      args[3] = "8";
      for (int d = 0; d < 8; d++) {
        vectors[i][d] = (float) r.nextGaussian();
        args[4 + d] = Double.toString(vectors[i][d]);
      }
      args[12] = "e" + i;
      args[13] = "SETATTR";
      args[14] = "{\"n\":" + (i % 7) + ",\"s\":\"t" + (i % 3) + "\"}";
      args[15] = "NOQUANT";
      assertEquals(integer(1), h.call(args));
    }
    String[] filters = {".n > 3", ".s == \"t1\"", ".n in [1, 2] and .s != \"t0\"", "!(.n % 2)"};
    java.util.function.IntPredicate[] expected = {
      i -> i % 7 > 3,
      i -> i % 3 == 1,
      i -> (i % 7 == 1 || i % 7 == 2) && i % 3 != 0,
      i -> i % 7 % 2 == 0
    };
    for (int q = 0; q < 20; q++) {
      double[] query = new double[8];
      String[] args = new String[4 + 8 + 6];
      args[0] = "VSIM";
      args[1] = "p";
      args[2] = "VALUES";
      args[3] = "8";
      for (int d = 0; d < 8; d++) {
        query[d] = (float) r.nextGaussian();
        args[4 + d] = Double.toString(query[d]);
      }
      int f = q % filters.length;
      args[12] = "FILTER";
      args[13] = filters[f];
      args[14] = "COUNT";
      args[15] = "10";
      args[16] = "TRUTH";
      args[17] = "WITHSCORES";
      String reply = h.call(args);
      // Brute force in double precision.
      java.util.List<double[]> ranked = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (expected[f].test(i)) {
          ranked.add(new double[] {i, cosine(query, vectors[i])});
        }
      }
      ranked.sort((a, b) -> Double.compare(b[1], a[1]));
      String[] lines = reply.split("\r\n");
      assertEquals("*20", lines[0], reply);
      for (int k = 0; k < 10; k++) {
        String element = lines[2 + 4 * k];
        double score = Double.parseDouble(lines[4 + 4 * k]);
        double[] want = ranked.get(k);
        assertEquals((1 + want[1]) / 2, score, 1e-5, reply);
        if (!element.equals("e" + (int) want[0])) {
          // Only a near tie may swap places.
          assertEquals(ranked.get(k)[1], ranked.get(k + 1)[1], 1e-5, reply);
        }
      }
    }
  }

  private static double cosine(double[] a, double[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
