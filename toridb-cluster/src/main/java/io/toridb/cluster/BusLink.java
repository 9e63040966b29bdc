package io.toridb.cluster;

/** A connection of the cluster bus, as the transport that made it exposes it. */
public interface BusLink {
  /** Queues one encoded message (see {@link BusMessage}); never blocks. */
  void send(byte[] message);

  /** Closes the connection; the transport then reports it closed. */
  void close();
}
