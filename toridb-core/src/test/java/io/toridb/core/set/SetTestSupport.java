package io.toridb.core.set;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What the set tests share: reply parsing, a value of another type, captured effects/events. */
final class SetTestSupport {
  private SetTestSupport() {}

  static final String WRONGTYPE =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
  static final String SYNTAX = "-ERR syntax error\r\n";
  static final String EMPTY_ARRAY = "*0\r\n";
  static final String EMPTY_SET3 = "~0\r\n";
  static final String NULL3 = "_\r\n";

  /** The exact RESP2 array of bulk strings {@code items}, in order. */
  static String array(String... items) {
    return aggregate('*', items);
  }

  /** The exact RESP3 set of bulk strings {@code items}, in order. */
  static String set3(String... items) {
    return aggregate('~', items);
  }

  private static String aggregate(char type, String... items) {
    StringBuilder sb = new StringBuilder().append(type).append(items.length).append("\r\n");
    for (String i : items) {
      sb.append(CommandHarness.bulk(i));
    }
    return sb.toString();
  }

  /** A value of another type, standing in for a list. */
  static final class OtherValue extends StoredValue {
    @Override
    public ValueType type() {
      return ValueType.LIST;
    }

    @Override
    public String encoding() {
      return "listpack";
    }

    @Override
    public StoredValue copy() {
      return new OtherValue();
    }
  }

  static void putOther(CommandHarness h, String key) {
    h.server().keyspace().db(0).put(Key.of(key), new OtherValue());
  }

  /** A flat aggregate of bulk strings (array or set) parsed into its elements. */
  static List<String> elements(String reply) {
    List<String> out = new ArrayList<>();
    char type = reply.charAt(0);
    if (type != '*' && type != '~') {
      throw new AssertionError("not an aggregate: " + reply);
    }
    int eol = reply.indexOf("\r\n");
    int n = Integer.parseInt(reply.substring(1, eol));
    int pos = eol + 2;
    for (int i = 0; i < n; i++) {
      if (reply.charAt(pos) != '$') {
        throw new AssertionError("not a bulk string at " + pos + ": " + reply);
      }
      int lineEnd = reply.indexOf("\r\n", pos);
      int len = Integer.parseInt(reply.substring(pos + 1, lineEnd));
      out.add(reply.substring(lineEnd + 2, lineEnd + 2 + len));
      pos = lineEnd + 2 + len + 2;
    }
    if (pos != reply.length()) {
      throw new AssertionError("trailing bytes after " + n + " elements: " + reply);
    }
    return out;
  }

  /** The elements of an aggregate reply, sorted. */
  static List<String> sorted(String reply) {
    List<String> out = elements(reply);
    Collections.sort(out);
    return out;
  }

  /** The members of a SSCAN reply's second element, and its cursor as first list entry. */
  static List<String> scanReply(String reply) {
    // *2\r\n$N\r\ncursor\r\n*M\r\n...
    int first = reply.indexOf("\r\n");
    int lenEnd = reply.indexOf("\r\n", first + 2);
    int len = Integer.parseInt(reply.substring(first + 3, lenEnd));
    String cursor = reply.substring(lenEnd + 2, lenEnd + 2 + len);
    List<String> out = new ArrayList<>();
    out.add(cursor);
    out.addAll(elements(reply.substring(lenEnd + 2 + len + 2)));
    return out;
  }
}
