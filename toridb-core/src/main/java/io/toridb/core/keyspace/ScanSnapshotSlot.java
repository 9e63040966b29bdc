package io.toridb.core.keyspace;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a collection publishes its current SCAN snapshot, with the rule that keeps SCAN's guarantee
 * when several clients scan at once: every snapshot carries a generation drawn just before its copy
 * began (or before it was re-validated), and only a higher generation may replace the published
 * one. Without the rule, a copy begun before some iteration started could finish late and replace a
 * newer one that iteration relies on.
 *
 * <p>Use, for a database or a large collection: a call with cursor 0 draws {@link
 * #nextGeneration()} and then either copies the elements ({@link ScanSnapshot#of}) or, if it can
 * prove nothing was added since the current snapshot's copy, re-publishes that snapshot under the
 * new generation; other calls read {@link #current()} and copy afresh (with a new generation) when
 * it has been released. Publish every copy; {@link #release} it when a call returns cursor 0. See
 * {@link Database#scan}.
 *
 * @param <E> element type
 */
public final class ScanSnapshotSlot<E> {
  /**
   * A published snapshot; {@code snapshot} is null once released. {@code quiescentPuts} is free for
   * the owner's proof that nothing was added since the copy (-1 when it has none).
   */
  public record Published<E>(ScanSnapshot<E> snapshot, long quiescentPuts, long generation) {}

  private final AtomicLong generations = new AtomicLong();
  private final AtomicReference<Published<E>> current =
      new AtomicReference<>(new Published<>(null, -1, 0));

  /** Draws the generation for a snapshot about to be copied or re-validated. */
  public long nextGeneration() {
    return generations.incrementAndGet();
  }

  public Published<E> current() {
    return current.get();
  }

  /** Publishes {@code p} unless a snapshot of a higher or equal generation is already there. */
  public void publish(Published<E> p) {
    while (true) {
      Published<E> now = current.get();
      if (now.generation() >= p.generation() || current.compareAndSet(now, p)) {
        return;
      }
    }
  }

  /**
   * Drops {@code p}'s elements if it is still the published snapshot, keeping its generation so
   * that no older snapshot can be published after it.
   */
  public void release(Published<E> p) {
    current.compareAndSet(p, new Published<>(null, -1, p.generation()));
  }
}
