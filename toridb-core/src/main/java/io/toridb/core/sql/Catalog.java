package io.toridb.core.sql;

/**
 * Where the tables of one database live. Names are given lower-cased (SQL names ignore case); the
 * server keeps tables in its keyspace, tests in a map.
 */
public interface Catalog {
  /** The table named {@code name}, or null. */
  Table table(String name);

  /** Adds {@code table} under its lower-cased name; the caller checked that the name is free. */
  void create(Table table);

  /** Removes the table named {@code name}; true if it existed. */
  boolean drop(String name);

  /** Every table, for the names of indexes, which are unique across a database. */
  Iterable<Table> tables();

  /** A catalog held in a map, for tests and tools. */
  static Catalog inMemory() {
    java.util.Map<String, Table> tables = new java.util.HashMap<>();
    return new Catalog() {
      @Override
      public Table table(String name) {
        return tables.get(name);
      }

      @Override
      public void create(Table table) {
        tables.put(table.key(), table);
      }

      @Override
      public boolean drop(String name) {
        return tables.remove(name) != null;
      }

      @Override
      public Iterable<Table> tables() {
        return tables.values();
      }
    };
  }
}
