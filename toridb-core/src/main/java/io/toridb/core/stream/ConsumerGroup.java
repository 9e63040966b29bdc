package io.toridb.core.stream;

import java.util.Arrays;
import java.util.TreeMap;

/**
 * A consumer group of a stream: the last ID delivered to it, its logical read counter, its pending
 * entries list (entries delivered and not yet acknowledged) and its consumers, as Redis's streamCG.
 */
public final class ConsumerGroup {
  /** The read counter when it is not known (Redis's SCG_INVALID_ENTRIES_READ). */
  public static final long INVALID_ENTRIES_READ = -1;

  final byte[] name;
  StreamId lastId;
  long entriesRead;

  /** Every pending entry of the group, by ID; each also sits in its consumer's list. */
  final TreeMap<StreamId, Pending> pel = new TreeMap<>();

  /** Consumers by name, in byte order (the order XINFO lists them in, as Redis's rax). */
  final TreeMap<byte[], Consumer> consumers = new TreeMap<>(Arrays::compareUnsigned);

  ConsumerGroup(byte[] name, StreamId lastId, long entriesRead) {
    this.name = name;
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  public byte[] name() {
    return name;
  }

  public StreamId lastId() {
    return lastId;
  }

  public long entriesRead() {
    return entriesRead;
  }

  public TreeMap<StreamId, Pending> pel() {
    return pel;
  }

  public TreeMap<byte[], Consumer> consumers() {
    return consumers;
  }

  /** The consumer named {@code name}, made (seen now) if the group has none by that name. */
  Consumer consumer(byte[] name, long now) {
    Consumer c = consumers.get(name);
    if (c == null) {
      c = new Consumer(name, now);
      consumers.put(name, c);
    }
    return c;
  }

  /**
   * Restores a consumer read from a snapshot or payload; its pending entries are added with {@link
   * #restorePending}.
   */
  public Consumer restoreConsumer(byte[] name, long seenTime) {
    Consumer c = new Consumer(name, seenTime);
    consumers.put(name, c);
    return c;
  }

  /** Restores a pending entry of the group, not yet owned by any consumer. */
  public void restorePending(StreamId id, long deliveryTime, long deliveryCount) {
    pel.put(id, new Pending(deliveryTime, deliveryCount, null));
  }

  /** Removes a consumer and its pending entries from the group; returns how many it had. */
  int deleteConsumer(Consumer c) {
    int n = c.pel.size();
    for (StreamId id : c.pel.keySet()) {
      pel.remove(id);
    }
    consumers.remove(c.name);
    return n;
  }

  /** A deep copy, consumers and pending entries linked to each other as in this one. */
  ConsumerGroup copy() {
    ConsumerGroup g = new ConsumerGroup(name, lastId, entriesRead);
    for (Consumer c : consumers.values()) {
      Consumer d = g.restoreConsumer(c.name, c.seenTime);
      for (var e : c.pel.entrySet()) {
        Pending p = e.getValue();
        Pending q = new Pending(p.deliveryTime, p.deliveryCount, d);
        d.pel.put(e.getKey(), q);
        g.pel.put(e.getKey(), q);
      }
    }
    for (var e : pel.entrySet()) {
      if (e.getValue().consumer == null) {
        Pending p = e.getValue();
        g.pel.put(e.getKey(), new Pending(p.deliveryTime, p.deliveryCount, null));
      }
    }
    return g;
  }

  /** An entry delivered to a consumer and not acknowledged yet (Redis's streamNACK). */
  public static final class Pending {
    long deliveryTime;
    long deliveryCount;
    Consumer consumer;

    Pending(long deliveryTime, long deliveryCount, Consumer consumer) {
      this.deliveryTime = deliveryTime;
      this.deliveryCount = deliveryCount;
      this.consumer = consumer;
    }

    public long deliveryTime() {
      return deliveryTime;
    }

    public long deliveryCount() {
      return deliveryCount;
    }

    public Consumer consumer() {
      return consumer;
    }
  }

  /** A consumer of a group: its name, when it was last seen, and its own pending entries. */
  public static final class Consumer {
    final byte[] name;
    long seenTime;
    final TreeMap<StreamId, Pending> pel = new TreeMap<>();

    Consumer(byte[] name, long seenTime) {
      this.name = name;
      this.seenTime = seenTime;
    }

    public byte[] name() {
      return name;
    }

    public long seenTime() {
      return seenTime;
    }

    public TreeMap<StreamId, Pending> pel() {
      return pel;
    }

    /**
     * Takes over the group's pending entry {@code id} (restoring a snapshot: the group's list is
     * read first, then each consumer names its entries). False if the group has no such entry or it
     * already has an owner.
     */
    public boolean claimRestored(ConsumerGroup group, StreamId id) {
      Pending p = group.pel.get(id);
      if (p == null || p.consumer != null) {
        return false;
      }
      p.consumer = this;
      pel.put(id, p);
      return true;
    }
  }
}
