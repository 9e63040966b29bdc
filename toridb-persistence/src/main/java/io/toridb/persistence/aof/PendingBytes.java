package io.toridb.persistence.aof;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The log's bytes from the last offset known to be on disk to the last record appended, in order:
 * what the writer has to write, and what it must write again if a write or an fsync fails. Every
 * byte has a place in the log's stream of records, counted from 0 when the writer starts ({@link
 * #begin()} to {@link #end()}), whatever file it goes to.
 *
 * <p>Records are encoded straight into direct chunks ({@link #room}), from which the file is
 * written without a further copy, so a second of records under {@code everysec} is a few large
 * buffers rather than hundreds of thousands of small arrays for the garbage collector to trace and
 * copy. A record of {@link #OWN_ENTRY} bytes or more is kept as it is instead of being copied.
 *
 * <p>Not thread-safe: the writer's append lock guards it.
 */
final class PendingBytes {
  static final int CHUNK = 256 << 10;
  static final int OWN_ENTRY = 32 << 10;

  /**
   * The most chunks kept for reuse: as many as the pending bytes that bring an fsync forward under
   * everysec fill ({@link AofWriter#EARLY_FSYNC_BYTES}), 32 MiB.
   */
  static final int POOL_MAX = (int) (AofWriter.EARLY_FSYNC_BYTES / CHUNK) + 1;

  /**
   * Bytes in [0, position) of {@code bytes}: a chunk, the rest of one (after a large record), or a
   * large record; {@code chunk} is the chunk they lie in, or null for a large record.
   */
  private record Entry(ByteBuffer bytes, Chunk chunk) {}

  /** A chunk and how many entries lie in it: it is free again when none does. */
  private static final class Chunk {
    final ByteBuffer buffer;
    int entries = 1;

    Chunk(ByteBuffer buffer) {
      this.buffer = buffer;
    }
  }

  /** In stream order; the first one's byte 0 is at stream offset {@link #first}. */
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();

  private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();

  /** The entry being filled (a chunk or what a large record left of one), or null. */
  private ByteBuffer tail;

  /** The chunk {@link #tail} lies in. */
  private Chunk tailChunk;

  /** Stream offset of the first entry's first byte (before {@link #begin} once it is released). */
  private long first;

  private long begin;
  private long end;
  private long memory;

  /** Chunks taken (new or pooled) since the last {@link #release}, and in the period before. */
  private int usedNow;

  private int usedBefore;

  /**
   * Where the next {@code n} bytes ({@code n < OWN_ENTRY}) go: a buffer with at least {@code n}
   * bytes left from its position. The caller puts exactly those bytes there, moves the position
   * past them and calls {@link #added}. A record that does not fit in what is left of the current
   * chunk starts a new one, so records never straddle chunks.
   */
  ByteBuffer room(int n) {
    if (tail == null || tail.remaining() < n) {
      newTail();
    }
    return tail;
  }

  /** Counts {@code n} bytes put at the position {@link #room} returned. */
  void added(int n) {
    end += n;
  }

  /** Adds a record, which is kept as it is when large, so the caller must not change it. */
  void add(byte[] record) {
    if (record.length < OWN_ENTRY) {
      room(record.length).put(record);
      added(record.length);
      return;
    }
    entries.add(new Entry(ByteBuffer.wrap(record).position(record.length), null));
    memory += record.length;
    if (tail != null && tail.hasRemaining()) {
      // The rest of the chunk takes the records after this one, as an entry after it.
      tail = tail.slice(tail.position(), tail.remaining());
      tailChunk.entries++;
      entries.add(new Entry(tail, tailChunk));
    } else {
      tail = null;
      tailChunk = null;
    }
    end += record.length;
  }

  private void newTail() {
    ByteBuffer chunk;
    if (!pool.isEmpty()) {
      chunk = pool.pop();
    } else {
      try {
        chunk = ByteBuffer.allocateDirect(CHUNK);
      } catch (OutOfMemoryError e) {
        // Out of direct memory (MaxDirectMemorySize): the heap will do, at the price of a copy.
        chunk = ByteBuffer.allocate(CHUNK);
      }
    }
    tail = chunk;
    tailChunk = new Chunk(chunk);
    entries.add(new Entry(chunk, tailChunk));
    memory += CHUNK;
    usedNow++;
  }

  /** Chunks kept for reuse. */
  int pooled() {
    return pool.size();
  }

  /** Bytes of memory the held bytes take: whole chunks and large records. */
  long memory() {
    return memory;
  }

  /** Stream offset of the first byte held. */
  long begin() {
    return begin;
  }

  /** Stream offset just past the last byte held. */
  long end() {
    return end;
  }

  /** Bytes held. */
  long size() {
    return end - begin;
  }

  boolean isEmpty() {
    return end == begin;
  }

  /**
   * Views of the bytes from stream offset {@code from} to {@code to} ({@code begin() <= from <= to
   * <= end()}), for one gathering write. Bytes added later do not show in them.
   */
  ByteBuffer[] views(long from, long to) {
    List<ByteBuffer> out = new ArrayList<>(2);
    long start = first;
    for (Entry e : entries) {
      if (start >= to) {
        break;
      }
      long stop = start + e.bytes().position();
      if (stop > from) {
        ByteBuffer view = e.bytes().duplicate();
        view.limit((int) (Math.min(stop, to) - start)).position((int) Math.max(0, from - start));
        out.add(view);
      }
      start = stop;
    }
    return out.toArray(new ByteBuffer[0]);
  }

  /**
   * Forgets the bytes before stream offset {@code upTo} (they are on disk). The chunks they filled
   * go back to the pool, which keeps as many as the larger of the last two periods between releases
   * took, at most {@link #POOL_MAX}: a steady write rate so reuses its chunks instead of allocating
   * (and zeroing, and faulting in) new direct memory every second and leaving the old to the
   * garbage collector, which frees direct memory only when it collects the buffers' small heap
   * objects; when the rate falls, the pool shrinks with it.
   */
  void release(long upTo) {
    int keep = Math.min(POOL_MAX, Math.max(usedNow, usedBefore));
    usedBefore = usedNow;
    usedNow = 0;
    while (pool.size() > keep) {
      pool.pop();
    }
    while (!entries.isEmpty()) {
      Entry e = entries.peek();
      long stop = first + e.bytes().position();
      if (stop > upTo || e.bytes() == tail) {
        break;
      }
      entries.poll();
      first = stop;
      Chunk chunk = e.chunk();
      if (chunk == null) {
        memory -= e.bytes().capacity();
      } else if (--chunk.entries == 0) {
        // No byte of the chunk is held any more (the tail's entry is never released here).
        memory -= CHUNK;
        if (chunk.buffer.isDirect() && pool.size() < keep) {
          pool.push(chunk.buffer.clear());
        }
      }
    }
    begin = Math.max(begin, upTo);
  }
}
