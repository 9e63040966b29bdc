package io.toridb.core.session;

import io.netty.buffer.ByteBuf;

/**
 * The way back to a client from any thread: what pub/sub uses to push messages to subscribers that
 * are not the client running the current command. The server implements it with the connection's
 * reply path, so bytes sent here are written in the order they are offered, after every reply
 * buffer the connection's worker handed over before.
 */
@FunctionalInterface
public interface ClientChannel {
  /** Writes {@code buffer} to the client and releases it; the caller gives up its reference. */
  void send(ByteBuf buffer);
}
