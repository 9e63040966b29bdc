package io.toridb.persistence.rdb;

/**
 * A serialized value that cannot be decoded: truncated, inconsistent, of a type this server does
 * not load, or describing an empty collection. The message names the problem for logs; clients only
 * ever see Redis's "ERR Bad data format".
 */
public final class RdbFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean emptyValue;

  public RdbFormatException(String reason) {
    this(reason, false);
  }

  private RdbFormatException(String reason, boolean emptyValue) {
    super(reason, null, false, false);
    this.emptyValue = emptyValue;
  }

  /**
   * A well-formed but empty collection, read to its end: RESTORE refuses it, while loading an RDB
   * file skips the key and goes on, as Redis does (old versions could save such keys).
   */
  public static RdbFormatException empty(String reason) {
    return new RdbFormatException(reason, true);
  }

  /** Whether this is {@link #empty}: the input is positioned after the value. */
  public boolean emptyValue() {
    return emptyValue;
  }
}
