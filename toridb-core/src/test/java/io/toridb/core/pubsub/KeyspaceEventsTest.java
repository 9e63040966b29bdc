package io.toridb.core.pubsub;

import static io.toridb.core.CommandHarness.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toridb.core.CommandHarness;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** notify-keyspace-events: parsing and formatting exactly as Redis 7.0.15. */
class KeyspaceEventsTest {
  /** Pairs checked against redis-server 7.0.15: CONFIG SET value, then what CONFIG GET shows. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "KEA|AKE",
        "AmnKE|AKEm",
        "glshz$xetd|A",
        "n|n",
        "gKE|gKE",
        "$lshzxeKE|$lshzxeKE",
        "KA|AK",
        "EA|AE",
        "Kx|xK",
        "mE|Em",
        "Ex|xE",
        "En|nE",
        "gggK|gK",
        "zhsl$g|g$lshz",
        "td|td",
        "''|''",
      })
  void canonical_matchesRedisConfigGet(String set, String shown) {
    assertEquals(shown, KeyspaceEvents.canonical(set));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "G", "KEX", " ", "K E", "*", "AKEq"})
  void parse_onUnknownClass_returnsMinusOne(String value) {
    assertEquals(-1, KeyspaceEvents.parse(value));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KeyspaceEvents.canonical(value));
    assertEquals("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.", e.getMessage());
  }

  @Test
  void all_excludesKeyMissAndNew() {
    int all = KeyspaceEvents.parse("A");
    assertEquals(0, all & KeyspaceEvents.KEY_MISS);
    assertEquals(0, all & KeyspaceEvents.NEW);
    assertEquals(0, all & (KeyspaceEvents.KEYSPACE | KeyspaceEvents.KEYEVENT));
    assertEquals(KeyspaceEvents.ALL, all);
  }

  /** Redis's bits, which modules and the flag strings rely on. */
  @Test
  void bits_matchRedis() {
    assertEquals(1, KeyspaceEvents.KEYSPACE);
    assertEquals(2, KeyspaceEvents.KEYEVENT);
    assertEquals(4, KeyspaceEvents.GENERIC);
    assertEquals(8, KeyspaceEvents.STRING);
    assertEquals(16, KeyspaceEvents.LIST);
    assertEquals(32, KeyspaceEvents.SET);
    assertEquals(64, KeyspaceEvents.HASH);
    assertEquals(128, KeyspaceEvents.ZSET);
    assertEquals(256, KeyspaceEvents.EXPIRED);
    assertEquals(512, KeyspaceEvents.EVICTED);
    assertEquals(1024, KeyspaceEvents.STREAM);
    assertEquals(2048, KeyspaceEvents.KEY_MISS);
    assertEquals(8192, KeyspaceEvents.MODULE);
    assertEquals(16384, KeyspaceEvents.NEW);
  }

  /** Every combination reads back as itself, except 'n' hidden by 'A' (a Redis quirk). */
  @Property
  void format_thenParse_roundTrips(@ForAll @IntRange(min = 0, max = 0x7fff) int bits) {
    int flags = bits & ~(1 << 12); // bit 12 is "loaded", module-only: no letter
    int back = KeyspaceEvents.parse(KeyspaceEvents.format(flags));
    int expected = flags;
    if ((flags & KeyspaceEvents.ALL) == KeyspaceEvents.ALL) {
      expected &= ~KeyspaceEvents.NEW;
    }
    assertEquals(expected, back);
    assertEquals(
        KeyspaceEvents.format(flags), KeyspaceEvents.canonical(KeyspaceEvents.format(back)));
  }

  @Test
  void configSet_storesCanonicalForm_andRefusesBadClasses() {
    CommandHarness h = new CommandHarness();
    assertEquals(OK, h.call("CONFIG", "SET", "notify-keyspace-events", "KEA"));
    assertEquals(
        "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n",
        h.call("CONFIG", "GET", "notify-keyspace-events"));
    assertEquals(
        "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid"
            + " event class character. Use 'Ag$lshzxeKEtmdn'.\r\n",
        h.call("CONFIG", "SET", "notify-keyspace-events", "KEAq"));
    // The refused value changed nothing.
    assertEquals(
        "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n",
        h.call("CONFIG", "GET", "notify-keyspace-events"));
    assertEquals(OK, h.call("CONFIG", "SET", "notify-keyspace-events", ""));
    assertEquals(
        "*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n",
        h.call("CONFIG", "GET", "notify-keyspace-events"));
  }

  @Test
  void publisher_followsTheDirective() {
    CommandHarness h = new CommandHarness();
    KeyspaceEventPublisher publisher = (KeyspaceEventPublisher) h.server().notifier();
    assertEquals(0, publisher.flags());
    h.call("CONFIG", "SET", "notify-keyspace-events", "Kg$");
    assertEquals(
        KeyspaceEvents.KEYSPACE | KeyspaceEvents.GENERIC | KeyspaceEvents.STRING,
        publisher.flags());
  }
}
