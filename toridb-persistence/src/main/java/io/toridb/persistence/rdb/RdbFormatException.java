package io.toridb.persistence.rdb;

/**
 * A serialized value that cannot be decoded: truncated, inconsistent, of a type this server does
 * not load, or describing an empty collection. The message names the problem for logs; clients only
 * ever see Redis's "ERR Bad data format".
 */
public final class RdbFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RdbFormatException(String reason) {
    super(reason, null, false, false);
  }
}
