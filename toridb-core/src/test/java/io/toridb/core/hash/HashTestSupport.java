package io.toridb.core.hash;

import static io.toridb.core.CommandHarness.peek;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.List;

/** What the hash tests share: error texts, reply builders, captured effects and events. */
final class HashTestSupport {
  private HashTestSupport() {}

  static final String WRONGTYPE =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
  static final String NOT_FLOAT = "-ERR value is not a valid float\r\n";
  static final String SYNTAX = "-ERR syntax error\r\n";
  static final String EMPTY_ARRAY = "*0\r\n";
  static final String NULL3 = "_\r\n";

  /** A RESP array of bulk strings (null for a null bulk). */
  static String array(String... items) {
    StringBuilder sb = new StringBuilder("*").append(items.length).append("\r\n");
    for (String s : items) {
      sb.append(s == null ? "$-1\r\n" : CommandHarness.bulk(s));
    }
    return sb.toString();
  }

  /** A RESP3 map of bulk strings: key, value, key, value... */
  static String map(String... items) {
    StringBuilder sb = new StringBuilder("%").append(items.length / 2).append("\r\n");
    for (String s : items) {
      sb.append(CommandHarness.bulk(s));
    }
    return sb.toString();
  }

  static HashValue hash(CommandHarness h, String key) {
    return (HashValue) peek(h, key);
  }

  /**
   * Parses one RESP reply: bulk and simple strings become Strings, integers Longs, nulls null,
   * arrays and maps Lists (a map as its flat key/value list).
   */
  static Object parse(String resp) {
    int[] pos = {0};
    return parse(resp, pos);
  }

  private static Object parse(String s, int[] pos) {
    char type = s.charAt(pos[0]);
    int eol = s.indexOf("\r\n", pos[0]);
    String head = s.substring(pos[0] + 1, eol);
    pos[0] = eol + 2;
    switch (type) {
      case '$' -> {
        int len = Integer.parseInt(head);
        if (len < 0) {
          return null;
        }
        String v = s.substring(pos[0], pos[0] + len);
        pos[0] += len + 2;
        return v;
      }
      case ':' -> {
        return Long.parseLong(head);
      }
      case '_' -> {
        return null;
      }
      case '+', '-' -> {
        return head;
      }
      case '*', '%', '~' -> {
        int n = Integer.parseInt(head) * (type == '%' ? 2 : 1);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(parse(s, pos));
        }
        return items;
      }
      default -> throw new IllegalArgumentException("unexpected reply " + s);
    }
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(String resp) {
    return (List<Object>) parse(resp);
  }
}
