package io.toridb.core.server;

import io.toridb.core.session.ClientSession;

/** Sees every command as it is executed; MONITOR is built on it. */
@FunctionalInterface
public interface CommandObserver {
  void onCommand(ClientSession session, int db, byte[][] argv, long nowMicros);
}
