package io.toridb.core.pubsub;

import io.toridb.core.CommandHarness;
import java.nio.charset.StandardCharsets;

/** Clients with a connection for pub/sub engine tests, and the RESP shapes they receive. */
final class PubSubTestSupport {
  private PubSubTestSupport() {}

  /**
   * A client of {@code server}'s server: what is pushed to its connection (its flushed
   * confirmations, messages from other clients) is collected in arrival order.
   */
  static final class Client {
    final CommandHarness h;

    Client(CommandHarness server) {
      this.h = new CommandHarness(server);
    }

    /** Runs a command; returns everything the client received for it, in order. */
    String call(String... args) {
      String reply = h.call(args);
      return take() + reply;
    }

    /** Same in RESP3. */
    String call3(String... args) {
      String reply = h.call3(args);
      return take() + reply;
    }

    /** What was pushed since the last call, and forgets it. */
    String take() {
      return h.host().takeSent();
    }
  }

  /** An aggregate of bulk strings and one trailing integer when {@code count} is not null. */
  static String frame(char type, Long count, String... parts) {
    StringBuilder sb = new StringBuilder();
    sb.append(type).append(parts.length + (count == null ? 0 : 1)).append("\r\n");
    for (String p : parts) {
      if (p == null) {
        sb.append(type == '>' ? "_\r\n" : "$-1\r\n");
      } else {
        sb.append('$')
            .append(p.getBytes(StandardCharsets.ISO_8859_1).length)
            .append("\r\n")
            .append(p)
            .append("\r\n");
      }
    }
    if (count != null) {
      sb.append(':').append(count).append("\r\n");
    }
    return sb.toString();
  }

  /** A (un)subscribe confirmation in RESP2. */
  static String conf(String word, String name, long count) {
    return frame('*', count, word, name);
  }

  /** The same in RESP3 (a push). */
  static String conf3(String word, String name, long count) {
    return frame('>', count, word, name);
  }

  /** A message in RESP2: {@code message ch payload} or {@code pmessage pattern ch payload}. */
  static String msg(String... parts) {
    return frame('*', null, parts);
  }

  /** The same in RESP3. */
  static String msg3(String... parts) {
    return frame('>', null, parts);
  }
}
