package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** BGREWRITEAOF and CONFIG SET appendonly: their refusals, and the server answering after them. */
class PersistenceCommandsIT {
  @Test
  void bgrewriteaof_withoutTheLog_isRefused() throws Exception {
    try (TestServer server = TestServer.start(cfg -> cfg.require("appendonly").set("no"));
        RawClient c = server.client()) {
      assertEquals(
          "-ERR The append-only file is off (appendonly no): there is nothing to rewrite\r\n",
          c.call("BGREWRITEAOF"));
      assertEquals(
          "-ERR wrong number of arguments for 'bgrewriteaof' command\r\n",
          c.call("BGREWRITEAOF", "now"));
      // Turning the log on at run time needs a rewrite of the data first: refused, nothing changes.
      assertTrue(
          c.call("CONFIG", "SET", "appendonly", "yes")
              .startsWith("-ERR CONFIG SET failed (possibly related to argument 'appendonly')"));
      assertTrue(c.call("INFO", "persistence").contains("aof_enabled:0"));
      assertEquals("+PONG\r\n", c.call("PING"));
    }
  }

  @Test
  void appendonlyNo_stopsTheLog_andWritesGoOn() throws Exception {
    try (TestServer server = TestServer.start();
        RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("SET", "a", "1"));
      assertEquals("+Background append only file rewriting started\r\n", c.call("BGREWRITEAOF"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendonly", "no"));
      assertTrue(c.call("INFO", "persistence").contains("aof_enabled:0"));
      assertEquals("+OK\r\n", c.call("SET", "a", "2"));
      assertEquals("$1\r\n2\r\n", c.call("GET", "a"));
      assertEquals("+PONG\r\n", c.call("PING"));
    }
  }
}
