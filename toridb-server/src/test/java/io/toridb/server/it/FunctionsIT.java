package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.toridb.server.ToriServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Functions through real clients (Jedis's functionLoad and fcall, Lettuce's), a long function's
 * busy state with FUNCTION KILL and FUNCTION STATS from another connection, and libraries surviving
 * a restart from the log, from a rewritten log and from a snapshot.
 */
class FunctionsIT {
  @RegisterExtension
  static final ToriServerExtension tori =
      new ToriServerExtension().with("busy-reply-threshold", "200").with("workers", "1");

  @TempDir Path dir;

  private static final String COUNTER =
      "#!lua name=counter\n"
          + "redis.register_function('bump', function(keys, args)"
          + " return redis.call('incrby', keys[1], args[1]) end)\n"
          + "redis.register_function{function_name='peek', callback=function(keys)"
          + " return redis.call('get', keys[1]) end, flags={'no-writes'}}";

  @Test
  void jedis_loadsAndCallsFunctions() {
    try (Jedis jedis = new Jedis(new HostAndPort(tori.host(), tori.port()))) {
      jedis.functionFlush();
      jedis.del("jc");
      assertEquals("counter", jedis.functionLoad(COUNTER));
      assertEquals(5L, jedis.fcall("bump", List.of("jc"), List.of("5")));
      assertEquals("5", jedis.fcallReadonly("peek", List.of("jc"), List.of()));
      JedisDataException e =
          assertThrows(
              JedisDataException.class,
              () -> jedis.fcallReadonly("bump", List.of("jc"), List.of("1")));
      assertTrue(e.getMessage().contains("write flag using *_ro command"), e.getMessage());
      e = assertThrows(JedisDataException.class, () -> jedis.functionLoad(COUNTER));
      assertEquals("ERR Library 'counter' already exists", e.getMessage());
      assertEquals(1, jedis.functionList().size());
      assertEquals("OK", jedis.functionDelete("counter"));
      e =
          assertThrows(
              JedisDataException.class, () -> jedis.fcall("bump", List.of("jc"), List.of("1")));
      assertEquals("ERR Function not found", e.getMessage());
    }
  }

  @Test
  void lettuce_callsFunctionsAndRestoresADump() {
    RedisClient client = RedisClient.create();
    try (StatefulRedisConnection<String, String> c =
        client.connect(RedisURI.Builder.redis(tori.host(), tori.port()).build())) {
      RedisCommands<String, String> sync = c.sync();
      sync.functionFlush(io.lettuce.core.FlushMode.SYNC);
      sync.functionLoad(COUNTER);
      Long n = sync.fcall("bump", ScriptOutputType.INTEGER, new String[] {"lc"}, "2");
      assertEquals(2L, n);
      byte[] dump = sync.functionDump();
      sync.functionFlush(io.lettuce.core.FlushMode.SYNC);
      assertEquals("OK", sync.functionRestore(dump));
      assertEquals(
          4L, (Long) sync.fcall("bump", ScriptOutputType.INTEGER, new String[] {"lc"}, "2"));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }

  @Test
  void aLongFunction_isBusy_showsInStats_andStopsOnFunctionKill() throws Exception {
    try (RespClient runner = tori.connect();
        RespClient other = tori.connect()) {
      other.call("FUNCTION", "FLUSH");
      other.call(
          "FUNCTION",
          "LOAD",
          "#!lua name=spin\nredis.register_function('spin', function() while true do end end)");
      runner.send("FCALL", "spin", "0");
      String answer = ScriptingIT.awaitBusy(other);
      assertEquals(
          "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN"
              + " NOSAVE.\r\n",
          answer);
      String stats = other.callRaw("FUNCTION", "STATS");
      assertTrue(
          stats.startsWith(
              "*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n"
                  + "*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n:"),
          stats);
      assertTrue(other.callRaw("SCRIPT", "KILL").startsWith("-BUSY "));
      assertEquals("+OK\r\n", other.callRaw("FUNCTION", "KILL"));
      String killed = runner.read().rawText();
      assertTrue(
          killed.startsWith("-ERR Script killed by user with SCRIPT KILL... script: spin,"),
          killed);
      assertEquals("+PONG\r\n", other.callRaw("PING"));
      assertEquals(
          "-NOTBUSY No scripts in execution right now.\r\n", other.callRaw("FUNCTION", "KILL"));
    }
  }

  @Test
  void libraries_surviveARestart_fromTheLog_aRewrittenLog_andASnapshot() throws Exception {
    String lib =
        "#!lua name=keep\nredis.register_function('twice', function(keys, args)"
            + " return redis.call('set', keys[1], args[1] .. args[1]) end)";
    ToriServer first = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", first.port())) {
      assertEquals("$4\r\nkeep\r\n", c.callRaw("FUNCTION", "LOAD", lib));
      assertEquals("+OK\r\n", c.callRaw("FCALL", "twice", "1", "k", "ab"));
    } finally {
      first.shutdown();
    }
    ToriServer second = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", second.port())) {
      assertEquals("$4\r\nabab\r\n", c.callRaw("GET", "k"));
      assertEquals("+OK\r\n", c.callRaw("FCALL", "twice", "1", "k2", "x"));
      c.call("BGREWRITEAOF");
      awaitRewrite(c);
    } finally {
      second.shutdown();
    }
    ToriServer third = SnapshotServers.tori(dir, "appendonly", "yes", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", third.port())) {
      assertEquals("$2\r\nxx\r\n", c.callRaw("GET", "k2"));
      assertEquals("+OK\r\n", c.callRaw("FCALL", "twice", "1", "k3", "y"));
      assertEquals("+OK\r\n", c.callRaw("SAVE"));
    } finally {
      third.shutdown();
    }
    ToriServer fourth = SnapshotServers.tori(dir, "appendonly", "no", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", fourth.port())) {
      assertEquals("$2\r\nyy\r\n", c.callRaw("GET", "k3"));
      assertEquals("+OK\r\n", c.callRaw("FCALL", "twice", "1", "k4", "z"));
      assertEquals("$2\r\nzz\r\n", c.callRaw("GET", "k4"));
    } finally {
      fourth.shutdown();
    }
  }

  static void awaitRewrite(RespClient c) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      String info = c.callRaw("INFO", "persistence");
      if (info.contains("aof_rewrite_in_progress:0") && !info.contains("aof_rewrite_scheduled:1")) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the rewrite did not end");
  }
}
