package io.toridb.persistence.aof;

import io.toridb.core.propagation.PropagationSink.Effect;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads the records of one append-only file in order, verifying each before handing it on, and says
 * where and why reading stopped.
 */
public final class AofReader {
  private AofReader() {}

  /** How reading a file ended. */
  public enum Outcome {
    /** Every byte belongs to a valid record. */
    COMPLETE,
    /**
     * Every record is valid and nothing but zero bytes follows the last one: space the writer
     * reserves ahead of its records under {@code appendfsync always}, left behind by a crash (a
     * clean close cuts it off). Nothing is lost by removing it.
     */
    PADDED,
    /**
     * The file ends inside a record: its header or payload is cut short, or nothing but zero bytes
     * follows the extent of the bad record (it is the file's last, checksum failing, or a
     * zero-filled block follows), or the file ends in zero bytes and its last non-zero byte is less
     * than {@link AofWriter#RESERVE_BYTES} after the bad record's start or {@link
     * AofWriter#PIECE_BYTES} after its end (as its header gives it, or the header's end when the
     * header is bad). What a crash in the middle of a write leaves behind: appends reach the disk
     * in order, but the writes over space reserved under appendfsync always (which the file's
     * trailing zeros show) may not, so a crash during an fsync can leave a later block of the last
     * batch written and an earlier one not. The writer forces every {@link AofWriter#PIECE_BYTES}
     * of a larger batch before the next, so a torn piece holds part of the first bad record (or
     * starts inside its header) and ends within a piece of its end.
     */
    TORN_TAIL,
    /** A record that is damaged with more data after it: not something a crash produces. */
    CORRUPT,
    /**
     * A whole record (its checksum matches) of a format version later than {@link
     * AofRecord#VERSION}: written by a newer build, which the log must go back to. Not damage, and
     * nothing to cut off.
     */
    NEWER_FORMAT
  }

  /**
   * @param outcome how reading ended
   * @param records valid records read
   * @param goodBytes the offset just past the last valid record
   * @param fileBytes the file's size
   * @param problem what is wrong at {@code goodBytes}, or null when complete
   */
  public record Result(
      Outcome outcome, long records, long goodBytes, long fileBytes, String problem) {}

  /** Receives each valid record's writes, in file order. */
  public interface RecordSink {
    void accept(List<Effect> effects, long endOffset);
  }

  /**
   * Reads {@code file}, handing every valid record to {@code sink}, until the end or a problem. A
   * transaction written in parts reaches the sink whole once its last part is read; one that the
   * file does not finish counts as a torn tail from its first part on (what a crash leaves), or as
   * damage there if another problem comes first.
   */
  public static Result read(Path file, RecordSink sink) throws IOException {
    return read(file, sink, CHECK_FIRST_BYTES);
  }

  /**
   * Records of at least this many bytes of payload have their checksum verified from the file
   * before a buffer is allocated for them, so that a damaged length field (it may claim up to 2
   * GiB) costs a second read of the bytes it spans rather than an allocation that can exhaust the
   * heap before the damage is found.
   */
  static final int CHECK_FIRST_BYTES = 64 << 20;

  /**
   * As {@link #read(Path, RecordSink)}, checking records of {@code checkFirst} bytes or more first.
   */
  static Result read(Path file, RecordSink sink, int checkFirst) throws IOException {
    Parts parts = new Parts();
    Result r = readRecords(file, sink, parts, checkFirst);
    if (parts.effects == null) {
      return r;
    }
    Outcome outcome =
        switch (r.outcome()) {
          case COMPLETE, PADDED, TORN_TAIL -> Outcome.TORN_TAIL;
          case CORRUPT, NEWER_FORMAT -> r.outcome();
        };
    String problem =
        r.outcome() == Outcome.COMPLETE || r.outcome() == Outcome.PADDED
            ? "transaction cut short: its last part is missing"
            : r.problem();
    return new Result(outcome, r.records(), parts.start, r.fileBytes(), problem);
  }

  /** The transaction being read in parts: its writes so far, where its first part starts. */
  private static final class Parts {
    List<Effect> effects;
    long start;
  }

  private static Result readRecords(Path file, RecordSink sink, Parts parts, int checkFirst)
      throws IOException {
    long size = Files.size(file);
    long offset = 0;
    long records = 0;
    CRC32C crc = new CRC32C();
    byte[] header = new byte[AofRecord.HEADER];
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20))) {
      while (offset < size) {
        long remaining = size - offset;
        if (remaining < AofRecord.HEADER) {
          if (lastNonZero(file) < offset) {
            return padded(records, offset, size);
          }
          return new Result(Outcome.TORN_TAIL, records, offset, size, "incomplete record header");
        }
        in.readFully(header);
        String bad = checkHeader(header);
        if (bad != null) {
          long last = lastNonZero(file);
          // A record starts with a non-zero magic byte, so only here can the zeros begin.
          if (header[0] == 0 && last < offset) {
            return padded(records, offset, size);
          }
          return classify(last, records, offset, offset + AofRecord.HEADER, size, bad);
        }
        int length = AofRecord.getInt(header, 4);
        if (length > remaining - AofRecord.HEADER) {
          return new Result(
              Outcome.TORN_TAIL,
              records,
              offset,
              size,
              "record of " + length + " bytes cut short by the end of the file");
        }
        if (length >= checkFirst) {
          long sum = checksum(file, offset + AofRecord.HEADER, length);
          if (sum < 0) {
            return new Result(Outcome.TORN_TAIL, records, offset, size, "record cut short");
          }
          if ((int) sum != AofRecord.getInt(header, 8)) {
            return classify(
                file,
                records,
                offset,
                offset + AofRecord.HEADER + length,
                size,
                "checksum mismatch");
          }
        }
        byte[] payload = new byte[length];
        try {
          in.readFully(payload);
        } catch (EOFException e) {
          return new Result(Outcome.TORN_TAIL, records, offset, size, "record cut short");
        }
        crc.reset();
        crc.update(payload, 0, length);
        long end = offset + AofRecord.HEADER + length;
        if ((int) crc.getValue() != AofRecord.getInt(header, 8)) {
          return classify(file, records, offset, end, size, "checksum mismatch");
        }
        int version = header[2] & 0xff;
        if (version > AofRecord.VERSION) {
          if (!onlyNewerRecordsFrom(file, end, size)) {
            // A build writes its own version only: a later record of a known version means this
            // version byte is damaged (the checksum covers the payload, not the header).
            return new Result(
                Outcome.CORRUPT, records, offset, size, "unknown record format version " + version);
          }
          return new Result(
              Outcome.NEWER_FORMAT,
              records,
              offset,
              size,
              "record format version "
                  + version
                  + ", written by a newer version of ToriDB (this one reads versions 1 to "
                  + AofRecord.VERSION
                  + ")");
        }
        List<Effect> effects;
        try {
          effects = AofRecord.decode(header[2], header[3], ByteBuffer.wrap(payload));
        } catch (AofRecord.MalformedException e) {
          return classify(file, records, offset, end, size, "malformed record: " + e.getMessage());
        }
        byte kind = header[3];
        boolean part = kind == AofRecord.KIND_PART || kind == AofRecord.KIND_LAST_PART;
        if (part != (parts.effects != null) && kind != AofRecord.KIND_PART) {
          // Whole records never come between parts, nor a last part without a first.
          return new Result(
              Outcome.CORRUPT,
              records,
              offset,
              size,
              part
                  ? "last part of a transaction with no first part"
                  : "a record between the parts of a transaction");
        }
        if (part) {
          if (parts.effects == null) {
            parts.effects = new ArrayList<>(effects);
            parts.start = offset;
          } else {
            parts.effects.addAll(effects);
          }
          if (kind == AofRecord.KIND_PART) {
            offset = end;
            continue;
          }
          effects = parts.effects;
          parts.effects = null;
        }
        sink.accept(effects, end);
        records++;
        offset = end;
      }
    }
    return new Result(Outcome.COMPLETE, records, offset, size, null);
  }

  /**
   * Whether no record of a version this build knows follows {@code from}, walking the records by
   * their headers' lengths until the end of the file or anything that is not a record header.
   */
  private static boolean onlyNewerRecordsFrom(Path file, long from, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer h = ByteBuffer.allocate(AofRecord.HEADER);
      long at = from;
      while (size - at >= AofRecord.HEADER) {
        h.clear();
        while (h.hasRemaining() && ch.read(h, at + h.position()) > 0) {}
        byte[] b = h.array();
        if (b[0] != AofRecord.MAGIC_0 || b[1] != AofRecord.MAGIC_1) {
          return true;
        }
        if (b[2] != 0 && (b[2] & 0xff) <= AofRecord.VERSION) {
          return false;
        }
        int length = AofRecord.getInt(b, 4);
        if (length < 0) {
          return true;
        }
        at += AofRecord.HEADER + (long) length;
      }
      return true;
    }
  }

  private static Result padded(long records, long offset, long size) {
    return new Result(
        Outcome.PADDED,
        records,
        offset,
        size,
        (size - offset) + " zero bytes after the last record");
  }

  /** Null when the header is plausible, else what is wrong with it. */
  static String checkHeader(byte[] h) {
    if (h[0] != AofRecord.MAGIC_0 || h[1] != AofRecord.MAGIC_1) {
      return "bad record magic";
    }
    if (h[2] == 0) {
      return "unknown record format version 0";
    }
    // Every version keeps this header; a later one may add kinds, so its records are only checked
    // for their length and checksum (see Outcome.NEWER_FORMAT).
    boolean known = (h[2] & 0xff) <= AofRecord.VERSION;
    int lastKind =
        h[2] == AofRecord.VERSION_RESP ? AofRecord.KIND_TRANSACTION : AofRecord.KIND_LAST_PART;
    if (known && (h[3] < AofRecord.KIND_WRITE || h[3] > lastKind)) {
      return "unknown record kind " + (h[3] & 0xff);
    }
    int length = AofRecord.getInt(h, 4);
    if (length < 0 || length > AofRecord.MAX_PAYLOAD) {
      return "implausible record length " + Integer.toUnsignedString(length);
    }
    return null;
  }

  /**
   * A bad record from {@code offset} to {@code end} (as far as its header can be trusted): a torn
   * tail when nothing but zero bytes follows its extent, which is what a crash leaves (a record
   * written in part, perhaps with a zero-filled block after it), or when the file ends in zeros (it
   * was being written over reserved space) and nothing but the last piece's span of data follows
   * (see {@link Outcome#TORN_TAIL}); else damage.
   */
  private static Result classify(
      Path file, long records, long offset, long end, long size, String problem)
      throws IOException {
    return classify(lastNonZero(file), records, offset, end, size, problem);
  }

  /** As above, given the offset of the file's {@code last} non-zero byte. */
  private static Result classify(
      long last, long records, long offset, long end, long size, String problem) {
    boolean endsInZeros = last < size - 1;
    // Since the writer forces every piece of a large batch before the next, a torn piece holds
    // part of the bad record and ends within a piece of its end; before, a batch was written
    // whole, and the data a crash left out of order stayed within RESERVE_BYTES of its start.
    boolean torn =
        last < end
            || (endsInZeros
                && last < Math.max(offset + AofWriter.RESERVE_BYTES, end + AofWriter.PIECE_BYTES));
    return new Result(torn ? Outcome.TORN_TAIL : Outcome.CORRUPT, records, offset, size, problem);
  }

  /**
   * The CRC32C of {@code length} bytes of {@code file} from {@code from}, read in small pieces (as
   * an unsigned value), or -1 if the file ends before them.
   */
  private static long checksum(Path file, long from, int length) throws IOException {
    CRC32C crc = new CRC32C();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      long at = from;
      long end = from + length;
      while (at < end) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), end - at));
        int r = ch.read(buf, at);
        if (r < 0) {
          return -1;
        }
        buf.flip();
        crc.update(buf);
        at += r;
      }
    }
    return crc.getValue();
  }

  /** The offset of the last byte of {@code file} that is not zero, or -1. */
  static long lastNonZero(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      long end = ch.size();
      while (end > 0) {
        long start = Math.max(0, end - buf.capacity());
        buf.clear();
        buf.limit((int) (end - start));
        int n = 0;
        while (buf.hasRemaining()) {
          int r = ch.read(buf, start + n);
          if (r < 0) {
            break;
          }
          n += r;
        }
        for (int i = n - 1; i >= 0; i--) {
          if (buf.get(i) != 0) {
            return start + i;
          }
        }
        end = start;
      }
      return -1;
    }
  }
}
