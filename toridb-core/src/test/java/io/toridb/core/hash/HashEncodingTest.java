package io.toridb.core.hash;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.encoding;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Test;

/**
 * OBJECT ENCODING of hashes: listpack while small, hashtable from the moment Redis converts, and
 * never back.
 */
class HashEncodingTest {
  private final CommandHarness h = new CommandHarness();

  private String objectEncoding(String key) {
    return h.call("OBJECT", "ENCODING", key);
  }

  @Test
  void smallHash_isListpack() {
    h.call("HSET", "h", "a", "1");
    assertEquals(bulk("listpack"), objectEncoding("h"));
  }

  @Test
  void entriesThreshold_convertsOnlyPastTheLimit() {
    assertEquals(OK, h.call("CONFIG", "SET", "hash-max-listpack-entries", "4"));
    h.call("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4");
    assertEquals("listpack", encoding(h, "h"));
    h.call("HSET", "h", "a", "changed");
    assertEquals("listpack", encoding(h, "h"));
    h.call("HSET", "h", "e", "5");
    assertEquals("hashtable", encoding(h, "h"));
  }

  @Test
  void defaultEntriesThreshold_is512() {
    for (int i = 0; i < 512; i++) {
      h.call("HSET", "h", "f" + i, "v");
    }
    assertEquals("listpack", encoding(h, "h"));
    h.call("HSETNX", "h", "f512", "v");
    assertEquals("hashtable", encoding(h, "h"));
  }

  @Test
  void longValueOrField_converts() {
    h.call("HSET", "v", "f", "x".repeat(64));
    assertEquals("listpack", encoding(h, "v"));
    h.call("HSET", "v", "f", "x".repeat(65));
    assertEquals("hashtable", encoding(h, "v"));
    h.call("HSET", "f", "x".repeat(65), "1");
    assertEquals("hashtable", encoding(h, "f"));
  }

  @Test
  void hset_checksEveryArgumentBeforeStoring() {
    // Redis checks all lengths first, so even an update of an existing field converts.
    h.call("HSET", "h", "a", "1");
    h.call("HSET", "h", "a", "2", "b", "y".repeat(100));
    assertEquals("hashtable", encoding(h, "h"));
  }

  @Test
  void hsetnx_onExistingField_doesNotConvert() {
    h.call("HSET", "h", "a", "1");
    h.call("HSETNX", "h", "a", "z".repeat(100));
    assertEquals("listpack", encoding(h, "h"));
    h.call("HSETNX", "h", "b", "z".repeat(100));
    assertEquals("hashtable", encoding(h, "h"));
  }

  @Test
  void hincrbyfloat_convertsOnResultOrFieldLength() {
    h.call("CONFIG", "SET", "hash-max-listpack-value", "8");
    h.call("HSET", "smallhash", "tmp", "0");
    h.call("HSET", "bighash", "tmp", "0");
    h.call("HINCRBYFLOAT", "smallhash", "tmp", "0.000005");
    h.call("HINCRBYFLOAT", "bighash", "tmp", "0.0000005");
    assertEquals("listpack", encoding(h, "smallhash"));
    assertEquals("hashtable", encoding(h, "bighash"));
    h.call("HINCRBYFLOAT", "f8", "abcdefgh", "1");
    h.call("HINCRBYFLOAT", "f9", "abcdefghi", "1");
    assertEquals("listpack", encoding(h, "f8"));
    assertEquals("hashtable", encoding(h, "f9"));
  }

  @Test
  void hincrby_convertsWhenTheResultGrowsTooLong() {
    h.call("CONFIG", "SET", "hash-max-listpack-value", "3");
    h.call("HINCRBY", "a", "abc", "100");
    assertEquals("listpack", encoding(h, "a"));
    h.call("HINCRBY", "a", "abc", "900");
    assertEquals("hashtable", encoding(h, "a"));
  }

  @Test
  void zeroEntriesLimit_makesEveryHashATable() {
    h.call("CONFIG", "SET", "hash-max-ziplist-entries", "0");
    h.call("HSET", "h", "a", "1");
    assertEquals("hashtable", encoding(h, "h"));
  }

  @Test
  void table_neverConvertsBack() {
    h.call("HSET", "h", "a", "x".repeat(100));
    h.call("HDEL", "h", "a");
    h.call("HSET", "h", "b", "1");
    h.call("HSET", "h", "a", "x".repeat(100));
    h.call("HDEL", "h", "a");
    assertEquals("hashtable", encoding(h, "h"));
    assertEquals(bulk("1"), h.call("HGET", "h", "b"));
  }

  @Test
  void copy_keepsTheEncodingAndIsIndependent() {
    h.call("HSET", "small", "a", "1");
    h.call("HSET", "big", "a", "x".repeat(100), "b", "2");
    h.call("COPY", "small", "small2");
    h.call("COPY", "big", "big2");
    assertEquals("listpack", encoding(h, "small2"));
    assertEquals("hashtable", encoding(h, "big2"));
    h.call("HSET", "small2", "a", "changed");
    h.call("HSET", "big2", "b", "changed");
    h.call("HDEL", "big2", "a");
    assertEquals(bulk("1"), h.call("HGET", "small", "a"));
    assertEquals(bulk("2"), h.call("HGET", "big", "b"));
    assertEquals(bulk("x".repeat(100)), h.call("HGET", "big", "a"));
  }
}
