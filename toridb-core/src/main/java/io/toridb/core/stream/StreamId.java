package io.toridb.core.stream;

import io.toridb.core.command.CommandException;
import java.nio.charset.StandardCharsets;

/**
 * A stream entry ID, {@code <ms>-<seq>}: two unsigned 64-bit numbers, ordered by milliseconds and
 * then by sequence, as Redis's streamID.
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {
  public static final StreamId MIN = new StreamId(0, 0);
  public static final StreamId MAX = new StreamId(-1L, -1L);

  static final String INVALID = "ERR Invalid stream ID specified as stream command argument";

  @Override
  public int compareTo(StreamId o) {
    int c = Long.compareUnsigned(ms, o.ms);
    return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
  }

  public boolean isZero() {
    return ms == 0 && seq == 0;
  }

  /** The next ID, or null past the largest one. */
  public StreamId next() {
    if (seq != -1L) {
      return new StreamId(ms, seq + 1);
    }
    return ms == -1L ? null : new StreamId(ms + 1, 0);
  }

  /** The previous ID, or null before the smallest one. */
  public StreamId previous() {
    if (seq != 0) {
      return new StreamId(ms, seq - 1);
    }
    return ms == 0 ? null : new StreamId(ms - 1, -1L);
  }

  @Override
  public String toString() {
    return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
  }

  public byte[] bytes() {
    return toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** What {@link #parse} found: the ID, and whether its sequence was given ({@code ms-*}). */
  record Parsed(StreamId id, boolean seqGiven) {}

  /**
   * Parses {@code <ms>[-<seq>]}, {@code -} and {@code +} (unless {@code strict}), and, when {@code
   * allowAutoSeq}, {@code <ms>-*}; a missing sequence becomes {@code missingSeq}. Anything else is
   * Redis's "Invalid stream ID" error.
   */
  static Parsed parse(byte[] arg, long missingSeq, boolean strict, boolean allowAutoSeq) {
    int n = arg.length;
    if (n > 127) {
      throw new CommandException(INVALID);
    }
    if (n == 1 && (arg[0] == '-' || arg[0] == '+')) {
      if (strict) {
        throw new CommandException(INVALID);
      }
      return new Parsed(arg[0] == '-' ? MIN : MAX, true);
    }
    int dash = -1;
    for (int i = 0; i < n; i++) {
      if (arg[i] == '-') {
        dash = i;
        break;
      }
    }
    long ms = unsigned(arg, 0, dash < 0 ? n : dash);
    if (dash < 0) {
      return new Parsed(new StreamId(ms, missingSeq), true);
    }
    if (allowAutoSeq && n - dash == 2 && arg[dash + 1] == '*') {
      return new Parsed(new StreamId(ms, 0), false);
    }
    return new Parsed(new StreamId(ms, unsigned(arg, dash + 1, n)), true);
  }

  /** An ID that may be {@code -} or {@code +}; a bare {@code ms} gets {@code missingSeq}. */
  static StreamId parse(byte[] arg, long missingSeq) {
    return parse(arg, missingSeq, false, false).id();
  }

  /** An ID that may not be {@code -} or {@code +}. */
  static StreamId parseStrict(byte[] arg, long missingSeq) {
    return parse(arg, missingSeq, true, false).id();
  }

  /**
   * The IDs {@code argv[from]} to the end, each as {@link #parseStrict}: all of them, before a
   * command acts on any (XDEL, XACK refuse the whole call for one bad ID).
   */
  static StreamId[] parseAllStrict(byte[][] argv, int from) {
    StreamId[] ids = new StreamId[argv.length - from];
    for (int j = from; j < argv.length; j++) {
      ids[j - from] = parseStrict(argv[j], 0);
    }
    return ids;
  }

  /**
   * An unsigned 64-bit decimal as Redis's string2ull: digits only (a leading {@code +} or {@code -}
   * is refused, as strtoull's sign would make no sense here), at most 2^64 - 1.
   */
  private static long unsigned(byte[] b, int from, int to) {
    if (from >= to || to - from > 20) {
      throw new CommandException(INVALID);
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        throw new CommandException(INVALID);
      }
      long times10 = v * 10;
      if (Long.compareUnsigned(v, 0x1999_9999_9999_9999L) > 0
          || Long.compareUnsigned(times10 + d, times10) < 0) {
        throw new CommandException(INVALID);
      }
      v = times10 + d;
    }
    return v;
  }
}
