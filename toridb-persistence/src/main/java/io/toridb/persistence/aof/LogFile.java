package io.toridb.persistence.aof;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file the log writer appends to. An interface so that tests can make writes and forces fail
 * the way a full or failing disk does.
 */
public interface LogFile extends AutoCloseable {
  /** Writes every byte of {@code buffers} at {@code position}. */
  void write(ByteBuffer[] buffers, long position) throws IOException;

  /** Forces what was written to the storage device (fsync). */
  void force() throws IOException;

  long size() throws IOException;

  void truncate(long size) throws IOException;

  @Override
  void close() throws IOException;

  /** Cuts the file at {@code path} to {@code size} bytes and forces that to disk. */
  static void cut(Path path, long size) throws IOException {
    try (LogFile f = open(path)) {
      f.truncate(size);
      f.force();
    }
  }

  /** The real file at {@code path}, created if missing. */
  static LogFile open(Path path) throws IOException {
    FileChannel ch =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    return new LogFile() {
      @Override
      public void write(ByteBuffer[] buffers, long position) throws IOException {
        // One system call where the kernel takes the bytes whole: a positional write for one
        // buffer (the usual case: the records since the last write, in one chunk), a gathering
        // write for several, which needs the channel's position set first, a system call of its
        // own. The channel's position is only the writer's (reads open channels of their own).
        if (buffers.length == 1) {
          ByteBuffer b = buffers[0];
          long p = position;
          while (b.hasRemaining()) {
            p += ch.write(b, p);
          }
          return;
        }
        ch.position(position);
        long left = 0;
        for (ByteBuffer b : buffers) {
          left += b.remaining();
        }
        while (left > 0) {
          left -= ch.write(buffers);
        }
      }

      @Override
      public void force() throws IOException {
        ch.force(false);
      }

      @Override
      public long size() throws IOException {
        return ch.size();
      }

      @Override
      public void truncate(long size) throws IOException {
        ch.truncate(size);
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }
}
