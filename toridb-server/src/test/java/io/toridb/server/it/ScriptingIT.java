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
 * Lua scripts through real clients: Jedis's eval/evalsha and Lettuce's script helpers, the busy
 * state other clients see while a script runs long (and SCRIPT KILL from another connection, with
 * the server's one worker busy), and script writes surviving a restart from the log.
 */
class ScriptingIT {
  @RegisterExtension
  static final ToriServerExtension tori =
      new ToriServerExtension().with("busy-reply-threshold", "200").with("workers", "1");

  @TempDir Path dir;

  @Test
  void jedis_evalAndEvalsha() {
    try (Jedis jedis = new Jedis(new HostAndPort(tori.host(), tori.port()))) {
      jedis.del("jk");
      assertEquals(
          "OK",
          jedis.eval("return redis.call('set', KEYS[1], ARGV[1])", List.of("jk"), List.of("v")));
      assertEquals(
          List.of("jk", "v"), jedis.eval("return {KEYS[1], redis.call('get', KEYS[1])}", 1, "jk"));
      String sha = jedis.scriptLoad("return redis.call('incrby', KEYS[1], ARGV[1])");
      jedis.set("jn", "1");
      assertEquals(11L, jedis.evalsha(sha, List.of("jn"), List.of("10")));
      assertEquals(List.of(true, false), jedis.scriptExists(sha, "0".repeat(40)));
      JedisDataException e =
          assertThrows(JedisDataException.class, () -> jedis.evalsha("0".repeat(40), 0));
      assertTrue(e.getMessage().startsWith("NOSCRIPT"), e.getMessage());
      e =
          assertThrows(
              JedisDataException.class, () -> jedis.eval("return redis.call('incr', 'jk')"));
      assertTrue(
          e.getMessage().startsWith("ERR value is not an integer or out of range script: "),
          e.getMessage());
    }
  }

  @Test
  void lettuce_scriptsInRespThree() {
    RedisClient client = RedisClient.create();
    try (StatefulRedisConnection<String, String> c =
        client.connect(RedisURI.Builder.redis(tori.host(), tori.port()).build())) {
      RedisCommands<String, String> sync = c.sync();
      sync.hset("lh", "f", "v");
      String sha = sync.scriptLoad("redis.setresp(3) return redis.call('hgetall', KEYS[1])");
      Object reply = sync.evalsha(sha, ScriptOutputType.MULTI, "lh");
      assertEquals(List.of("f", "v"), reply);
      Boolean yes = sync.eval("return true", ScriptOutputType.BOOLEAN);
      assertEquals(Boolean.TRUE, yes);
      Long n = sync.eval("return #ARGV", ScriptOutputType.INTEGER, new String[0], "a", "b");
      assertEquals(2L, n);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }

  @Test
  void aLongScript_makesOthersBusy_untilKilledFromAnotherConnection() throws Exception {
    try (RespClient runner = tori.connect();
        RespClient other = tori.connect()) {
      runner.send("EVAL", "local i = 0 while true do i = i + 1 end", "0");
      String answer = awaitBusy(other);
      assertEquals(
          "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN"
              + " NOSAVE.\r\n",
          answer);
      assertEquals("+OK\r\n", other.callRaw("SCRIPT", "KILL"));
      String killed = runner.read().rawText();
      assertTrue(
          killed.startsWith("-ERR Script killed by user with SCRIPT KILL... script: "), killed);
      assertEquals("+PONG\r\n", other.callRaw("PING"));
      assertEquals(
          "-NOTBUSY No scripts in execution right now.\r\n", other.callRaw("SCRIPT", "KILL"));
      String stats = other.callRaw("INFO", "errorstats");
      assertTrue(stats.contains("errorstat_BUSY:count="), stats);
    }
  }

  /** As Redis's "MULTI and script timeout": the transaction started during the script aborts. */
  @Test
  void aTransactionDuringABusyScript_isAbortedWhole() throws Exception {
    try (RespClient runner = tori.connect();
        RespClient client = tori.connect();
        RespClient admin = tori.connect()) {
      admin.callRaw("SET", "xx", "1");
      runner.send("EVAL", "while true do end", "0");
      awaitBusy(admin);
      assertEquals("+OK\r\n", client.callRaw("MULTI"));
      assertTrue(client.callRaw("INCR", "xx").startsWith("-BUSY "));
      assertEquals("+OK\r\n", admin.callRaw("SCRIPT", "KILL"));
      assertTrue(runner.read().rawText().startsWith("-ERR Script killed by user"));
      assertEquals("+QUEUED\r\n", client.callRaw("INCR", "xx"));
      assertEquals(
          "-EXECABORT Transaction discarded because of previous errors.\r\n",
          client.callRaw("EXEC"));
      assertEquals("$1\r\n1\r\n", admin.callRaw("GET", "xx"));
      // An EXEC that arrives during the script aborts the transaction, which is then over.
      assertEquals("+OK\r\n", client.callRaw("MULTI"));
      assertEquals("+QUEUED\r\n", client.callRaw("INCR", "xx"));
      runner.send("EVAL", "while true do end", "0");
      awaitBusy(admin);
      assertTrue(
          client.callRaw("EXEC").startsWith("-EXECABORT Transaction discarded because of: BUSY"));
      assertEquals("+OK\r\n", admin.callRaw("SCRIPT", "KILL"));
      runner.read();
      assertEquals("$4\r\nasdf\r\n", client.callRaw("PING", "asdf"));
      assertEquals("$1\r\n1\r\n", admin.callRaw("GET", "xx"));
    }
  }

  /**
   * A client that was blocked, and one that quit during a script, are still answered on the event
   * loop: a wrong count of their requests in flight would send them to the worker, behind the
   * script.
   */
  @Test
  void clientsThatWereBlocked_areAnsweredDuringABusyScript() throws Exception {
    try (RespClient runner = tori.connect();
        RespClient waiter = tori.connect();
        RespClient quitter = tori.connect();
        RespClient admin = tori.connect()) {
      waiter.socket().setSoTimeout(5000);
      quitter.socket().setSoTimeout(5000);
      admin.callRaw("DEL", "bl");
      waiter.send("BLPOP", "bl", "0");
      Thread.sleep(100);
      admin.callRaw("RPUSH", "bl", "v");
      assertEquals("*2\r\n$2\r\nbl\r\n$1\r\nv\r\n", waiter.read().rawText());
      assertTrue(waiter.callRaw("BLPOP", "bl", "0.05").startsWith("*-1"));
      runner.send("EVAL", "while true do end", "0");
      awaitBusy(admin);
      assertTrue(waiter.callRaw("PING").startsWith("-BUSY "));
      assertEquals("+OK\r\n", quitter.callRaw("QUIT"));
      assertTrue(quitter.closedByServer());
      assertEquals("+OK\r\n", waiter.callRaw("SCRIPT", "KILL"));
      assertTrue(runner.read().rawText().startsWith("-ERR Script killed by user"));
      assertEquals("+PONG\r\n", waiter.callRaw("PING"));
    }
  }

  /**
   * A request that reached the worker before the script began (queued behind it) is given back and
   * answered -BUSY once the script turns busy, instead of waiting behind it.
   */
  @Test
  void aRequestQueuedBeforeTheScript_getsBusy_insteadOfWaitingBehindIt() throws Exception {
    try (RespClient sleeper = tori.connect();
        RespClient runner = tori.connect();
        RespClient early = tori.connect();
        RespClient admin = tori.connect()) {
      early.socket().setSoTimeout(5000);
      // The one worker sleeps; the script and the PING queue up behind it, in that order.
      sleeper.send("DEBUG", "SLEEP", "0.3");
      Thread.sleep(50);
      runner.send("EVAL", "while true do end", "0");
      Thread.sleep(50);
      early.send("PING");
      assertEquals("+OK\r\n", sleeper.read().rawText());
      assertTrue(early.read().rawText().startsWith("-BUSY "));
      assertEquals("+OK\r\n", admin.callRaw("SCRIPT", "KILL"));
      assertTrue(runner.read().rawText().startsWith("-ERR Script killed by user"));
      assertEquals("+PONG\r\n", early.callRaw("PING"));
    }
  }

  /** DEBUG SET-DISABLE-DENY-SCRIPTS lets scripts call noscript commands, as Redis's tests use. */
  @Test
  void noscriptCommands_runFromScripts_onlyWhileDenyIsDisabled() throws Exception {
    try (RespClient c = tori.connect()) {
      String call = "return redis.call('debug', 'protocol', 'bignum')";
      assertTrue(c.callRaw("EVAL", call, "0").startsWith("-ERR This Redis command is not allowed"));
      assertEquals("+OK\r\n", c.callRaw("DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"));
      try {
        assertEquals(
            "$37\r\n1234567999999999999999999999999999999\r\n", c.callRaw("EVAL", call, "0"));
      } finally {
        assertEquals("+OK\r\n", c.callRaw("DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"));
      }
      assertTrue(c.callRaw("EVAL", call, "0").startsWith("-ERR This Redis command is not allowed"));
    }
  }

  /** PINGs until the server answers -BUSY (a script running past the threshold); returns that. */
  static String awaitBusy(RespClient client) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    String answer;
    do {
      Thread.sleep(20);
      answer = client.callRaw("PING");
    } while (answer.equals("+PONG\r\n") && System.currentTimeMillis() < deadline);
    assertTrue(answer.startsWith("-BUSY "), answer);
    return answer;
  }

  @Test
  void aScriptThatWrote_isUnkillable_andFinishes() throws Exception {
    try (RespClient runner = tori.connect();
        RespClient other = tori.connect()) {
      runner.send(
          "EVAL",
          "redis.call('set', 'w', '0') local t = redis.call('time')"
              + " local start = t[1] * 1000000 + t[2]"
              + " while true do local now = redis.call('time')"
              + " if now[1] * 1000000 + now[2] - start > 1000000 then break end end"
              + " return redis.call('incr', 'w')",
          "0");
      long deadline = System.currentTimeMillis() + 10_000;
      String answer;
      do {
        Thread.sleep(20);
        answer = other.callRaw("PING");
      } while (answer.equals("+PONG\r\n") && System.currentTimeMillis() < deadline);
      assertTrue(answer.startsWith("-BUSY "), answer);
      answer = other.callRaw("SCRIPT", "KILL");
      assertTrue(answer.startsWith("-UNKILLABLE Sorry the script already executed write"), answer);
      assertTrue(other.callRaw("GET", "w").startsWith("-BUSY "));
      assertEquals(":1\r\n", runner.read().rawText());
    }
  }

  @Test
  void scriptWrites_surviveARestart_fromTheLog() throws Exception {
    ToriServer first =
        SnapshotServers.tori(dir, "appendonly", "yes", "appendfsync", "always", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", first.port())) {
      c.call(
          "EVAL",
          "redis.call('rpush', 'l', 'a', 'b') redis.call('incrbyfloat', 'f', '1.5')"
              + " redis.call('select', 3) redis.call('set', 'in3', tostring(#KEYS))"
              + " return redis.call('expire', 'in3', 1000)",
          "0");
      c.call("EVAL", "redis.call('set', 'partial', '1') error('stop')", "0");
    } finally {
      first.shutdown();
    }
    ToriServer second =
        SnapshotServers.tori(dir, "appendonly", "yes", "appendfsync", "always", "save", "");
    try (RespClient c = new RespClient("127.0.0.1", second.port())) {
      assertEquals("*2\r\n$1\r\na\r\n$1\r\nb\r\n", c.callRaw("LRANGE", "l", "0", "-1"));
      assertEquals("$3\r\n1.5\r\n", c.callRaw("GET", "f"));
      assertEquals("$1\r\n1\r\n", c.callRaw("GET", "partial"));
      c.call("SELECT", "3");
      assertEquals("$1\r\n0\r\n", c.callRaw("GET", "in3"));
      long ttl = Long.parseLong(c.callRaw("TTL", "in3").substring(1).trim());
      assertTrue(ttl > 900 && ttl <= 1000, "ttl " + ttl);
    } finally {
      second.shutdown();
    }
  }
}
