package io.toridb.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Redis's protected mode: with no password set, connections from anything but loopback are refused
 * with a DENIED error that says how to open the server up deliberately.
 */
final class ProtectedMode {
  private ProtectedMode() {}

  static final String DENIED_REPLY =
      "-DENIED ToriDB is running in protected mode because protected mode is enabled and no"
          + " password is set for the default user. In this mode connections are only accepted"
          + " from the loopback interface. To accept connections from other hosts, either set a"
          + " password (requirepass), or disable protected mode with 'CONFIG SET protected-mode"
          + " no' from the loopback interface, or start the server with '--protected-mode no'."
          + "\r\n";

  static boolean isLoopback(SocketAddress address) {
    if (address instanceof InetSocketAddress i) {
      InetAddress a = i.getAddress();
      return a == null || a.isLoopbackAddress();
    }
    // Unix sockets and in-process channels are local.
    return true;
  }
}
