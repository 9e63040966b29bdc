package io.toridb.core.string;

import static io.toridb.core.CommandHarness.peek;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;

/** What the string tests share: a non-string value, direct database access, captured effects. */
final class StringTestSupport {
  private StringTestSupport() {}

  static final String WRONGTYPE =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
  static final String SYNTAX = "-ERR syntax error\r\n";
  static final String EMPTY_BULK = "$0\r\n\r\n";
  static final String NULL3 = "_\r\n";

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

  static Database db(CommandHarness h) {
    return h.server().keyspace().db(0);
  }

  /** Stores a non-string value under {@code key}. */
  static void putOther(CommandHarness h, String key) {
    db(h).put(Key.of(key), new OtherValue());
  }

  static long expireAt(CommandHarness h, String key) {
    return peek(h, key).expireAt();
  }
}
