package io.toridb.core.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.pubsub.PubSubTestSupport.Client;
import io.toridb.protocol.RespFormatException;
import io.toridb.protocol.RespReply;
import io.toridb.protocol.RespReplyParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Keyspace notifications raised by the string and generic commands and by the keyspace, with the
 * event names and order of Redis 7.0.15's notifyKeyspaceEvent calls.
 */
class KeyspaceNotificationsTest {
  private final CommandHarness server = new CommandHarness();
  private final Client client = new Client(server);
  private final Client listener = new Client(server);

  /** Enables {@code classes} and subscribes the listener to every channel. */
  private void listen(String classes) {
    client.call("CONFIG", "SET", "notify-keyspace-events", classes);
    listener.call("PSUBSCRIBE", "*");
  }

  /** The events received since the last call, each as "channel message". */
  private List<String> events() {
    List<String> out = new ArrayList<>();
    byte[] wire = listener.take().getBytes(StandardCharsets.ISO_8859_1);
    try {
      for (RespReply r : RespReplyParser.parseAll(wire)) {
        out.add(text(r.get(2)) + " " + text(r.get(3)));
      }
    } catch (RespFormatException e) {
      throw new AssertionError("malformed pushes", e);
    }
    return out;
  }

  private static String text(RespReply r) {
    return new String(r.bytes(), StandardCharsets.ISO_8859_1);
  }

  private static List<String> keyspace(String key, String... events) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      out.add("__keyspace@0__:" + key + " " + e);
    }
    return out;
  }

  private static List<String> keyevent(String key, String... events) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      out.add("__keyevent@0__:" + e + " " + key);
    }
    return out;
  }

  private void run(String... args) {
    client.call(args);
  }

  @Nested
  class Classes {
    @Test
    void nothing_isPublished_byDefault() {
      listener.call("PSUBSCRIBE", "*");
      run("SET", "foo", "bar");
      run("DEL", "foo");
      assertEquals(List.of(), events());
    }

    @Test
    void keyspaceChannel_carriesTheEvent() {
      listen("KA");
      run("SET", "foo", "bar");
      assertEquals(keyspace("foo", "set"), events());
    }

    @Test
    void keyeventChannel_carriesTheKey() {
      listen("EA");
      run("SET", "foo", "bar");
      assertEquals(keyevent("foo", "set"), events());
    }

    @Test
    void both_keyspaceFirst() {
      listen("KEA");
      run("SET", "foo", "bar");
      assertEquals(List.of("__keyspace@0__:foo set", "__keyevent@0__:set foo"), events());
    }

    @Test
    void masked_classes_areNotPublished() {
      listen("KEg");
      run("SET", "foo", "bar");
      run("EXPIRE", "foo", "100");
      run("DEL", "foo");
      assertEquals(
          List.of(
              "__keyspace@0__:foo expire",
              "__keyevent@0__:expire foo",
              "__keyspace@0__:foo del",
              "__keyevent@0__:del foo"),
          events());
    }

    @Test
    void selectedDatabase_namesTheChannel() {
      listen("KE$");
      run("SELECT", "9");
      run("SET", "k", "v");
      assertEquals(List.of("__keyspace@9__:k set", "__keyevent@9__:set k"), events());
    }

    @Test
    void keyWithBinaryBytes_isPublishedAsIs() {
      listen("K$");
      run("SET", "a\r\n\u00ff", "v");
      assertEquals(keyspace("a\r\n\u00ff", "set"), events());
    }
  }

  @Nested
  class Strings {
    @BeforeEach
    void enable() {
      listen("K$g");
    }

    @Test
    void set_withExpiry_raisesSetThenExpire() {
      run("SET", "k", "v", "EX", "100");
      run("SETEX", "k", "100", "v");
      run("PSETEX", "k", "100000", "v");
      run("SET", "k", "v", "KEEPTTL");
      assertEquals(
          keyspace("k", "set", "expire", "set", "expire", "set", "expire", "set"), events());
    }

    @Test
    void set_notPerformed_raisesNothing() {
      run("SET", "k", "v");
      events();
      run("SET", "k", "v", "NX");
      run("SETNX", "k", "v");
      run("SET", "other", "v", "XX");
      run("MSETNX", "k", "1", "x", "2");
      assertEquals(List.of(), events());
    }

    @Test
    void mset_raisesSetPerKey() {
      run("MSET", "a", "1", "b", "2");
      run("MSETNX", "c", "1", "d", "2");
      assertEquals(
          List.of(
              "__keyspace@0__:a set",
              "__keyspace@0__:b set",
              "__keyspace@0__:c set",
              "__keyspace@0__:d set"),
          events());
    }

    @Test
    void counters_raiseIncrbyOrIncrbyfloat() {
      run("INCR", "n");
      run("DECR", "n");
      run("INCRBY", "n", "5");
      run("DECRBY", "n", "5");
      run("INCRBYFLOAT", "n", "1.5");
      assertEquals(keyspace("n", "incrby", "incrby", "incrby", "incrby", "incrbyfloat"), events());
    }

    @Test
    void failedCounter_raisesNothing() {
      run("SET", "s", "abc");
      events();
      run("INCR", "s");
      run("INCRBYFLOAT", "s", "1");
      assertEquals(List.of(), events());
    }

    @Test
    void appendAndSetrange() {
      run("APPEND", "k", "abc");
      run("SETRANGE", "k", "1", "x");
      // Writing nothing changes nothing.
      run("SETRANGE", "k", "1", "");
      assertEquals(keyspace("k", "append", "setrange"), events());
    }

    @Test
    void getset_getdel() {
      run("GETSET", "k", "v");
      run("GETDEL", "k");
      run("GETDEL", "k");
      assertEquals(keyspace("k", "set", "del"), events());
    }

    @Test
    void getex_raisesExpirePersistOrDel() {
      run("SET", "k", "v");
      events();
      run("GETEX", "k");
      run("GETEX", "k", "EX", "100");
      run("GETEX", "k", "PERSIST");
      // PERSIST on a key without expiry changes nothing.
      run("GETEX", "k", "PERSIST");
      run("GETEX", "k", "PXAT", "1");
      assertEquals(keyspace("k", "expire", "persist", "del"), events());
    }
  }

  @Nested
  class Generic {
    @BeforeEach
    void enable() {
      listen("KEg");
    }

    @Test
    void del_andUnlink_raiseDelPerDeletedKey() {
      run("MSET", "a", "1", "b", "2");
      run("DEL", "a", "missing");
      run("UNLINK", "b");
      assertEquals(
          List.of(
              "__keyspace@0__:a del",
              "__keyevent@0__:del a",
              "__keyspace@0__:b del",
              "__keyevent@0__:del b"),
          events());
    }

    @Test
    void rename_raisesFromThenTo() {
      run("SET", "src", "v");
      run("RENAME", "src", "dst");
      run("RENAMENX", "dst", "src");
      assertEquals(
          List.of(
              "__keyspace@0__:src rename_from",
              "__keyevent@0__:rename_from src",
              "__keyspace@0__:dst rename_to",
              "__keyevent@0__:rename_to dst",
              "__keyspace@0__:dst rename_from",
              "__keyevent@0__:rename_from dst",
              "__keyspace@0__:src rename_to",
              "__keyevent@0__:rename_to src"),
          events());
    }

    @Test
    void renameToItself_raisesNothing() {
      run("SET", "k", "v");
      run("RENAME", "k", "k");
      assertEquals(List.of(), events());
    }

    @Test
    void move_raisesFromInSourceAndToInTarget() {
      run("SET", "k", "v");
      run("MOVE", "k", "3");
      assertEquals(
          List.of(
              "__keyspace@0__:k move_from",
              "__keyevent@0__:move_from k",
              "__keyspace@3__:k move_to",
              "__keyevent@3__:move_to k"),
          events());
    }

    @Test
    void copy_raisesCopyToInTargetDatabase() {
      run("SET", "k", "v");
      run("COPY", "k", "c");
      run("COPY", "k", "c", "DB", "2");
      run("COPY", "k", "c");
      assertEquals(
          List.of(
              "__keyspace@0__:c copy_to",
              "__keyevent@0__:copy_to c",
              "__keyspace@2__:c copy_to",
              "__keyevent@2__:copy_to c"),
          events());
    }

    @Test
    void expireFamily_andPersist() {
      run("SET", "k", "v");
      run("EXPIRE", "k", "100");
      run("PEXPIRE", "k", "100000");
      run("EXPIREAT", "k", "4102444800");
      run("PEXPIREAT", "k", "4102444800000");
      run("EXPIRE", "k", "100", "NX");
      run("PERSIST", "k");
      run("PERSIST", "k");
      run("EXPIRE", "k", "-1");
      assertEquals(
          keyspace("k", "expire", "expire", "expire", "expire", "persist", "del"),
          events().stream().filter(e -> e.startsWith("__keyspace")).toList());
    }
  }

  @Nested
  class RaisedByTheKeyspace {
    @Test
    void lazyExpiry_raisesExpired() {
      listen("Ex");
      run("SET", "k", "v", "PX", "100000");
      makeExpired("k");
      run("GET", "k");
      assertEquals(keyevent("k", "expired"), events());
    }

    @Test
    void activeExpiry_raisesExpired() {
      listen("Ex");
      run("SET", "k", "v", "PX", "100000");
      makeExpired("k");
      server.server().activeExpiry().runCycle(System.currentTimeMillis());
      assertEquals(keyevent("k", "expired"), events());
    }

    @Test
    void setOverExpiredKey_raisesExpiredThenNew() {
      listen("Ex$n");
      run("SET", "k", "v", "PX", "100000");
      events();
      makeExpired("k");
      run("SET", "k", "w");
      assertEquals(
          List.of("__keyevent@0__:expired k", "__keyevent@0__:new k", "__keyevent@0__:set k"),
          events());
    }

    @Test
    void newKeys_raiseNewOnce_beforeTheCommandsEvent() {
      listen("En$g");
      run("SET", "foo", "bar");
      run("SET", "foo", "baz");
      run("SET", "bar", "bar");
      run("INCR", "n");
      run("APPEND", "a", "x");
      run("SETRANGE", "r", "2", "x");
      run("RENAME", "foo", "moved");
      assertEquals(
          List.of(
              "__keyevent@0__:new foo",
              "__keyevent@0__:set foo",
              "__keyevent@0__:set foo",
              "__keyevent@0__:new bar",
              "__keyevent@0__:set bar",
              "__keyevent@0__:new n",
              "__keyevent@0__:incrby n",
              "__keyevent@0__:new a",
              "__keyevent@0__:append a",
              "__keyevent@0__:new r",
              "__keyevent@0__:setrange r",
              "__keyevent@0__:new moved",
              "__keyevent@0__:rename_from foo",
              "__keyevent@0__:rename_to moved"),
          events());
    }

    @Test
    void renameOntoExistingKey_raisesNewAsRedis() {
      listen("En");
      run("MSET", "a", "1", "b", "2");
      events();
      run("RENAME", "a", "b");
      assertEquals(keyevent("b", "new"), events());
    }

    @Test
    void newIsNotPartOfA() {
      listen("EA");
      run("SET", "k", "v");
      assertEquals(keyevent("k", "set"), events());
    }

    @Test
    void readMiss_raisesKeymiss_writesDoNot() {
      listen("Em");
      run("GET", "nope");
      run("EXISTS", "nope");
      run("SET", "k", "v");
      run("GET", "k");
      run("APPEND", "other", "x");
      assertEquals(keyevent("nope", "keymiss", "keymiss"), events());
    }
  }

  @Nested
  class OwnEvents {
    @Test
    void resp3Client_receivesItsOwnEvents_beforeItsReply() {
      client.call("CONFIG", "SET", "notify-keyspace-events", "K$");
      client.h.session().protocol(3);
      client.call3("SUBSCRIBE", "__keyspace@0__:k");
      assertEquals(
          PubSubTestSupport.msg3("message", "__keyspace@0__:k", "set") + "+OK\r\n",
          client.call3("SET", "k", "v"));
    }

    @Test
    void resp3Client_ownExpiryAndNewEvents_stayInReplyOrder() {
      client.call("CONFIG", "SET", "notify-keyspace-events", "Exn$");
      client.call("SET", "k", "v", "PX", "100000");
      makeExpired("k");
      client.h.session().protocol(3);
      client.call3("PSUBSCRIBE", "__keyevent@0__:*");
      assertEquals(
          PubSubTestSupport.msg3("pmessage", "__keyevent@0__:*", "__keyevent@0__:expired", "k")
              + PubSubTestSupport.msg3("pmessage", "__keyevent@0__:*", "__keyevent@0__:new", "k")
              + PubSubTestSupport.msg3("pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "k")
              + "+OK\r\n",
          client.call3("SET", "k", "w"));
    }
  }

  private void makeExpired(String key) {
    Database db = server.server().keyspace().db(0);
    Key k = Key.of(key);
    db.setExpire(k, db.peek(k), System.currentTimeMillis() - 1000);
  }
}
