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
        // One gathering system call for all the buffers where the kernel takes them whole. The
        // channel's position is only the writer's (reads of the file open channels of their own).
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
