package io.toridb.core.stream;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.arity;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stream commands through the executor: IDs, ranges, trimming where Redis's node layout shows,
 * consumer groups, blocking reads, what each write logs (replayed on a second server to the same
 * state), and Redis's error texts for bad input.
 */
class StreamCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private static String entry(String id, String... fv) {
    StringBuilder sb = new StringBuilder("*2\r\n" + bulk(id) + "*" + fv.length + "\r\n");
    for (String s : fv) {
      sb.append(bulk(s));
    }
    return sb.toString();
  }

  @Test
  void xadd_takesExplicitPartialAndGeneratedIds_inIncreasingOrder() {
    assertEquals(bulk("5-1"), h.call("XADD", "s", "5-1", "a", "1"));
    assertEquals(bulk("5-2"), h.call("XADD", "s", "5-*", "b", "2"));
    assertEquals(bulk("7-0"), h.call("XADD", "s", "7-*", "c", "3"));
    assertEquals(bulk("8-0"), h.call("XADD", "s", "8", "d", "4"));
    String generated = h.call("XADD", "s", "*", "e", "5");
    assertTrue(generated.matches("\\$\\d+\r\n\\d{13}-0\r\n"), generated);
    assertEquals(integer(5), h.call("XLEN", "s"));
    assertEquals(
        "*2\r\n" + entry("5-1", "a", "1") + entry("5-2", "b", "2"),
        h.call("XRANGE", "s", "-", "+", "COUNT", "2"));
    assertEquals("*1\r\n" + entry("7-0", "c", "3"), h.call("XRANGE", "s", "(5-2", "7"));
    assertEquals(
        "*2\r\n" + entry("8-0", "d", "4") + entry("7-0", "c", "3"),
        h.call("XREVRANGE", "s", "8", "(5-2"));
    assertEquals("*-1\r\n", h.call("XRANGE", "s", "-", "+", "COUNT", "0"));
    assertEquals("*0\r\n", h.call("XRANGE", "missing", "-", "+"));
    assertEquals("*0\r\n", h.call("XRANGE", "s", "9", "1"));
  }

  @Test
  void badInput_getsRedisErrors_andChangesNothing() {
    h.call("XADD", "s", "5-5", "a", "1");
    String smaller =
        error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    assertEquals(smaller, h.call("XADD", "s", "5-5", "a", "1"));
    assertEquals(smaller, h.call("XADD", "s", "4-*", "a", "1"));
    assertEquals(
        error("ERR The ID specified in XADD must be greater than 0-0"),
        h.call("XADD", "t", "0-0", "a", "1"));
    assertEquals(integer(0), h.call("EXISTS", "t"));
    String invalid = error("ERR Invalid stream ID specified as stream command argument");
    assertEquals(invalid, h.call("XADD", "s", "abc", "a", "1"));
    assertEquals(invalid, h.call("XADD", "s", "1-2-3", "a", "1"));
    assertEquals(invalid, h.call("XADD", "s", "18446744073709551616", "a", "1"));
    assertEquals(invalid, h.call("XRANGE", "s", "(-", "+"));
    assertEquals(invalid, h.call("XDEL", "s", "+"));
    assertEquals(arity("xadd"), h.call("XADD", "s", "*", "a"));
    assertEquals(arity("xadd"), h.call("XADD", "s", "*", "a", "1", "b"));
    assertEquals(
        error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible"),
        h.call("XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "a", "1"));
    assertEquals(
        error("ERR syntax error, LIMIT cannot be used without the special ~ option"),
        h.call("XADD", "s", "MAXLEN", "1", "LIMIT", "10", "*", "a", "1"));
    assertEquals(
        error("ERR The MAXLEN argument must be >= 0."),
        h.call("XADD", "s", "MAXLEN", "-1", "*", "a", "1"));
    assertEquals(
        error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"),
        h.call("XTRIM", "s", "LIMIT", "1"));
    assertEquals(
        error("ERR syntax error, XTRIM must be called with a trimming strategy"),
        h.call("XTRIM", "s", "LIMIT", "0"));
    assertEquals(error("ERR syntax error"), h.call("XTRIM", "s", "NOMKSTREAM", "1"));
    assertEquals(
        error("ERR invalid start ID for the interval"),
        h.call("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"));
    assertEquals(error("ERR invalid end ID for the interval"), h.call("XRANGE", "s", "-", "(0-0"));
    assertEquals(error("ERR syntax error"), h.call("XRANGE", "s", "-", "+", "LIMIT", "1"));
    assertEquals(integer(1), h.call("XLEN", "s"));
    h.call("SET", "str", "x");
    String wrongType = error("WRONGTYPE Operation against a key holding the wrong kind of value");
    assertEquals(wrongType, h.call("XADD", "str", "*", "a", "1"));
    assertEquals(wrongType, h.call("XLEN", "str"));
    assertEquals(wrongType, h.call("XREAD", "STREAMS", "str", "0"));
    assertEquals(NIL, h.call("XADD", "nokey", "NOMKSTREAM", "*", "a", "1"));
    assertEquals(integer(0), h.call("EXISTS", "nokey"));
  }

  @Test
  void approximateTrim_removesWholeNodesOnly_andLogsTheExactResult() {
    h.call("CONFIG", "SET", "stream-node-max-entries", "100");
    List<String> effects = CommandHarness.captureEffects(h);
    for (int j = 0; j < 1000; j++) {
      h.call("XADD", "s", "MAXLEN", "~", "555", "*", "xitem", Integer.toString(j));
    }
    // Redis keeps 600: its nodes hold 100 entries, and only whole nodes go.
    assertEquals(integer(600), h.call("XLEN", "s"));
    assertTrue(
        effects.get(999).matches("XADD s MAXLEN = 600 \\d+-\\d+ xitem 999"), effects.get(999));
    assertEquals(integer(0), h.call("XTRIM", "s", "MAXLEN", "~", "550"));
    assertEquals(integer(50), h.call("XTRIM", "s", "MAXLEN", "=", "550"));
    assertEquals(integer(550), h.call("XLEN", "s"));
    assertEquals("XTRIM s MAXLEN = 550", effects.get(effects.size() - 1));
  }

  @Test
  void xdel_andMinIdTrim_keepTheCountersRedisReports() {
    for (int i = 1; i <= 5; i++) {
      h.call("XADD", "s", i + "-0", "f", "v" + i);
    }
    assertEquals(integer(2), h.call("XDEL", "s", "1-0", "3-0", "9-0"));
    assertEquals(integer(1), h.call("XTRIM", "s", "MINID", "3"));
    String info = h.call("XINFO", "STREAM", "s");
    assertTrue(info.contains(bulk("length") + ":2\r\n"), info);
    assertTrue(info.contains(bulk("max-deleted-entry-id") + bulk("3-0")), info);
    assertTrue(info.contains(bulk("entries-added") + ":5\r\n"), info);
    assertTrue(info.contains(bulk("recorded-first-entry-id") + bulk("4-0")), info);
    assertTrue(info.contains(bulk("last-generated-id") + bulk("5-0")), info);
    assertEquals(
        error("ERR The ID specified in XSETID is smaller than the target stream top item"),
        h.call("XSETID", "s", "4-0"));
    assertEquals(error("ERR no such key"), h.call("XSETID", "missing", "1-0"));
    // An empty stream stays, as in Redis, and keeps its counters.
    assertEquals(integer(2), h.call("XTRIM", "s", "MAXLEN", "0"));
    assertEquals(integer(1), h.call("EXISTS", "s"));
    assertEquals(OK, h.call("XSETID", "s", "9-0", "ENTRIESADDED", "7", "MAXDELETEDID", "8-0"));
    info = h.call("XINFO", "STREAM", "s");
    assertTrue(info.contains(bulk("last-generated-id") + bulk("9-0")), info);
    assertTrue(info.contains(bulk("recorded-first-entry-id") + bulk("0-0")), info);
    assertEquals(
        error("ERR The ID specified in XADD is equal or smaller than the target stream top item"),
        h.call("XADD", "s", "9-0", "f", "v"));
  }

  @Test
  void consumerGroups_deliverNewEntries_trackPending_andAcknowledge() {
    h.call("XADD", "s", "1-0", "a", "1");
    h.call("XADD", "s", "2-0", "b", "2");
    assertEquals(OK, h.call("XGROUP", "CREATE", "s", "g", "0"));
    assertEquals(
        error("BUSYGROUP Consumer Group name already exists"),
        h.call("XGROUP", "CREATE", "s", "g", "0"));
    assertEquals(
        "*1\r\n*2\r\n" + bulk("s") + "*1\r\n" + entry("1-0", "a", "1"),
        h.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"));
    assertEquals(
        "*1\r\n*2\r\n" + bulk("s") + "*1\r\n" + entry("2-0", "b", "2"),
        h.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"));
    assertEquals("*-1\r\n", h.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"));
    // History: bob's own pending entries.
    assertEquals(
        "*1\r\n*2\r\n" + bulk("s") + "*1\r\n" + entry("2-0", "b", "2"),
        h.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"));
    assertEquals(
        "*4\r\n:2\r\n"
            + bulk("1-0")
            + bulk("2-0")
            + "*2\r\n*2\r\n"
            + bulk("alice")
            + bulk("1")
            + "*2\r\n"
            + bulk("bob")
            + bulk("1"),
        h.call("XPENDING", "s", "g"));
    String detail = h.call("XPENDING", "s", "g", "-", "+", "10", "bob");
    assertTrue(detail.startsWith("*1\r\n*4\r\n" + bulk("2-0") + bulk("bob")), detail);
    assertTrue(detail.endsWith(":2\r\n"), detail);
    assertEquals(integer(1), h.call("XACK", "s", "g", "1-0", "7-0"));
    assertEquals(integer(0), h.call("XACK", "s", "g", "1-0"));
    assertEquals(
        error("ERR Invalid stream ID specified as stream command argument"),
        h.call("XACK", "s", "g", "2-0", "bad"));
    String claimed = h.call("XCLAIM", "s", "g", "carol", "0", "2-0", "JUSTID");
    assertEquals("*1\r\n" + bulk("2-0"), claimed);
    assertEquals(
        "*3\r\n" + bulk("0-0") + "*1\r\n" + entry("2-0", "b", "2") + "*0\r\n",
        h.call("XAUTOCLAIM", "s", "g", "dave", "0", "0"));
    String groups = h.call("XINFO", "GROUPS", "s");
    assertTrue(groups.contains(bulk("consumers") + ":4\r\n"), groups);
    assertTrue(groups.contains(bulk("pending") + ":1\r\n"), groups);
    assertTrue(groups.contains(bulk("entries-read") + ":2\r\n"), groups);
    assertTrue(groups.contains(bulk("lag") + ":0\r\n"), groups);
    assertEquals(integer(1), h.call("XGROUP", "DELCONSUMER", "s", "g", "dave"));
    assertEquals("*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n", h.call("XPENDING", "s", "g"));
    assertEquals(
        error("NOGROUP No such key 's' or consumer group 'nope' in XREADGROUP with GROUP option"),
        h.call("XREADGROUP", "GROUP", "nope", "c", "STREAMS", "s", ">"));
    assertEquals(
        error("NOGROUP No such key 's' or consumer group 'nope'"), h.call("XPENDING", "s", "nope"));
    assertEquals(
        error("NOGROUP No such consumer group 'nope' for key name 's'"),
        h.call("XGROUP", "SETID", "s", "nope", "0"));
    assertEquals(
        error(
            "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may"
                + " want to use the MKSTREAM option to create an empty stream automatically."),
        h.call("XGROUP", "CREATE", "none", "g", "$"));
    assertEquals(OK, h.call("XGROUP", "CREATE", "none", "g", "$", "MKSTREAM"));
    assertEquals(integer(0), h.call("XLEN", "none"));
  }

  @Test
  void groupWrites_replayedOnAnotherServer_giveTheSameGroups() {
    List<byte[][]> log = new ArrayList<>();
    h.server().propagation((db, argv) -> log.add(argv));
    for (int i = 1; i <= 6; i++) {
      h.call("XADD", "s", "MAXLEN", "~", "100", "*", "n", Integer.toString(i));
    }
    h.call("XGROUP", "CREATE", "s", "g", "0");
    h.call("XGROUP", "CREATE", "s", "fast", "$");
    h.call("XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">");
    h.call("XREADGROUP", "GROUP", "g", "b", "NOACK", "COUNT", "2", "STREAMS", "s", ">");
    h.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
    String first = h.call("XRANGE", "s", "-", "+", "COUNT", "1");
    String firstId = first.split("\r\n")[3];
    h.call("XDEL", "s", firstId);
    h.call("XCLAIM", "s", "g", "d", "0", firstId);
    h.call("XAUTOCLAIM", "s", "g", "e", "0", "0", "COUNT", "1");
    h.call("XGROUP", "CREATECONSUMER", "s", "g", "idle");
    h.call("XACK", "s", "g", "0-1");

    CommandHarness replica = new CommandHarness();
    for (byte[][] argv : log) {
      String reply = replica.callBytes(argv);
      assertTrue(!reply.startsWith("-"), CommandHarness.join(argv) + " -> " + reply);
    }
    for (String[] q :
        new String[][] {
          {"XRANGE", "s", "-", "+"},
          {"XINFO", "GROUPS", "s"},
          {"XPENDING", "s", "g"},
          {"XLEN", "s"},
        }) {
      assertEquals(h.call(q), replica.call(q), String.join(" ", q));
    }
    String info = h.call("XINFO", "STREAM", "s");
    assertEquals(
        info.replaceAll("\\d{13}", "T"),
        replica.call("XINFO", "STREAM", "s").replaceAll("\\d{13}", "T"));
  }

  @Test
  void blockedXread_isServedByTheNextXadd_withDollarFixedWhenItBlocked() {
    CommandHarness reader = new CommandHarness(h);
    h.call("XADD", "s", "1-0", "old", "1");
    assertEquals("", reader.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$"));
    assertEquals(1, reader.host().blockedCount());
    h.call("XADD", "s", "2-0", "new", "2");
    assertEquals(
        "*1\r\n*2\r\n" + bulk("s") + "*1\r\n" + entry("2-0", "new", "2"), reader.host().takeSent());
    assertEquals(1, reader.host().unblockedCount());
  }

  @Test
  void blockedXreadgroup_endsWithAnError_whenItsStreamOrGroupGoes() {
    CommandHarness reader = new CommandHarness(h);
    h.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    assertEquals(
        "", reader.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"));
    h.call("DEL", "s");
    assertEquals(error("UNBLOCKED the stream key no longer exists"), reader.host().takeSent());

    h.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    assertEquals(
        "", reader.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"));
    h.call("XGROUP", "DESTROY", "s", "g");
    assertEquals(
        error("NOGROUP the consumer group this client was blocked on no longer exists"),
        reader.host().takeSent());

    // XREAD keeps waiting through a deletion and is served by the stream that comes next.
    assertEquals("", reader.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$"));
    h.call("DEL", "s");
    assertEquals("", reader.host().takeSent());
    h.call("XADD", "s", "9-0", "f", "v");
    assertEquals(
        "*1\r\n*2\r\n" + bulk("s") + "*1\r\n" + entry("9-0", "f", "v"), reader.host().takeSent());
  }

  @Test
  void xreadInsideMulti_doesNotBlock() {
    h.call("MULTI");
    h.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
    assertEquals("*1\r\n*-1\r\n", h.call("EXEC"));
  }

  @Test
  void resp3_repliesWithMaps() {
    h.call("XADD", "s", "1-0", "a", "1");
    assertEquals(
        "%1\r\n" + bulk("s") + "*1\r\n" + entry("1-0", "a", "1"),
        h.call3("XREAD", "STREAMS", "s", "0"));
    assertEquals("_\r\n", h.call3("XREAD", "STREAMS", "s", "$"));
  }

  @Test
  void xreadgroupNamingAKeyTwice_repliesForTheFirstOnly_withTheRightLength() {
    h.call("XADD", "s", "1-1", "f", "v");
    h.call("XGROUP", "CREATE", "s", "g", "0");
    assertEquals(
        "*1\r\n*2\r\n" + bulk("s") + "*1\r\n" + entry("1-1", "f", "v"),
        h.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s", ">", ">"));
    assertEquals(
        error(
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be"
                + " specified."),
        h.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">"));
  }

  @Test
  void entryAddedAfterXsetidBelowATombstone_isFoundAndDeleted() {
    h.call("XADD", "t", "1-1", "a", "1");
    h.call("XADD", "t", "1-5", "a", "1");
    assertEquals(integer(1), h.call("XDEL", "t", "1-5"));
    assertEquals(OK, h.call("XSETID", "t", "1-2"));
    assertEquals(bulk("1-3"), h.call("XADD", "t", "1-3", "a", "1"));
    assertEquals("*1\r\n" + entry("1-3", "a", "1"), h.call("XRANGE", "t", "1-3", "1-3"));
    assertEquals(
        "*2\r\n" + entry("1-3", "a", "1") + entry("1-1", "a", "1"),
        h.call("XREVRANGE", "t", "+", "-"));
    assertEquals(integer(1), h.call("XDEL", "t", "1-3"));
  }

  @Test
  void blockedXread_isWokenByAnEntryTrimmedAtOnce_withNoEntries() {
    CommandHarness reader = new CommandHarness(h);
    h.call("XADD", "s", "1-0", "f", "v");
    assertEquals("", reader.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$"));
    h.call("XADD", "s", "MAXLEN", "0", "2-0", "f", "v");
    assertEquals("*1\r\n*2\r\n" + bulk("s") + "*0\r\n", reader.host().takeSent());
  }

  @Test
  void blockedXreadgroup_endsWhenItsStreamExpires_evenBehindAListWaiter()
      throws InterruptedException {
    CommandHarness lister = new CommandHarness(h);
    CommandHarness reader = new CommandHarness(h);
    assertEquals("", lister.call("BLPOP", "k", "0"));
    h.call("XGROUP", "CREATE", "k", "g", "$", "MKSTREAM");
    assertEquals(
        "", reader.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "k", ">"));
    h.call("DEL", "k");
    assertEquals(error("UNBLOCKED the stream key no longer exists"), reader.host().takeSent());
    assertEquals("", lister.host().takeSent());

    h.call("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM");
    assertEquals(
        "", reader.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "e", ">"));
    h.call("PEXPIRE", "e", "1");
    Thread.sleep(5);
    assertEquals(integer(0), h.call("EXISTS", "e"));
    assertEquals(error("UNBLOCKED the stream key no longer exists"), reader.host().takeSent());
  }

  @Test
  void blockedXreadOnTwoStreams_isAnsweredForTheStreamThatWokeIt() {
    CommandHarness reader = new CommandHarness(h);
    h.call("XADD", "s1", "1-0", "a", "1");
    h.call("XADD", "s2", "1-0", "a", "1");
    assertEquals("", reader.call("XREAD", "BLOCK", "0", "STREAMS", "s1", "s2", "$", "$"));
    h.call("MULTI");
    h.call("XADD", "s2", "2-0", "b", "2");
    h.call("XADD", "s1", "2-0", "c", "3");
    h.call("EXEC");
    // As Redis: the first key made ready serves the client, with that stream alone.
    assertEquals(
        "*1\r\n*2\r\n" + bulk("s2") + "*1\r\n" + entry("2-0", "b", "2"), reader.host().takeSent());
  }

  @Test
  void groupAndReadOptions_badInput_getsRedisErrors_andTheConnectionGoesOn() {
    h.call("XADD", "s", "1-0", "f", "v");
    h.call("XGROUP", "CREATE", "s", "g", "0");
    String before = h.call("XINFO", "STREAM", "s", "FULL");
    String[][] cases = {
      {"ERR Unrecognized XCLAIM option 'FOO'", "XCLAIM", "s", "g", "c", "0", "1-0", "FOO"},
      {"ERR Invalid min-idle-time argument for XCLAIM", "XCLAIM", "s", "g", "c", "abc", "1-0"},
      {
        "ERR Invalid IDLE option argument for XCLAIM",
        "XCLAIM",
        "s",
        "g",
        "c",
        "0",
        "1-0",
        "IDLE",
        "x"
      },
      {
        "ERR Invalid TIME option argument for XCLAIM",
        "XCLAIM",
        "s",
        "g",
        "c",
        "0",
        "1-0",
        "TIME",
        "x"
      },
      {
        "ERR Invalid RETRYCOUNT option argument for XCLAIM",
        "XCLAIM",
        "s",
        "g",
        "c",
        "0",
        "1-0",
        "RETRYCOUNT",
        "x"
      },
      {"ERR COUNT must be > 0", "XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"},
      {
        "ERR value is not an integer or out of range",
        "XPENDING",
        "s",
        "g",
        "IDLE",
        "x",
        "-",
        "+",
        "1"
      },
      {"ERR syntax error", "XPENDING", "s", "g", "IDLE", "5", "-", "+"},
      {"ERR value is not an integer or out of range", "XPENDING", "s", "g", "-", "+", "x"},
      {
        "ERR Invalid stream ID specified as stream command argument",
        "XPENDING",
        "s",
        "g",
        "a",
        "+",
        "1"
      },
      {"ERR unknown subcommand 'FOO'. Try XINFO HELP.", "XINFO", "FOO", "s"},
      {
        "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.",
        "XINFO",
        "STREAM",
        "s",
        "FOO"
      },
      {
        "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.",
        "XGROUP",
        "CREATE",
        "s",
        "g2",
        "$",
        "BAD"
      },
      {
        "ERR value for ENTRIESREAD must be positive or -1",
        "XGROUP",
        "CREATE",
        "s",
        "g2",
        "$",
        "ENTRIESREAD",
        "-5"
      },
      {"ERR timeout is negative", "XREAD", "BLOCK", "-1", "STREAMS", "s", "0"},
      {"ERR timeout is not an integer or out of range", "XREAD", "BLOCK", "x", "STREAMS", "s", "0"},
      {
        "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group>"
            + " <consumer> option.",
        "XREAD",
        "STREAMS",
        "s",
        ">"
      },
      {
        "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
        "XREAD",
        "GROUP",
        "g",
        "c",
        "STREAMS",
        "s",
        "0"
      },
      {
        "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
        "XREAD",
        "NOACK",
        "STREAMS",
        "s",
        "0"
      },
      {"ERR syntax error", "XREAD", "COUNT", "1", "s", "0"},
      {
        "ERR Missing GROUP option for XREADGROUP",
        "XREADGROUP",
        "COUNT",
        "1",
        "NOACK",
        "STREAMS",
        "s",
        ">"
      },
      {"ERR entries_added must be positive", "XSETID", "s", "1-0", "ENTRIESADDED", "-1"},
      {
        "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
        "XSETID",
        "s",
        "9-0",
        "MAXDELETEDID",
        "10-0"
      },
    };
    for (String[] c : cases) {
      String[] cmd = java.util.Arrays.copyOfRange(c, 1, c.length);
      assertEquals(error(c[0]), h.call(cmd), String.join(" ", cmd));
      assertEquals("+PONG\r\n", h.call("PING"));
    }
    assertEquals(
        error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the"
                + " history of this consumer by specifying a proper ID, or use the > ID to get"
                + " new messages. The $ ID would just return an empty result set."),
        h.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"));
    // Nothing those calls refused changed the stream or its group.
    assertEquals(before, h.call("XINFO", "STREAM", "s", "FULL"));
  }
}
