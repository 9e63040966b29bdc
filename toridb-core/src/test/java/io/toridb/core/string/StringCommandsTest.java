package io.toridb.core.string;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Test;

class StringCommandsTest {
  private final CommandHarness h = new CommandHarness();

  @Test
  void get_onMissingKey_returnsNull() {
    assertEquals(NIL, h.call("GET", "nope"));
    assertEquals("_\r\n", h.call3("GET", "nope"));
  }

  @Test
  void set_thenGet_returnsValue() {
    assertEquals(OK, h.call("SET", "foo", "bar"));
    assertEquals(bulk("bar"), h.call("get", "foo"));
  }

  @Test
  void get_withWrongArity_returnsRedisError() {
    assertEquals("-ERR wrong number of arguments for 'get' command\r\n", h.call("GET"));
  }
}
