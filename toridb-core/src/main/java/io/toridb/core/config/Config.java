package io.toridb.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server's configuration: every directive ToriDB understands, read from a redis.conf-style file
 * and command-line overrides at startup, and by CONFIG GET/SET at runtime.
 */
public final class Config {
  private final Map<String, Directive> directives = new LinkedHashMap<>();
  private final Map<String, String> aliases = new LinkedHashMap<>();
  private volatile Path configFile;

  /** A configuration error found while reading a file or the command line. */
  public static final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }

  public Config add(Directive d) {
    directives.put(d.name(), d);
    return this;
  }

  private final OutputBufferLimits outputLimits = new OutputBufferLimits();

  /**
   * client-output-buffer-limit's pubsub class: bytes of pushed messages a subscriber may leave
   * unread (0: no limit), and the soft limit it may stay above for at most {@code softSeconds}.
   */
  public record OutputLimit(long hard, long soft, long softSeconds) {}

  /** The pubsub class of client-output-buffer-limit. Read on every push, so kept parsed. */
  public OutputLimit pubsubOutputLimit() {
    return outputLimits.pubsub;
  }

  /** The replica (slave) class of client-output-buffer-limit: a replica's unsent stream. */
  public OutputLimit replicaOutputLimit() {
    return outputLimits.replica;
  }

  /** Makes {@code alias} another name of {@code name} (Redis's renamed directives). */
  public Config alias(String alias, String name) {
    aliases.put(alias, name);
    return this;
  }

  /** The directive called {@code name} (any case, aliases resolved), or null. */
  public Directive get(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    Directive d = directives.get(n);
    if (d == null && aliases.containsKey(n)) {
      d = directives.get(aliases.get(n));
    }
    return d;
  }

  public Directive require(String name) {
    Directive d = get(name);
    if (d == null) {
      throw new IllegalArgumentException("no directive " + name);
    }
    return d;
  }

  public String text(String name) {
    return require(name).text();
  }

  public long number(String name) {
    return require(name).number();
  }

  public boolean yes(String name) {
    return require(name).isYes();
  }

  public Collection<Directive> all() {
    return directives.values();
  }

  /**
   * Old names that still work, each mapped to the directive's name ("hash-max-ziplist-entries").
   */
  public Map<String, String> aliases() {
    return java.util.Collections.unmodifiableMap(aliases);
  }

  /** The absolute path of the file read at startup, or null when started without one. */
  public Path configFile() {
    return configFile;
  }

  /**
   * Reads a redis.conf-style file: one directive per line, arguments separated by spaces, quotes
   * allowed, '#' starting a comment line.
   */
  public void loadFile(Path file) throws ConfigException {
    configFile = file.toAbsolutePath().normalize();
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new ConfigException("Can't read config file '" + file + "': " + e.getMessage());
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> words = splitWords(line);
      if (words == null || words.isEmpty()) {
        throw new ConfigException(
            "Unbalanced quotes in configuration line "
                + (i + 1)
                + " of "
                + file
                + ": '"
                + line
                + "'");
      }
      String error = apply(words.get(0), words.subList(1, words.size()), seen);
      if (error != null) {
        throw new ConfigException(
            error + " at line " + (i + 1) + " of " + file + ": '" + line + "'");
      }
    }
  }

  /** Applies "--name value..." overrides from the command line. */
  public void loadArgs(List<String> args) throws ConfigException {
    java.util.Set<String> seen = new java.util.HashSet<>();
    int i = 0;
    while (i < args.size()) {
      String a = args.get(i);
      if (!a.startsWith("--")) {
        throw new ConfigException("Unexpected argument '" + a + "' (directives are --name value)");
      }
      String name = a.substring(2);
      List<String> values = new ArrayList<>();
      i++;
      while (i < args.size() && !args.get(i).startsWith("--")) {
        values.add(args.get(i));
        i++;
      }
      String error = apply(name, values, seen);
      if (error != null) {
        throw new ConfigException(error + " in command-line option --" + name);
      }
    }
  }

  /**
   * Applies one directive of a file or command line; {@code seen} holds the directives applied
   * before in the same source. A repeated {@code save} adds its points to the earlier ones (as in
   * redis.conf, where "save 900 1" and "save 300 10" are two lines) unless it is "".
   */
  private String apply(String name, List<String> values, java.util.Set<String> seen) {
    Directive d = get(name);
    if (d == null) {
      return "Bad directive or wrong number of arguments ('" + name + "' is not a known directive)";
    }
    String value = String.join(" ", values);
    boolean again = !seen.add(d.name());
    if (again && d.name().equals("save") && !value.isBlank() && !d.text().isEmpty()) {
      value = d.text() + " " + value;
    }
    if (values.size() != 1 && d.kind() != Directive.Kind.STRING) {
      return "Bad directive or wrong number of arguments for '" + name + "'";
    }
    String error = d.set(value);
    return error == null ? null : "Invalid value '" + value + "' for '" + name + "': " + error;
  }

  /**
   * Splits a line into words as redis.conf does (sdssplitargs); null when quotes are unbalanced.
   */
  static List<String> splitWords(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == '\\' && i + 1 < line.length()) {
          char n = line.charAt(++i);
          cur.append(quote == '"' && n == 'n' ? '\n' : n);
        } else if (c == quote) {
          quote = 0;
        } else {
          cur.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else {
        cur.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      return null;
    }
    if (inWord) {
      out.add(cur.toString());
    }
    return out;
  }

  /** The flags of shutdown-on-sigterm and shutdown-on-sigint, in Redis's order. */
  private static final List<String> SHUTDOWN_FLAGS = List.of("save", "nosave", "now", "force");

  /**
   * shutdown-on-sigterm, shutdown-on-sigint: {@code default}, or any of the {@link #SHUTDOWN_FLAGS}
   * (not both save and nosave), shown in that order as Redis shows them.
   */
  static String shutdownFlags(String value) {
    boolean[] set = new boolean[SHUTDOWN_FLAGS.size()];
    boolean any = false;
    // Words separated by single spaces, as Redis splits them.
    for (String word : value.split(" ", -1)) {
      String w = word.toLowerCase(java.util.Locale.ROOT);
      int i = SHUTDOWN_FLAGS.indexOf(w);
      if (i < 0 && !w.equals("default")) {
        throw new IllegalArgumentException(
            "argument(s) must be one of the following: default, save, nosave, now, force");
      }
      if (i >= 0) {
        set[i] = true;
        any = true;
      }
    }
    if (set[0] && set[1]) {
      throw new IllegalArgumentException(
          "shutdown options SAVE and NOSAVE can't be used simultaneously");
    }
    if (!any) {
      return "default";
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < set.length; i++) {
      if (set[i]) {
        out.add(SHUTDOWN_FLAGS.get(i));
      }
    }
    return String.join(" ", out);
  }

  /**
   * latency-tracking-info-percentiles: numbers from 0 to 100 separated by spaces ("" for none),
   * shown as C's "%f" without trailing zeros ("99.9"), with Redis's error texts.
   */
  static String percentiles(String value) {
    List<String> out = new ArrayList<>();
    for (String word : value.trim().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      double p;
      try {
        // Java also reads "1d", "0x1p3" and "NaN", which C's strtold does not.
        if (!word.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) {
          throw new NumberFormatException(word);
        }
        p = Double.parseDouble(word);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Invalid latency-tracking-info-percentiles parameters");
      }
      if (p < 0 || p > 100) {
        throw new IllegalArgumentException(
            "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
      }
      out.add(formatPercentile(p));
    }
    return String.join(" ", out);
  }

  /**
   * replicaof (slaveof): "host port" to start as a replica of that primary, or none (empty, or "no
   * one"); shown as "host port".
   */
  static String replicaOf(String value) {
    String v = value.trim().replaceAll("\\s+", " ");
    // "no one" is Redis's way of saying none.
    if (v.isEmpty() || v.equalsIgnoreCase("no one")) {
      return "";
    }
    String[] words = v.split(" ");
    if (words.length != 2) {
      throw new IllegalArgumentException("replicaof takes a host and a port, or \"no one\"");
    }
    int port;
    try {
      port = Integer.parseInt(words[1]);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("Invalid master port");
    }
    return words[0] + " " + port;
  }

  /** unixsocketperm: an octal mode up to 0777, shown in octal as Redis shows it. */
  private static String octalPermissions(String value) {
    long mode;
    try {
      mode = Long.parseLong(value, 8);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("argument couldn't be parsed into an integer");
    }
    if (mode < 0 || mode > 0777) {
      throw new IllegalArgumentException("argument must be between 0 and 777 inclusive");
    }
    return Long.toOctalString(mode);
  }

  /**
   * proc-title-template: Redis's check, that the template expands (its variables known, every '{'
   * closed, "{{" a literal brace) to something not empty with an empty title.
   */
  static String procTitleTemplate(String value) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < value.length()) {
      int open = value.indexOf('{', i);
      if (open < 0) {
        out.append(value, i, value.length());
        break;
      }
      out.append(value, i, open);
      if (open + 1 >= value.length()) {
        throw badTemplate();
      }
      if (value.charAt(open + 1) == '{') {
        out.append('{');
        i = open + 2;
        continue;
      }
      int close = value.indexOf('}', open + 1);
      if (close < 0) {
        throw badTemplate();
      }
      switch (value.substring(open + 1, close)) {
        case "title", "server-mode", "unixsocket" -> {}
        case "listen-addr" -> out.append("*:6379");
        case "config-file" -> out.append('-');
        case "port", "tls-port" -> out.append('0');
        default -> throw badTemplate();
      }
      i = close + 1;
    }
    if (out.length() == 0) {
      throw badTemplate();
    }
    return value;
  }

  private static IllegalArgumentException badTemplate() {
    return new IllegalArgumentException("template format is invalid or contains unknown variables");
  }

  /**
   * oom-score-adj: no, yes, relative or absolute; relative is yes's other name, and shown as yes,
   * as Redis shows it.
   */
  static String oomScoreAdj(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    return switch (v) {
      case "no", "yes", "absolute" -> v;
      case "relative" -> "yes";
      default ->
          throw new IllegalArgumentException(
              "argument(s) must be one of the following: no, yes, relative, absolute");
    };
  }

  /** cluster-announce-hostname: Redis's checks, length and characters. */
  private static String announcedHostname(String value) {
    if (value.length() >= 256) {
      throw new IllegalArgumentException("Hostnames must be less than 256 characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.')) {
        throw new IllegalArgumentException(
            "Hostnames may only contain alphanumeric characters, hyphens or dots");
      }
    }
    return value;
  }

  /**
   * oom-score-adj-values: the three scores (primary, replica, background child) from -2000 to 2000,
   * with Redis's error texts.
   */
  static String oomScoreAdjValues(String value) {
    String trimmed = value.trim();
    String[] words = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
    if (words.length != 3) {
      throw new IllegalArgumentException("wrong number of arguments");
    }
    long[] scores = new long[3];
    for (int i = 0; i < 3; i++) {
      try {
        scores[i] = Long.parseLong(words[i]);
      } catch (NumberFormatException e) {
        scores[i] = Long.MAX_VALUE;
      }
      if (scores[i] < -2000 || scores[i] > 2000) {
        throw new IllegalArgumentException(
            "Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
      }
    }
    return scores[0] + " " + scores[1] + " " + scores[2];
  }

  /**
   * client-output-buffer-limit: "class hard soft seconds" groups (class normal, replica or slave,
   * pubsub); a value names only the classes it changes, as in Redis, and CONFIG GET shows all
   * three.
   */
  static final class OutputBufferLimits {
    static final String DEFAULT =
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
    private static final List<String> CLASSES = List.of("normal", "slave", "pubsub");

    /** The directive's current value, which a new one is merged into. */
    private volatile String current = DEFAULT;

    private volatile OutputLimit pubsub = limit(DEFAULT, "pubsub");
    private volatile OutputLimit replica = limit(DEFAULT, "slave");

    private void changed(Directive d) {
      current = d.text();
      pubsub = limit(current, "pubsub");
      replica = limit(current, "slave");
    }

    String merge(String value) {
      String[] words = value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+");
      if (words.length % 4 != 0) {
        throw new IllegalArgumentException(
            "Wrong number of arguments in buffer limit configuration.");
      }
      String[] now = current.split(" ");
      String[] merged = now.clone();
      for (int i = 0; i < words.length; i += 4) {
        String name = words[i].toLowerCase(Locale.ROOT);
        int c = CLASSES.indexOf(name.equals("replica") ? "slave" : name);
        if (c < 0) {
          throw new IllegalArgumentException(
              "Invalid client class specified in buffer limit configuration.");
        }
        long hard = Directive.parseMemory(words[i + 1]);
        long soft = Directive.parseMemory(words[i + 2]);
        long seconds;
        try {
          seconds = Long.parseLong(words[i + 3]);
        } catch (NumberFormatException e) {
          seconds = -1;
        }
        if (hard < 0 || soft < 0 || seconds < 0 || seconds > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
        }
        merged[c * 4 + 1] = Long.toString(hard);
        merged[c * 4 + 2] = Long.toString(soft);
        merged[c * 4 + 3] = Long.toString(seconds);
      }
      return String.join(" ", merged);
    }

    /** The limits of {@code clientClass} (normal, slave, pubsub) in {@code value}. */
    private static OutputLimit limit(String value, String clientClass) {
      String[] words = value.split(" ");
      int at = CLASSES.indexOf(clientClass) * 4;
      return new OutputLimit(
          Long.parseLong(words[at + 1]),
          Long.parseLong(words[at + 2]),
          Long.parseLong(words[at + 3]));
    }
  }

  /**
   * save: "seconds changes" pairs (seconds at least 1, changes at least 0) separated by spaces, or
   * "" for none; shown as Redis shows it, with Redis's error text.
   */
  static String savePoints(String value) {
    String[] words = value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+");
    if ((words.length & 1) != 0) {
      throw new IllegalArgumentException("Invalid save parameters");
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < words.length; i++) {
      long n;
      if (!words[i].matches("[-+]?[0-9]+")) {
        throw new IllegalArgumentException("Invalid save parameters");
      }
      try {
        n = Long.parseLong(words[i].startsWith("+") ? words[i].substring(1) : words[i]);
      } catch (NumberFormatException e) {
        // strtoll saturates.
        n = words[i].startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
      }
      if (n < ((i & 1) == 0 ? 1 : 0)) {
        throw new IllegalArgumentException("Invalid save parameters");
      }
      if ((i & 1) == 1) {
        // Redis keeps the number of changes in an int.
        n = (int) n;
      }
      if (i > 0) {
        out.append(' ');
      }
      out.append(n);
    }
    return out.toString();
  }

  /** The save points of a {@code save} value: pairs of seconds and changes, in order. */
  public static long[] parseSavePoints(String value) {
    String canonical = savePoints(value);
    if (canonical.isEmpty()) {
      return new long[0];
    }
    String[] words = canonical.split(" ");
    long[] out = new long[words.length];
    for (int i = 0; i < words.length; i++) {
      out[i] = Long.parseLong(words[i]);
    }
    return out;
  }

  /** dbfilename: a file name inside dir, not a path (Redis's error text). */
  static String dbFilename(String value) {
    if (value.indexOf('/') >= 0 || value.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("dbfilename can't be a path, just a filename");
    }
    return value;
  }

  /** A percentile as Redis prints it: "%f" without trailing zeros or a trailing point. */
  public static String formatPercentile(double p) {
    String s = String.format(Locale.ROOT, "%f", p);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** Every directive ToriDB knows, with Redis's defaults where Redis has the same directive. */
  public static Config standard() {
    Config c = new Config();
    long maxInt = Integer.MAX_VALUE;
    c.add(Directive.integer("port", 6379, 0, 65535, true));
    c.add(Directive.string("bind", "127.0.0.1 -::1", true));
    c.add(Directive.string("dir", "./data", false).protectedConfig());
    // Hidden from CONFIG GET patterns: tools written for Redis set every config a pattern returns
    // (Redis's own test suite does), and this one is ToriDB's and cannot change at run time.
    c.add(Directive.integer("workers", 0, 0, 1024, false).hidden());
    // ToriDB always runs in the foreground (a service manager supervises it). "yes" is read, so
    // that a file saying so can be overridden on the command line as for Redis (Debian's unit
    // passes --daemonize no), and refused at startup if it stays (Main).
    c.add(Directive.bool("daemonize", false, false));
    c.add(Directive.integer("io-threads", 0, 0, 128, false));
    c.add(Directive.string("requirepass", "", true));
    c.add(Directive.integer("databases", 16, 1, maxInt, false));
    c.add(Directive.integer("maxclients", 10000, 1, 4294967295L, true));
    c.add(Directive.bool("protected-mode", true, true));
    c.add(
        Directive.enumeration(
            "loglevel", "notice", true, "debug", "verbose", "notice", "warning", "nothing"));
    c.add(Directive.string("logfile", "", false));
    c.add(Directive.string("pidfile", "", false));
    c.add(Directive.integer("timeout", 0, 0, maxInt, true));
    c.add(Directive.integer("tcp-keepalive", 300, 0, maxInt, true));
    c.add(Directive.integer("tcp-backlog", 511, 0, maxInt, false));
    // Redis accepts any non-negative hz and runs with it clamped to 1..500 (see HZ_MIN/HZ_MAX).
    c.add(Directive.integer("hz", 10, 0, maxInt, true));
    c.add(Directive.memory("maxmemory", 0, 0, Long.MAX_VALUE, true));
    c.add(
        Directive.enumeration(
            "maxmemory-policy",
            "noeviction",
            true,
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "noeviction"));
    c.add(Directive.integer("maxmemory-samples", 5, 1, maxInt, true));
    c.add(Directive.memoryOrPercent("maxmemory-clients", 0, Long.MAX_VALUE, true));
    c.add(
        Directive.memory(
            "proto-max-bulk-len", 512L * 1024 * 1024, 1024 * 1024, Long.MAX_VALUE, true));
    c.add(
        Directive.memory(
            "client-query-buffer-limit", 1024L * 1024 * 1024, 1024 * 1024, Long.MAX_VALUE, true));
    c.add(Directive.integer("slowlog-log-slower-than", 10000, -1, Long.MAX_VALUE, true));
    c.add(Directive.integer("slowlog-max-len", 128, 0, Long.MAX_VALUE, true));
    c.add(Directive.integer("latency-monitor-threshold", 0, 0, Long.MAX_VALUE, true));
    c.add(Directive.bool("latency-tracking", true, true));
    // Redis 8 runs VSIM on threads unless this is set; here searches always run on the worker.
    c.add(Directive.bool("vset-force-single-threaded-execution", false, true));
    c.add(
        Directive.string(
            "latency-tracking-info-percentiles", "50 99 99.9", true, Config::percentiles));
    c.add(
        Directive.string(
            "notify-keyspace-events", "", true, io.toridb.core.pubsub.KeyspaceEvents::canonical));
    c.add(Directive.enumeration("enable-debug-command", "no", false, "no", "yes", "local"));
    c.add(Directive.bool("appendonly", true, true));
    c.add(Directive.enumeration("appendfsync", "everysec", true, "everysec", "always", "no"));
    c.add(Directive.string("appendfilename", "appendonly.aof", false));
    c.add(Directive.string("appenddirname", "appendonlydir", false));
    c.add(Directive.string("dbfilename", "dump.rdb", true, Config::dbFilename).protectedConfig());
    c.add(Directive.string("save", "3600 1 300 100 60 10000", true, Config::savePoints));
    c.add(Directive.bool("rdbcompression", true, true));
    c.add(Directive.bool("rdbchecksum", true, false));
    c.add(Directive.bool("stop-writes-on-bgsave-error", true, true));
    // Testing settings, hidden from CONFIG GET patterns as in Redis.
    c.add(Directive.integer("rdb-key-save-delay", 0, Integer.MIN_VALUE, maxInt, true).hidden());
    c.add(Directive.integer("key-load-delay", 0, Integer.MIN_VALUE, maxInt, true).hidden());
    c.add(Directive.integer("auto-aof-rewrite-percentage", 100, 0, maxInt, true));
    c.add(
        Directive.memory("auto-aof-rewrite-min-size", 64L * 1024 * 1024, 0, Long.MAX_VALUE, true));
    c.add(Directive.bool("aof-load-truncated", true, true));
    c.add(Directive.bool("aof-rewrite-incremental-fsync", true, true));
    c.add(Directive.bool("rdb-save-incremental-fsync", true, true));
    // Accepted for Redis configuration files: a rewritten base is always log records here.
    c.add(Directive.bool("aof-use-rdb-preamble", true, true));
    // Accepted for Redis configuration files, with no effect: the log is forced as appendfsync
    // says during rewrites and saves too; DUMP payloads are always checked whole; there are no
    // replicas to delete sync files for or to wait for at shutdown.
    c.add(Directive.bool("no-appendfsync-on-rewrite", false, true));
    c.add(Directive.enumeration("sanitize-dump-payload", "no", true, "no", "yes", "clients"));
    c.add(Directive.bool("rdb-del-sync-files", false, true));
    c.add(Directive.integer("shutdown-timeout", 10, 0, maxInt, true));
    // What SIGTERM and SIGINT do, as SHUTDOWN's flags (NOW changes nothing without replicas).
    c.add(Directive.string("shutdown-on-sigterm", "default", true, Config::shutdownFlags));
    c.add(Directive.string("shutdown-on-sigint", "default", true, Config::shutdownFlags));
    // Timestamp annotations in the log are not written: only the default is accepted.
    c.add(Directive.enumeration("aof-timestamp-enabled", "no", true, "no"));
    c.add(Directive.bool("lazyfree-lazy-user-del", false, true));
    c.add(Directive.bool("lazyfree-lazy-user-flush", false, true));
    c.add(Directive.integer("lfu-log-factor", 10, 0, maxInt, true));
    c.add(Directive.integer("lfu-decay-time", 1, 0, maxInt, true));
    c.add(Directive.integer("active-expire-effort", 1, 1, 10, true));
    c.add(Directive.integer("busy-reply-threshold", 5000, 0, Long.MAX_VALUE, true));
    c.add(Directive.memory("repl-backlog-size", 1024 * 1024, 1, Long.MAX_VALUE, true));
    c.add(Directive.string("replicaof", "", false, Config::replicaOf));
    c.add(Directive.bool("cluster-enabled", false, false));
    c.add(Directive.integer("cluster-node-timeout", 15000, 0, Long.MAX_VALUE, true));
    c.add(Directive.integer("hash-max-listpack-entries", 512, 0, Long.MAX_VALUE, true));
    c.add(Directive.integer("hash-max-listpack-value", 64, 0, Long.MAX_VALUE, true));
    c.add(Directive.integer("list-max-listpack-size", -2, Integer.MIN_VALUE, maxInt, true));
    c.add(Directive.integer("list-compress-depth", 0, 0, maxInt, true));
    c.add(Directive.integer("set-max-intset-entries", 512, 0, Long.MAX_VALUE, true));
    c.add(Directive.integer("set-max-listpack-entries", 128, 0, Long.MAX_VALUE, true));
    c.add(Directive.integer("set-max-listpack-value", 64, 0, Long.MAX_VALUE, true));
    c.add(Directive.integer("zset-max-listpack-entries", 128, 0, Long.MAX_VALUE, true));
    c.add(Directive.integer("zset-max-listpack-value", 64, 0, Long.MAX_VALUE, true));
    addAcceptedForRedisFiles(c, maxInt);
    c.alias("slaveof", "replicaof");
    c.alias("hash-max-ziplist-entries", "hash-max-listpack-entries");
    c.alias("hash-max-ziplist-value", "hash-max-listpack-value");
    c.alias("list-max-ziplist-size", "list-max-listpack-size");
    c.alias("zset-max-ziplist-entries", "zset-max-listpack-entries");
    c.alias("zset-max-ziplist-value", "zset-max-listpack-value");
    c.alias("lua-time-limit", "busy-reply-threshold");
    c.alias("min-slaves-to-write", "min-replicas-to-write");
    c.alias("min-slaves-max-lag", "min-replicas-max-lag");
    c.alias("repl-ping-slave-period", "repl-ping-replica-period");
    c.alias("slave-announce-ip", "replica-announce-ip");
    c.alias("slave-announce-port", "replica-announce-port");
    c.alias("slave-ignore-maxmemory", "replica-ignore-maxmemory");
    c.alias("slave-lazy-flush", "replica-lazy-flush");
    c.alias("slave-priority", "replica-priority");
    c.alias("slave-read-only", "replica-read-only");
    c.alias("slave-serve-stale-data", "replica-serve-stale-data");
    c.alias("cluster-slave-no-failover", "cluster-replica-no-failover");
    c.alias("cluster-slave-validity-factor", "cluster-replica-validity-factor");
    return c;
  }

  /**
   * The rest of Redis 7.0's directives, with its defaults, ranges and mutability, so that a
   * redis.conf written for Redis loads and tools that read or set them get Redis's answers. Most
   * tune what ToriDB does not have or does differently (replicas, TLS, the allocator, the process
   * title, active defragmentation, streams) and change nothing; configuration.md lists them. Where
   * accepting a value would silently drop what it asks for (listening with TLS or on a Unix socket,
   * users from an ACL file, logging to syslog) only the default is accepted and anything else is
   * refused with the reason. min-replicas-to-write, client-output-buffer-limit's pubsub class and
   * enable-protected-configs act as in Redis.
   */
  private static void addAcceptedForRedisFiles(Config c, long maxInt) {
    long maxLong = Long.MAX_VALUE;
    // Replication: with min-replicas-to-write above 0 (and a max lag) writes are refused while
    // fewer replicas are good, as in Redis.
    c.add(Directive.integer("min-replicas-to-write", 0, 0, maxInt, true));
    c.add(Directive.integer("min-replicas-max-lag", 10, 0, maxInt, true));
    c.add(Directive.string("masterauth", "", true));
    c.add(Directive.string("masteruser", "", true));
    c.add(Directive.string("bind-source-addr", "", true));
    c.add(Directive.integer("repl-backlog-ttl", 3600, 0, maxLong, true));
    c.add(Directive.bool("repl-disable-tcp-nodelay", false, true));
    c.add(
        Directive.enumeration(
            "repl-diskless-load", "disabled", true, "disabled", "on-empty-db", "swapdb"));
    c.add(Directive.bool("repl-diskless-sync", true, true));
    c.add(Directive.integer("repl-diskless-sync-delay", 5, 0, maxInt, true));
    c.add(Directive.integer("repl-diskless-sync-max-replicas", 0, 0, maxInt, true));
    c.add(Directive.integer("repl-ping-replica-period", 10, 1, maxInt, true));
    c.add(Directive.integer("repl-timeout", 60, 1, maxInt, true));
    c.add(Directive.string("replica-announce-ip", "", true));
    c.add(Directive.integer("replica-announce-port", 0, 0, 65535, true));
    c.add(Directive.bool("replica-announced", true, true));
    c.add(Directive.bool("replica-ignore-disk-write-errors", false, true));
    c.add(Directive.bool("replica-ignore-maxmemory", true, true));
    c.add(Directive.bool("replica-lazy-flush", false, true));
    c.add(Directive.integer("replica-priority", 100, 0, maxInt, true));
    c.add(Directive.bool("replica-read-only", true, true));
    c.add(Directive.bool("replica-serve-stale-data", true, true));
    c.add(
        Directive.enumeration(
            "propagation-error-behavior", "ignore", true, "ignore", "panic", "panic-on-replicas"));
    // Cluster: the settings of a Redis cluster node.
    c.add(Directive.bool("cluster-allow-pubsubshard-when-down", true, true));
    c.add(Directive.bool("cluster-allow-reads-when-down", false, true));
    c.add(Directive.bool("cluster-allow-replica-migration", true, true));
    c.add(Directive.integer("cluster-announce-bus-port", 0, 0, 65535, true));
    c.add(Directive.string("cluster-announce-hostname", "", true, Config::announcedHostname));
    c.add(Directive.string("cluster-announce-ip", "", true));
    c.add(Directive.integer("cluster-announce-port", 0, 0, 65535, true));
    c.add(Directive.integer("cluster-announce-tls-port", 0, 0, 65535, true));
    c.add(Directive.string("cluster-config-file", "nodes.conf", false));
    c.add(Directive.memory("cluster-link-sendbuf-limit", 0, 0, maxLong, true));
    c.add(Directive.integer("cluster-migration-barrier", 1, 0, maxInt, true));
    c.add(Directive.integer("cluster-port", 0, 0, 65535, false));
    c.add(
        Directive.enumeration(
            "cluster-preferred-endpoint-type", "ip", true, "ip", "hostname", "unknown-endpoint"));
    c.add(Directive.bool("cluster-replica-no-failover", false, true));
    c.add(Directive.integer("cluster-replica-validity-factor", 10, 0, maxInt, true));
    c.add(Directive.bool("cluster-require-full-coverage", true, true));
    // TLS: ToriDB speaks plain TCP only, so nothing may turn TLS on; the file and cipher settings
    // are kept for when it can.
    c.add(
        Directive.integer("tls-port", 0, 0, 65535, true)
            .onlyDefault("TLS is not available in this version: tls-port must be 0"));
    for (String name : new String[] {"tls-replication", "tls-cluster"}) {
      c.add(
          Directive.bool(name, false, true)
              .onlyDefault("TLS is not available in this version: " + name + " must be no"));
    }
    c.add(Directive.enumeration("tls-auth-clients", "yes", true, "no", "yes", "optional"));
    for (String name :
        new String[] {
          "tls-ca-cert-dir",
          "tls-ca-cert-file",
          "tls-cert-file",
          "tls-ciphers",
          "tls-ciphersuites",
          "tls-client-cert-file",
          "tls-client-key-file",
          "tls-client-key-file-pass",
          "tls-dh-params-file",
          "tls-key-file",
          "tls-key-file-pass",
          "tls-protocols"
        }) {
      c.add(Directive.string(name, "", true));
    }
    c.add(Directive.bool("tls-prefer-server-ciphers", false, true));
    c.add(Directive.integer("tls-session-cache-size", 20 * 1024, 0, maxInt, true));
    c.add(Directive.integer("tls-session-cache-timeout", 300, 0, maxInt, true));
    c.add(Directive.bool("tls-session-caching", true, true));
    // Connections: TCP only; the output buffer limits (the pubsub hard limit is enforced).
    c.add(
        Directive.string("unixsocket", "", false)
            .onlyDefault(
                "Unix sockets are not available in this version: unixsocket must be empty"));
    c.add(Directive.string("unixsocketperm", "0", false, Config::octalPermissions));
    c.add(Directive.integer("socket-mark-id", 0, 0, 4294967295L, false));
    OutputBufferLimits limits = c.outputLimits;
    c.add(
        Directive.string(
                "client-output-buffer-limit", OutputBufferLimits.DEFAULT, true, limits::merge)
            .onChange(limits::changed));
    // Security: requirepass is the one user; ACL files are refused rather than ignored.
    c.add(
        Directive.string("aclfile", "", false)
            .onlyDefault(
                "ACL users are not available in this version (requirepass sets the password):"
                    + " aclfile must be empty"));
    c.add(Directive.integer("acllog-max-len", 128, 0, maxLong, true));
    c.add(
        Directive.enumeration(
            "acl-pubsub-default", "resetchannels", true, "allchannels", "resetchannels"));
    c.add(Directive.enumeration("enable-protected-configs", "no", false, "no", "yes", "local"));
    c.add(Directive.enumeration("enable-module-command", "no", false, "no", "yes", "local"));
    // The process: the JVM manages memory, threads and the title; logs go to stdout or logfile.
    c.add(Directive.bool("always-show-logo", false, false));
    c.add(Directive.bool("set-proc-title", true, false));
    c.add(
        Directive.string(
            "proc-title-template",
            "{title} {listen-addr} {server-mode}",
            true,
            Config::procTitleTemplate));
    c.add(Directive.enumeration("supervised", "no", false, "upstart", "systemd", "auto", "no"));
    c.add(
        Directive.bool("syslog-enabled", false, false)
            .onlyDefault(
                "syslog is not available in this version: log to logfile (or stdout) instead"));
    c.add(Directive.string("syslog-ident", "redis", false));
    c.add(
        Directive.enumeration(
            "syslog-facility",
            "local0",
            false,
            "user",
            "local0",
            "local1",
            "local2",
            "local3",
            "local4",
            "local5",
            "local6",
            "local7"));
    c.add(Directive.string("oom-score-adj", "no", true, Config::oomScoreAdj));
    c.add(Directive.string("oom-score-adj-values", "0 200 800", true, Config::oomScoreAdjValues));
    c.add(Directive.bool("disable-thp", true, false));
    c.add(Directive.bool("jemalloc-bg-thread", true, true));
    c.add(Directive.string("server_cpulist", "", false));
    c.add(Directive.string("bio_cpulist", "", false));
    c.add(Directive.string("aof_rewrite_cpulist", "", false));
    c.add(Directive.string("bgsave_cpulist", "", false));
    c.add(Directive.bool("crash-log-enabled", true, true));
    c.add(Directive.bool("crash-memcheck-enabled", true, true));
    c.add(Directive.string("ignore-warnings", "", true));
    c.add(Directive.bool("io-threads-do-reads", false, false));
    c.add(Directive.bool("dynamic-hz", true, true));
    c.add(Directive.bool("activerehashing", true, true));
    c.add(Directive.bool("aof-disable-auto-gc", false, true));
    // Memory: freeing and defragmenting are the garbage collector's.
    c.add(Directive.bool("lazyfree-lazy-eviction", false, true));
    c.add(Directive.bool("lazyfree-lazy-expire", false, true));
    c.add(Directive.bool("lazyfree-lazy-server-del", false, true));
    c.add(Directive.integer("maxmemory-eviction-tenacity", 10, 0, 100, true));
    c.add(Directive.bool("activedefrag", false, true));
    c.add(Directive.integer("active-defrag-cycle-max", 25, 1, 99, true));
    c.add(Directive.integer("active-defrag-cycle-min", 1, 1, 99, true));
    c.add(Directive.memory("active-defrag-ignore-bytes", 100L << 20, 1, maxLong, true));
    c.add(Directive.integer("active-defrag-max-scan-fields", 1000, 1, maxLong, true));
    c.add(Directive.integer("active-defrag-threshold-lower", 10, 0, 1000, true));
    c.add(Directive.integer("active-defrag-threshold-upper", 100, 0, 1000, true));
    // Data types' internal encodings that ToriDB does not use, and types it does not have.
    c.add(Directive.memory("hll-sparse-max-bytes", 3000, 0, maxLong, true));
    c.add(Directive.memory("stream-node-max-bytes", 4096, 0, maxLong, true));
    c.add(Directive.integer("stream-node-max-entries", 100, 0, maxLong, true));
    c.add(Directive.integer("tracking-table-max-keys", 1000000, 0, maxLong, true));
    // Redis's hidden testing settings.
    c.add(
        Directive.integer("loading-process-events-interval-bytes", 2 << 20, 1024, maxInt, true)
            .hidden());
    c.add(Directive.bool("use-exit-on-panic", false, true).hidden());
    c.add(Directive.integer("watchdog-period", 0, 0, maxInt, true).hidden());
  }
}
