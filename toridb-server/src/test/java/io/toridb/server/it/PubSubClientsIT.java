package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.sync.RedisPubSubCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisProtocol;

/**
 * Pub/sub through the clients applications use: Jedis's JedisPubSub and Lettuce's
 * StatefulRedisPubSubConnection, in RESP2 and RESP3, with channels, patterns and keyspace
 * notifications.
 */
class PubSubClientsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  private static RedisClient lettuce;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  enum Protocol {
    RESP2,
    RESP3
  }

  @BeforeAll
  static void createClient() {
    lettuce = RedisClient.create();
  }

  @AfterAll
  static void shutdownClient() {
    lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
  }

  @AfterEach
  void cleanUp() {
    pool.shutdownNow();
    try (Jedis j = jedis(Protocol.RESP2)) {
      j.configSet("notify-keyspace-events", "");
      j.flushAll();
    }
  }

  private static Jedis jedis(Protocol protocol) {
    return new Jedis(
        new HostAndPort(tori.host(), tori.port()),
        DefaultJedisClientConfig.builder()
            .timeoutMillis(15_000)
            .protocol(protocol == Protocol.RESP3 ? RedisProtocol.RESP3 : RedisProtocol.RESP2)
            .build());
  }

  /** Records what a JedisPubSub receives. */
  private static final class Recorder extends JedisPubSub {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final CountDownLatch subscribed;

    Recorder(int subscriptions) {
      subscribed = new CountDownLatch(subscriptions);
    }

    @Override
    public void onMessage(String channel, String message) {
      events.add("message " + channel + " " + message);
    }

    @Override
    public void onPMessage(String pattern, String channel, String message) {
      events.add("pmessage " + pattern + " " + channel + " " + message);
    }

    @Override
    public void onSubscribe(String channel, int count) {
      events.add("subscribe " + channel + " " + count);
      subscribed.countDown();
    }

    @Override
    public void onPSubscribe(String pattern, int count) {
      events.add("psubscribe " + pattern + " " + count);
      subscribed.countDown();
    }

    @Override
    public void onUnsubscribe(String channel, int count) {
      events.add("unsubscribe " + channel + " " + count);
    }

    @Override
    public void onPUnsubscribe(String pattern, int count) {
      events.add("punsubscribe " + pattern + " " + count);
    }

    String next() throws InterruptedException {
      String e = events.poll(15, TimeUnit.SECONDS);
      assertNotNull(e, "nothing received");
      return e;
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_subscribeAndPsubscribe_receiveMessages_thenLeave(Protocol protocol) throws Exception {
    Recorder channels = new Recorder(2);
    Recorder patterns = new Recorder(1);
    try (Jedis s1 = jedis(protocol);
        Jedis s2 = jedis(protocol);
        Jedis pub = jedis(protocol)) {
      Future<?> loop1 = pool.submit(() -> s1.subscribe(channels, "jc1", "jc2"));
      Future<?> loop2 = pool.submit(() -> s2.psubscribe(patterns, "jc*"));
      assertTrue(channels.subscribed.await(15, TimeUnit.SECONDS));
      assertTrue(patterns.subscribed.await(15, TimeUnit.SECONDS));
      assertEquals("subscribe jc1 1", channels.next());
      assertEquals("subscribe jc2 2", channels.next());
      assertEquals("psubscribe jc* 1", patterns.next());

      assertEquals(2, pub.publish("jc1", "hello"));
      assertEquals(2, pub.publish("jc2", "world"));
      assertEquals(1, pub.publish("jc3", "pattern only"));
      assertEquals(Map.of("jc1", 1L, "jc2", 1L), pub.pubsubNumSub("jc1", "jc2"));
      assertEquals(1, pub.pubsubNumPat());

      assertEquals("message jc1 hello", channels.next());
      assertEquals("message jc2 world", channels.next());
      assertEquals("pmessage jc* jc1 hello", patterns.next());
      assertEquals("pmessage jc* jc2 world", patterns.next());
      assertEquals("pmessage jc* jc3 pattern only", patterns.next());

      channels.unsubscribe();
      patterns.punsubscribe();
      loop1.get(15, TimeUnit.SECONDS);
      loop2.get(15, TimeUnit.SECONDS);
      assertEquals("unsubscribe jc1 1", channels.next());
      assertEquals("unsubscribe jc2 0", channels.next());
      assertEquals("punsubscribe jc* 0", patterns.next());
      // The connections are back to normal use, with nothing left over in their streams.
      assertEquals("PONG", s1.ping());
      s1.set("k", "v");
      assertEquals("v", s1.get("k"));
      assertEquals("PONG", s2.ping());
      assertEquals(0, pub.publish("jc1", "late"));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void jedis_keyspaceNotifications(Protocol protocol) throws Exception {
    Recorder recorder = new Recorder(1);
    try (Jedis listener = jedis(protocol);
        Jedis writer = jedis(protocol)) {
      writer.configSet("notify-keyspace-events", "KEA");
      Future<?> loop = pool.submit(() -> listener.psubscribe(recorder, "__keyspace@0__:*"));
      assertTrue(recorder.subscribed.await(15, TimeUnit.SECONDS));
      recorder.next();
      writer.set("user:1", "ann");
      writer.incr("visits");
      writer.del("user:1");
      assertEquals("pmessage __keyspace@0__:* __keyspace@0__:user:1 set", recorder.next());
      assertEquals("pmessage __keyspace@0__:* __keyspace@0__:visits incrby", recorder.next());
      assertEquals("pmessage __keyspace@0__:* __keyspace@0__:user:1 del", recorder.next());
      recorder.punsubscribe();
      loop.get(15, TimeUnit.SECONDS);
    }
  }

  private StatefulRedisPubSubConnection<String, String> lettucePubSub(Protocol protocol) {
    lettuce.setOptions(
        ClientOptions.builder()
            .protocolVersion(
                protocol == Protocol.RESP3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2)
            .build());
    return lettuce.connectPubSub(
        RedisURI.Builder.redis(tori.host(), tori.port()).withTimeout(TIMEOUT).build());
  }

  private StatefulRedisConnection<String, String> lettuceConnection(Protocol protocol) {
    lettuce.setOptions(
        ClientOptions.builder()
            .protocolVersion(
                protocol == Protocol.RESP3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2)
            .build());
    return lettuce.connect(
        RedisURI.Builder.redis(tori.host(), tori.port()).withTimeout(TIMEOUT).build());
  }

  /** Records what a Lettuce pub/sub connection receives. */
  private static final class LettuceRecorder extends RedisPubSubAdapter<String, String> {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @Override
    public void message(String channel, String message) {
      events.add("message " + channel + " " + message);
    }

    @Override
    public void message(String pattern, String channel, String message) {
      events.add("pmessage " + pattern + " " + channel + " " + message);
    }

    String next() throws InterruptedException {
      String e = events.poll(15, TimeUnit.SECONDS);
      assertNotNull(e, "nothing received");
      return e;
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void lettuce_pubSubConnection_receivesChannelAndPatternMessages(Protocol protocol)
      throws Exception {
    try (StatefulRedisPubSubConnection<String, String> sub = lettucePubSub(protocol);
        StatefulRedisConnection<String, String> pub = lettuceConnection(protocol)) {
      LettuceRecorder recorder = new LettuceRecorder();
      sub.addListener(recorder);
      RedisPubSubCommands<String, String> s = sub.sync();
      s.subscribe("lc1", "lc2");
      s.psubscribe("lc*");
      assertEquals(List.of("lc1", "lc2"), sorted(pub.sync().pubsubChannels("lc*")));
      assertEquals(2L, pub.sync().publish("lc1", "a"));
      assertEquals(1L, pub.sync().publish("lcx", "b"));
      assertEquals("message lc1 a", recorder.next());
      assertEquals("pmessage lc* lc1 a", recorder.next());
      assertEquals("pmessage lc* lcx b", recorder.next());
      s.unsubscribe("lc1", "lc2");
      s.punsubscribe("lc*");
      assertEquals(0L, pub.sync().publish("lc1", "c"));
      // After leaving, the connection runs any command again.
      assertEquals("PONG", s.ping());
      s.set("lk", "v");
      assertEquals("v", s.get("lk"));
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void lettuce_keyspaceAndExpiredEvents(Protocol protocol) throws Exception {
    try (StatefulRedisPubSubConnection<String, String> sub = lettucePubSub(protocol);
        StatefulRedisConnection<String, String> c = lettuceConnection(protocol)) {
      c.sync().configSet("notify-keyspace-events", "Eg$x");
      LettuceRecorder recorder = new LettuceRecorder();
      sub.addListener(recorder);
      sub.sync().psubscribe("__keyevent@0__:*");
      c.sync().set("lk", "v");
      c.sync().psetex("short", 50, "v");
      String p = "pmessage __keyevent@0__:* __keyevent@0__:";
      assertEquals(p + "set lk", recorder.next());
      assertEquals(p + "set short", recorder.next());
      assertEquals(p + "expire short", recorder.next());
      // Reclaimed by the active expiry cycle, since nobody reads it.
      assertEquals(p + "expired short", recorder.next());
    }
  }

  @Test
  void lettuce_resp3SubscriberMayRunCommands_whileSubscribed() throws Exception {
    try (StatefulRedisPubSubConnection<String, String> sub = lettucePubSub(Protocol.RESP3)) {
      LettuceRecorder recorder = new LettuceRecorder();
      sub.addListener(recorder);
      RedisPubSubCommands<String, String> s = sub.sync();
      s.subscribe("self");
      s.set("k3", "v");
      assertEquals("v", s.get("k3"));
      assertEquals(1L, s.publish("self", "to me"));
      assertEquals("message self to me", recorder.next());
    }
  }

  private static List<String> sorted(List<String> names) {
    return names.stream().sorted().toList();
  }
}
