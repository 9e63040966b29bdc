package io.toridb.core.session;

import io.netty.buffer.ByteBuf;

/**
 * What core may ask of the connection behind a session from any thread: the server implements it.
 * Replies sent here go out after everything sent to the client before, in the order sent.
 */
public interface ClientHost {
  /** Sends {@code reply} to the client (takes ownership of the buffer). */
  void send(ByteBuf reply);

  /**
   * The client was parked by a blocking command: called on the worker that ran it, once the client
   * is registered as waiting. The server starts the timeout (if {@code deadline} is not 0) and
   * stops running the client's further requests.
   */
  void blocked(long deadline);

  /**
   * The blocking command has replied (served, timed out or unblocked) and its reply was passed to
   * {@link #send}; the client's remaining requests may run. Called from any thread.
   */
  void unblocked();

  /** Whether the client connects from this machine (loopback or a Unix socket). */
  default boolean local() {
    return true;
  }
}
