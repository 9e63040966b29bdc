package io.toridb.core.list;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.List;

/** What the list tests share: reply builders, direct access to values, captured effects. */
final class ListTestSupport {
  private ListTestSupport() {}

  static final String WRONGTYPE =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
  static final String SYNTAX = "-ERR syntax error\r\n";
  static final String EMPTY_ARRAY = "*0\r\n";
  static final String NULL_ARRAY = "*-1\r\n";
  static final String NULL3 = "_\r\n";

  /** An array of bulk strings. */
  static String array(String... elements) {
    StringBuilder sb = new StringBuilder("*").append(elements.length).append("\r\n");
    for (String e : elements) {
      sb.append(CommandHarness.bulk(e));
    }
    return sb.toString();
  }

  /** An array of integers. */
  static String integers(long... values) {
    StringBuilder sb = new StringBuilder("*").append(values.length).append("\r\n");
    for (long v : values) {
      sb.append(':').append(v).append("\r\n");
    }
    return sb.toString();
  }

  /** Records every keyspace event as "event:key". */
  static List<String> captureEvents(CommandHarness h) {
    List<String> events = new ArrayList<>();
    h.server().notifier((db, type, event, key) -> events.add(event + ":" + key));
    return events;
  }

  /**
   * Makes the harness's commands run as inside MULTI, where blocking commands may not block. The
   * context has no public switch for it yet, so the test flips the field it reads.
   */
  /**
   * Runs {@code cmd} alone inside MULTI/EXEC, where blocking commands may not block, and returns
   * its reply (the one element of EXEC's reply).
   */
  static String inTransaction(CommandHarness h, String... cmd) {
    h.call("MULTI");
    h.call(cmd);
    String exec = h.call("EXEC");
    if (!exec.startsWith("*1\r\n")) {
      throw new AssertionError("EXEC replied " + exec);
    }
    return exec.substring(4);
  }

  /** {@link #inTransaction} in RESP3. */
  static String inTransaction3(CommandHarness h, String... cmd) {
    int before = h.session().protocol();
    h.session().protocol(3);
    try {
      return inTransaction(h, cmd);
    } finally {
      h.session().protocol(before);
    }
  }
}
