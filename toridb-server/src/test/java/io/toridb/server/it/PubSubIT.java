package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pub/sub over raw sockets, byte for byte as Redis 7.0.15 sends it: several subscribers and
 * patterns in RESP2 and RESP3, the order of confirmations, messages and replies, RESP2 subscribed
 * mode, CLIENT LIST and INFO fields, cleanup on disconnect, and keyspace notifications.
 */
class PubSubIT {
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  private static final String ONLY =
      "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this"
          + " context\r\n";

  @AfterEach
  void reset() throws IOException {
    try (RespClient c = tori.connect()) {
      c.call("CONFIG", "SET", "notify-keyspace-events", "");
      c.call("FLUSHALL");
    }
  }

  /** An aggregate of bulk strings ({@code *} or {@code >}), then an integer when given. */
  private static String frame(char type, Long count, String... parts) {
    StringBuilder sb = new StringBuilder();
    sb.append(type).append(parts.length + (count == null ? 0 : 1)).append("\r\n");
    for (String p : parts) {
      if (p == null) {
        sb.append(type == '>' ? "_\r\n" : "$-1\r\n");
      } else {
        byte[] b = p.getBytes(StandardCharsets.ISO_8859_1);
        sb.append('$').append(b.length).append("\r\n").append(p).append("\r\n");
      }
    }
    if (count != null) {
      sb.append(':').append(count).append("\r\n");
    }
    return sb.toString();
  }

  private static String conf(String word, String name, long count) {
    return frame('*', count, word, name);
  }

  private static String conf3(String word, String name, long count) {
    return frame('>', count, word, name);
  }

  private static String msg(String... parts) {
    return frame('*', null, parts);
  }

  private static String msg3(String... parts) {
    return frame('>', null, parts);
  }

  private static String read(RespClient c) throws IOException {
    return c.read().rawText();
  }

  private static RespClient resp3() throws IOException {
    RespClient c = tori.connect();
    c.call("HELLO", "3");
    return c;
  }

  @Test
  void publish_reachesChannelAndPatternSubscribers_inBothProtocols() throws IOException {
    try (RespClient s1 = tori.connect();
        RespClient s2 = tori.connect();
        RespClient s3 = resp3();
        RespClient pub = tori.connect()) {
      s1.send("SUBSCRIBE", "news", "sport");
      assertEquals(conf("subscribe", "news", 1), read(s1));
      assertEquals(conf("subscribe", "sport", 2), read(s1));
      assertEquals(conf("psubscribe", "n*", 1), s2.call("PSUBSCRIBE", "n*").rawText());
      s3.send("SUBSCRIBE", "news");
      assertEquals(conf3("subscribe", "news", 1), read(s3));
      assertEquals(conf3("psubscribe", "*", 2), s3.call("PSUBSCRIBE", "*").rawText());

      assertEquals(":4\r\n", pub.call("PUBLISH", "news", "hello").rawText());
      assertEquals(":2\r\n", pub.call("PUBLISH", "sport", "goal").rawText());
      assertEquals(":0\r\n", pub.call("PUBLISH", "", "nobody").rawText());

      assertEquals(msg("message", "news", "hello"), read(s1));
      assertEquals(msg("message", "sport", "goal"), read(s1));
      assertEquals(msg("pmessage", "n*", "news", "hello"), read(s2));
      assertEquals(msg3("message", "news", "hello"), read(s3));
      assertEquals(msg3("pmessage", "*", "news", "hello"), read(s3));
      assertEquals(msg3("pmessage", "*", "sport", "goal"), read(s3));

      assertEquals(
          "*4\r\n$4\r\nnews\r\n:2\r\n$5\r\nsport\r\n:1\r\n",
          pub.call("PUBSUB", "NUMSUB", "news", "sport").rawText());
      assertEquals(":2\r\n", pub.call("PUBSUB", "NUMPAT").rawText());
    }
  }

  @Test
  void unsubscribe_withoutSubscriptions_repliesNull_inBothProtocols() throws IOException {
    try (RespClient c = tori.connect();
        RespClient c3 = resp3()) {
      assertEquals(conf("unsubscribe", null, 0), c.call("UNSUBSCRIBE").rawText());
      assertEquals(conf("punsubscribe", null, 0), c.call("PUNSUBSCRIBE").rawText());
      assertEquals(conf3("unsubscribe", null, 0), c3.call("UNSUBSCRIBE").rawText());
      assertEquals(conf3("sunsubscribe", null, 0), c3.call("SUNSUBSCRIBE").rawText());
      // Still a normal client afterwards.
      assertEquals("+PONG\r\n", c.call("PING").rawText());
    }
  }

  /**
   * A client pipelines a command, SUBSCRIBE and PING while another client publishes without pause:
   * it reads the command's reply, then the confirmation, and only then messages (and the pong
   * somewhere among them).
   */
  @Test
  void confirmation_isNeverOvertakenByMessages() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> publisher =
        CompletableFuture.runAsync(
            () -> {
              try (RespClient p = tori.connect()) {
                while (!stop.get()) {
                  p.call("PUBLISH", "busy", "m");
                }
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    try {
      for (int i = 0; i < 20; i++) {
        try (RespClient s = tori.connect()) {
          s.sendRaw(
              new String(RespClient.encode("ECHO", "first"), StandardCharsets.ISO_8859_1)
                  + new String(RespClient.encode("SUBSCRIBE", "busy"), StandardCharsets.ISO_8859_1)
                  + new String(RespClient.encode("PING"), StandardCharsets.ISO_8859_1));
          assertEquals("$5\r\nfirst\r\n", read(s));
          assertEquals(conf("subscribe", "busy", 1), read(s));
          boolean pong = false;
          for (int n = 0; n < 5 || !pong; n++) {
            String f = read(s);
            if (f.equals("*2\r\n$4\r\npong\r\n$0\r\n\r\n")) {
              pong = true;
            } else {
              assertEquals(msg("message", "busy", "m"), f);
            }
          }
          // Leaving: nothing but messages before the confirmation, nothing at all after it.
          s.send("UNSUBSCRIBE");
          String f;
          while ((f = read(s)).startsWith("*3\r\n$7\r\nmessage")) {
            assertEquals(msg("message", "busy", "m"), f);
          }
          assertEquals(conf("unsubscribe", "busy", 0), f);
          assertEquals("$4\r\nnext\r\n", s.call("ECHO", "next").rawText());
        }
      }
    } finally {
      stop.set(true);
      publisher.get(15, TimeUnit.SECONDS);
    }
  }

  @Test
  void resp3Client_publishingToItself_getsTheMessageBeforeTheReply() throws IOException {
    try (RespClient c = resp3()) {
      assertEquals(conf3("subscribe", "me", 1), c.call("SUBSCRIBE", "me").rawText());
      c.send("PUBLISH", "me", "hi");
      assertEquals(msg3("message", "me", "hi"), read(c));
      assertEquals(":1\r\n", read(c));
      // Not restricted: any command runs.
      assertEquals("+OK\r\n", c.call("SET", "k", "v").rawText());
    }
  }

  @Test
  void resp2Subscriber_isRestricted_untilItLeaves() throws IOException {
    try (RespClient c = tori.connect()) {
      c.call("SUBSCRIBE", "a");
      assertEquals("-ERR Can't execute 'get" + ONLY, c.call("GET", "k").rawText());
      assertEquals("-ERR Can't execute 'client|list" + ONLY, c.call("CLIENT", "LIST").rawText());
      assertEquals("*2\r\n$4\r\npong\r\n$0\r\n\r\n", c.call("PING").rawText());
      assertEquals("*2\r\n$4\r\npong\r\n$3\r\nabc\r\n", c.call("PING", "abc").rawText());
      assertEquals(conf("unsubscribe", "a", 0), c.call("UNSUBSCRIBE", "a").rawText());
      assertEquals("+PONG\r\n", c.call("PING").rawText());
      assertEquals("$-1\r\n", c.call("GET", "k").rawText());
      c.call("PSUBSCRIBE", "x*");
      assertEquals("+OK\r\n", c.call("QUIT").rawText());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void reset_leavesEverySubscription() throws IOException {
    try (RespClient c = tori.connect();
        RespClient other = tori.connect()) {
      c.call("SUBSCRIBE", "r1");
      c.call("PSUBSCRIBE", "r*");
      assertEquals("+RESET\r\n", c.call("RESET").rawText());
      assertEquals(":0\r\n", other.call("PUBLISH", "r1", "x").rawText());
      assertEquals("+PONG\r\n", c.call("PING").rawText());
    }
  }

  @Test
  void clientList_andInfo_showSubscriptions() throws IOException {
    try (RespClient sub = tori.connect();
        RespClient admin = tori.connect()) {
      String id = admin.call("CLIENT", "ID").rawText().substring(1).trim();
      sub.call("SUBSCRIBE", "l1", "l2");
      assertEquals(conf("subscribe", "l2", 2), read(sub));
      sub.call("PSUBSCRIBE", "l*");
      sub.call("SSUBSCRIBE", "s1");
      String list = new String(admin.call("CLIENT", "LIST").payload(), StandardCharsets.UTF_8);
      String line =
          list.lines().filter(l -> !l.startsWith("id=" + id + " ")).findFirst().orElseThrow();
      assertTrue(line.contains(" flags=P db=0 sub=2 psub=1 ssub=1 multi=-1 "), line);
      assertTrue(line.contains(" cmd=ssubscribe "), line);
      String pubsubType =
          new String(
              admin.call("CLIENT", "LIST", "TYPE", "PUBSUB").payload(), StandardCharsets.UTF_8);
      assertEquals(1, pubsubType.lines().count(), pubsubType);
      String normal =
          new String(
              admin.call("CLIENT", "LIST", "TYPE", "NORMAL").payload(), StandardCharsets.UTF_8);
      assertTrue(normal.contains(" flags=N db=0 sub=0 psub=0 ssub=0 "), normal);

      String info = new String(admin.call("INFO", "stats").payload(), StandardCharsets.UTF_8);
      assertTrue(info.contains("\r\npubsub_channels:2\r\n"), info);
      assertTrue(info.contains("\r\npubsub_patterns:1\r\n"), info);
      assertTrue(info.contains("\r\npubsubshard_channels:1\r\n"), info);

      assertEquals("+RESET\r\n", sub.call("RESET").rawText());
      String after = new String(admin.call("CLIENT", "LIST").payload(), StandardCharsets.UTF_8);
      assertTrue(after.lines().allMatch(l -> l.contains(" sub=0 psub=0 ssub=0 ")), after);
    }
  }

  @Test
  void disconnect_dropsTheSubscriptions() throws Exception {
    try (RespClient admin = tori.connect()) {
      RespClient sub = tori.connect();
      sub.call("SUBSCRIBE", "gone");
      sub.call("PSUBSCRIBE", "gone*");
      assertEquals(":2\r\n", admin.call("PUBLISH", "gone", "x").rawText());
      sub.close();
      long deadline = System.currentTimeMillis() + 10_000;
      String numsub;
      do {
        Thread.sleep(10);
        numsub = admin.call("PUBSUB", "NUMSUB", "gone").rawText();
      } while (!numsub.endsWith(":0\r\n") && System.currentTimeMillis() < deadline);
      assertEquals("*2\r\n$4\r\ngone\r\n:0\r\n", numsub);
      assertEquals(":0\r\n", admin.call("PUBSUB", "NUMPAT").rawText());
      assertEquals(":0\r\n", admin.call("PUBLISH", "gone", "x").rawText());
    }
  }

  @Test
  void clientKill_typePubsub_closesSubscribersOnly() throws Exception {
    try (RespClient sub = tori.connect();
        RespClient admin = tori.connect()) {
      sub.call("SUBSCRIBE", "k1");
      assertEquals(":1\r\n", admin.call("CLIENT", "KILL", "TYPE", "pubsub").rawText());
      assertTrue(sub.closedByServer());
      assertEquals("+PONG\r\n", admin.call("PING").rawText());
    }
  }

  /**
   * Publishes 1 MB messages to a subscriber that never reads (its receive buffer small) until it is
   * no longer subscribed, at most 30 s; returns how many were published.
   */
  private static int floodUntilDisconnected(RespClient slow, RespClient pub) throws IOException {
    slow.socket().setReceiveBufferSize(4096);
    slow.call("SUBSCRIBE", "flood");
    byte[] big = new byte[1024 * 1024];
    int published = 0;
    long deadline = System.currentTimeMillis() + 30_000;
    String receivers;
    do {
      receivers = pub.call("PUBLISH".getBytes(), "flood".getBytes(), big).rawText();
      published++;
    } while (receivers.equals(":1\r\n") && System.currentTimeMillis() < deadline);
    assertEquals(":0\r\n", receivers);
    return published;
  }

  /** A subscriber that never reads is disconnected once 32 MB of messages wait for it. */
  @Test
  void subscriberThatDoesNotRead_isDisconnected() throws Exception {
    try (RespClient slow = tori.connect();
        RespClient pub = tori.connect()) {
      int published = floodUntilDisconnected(slow, pub);
      assertTrue(published > 32, "disconnected after " + published + " messages");
      assertEquals("*2\r\n$5\r\nflood\r\n:0\r\n", pub.call("PUBSUB", "NUMSUB", "flood").rawText());
    }
  }

  /** The limit is client-output-buffer-limit's pubsub hard limit, settable at run time. */
  @Test
  void subscriberThatDoesNotRead_isDisconnectedAtTheConfiguredHardLimit() throws Exception {
    try (var limit = tori.configured("client-output-buffer-limit", "pubsub 1mb 1mb 60");
        RespClient slow = tori.connect();
        RespClient pub = tori.connect()) {
      int published = floodUntilDisconnected(slow, pub);
      // Past the 1 MB, and before the channel's 8 MB high-water mark (the sockets' buffers hold a
      // few MB more: about 5 here).
      assertTrue(published > 1 && published < 11, "disconnected after " + published + " messages");
    }
  }

  /**
   * The soft limit: above it for longer than its seconds disconnects, above it for less does not
   * (as Redis, checked when a message is pushed).
   */
  @Test
  void subscriberAboveTheSoftLimitTooLong_isDisconnected() throws Exception {
    try (var limit = tori.configured("client-output-buffer-limit", "pubsub 64mb 1mb 1");
        RespClient slow = tori.connect();
        RespClient pub = tori.connect()) {
      slow.socket().setReceiveBufferSize(4096);
      slow.call("SUBSCRIBE", "flood");
      byte[] big = new byte[1024 * 1024];
      // About 5 MB fill the sockets' buffers; the rest waits in the server, above 1 MB.
      for (int i = 0; i < 10; i++) {
        assertEquals(
            ":1\r\n", pub.call("PUBLISH".getBytes(), "flood".getBytes(), big).rawText(), "" + i);
      }
      // With nothing more published, the background cycle closes it once more than 1 whole
      // second has passed (Redis's clientsCron does the same).
      long deadline = System.currentTimeMillis() + 5000;
      String subscribers;
      do {
        Thread.sleep(100);
        subscribers = pub.call("PUBSUB", "NUMSUB", "flood").rawText();
      } while (!subscribers.endsWith(":0\r\n") && System.currentTimeMillis() < deadline);
      assertEquals("*2\r\n$5\r\nflood\r\n:0\r\n", subscribers);
    }
  }

  @Test
  void clientReplyOff_stillReceivesConfirmationsAndMessages() throws IOException {
    try (RespClient c = resp3();
        RespClient pub = tori.connect()) {
      c.send("CLIENT", "REPLY", "OFF");
      assertEquals(conf3("subscribe", "quiet", 1), c.call("SUBSCRIBE", "quiet").rawText());
      assertEquals(conf3("psubscribe", "qu*", 2), c.call("PSUBSCRIBE", "qu*").rawText());
      assertEquals(":2\r\n", pub.call("PUBLISH", "quiet", "hello").rawText());
      assertEquals(msg3("message", "quiet", "hello"), read(c));
      assertEquals(msg3("pmessage", "qu*", "quiet", "hello"), read(c));
      c.send("CLIENT", "REPLY", "ON");
      assertEquals("+OK\r\n", read(c));
    }
  }

  @Test
  void keyspaceNotifications_forStringsAndGenericCommands() throws IOException {
    try (RespClient c = tori.connect();
        RespClient sub = tori.connect()) {
      c.call("CONFIG", "SET", "notify-keyspace-events", "KEA");
      assertEquals(
          "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n",
          c.call("CONFIG", "GET", "notify-keyspace-events").rawText());
      sub.call("PSUBSCRIBE", "__key*__:*");
      c.call("SET", "foo", "bar");
      c.call("EXPIRE", "foo", "100");
      c.call("RENAME", "foo", "baz");
      c.call("DEL", "baz");
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        got.add(read(sub));
      }
      String p = "__key*__:*";
      assertEquals(
          List.of(
              msg("pmessage", p, "__keyspace@0__:foo", "set"),
              msg("pmessage", p, "__keyevent@0__:set", "foo"),
              msg("pmessage", p, "__keyspace@0__:foo", "expire"),
              msg("pmessage", p, "__keyevent@0__:expire", "foo"),
              msg("pmessage", p, "__keyspace@0__:foo", "rename_from"),
              msg("pmessage", p, "__keyevent@0__:rename_from", "foo"),
              msg("pmessage", p, "__keyspace@0__:baz", "rename_to"),
              msg("pmessage", p, "__keyevent@0__:rename_to", "baz"),
              msg("pmessage", p, "__keyspace@0__:baz", "del"),
              msg("pmessage", p, "__keyevent@0__:del", "baz")),
          got);
    }
  }

  @Test
  void keyspaceNotifications_expiredByTheActiveCycle() throws IOException {
    try (RespClient c = tori.connect();
        RespClient sub = tori.connect()) {
      c.call("CONFIG", "SET", "notify-keyspace-events", "Ex");
      sub.call("SUBSCRIBE", "__keyevent@0__:expired");
      c.call("PSETEX", "short", "50", "v");
      // Nobody reads the key: only the active expiry cycle can reclaim it.
      assertEquals(msg("message", "__keyevent@0__:expired", "short"), read(sub));
    }
  }

  @Test
  void configSet_refusesUnknownEventClasses() throws IOException {
    try (RespClient c = tori.connect()) {
      assertEquals(
          "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') -"
              + " Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n",
          c.call("CONFIG", "SET", "notify-keyspace-events", "KEy").rawText());
    }
  }
}
