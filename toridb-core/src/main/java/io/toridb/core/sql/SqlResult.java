package io.toridb.core.sql;

import java.util.List;

/**
 * What a statement gives back. A query has its column names and its rows, each value null (SQL
 * NULL), a {@link Long} (INTEGER), a {@link Double} (REAL), a {@link String} (TEXT) or a {@code
 * byte[]} (BLOB). Any other statement has no columns and counts the rows it changed ({@code
 * changes}, 0 for CREATE and DROP).
 */
public record SqlResult(List<String> columns, List<Object[]> rows, long changes) {
  /** Whether the statement was a query (SELECT), which has rows to return. */
  public boolean isQuery() {
    return columns != null;
  }

  static SqlResult changed(long changes) {
    return new SqlResult(null, List.of(), changes);
  }
}
