package io.toridb.core.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.toridb.core.CommandHarness;
import io.toridb.core.pubsub.PubSubRegistry.Kind;
import io.toridb.core.pubsub.PubSubTestSupport.Client;
import io.toridb.protocol.RespFormatException;
import io.toridb.protocol.RespReply;
import io.toridb.protocol.RespReplyParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry under concurrent subscribers and publishers, as workers run them. */
class PubSubConcurrencyTest {
  private final CommandHarness server = new CommandHarness();
  private final ExecutorService pool = Executors.newFixedThreadPool(6);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static List<RespReply> frames(String wire) {
    try {
      return RespReplyParser.parseAll(wire.getBytes(StandardCharsets.ISO_8859_1));
    } catch (RespFormatException e) {
      throw new AssertionError("malformed pushes", e);
    }
  }

  private static String text(RespReply r) {
    return new String(r.bytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void churn_leavesNoSubscriptionBehind() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> tasks = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int seed = t;
      tasks.add(
          pool.submit(
              () -> {
                Client c = new Client(server);
                Random r = new Random(seed);
                for (int i = 0; i < 3000; i++) {
                  String name = "c" + r.nextInt(8);
                  switch (r.nextInt(6)) {
                    case 0 -> c.call("SUBSCRIBE", name);
                    case 1 -> c.call("UNSUBSCRIBE", name);
                    case 2 -> c.call("PSUBSCRIBE", name + "*");
                    case 3 -> c.call("PUNSUBSCRIBE");
                    case 4 -> c.call("SSUBSCRIBE", name);
                    default -> c.call("UNSUBSCRIBE");
                  }
                  c.take();
                }
                c.call("RESET");
                return null;
              }));
    }
    tasks.add(
        pool.submit(
            () -> {
              Client p = new Client(server);
              while (!stop.get()) {
                p.call("PUBLISH", "c" + (System.nanoTime() & 7), "x");
                p.call("SPUBLISH", "c1", "y");
              }
              return null;
            }));
    for (int i = 0; i < 4; i++) {
      tasks.get(i).get(60, TimeUnit.SECONDS);
    }
    stop.set(true);
    tasks.get(4).get(10, TimeUnit.SECONDS);
    PubSubRegistry registry = server.server().pubsub();
    assertEquals(0, registry.size(Kind.CHANNEL));
    assertEquals(0, registry.size(Kind.PATTERN));
    assertEquals(0, registry.size(Kind.SHARD));
  }

  /**
   * A subscriber that keeps subscribing and unsubscribing while another client publishes never sees
   * a message outside a subscription: none before the confirmation of its SUBSCRIBE, none after the
   * confirmation of its UNSUBSCRIBE.
   */
  @Test
  void messages_neverOvertakeOrFollowTheirConfirmations() throws Exception {
    Client sub = new Client(server);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch publishing = new CountDownLatch(1);
    Future<?> publisher =
        pool.submit(
            () -> {
              Client p = new Client(server);
              publishing.countDown();
              long n = 0;
              while (!stop.get()) {
                p.call("PUBLISH", "ch", Long.toString(n++));
              }
              return null;
            });
    publishing.await();
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      stream.append(sub.call(i % 2 == 0 ? "SUBSCRIBE" : "UNSUBSCRIBE", "ch"));
      if (i % 50 == 0) {
        Thread.sleep(1);
      }
    }
    stop.set(true);
    publisher.get(10, TimeUnit.SECONDS);
    stream.append(sub.take());
    boolean subscribed = false;
    int messages = 0;
    for (RespReply f : frames(stream.toString())) {
      String word = text(f.get(0));
      switch (word) {
        case "subscribe" -> subscribed = true;
        case "unsubscribe" -> subscribed = false;
        case "message" -> {
          messages++;
          if (!subscribed) {
            fail("message " + text(f.get(2)) + " outside a subscription");
          }
        }
        default -> fail("unexpected frame " + word);
      }
    }
    assertTrue(messages >= 0);
  }

  /** Messages of one publisher reach every subscriber complete and in publication order. */
  @Test
  void onePublisher_keepsItsOrder_forEverySubscriber() throws Exception {
    List<Client> subs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Client c = new Client(server);
      c.call(i == 0 ? "SUBSCRIBE" : "PSUBSCRIBE", i == 0 ? "seq" : "s*");
      subs.add(c);
    }
    int count = 5000;
    List<Future<?>> publishers = new ArrayList<>();
    for (String channel : new String[] {"seq", "sequel"}) {
      publishers.add(
          pool.submit(
              () -> {
                Client p = new Client(server);
                for (int i = 0; i < count; i++) {
                  p.call("PUBLISH", channel, Integer.toString(i));
                }
                return null;
              }));
    }
    for (Future<?> f : publishers) {
      f.get(60, TimeUnit.SECONDS);
    }
    for (int s = 0; s < subs.size(); s++) {
      int[] next = new int[2];
      for (RespReply f : frames(subs.get(s).take())) {
        int last = f.size() - 1;
        String channel = text(f.get(last - 1));
        int slot = channel.equals("seq") ? 0 : 1;
        assertEquals(next[slot]++, Integer.parseInt(text(f.get(last))), "subscriber " + s);
      }
      // The channel subscriber hears only "seq"; the pattern subscribers both channels.
      assertEquals(count, next[0]);
      assertEquals(s == 0 ? 0 : count, next[1]);
    }
  }
}
