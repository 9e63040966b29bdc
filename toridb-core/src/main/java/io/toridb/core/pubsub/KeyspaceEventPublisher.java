package io.toridb.core.pubsub;

import io.toridb.core.config.Directive;
import io.toridb.core.keyspace.Key;
import java.nio.charset.StandardCharsets;

/**
 * Keyspace notifications over pub/sub, as Redis's notifyKeyspaceEvent: an event of an enabled class
 * is published to {@code __keyspace@<db>__:<key>} with the event name as the message (K), and to
 * {@code __keyevent@<db>__:<event>} with the key as the message (E).
 *
 * <p>The classes come from {@code notify-keyspace-events}, parsed once per change of the directive,
 * so an event of a disabled class costs one volatile read.
 */
public final class KeyspaceEventPublisher implements KeyspaceNotifier {
  private static final byte[] KEYSPACE_PREFIX = bytes("__keyspace@");
  private static final byte[] KEYEVENT_PREFIX = bytes("__keyevent@");
  private static final byte[] SEPARATOR = bytes("__:");

  private final PubSubRegistry registry;
  private volatile int flags;

  /** Publishes through {@code registry} the classes {@code directive} enables, following it. */
  public KeyspaceEventPublisher(PubSubRegistry registry, Directive directive) {
    this.registry = registry;
    this.flags = KeyspaceEvents.parse(directive.text());
    directive.onChange(d -> this.flags = KeyspaceEvents.parse(d.text()));
  }

  /** The enabled classes, {@link KeyspaceEvents} bits. */
  public int flags() {
    return flags;
  }

  @Override
  public void notify(int db, int type, String event, Key key) {
    int enabled = flags;
    if ((enabled & type) == 0) {
      return;
    }
    byte[] dbText = null;
    byte[] eventBytes = null;
    if ((enabled & KeyspaceEvents.KEYSPACE) != 0) {
      dbText = bytes(Integer.toString(db));
      eventBytes = bytes(event);
      registry.publish(channel(KEYSPACE_PREFIX, dbText, key.bytes()), eventBytes, false);
    }
    if ((enabled & KeyspaceEvents.KEYEVENT) != 0) {
      if (dbText == null) {
        dbText = bytes(Integer.toString(db));
        eventBytes = bytes(event);
      }
      registry.publish(channel(KEYEVENT_PREFIX, dbText, eventBytes), key.bytes(), false);
    }
  }

  private static byte[] channel(byte[] prefix, byte[] db, byte[] suffix) {
    byte[] out = new byte[prefix.length + db.length + SEPARATOR.length + suffix.length];
    int at = 0;
    System.arraycopy(prefix, 0, out, at, prefix.length);
    at += prefix.length;
    System.arraycopy(db, 0, out, at, db.length);
    at += db.length;
    System.arraycopy(SEPARATOR, 0, out, at, SEPARATOR.length);
    at += SEPARATOR.length;
    System.arraycopy(suffix, 0, out, at, suffix.length);
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
