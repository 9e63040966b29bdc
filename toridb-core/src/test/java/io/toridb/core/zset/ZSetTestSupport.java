package io.toridb.core.zset;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What the sorted set tests share: RESP builders, foreign values, captured effects and events. */
final class ZSetTestSupport {
  private ZSetTestSupport() {}

  static final String WRONGTYPE =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
  static final String NOT_FLOAT = "-ERR value is not a valid float\r\n";
  static final String SYNTAX = "-ERR syntax error\r\n";
  static final String NIL = "$-1\r\n";
  static final String NULL3 = "_\r\n";
  static final String NULL_ARRAY = "*-1\r\n";
  static final String EMPTY = "*0\r\n";

  static String bulk(String s) {
    return CommandHarness.bulk(s);
  }

  static String integer(long n) {
    return ":" + n + "\r\n";
  }

  /** A RESP3 double. */
  static String dbl(String text) {
    return "," + text + "\r\n";
  }

  static String array(String... items) {
    return "*" + items.length + "\r\n" + String.join("", items);
  }

  /** An array of bulk strings. */
  static String bulks(String... items) {
    StringBuilder sb = new StringBuilder("*").append(items.length).append("\r\n");
    for (String s : items) {
      sb.append(bulk(s));
    }
    return sb.toString();
  }

  /** RESP3 nested pairs [[member, ,score], ...] from "m1", "s1", "m2", "s2", .... */
  static String pairs3(String... memberScores) {
    StringBuilder sb = new StringBuilder("*").append(memberScores.length / 2).append("\r\n");
    for (int i = 0; i < memberScores.length; i += 2) {
      sb.append("*2\r\n").append(bulk(memberScores[i])).append(dbl(memberScores[i + 1]));
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

  /** A plain set as the set family would store it: only what ZUNION and friends read. */
  static final class FakeSet extends StoredValue implements SetOperand {
    private final List<byte[]> members = new ArrayList<>();

    FakeSet(String... members) {
      for (String m : members) {
        this.members.add(m.getBytes(StandardCharsets.ISO_8859_1));
      }
    }

    @Override
    public int size() {
      return members.size();
    }

    @Override
    public boolean contains(byte[] member) {
      return members.stream().anyMatch(m -> java.util.Arrays.equals(m, member));
    }

    @Override
    public void forEach(java.util.function.Consumer<byte[]> action) {
      members.forEach(action);
    }

    @Override
    public ValueType type() {
      return ValueType.SET;
    }

    @Override
    public String encoding() {
      return "hashtable";
    }

    @Override
    public StoredValue copy() {
      return this;
    }
  }

  static Database db(CommandHarness h) {
    return h.server().keyspace().db(0);
  }

  static void putOther(CommandHarness h, String key) {
    db(h).put(Key.of(key), new OtherValue());
  }

  static void putSet(CommandHarness h, String key, String... members) {
    db(h).put(Key.of(key), new FakeSet(members));
  }

  static void config(CommandHarness h, String name, String value) {
    String reply = h.call("CONFIG", "SET", name, value);
    if (!reply.equals("+OK\r\n")) {
      throw new AssertionError(reply);
    }
  }
}
