package io.toridb.core.sql;

/**
 * A statement that cannot run: a syntax error, an unknown table or column, a constraint broken. The
 * message is SQLite's text where SQLite has one ({@code no such table: t1}); the SQL command
 * replies with it after {@code ERR }.
 */
public final class SqlException extends RuntimeException {
  public SqlException(String message) {
    super(message, null, false, false);
  }
}
