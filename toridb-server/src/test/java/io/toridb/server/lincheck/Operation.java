package io.toridb.server.lincheck;

import java.util.Locale;

/**
 * One operation on the single register, as a client saw it: which client ran it, what it asked,
 * what it got back, and when it was invoked and when its reply arrived ({@link System#nanoTime()}
 * on the client, or any monotonic clock shared by all clients of one history).
 *
 * <p>The operations and their observed outputs:
 *
 * <ul>
 *   <li>{@code SET v}: always replies OK; the register then holds {@code v}.
 *   <li>{@code GET}: the value held, or nil ({@code null}) when the register holds nothing.
 *   <li>{@code INCR}: the new integer value (a missing register counts as 0), or an error when the
 *       register holds something that is not a 64-bit integer in Redis's strict form, or when the
 *       increment would overflow; an error leaves the register unchanged.
 * </ul>
 *
 * <p>A <em>pending</em> operation was invoked but its reply never arrived (the connection broke):
 * it may or may not have taken effect, and its output is unknown. The checker lets it take effect
 * at any moment after its invocation, or never.
 */
public final class Operation {
  /** The three register operations. */
  public enum Kind {
    SET,
    GET,
    INCR
  }

  private final int client;
  private final Kind kind;
  private final String argument;
  private final String output;
  private final boolean error;
  private final boolean pending;
  private final long invoke;
  private final long complete;

  private Operation(
      int client,
      Kind kind,
      String argument,
      String output,
      boolean error,
      boolean pending,
      long invoke,
      long complete) {
    if (!pending && complete < invoke) {
      throw new IllegalArgumentException(
          "operation completes (" + complete + ") before it is invoked (" + invoke + ")");
    }
    this.client = client;
    this.kind = kind;
    this.argument = argument;
    this.output = output;
    this.error = error;
    this.pending = pending;
    this.invoke = invoke;
    this.complete = complete;
  }

  /** {@code SET value} that replied OK. */
  public static Operation set(int client, String value, long invoke, long complete) {
    if (value == null) {
      throw new IllegalArgumentException("SET needs a value");
    }
    return new Operation(client, Kind.SET, value, "OK", false, false, invoke, complete);
  }

  /** {@code GET} that replied {@code observed} ({@code null} for nil). */
  public static Operation get(int client, String observed, long invoke, long complete) {
    return new Operation(client, Kind.GET, null, observed, false, false, invoke, complete);
  }

  /** {@code INCR} that replied the integer {@code result}. */
  public static Operation incr(int client, long result, long invoke, long complete) {
    return new Operation(
        client, Kind.INCR, null, Long.toString(result), false, false, invoke, complete);
  }

  /** {@code INCR} that replied an error (the register held no integer, or it would overflow). */
  public static Operation incrError(int client, String message, long invoke, long complete) {
    return new Operation(client, Kind.INCR, null, message, true, false, invoke, complete);
  }

  /**
   * An operation whose reply never arrived: {@code argument} is the SET value (null for GET and
   * INCR).
   */
  public static Operation pending(int client, Kind kind, String argument, long invoke) {
    if (kind == Kind.SET && argument == null) {
      throw new IllegalArgumentException("SET needs a value");
    }
    return new Operation(
        client,
        kind,
        kind == Kind.SET ? argument : null,
        null,
        false,
        true,
        invoke,
        Long.MAX_VALUE);
  }

  /** The same operation, with its reply forgotten: pending from its invocation on. */
  Operation asPending() {
    return pending ? this : pending(client, kind, argument, invoke);
  }

  public int client() {
    return client;
  }

  public Kind kind() {
    return kind;
  }

  /** The value a SET writes; null for GET and INCR. */
  public String argument() {
    return argument;
  }

  /**
   * What the client observed: "OK" for SET, the value or null (nil) for GET, the decimal integer or
   * the error text for INCR; null for a pending operation.
   */
  public String output() {
    return output;
  }

  /** True for an INCR that replied an error. */
  public boolean error() {
    return error;
  }

  public boolean pending() {
    return pending;
  }

  public long invoke() {
    return invoke;
  }

  /** When the reply arrived; {@link Long#MAX_VALUE} for a pending operation. */
  public long complete() {
    return complete;
  }

  /** True if the two operations' intervals overlap (neither completed before the other began). */
  boolean overlaps(Operation other) {
    return invoke <= other.complete && other.invoke <= complete;
  }

  /** Renders the operation with its times in microseconds relative to {@code origin}. */
  String describe(long origin) {
    StringBuilder b = new StringBuilder();
    b.append("client ").append(client).append(' ').append(kind);
    if (kind == Kind.SET) {
      b.append(' ').append(quote(argument));
    }
    b.append(" -> ");
    if (pending) {
      b.append("(no reply)");
    } else if (error) {
      b.append("error ").append(quote(output));
    } else if (kind == Kind.GET) {
      b.append(output == null ? "nil" : quote(output));
    } else {
      b.append(output);
    }
    b.append(
        String.format(
            Locale.ROOT,
            "   [%.1f us .. %s]",
            (invoke - origin) / 1000.0,
            pending
                ? "never"
                : String.format(Locale.ROOT, "%.1f us", (complete - origin) / 1000.0)));
    return b.toString();
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  @Override
  public String toString() {
    return describe(0);
  }
}
