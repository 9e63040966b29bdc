package io.toridb.core.string;

import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.string.StringTestSupport.EMPTY_BULK;
import static io.toridb.core.string.StringTestSupport.NOT_INTEGER;
import static io.toridb.core.string.StringTestSupport.SYNTAX;
import static io.toridb.core.string.StringTestSupport.putOther;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import io.toridb.core.config.Config;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LCS; the expected replies, RESP3 maps included, were produced by Redis 7.0.15. */
class LcsCommandTest {
  private static final String RNA1 =
      "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGG"
          + "CTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAG"
          + "GCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
  private static final String RNA2 =
      "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTG"
          + "TGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCG"
          + "TCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
  private static final String RNA_LCS =
      "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGC"
          + "TGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGG"
          + "CTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";

  private final CommandHarness h = new CommandHarness();

  private void setTexts() {
    h.call("SET", "a", "ohmytext");
    h.call("SET", "b", "mynewtext");
  }

  /** One match as Redis writes it: [[aStart,aEnd],[bStart,bEnd](,len)]. */
  private static String match(int a1, int a2, int b1, int b2, Integer len) {
    String s =
        (len == null ? "*2\r\n" : "*3\r\n")
            + "*2\r\n"
            + integer(a1)
            + integer(a2)
            + "*2\r\n"
            + integer(b1)
            + integer(b2);
    return len == null ? s : s + integer(len);
  }

  @Test
  void lcs_returnsTheSubsequence() {
    setTexts();
    assertEquals(bulk("mytext"), h.call("LCS", "a", "b"));
    assertEquals(bulk("mytext"), h.call3("lcs", "a", "b"));
  }

  @Test
  void lcs_len_returnsLength() {
    setTexts();
    assertEquals(integer(6), h.call("LCS", "a", "b", "LEN"));
    assertEquals(integer(6), h.call("LCS", "a", "b", "len", "len"));
  }

  @Test
  void lcs_idx_isFlatArrayInResp2AndMapInResp3() {
    setTexts();
    String body =
        "$7\r\nmatches\r\n*2\r\n"
            + match(4, 7, 5, 8, null)
            + match(2, 3, 0, 1, null)
            + "$3\r\nlen\r\n:6\r\n";
    assertEquals("*4\r\n" + body, h.call("LCS", "a", "b", "IDX"));
    assertEquals("%2\r\n" + body, h.call3("LCS", "a", "b", "IDX"));
  }

  @Test
  void lcs_idxWithMatchLen_addsLengths() {
    setTexts();
    String body =
        "$7\r\nmatches\r\n*2\r\n"
            + match(4, 7, 5, 8, 4)
            + match(2, 3, 0, 1, 2)
            + "$3\r\nlen\r\n:6\r\n";
    assertEquals("*4\r\n" + body, h.call("LCS", "a", "b", "IDX", "WITHMATCHLEN"));
    assertEquals("%2\r\n" + body, h.call3("LCS", "a", "b", "IDX", "WITHMATCHLEN"));
  }

  @Test
  void lcs_minMatchLen_filtersShortMatches() {
    setTexts();
    String expected =
        "*4\r\n$7\r\nmatches\r\n*1\r\n" + match(4, 7, 5, 8, 4) + "$3\r\nlen\r\n:6\r\n";
    assertEquals(expected, h.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"));
    // A negative minimum counts as zero.
    assertEquals(
        h.call("LCS", "a", "b", "IDX"), h.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "-4"));
  }

  @Test
  void lcs_longStrings_matchRedisTestSuite() {
    h.call("SET", "v1", RNA1);
    h.call("SET", "v2", RNA2);
    assertEquals(bulk(RNA_LCS), h.call("LCS", "v1", "v2"));
    assertEquals(integer(RNA_LCS.length()), h.call("LCS", "v1", "v2", "LEN"));
    String expected =
        "*4\r\n$7\r\nmatches\r\n*5\r\n"
            + match(238, 238, 239, 239, 1)
            + match(236, 236, 238, 238, 1)
            + match(229, 230, 236, 237, 2)
            + match(224, 224, 235, 235, 1)
            + match(1, 222, 13, 234, 222)
            + "$3\r\nlen\r\n:227\r\n";
    assertEquals(expected, h.call("LCS", "v1", "v2", "IDX", "WITHMATCHLEN"));
    assertEquals(
        "*4\r\n$7\r\nmatches\r\n*1\r\n" + match(1, 222, 13, 234, 222) + "$3\r\nlen\r\n:227\r\n",
        h.call("LCS", "v1", "v2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "5"));
  }

  @Test
  void lcs_missingKeys_actAsEmptyStrings() {
    setTexts();
    assertEquals(EMPTY_BULK, h.call("LCS", "a", "missing"));
    assertEquals(integer(0), h.call("LCS", "missing", "other", "LEN"));
    assertEquals(
        "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n",
        h.call3("LCS", "missing", "other", "IDX"));
  }

  @Test
  void lcs_sameKey_matchesWholeString() {
    setTexts();
    assertEquals(
        "*4\r\n$7\r\nmatches\r\n*1\r\n" + match(0, 7, 0, 7, 8) + "$3\r\nlen\r\n:8\r\n",
        h.call("LCS", "a", "a", "IDX", "WITHMATCHLEN"));
  }

  @Test
  void lcs_onIntegerValues_comparesDigits() {
    h.call("SET", "x", "12345");
    h.call("INCR", "x");
    h.call("SET", "y", "2346");
    assertEquals(bulk("2346"), h.call("LCS", "x", "y"));
  }

  @Test
  void lcs_onWrongType_returnsItsOwnErrorBeforeCheckingOptions() {
    setTexts();
    putOther(h, "list");
    String expected = error("ERR The specified keys must contain string values");
    assertEquals(expected, h.call("LCS", "a", "list"));
    assertEquals(expected, h.call("LCS", "list", "missing", "BOGUS"));
  }

  @Test
  void lcs_badOptions_returnErrors() {
    setTexts();
    assertEquals(SYNTAX, h.call("LCS", "a", "b", "FOO"));
    assertEquals(SYNTAX, h.call("LCS", "a", "b", "IDX", "MINMATCHLEN"));
    assertEquals(NOT_INTEGER, h.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "abc"));
    assertEquals(
        error("ERR If you want both the length and indexes, please just use IDX."),
        h.call("LCS", "a", "b", "LEN", "IDX"));
  }

  @Test
  void lcs_tableLargerThanProtoMaxBulkLen_isRefused() throws Exception {
    Config config = Config.standard();
    config.loadArgs(List.of("--proto-max-bulk-len", "1mb"));
    CommandHarness small = new CommandHarness(config);
    // (512+1) * (512+1) * 4 bytes is just over 1 MiB; 511 x 512 fits.
    small.call("SET", "a", "x".repeat(512));
    small.call("SET", "b", "x".repeat(512));
    small.call("SET", "c", "x".repeat(510));
    String tooBig =
        error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    assertEquals(tooBig, small.call("LCS", "a", "b"));
    assertEquals(tooBig, small.call("LCS", "a", "b", "LEN"));
    assertEquals(integer(510), small.call("LCS", "a", "c", "LEN"));
  }

  @Test
  void lcs_withWrongArity_returnsRedisError() {
    assertEquals(error("ERR wrong number of arguments for 'lcs' command"), h.call("LCS", "a"));
  }
}
