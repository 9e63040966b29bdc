package io.toridb.server;

import java.util.Collection;
import java.util.concurrent.ConcurrentSkipListMap;

/** Every open client connection, by client id (ascending, as CLIENT LIST shows them). */
final class ClientRegistry {
  private final ConcurrentSkipListMap<Long, ClientConnection> clients =
      new ConcurrentSkipListMap<>();

  void add(ClientConnection c) {
    clients.put(c.session().id(), c);
  }

  void remove(ClientConnection c) {
    clients.remove(c.session().id());
  }

  ClientConnection get(long id) {
    return clients.get(id);
  }

  Collection<ClientConnection> all() {
    return clients.values();
  }

  int size() {
    return clients.size();
  }
}
