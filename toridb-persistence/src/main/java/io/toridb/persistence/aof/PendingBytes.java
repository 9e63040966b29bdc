package io.toridb.persistence.aof;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The log's bytes since the last offset known to be on disk, in order: what the writer must write
 * again if a write or an fsync fails. Records are copied into direct chunks, from which the file is
 * written without a further copy, so a second of records under {@code everysec} is a few large
 * buffers rather than hundreds of thousands of small arrays for the garbage collector to trace and
 * copy. A record of {@link #OWN_ENTRY} bytes or more is kept as it is instead of being copied.
 *
 * <p>Used by the writer thread alone.
 */
final class PendingBytes {
  static final int CHUNK = 256 << 10;
  static final int OWN_ENTRY = 32 << 10;

  /** Chunks kept for reuse after {@link #clear}: at most 8 MiB of direct memory stays allocated. */
  private static final int POOL = 32;

  /** Each entry holds its bytes in [0, position). */
  private final List<ByteBuffer> entries = new ArrayList<>();

  private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();

  /** The chunk being filled, or null. */
  private ByteBuffer tail;

  private long size;
  private int records;

  void add(byte[] record) {
    if (record.length >= OWN_ENTRY) {
      entries.add(ByteBuffer.wrap(record).position(record.length));
      tail = null;
    } else {
      int off = 0;
      while (off < record.length) {
        if (tail == null || !tail.hasRemaining()) {
          tail = pool.isEmpty() ? ByteBuffer.allocateDirect(CHUNK) : pool.pop();
          entries.add(tail);
        }
        int n = Math.min(tail.remaining(), record.length - off);
        tail.put(record, off, n);
        off += n;
      }
    }
    size += record.length;
    records++;
  }

  /** Bytes held. */
  long size() {
    return size;
  }

  /** Records held. */
  int records() {
    return records;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Views of the bytes from offset {@code from} to the end, for one gathering write. */
  ByteBuffer[] from(long from) {
    List<ByteBuffer> out = new ArrayList<>(2);
    long start = 0;
    for (ByteBuffer e : entries) {
      long end = start + e.position();
      if (end > from) {
        ByteBuffer view = e.duplicate();
        view.limit(e.position()).position((int) Math.max(0, from - start));
        out.add(view);
      }
      start = end;
    }
    return out.toArray(new ByteBuffer[0]);
  }

  /** Forgets every byte (they are on disk), keeping some chunks for reuse. */
  void clear() {
    for (ByteBuffer e : entries) {
      if (e.isDirect() && pool.size() < POOL) {
        pool.push(e.clear());
      }
    }
    entries.clear();
    tail = null;
    size = 0;
    records = 0;
  }
}
