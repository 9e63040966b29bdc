package io.toridb.cluster;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A cluster bus in memory: links deliver messages when {@link #pump} runs, in order, on the test's
 * thread. A node can be cut off ({@link #down}): nothing reaches it or leaves it, and new links to
 * it close at once.
 */
final class MemoryNet {
  final Map<Integer, Cluster> byBusPort = new HashMap<>();
  final Set<Integer> down = new HashSet<>();
  private final ArrayDeque<Runnable> inFlight = new ArrayDeque<>();

  BusTransport transport(int fromBusPort) {
    return (ip, port) -> connect(fromBusPort, port);
  }

  private BusLink connect(int from, int to) {
    Link out = new Link(from);
    Link in = new Link(to);
    out.peer = in;
    in.peer = out;
    if (!byBusPort.containsKey(to) || down.contains(to) || down.contains(from)) {
      out.close();
    }
    return out;
  }

  void pump() {
    Runnable r;
    int guard = 0;
    while ((r = inFlight.poll()) != null && guard++ < 100_000) {
      r.run();
    }
  }

  final class Link implements BusLink {
    final int owner;
    Link peer;
    boolean closed;

    Link(int owner) {
      this.owner = owner;
    }

    @Override
    public void send(byte[] message) {
      inFlight.add(
          () -> {
            if (closed || down.contains(owner) || down.contains(peer.owner)) {
              return;
            }
            Cluster target = byBusPort.get(peer.owner);
            if (target != null) {
              target.onMessage(peer, message, "127.0.0.1", "127.0.0.1");
            }
          });
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      peer.closed = true;
      inFlight.add(
          () -> {
            Cluster mine = byBusPort.get(owner);
            if (mine != null) {
              mine.onLinkClosed(this);
            }
            Cluster theirs = byBusPort.get(peer.owner);
            if (theirs != null) {
              theirs.onLinkClosed(peer);
            }
          });
    }
  }
}
