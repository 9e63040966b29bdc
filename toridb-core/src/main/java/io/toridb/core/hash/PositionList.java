package io.toridb.core.hash;

import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/** A growable list of pair positions, collected by HSCAN and HRANDFIELD without boxing. */
final class PositionList implements IntConsumer {
  private int[] items = new int[16];
  private int size;

  @Override
  public void accept(int pos) {
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    items[size++] = pos;
  }

  int size() {
    return size;
  }

  int get(int i) {
    return items[i];
  }

  /** Drops the positions {@code filter} accepts, keeping the order of the others. */
  void removeIf(IntPredicate filter) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (!filter.test(items[i])) {
        items[kept++] = items[i];
      }
    }
    size = kept;
  }
}
