package io.toridb.core.config;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * One configuration directive: its name, how a value is parsed and validated, whether CONFIG SET
 * may change it at runtime, and its current value (as canonical text and parsed).
 */
public final class Directive {
  /** How a directive's text is parsed. */
  public enum Kind {
    /** yes/no. */
    BOOL,
    /** A decimal integer within [min, max]. */
    INTEGER,
    /** A byte count with optional k/kb/m/mb/g/gb suffix. */
    MEMORY,
    /**
     * A byte count as MEMORY, or a percentage ("10%") of something the directive names; {@link
     * #number()} is then the negated percentage, as Redis stores it.
     */
    MEMORY_PERCENT,
    /** One of a fixed set of words. */
    ENUM,
    /** Any text. */
    STRING,
  }

  private final String name;
  private final Kind kind;
  private final String defaultValue;
  private final boolean mutable;
  private final long min;
  private final long max;
  private final String[] choices;
  private volatile String text;
  private volatile long number;
  private final Canonicalizer canonicalizer;
  private Consumer<Directive> onChange;
  private Applier applier;
  private boolean hidden;
  private boolean protectedConfig;
  private String onlyDefault;

  /** Checks a STRING directive's text and gives the form CONFIG GET shows. */
  @FunctionalInterface
  public interface Canonicalizer {
    /**
     * The canonical text of {@code value}.
     *
     * @throws IllegalArgumentException with the reason in Redis's words when it is refused
     */
    String canonical(String value);
  }

  /**
   * Puts a new value into effect where that can fail (binding a port): CONFIG SET calls it after
   * storing every value it was given, and puts all of them back when it fails.
   */
  @FunctionalInterface
  public interface Applier {
    /** Returns null when the value is in effect, otherwise the reason in Redis's words. */
    String apply();
  }

  private Directive(
      String name, Kind kind, String def, boolean mutable, long min, long max, String[] choices) {
    this(name, kind, def, mutable, min, max, choices, null);
  }

  private Directive(
      String name,
      Kind kind,
      String def,
      boolean mutable,
      long min,
      long max,
      String[] choices,
      Canonicalizer canonicalizer) {
    this.canonicalizer = canonicalizer;
    this.name = name;
    this.kind = kind;
    this.defaultValue = def;
    this.mutable = mutable;
    this.min = min;
    this.max = max;
    this.choices = choices;
    String error = set(def);
    if (error != null) {
      throw new IllegalArgumentException(name + ": bad default " + def + ": " + error);
    }
  }

  public static Directive bool(String name, boolean def, boolean mutable) {
    return new Directive(name, Kind.BOOL, def ? "yes" : "no", mutable, 0, 1, null);
  }

  public static Directive integer(String name, long def, long min, long max, boolean mutable) {
    return new Directive(name, Kind.INTEGER, Long.toString(def), mutable, min, max, null);
  }

  public static Directive memory(String name, long def, long min, long max, boolean mutable) {
    return new Directive(name, Kind.MEMORY, Long.toString(def), mutable, min, max, null);
  }

  /** A MEMORY_PERCENT directive: bytes within [0, max], or a percentage up to 100. */
  public static Directive memoryOrPercent(String name, long def, long max, boolean mutable) {
    return new Directive(name, Kind.MEMORY_PERCENT, Long.toString(def), mutable, -100, max, null);
  }

  public static Directive enumeration(String name, String def, boolean mutable, String... choices) {
    return new Directive(name, Kind.ENUM, def, mutable, 0, 0, choices);
  }

  public static Directive string(String name, String def, boolean mutable) {
    return new Directive(name, Kind.STRING, def, mutable, 0, 0, null);
  }

  /** A STRING directive whose values {@code canonicalizer} checks and normalizes. */
  public static Directive string(
      String name, String def, boolean mutable, Canonicalizer canonicalizer) {
    return new Directive(name, Kind.STRING, def, mutable, 0, 0, null, canonicalizer);
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  public boolean mutable() {
    return mutable;
  }

  /**
   * Hides this directive from CONFIG GET with a pattern, as Redis's hidden configs: only its exact
   * name shows it.
   */
  public Directive hidden() {
    this.hidden = true;
    return this;
  }

  public boolean isHidden() {
    return hidden;
  }

  /**
   * Marks this directive as Redis's protected configs (dir, dbfilename): CONFIG SET changes it only
   * where enable-protected-configs allows.
   */
  public Directive protectedConfig() {
    this.protectedConfig = true;
    return this;
  }

  public boolean isProtected() {
    return protectedConfig;
  }

  public String defaultValue() {
    return defaultValue;
  }

  /** Current value as CONFIG GET shows it. */
  public String text() {
    return text;
  }

  /** Current value of a BOOL (1/0), INTEGER or MEMORY directive. */
  public long number() {
    return number;
  }

  public boolean isYes() {
    return number != 0;
  }

  /** Called after every successful change. */
  public Directive onChange(Consumer<Directive> listener) {
    this.onChange = listener;
    return this;
  }

  /**
   * Called by CONFIG SET once a changed value is stored; the same applier may serve several
   * directives (it then runs once per command).
   */
  public Directive onApply(Applier applier) {
    this.applier = applier;
    return this;
  }

  /** The applier CONFIG SET must run after changing this directive, or null. */
  public Applier applier() {
    return applier;
  }

  /**
   * Accepts only the default value (in any form the kind reads as it: "0", "NO"), refusing every
   * other valid value with {@code reason}: for what ToriDB cannot do (TLS, a Unix socket, an ACL
   * file), where accepting the value would silently drop what it asks for.
   */
  public Directive onlyDefault(String reason) {
    this.onlyDefault = reason;
    return this;
  }

  /**
   * Checks {@code value} without applying it.
   *
   * @return null when valid, otherwise the reason in Redis's words
   */
  public String validate(String value) {
    String error = kindError(value);
    if (error == null && onlyDefault != null && !canonical(value).equals(defaultValue)) {
      return onlyDefault;
    }
    return error;
  }

  /** The text CONFIG GET shows for {@code value}, which {@link #kindError} accepted. */
  private String canonical(String value) {
    return switch (kind) {
      case BOOL -> value.equalsIgnoreCase("yes") ? "yes" : "no";
      case INTEGER -> Long.toString(Long.parseLong(value));
      case MEMORY -> Long.toString(parseMemory(value));
      case MEMORY_PERCENT -> {
        long n = parseMemoryOrPercent(value);
        yield n < 0 ? -n + "%" : Long.toString(n);
      }
      case ENUM -> value.toLowerCase(Locale.ROOT);
      case STRING -> canonicalizer == null ? value : canonicalizer.canonical(value);
    };
  }

  /** Whether {@code value} is of this directive's kind and within its bounds; else why not. */
  private String kindError(String value) {
    switch (kind) {
      case BOOL -> {
        String v = value.toLowerCase(Locale.ROOT);
        if (!v.equals("yes") && !v.equals("no")) {
          return "argument must be 'yes' or 'no'";
        }
      }
      case INTEGER -> {
        long n;
        try {
          n = Long.parseLong(value);
        } catch (NumberFormatException e) {
          return "argument couldn't be parsed into an integer";
        }
        if (n < min || n > max) {
          return "argument must be between " + min + " and " + max + " inclusive";
        }
      }
      case MEMORY -> {
        long n = parseMemory(value);
        if (n == Long.MIN_VALUE) {
          return "argument must be a memory value";
        }
        if (n < min || n > max) {
          return "argument must be between " + min + " and " + max + " inclusive";
        }
      }
      case MEMORY_PERCENT -> {
        long n = parseMemoryOrPercent(value);
        if (n == Long.MIN_VALUE) {
          return "argument must be a memory or percent value";
        }
        if (n < min) {
          return "percentage argument must be less or equal to " + -min;
        }
        if (n > max) {
          return "argument must be between " + min + " and " + max + " inclusive";
        }
      }
      case ENUM -> {
        for (String c : choices) {
          if (c.equalsIgnoreCase(value)) {
            return null;
          }
        }
        return "argument(s) must be one of the following: " + String.join(", ", choices);
      }
      case STRING -> {
        if (canonicalizer != null) {
          try {
            canonicalizer.canonical(value);
          } catch (IllegalArgumentException e) {
            return e.getMessage();
          }
        }
      }
    }
    return null;
  }

  /**
   * Validates and applies {@code value}. Synchronized, so that a value merged with the current one
   * (client-output-buffer-limit) is not lost to a concurrent change.
   *
   * @return null on success, otherwise the reason in Redis's words
   */
  public synchronized String set(String value) {
    String error = validate(value);
    if (error != null) {
      return error;
    }
    switch (kind) {
      case BOOL -> number = value.equalsIgnoreCase("yes") ? 1 : 0;
      case INTEGER -> number = Long.parseLong(value);
      case MEMORY -> number = parseMemory(value);
      case MEMORY_PERCENT -> number = parseMemoryOrPercent(value);
      case ENUM, STRING -> {}
    }
    text = canonical(value);
    Consumer<Directive> listener = onChange;
    if (listener != null) {
      listener.accept(this);
    }
    return null;
  }

  /**
   * Parses a memory value, or "N%" (N a non-negative integer) as -N; Long.MIN_VALUE when neither.
   */
  static long parseMemoryOrPercent(String value) {
    long n = parseMemory(value);
    if (n != Long.MIN_VALUE || value.length() < 2 || !value.endsWith("%")) {
      return n;
    }
    try {
      long percent = Long.parseLong(value.substring(0, value.length() - 1));
      return percent >= 0 ? -percent : Long.MIN_VALUE;
    } catch (NumberFormatException e) {
      return Long.MIN_VALUE;
    }
  }

  /** Parses "100", "1k" (1000), "1kb" (1024), "5mb", "2gb"; Long.MIN_VALUE when malformed. */
  public static long parseMemory(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    long mul = 1;
    String digits = v;
    String[][] units = {
      {"kb", "1024"},
      {"mb", "1048576"},
      {"gb", "1073741824"},
      {"k", "1000"},
      {"m", "1000000"},
      {"g", "1000000000"},
      {"b", "1"}
    };
    for (String[] u : units) {
      if (v.endsWith(u[0])) {
        mul = Long.parseLong(u[1]);
        digits = v.substring(0, v.length() - u[0].length());
        break;
      }
    }
    try {
      return Math.multiplyExact(Long.parseLong(digits), mul);
    } catch (NumberFormatException | ArithmeticException e) {
      return Long.MIN_VALUE;
    }
  }
}
