package io.toridb.core.pubsub;

import io.toridb.core.keyspace.Key;

/** Publishes keyspace events to the channels {@code notify-keyspace-events} enables. */
public interface KeyspaceNotifier {
  /** Raises {@code event} of class {@code type} (a {@link KeyspaceEvents} bit) on {@code key}. */
  void notify(int db, int type, String event, Key key);

  KeyspaceNotifier NONE = (db, type, event, key) -> {};
}
