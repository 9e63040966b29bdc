package io.toridb.core.keyspace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The keys of a database by hash slot, kept on a cluster node (as Redis keeps its slot-to-keys
 * lists) so that CLUSTER COUNTKEYSINSLOT answers at once and GETKEYSINSLOT, which a reshard calls
 * for every slot it moves, costs the keys it returns rather than a walk over the database.
 *
 * <p>Each slot's keys are an open-addressing table of references to the key objects the database
 * map holds (linear probing, deletion by shifting back, at most half full), made when the slot's
 * first key comes: 8 to 16 bytes per key, against about 44 for a concurrent set. A slot's table is
 * guarded by its own monitor; the caller holds the key's lock, so two writers of one key never meet
 * here, and writers of different slots never wait for each other.
 */
public final class SlotIndex {
  private final AtomicReferenceArray<SlotKeys> slots = new AtomicReferenceArray<>(HashSlot.COUNT);

  void add(Key key) {
    int slot = HashSlot.of(key);
    SlotKeys keys = slots.get(slot);
    if (keys == null) {
      slots.compareAndSet(slot, null, new SlotKeys());
      keys = slots.get(slot);
    }
    keys.add(key);
  }

  void remove(Key key) {
    SlotKeys keys = slots.get(HashSlot.of(key));
    if (keys != null) {
      keys.remove(key);
    }
  }

  /** How many keys {@code slot} holds, expired ones not yet removed included. */
  public int count(int slot) {
    SlotKeys keys = slots.get(slot);
    return keys == null ? 0 : keys.size();
  }

  /** Up to {@code max} key names of {@code slot}. */
  public List<byte[]> keys(int slot, long max) {
    SlotKeys keys = slots.get(slot);
    return keys == null ? new ArrayList<>() : keys.names(max);
  }

  /** One slot's keys. */
  private static final class SlotKeys {
    private Key[] table = new Key[4];
    private int size;

    private static int home(Key k, int mask) {
      int h = k.hashCode();
      return (h ^ (h >>> 16)) & mask;
    }

    synchronized void add(Key key) {
      if ((size + 1) * 2 > table.length) {
        resize(table.length * 2);
      }
      int mask = table.length - 1;
      int i = home(key, mask);
      while (table[i] != null) {
        if (table[i].equals(key)) {
          return;
        }
        i = (i + 1) & mask;
      }
      table[i] = key;
      size++;
    }

    synchronized void remove(Key key) {
      int mask = table.length - 1;
      int i = home(key, mask);
      while (table[i] != null && !table[i].equals(key)) {
        i = (i + 1) & mask;
      }
      if (table[i] == null) {
        return;
      }
      // Shift back the keys after the hole whose probe sequence passes through it.
      int hole = i;
      for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
        int h = home(table[j], mask);
        boolean reachesHole = hole <= j ? h <= hole || h > j : h <= hole && h > j;
        if (reachesHole) {
          table[hole] = table[j];
          hole = j;
        }
      }
      table[hole] = null;
      size--;
      if (table.length > 4 && size * 8 < table.length) {
        resize(table.length / 2);
      }
    }

    private void resize(int capacity) {
      Key[] old = table;
      table = new Key[capacity];
      int mask = capacity - 1;
      for (Key k : old) {
        if (k != null) {
          int i = home(k, mask);
          while (table[i] != null) {
            i = (i + 1) & mask;
          }
          table[i] = k;
        }
      }
    }

    synchronized int size() {
      return size;
    }

    synchronized List<byte[]> names(long max) {
      List<byte[]> out = new ArrayList<>();
      for (int i = 0; i < table.length && out.size() < max; i++) {
        if (table[i] != null) {
          out.add(table[i].bytes());
        }
      }
      return out;
    }
  }
}
