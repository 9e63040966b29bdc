package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/** The handshakes and server commands real clients use, through Jedis and Lettuce. */
class ClientLibrariesIT {
  private static TestServer server;
  private static TestServer protectedServer;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    protectedServer = TestServer.start(c -> c.require("requirepass").set("pw"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    protectedServer.close();
  }

  private static Jedis jedis(TestServer s, RedisProtocol protocol, String password) {
    DefaultJedisClientConfig.Builder b =
        DefaultJedisClientConfig.builder().protocol(protocol).clientName("it-client");
    if (password != null) {
      b.password(password);
    }
    return new Jedis(new HostAndPort("127.0.0.1", s.port()), b.build());
  }

  @ParameterizedTest
  @EnumSource(RedisProtocol.class)
  void jedis_handshakeAndServerCommands(RedisProtocol protocol) {
    try (Jedis j = jedis(server, protocol, null)) {
      assertEquals("PONG", j.ping());
      assertEquals("it-client", j.clientGetname());
      assertTrue(j.clientId() > 0);
      assertTrue(j.info("server").contains("redis_version:7.0.15\r\n"));
      assertTrue(j.clientInfo().contains(" name=it-client "));
      Map<String, String> databases = j.configGet("databases");
      assertEquals(Map.of("databases", "16"), databases);
      assertEquals("OK", j.configSet("maxmemory-policy", "allkeys-lru"));
      assertEquals(Map.of("maxmemory-policy", "allkeys-lru"), j.configGet("maxmemory-policy"));
      j.configSet("maxmemory-policy", "noeviction");
      assertEquals(2, j.time().size());
      assertTrue(j.clientList().contains("name=it-client"));
    }
  }

  @ParameterizedTest
  @EnumSource(RedisProtocol.class)
  void jedis_withPassword_authenticates(RedisProtocol protocol) {
    try (Jedis j = jedis(protectedServer, protocol, "pw")) {
      assertEquals("PONG", j.ping());
    }
    assertThrows(
        JedisAccessControlException.class,
        () -> {
          try (Jedis j = jedis(protectedServer, protocol, "wrong")) {
            j.ping();
          }
        });
  }

  @Test
  void lettuce_negotiatesResp3AndRunsServerCommands() {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
    try (StatefulRedisConnection<String, String> conn = client.connect()) {
      RedisCommands<String, String> cmd = conn.sync();
      assertEquals("PONG", cmd.ping());
      assertTrue(cmd.info("clients").contains("connected_clients:"));
      assertTrue(cmd.clientList().contains(" resp=3\n"));
      assertEquals(Map.of("hz", "10"), cmd.configGet("hz"));
      assertTrue(cmd.slowlogLen() >= 0);
      assertTrue(cmd.command().size() > 10);
    } finally {
      client.shutdown();
    }
  }
}
