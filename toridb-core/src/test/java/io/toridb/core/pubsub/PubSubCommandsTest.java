package io.toridb.core.pubsub;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.pubsub.PubSubTestSupport.conf;
import static io.toridb.core.pubsub.PubSubTestSupport.conf3;
import static io.toridb.core.pubsub.PubSubTestSupport.msg;
import static io.toridb.core.pubsub.PubSubTestSupport.msg3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.pubsub.PubSubRegistry.Kind;
import io.toridb.core.pubsub.PubSubTestSupport.Client;
import io.toridb.core.session.ClientSession.ReplyMode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PubSubCommandsTest {
  private final CommandHarness server = new CommandHarness();
  private final Client pub = new Client(server);
  private final Client sub = new Client(server);

  private static final String SUBSCRIBED_ONLY =
      "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this"
          + " context";

  private PubSubRegistry registry() {
    return server.server().pubsub();
  }

  @Nested
  class Subscribe {
    @Test
    void subscribe_confirmsEachChannel_withRunningCount() {
      assertEquals(
          conf("subscribe", "a", 1) + conf("subscribe", "b", 2), sub.call("SUBSCRIBE", "a", "b"));
      assertEquals(conf("psubscribe", "c*", 3), sub.call("PSUBSCRIBE", "c*"));
    }

    @Test
    void subscribe_inResp3_confirmsWithPushes() {
      assertEquals(
          conf3("subscribe", "a", 1) + conf3("subscribe", "b", 2),
          sub.call3("SUBSCRIBE", "a", "b"));
      assertEquals(conf3("ssubscribe", "s", 1), sub.call3("SSUBSCRIBE", "s"));
    }

    @Test
    void subscribe_sameChannelTwice_countsOnce() {
      assertEquals(
          conf("subscribe", "a", 1) + conf("subscribe", "a", 1) + conf("subscribe", "a", 1),
          sub.call("SUBSCRIBE", "a", "a", "a"));
      assertEquals(1, registry().subscribers(Kind.CHANNEL, "a".getBytes()));
    }

    @Test
    void ssubscribe_countsShardChannelsApart() {
      sub.call("SUBSCRIBE", "a");
      assertEquals(
          conf("ssubscribe", "a", 1) + conf("ssubscribe", "b", 2),
          sub.call("SSUBSCRIBE", "a", "b"));
      assertEquals(conf("psubscribe", "p", 2), sub.call("PSUBSCRIBE", "p"));
    }

    @Test
    void subscribe_withoutChannels_isAnArityError() {
      assertEquals(
          error("ERR wrong number of arguments for 'subscribe' command"), sub.call("SUBSCRIBE"));
      assertEquals(
          error("ERR wrong number of arguments for 'psubscribe' command"), sub.call("PSUBSCRIBE"));
      assertEquals(
          error("ERR wrong number of arguments for 'ssubscribe' command"), sub.call("SSUBSCRIBE"));
    }

    @Test
    void subscribe_withoutConnection_repliesInTheReplyBuffer() {
      CommandHarness bare = new CommandHarness(server);
      bare.session().host(null);
      assertEquals(conf("subscribe", "x", 1), bare.call("SUBSCRIBE", "x"));
      assertEquals(integer(1), pub.call("PUBLISH", "x", "m"));
    }

    @Test
    void subscribe_fromKilledSession_registersNothing() {
      sub.h.session().kill();
      assertEquals(conf("subscribe", "x", 0), sub.call("SUBSCRIBE", "x"));
      assertEquals(0, registry().size(Kind.CHANNEL));
    }
  }

  @Nested
  class Unsubscribe {
    @Test
    void unsubscribe_withoutArguments_andNoSubscription_repliesNull() {
      assertEquals(conf("unsubscribe", null, 0), sub.call("UNSUBSCRIBE"));
      assertEquals(conf("punsubscribe", null, 0), sub.call("PUNSUBSCRIBE"));
      assertEquals(conf("sunsubscribe", null, 0), sub.call("SUNSUBSCRIBE"));
      assertEquals(conf3("unsubscribe", null, 0), sub.call3("UNSUBSCRIBE"));
    }

    @Test
    void unsubscribe_fromChannelsNotSubscribed_repliesCurrentCount() {
      assertEquals(
          conf("unsubscribe", "foo", 0)
              + conf("unsubscribe", "bar", 0)
              + conf("unsubscribe", "quux", 0),
          sub.call("UNSUBSCRIBE", "foo", "bar", "quux"));
      sub.call("PSUBSCRIBE", "p*");
      assertEquals(conf("unsubscribe", "foo", 1), sub.call("UNSUBSCRIBE", "foo"));
    }

    @Test
    void unsubscribe_withoutArguments_dropsEveryChannel_inSubscriptionOrder() {
      sub.call("SUBSCRIBE", "c1", "c2", "c3");
      sub.call("PSUBSCRIBE", "p*");
      assertEquals(
          conf("unsubscribe", "c1", 3)
              + conf("unsubscribe", "c2", 2)
              + conf("unsubscribe", "c3", 1),
          sub.call("UNSUBSCRIBE"));
      // The patterns stay: the count of a null confirmation includes them.
      assertEquals(conf("unsubscribe", null, 1), sub.call("UNSUBSCRIBE"));
      assertEquals(conf("punsubscribe", "p*", 0), sub.call("PUNSUBSCRIBE"));
      assertEquals(0, registry().size(Kind.CHANNEL));
      assertEquals(0, registry().size(Kind.PATTERN));
    }

    @Test
    void sunsubscribe_leavesChannelsAlone() {
      sub.call("SUBSCRIBE", "a");
      sub.call("SSUBSCRIBE", "a", "b");
      assertEquals(
          conf("sunsubscribe", "a", 1) + conf("sunsubscribe", "b", 0), sub.call("SUNSUBSCRIBE"));
      assertEquals(1, registry().subscribers(Kind.CHANNEL, "a".getBytes()));
      assertEquals(0, registry().size(Kind.SHARD));
    }

    @Test
    void unsubscribe_stopsDelivery() {
      sub.call("SUBSCRIBE", "a", "b");
      sub.call("UNSUBSCRIBE", "a");
      assertEquals(integer(0), pub.call("PUBLISH", "a", "x"));
      assertEquals(integer(1), pub.call("PUBLISH", "b", "y"));
      assertEquals(msg("message", "b", "y"), sub.take());
    }
  }

  @Nested
  class Publish {
    @Test
    void publish_withoutSubscribers_returnsZero() {
      assertEquals(integer(0), pub.call("PUBLISH", "nobody", "hello"));
    }

    @Test
    void publish_reachesEverySubscriber_andCountsThem() {
      Client other = new Client(server);
      sub.call("SUBSCRIBE", "chan1");
      other.call("SUBSCRIBE", "chan1");
      assertEquals(integer(2), pub.call("PUBLISH", "chan1", "hello"));
      assertEquals(msg("message", "chan1", "hello"), sub.take());
      assertEquals(msg("message", "chan1", "hello"), other.take());
      assertEquals("", pub.take());
    }

    @Test
    void publish_toChannelAndMatchingPattern_deliversBoth_channelFirst() {
      sub.call("SUBSCRIBE", "foo.bar");
      sub.call("PSUBSCRIBE", "foo.*");
      assertEquals(integer(2), pub.call("PUBLISH", "foo.bar", "hello"));
      assertEquals(
          msg("message", "foo.bar", "hello") + msg("pmessage", "foo.*", "foo.bar", "hello"),
          sub.take());
    }

    @Test
    void publish_matchesPatternsAsStringmatch() {
      sub.call("PSUBSCRIBE", "foo.*", "bar.*", "h?llo", "n[ae]t", "x\\*");
      assertEquals(integer(1), pub.call("PUBLISH", "foo.1", "m"));
      assertEquals(integer(1), pub.call("PUBLISH", "bar.1", "m"));
      assertEquals(integer(0), pub.call("PUBLISH", "foo1", "m"));
      assertEquals(integer(0), pub.call("PUBLISH", "barfoo.1", "m"));
      assertEquals(integer(1), pub.call("PUBLISH", "hallo", "m"));
      assertEquals(integer(1), pub.call("PUBLISH", "net", "m"));
      assertEquals(integer(0), pub.call("PUBLISH", "nit", "m"));
      assertEquals(integer(1), pub.call("PUBLISH", "x*", "m"));
      assertEquals(integer(0), pub.call("PUBLISH", "xy", "m"));
      assertEquals(
          msg("pmessage", "foo.*", "foo.1", "m")
              + msg("pmessage", "bar.*", "bar.1", "m")
              + msg("pmessage", "h?llo", "hallo", "m")
              + msg("pmessage", "n[ae]t", "net", "m")
              + msg("pmessage", "x\\*", "x*", "m"),
          sub.take());
    }

    @Test
    void publish_toResp3Subscriber_sendsPushes() {
      sub.call3("SUBSCRIBE", "a");
      sub.call3("PSUBSCRIBE", "*");
      sub.h.session().protocol(3);
      assertEquals(integer(2), pub.call("PUBLISH", "a", "bin\r\n\0"));
      assertEquals(
          msg3("message", "a", "bin\r\n\0") + msg3("pmessage", "*", "a", "bin\r\n\0"), sub.take());
    }

    @Test
    void publish_toItselfInResp3_deliversBeforeTheReply() {
      sub.h.session().protocol(3);
      sub.call3("SUBSCRIBE", "me");
      assertEquals(msg3("message", "me", "hi") + integer(1), sub.call3("PUBLISH", "me", "hi"));
    }

    @Test
    void publish_keepsBinaryPayloads() {
      sub.call("SUBSCRIBE", "\u00ff\0");
      pub.call("PUBLISH", "\u00ff\0", "\u0001\u00fe");
      assertEquals(msg("message", "\u00ff\0", "\u0001\u00fe"), sub.take());
    }

    @Test
    void spublish_reachesShardSubscribersOnly() {
      Client plain = new Client(server);
      plain.call("SUBSCRIBE", "s");
      plain.call("PSUBSCRIBE", "*");
      sub.call("SSUBSCRIBE", "s");
      assertEquals(integer(1), pub.call("SPUBLISH", "s", "x"));
      assertEquals(msg("smessage", "s", "x"), sub.take());
      assertEquals("", plain.take());
      assertEquals(integer(2), pub.call("PUBLISH", "s", "y"));
      assertEquals("", sub.take());
    }

    @Test
    void publish_withWrongArity_isRefused() {
      assertEquals(
          error("ERR wrong number of arguments for 'publish' command"), pub.call("PUBLISH", "a"));
      assertEquals(
          error("ERR wrong number of arguments for 'spublish' command"),
          pub.call("SPUBLISH", "a", "b", "c"));
    }
  }

  @Nested
  class Introspection {
    @Test
    void numsub_countsChannelSubscribersOnly() {
      Client other = new Client(server);
      sub.call("SUBSCRIBE", "a", "b");
      other.call("SUBSCRIBE", "a");
      other.call("PSUBSCRIBE", "a");
      assertEquals(
          "*6\r\n" + bulk("a") + integer(2) + bulk("b") + integer(1) + bulk("c") + integer(0),
          pub.call("PUBSUB", "NUMSUB", "a", "b", "c"));
      assertEquals("*0\r\n", pub.call("PUBSUB", "NUMSUB"));
    }

    @Test
    void numpat_countsUniquePatterns() {
      Client other = new Client(server);
      sub.call("PSUBSCRIBE", "foo*");
      other.call("PSUBSCRIBE", "foo*");
      sub.call("PSUBSCRIBE", "bar*");
      other.call("PSUBSCRIBE", "baz*");
      assertEquals(integer(3), pub.call("PUBSUB", "NUMPAT"));
      sub.call("PUNSUBSCRIBE");
      other.call("PUNSUBSCRIBE");
      assertEquals(integer(0), pub.call("PUBSUB", "numpat"));
    }

    @Test
    void channels_listsActiveChannels_matchingPattern() {
      sub.call("SUBSCRIBE", "news.a", "news.b", "sport");
      sub.call("PSUBSCRIBE", "news.*");
      assertEquals(
          "*2\r\n" + bulk("news.a") + bulk("news.b"),
          sorted(pub.call("PUBSUB", "CHANNELS", "news.*")));
      assertEquals("*3\r\n", pub.call("PUBSUB", "CHANNELS").substring(0, 4));
      assertEquals("*0\r\n", pub.call("PUBSUB", "CHANNELS", "x*"));
    }

    @Test
    void shardChannels_andShardNumsub_seeShardSubscriptionsOnly() {
      sub.call("SUBSCRIBE", "a");
      sub.call("SSUBSCRIBE", "s");
      assertEquals("*1\r\n" + bulk("s"), pub.call("PUBSUB", "SHARDCHANNELS"));
      assertEquals("*1\r\n" + bulk("s"), pub.call("PUBSUB", "SHARDCHANNELS", "s*"));
      assertEquals(
          "*4\r\n" + bulk("s") + integer(1) + bulk("a") + integer(0),
          pub.call("PUBSUB", "SHARDNUMSUB", "s", "a"));
    }

    @Test
    void pubsub_errors_matchRedis() {
      assertEquals(
          error(
              "ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB"
                  + " HELP."),
          pub.call("PUBSUB", "channels", "a", "b"));
      assertEquals(
          error("ERR wrong number of arguments for 'pubsub|numpat' command"),
          pub.call("PUBSUB", "NUMPAT", "x"));
      assertEquals(
          error("ERR unknown subcommand 'foo'. Try PUBSUB HELP."), pub.call("PUBSUB", "foo"));
      assertEquals(error("ERR wrong number of arguments for 'pubsub' command"), pub.call("PUBSUB"));
    }

    @Test
    void help_listsSubcommands() {
      String help = pub.call("PUBSUB", "HELP");
      assertTrue(
          help.startsWith(
              "*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                  + "+CHANNELS [<pattern>]\r\n"),
          help);
      assertTrue(help.endsWith("+HELP\r\n+    Prints this help.\r\n"), help);
    }

    private String sorted(String reply) {
      String[] lines = reply.split("\r\n");
      java.util.List<String> names = new java.util.ArrayList<>();
      for (int i = 2; i < lines.length; i += 2) {
        names.add(lines[i]);
      }
      java.util.Collections.sort(names);
      StringBuilder sb = new StringBuilder(lines[0]).append("\r\n");
      for (String n : names) {
        sb.append(bulk(n));
      }
      return sb.toString();
    }
  }

  @Nested
  class SubscribedMode {
    @Test
    void resp2Subscriber_mayOnlySubscribePingQuitReset() {
      sub.call("SUBSCRIBE", "a");
      assertEquals(error("ERR Can't execute 'get" + SUBSCRIBED_ONLY), sub.call("GET", "k"));
      assertEquals(
          error("ERR Can't execute 'publish" + SUBSCRIBED_ONLY), sub.call("PUBLISH", "a", "b"));
      assertEquals(
          error("ERR Can't execute 'pubsub|numsub" + SUBSCRIBED_ONLY),
          sub.call("PUBSUB", "NUMSUB", "a"));
      assertEquals(conf("psubscribe", "p", 2), sub.call("PSUBSCRIBE", "p"));
      assertEquals(conf("ssubscribe", "s", 1), sub.call("SSUBSCRIBE", "s"));
      assertEquals(conf("sunsubscribe", "s", 0), sub.call("SUNSUBSCRIBE", "s"));
    }

    @Test
    void ping_whileSubscribed_repliesPongArray() {
      sub.call("SUBSCRIBE", "a");
      assertEquals("*2\r\n" + bulk("pong") + bulk(""), sub.call("PING"));
      assertEquals("*2\r\n" + bulk("pong") + bulk("foo"), sub.call("PING", "foo"));
      assertEquals(
          error("ERR wrong number of arguments for 'ping' command"), sub.call("PING", "a", "b"));
      sub.call("UNSUBSCRIBE", "a");
      assertEquals("+PONG\r\n", sub.call("PING"));
    }

    @Test
    void shardSubscriptionAlone_alsoRestricts() {
      sub.call("SSUBSCRIBE", "s");
      assertEquals(error("ERR Can't execute 'get" + SUBSCRIBED_ONLY), sub.call("GET", "k"));
    }

    @Test
    void leavingEverySubscription_endsTheRestriction() {
      sub.call("SUBSCRIBE", "a");
      sub.call("PSUBSCRIBE", "b");
      sub.call("UNSUBSCRIBE");
      assertTrue(sub.call("GET", "k").startsWith("-ERR Can't execute"));
      sub.call("PUNSUBSCRIBE");
      assertEquals("$-1\r\n", sub.call("GET", "k"));
      assertFalse(sub.h.session().subscriptions().active());
    }

    @Test
    void resp3Subscriber_isNotRestricted() {
      sub.h.session().protocol(3);
      sub.call3("SUBSCRIBE", "a");
      assertEquals(OK, sub.call3("SET", "k", "v"));
      assertEquals("+PONG\r\n", sub.call3("PING"));
    }

    @Test
    void reset_dropsEverySubscription() {
      sub.call("SUBSCRIBE", "a", "b");
      sub.call("PSUBSCRIBE", "p*");
      sub.call("SSUBSCRIBE", "s");
      assertEquals("+RESET\r\n", sub.call("RESET"));
      assertFalse(sub.h.session().subscriptions().active());
      assertEquals(0, registry().size(Kind.CHANNEL));
      assertEquals(0, registry().size(Kind.PATTERN));
      assertEquals(0, registry().size(Kind.SHARD));
      assertEquals(integer(0), pub.call("PUBLISH", "a", "x"));
      assertEquals("$-1\r\n", sub.call("GET", "k"));
    }

    @Test
    void unsubscribeAll_onDisconnect_leavesNoTrace() {
      sub.call("SUBSCRIBE", "a");
      sub.call("PSUBSCRIBE", "a*");
      registry().unsubscribeAll(sub.h.session());
      assertEquals(0, registry().size(Kind.CHANNEL));
      assertEquals(0, registry().size(Kind.PATTERN));
      assertEquals(0, sub.h.session().subscriptions().channels());
      assertEquals(0, sub.h.session().subscriptions().patterns());
    }
  }

  @Nested
  class SilencedReplies {
    @Test
    void clientReplyOff_stillDeliversConfirmationsAndMessages() {
      sub.h.session().protocol(3);
      sub.h.session().replyMode(ReplyMode.OFF);
      assertEquals(conf3("subscribe", "channel", 1), sub.call3("SUBSCRIBE", "channel"));
      assertEquals(conf3("psubscribe", "ch*", 2), sub.call3("PSUBSCRIBE", "ch*"));
      assertEquals(integer(2), pub.call("PUBLISH", "channel", "hello"));
      assertEquals(
          msg3("message", "channel", "hello") + msg3("pmessage", "ch*", "channel", "hello"),
          sub.take());
      // Its own PUBLISH: the message arrives, the reply does not.
      assertEquals(
          msg3("message", "channel", "me") + msg3("pmessage", "ch*", "channel", "me"),
          sub.call3("PUBLISH", "channel", "me"));
      assertEquals(conf3("unsubscribe", "channel", 1), sub.call3("UNSUBSCRIBE", "channel"));
      assertEquals(conf3("punsubscribe", "ch*", 0), sub.call3("PUNSUBSCRIBE", "ch*"));
    }

    @Test
    void clientReplySkip_silencesOnlyTheNextReply_notTheConfirmation() {
      sub.h.session().replyMode(ReplyMode.SKIP);
      // As after the CLIENT REPLY SKIP command itself: the next command is silenced.
      sub.h.session().commandDone();
      assertEquals(conf("psubscribe", "*", 1), sub.call("PSUBSCRIBE", "*"));
      assertEquals("*2\r\n" + bulk("pong") + bulk(""), sub.call("PING"));
    }
  }
}
