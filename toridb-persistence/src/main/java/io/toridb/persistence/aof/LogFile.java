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

  /** The real file at {@code path}, created if missing. */
  static LogFile open(Path path) throws IOException {
    FileChannel ch =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    return new LogFile() {
      @Override
      public void write(ByteBuffer[] buffers, long position) throws IOException {
        long pos = position;
        for (ByteBuffer b : buffers) {
          while (b.hasRemaining()) {
            pos += ch.write(b, pos);
          }
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
