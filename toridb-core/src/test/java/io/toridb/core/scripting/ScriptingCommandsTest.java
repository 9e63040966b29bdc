package io.toridb.core.scripting;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.CommandHarness.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.propagation.PropagationSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * EVAL and SCRIPT through the executor. Reply shapes and error texts are compared with Redis in the
 * differential script {@code scripting.txt}; this covers what a single server shows: effects,
 * locking, the cache, the busy state.
 */
class ScriptingCommandsTest {
  private final CommandHarness h = new CommandHarness();

  @Test
  void functionFlush_acceptsModes() {
    assertEquals(OK, h.call("FUNCTION", "FLUSH"));
    assertEquals(OK, h.call("FUNCTION", "FLUSH", "async"));
    assertEquals(OK, h.call("FUNCTION", "FLUSH", "SYNC"));
    assertEquals(
        error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"),
        h.call("FUNCTION", "FLUSH", "x"));
    assertEquals(
        error(
            "ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP."),
        h.call("FUNCTION", "FLUSH", "a", "b"));
  }

  @Test
  void scriptFlush_acceptsModes_andEmptiesTheCache() {
    String sha = sha(h.call("SCRIPT", "LOAD", "return 1"));
    assertEquals("*1\r\n:1\r\n", h.call("SCRIPT", "EXISTS", sha));
    assertEquals(OK, h.call("SCRIPT", "FLUSH"));
    assertEquals("*1\r\n:0\r\n", h.call("SCRIPT", "EXISTS", sha));
    assertEquals(OK, h.call("SCRIPT", "FLUSH", "ASYNC"));
    assertEquals(
        error("ERR SCRIPT FLUSH only support SYNC|ASYNC option"),
        h.call("SCRIPT", "FLUSH", "a", "b"));
  }

  @Test
  void functionList_isEmpty() {
    assertEquals("*0\r\n", h.call("FUNCTION", "LIST"));
    assertEquals("*0\r\n", h.call("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "x*"));
    assertEquals(
        error("ERR library name argument was not given"),
        h.call("FUNCTION", "LIST", "LIBRARYNAME"));
    assertEquals(error("ERR Unknown argument foo"), h.call("FUNCTION", "LIST", "foo"));
  }

  @Test
  void scriptLoad_namesTheScriptBySha1_andEvalCachesItToo() {
    String sha = sha(h.call("SCRIPT", "LOAD", "return 'x'"));
    assertEquals(ScriptCache.sha1hex(b("return 'x'")), sha);
    assertEquals(bulk("x"), h.call("EVALSHA", sha, "0"));
    assertEquals(bulk("x"), h.call("EVALSHA", sha.toUpperCase(), "0"));
    h.call("EVAL", "return 7", "0");
    assertEquals(integer(7), h.call("EVALSHA", ScriptCache.sha1hex(b("return 7")), "0"));
    assertEquals(2, h.server().scripts().size());
  }

  @Test
  void keysAndArgs_reachTheScriptAsBytes() {
    byte[] binary = {0, (byte) 0xff, '\r', '\n'};
    String reply =
        h.callBytes(
            new byte[][] {
              b("EVAL"), b("return {KEYS[1], ARGV[1], #ARGV}"), b("1"), binary, binary, b("x")
            });
    assertEquals("*3\r\n$4\r\n\0\u00ff\r\n\r\n$4\r\n\0\u00ff\r\n\r\n:2\r\n", reply);
  }

  @Test
  void writes_ofAScript_arePropagatedAsOneUnit_inTheirDatabases() {
    List<String> log = new ArrayList<>();
    h.server()
        .propagation(
            new PropagationSink() {
              @Override
              public void propagate(int db, byte[][] argv) {
                log.add(db + " " + join(argv));
              }

              @Override
              public void propagateTransaction(List<Effect> effects) {
                StringBuilder unit = new StringBuilder("unit:");
                for (Effect e : effects) {
                  unit.append(" [").append(e.db()).append(' ').append(join(e.argv())).append(']');
                }
                log.add(unit.toString());
              }
            });
    h.call(
        "EVAL",
        "redis.call('set', 'a', '1') redis.call('get', 'a') redis.call('select', 2)"
            + " redis.call('incr', 'b') return 1",
        "0");
    assertEquals(List.of("unit: [0 set a 1] [2 incr b]"), log);
    log.clear();
    h.call("EVAL", "return redis.call('set', 'c', '1')", "0");
    assertEquals(List.of("0 set c 1"), log);
    log.clear();
    h.call("EVAL", "return redis.call('get', 'c')", "0");
    assertEquals(List.of(), log);
    // A SELECT inside the script changed only the script's database.
    assertEquals(0, h.session().db());
  }

  @Test
  void aFailingScript_keepsTheWritesItMade_asRedisDoes() {
    List<String> effects = CommandHarness.captureEffects(h);
    String reply = h.call("EVAL", "redis.call('set', 'a', '1') error('stop')", "0");
    assertTrue(reply.startsWith("-ERR user_script:1: stop script: "), reply);
    assertEquals(bulk("1"), h.call("GET", "a"));
    assertEquals(List.of("set a 1"), effects);
  }

  @Test
  void scriptInsideMulti_joinsTheTransactionsUnit() {
    List<Integer> units = new ArrayList<>();
    h.server()
        .propagation(
            new PropagationSink() {
              @Override
              public void propagate(int db, byte[][] argv) {
                units.add(1);
              }

              @Override
              public void propagateTransaction(List<Effect> effects) {
                units.add(effects.size());
              }
            });
    h.call("MULTI");
    h.call("SET", "x", "1");
    h.call("EVAL", "redis.call('incr', 'x') return redis.call('incr', 'x')", "0");
    assertEquals("*2\r\n+OK\r\n:3\r\n", h.call("EXEC"));
    assertEquals(List.of(3), units);
  }

  @Test
  void blockingCommands_areNotAllowed_andAScriptNeverBlocks() {
    assertTrue(
        h.call("EVAL", "return redis.pcall('blpop', 'empty', 0)", "0")
            .startsWith("-ERR This Redis command is not allowed from script"));
    assertEquals(0, h.host().blockedCount());
  }

  @Test
  void withoutTheReplicasMinReplicasToWriteAsks_writingScriptsAreRefused() {
    assertEquals(OK, h.call("CONFIG", "SET", "min-replicas-to-write", "1"));
    try {
      assertEquals(
          error("NOREPLICAS Not enough good replicas to write."),
          h.call("EVAL", "#!lua\nreturn 1", "0"));
      assertTrue(
          h.call("EVAL", "return redis.call('set', 'k', 'v')", "0")
              .startsWith("-NOREPLICAS Not enough good replicas to write. script: "));
      assertEquals(integer(1), h.call("EVAL", "#!lua flags=no-writes\nreturn 1", "0"));
      assertEquals(NIL, h.call("EVAL", "return redis.call('get', 'k')", "0"));
    } finally {
      h.call("CONFIG", "SET", "min-replicas-to-write", "0");
    }
  }

  @Test
  void scriptKill_withNoScript_isNotBusy() {
    assertEquals(error("NOTBUSY No scripts in execution right now."), h.call("SCRIPT", "KILL"));
    assertEquals(false, h.server().scripts().busy());
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aScriptThatRunsTooLong_isBusy_andStopsWhenKilled() throws Exception {
    ScriptCache scripts = h.server().scripts();
    java.util.concurrent.CompletableFuture<String> answer = killOnceBusy();
    String reply =
        h.call(
            "EVAL",
            "local f = function() while 1 do redis.call('ping') end end"
                + " while 1 do pcall(f) xpcall(f, function() end) end",
            "0");
    assertEquals(null, answer.get());
    assertTrue(reply.startsWith("-ERR Script killed by user with SCRIPT KILL... script: "), reply);
    assertEquals(false, scripts.busy());
    assertEquals(integer(1), h.call("EVAL", "return 1", "0"));
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aScriptThatWrote_cannotBeKilled() throws Exception {
    java.util.concurrent.CompletableFuture<String> answer = killOnceBusy();
    String reply =
        h.call(
            "EVAL",
            "redis.call('set', 'w', '1') local t = redis.call('time')"
                + " local start = t[1] * 1000000 + t[2]"
                + " while true do local now = redis.call('time')"
                + " if now[1] * 1000000 + now[2] - start > 300000 then break end end"
                + " return redis.call('incr', 'w')",
            "0");
    String refused = answer.get();
    assertTrue(refused.startsWith("UNKILLABLE "), refused);
    assertEquals(integer(2), reply);
  }

  @Test
  void aKillBeforeTheFirstWrite_stopsTheScriptBeforeItWrites() throws Exception {
    ScriptRun run = new ScriptRun(h.server().scripts().load(b("return 1")).sha(), false, false, 0);
    assertTrue(run.kill());
    assertEquals(false, run.mayWrite());
    ScriptRun other =
        new ScriptRun(h.server().scripts().load(b("return 1")).sha(), false, false, 0);
    assertTrue(other.mayWrite());
    assertEquals(false, other.kill());
    assertTrue(other.dirty());
  }

  @Test
  void theGlobalTable_andLibraries_areReadOnly_andSandboxed() {
    assertTrue(
        h.call("EVAL", "rawset(_G, 'x', 1) return x", "0")
            .contains("Attempt to modify a readonly table"));
    assertTrue(
        h.call("EVAL", "rawset(redis, 'call', 1)", "0")
            .contains("Attempt to modify a readonly table"));
    assertTrue(
        h.call("EVAL", "setmetatable(_G, nil)", "0")
            .contains("Attempt to modify a readonly table"));
    assertTrue(
        h.call("EVAL", "return loadstring('y = 1')()", "0")
            .contains("Attempt to modify a readonly table"));
    for (String hidden : new String[] {"io", "os", "debug", "require", "package", "luajava"}) {
      assertTrue(
          h.call("EVAL", "return " + hidden, "0")
              .contains("Script attempted to access nonexistent global variable '" + hidden + "'"),
          hidden);
    }
    assertTrue(
        h.call("EVAL", "math.floor = nil", "0").contains("Attempt to modify a readonly table"));
  }

  @Test
  void aHugeStringRep_isAnErrorOfTheScript_notOfTheServer() {
    assertTrue(
        h.call("EVAL", "return string.rep('xy', 1e9)", "0").contains("resulting string too large"));
    assertEquals(bulk("xxx"), h.call("EVAL", "return string.rep('x', 3)", "0"));
  }

  @Test
  void deepRecursion_isAStackOverflowOfTheScript_evenThroughCommandsAndPcall() {
    assertTrue(
        h.call("EVAL", "local function f(n) return 1 + f(n + 1) end return f(1)", "0")
            .contains("stack overflow"));
    String reply =
        h.call(
            "EVAL",
            "local function f(n) redis.call('hset', 'h', n, n) return 1 + f(n + 1) end"
                + " local ok, e = pcall(f, 1) return {tostring(ok), e, redis.call('hlen', 'h')}",
            "0");
    assertTrue(reply.startsWith("*3\r\n$5\r\nfalse\r\n"), reply);
    assertTrue(reply.contains("stack overflow"), reply);
    long fields = Long.parseLong(reply.substring(reply.lastIndexOf(':') + 1).trim());
    assertTrue(fields > 100 && fields <= 500, "fields " + fields);
    // The depth is counted again from nothing for the next script.
    assertEquals(integer(1), h.call("EVAL", "return 1", "0"));
  }

  @Test
  void errorStatistics_countAFailedCallOnce_andAnErrorTheScriptReturns() {
    h.call("SET", "s", "text");
    io.toridb.core.server.ServerStats stats = h.server().stats();
    long before = stats.errorReplies.sum();
    h.call("EVAL", "return redis.call('incr', 's')", "0");
    assertEquals(before + 1, stats.errorReplies.sum());
    h.call("EVAL", "return redis.pcall('incr', 's')", "0");
    assertEquals(before + 2, stats.errorReplies.sum());
    h.call("EVAL", "return redis.error_reply('MYCODE custom')", "0");
    assertEquals(before + 3, stats.errorReplies.sum());
    assertEquals(1, stats.errorCodes.get("MYCODE").sum());
  }

  @Test
  void cjsonSettings_lastForTheScriptThatMakesThem() {
    assertEquals(
        integer(0),
        h.call(
            "EVAL", "cjson.encode_max_depth(1) return pcall(cjson.encode, {{1}}) and 1 or 0", "0"));
    assertEquals(bulk("[[1]]"), h.call("EVAL", "return cjson.encode({{1}})", "0"));
  }

  @Test
  void aReplyThatNestsForever_isCutShort() {
    String reply = h.call("EVAL", "local t = {} t[1] = t return t", "0");
    assertTrue(reply.contains("-ERR reached lua stack limit\r\n"), reply);
  }

  @Test
  void scriptsCountInCommandStats_withTheirCalls() {
    h.call("EVAL", "redis.call('set', 'a', '1') return redis.call('get', 'a')", "0");
    for (String name : new String[] {"eval", "set", "get"}) {
      assertEquals(1, h.server().commands().lookup(b(name)).calls.sum(), name);
    }
  }

  @Test
  void sortWithoutOrder_ofASet_isSortedWhenCalledFromAScript() {
    h.call("SADD", "s", "b", "c", "a", "aa");
    assertEquals(
        "*4\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n",
        h.call("EVAL", "return redis.call('sort', KEYS[1], 'by', 'nosort')", "1", "s"));
  }

  @Test
  void cjson_roundTrips_andHonoursItsSettings() {
    assertEquals(
        bulk("{\"a\":[1,2,{\"b\":\"c\\/d\"}]}"),
        h.call("EVAL", "return cjson.encode({a={1,2,{b='c/d'}}})", "0"));
    assertEquals(
        bulk("x"),
        h.call("EVAL", "return cjson.decode(ARGV[1]).a[3].b", "0", "{\"a\":[1,2,{\"b\":\"x\"}]}"));
    assertEquals(
        integer(0),
        h.call(
            "EVAL",
            "cjson.encode_max_depth(1) local ok = pcall(cjson.encode, {{1}})"
                + " cjson.encode_max_depth(1000) return ok and 1 or 0",
            "0"));
    assertTrue(
        h.call("EVAL", "return cjson.decode('[1,')", "0")
            .contains("user_script:1: Expected value but found T_END at character 4"));
    assertTrue(
        h.call("EVAL", "return cjson.encode(0/0)", "0")
            .contains("Cannot serialise number: must not be NaN or Inf"));
  }

  /**
   * With a 50 ms busy threshold, sends SCRIPT KILL (as the event loop does) once the script that is
   * about to run turns busy; completes with its answer (null: killed).
   */
  private java.util.concurrent.CompletableFuture<String> killOnceBusy() {
    assertEquals(OK, h.call("CONFIG", "SET", "busy-reply-threshold", "50"));
    ScriptCache scripts = h.server().scripts();
    return java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          while (!scripts.busy()) {
            Thread.onSpinWait();
          }
          return scripts.kill(false);
        });
  }

  private static String sha(String bulkReply) {
    String[] lines = bulkReply.split("\r\n");
    return lines[1];
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
