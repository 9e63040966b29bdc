package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.toridb.core.string.StringValue;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DatabasePresizeTest {
  private static StringValue value(String s) {
    return StringValue.of(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void aPresizedEmptyDatabase_holdsWhatIsPutInto() {
    Database db = new Keyspace(1).db(0);
    db.presize(100_000);
    for (int i = 0; i < 1_000; i++) {
      db.put(Key.of("k" + i), value("v" + i));
    }
    assertEquals(1_000, db.size());
    assertNotNull(db.peek(Key.of("k999")));
    assertNull(db.peek(Key.of("k1000")));
  }

  @Test
  void presizingADatabaseThatHoldsKeys_keepsThemAll() {
    Database db = new Keyspace(1).db(0);
    StringValue v = value("v");
    db.put(Key.of("a"), v);
    db.presize(100_000);
    assertEquals(1, db.size());
    assertSame(v, db.peek(Key.of("a")));
  }
}
