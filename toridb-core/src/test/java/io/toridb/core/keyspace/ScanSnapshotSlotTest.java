package io.toridb.core.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScanSnapshotSlotTest {
  private static ScanSnapshot<String> snap(String... items) {
    return ScanSnapshot.of(List.of(items).iterator(), String::hashCode, items.length);
  }

  @Test
  void publish_aCopyBegunEarlierButFinishedLater_doesNotReplaceANewerOne() {
    ScanSnapshotSlot<String> slot = new ScanSnapshotSlot<>();
    long older = slot.nextGeneration(); // A copy begins...
    long newer = slot.nextGeneration(); // ...an iteration starts and copies too, finishing first.
    ScanSnapshotSlot.Published<String> fresh =
        new ScanSnapshotSlot.Published<>(snap("a", "b"), -1, newer);
    slot.publish(fresh);
    slot.publish(new ScanSnapshotSlot.Published<>(snap("a"), -1, older));
    assertSame(fresh, slot.current());
  }

  @Test
  void release_keepsTheGenerationSoOlderCopiesStayOut() {
    ScanSnapshotSlot<String> slot = new ScanSnapshotSlot<>();
    long older = slot.nextGeneration();
    long newer = slot.nextGeneration();
    ScanSnapshotSlot.Published<String> fresh =
        new ScanSnapshotSlot.Published<>(snap("a"), -1, newer);
    slot.publish(fresh);
    slot.release(fresh);
    assertNull(slot.current().snapshot());
    assertEquals(newer, slot.current().generation());
    slot.publish(new ScanSnapshotSlot.Published<>(snap("a"), -1, older));
    assertNull(slot.current().snapshot());
  }

  @Test
  void release_ofASupersededSnapshot_changesNothing() {
    ScanSnapshotSlot<String> slot = new ScanSnapshotSlot<>();
    ScanSnapshotSlot.Published<String> first =
        new ScanSnapshotSlot.Published<>(snap("a"), -1, slot.nextGeneration());
    slot.publish(first);
    ScanSnapshotSlot.Published<String> second =
        new ScanSnapshotSlot.Published<>(snap("a"), -1, slot.nextGeneration());
    slot.publish(second);
    slot.release(first);
    assertSame(second, slot.current());
  }
}
