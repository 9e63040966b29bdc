package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClientCommandsIT {
  private static TestServer server;

  /** A CLIENT LIST line as Redis 7.0.15 formats it for an idle normal connection. */
  private static final String LINE =
      "id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ fd=\\d+ name=%s age=\\d+ idle=\\d+"
          + " flags=%s db=%d sub=0 psub=0 ssub=0 multi=-1 qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+"
          + " multi-mem=0 rbs=\\d+ rbp=\\d+ obl=0 oll=0 omem=0 tot-mem=\\d+ events=r cmd=%s"
          + " user=default redir=-1 resp=%d\n";

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static String bulkBody(String reply) {
    int nl = reply.indexOf("\r\n");
    return reply.substring(nl + 2, reply.length() - 2);
  }

  @Test
  void info_isOneLineInRedisFormat() throws Exception {
    try (RawClient c = server.client()) {
      String body = bulkBody(c.call("CLIENT", "INFO"));
      assertTrue(body.matches(String.format(LINE, "", "N", 0, "client\\|info", 2)), body);
      // The caller's own line shows the request being run, as Redis's qbuf=26 argv-mem=10.
      assertTrue(body.contains(" qbuf=26 ") && body.contains(" argv-mem=10 "), body);
    }
  }

  @Test
  void info_inResp3_isVerbatimText() throws Exception {
    try (RawClient c = server.client()) {
      c.call("HELLO", "3");
      String reply = c.call("CLIENT", "INFO");
      assertTrue(reply.startsWith("="), reply);
      String text = bulkBody(reply);
      assertTrue(text.startsWith("txt:id="), text);
      assertTrue(text.endsWith(" resp=3\n"), text);
      assertEquals(reply.indexOf("\r\n") - 1, Integer.toString(text.length()).length());
    }
  }

  @Test
  void list_showsEveryConnectionWithItsState() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      assertEquals("+OK\r\n", b.call("CLIENT", "SETNAME", "worker-b"));
      b.call("SELECT", "5");
      b.call("CLIENT", "NO-EVICT", "on");
      String list = bulkBody(a.call("CLIENT", "LIST"));
      assertTrue(
          Pattern.compile(String.format(LINE, "worker-b", "e", 5, "client\\|no-evict", 2))
              .matcher(list)
              .find(),
          list);
      assertTrue(
          Pattern.compile(String.format(LINE, "", "N", 0, "client\\|list", 2)).matcher(list).find(),
          list);
    }
  }

  @Test
  void list_byIdAndType() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      String idA = a.call("CLIENT", "ID").substring(1).trim();
      String idB = b.call("CLIENT", "ID").substring(1).trim();
      String list = bulkBody(a.call("CLIENT", "LIST", "ID", idB, "999999", idA));
      String[] lines = list.split("\n");
      assertEquals(2, lines.length);
      assertTrue(lines[0].startsWith("id=" + idB + " "));
      assertTrue(lines[1].startsWith("id=" + idA + " "));
      assertTrue(bulkBody(a.call("CLIENT", "LIST", "TYPE", "normal")).contains("id=" + idB + " "));
      assertEquals("$0\r\n\r\n", a.call("CLIENT", "LIST", "TYPE", "pubsub"));
      assertEquals("-ERR Unknown client type 'foo'\r\n", a.call("CLIENT", "LIST", "TYPE", "foo"));
      assertEquals("-ERR Invalid client ID\r\n", a.call("CLIENT", "LIST", "ID", "x"));
      assertEquals("-ERR syntax error\r\n", a.call("CLIENT", "LIST", "foo"));
    }
  }

  @Test
  void setname_getname() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals("$-1\r\n", c.call("CLIENT", "GETNAME"));
      assertEquals("+OK\r\n", c.call("CLIENT", "SETNAME", "app"));
      assertEquals("$3\r\napp\r\n", c.call("CLIENT", "GETNAME"));
      assertEquals(
          "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
          c.call("CLIENT", "SETNAME", "a b"));
      assertEquals("+OK\r\n", c.call("CLIENT", "SETNAME", ""));
      assertEquals("$-1\r\n", c.call("CLIENT", "GETNAME"));
      c.call("HELLO", "3");
      assertEquals("_\r\n", c.call("CLIENT", "GETNAME"));
    }
  }

  @Test
  void setinfo_validatesOptionAndValue() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("CLIENT", "SETINFO", "LIB-NAME", "jedis"));
      assertEquals("+OK\r\n", c.call("CLIENT", "SETINFO", "lib-ver", "7.1.0"));
      assertEquals(
          "-ERR Unrecognized option 'lib-foo'\r\n", c.call("CLIENT", "SETINFO", "lib-foo", "x"));
      assertEquals(
          "-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n",
          c.call("CLIENT", "SETINFO", "LIB-NAME", "a b"));
      assertEquals(
          "-ERR wrong number of arguments for 'client|setinfo' command\r\n",
          c.call("CLIENT", "SETINFO", "LIB-NAME"));
    }
  }

  @Test
  void id_isStableAndUnique() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      String idA = a.call("CLIENT", "ID");
      assertTrue(idA.matches(":\\d+\r\n"));
      assertEquals(idA, a.call("CLIENT", "ID"));
      assertFalse(idA.equals(b.call("CLIENT", "ID")));
    }
  }

  @Test
  void kill_byId_closesTheOtherConnection() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      String idB = b.call("CLIENT", "ID").substring(1).trim();
      assertEquals(":1\r\n", a.call("CLIENT", "KILL", "ID", idB));
      assertTrue(b.closedWithin(5000));
      assertEquals(":0\r\n", a.call("CLIENT", "KILL", "ID", idB));
      assertEquals("+PONG\r\n", a.call("PING"));
    }
  }

  @Test
  void kill_oldFormByAddress() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      String info = bulkBody(b.call("CLIENT", "INFO"));
      Matcher m = Pattern.compile(" addr=(\\S+) ").matcher(info);
      assertTrue(m.find());
      assertEquals("+OK\r\n", a.call("CLIENT", "KILL", m.group(1)));
      assertTrue(b.closedWithin(5000));
      assertEquals("-ERR No such client\r\n", a.call("CLIENT", "KILL", m.group(1)));
    }
  }

  @Test
  void kill_skipmeNo_closesTheCallerAfterItsReply() throws Exception {
    try (RawClient a = server.client()) {
      String id = a.call("CLIENT", "ID").substring(1).trim();
      assertEquals(":1\r\n", a.call("CLIENT", "KILL", "ID", id, "SKIPME", "no"));
      assertTrue(a.closedWithin(5000));
    }
    try (RawClient a = server.client()) {
      String id = a.call("CLIENT", "ID").substring(1).trim();
      assertEquals(":0\r\n", a.call("CLIENT", "KILL", "ID", id));
      assertEquals("+PONG\r\n", a.call("PING"));
    }
  }

  @Test
  void kill_badArguments_returnRedisErrors() throws Exception {
    try (RawClient a = server.client()) {
      assertEquals(
          "-ERR wrong number of arguments for 'client|kill' command\r\n", a.call("CLIENT", "KILL"));
      assertEquals("-ERR syntax error\r\n", a.call("CLIENT", "KILL", "ID", "10", "wrong_arg"));
      assertEquals(
          "-ERR client-id should be greater than 0\r\n", a.call("CLIENT", "KILL", "ID", "str"));
      assertEquals(
          "-ERR client-id should be greater than 0\r\n", a.call("CLIENT", "KILL", "ID", "-1"));
      assertEquals(
          "-ERR Unknown client type 'wrong_type'\r\n",
          a.call("CLIENT", "KILL", "TYPE", "wrong_type"));
      assertEquals(
          "-ERR No such user 'wrong_user'\r\n", a.call("CLIENT", "KILL", "USER", "wrong_user"));
      assertEquals("-ERR syntax error\r\n", a.call("CLIENT", "KILL", "SKIPME", "yes_or_no"));
    }
  }

  @Test
  void reply_offAndOn() throws Exception {
    try (RawClient c = server.client()) {
      c.send("CLIENT", "REPLY", "OFF");
      c.send("PING", "pong");
      c.send("PING", "pong2");
      c.send("CLIENT", "REPLY", "ON");
      assertEquals("+OK\r\n", c.read());
      assertEquals("$5\r\npong3\r\n", c.call("PING", "pong3"));
    }
  }

  @Test
  void reply_skip_silencesOnlyTheNextCommand() throws Exception {
    try (RawClient c = server.client()) {
      c.send("CLIENT", "REPLY", "SKIP");
      c.send("PING", "pong");
      assertEquals("$5\r\npong2\r\n", c.call("PING", "pong2"));
      c.send("CLIENT", "REPLY", "SKIP");
      assertEquals("+OK\r\n", c.call("CLIENT", "REPLY", "ON"));
      assertEquals("+PONG\r\n", c.call("PING"));
      assertEquals("-ERR syntax error\r\n", c.call("CLIENT", "REPLY", "maybe"));
    }
  }

  @Test
  void noEvictAndNoTouch_acceptOnOff() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("CLIENT", "NO-EVICT", "on"));
      assertEquals("+OK\r\n", c.call("CLIENT", "NO-TOUCH", "ON"));
      assertTrue(bulkBody(c.call("CLIENT", "INFO")).contains(" flags=eT "));
      assertEquals("+OK\r\n", c.call("CLIENT", "NO-EVICT", "off"));
      assertEquals("+OK\r\n", c.call("CLIENT", "NO-TOUCH", "off"));
      assertEquals("-ERR syntax error\r\n", c.call("CLIENT", "NO-EVICT", "maybe"));
      assertEquals("-ERR syntax error\r\n", c.call("CLIENT", "NO-TOUCH", "maybe"));
    }
  }

  @Test
  void pause_checksArgumentsLikeRedis() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals(
          "-ERR timeout is not an integer or out of range\r\n", c.call("CLIENT", "PAUSE", "abc"));
      assertEquals(
          "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n", c.call("CLIENT", "PAUSE", "10", "x"));
      assertEquals("-ERR timeout is negative\r\n", c.call("CLIENT", "PAUSE", "-1"));
      assertEquals("+OK\r\n", c.call("CLIENT", "PAUSE", "0", "WRITE"));
      assertEquals("+OK\r\n", c.call("CLIENT", "UNPAUSE"));
    }
  }

  @Test
  void trackingQueries_reportTrackingOff() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals(":-1\r\n", c.call("CLIENT", "GETREDIR"));
      c.call("HELLO", "3");
      assertEquals(
          "%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n",
          c.call("CLIENT", "TRACKINGINFO"));
      assertEquals(
          "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN"
              + " or OPTOUT mode enabled\r\n",
          c.call("CLIENT", "CACHING", "yes"));
    }
  }

  @Test
  void unknownSubcommandAndHelp() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n", c.call("CLIENT", "FOO"));
      assertEquals("-ERR wrong number of arguments for 'client' command\r\n", c.call("CLIENT"));
      assertTrue(
          c.call("CLIENT", "HELP")
              .startsWith("*51\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands"));
    }
  }
}
