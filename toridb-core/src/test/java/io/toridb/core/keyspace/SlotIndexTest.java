package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.string.StringValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The keys-by-slot index of a cluster node's database, against a walk over the database. */
class SlotIndexTest {
  private static StringValue value(String s) {
    return StringValue.of(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void packedAndWrappedKeysHashAsTheirBytes() {
    for (String k : new String[] {"foo", "{user1000}.following", "a-key-longer-than-sixteen", ""}) {
      byte[] b = k.getBytes(StandardCharsets.UTF_8);
      assertEquals(HashSlot.of(b), HashSlot.of(Key.of(b).compact()), k);
    }
  }

  @Test
  void followsPutsRemovalsExpiriesAndFlushes() {
    Keyspace ks = new Keyspace(2);
    assertNull(ks.db(0).slots());
    ks.indexSlots();
    Database db = ks.db(0);
    Random r = new Random(5);
    for (int i = 0; i < 300; i++) {
      db.put(Key.of("before" + i), value("v"));
    }
    // Built from what is there on first use, then kept current.
    check(db);
    long now = System.currentTimeMillis();
    for (int round = 0; round < 20_000; round++) {
      Key key = Key.of("k" + r.nextInt(500) + (r.nextBoolean() ? "{t" + r.nextInt(5) + "}" : ""));
      switch (r.nextInt(5)) {
        case 0, 1 -> db.put(key, value("v"));
        case 2 -> db.remove(key);
        case 3 -> {
          StringValue v = value("e");
          db.put(key, v);
          db.setExpire(key, v, now - 1);
          db.expireIfNeeded(key, now);
        }
        default -> db.load(key, value("l"), StoredValue.NO_EXPIRY);
      }
    }
    check(db);
    db.clear();
    assertEquals(0, total(db));
    check(db);
    db.put(Key.of("after-flush"), value("v"));
    check(db);
    // A private view (BEGIN) keeps no index.
    assertNull(ks.privateView((d, k) -> null).db(0).slots());
  }

  private static int total(Database db) {
    int n = 0;
    for (int s = 0; s < HashSlot.COUNT; s++) {
      n += db.slots().count(s);
    }
    return n;
  }

  private static void check(Database db) {
    Map<Integer, Set<String>> bySlot = new HashMap<>();
    for (Map.Entry<Key, StoredValue> e : db.entries()) {
      byte[] k = e.getKey().bytes();
      bySlot
          .computeIfAbsent(HashSlot.of(k), x -> new HashSet<>())
          .add(new String(k, StandardCharsets.UTF_8));
    }
    assertEquals(db.size(), total(db));
    for (Map.Entry<Integer, Set<String>> e : bySlot.entrySet()) {
      assertEquals(e.getValue().size(), db.slots().count(e.getKey()));
      List<String> listed = new ArrayList<>();
      for (byte[] k : db.slots().keys(e.getKey(), Long.MAX_VALUE)) {
        listed.add(new String(k, StandardCharsets.UTF_8));
      }
      assertEquals(e.getValue(), new HashSet<>(listed));
      assertTrue(db.slots().keys(e.getKey(), 1).size() <= 1);
    }
  }
}
