package io.toridb.core.sql;

/**
 * A statement that cannot run: a syntax error, an unknown table or column, a constraint broken. The
 * message is SQLite's text where SQLite has one ({@code no such table: t1}); the SQL command
 * replies with it after {@code ERR }.
 */
public final class SqlException extends RuntimeException {
  private final boolean constraint;

  public SqlException(String message) {
    this(message, false);
  }

  private SqlException(String message, boolean constraint) {
    super(message, null, false, false);
    this.constraint = constraint;
  }

  /** A UNIQUE, PRIMARY KEY or NOT NULL constraint broken by a row (what OR FAIL stops at). */
  static SqlException constraint(String message) {
    return new SqlException(message, true);
  }

  boolean constraint() {
    return constraint;
  }
}
