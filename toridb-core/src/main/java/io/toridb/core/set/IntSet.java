package io.toridb.core.set;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A sorted set of distinct 64-bit integers packed into one byte array, the "intset" encoding of
 * small all-integer sets.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>As Redis's intset, every element takes the same width: 2, 4 or 8 bytes, the smallest that
 * holds every element ever added. Adding a value that needs more widens all elements at once; the
 * width never narrows again. Lookups are binary searches, inserts and removals shift the tail, so
 * this only suits the small sets it is used for (set-max-intset-entries, 512 by default). The array
 * keeps some spare room so that a run of inserts does not copy the whole array each time.
 */
final class IntSet {
  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final byte[] NONE = new byte[0];

  private byte[] data;
  private int width;
  private int size;

  IntSet() {
    this(NONE, 2, 0);
  }

  private IntSet(byte[] data, int width, int size) {
    this.data = data;
    this.width = width;
    this.size = size;
  }

  /** The number of bytes each element takes for {@code v}: 2, 4 or 8. */
  static int widthFor(long v) {
    if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      return 2;
    }
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      return 4;
    }
    return 8;
  }

  int size() {
    return size;
  }

  /** The element at sorted position {@code i}. */
  long get(int i) {
    return read(data, width, i);
  }

  private static long read(byte[] data, int width, int i) {
    return switch (width) {
      case 2 -> (short) SHORT.get(data, i << 1);
      case 4 -> (int) INT.get(data, i << 2);
      default -> (long) LONG.get(data, i << 3);
    };
  }

  private static void write(byte[] data, int width, int i, long v) {
    switch (width) {
      case 2 -> SHORT.set(data, i << 1, (short) v);
      case 4 -> INT.set(data, i << 2, (int) v);
      default -> LONG.set(data, i << 3, v);
    }
  }

  boolean contains(long v) {
    return widthFor(v) <= width && search(v) >= 0;
  }

  /** The position of {@code v}, or {@code -(insertion point) - 1}. */
  private int search(long v) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long m = get(mid);
      if (m < v) {
        lo = mid + 1;
      } else if (m > v) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** Adds {@code v}; false if it was there already. */
  boolean add(long v) {
    int needed = widthFor(v);
    if (needed > width) {
      // A value wider than every element lies beyond all of them: first or last.
      widen(needed, size + 1);
      int at = v < 0 ? 0 : size;
      if (at == 0) {
        System.arraycopy(data, 0, data, width, size * width);
      }
      write(data, width, at, v);
      size++;
      return true;
    }
    int pos = search(v);
    if (pos >= 0) {
      return false;
    }
    int at = -pos - 1;
    ensureCapacity(size + 1);
    System.arraycopy(data, at * width, data, (at + 1) * width, (size - at) * width);
    write(data, width, at, v);
    size++;
    return true;
  }

  /** Removes {@code v}; false if it was not there. */
  boolean remove(long v) {
    if (widthFor(v) > width) {
      return false;
    }
    int pos = search(v);
    if (pos < 0) {
      return false;
    }
    System.arraycopy(data, (pos + 1) * width, data, pos * width, (size - pos - 1) * width);
    size--;
    if (data.length > 64 && size * width < data.length / 4) {
      data = Arrays.copyOf(data, Math.max(size * width * 2, 16));
    }
    return true;
  }

  private void ensureCapacity(int elements) {
    long bytes = (long) elements * width;
    if (bytes > data.length) {
      long grown = Math.max(bytes, Math.min((long) data.length + (data.length >> 1), 1L << 30));
      data = Arrays.copyOf(data, (int) Math.max(grown, 8));
    }
  }

  /** Re-encodes every element with {@code newWidth} bytes, with room for {@code elements}. */
  private void widen(int newWidth, int elements) {
    byte[] out = new byte[Math.max(elements * newWidth, 8)];
    for (int i = 0; i < size; i++) {
      write(out, newWidth, i, read(data, width, i));
    }
    data = out;
    width = newWidth;
  }

  IntSet copy() {
    return new IntSet(Arrays.copyOf(data, size * width), width, size);
  }
}
