package io.toridb.core.hash;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.hash.HashTestSupport.EMPTY_ARRAY;
import static io.toridb.core.hash.HashTestSupport.NULL3;
import static io.toridb.core.hash.HashTestSupport.WRONGTYPE;
import static io.toridb.core.hash.HashTestSupport.array;
import static io.toridb.core.hash.HashTestSupport.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HGET, HMGET, HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS and HGETALL. */
class HashReadCommandsTest {
  private final CommandHarness h = new CommandHarness();

  /** A hash with fields a=1, b=22, c="" in either encoding. */
  private void abc(boolean table) {
    h.call("HSET", "h", "a", "1", "b", "22", "c", "");
    if (table) {
      h.call("HSET", "h", "long", "x".repeat(65));
      h.call("HDEL", "h", "long");
      assertEquals(bulk("hashtable"), h.call("OBJECT", "ENCODING", "h"));
    } else {
      assertEquals(bulk("listpack"), h.call("OBJECT", "ENCODING", "h"));
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void hget_returnsValueOrNull(boolean table) {
    abc(table);
    assertEquals(bulk("22"), h.call("HGET", "h", "b"));
    assertEquals(bulk(""), h.call("HGET", "h", "c"));
    assertEquals(NIL, h.call("HGET", "h", "zz"));
    assertEquals(NULL3, h.call3("HGET", "h", "zz"));
    assertEquals(NIL, h.call("HGET", "nokey", "a"));
    assertEquals(NULL3, h.call3("HGET", "nokey", "a"));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void hmget_returnsOneReplyPerField(boolean table) {
    abc(table);
    assertEquals(array("1", null, "22", "1"), h.call("HMGET", "h", "a", "x", "b", "a"));
    assertEquals(array(null, null), h.call("HMGET", "nokey", "a", "b"));
    assertEquals("*2\r\n_\r\n$1\r\n1\r\n", h.call3("HMGET", "h", "x", "a"));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void hlen_hstrlen_hexists(boolean table) {
    abc(table);
    assertEquals(integer(3), h.call("HLEN", "h"));
    assertEquals(integer(2), h.call("HSTRLEN", "h", "b"));
    assertEquals(integer(0), h.call("HSTRLEN", "h", "c"));
    assertEquals(integer(0), h.call("HSTRLEN", "h", "zz"));
    assertEquals(integer(1), h.call("HEXISTS", "h", "c"));
    assertEquals(integer(0), h.call("HEXISTS", "h", "zz"));
  }

  @Test
  void counts_onMissingKey_areZero() {
    assertEquals(integer(0), h.call("HLEN", "nokey"));
    assertEquals(integer(0), h.call("HSTRLEN", "nokey", "f"));
    assertEquals(integer(0), h.call("HEXISTS", "nokey", "f"));
  }

  @Test
  void hstrlen_ofIntegerLikeValues_isTheirTextLength() {
    String[] values = {
      "-9223372036854775808", "9223372036854775807", "9223372036854775808", "", "0", "-1", "x"
    };
    for (String v : values) {
      h.call("HMSET", "h", "field", v);
      assertEquals(integer(v.length()), h.call("HSTRLEN", "h", "field"), v);
    }
  }

  @Test
  void hkeysHvalsHgetall_onListpack_followInsertionOrder() {
    h.call("HSET", "h", "z", "1", "a", "2", "m", "3");
    h.call("HSET", "h", "a", "changed");
    assertEquals(array("z", "a", "m"), h.call("HKEYS", "h"));
    assertEquals(array("1", "changed", "3"), h.call("HVALS", "h"));
    assertEquals(array("z", "1", "a", "changed", "m", "3"), h.call("HGETALL", "h"));
    assertEquals(map("z", "1", "a", "changed", "m", "3"), h.call3("HGETALL", "h"));
    assertEquals(array("z", "a", "m"), h.call3("HKEYS", "h"));
  }

  @Test
  void hgetall_onTable_returnsEveryPairOnce() {
    abc(true);
    String reply = h.call("HGETALL", "h");
    assertTrue(reply.startsWith("*6\r\n"), reply);
    for (String pair : new String[] {"$1\r\na\r\n$1\r\n1\r\n", "$1\r\nb\r\n$2\r\n22\r\n"}) {
      assertTrue(reply.contains(pair), reply);
    }
    assertTrue(h.call3("HGETALL", "h").startsWith("%3\r\n"));
  }

  @Test
  void getAll_onMissingKey_returnsEmptyAggregates() {
    assertEquals(EMPTY_ARRAY, h.call("HKEYS", "nokey"));
    assertEquals(EMPTY_ARRAY, h.call("HVALS", "nokey"));
    assertEquals(EMPTY_ARRAY, h.call("HGETALL", "nokey"));
    assertEquals(EMPTY_ARRAY, h.call3("HKEYS", "nokey"));
    assertEquals("%0\r\n", h.call3("HGETALL", "nokey"));
  }

  @Test
  void reads_onWrongType_returnWrongtype() {
    h.call("SET", "s", "x");
    for (String[] cmd :
        new String[][] {
          {"HGET", "s", "f"},
          {"HMGET", "s", "f", "g"},
          {"HLEN", "s"},
          {"HSTRLEN", "s", "f"},
          {"HEXISTS", "s", "f"},
          {"HKEYS", "s"},
          {"HVALS", "s"},
          {"HGETALL", "s"},
          {"HRANDFIELD", "s"},
          {"HRANDFIELD", "s", "2"},
          {"HSCAN", "s", "0"}
        }) {
      assertEquals(WRONGTYPE, h.call(cmd), String.join(" ", cmd));
    }
  }

  @Test
  void reads_withWrongArity_returnRedisErrors() {
    assertEquals(arity("hget"), h.call("HGET", "h"));
    assertEquals(arity("hget"), h.call("HGET", "h", "a", "b"));
    assertEquals(arity("hmget"), h.call("HMGET", "h"));
    assertEquals(arity("hlen"), h.call("HLEN", "h", "x"));
    assertEquals(arity("hstrlen"), h.call("HSTRLEN", "h"));
    assertEquals(arity("hexists"), h.call("HEXISTS", "h"));
    assertEquals(arity("hkeys"), h.call("HKEYS"));
    assertEquals(arity("hvals"), h.call("HVALS", "h", "x"));
    assertEquals(arity("hgetall"), h.call("HGETALL"));
    assertEquals(arity("hrandfield"), h.call("HRANDFIELD"));
    assertEquals(arity("hscan"), h.call("HSCAN", "h"));
  }
}
