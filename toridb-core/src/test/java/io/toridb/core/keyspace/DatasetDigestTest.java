package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Test;

/** The expected digests are what Redis 7.0.15's DEBUG DIGEST and DIGEST-VALUE give. */
class DatasetDigestTest {
  private static final String ZEROS = "0000000000000000000000000000000000000000";

  private final CommandHarness h = new CommandHarness();

  private String dataset() {
    return DatasetDigest.ofKeyspace(h.server().keyspace());
  }

  private String value(int db, String key) {
    return DatasetDigest.ofValue(h.server().keyspace().db(db).peek(Key.of(key)));
  }

  @Test
  void emptyDataset_isFortyZeros() {
    assertEquals(ZEROS, dataset());
  }

  @Test
  void strings_matchRedis() {
    h.call("SET", "b", "hello");
    assertEquals("1b346184c7faff092e65a7f662afe61c40f98b9c", dataset());
    h.call("SET", "a", "1");
    h.call("SET", "c", "x", "EX", "100");
    h.call("SELECT", "1");
    h.call("SET", "a", "1");
    assertEquals("9094e0e9aef3940bb1e9f1781ebea45cbf77af92", dataset());
    assertEquals("b4fc66738120fba0b5aa500ab5c2bf89cea1c5da", value(0, "a"));
    assertEquals("36b23a1456b2dce2c3ed252c456761301dba8060", value(0, "b"));
    assertEquals("0745672cb1bf060476eedeb8a28f5ffe1ff5a2be", value(0, "c"));
    assertEquals("b4fc66738120fba0b5aa500ab5c2bf89cea1c5da", value(1, "a"));
    assertEquals(ZEROS, value(0, "nosuch"));
  }

  @Test
  void value_coversTheTextNotTheEncoding() {
    h.call("SET", "int", "12345");
    h.call("SET", "raw", "1234");
    h.call("APPEND", "raw", "5");
    assertEquals(value(0, "int"), value(0, "raw"));
  }

  @Test
  void dataset_dependsOnTheDatabaseButNotOnKeyOrder() {
    h.call("MSET", "x", "1", "y", "2");
    String before = dataset();
    h.call("DEL", "x", "y");
    h.call("MSET", "y", "2", "x", "1");
    assertEquals(before, dataset());
    h.call("MOVE", "x", "1");
    h.call("SELECT", "1");
    h.call("MOVE", "x", "0");
    assertEquals(before, dataset());
    h.call("SWAPDB", "0", "1");
    assertNotEquals(before, dataset());
  }

  @Test
  void expiry_changesTheDigestButNotItsTime() {
    h.call("SET", "k", "v", "EX", "100");
    String withTtl = value(0, "k");
    h.call("EXPIRE", "k", "5000");
    assertEquals(withTtl, value(0, "k"));
    h.call("PERSIST", "k");
    assertNotEquals(withTtl, value(0, "k"));
  }
}
