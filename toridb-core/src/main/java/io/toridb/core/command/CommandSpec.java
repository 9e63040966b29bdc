package io.toridb.core.command;

import io.toridb.core.server.Counter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One row of the command table: everything the server knows about a command, read by dispatch,
 * locking, {@code COMMAND}, {@code COMMAND DOCS} and {@code INFO commandstats}.
 *
 * <p>Key positions follow Redis's legacy triple: {@code firstKey} (0 = no keys), {@code lastKey}
 * (negative counts from the end, -1 = last argument) and {@code step}.
 */
public final class CommandSpec {
  private final String name;
  private final String fullName;
  private final int arity;
  private final int flags;
  private final int firstKey;
  private final int lastKey;
  private final int step;
  private final String group;
  private final String summary;
  private final String since;
  private final String complexity;
  private final CommandHandler handler;
  private final Map<String, CommandSpec> subcommands;
  private final CommandSpec parent;
  private final java.util.List<String> acl;
  private final java.util.List<String> tips;
  private final java.util.List<KeySpec> keySpecs;
  private final java.util.function.Function<byte[][], java.util.List<String>> keyFlagsForCall;
  private final java.util.function.Predicate<byte[][]> wholeKeyspaceWhen;
  private final java.util.function.Predicate<byte[][]> writesWhen;

  /** Statistics for INFO commandstats. */
  public final Counter calls = new Counter();

  public final Counter usec = new Counter();
  public final Counter rejectedCalls = new Counter();
  public final Counter failedCalls = new Counter();

  /** For INFO latencystats; created by the first call recorded, dropped by CONFIG RESETSTAT. */
  private volatile LatencyHistogram latency;

  private CommandSpec(Builder b, CommandSpec parent) {
    this.name = b.name;
    this.parent = parent;
    this.fullName = parent == null ? b.name : parent.name + "|" + b.name;
    this.arity = b.arity;
    // As Redis's populateCommandMovableKeys: keys found by counting or after a keyword are not at
    // fixed positions.
    this.flags =
        b.keySpecs.stream().anyMatch(k -> k.keyNum() || k.keyword() != null || k.unknown())
            ? b.flags | CommandFlag.MOVABLE_KEYS
            : b.flags;
    this.firstKey = b.firstKey;
    this.lastKey = b.lastKey;
    this.step = b.step;
    // Subcommands belong to their container's group unless they say otherwise.
    this.group = b.group != null ? b.group : parent != null ? parent.group : "generic";
    this.summary = b.summary;
    this.since = b.since;
    this.complexity = b.complexity;
    this.handler = b.handler;
    this.acl = b.acl;
    this.tips = b.tips;
    this.keySpecs = keySpecs(b);
    this.keyFlagsForCall = b.keyFlagsForCall;
    this.wholeKeyspaceWhen = b.wholeKeyspaceWhen;
    this.writesWhen = b.writesWhen;
    Map<String, CommandSpec> subs = new LinkedHashMap<>();
    for (Builder sb : b.subcommands) {
      subs.put(sb.name, new CommandSpec(sb, this));
    }
    this.subcommands = Collections.unmodifiableMap(subs);
  }

  /** Records one call that took {@code nanos}, for INFO latencystats. */
  public void recordLatency(long nanos) {
    LatencyHistogram h = latency;
    if (h == null) {
      synchronized (this) {
        h = latency;
        if (h == null) {
          h = new LatencyHistogram();
          latency = h;
        }
      }
    }
    h.record(nanos);
  }

  /** The latencies recorded since the last reset, or null when there are none. */
  public LatencyHistogram latency() {
    return latency;
  }

  /** Forgets the recorded latencies (CONFIG RESETSTAT). */
  public void resetLatency() {
    latency = null;
  }

  public static Builder builder(String name, int arity) {
    return new Builder(name, arity);
  }

  /** Lower-case name; for a subcommand just its own part ("get"). */
  public String name() {
    return name;
  }

  /** "get", or "config|get" for a subcommand: the name error texts and COMMAND use. */
  public String fullName() {
    return fullName;
  }

  public int arity() {
    return arity;
  }

  public int flags() {
    return flags;
  }

  public boolean has(int flag) {
    return (flags & flag) != 0;
  }

  public int firstKey() {
    return firstKey;
  }

  public int lastKey() {
    return lastKey;
  }

  public int step() {
    return step;
  }

  public String group() {
    return group;
  }

  public String summary() {
    return summary;
  }

  public String since() {
    return since;
  }

  public String complexity() {
    return complexity;
  }

  public CommandHandler handler() {
    return handler;
  }

  public CommandSpec parent() {
    return parent;
  }

  public Map<String, CommandSpec> subcommands() {
    return subcommands;
  }

  /**
   * The ACL categories declared for this command (lower case, without '@'), replacing the one its
   * group implies; null when none were declared. See {@link AclCategories} for the full set.
   */
  public java.util.List<String> declaredAcl() {
    return acl;
  }

  /** Hints for clients and proxies that COMMAND shows ("nondeterministic_output", ...). */
  public java.util.List<String> tips() {
    return tips;
  }

  /**
   * The key specs COMMAND INFO shows and COMMAND GETKEYS follows: the declared ones, or one derived
   * from the first/last/step triple. Empty for a command without keys.
   */
  public java.util.List<KeySpec> keySpecs() {
    return keySpecs;
  }

  /**
   * The flags of the keys of one call, for COMMAND GETKEYSANDFLAGS: those of the key spec, unless
   * the command decides them from its arguments (the spec then has the variable_flags flag).
   */
  /**
   * Whether this call of the command must lock every key: always for {@link
   * CommandFlag#WHOLE_KEYSPACE} commands, or when its arguments say so. Also true for {@link
   * CommandFlag#SCRIPT_LOCKING} commands, which lock that way where they cannot lock as they go,
   * and for {@link CommandFlag#EXCLUSIVE} ones.
   */
  public boolean needsWholeKeyspace(byte[][] argv) {
    return has(CommandFlag.WHOLE_KEYSPACE | CommandFlag.SCRIPT_LOCKING | CommandFlag.EXCLUSIVE)
        || (wholeKeyspaceWhen != null && wholeKeyspaceWhen.test(argv));
  }

  /** Whether the call {@code argv} may write: the WRITE flag, narrowed by {@code writesWhen}. */
  public boolean writes(byte[][] argv) {
    return has(CommandFlag.WRITE) && (writesWhen == null || writesWhen.test(argv));
  }

  public java.util.List<String> keyFlags(KeySpec keySpec, byte[][] argv) {
    return keyFlagsForCall != null ? keyFlagsForCall.apply(argv) : keySpec.flags();
  }

  private static java.util.List<KeySpec> keySpecs(Builder b) {
    if (!b.keySpecs.isEmpty()) {
      return java.util.List.copyOf(b.keySpecs);
    }
    if (b.firstKey <= 0) {
      return java.util.List.of();
    }
    java.util.List<String> flags = b.keyFlags;
    if (flags == null) {
      if ((b.flags & CommandFlag.WRITE) != 0) {
        flags = java.util.List.of("RW", "update");
      } else {
        boolean reads = (b.flags & CommandFlag.READONLY) != 0;
        flags = reads ? java.util.List.of("RO", "access") : java.util.List.of("RO");
      }
    }
    int last = b.lastKey >= 0 ? b.lastKey - b.firstKey : b.lastKey;
    return java.util.List.of(new KeySpec(b.firstKey, last, b.step, flags, b.keyNotes));
  }

  public boolean isContainer() {
    return !subcommands.isEmpty();
  }

  public CommandSpec subcommand(byte[] name) {
    return subcommands.get(Args.latin1(name).toLowerCase(Locale.ROOT));
  }

  /** True when {@code argc} arguments (command name included) satisfy the arity. */
  public boolean arityAccepts(int argc) {
    return arity >= 0 ? argc == arity : argc >= -arity;
  }

  /** Builder for table rows; see {@link CommandSpec}. */
  public static final class Builder {
    private final String name;
    private final int arity;
    private int flags;
    private int firstKey;
    private int lastKey;
    private int step;
    private String group;
    private String summary = "";
    private String since = "1.0.0";
    private String complexity;
    private CommandHandler handler;
    private final java.util.List<Builder> subcommands = new java.util.ArrayList<>();
    private java.util.List<String> acl;
    private java.util.List<String> tips = java.util.List.of();
    private java.util.List<String> keyFlags;
    private String keyNotes;
    private final java.util.List<KeySpec> keySpecs = new java.util.ArrayList<>();
    private java.util.function.Function<byte[][], java.util.List<String>> keyFlagsForCall;
    private java.util.function.Predicate<byte[][]> wholeKeyspaceWhen;
    private java.util.function.Predicate<byte[][]> writesWhen;

    private Builder(String name, int arity) {
      this.name = name.toLowerCase(Locale.ROOT);
      this.arity = arity;
    }

    public Builder flags(int flags) {
      this.flags |= flags;
      return this;
    }

    public Builder keys(int first, int last, int step) {
      this.firstKey = first;
      this.lastKey = last;
      this.step = step;
      return this;
    }

    public Builder group(String group) {
      this.group = group;
      return this;
    }

    public Builder doc(String summary, String since, String complexity) {
      this.summary = summary;
      this.since = since;
      this.complexity = complexity;
      return this;
    }

    public Builder handler(CommandHandler handler) {
      this.handler = handler;
      return this;
    }

    /**
     * Declares the command's ACL categories as Redis's command table does ("keyspace", "dangerous",
     * ...), in place of the one its group implies. Categories that follow from the flags
     * (@write, @read, @admin, @fast, @slow, ...) are added anyway.
     */
    public Builder acl(String... categories) {
      this.acl = java.util.List.of(categories);
      return this;
    }

    /** Command tips, as Redis declares them ("nondeterministic_output", "request_policy:..."). */
    public Builder tips(String... tips) {
      this.tips = java.util.List.of(tips);
      return this;
    }

    /**
     * Flags ("RW", "access", "update", ...) of the one key spec derived from {@link #keys}, when
     * those derived from the command flags (RW update for writes, RO access for reads) are wrong.
     */
    public Builder keyFlags(String... flags) {
      this.keyFlags = java.util.List.of(flags);
      return this;
    }

    /** Why the derived key spec has the flags it has, when they need explaining. */
    public Builder keyNotes(String notes) {
      this.keyNotes = notes;
      return this;
    }

    /**
     * Declares a key spec, for commands whose keys play different roles (RENAME's source and
     * destination); declared specs replace the one derived from {@link #keys}, which still decides
     * the locks.
     */
    public Builder keySpec(KeySpec spec) {
      this.keySpecs.add(spec);
      return this;
    }

    /**
     * Decides the key flags of one call from its arguments (SET is RW with GET, else OW), for
     * COMMAND GETKEYSANDFLAGS; give the key spec the variable_flags flag.
     */
    public Builder keyFlagsForCall(
        java.util.function.Function<byte[][], java.util.List<String>> flags) {
      this.keyFlagsForCall = flags;
      return this;
    }

    /**
     * Makes the calls for which {@code when} holds lock the whole keyspace, as {@link
     * CommandFlag#WHOLE_KEYSPACE} does for every call: SORT with BY or GET patterns reads keys
     * named by the data it sorts.
     */
    /**
     * For a command flagged WRITE whose calls may only read (SQL's SELECT): whether the call {@code
     * argv} writes, for a read-only replica's refusal.
     */
    public Builder writesWhen(java.util.function.Predicate<byte[][]> when) {
      this.writesWhen = when;
      return this;
    }

    public Builder wholeKeyspaceWhen(java.util.function.Predicate<byte[][]> when) {
      this.wholeKeyspaceWhen = when;
      return this;
    }

    public Builder subcommand(Builder sub) {
      subcommands.add(sub);
      return this;
    }

    public CommandSpec build() {
      if (handler == null && subcommands.isEmpty()) {
        throw new IllegalStateException("command " + name + " has no handler");
      }
      return new CommandSpec(this, null);
    }
  }
}
