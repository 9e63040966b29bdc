package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.server.ToriServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RESTORE goes into the append-only file as its deterministic effect (a relative TTL as ABSTTL), so
 * a restarted server replays it into the same values with the same expiry times.
 */
class DumpRestoreAofIT {
  @TempDir Path dir;

  private ToriServer start() throws Exception {
    return SnapshotServers.tori(dir, "appendonly", "yes", "appendfsync", "always", "workers", "1");
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void restoredValues_surviveARestart() throws Exception {
    Map<String, String> digests = new LinkedHashMap<>();
    String expireTime;
    ToriServer first = start();
    try (RespClient c = new RespClient("127.0.0.1", first.port())) {
      c.call("HSET", "h", "f", "v", "n", "1");
      c.call("ZADD", "z", "1.5", "a", "2", "b");
      c.call("RPUSH", "l", "x", "y", "z");
      c.call("SADD", "s", "1", "2", "x");
      c.call("SET", "str", "compress me ".repeat(50));
      for (String key : new String[] {"h", "z", "l", "s", "str"}) {
        byte[] payload = c.call("DUMP", key).payload();
        assertEquals(
            "+OK\r\n", c.call(b("RESTORE"), b(key + "-copy"), b("100000"), payload).rawText());
        digests.put(key + "-copy", c.call("DEBUG", "DIGEST-VALUE", key + "-copy").rawText());
      }
      byte[] payload = c.call("DUMP", "h").payload();
      c.call(b("RESTORE"), b("h-copy"), b("0"), payload, b("REPLACE"));
      digests.put("h-copy", c.call("DEBUG", "DIGEST-VALUE", "h-copy").rawText());
      expireTime = c.call("PEXPIRETIME", "z-copy").rawText();
    } finally {
      first.shutdown();
    }
    ToriServer second = start();
    try (RespClient c = new RespClient("127.0.0.1", second.port())) {
      for (Map.Entry<String, String> e : digests.entrySet()) {
        assertEquals(e.getValue(), c.call("DEBUG", "DIGEST-VALUE", e.getKey()).rawText());
      }
      assertEquals(expireTime, c.call("PEXPIRETIME", "z-copy").rawText());
      assertEquals(":-1\r\n", c.call("PEXPIRETIME", "h-copy").rawText());
      long ttl = Long.parseLong(c.call("TTL", "l-copy").rawText().substring(1).trim());
      assertTrue(ttl > 90 && ttl <= 100, "ttl " + ttl);
    } finally {
      second.shutdown();
    }
  }
}
