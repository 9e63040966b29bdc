package io.toridb.core.pubsub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.command.CommandContext;
import io.toridb.core.keyspace.GlobPattern;
import io.toridb.core.keyspace.Key;
import io.toridb.core.session.ClientHost;
import io.toridb.core.session.ClientSession;
import io.toridb.protocol.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every subscription of the server: who listens to which channel, pattern and shard channel, and
 * the delivery of published messages to them. Shard channels (SSUBSCRIBE) are a namespace of their
 * own without patterns, as in a Redis that is not a cluster.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Each namespace maps a name to the set of subscribed sessions; a name is present only while it
 * has a subscriber (entries are added and dropped inside {@code compute}, so a subscription racing
 * with the removal of the last one is never lost). Publishers read the maps without locks and, for
 * each subscriber, take the subscriber's delivery lock ({@link ClientSubscriptions}) and check
 * under it that the subscription still holds before handing over the message, which is what keeps
 * messages and (un)subscribe confirmations in order.
 *
 * <p>A message for the client that runs the current command on this thread goes into that command's
 * reply buffer, at the point reached: so a RESP3 client that publishes to itself gets the message
 * before the reply of its PUBLISH, as in Redis. Every other subscriber gets it through its {@link
 * ClientHost}, encoded once per protocol and shared between subscribers.
 */
public final class PubSubRegistry {
  /** The three kinds of subscription, with the words of their replies. */
  public enum Kind {
    CHANNEL("subscribe", "unsubscribe", "message"),
    PATTERN("psubscribe", "punsubscribe", "pmessage"),
    SHARD("ssubscribe", "sunsubscribe", "smessage");

    final byte[] subscribeWord;
    final byte[] unsubscribeWord;
    final byte[] messageWord;

    Kind(String subscribe, String unsubscribe, String message) {
      this.subscribeWord = subscribe.getBytes(StandardCharsets.US_ASCII);
      this.unsubscribeWord = unsubscribe.getBytes(StandardCharsets.US_ASCII);
      this.messageWord = message.getBytes(StandardCharsets.US_ASCII);
    }
  }

  @SuppressWarnings("unchecked")
  private final Map<Key, Set<ClientSession>>[] maps = new Map[Kind.values().length];

  public PubSubRegistry() {
    for (int i = 0; i < maps.length; i++) {
      maps[i] = new ConcurrentHashMap<>();
    }
  }

  /**
   * Subscribes {@code session} to {@code name}; false if it already was. The caller holds the
   * session's {@link ClientSubscriptions} monitor.
   */
  boolean subscribe(ClientSession session, Kind kind, Key name) {
    if (!session.subscriptions().add(kind, name)) {
      return false;
    }
    maps[kind.ordinal()].compute(
        name,
        (k, set) -> {
          Set<ClientSession> s = set != null ? set : ConcurrentHashMap.newKeySet();
          s.add(session);
          return s;
        });
    return true;
  }

  /**
   * Unsubscribes {@code session} from {@code name}; false if it was not subscribed. The caller
   * holds the session's {@link ClientSubscriptions} monitor.
   */
  boolean unsubscribe(ClientSession session, Kind kind, Key name) {
    if (!session.subscriptions().remove(kind, name)) {
      return false;
    }
    maps[kind.ordinal()].computeIfPresent(
        name,
        (k, set) -> {
          set.remove(session);
          return set.isEmpty() ? null : set;
        });
    return true;
  }

  /**
   * Drops every subscription of {@code session} without confirmations: RESET, and a client that
   * disconnected (its session is already marked killed then, so a SUBSCRIBE still running for it
   * registers nothing afterwards).
   */
  public void unsubscribeAll(ClientSession session) {
    ClientSubscriptions subs = session.subscriptions();
    synchronized (subs) {
      for (Kind kind : Kind.values()) {
        for (Key name : subs.names(kind)) {
          unsubscribe(session, kind, name);
        }
      }
    }
  }

  /**
   * Publishes {@code message} on {@code channel}: to its subscribers, then (unless {@code shard})
   * to the subscribers of every pattern that matches it. Returns the number of deliveries, as
   * PUBLISH replies (a client subscribed both to the channel and to a matching pattern counts
   * twice).
   */
  public int publish(byte[] channel, byte[] message, boolean shard) {
    Kind kind = shard ? Kind.SHARD : Kind.CHANNEL;
    Key name = Key.of(channel);
    CommandContext current = CommandContext.current();
    int receivers = 0;
    Set<ClientSession> direct = maps[kind.ordinal()].get(name);
    if (direct != null) {
      Frame frame = new Frame(kind.messageWord, null, channel, message);
      for (ClientSession s : direct) {
        if (deliver(s, kind, name, frame, current)) {
          receivers++;
        }
      }
    }
    if (shard) {
      return receivers;
    }
    for (Map.Entry<Key, Set<ClientSession>> e : maps[Kind.PATTERN.ordinal()].entrySet()) {
      Key pattern = e.getKey();
      if (!GlobPattern.matches(pattern.bytes(), channel)) {
        continue;
      }
      Frame frame = new Frame(Kind.PATTERN.messageWord, pattern.bytes(), channel, message);
      for (ClientSession s : e.getValue()) {
        if (deliver(s, Kind.PATTERN, pattern, frame, current)) {
          receivers++;
        }
      }
    }
    return receivers;
  }

  /** Hands {@code frame} to {@code s} if it still holds the subscription; true if it did. */
  private static boolean deliver(
      ClientSession s, Kind kind, Key name, Frame frame, CommandContext current) {
    ClientSubscriptions subs = s.subscriptions();
    synchronized (subs) {
      if (!subs.contains(kind, name)) {
        return false;
      }
      byte[] bytes = frame.encoded(s.protocol());
      if (current != null && current.session() == s) {
        toSelf(current, bytes);
      } else {
        ClientHost host = s.host();
        if (host != null) {
          host.send(Unpooled.wrappedBuffer(bytes));
        }
      }
      return true;
    }
  }

  /**
   * Writes a push for the client of the current command into its reply buffer at the point reached,
   * as Redis appends it to the client's output. Under CLIENT REPLY OFF/SKIP the command's reply is
   * going to be cut off, but pushes are never silenced: the replies before this command and then
   * the push are sent to the client at once instead.
   */
  static void toSelf(CommandContext ctx, byte[] bytes) {
    ClientSession s = ctx.session();
    ClientHost host = s.host();
    if (!s.repliesSilenced() || host == null) {
      ctx.out().raw(bytes);
      return;
    }
    flushBefore(ctx, host, ctx.replyStart());
    host.send(Unpooled.wrappedBuffer(bytes));
  }

  /**
   * Sends what the current batch buffer holds before {@code end} (replies of earlier commands, and
   * this command's so far when {@code end} is the writer index) to the client now.
   */
  static void flushBefore(CommandContext ctx, ClientHost host, int end) {
    ByteBuf buf = ctx.out().buffer();
    if (buf == null) {
      return;
    }
    int n = end - buf.readerIndex();
    if (n > 0) {
      host.send(buf.readBytes(n));
    }
  }

  /** Number of subscribers of {@code name} (PUBSUB NUMSUB, SHARDNUMSUB). */
  public int subscribers(Kind kind, byte[] name) {
    Set<ClientSession> set = maps[kind.ordinal()].get(Key.of(name));
    return set == null ? 0 : set.size();
  }

  /** Number of names with at least one subscriber (PUBSUB NUMPAT, INFO pubsub_channels, ...). */
  public int size(Kind kind) {
    return maps[kind.ordinal()].size();
  }

  /** The names with subscribers that match {@code pattern} (all when null): PUBSUB CHANNELS. */
  public List<byte[]> names(Kind kind, byte[] pattern) {
    List<byte[]> out = new ArrayList<>();
    for (Key name : maps[kind.ordinal()].keySet()) {
      if (pattern == null || GlobPattern.matches(pattern, name.bytes())) {
        out.add(name.bytes());
      }
    }
    return out;
  }

  /**
   * One message as the subscribers receive it: {@code [word, channel, payload]} or, for a pattern,
   * {@code [pmessage, pattern, channel, payload]}; encoded on first use for each protocol.
   */
  static final class Frame {
    private final byte[] word;
    private final byte[] pattern;
    private final byte[] channel;
    private final byte[] payload;
    private byte[] resp2;
    private byte[] resp3;

    Frame(byte[] word, byte[] pattern, byte[] channel, byte[] payload) {
      this.word = word;
      this.pattern = pattern;
      this.channel = channel;
      this.payload = payload;
    }

    byte[] encoded(int protocol) {
      if (resp2 == null) {
        resp2 = encode();
      }
      if (protocol == 2) {
        return resp2;
      }
      if (resp3 == null) {
        // Only the aggregate type differs: a push ('>') instead of an array ('*').
        resp3 = resp2.clone();
        resp3[0] = '>';
      }
      return resp3;
    }

    private byte[] encode() {
      ByteBuf buf =
          Unpooled.buffer(48 + word.length + channel.length + payload.length + len(pattern));
      try {
        RespWriter w = new RespWriter(buf, 2);
        w.pushHeader(pattern == null ? 3 : 4);
        w.bulk(word);
        if (pattern != null) {
          w.bulk(pattern);
        }
        w.bulk(channel);
        w.bulk(payload);
        w.flush();
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
      } finally {
        buf.release();
      }
    }

    private static int len(byte[] b) {
      return b == null ? 0 : b.length;
    }
  }
}
