package io.toridb.cluster;

/**
 * Opens outgoing cluster-bus connections. The server implements it over its network library;
 * whatever arrives on a link, and its end, is reported to {@link Cluster#onMessage} and {@link
 * Cluster#onLinkClosed}.
 */
public interface BusTransport {
  /** Starts connecting to {@code ip:port}; the link may be written to at once. */
  BusLink connect(String ip, int port);
}
