package io.toridb.core.keyspace;

import io.toridb.core.CommandHarness;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Shared helpers for the keyspace tests: fake values of other types, expiry and propagation. */
final class KeyspaceTestSupport {
  private KeyspaceTestSupport() {}

  /** A value of any type, for tests that need types whose commands live elsewhere. */
  static final class FakeValue extends StoredValue {
    private final ValueType type;
    private final String encoding;

    FakeValue(ValueType type, String encoding) {
      this.type = type;
      this.encoding = encoding;
    }

    @Override
    public ValueType type() {
      return type;
    }

    @Override
    public String encoding() {
      return encoding;
    }

    @Override
    public StoredValue copy() {
      return new FakeValue(type, encoding);
    }
  }

  /** Records every propagated effect as "db:ARG ARG ...". */
  static List<String> recordPropagation(CommandHarness h) {
    List<String> log = new ArrayList<>();
    h.server()
        .propagation(
            (db, argv) -> {
              StringBuilder sb = new StringBuilder().append(db).append(':');
              for (int i = 0; i < argv.length; i++) {
                sb.append(i == 0 ? "" : " ")
                    .append(new String(argv[i], StandardCharsets.ISO_8859_1));
              }
              synchronized (log) {
                log.add(sb.toString());
              }
            });
    return log;
  }

  /** Makes {@code key} in database {@code db} expire at {@code at} (may be in the past). */
  static void expireAt(CommandHarness h, int db, String key, long at) {
    Database d = h.server().keyspace().db(db);
    Key k = Key.of(key);
    d.setExpire(k, d.peek(k), at);
  }

  /** Makes {@code key} in database 0 already expired. */
  static void expired(CommandHarness h, String key) {
    expireAt(h, 0, key, System.currentTimeMillis() - 10_000);
  }

  static String array(String... elements) {
    StringBuilder sb = new StringBuilder("*").append(elements.length).append("\r\n");
    for (String e : elements) {
      sb.append(e);
    }
    return sb.toString();
  }

  static String bulks(String... values) {
    String[] b = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = CommandHarness.bulk(values[i]);
    }
    return array(b);
  }
}
