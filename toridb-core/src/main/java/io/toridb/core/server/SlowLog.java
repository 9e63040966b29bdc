package io.toridb.core.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The slow log: the most recent commands that ran longer than slowlog-log-slower-than. */
public final class SlowLog {
  /** Redis keeps at most 32 arguments and 128 bytes per argument of each entry. */
  public static final int MAX_ARGS = 32;

  public static final int MAX_ARG_BYTES = 128;

  /** One recorded command. */
  public record Entry(
      long id,
      long timestampSeconds,
      long durationMicros,
      byte[][] argv,
      String addr,
      String name) {}

  private final Deque<Entry> entries = new ArrayDeque<>();
  private long nextId;

  public synchronized void add(byte[][] argv, long micros, String addr, String name, int maxLen) {
    int argc = Math.min(argv.length, MAX_ARGS);
    byte[][] kept = new byte[argc][];
    for (int i = 0; i < argc; i++) {
      if (argc < argv.length && i == argc - 1) {
        kept[i] =
            ("... (" + (argv.length - argc + 1) + " more arguments)")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      } else if (argv[i].length > MAX_ARG_BYTES) {
        String more = "... (" + (argv[i].length - MAX_ARG_BYTES) + " more bytes)";
        byte[] b = new byte[MAX_ARG_BYTES + more.length()];
        System.arraycopy(argv[i], 0, b, 0, MAX_ARG_BYTES);
        System.arraycopy(
            more.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            0,
            b,
            MAX_ARG_BYTES,
            more.length());
        kept[i] = b;
      } else {
        kept[i] = argv[i];
      }
    }
    entries.addFirst(
        new Entry(nextId++, System.currentTimeMillis() / 1000, micros, kept, addr, name));
    while (entries.size() > maxLen) {
      entries.removeLast();
    }
  }

  /** Newest first, at most {@code count} (negative = all). */
  public synchronized List<Entry> newest(int count) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (count >= 0 && out.size() >= count) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  public synchronized int size() {
    return entries.size();
  }

  public synchronized void reset() {
    entries.clear();
  }
}
