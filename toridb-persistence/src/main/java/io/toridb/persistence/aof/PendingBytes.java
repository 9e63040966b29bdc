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

  /**
   * The most chunks kept for reuse after {@link #clear}: as many as the pending bytes that bring an
   * fsync forward under everysec fill ({@link AofWriter#EARLY_FSYNC_BYTES}), 32 MiB.
   */
  static final int POOL_MAX = (int) (AofWriter.EARLY_FSYNC_BYTES / CHUNK) + 1;

  /** Each entry holds its bytes in [0, position): a chunk, the rest of one, or a large record. */
  private final List<ByteBuffer> entries = new ArrayList<>();

  /** The chunks the entries use, each once, to go back to the pool. */
  private final List<ByteBuffer> chunks = new ArrayList<>();

  private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();

  /** The entry being filled (a chunk or what a large record left of one), or null. */
  private ByteBuffer tail;

  private long size;
  private long memory;
  private int records;

  /** Chunks the previous {@link #clear} found in use. */
  private int usedBefore;

  void add(byte[] record) {
    if (record.length >= OWN_ENTRY) {
      entries.add(ByteBuffer.wrap(record).position(record.length));
      memory += record.length;
      if (tail != null && tail.hasRemaining()) {
        // The rest of the chunk takes the records after this one, as an entry after it.
        tail = tail.slice(tail.position(), tail.remaining());
        entries.add(tail);
      } else {
        tail = null;
      }
    } else {
      int off = 0;
      while (off < record.length) {
        if (tail == null || !tail.hasRemaining()) {
          tail = newChunk();
          chunks.add(tail);
          entries.add(tail);
          memory += CHUNK;
        }
        int n = Math.min(tail.remaining(), record.length - off);
        tail.put(record, off, n);
        off += n;
      }
    }
    size += record.length;
    records++;
  }

  /** Chunks kept for reuse. */
  int pooled() {
    return pool.size();
  }

  private ByteBuffer newChunk() {
    if (!pool.isEmpty()) {
      return pool.pop();
    }
    try {
      return ByteBuffer.allocateDirect(CHUNK);
    } catch (OutOfMemoryError e) {
      // Out of direct memory (MaxDirectMemorySize): the heap will do, at the price of a copy.
      return ByteBuffer.allocate(CHUNK);
    }
  }

  /** Bytes of memory the held bytes take: whole chunks and large records. */
  long memory() {
    return memory;
  }

  /** Bytes of memory kept for reuse: the pooled chunks. */
  long pooledMemory() {
    return (long) pool.size() * CHUNK;
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

  /** Views of the bytes from offset {@code from} to offset {@code to}, for one gathering write. */
  ByteBuffer[] range(long from, long to) {
    List<ByteBuffer> out = new ArrayList<>(2);
    long start = 0;
    for (ByteBuffer e : entries) {
      long end = start + e.position();
      if (end > from && start < to) {
        ByteBuffer view = e.duplicate();
        view.limit((int) (Math.min(end, to) - start)).position((int) Math.max(0, from - start));
        out.add(view);
      }
      start = end;
    }
    return out.toArray(new ByteBuffer[0]);
  }

  /**
   * Forgets every byte (they are on disk), keeping as many chunks for reuse as the larger of the
   * last two periods between clears used, at most {@link #POOL_MAX}. A steady write rate so reuses
   * its chunks instead of allocating (and zeroing, and faulting in) new direct memory every second
   * and leaving the old to the garbage collector, which frees direct memory only when it collects
   * the buffers' small heap objects; when the rate falls, the pool shrinks with it.
   */
  void clear() {
    int used = chunks.size();
    int keep = Math.min(POOL_MAX, Math.max(used, usedBefore));
    usedBefore = used;
    while (pool.size() > keep) {
      pool.pop();
    }
    for (ByteBuffer c : chunks) {
      if (c.isDirect() && pool.size() < keep) {
        pool.push(c.clear());
      }
    }
    chunks.clear();
    entries.clear();
    tail = null;
    size = 0;
    memory = 0;
    records = 0;
  }
}
