package io.toridb.core.keyspace;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.Errors;

/**
 * The options of SCAN, HSCAN, SSCAN and ZSCAN: {@code [MATCH pattern] [COUNT count] [TYPE type]} in
 * any order, the last occurrence winning, as Redis's scanGenericCommand parses them.
 */
public final class ScanOptions {
  /** Redis's default COUNT. */
  public static final long DEFAULT_COUNT = 10;

  private final long count;
  private final byte[] pattern;
  private final byte[] type;

  private ScanOptions(long count, byte[] pattern, byte[] type) {
    this.count = count;
    this.pattern = pattern;
    this.type = type;
  }

  /**
   * Parses {@code argv[first..]}.
   *
   * @param allowType whether TYPE is accepted (SCAN only)
   * @throws CommandException "ERR syntax error" for an unknown option, a missing value or a COUNT
   *     below 1; "ERR value is not an integer or out of range" for a COUNT that is not a number
   */
  public static ScanOptions parse(byte[][] argv, int first, boolean allowType) {
    long count = DEFAULT_COUNT;
    byte[] pattern = null;
    byte[] type = null;
    int i = first;
    while (i < argv.length) {
      boolean hasValue = i + 1 < argv.length;
      if (hasValue && Args.is(argv[i], "COUNT")) {
        count = Args.parseLong(argv[i + 1]);
        if (count < 1) {
          throw new CommandException(Errors.SYNTAX);
        }
      } else if (hasValue && Args.is(argv[i], "MATCH")) {
        byte[] p = argv[i + 1];
        // A lone "*" matches everything, so it is the same as no pattern.
        pattern = p.length == 1 && p[0] == '*' ? null : p;
      } else if (hasValue && allowType && Args.is(argv[i], "TYPE")) {
        type = argv[i + 1];
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
      i += 2;
    }
    return new ScanOptions(count, pattern, type);
  }

  public long count() {
    return count;
  }

  /** The MATCH pattern, or null when every element matches. */
  public byte[] pattern() {
    return pattern;
  }

  /** True when {@code element} passes the MATCH pattern. */
  public boolean matches(byte[] element) {
    return pattern == null || GlobPattern.matches(pattern, element);
  }

  /** The TYPE filter as given, or null. */
  public byte[] type() {
    return type;
  }
}
