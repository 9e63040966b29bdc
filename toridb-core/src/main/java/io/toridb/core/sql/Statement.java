package io.toridb.core.sql;

import java.util.List;

/** A parsed SQL statement. */
sealed interface Statement {
  /** Whether running the statement may change data (and so is logged when it does). */
  default boolean writes() {
    return !(this instanceof SelectStatement);
  }

  /** One column of CREATE TABLE. */
  record ColumnDef(
      String name,
      String type,
      boolean primaryKey,
      boolean autoincrement,
      boolean notNull,
      boolean unique,
      Expr defaultValue) {}

  /** A PRIMARY KEY or UNIQUE constraint over columns, declared apart from them. */
  record KeyConstraint(boolean primaryKey, List<String> columns) {}

  record CreateTable(
      String name,
      boolean ifNotExists,
      List<ColumnDef> columns,
      List<KeyConstraint> keys,
      Query.Select asSelect,
      String sql)
      implements Statement {}

  record DropTable(String name, boolean ifExists) implements Statement {}

  record CreateIndex(
      String name,
      String table,
      List<String> columns,
      boolean unique,
      boolean ifNotExists,
      String sql)
      implements Statement {}

  record DropIndex(String name, boolean ifExists) implements Statement {}

  /** What INSERT, UPDATE and REPLACE do when a row breaks a UNIQUE or PRIMARY KEY constraint. */
  enum Conflict {
    ABORT,
    FAIL,
    IGNORE,
    REPLACE,
    ROLLBACK
  }

  record Insert(
      String table,
      List<String> columns,
      List<List<Expr>> values,
      Query.Select select,
      Conflict conflict)
      implements Statement {}

  record Update(
      String table,
      String alias,
      List<String> columns,
      List<Expr> values,
      Expr where,
      Conflict conflict)
      implements Statement {}

  record Delete(String table, String alias, Expr where) implements Statement {}

  record SelectStatement(Query.Select select) implements Statement {}

  /** REINDEX [name]: indexes here never go stale, so it only checks that the name exists. */
  record Reindex(String name) implements Statement {
    @Override
    public boolean writes() {
      return false;
    }
  }
}
