package io.toridb.core.pubsub;

import io.toridb.core.keyspace.Key;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The channels, patterns and shard channels one client is subscribed to, in subscription order.
 *
 * <p>Its monitor is the client's delivery lock. A publisher holds it while it checks that the
 * client still has the subscription and hands it the message; the client's own SUBSCRIBE holds it
 * while it registers and flushes its confirmations, and its UNSUBSCRIBE while it unregisters. So a
 * message never overtakes the confirmation of its subscription, and none arrives after the
 * confirmation that ends it. The sets are guarded by the monitor; the counts may be read from any
 * thread (CLIENT LIST, the RESP2 subscribed-mode check).
 */
public final class ClientSubscriptions {
  private final LinkedHashSet<Key>[] sets;
  private final int[] counts;
  private volatile int total;

  @SuppressWarnings("unchecked")
  ClientSubscriptions() {
    sets = new LinkedHashSet[PubSubRegistry.Kind.values().length];
    counts = new int[sets.length];
  }

  /** A client with no subscriptions yet, as every session starts. */
  public static ClientSubscriptions empty() {
    return new ClientSubscriptions();
  }

  /** Channels (SUBSCRIBE), for CLIENT LIST's sub= field. */
  public int channels() {
    return count(PubSubRegistry.Kind.CHANNEL);
  }

  /** Patterns (PSUBSCRIBE), for CLIENT LIST's psub= field. */
  public int patterns() {
    return count(PubSubRegistry.Kind.PATTERN);
  }

  /** Shard channels (SSUBSCRIBE), for CLIENT LIST's ssub= field. */
  public int shardChannels() {
    return count(PubSubRegistry.Kind.SHARD);
  }

  /**
   * True while the client holds any subscription: Redis's CLIENT_PUBSUB flag, which restricts a
   * RESP2 client to the subscribe commands, PING, QUIT and RESET.
   */
  public boolean active() {
    return total > 0;
  }

  private int count(PubSubRegistry.Kind kind) {
    // The total is volatile and written after the counts: reading it first publishes them.
    if (total == 0) {
      return 0;
    }
    synchronized (this) {
      return counts[kind.ordinal()];
    }
  }

  /**
   * The count a confirmation reports: channels plus patterns for SUBSCRIBE and PSUBSCRIBE, shard
   * channels alone for SSUBSCRIBE, as Redis. Caller holds the monitor.
   */
  int replyCount(PubSubRegistry.Kind kind) {
    return kind == PubSubRegistry.Kind.SHARD
        ? counts[kind.ordinal()]
        : counts[PubSubRegistry.Kind.CHANNEL.ordinal()]
            + counts[PubSubRegistry.Kind.PATTERN.ordinal()];
  }

  /** Caller holds the monitor. */
  boolean contains(PubSubRegistry.Kind kind, Key name) {
    LinkedHashSet<Key> set = sets[kind.ordinal()];
    return set != null && set.contains(name);
  }

  /** Adds {@code name}; false if already there. Caller holds the monitor. */
  boolean add(PubSubRegistry.Kind kind, Key name) {
    LinkedHashSet<Key> set = sets[kind.ordinal()];
    if (set == null) {
      set = new LinkedHashSet<>();
      sets[kind.ordinal()] = set;
    }
    if (!set.add(name)) {
      return false;
    }
    counts[kind.ordinal()]++;
    total++;
    return true;
  }

  /** Removes {@code name}; false if it was not there. Caller holds the monitor. */
  boolean remove(PubSubRegistry.Kind kind, Key name) {
    LinkedHashSet<Key> set = sets[kind.ordinal()];
    if (set == null || !set.remove(name)) {
      return false;
    }
    counts[kind.ordinal()]--;
    total--;
    if (set.isEmpty()) {
      sets[kind.ordinal()] = null;
    }
    return true;
  }

  /** A copy of the names of one kind, in subscription order. Caller holds the monitor. */
  List<Key> names(PubSubRegistry.Kind kind) {
    LinkedHashSet<Key> set = sets[kind.ordinal()];
    return set == null ? List.of() : new ArrayList<>(set);
  }
}
