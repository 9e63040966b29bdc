package io.toridb.server;

/**
 * The requests decoded from one read of one connection, handed to the connection's worker as a unit
 * so that their replies are written with one flush.
 */
final class Batch {
  final ClientConnection connection;
  byte[][][] requests = new byte[4][][];
  int count;

  /** Set once the worker has run it (see ClientConnection#batchFinished). */
  boolean finished;

  /**
   * A protocol error that ends this batch: replied after the requests, then the connection closes.
   */
  String protocolError;

  /**
   * Set on the batch that ends a blocked client's wait: the worker runs the requests it held back
   * while the client was parked (see {@link ClientConnection#unblocked}).
   */
  boolean resume;

  Batch(ClientConnection connection) {
    this.connection = connection;
  }

  void add(byte[][] argv) {
    if (count == requests.length) {
      requests = java.util.Arrays.copyOf(requests, count * 2);
    }
    requests[count++] = argv;
  }

  boolean isEmpty() {
    return count == 0 && protocolError == null && !resume;
  }

  /** Appends the requests (and protocol error) of {@code later}, which came after these. */
  void absorb(Batch later) {
    for (int i = 0; i < later.count; i++) {
      add(later.requests[i]);
    }
    if (later.protocolError != null) {
      protocolError = later.protocolError;
    }
  }
}
