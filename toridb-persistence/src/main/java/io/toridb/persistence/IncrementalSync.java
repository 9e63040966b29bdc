package io.toridb.persistence;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;

/**
 * Forces the file under a stream after every {@link #BYTES} bytes written through it, as Redis does
 * with {@code aof-rewrite-incremental-fsync} and {@code rdb-save-incremental-fsync}: a rewrite or a
 * snapshot of a large data set then reaches the disk as it is written, instead of leaving gigabytes
 * of dirty pages for one final force to flush, which takes that long and, past the kernel's
 * dirty-page limits, slows every other writer of the disk, the log's appends among them.
 *
 * <p>Put it under the buffering stream, directly over the file: what reaches it is in the file.
 */
public final class IncrementalSync extends FilterOutputStream {
  /** Bytes between two forces: Redis's REDIS_AUTOSYNC_BYTES. */
  public static final long BYTES = 4L << 20;

  /** Forces the file (data only, as Redis's fdatasync). */
  public interface Force {
    void force() throws IOException;
  }

  private final long every;
  private final Force force;
  private long sinceForce;
  private long forces;

  IncrementalSync(OutputStream out, long every, Force force) {
    super(out);
    this.every = every;
    this.force = force;
  }

  /** A stream writing to {@code ch}, which forces it every {@link #BYTES} bytes when {@code on}. */
  public static OutputStream over(FileChannel ch, boolean on) {
    OutputStream raw = Channels.newOutputStream(ch);
    return on ? new IncrementalSync(raw, BYTES, () -> ch.force(false)) : raw;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    written(1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    written(len);
  }

  private void written(int n) throws IOException {
    sinceForce += n;
    if (sinceForce >= every) {
      out.flush();
      force.force();
      forces++;
      sinceForce = 0;
    }
  }

  /** Forces made so far. */
  long forces() {
    return forces;
  }
}
