package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.string.StringValue;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the database stores keys: compact when new, the stored object kept when overwritten. */
class DatabaseStoreTest {
  private final Database db = new Keyspace(1).db(0);

  private static StringValue value(String s) {
    return StringValue.of(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** The key object the map holds for {@code name}. */
  private Key stored(String name) {
    for (Map.Entry<Key, StoredValue> e : db.entries()) {
      if (e.getKey().equals(Key.of(name))) {
        return e.getKey();
      }
    }
    return null;
  }

  @Test
  void aNewKey_isStoredCompact_andAnOverwriteKeepsTheStoredObject() {
    assertNull(db.put(Key.of("user:1"), value("a")));
    Key first = stored("user:1");
    assertTrue(first instanceof Key.Packed, "a short key is packed");
    StoredValue old = db.put(Key.of("user:1"), value("b"));
    assertEquals("a", new String(((StringValue) old).bytes(), StandardCharsets.US_ASCII));
    assertSame(first, stored("user:1"), "an overwrite allocates no new key");
    assertEquals(1, db.size());
  }

  @Test
  void aLongKey_staysWrapped() {
    String name = "a-key-longer-than-sixteen-bytes";
    db.put(Key.of(name), value("v"));
    assertTrue(stored(name) instanceof Key.Wrapped);
    assertEquals(
        "v", new String(((StringValue) db.peek(Key.of(name))).bytes(), StandardCharsets.US_ASCII));
  }

  @Test
  void theExpiryIndex_followsPutsExpiriesAndRemovals() {
    long later = System.currentTimeMillis() + 60_000;
    StringValue v = value("v");
    db.put(Key.of("k"), v);
    db.setExpire(Key.of("k"), v, later);
    assertEquals(1, db.expiresCount());
    // Overwritten with a value that keeps an expiry: still indexed once.
    StringValue w = value("w");
    ((StoredValue) w).expireAt(later);
    db.put(Key.of("k"), w);
    assertEquals(1, db.expiresCount());
    // Overwritten without one (SET without KEEPTTL): out of the index.
    db.put(Key.of("k"), value("x"));
    assertEquals(0, db.expiresCount());
    StringValue y = value("y");
    db.put(Key.of("k"), y);
    db.setExpire(Key.of("k"), y, later);
    db.remove(Key.of("k"));
    assertEquals(0, db.expiresCount());
    assertEquals(0, db.size());
  }
}
