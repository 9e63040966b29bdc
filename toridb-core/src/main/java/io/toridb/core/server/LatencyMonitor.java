package io.toridb.core.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The latency monitor behind LATENCY LATEST, HISTORY, RESET, GRAPH and DOCTOR, as Redis keeps it:
 * per event class ("command", "fast-command", "expire-cycle", ...) the latest 160 samples, at most
 * one per second (the highest latency seen in that second), and the all-time maximum. Samples are
 * taken only when they reach {@code latency-monitor-threshold} (0, the default, turns it off);
 * callers check that first, so this class is reached only by slow events.
 */
public final class LatencyMonitor {
  /** Samples kept per event, as Redis's LATENCY_TS_LEN. */
  static final int SAMPLES = 160;

  /** One event class's samples, a ring of (second, milliseconds). */
  static final class Series {
    final long[] time = new long[SAMPLES];
    final long[] latency = new long[SAMPLES];
    int idx;
    long max;

    int last() {
      return (idx + SAMPLES - 1) % SAMPLES;
    }
  }

  private final Map<String, Series> events = new LinkedHashMap<>();

  /** Records that {@code event} took {@code millis}, now. */
  public void add(String event, long millis) {
    add(event, millis, System.currentTimeMillis() / 1000);
  }

  /**
   * Records {@code event} when {@code millis} reaches {@code threshold}, the value of
   * latency-monitor-threshold (0: the monitor is off), as Redis's latencyAddSampleIfNeeded.
   */
  public void addIfNeeded(String event, long millis, long threshold) {
    if (threshold > 0 && millis >= threshold) {
      add(event, millis);
    }
  }

  synchronized void add(String event, long millis, long nowSeconds) {
    Series s = events.computeIfAbsent(event, e -> new Series());
    if (millis > s.max) {
      s.max = millis;
    }
    int prev = s.last();
    if (s.time[prev] == nowSeconds) {
      s.latency[prev] = Math.max(s.latency[prev], millis);
      return;
    }
    s.time[s.idx] = nowSeconds;
    s.latency[s.idx] = millis;
    s.idx = (s.idx + 1) % SAMPLES;
  }

  /** One sample: when (Unix seconds) and how long (ms). */
  public record Sample(long time, long millis) {}

  /** One event's latest sample and its all-time maximum. */
  public record Latest(String event, long time, long millis, long max) {}

  /** LATENCY LATEST: every event class seen. */
  public synchronized List<Latest> latest() {
    List<Latest> out = new ArrayList<>();
    for (Map.Entry<String, Series> e : events.entrySet()) {
      Series s = e.getValue();
      int last = s.last();
      out.add(new Latest(e.getKey(), s.time[last], s.latency[last], s.max));
    }
    return out;
  }

  /** LATENCY HISTORY: the samples of {@code event}, oldest first; empty for an unknown event. */
  public synchronized List<Sample> history(String event) {
    List<Sample> out = new ArrayList<>();
    Series s = events.get(event);
    if (s != null) {
      for (int j = 0; j < SAMPLES; j++) {
        int i = (s.idx + j) % SAMPLES;
        if (s.time[i] != 0) {
          out.add(new Sample(s.time[i], s.latency[i]));
        }
      }
    }
    return out;
  }

  /** The all-time maximum of {@code event}, or -1 when it has no samples. */
  public synchronized long max(String event) {
    Series s = events.get(event);
    return s == null ? -1 : s.max;
  }

  /** LATENCY RESET: forgets {@code event} (every event when null); returns how many it forgot. */
  public synchronized int reset(String event) {
    if (event == null) {
      int n = events.size();
      events.clear();
      return n;
    }
    return events.remove(event) == null ? 0 : 1;
  }

  /**
   * LATENCY GRAPH: a header with the samples' high and low and the all-time high, then one column
   * per sample (oldest first) whose height shows its latency between the low and the high, and how
   * long ago it was under it; null for an unknown event.
   */
  public synchronized String graph(String event, long nowSeconds) {
    List<Sample> samples = history(event);
    if (samples.isEmpty()) {
      return null;
    }
    long min = Long.MAX_VALUE;
    long max = 0;
    for (Sample s : samples) {
      min = Math.min(min, s.millis());
      max = Math.max(max, s.millis());
    }
    StringBuilder g = new StringBuilder();
    g.append(
        String.format(
            Locale.ROOT,
            "%s - high %d ms, low %d ms (all time high %d ms)%n",
            event,
            max,
            min,
            events.get(event).max));
    g.append("-".repeat(80)).append('\n');
    int rows = 4;
    int shown = Math.min(samples.size(), 80);
    List<Sample> cols = samples.subList(samples.size() - shown, samples.size());
    for (int row = rows; row >= 1; row--) {
      StringBuilder line = new StringBuilder();
      for (Sample s : cols) {
        double level =
            max == min ? rows : 1 + (double) (s.millis() - min) * (rows - 1) / (max - min);
        line.append(level >= row ? '#' : ' ');
      }
      g.append(line.toString().stripTrailing()).append('\n');
    }
    g.append('\n');
    for (Sample s : cols) {
      g.append(ago(nowSeconds - s.time())).append(' ');
    }
    return g.toString().stripTrailing() + "\n";
  }

  /** How long ago, as Redis labels samples: seconds, minutes, hours or days. */
  static String ago(long elapsed) {
    if (elapsed < 60) {
      return elapsed + "s";
    } else if (elapsed < 3600) {
      return elapsed / 60 + "m";
    } else if (elapsed < 3600 * 24) {
      return elapsed / 3600 + "h";
    }
    return elapsed / (3600 * 24) + "d";
  }

  /**
   * LATENCY DOCTOR: a report of every event's spikes (count, average, mean deviation, period, worst
   * ever), with the threshold in effect; or why there is nothing to report.
   */
  public synchronized String doctor(long thresholdMillis) {
    if (thresholdMillis == 0 && events.isEmpty()) {
      return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis"
          + " instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in"
          + " order to enable it. If we weren't in a deep space mission I'd suggest to take a look"
          + " at https://redis.io/topics/latency-monitor.\n";
    }
    if (events.isEmpty()) {
      return "Dave, no latency spike was observed during the lifetime of this Redis instance, not"
          + " in the slightest bit. I honestly think you ought to sleep better tonight.\n";
    }
    StringBuilder r = new StringBuilder();
    r.append(
        "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about"
            + " it, do you Dave?\n\n");
    int n = 1;
    for (Map.Entry<String, Series> e : events.entrySet()) {
      List<Sample> samples = history(e.getKey());
      long sum = 0;
      long first = Long.MAX_VALUE;
      long last = 0;
      for (Sample s : samples) {
        sum += s.millis();
        first = Math.min(first, s.time());
        last = Math.max(last, s.time());
      }
      double avg = (double) sum / samples.size();
      double dev = 0;
      for (Sample s : samples) {
        dev += Math.abs(s.millis() - avg);
      }
      dev /= samples.size();
      long period = samples.size() > 1 ? (last - first) / (samples.size() - 1) : 0;
      r.append(
          String.format(
              Locale.ROOT,
              "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %d sec)."
                  + " Worst all time event %dms.%n",
              n++,
              e.getKey(),
              samples.size(),
              Math.round(avg),
              Math.round(dev),
              period,
              e.getValue().max));
    }
    r.append(
        String.format(
            Locale.ROOT,
            "%nI have a few advices for you:%n%n- The latency monitor threshold is %d"
                + " milliseconds: every event that took at least that long is in this report."
                + " Check the SLOWLOG for the commands that were slow, and INFO commandstats for"
                + " where the time goes.%n",
            thresholdMillis));
    return r.toString();
  }
}
