package io.toridb.core.scripting;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * FUNCTION and FCALL through the executor: what other workers see of a library, what is logged, and
 * the limits of a library's load. Reply texts are compared with Redis in the differential script
 * {@code functions}.
 */
class FunctionCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private static String lib(String name, String body) {
    return "#!lua name=" + name + "\n" + body;
  }

  @Test
  void aLibraryLoadedOnOneWorker_isCalledOnAnother_andReplacedForBoth() {
    CommandHarness other = new CommandHarness(h);
    assertEquals(
        bulk("l"),
        h.call(
            "FUNCTION",
            "LOAD",
            lib(
                "l",
                "local n = 0 redis.register_function('f', function() n = n + 1 return n end)")));
    assertEquals(integer(1), h.call("FCALL", "f", "0"));
    // The other worker runs the library's code itself: its own state starts over.
    assertEquals(integer(1), other.call("FCALL", "f", "0"));
    assertEquals(integer(2), other.call("FCALL", "F", "0"));
    assertEquals(
        bulk("l"),
        h.call(
            "FUNCTION",
            "LOAD",
            "REPLACE",
            lib("l", "redis.register_function('f', function() return 'v2' end)")));
    assertEquals(bulk("v2"), other.call("FCALL", "f", "0"));
    assertEquals(OK, h.call("FUNCTION", "DELETE", "l"));
    assertEquals(error("ERR Function not found"), other.call("FCALL", "f", "0"));
  }

  @Test
  void aFunctionsWrites_areLoggedAsOneUnit_andTheLoadAsItself() {
    List<String> effects = CommandHarness.captureEffects(h);
    String code =
        lib(
            "w",
            "redis.register_function('two', function(keys) redis.call('set', keys[1], 'a')"
                + " return redis.call('set', keys[2], 'b') end)");
    h.call("FUNCTION", "LOAD", code);
    h.call("FCALL", "two", "2", "x", "y");
    h.call("FUNCTION", "DELETE", "w");
    h.call("FUNCTION", "FLUSH");
    assertEquals(
        List.of(
            "FUNCTION LOAD " + code,
            "MULTI",
            "set x a",
            "set y b",
            "EXEC",
            "FUNCTION DELETE w",
            "FUNCTION FLUSH"),
        effects);
  }

  @Test
  void aLibraryThatRunsTooLongWhileLoading_isRefused_andNothingIsLoaded() {
    String reply =
        h.call("FUNCTION", "LOAD", lib("slow", "local a = 0 while true do a = a + 1 end"));
    assertEquals(error("ERR Error registering functions: ERR FUNCTION LOAD timeout"), reply);
    assertEquals("*0\r\n", h.call("FUNCTION", "LIST"));
  }

  @Test
  void aFailedReplace_keepsTheOldLibrary() {
    h.call("FUNCTION", "LOAD", lib("k", "redis.register_function('kf', function() return 1 end)"));
    String reply =
        h.call("FUNCTION", "LOAD", "REPLACE", lib("k", "redis.register_function('kf', 1)"));
    assertTrue(reply.startsWith("-ERR Error registering functions: "), reply);
    assertEquals(integer(1), h.call("FCALL", "kf", "0"));
    h.call(
        "FUNCTION", "LOAD", lib("k2", "redis.register_function('kf2', function() return 2 end)"));
    assertEquals(
        error("ERR Function kf2 already exists"),
        h.call(
            "FUNCTION",
            "LOAD",
            "REPLACE",
            lib("k", "redis.register_function('kf2', function() end)")));
    assertEquals(integer(1), h.call("FCALL", "kf", "0"));
  }

  @Test
  void theLibraryApi_isAllALibrarySees_whileLoading_andTheFunctionsSeeEverything() {
    String reply = h.call("FUNCTION", "LOAD", lib("api", "local s = string.upper('x')"));
    assertTrue(
        reply.contains("Script attempted to access nonexistent global variable 'string'"), reply);
    assertEquals(
        bulk("api"),
        h.call(
            "FUNCTION",
            "LOAD",
            lib(
                "api",
                "redis.register_function('up', function(k, a) return string.upper(a[1]) end)")));
    assertEquals(bulk("ABC"), h.call("FCALL", "up", "0", "abc"));
  }

  /** A save or rewrite under way copies keys before they change: a library change is none. */
  @Test
  void changingTheLibraries_doesNotDisturbASaveUnderWay() {
    List<String> told = new java.util.ArrayList<>();
    h.server()
        .changeObserver(
            new io.toridb.core.keyspace.ChangeObserver() {
              @Override
              public void beforeChange(int db, io.toridb.core.keyspace.Key key) {
                told.add("key");
              }

              @Override
              public void beforeWholeKeyspaceChange() {
                told.add("everything");
              }
            });
    h.call("FUNCTION", "LOAD", lib("s", "redis.register_function('sf', function() return 1 end)"));
    h.call("FUNCTION", "DELETE", "s");
    h.call("FUNCTION", "FLUSH");
    assertEquals(List.of(), told);
    h.call("FLUSHALL");
    assertEquals(List.of("everything"), told);
  }
}
