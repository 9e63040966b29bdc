package io.toridb.server.lincheck;

/**
 * The sequential specification of the register the checker tests against: a single Redis string key
 * under SET, GET and INCR. The state is the value held, or null when the key does not exist.
 */
final class Register {
  private Register() {}

  /** Marks a step the operation's observed output does not allow. */
  static final Object REJECTED = new Object();

  /**
   * Applies {@code op} to {@code state} and returns the new state if what the client observed is
   * what the register would have replied, or {@link #REJECTED} if not. A pending operation (output
   * unknown) is always accepted.
   */
  static Object step(String state, Operation op) {
    switch (op.kind()) {
      case SET -> {
        return op.argument();
      }
      case GET -> {
        if (op.pending()) {
          return state;
        }
        return equal(state, op.output()) ? state : REJECTED;
      }
      case INCR -> {
        Long next = increment(state);
        if (op.pending()) {
          return next == null ? state : next.toString();
        }
        if (next == null) {
          return op.error() ? state : REJECTED;
        }
        return !op.error() && op.output().equals(next.toString()) ? next.toString() : REJECTED;
      }
      default -> throw new AssertionError(op.kind());
    }
  }

  /**
   * The value INCR leaves in a register holding {@code state}, or null when INCR replies an error:
   * the value is not an integer in Redis's strict form, or adding one overflows.
   */
  static Long increment(String state) {
    if (state == null) {
      return 1L;
    }
    Long v = parseStrict(state);
    if (v == null || v == Long.MAX_VALUE) {
      return null;
    }
    return v + 1;
  }

  /**
   * Parses a 64-bit integer the way Redis's {@code string2ll} does: an optional minus sign, no plus
   * sign, no leading zeros (except "0" itself, and "-0" is refused), no spaces, no overflow. Null
   * when {@code s} is not such an integer.
   */
  static Long parseStrict(String s) {
    int n = s.length();
    if (n == 0 || n > 20) {
      return null;
    }
    if (s.equals("0")) {
      return 0L;
    }
    int i = 0;
    boolean negative = s.charAt(0) == '-';
    if (negative) {
      i++;
      if (i == n) {
        return null;
      }
    }
    char first = s.charAt(i);
    if (first < '1' || first > '9') {
      return null;
    }
    long magnitude = 0; // accumulated negatively so Long.MIN_VALUE fits
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      int d = c - '0';
      if (magnitude < (Long.MIN_VALUE + d) / 10) {
        return null;
      }
      magnitude = magnitude * 10 - d;
    }
    if (negative) {
      return magnitude;
    }
    return magnitude == Long.MIN_VALUE ? null : -magnitude;
  }

  private static boolean equal(String a, String b) {
    return a == null ? b == null : a.equals(b);
  }
}
