package io.toridb.core.sql;

import io.toridb.core.sql.SqlValues.Affinity;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One SQL table: its schema (kept as the CREATE TABLE text that made it, as SQLite keeps it), its
 * rows ordered by rowid, and its indexes (UNIQUE and PRIMARY KEY constraints and CREATE INDEX).
 *
 * <p>Rows are arrays that are never changed once stored: an UPDATE stores a new array. So a copy of
 * the table (for a point-in-time view) shares the arrays and copies only the maps.
 */
public final class Table {
  /** One column: its name, declared type, affinity and constraints. */
  record Column(
      String name,
      String type,
      Affinity affinity,
      boolean notNull,
      Expr defaultValue,
      int vectorDim) {
    /**
     * {@code v} as this column stores it: its affinity applied, a vector checked and normalized.
     */
    Object store(Object v, String table) {
      if (vectorDim > 0) {
        return Vectors.store(v, vectorDim, table + "." + name);
      }
      if (v instanceof Double d && d.isNaN()) {
        // SQLite has no NaN: it stores NULL.
        return null;
      }
      return SqlValues.apply(affinity, v);
    }
  }

  private String name;
  private final String sql;
  private final List<Column> columns;
  private final int rowidColumn;
  private final boolean autoincrement;
  private final TreeMap<Long, Object[]> rows;
  private final List<Index> indexes;
  private long maxRowidEver;

  /** Counts changes, so that a command can tell which tables a statement changed. */
  private long version;

  Table(
      String name,
      String sql,
      List<Column> columns,
      int rowidColumn,
      boolean autoincrement,
      List<Index> indexes) {
    this.name = name;
    this.sql = sql;
    this.columns = List.copyOf(columns);
    this.rowidColumn = rowidColumn;
    this.autoincrement = autoincrement;
    this.rows = new TreeMap<>();
    this.indexes = new ArrayList<>(indexes);
  }

  private Table(Table from) {
    this.name = from.name;
    this.sql = from.sql;
    this.columns = from.columns;
    this.rowidColumn = from.rowidColumn;
    this.autoincrement = from.autoincrement;
    this.rows = new TreeMap<>(from.rows);
    this.indexes = new ArrayList<>();
    for (Index i : from.indexes) {
      indexes.add(i.copy());
    }
    this.maxRowidEver = from.maxRowidEver;
  }

  /** A number that changes whenever the rows or indexes do. */
  public long version() {
    return version;
  }

  /** A copy that later changes to either do not reach the other. */
  public Table copy() {
    return new Table(this);
  }

  /** The name as declared. */
  public String name() {
    return name;
  }

  /**
   * Takes the name of the key it now lives under (after COPY or RENAME of its key): statements call
   * it by that name.
   */
  void rename(String newName) {
    this.name = newName;
  }

  /** The lower-cased name the catalog keeps it under. */
  public String key() {
    return name.toLowerCase(Locale.ROOT);
  }

  /** The CREATE TABLE statement that made it. */
  public String sql() {
    return sql;
  }

  /** The CREATE INDEX statements of its explicitly created indexes, in creation order. */
  public List<String> indexSql() {
    List<String> out = new ArrayList<>();
    for (Index i : indexes) {
      if (i.sql != null) {
        out.add(i.sql);
      }
    }
    return out;
  }

  /** How many columns it has. */
  public int columnCount() {
    return columns.size();
  }

  /** How many rows it has. */
  public int size() {
    return rows.size();
  }

  /**
   * The largest rowid it ever held (AUTOINCREMENT never reuses one), kept by snapshots so that a
   * reload numbers new rows as before.
   */
  public long maxRowidEver() {
    return maxRowidEver;
  }

  /** Every row with its rowid, in rowid order; each value as {@link SqlResult} describes. */
  public Iterable<Map.Entry<Long, Object[]>> rows() {
    return Collections.unmodifiableMap(rows).entrySet();
  }

  List<Column> columns() {
    return columns;
  }

  int columnIndex(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name.equalsIgnoreCase(column)) {
        return i;
      }
    }
    return -1;
  }

  int rowidColumn() {
    return rowidColumn;
  }

  NavigableMap<Long, Object[]> rowMap() {
    return rows;
  }

  List<Index> indexes() {
    return indexes;
  }

  Index index(String indexName) {
    for (Index i : indexes) {
      if (i.name.equalsIgnoreCase(indexName)) {
        return i;
      }
    }
    return null;
  }

  /** Adds an index and fills it from the rows; fails (adding nothing) on a duplicate. */
  void addIndex(Index index) {
    for (Map.Entry<Long, Object[]> e : rows.entrySet()) {
      if (index.unique && index.conflict(e.getValue()) != null) {
        throw new SqlException("UNIQUE constraint failed: " + index.describe(this));
      }
      index.add(e.getValue(), e.getKey());
    }
    indexes.add(index);
    version++;
  }

  void dropIndex(Index index) {
    indexes.remove(index);
    version++;
  }

  /** Restores a row as a snapshot held it, with no checks (the snapshot was checked). */
  public void restoreRow(long rowid, Object[] values) {
    if (values.length != columns.size()) {
      throw new SqlException("row of " + values.length + " values in a table of " + columns.size());
    }
    if (rows.containsKey(rowid)) {
      throw new SqlException("rowid " + rowid + " twice");
    }
    if (rowidColumn >= 0 && !Long.valueOf(rowid).equals(values[rowidColumn])) {
      throw new SqlException("rowid " + rowid + " with a different INTEGER PRIMARY KEY");
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] instanceof Double d && d.isNaN()) {
        throw new SqlException("NaN in " + columns.get(i).name());
      }
      if (values[i] == null && columns.get(i).notNull()) {
        throw new SqlException("NULL in NOT NULL column " + columns.get(i).name());
      }
      int dim = columns.get(i).vectorDim();
      if (dim > 0 && values[i] != null && !(values[i] instanceof byte[] b && b.length == 4 * dim)) {
        throw new SqlException(
            "not a vector of " + dim + " components in " + columns.get(i).name());
      }
    }
    for (Index i : indexes) {
      if (i.unique && i.conflict(values) != null) {
        throw new SqlException("UNIQUE constraint failed: " + i.describe(this));
      }
    }
    rows.put(rowid, values);
    for (Index i : indexes) {
      i.add(values, rowid);
    }
    maxRowidEver = Math.max(maxRowidEver, rowid);
  }

  /** Restores the largest rowid ever held, as a snapshot recorded it. */
  public void restoreMaxRowidEver(long value) {
    maxRowidEver = Math.max(maxRowidEver, value);
  }

  /** Builds a row for insertion: affinity applied, defaults filled, NOT NULL checked. */
  Object[] prepare(Object[] values, boolean[] given, Frame frame) {
    Object[] row = new Object[columns.size()];
    for (int i = 0; i < row.length; i++) {
      Column c = columns.get(i);
      Object v;
      if (given != null && !given[i]) {
        // The rowid's own column takes the next rowid, whatever its DEFAULT says (as SQLite).
        v = c.defaultValue == null || i == rowidColumn ? null : c.defaultValue.eval(frame);
      } else {
        v = values[i];
      }
      row[i] = c.store(v, name);
    }
    return row;
  }

  /** The rowid a new row gets when it names none. */
  long newRowid() {
    long max = rows.isEmpty() ? 0 : rows.lastKey();
    if (autoincrement) {
      max = Math.max(max, maxRowidEver);
    }
    if (max == Long.MAX_VALUE) {
      throw new SqlException("database or disk is full");
    }
    return max + 1;
  }

  /**
   * Inserts {@code row} (prepared), resolving a conflict as {@code conflict} says; returns false if
   * the row was ignored. Every change is recorded in {@code undo}.
   */
  boolean insert(Object[] row, Statement.Conflict conflict, Undo undo) {
    long rowid;
    if (rowidColumn >= 0 && row[rowidColumn] != null) {
      if (!(row[rowidColumn] instanceof Long l)) {
        throw new SqlException("datatype mismatch");
      }
      rowid = l;
    } else {
      rowid = newRowid();
      if (rowidColumn >= 0) {
        row[rowidColumn] = rowid;
      }
    }
    if (!checkNotNull(row, conflict) || !resolveConflicts(rowid, row, conflict, undo)) {
      return false;
    }
    put(rowid, row, undo);
    return true;
  }

  /** Replaces the row at {@code rowid} with {@code row}; false if a conflict made it be ignored. */
  boolean update(long rowid, Object[] row, Statement.Conflict conflict, Undo undo) {
    Object[] old = rows.get(rowid);
    long newRowid = rowid;
    if (rowidColumn >= 0) {
      if (!(row[rowidColumn] instanceof Long l)) {
        // NULL too: an INTEGER PRIMARY KEY cannot be set to NULL by UPDATE.
        throw new SqlException("datatype mismatch");
      }
      newRowid = l;
    }
    if (!checkNotNull(row, conflict)) {
      return false;
    }
    remove(rowid, undo);
    try {
      if (!resolveConflicts(newRowid, row, conflict, undo)) {
        put(rowid, old, undo);
        return false;
      }
    } catch (SqlException e) {
      put(rowid, old, undo);
      throw e;
    }
    put(newRowid, row, undo);
    return true;
  }

  /**
   * Checks the NOT NULL columns: false if the row is to be skipped (OR IGNORE), a column's default
   * in the NULL's place under OR REPLACE, else the constraint's error.
   */
  private boolean checkNotNull(Object[] row, Statement.Conflict conflict) {
    for (int i = 0; i < row.length; i++) {
      Column c = columns.get(i);
      if (c.notNull && row[i] == null) {
        if (conflict == Statement.Conflict.IGNORE) {
          return false;
        }
        if (c.defaultValue != null && conflict == Statement.Conflict.REPLACE) {
          row[i] = c.store(c.defaultValue.eval(null), name);
          if (row[i] != null) {
            continue;
          }
        }
        throw SqlException.constraint("NOT NULL constraint failed: " + name + "." + c.name);
      }
    }
    return true;
  }

  private boolean resolveConflicts(
      long rowid, Object[] row, Statement.Conflict conflict, Undo undo) {
    if (rows.containsKey(rowid)) {
      switch (conflict) {
        case IGNORE:
          return false;
        case REPLACE:
          remove(rowid, undo);
          break;
        default:
          throw SqlException.constraint(
              "UNIQUE constraint failed: "
                  + name
                  + "."
                  + (rowidColumn >= 0 ? columns.get(rowidColumn).name : "rowid"));
      }
    }
    for (Index i : indexes) {
      if (!i.unique) {
        continue;
      }
      Long other = i.conflict(row);
      while (other != null) {
        switch (conflict) {
          case IGNORE:
            return false;
          case REPLACE:
            remove(other, undo);
            other = i.conflict(row);
            break;
          default:
            throw SqlException.constraint("UNIQUE constraint failed: " + i.describe(this));
        }
      }
    }
    return true;
  }

  void put(long rowid, Object[] row, Undo undo) {
    version++;
    rows.put(rowid, row);
    for (Index i : indexes) {
      i.add(row, rowid);
    }
    long before = maxRowidEver;
    maxRowidEver = Math.max(maxRowidEver, rowid);
    undo.record(
        () -> {
          rows.remove(rowid);
          for (Index i : indexes) {
            i.remove(row, rowid);
          }
          maxRowidEver = before;
        });
  }

  void remove(long rowid, Undo undo) {
    Object[] row = rows.remove(rowid);
    if (row == null) {
      return;
    }
    version++;
    for (Index i : indexes) {
      i.remove(row, rowid);
    }
    undo.record(
        () -> {
          rows.put(rowid, row);
          for (Index i : indexes) {
            i.add(row, rowid);
          }
        });
  }

  /** Changes made by a statement so far, undone in reverse if the statement fails. */
  static final class Undo {
    private final List<Runnable> steps = new ArrayList<>();

    void record(Runnable step) {
      steps.add(step);
    }

    boolean changed() {
      return !steps.isEmpty();
    }

    void rollBack() {
      for (int i = steps.size() - 1; i >= 0; i--) {
        steps.get(i).run();
      }
      steps.clear();
    }
  }

  /**
   * An index over some columns: entries of the columns' values plus the rowid, in SQLite's value
   * order, so equal keys sit together and a lookup reads a range.
   */
  static final class Index {
    final String name;

    /** The CREATE INDEX text, or null for one a constraint made. */
    final String sql;

    final int[] columns;
    final boolean unique;
    private final TreeMap<Object[], Long> entries;

    Index(String name, String sql, int[] columns, boolean unique) {
      this.name = name;
      this.sql = sql;
      this.columns = columns;
      this.unique = unique;
      this.entries = new TreeMap<>(KEY_ORDER);
    }

    private static final Comparator<Object[]> KEY_ORDER =
        (a, b) -> {
          int n = Math.min(a.length, b.length);
          for (int i = 0; i < n; i++) {
            int c = SqlValues.compare(a[i], b[i]);
            if (c != 0) {
              return c;
            }
          }
          return Integer.compare(a.length, b.length);
        };

    Index copy() {
      Index i = new Index(name, sql, columns, unique);
      i.entries.putAll(entries);
      return i;
    }

    private Object[] key(Object[] row, Long rowid) {
      Object[] k = new Object[columns.length + (rowid == null ? 0 : 1)];
      for (int i = 0; i < columns.length; i++) {
        k[i] = row[columns[i]];
      }
      if (rowid != null) {
        k[columns.length] = rowid;
      }
      return k;
    }

    void add(Object[] row, long rowid) {
      entries.put(key(row, rowid), rowid);
    }

    void remove(Object[] row, long rowid) {
      entries.remove(key(row, rowid));
    }

    /** The rowid of another row with the same key as {@code row}, or null (NULLs never clash). */
    Long conflict(Object[] row) {
      Object[] k = key(row, null);
      for (Object v : k) {
        if (v == null) {
          return null;
        }
      }
      Map.Entry<Object[], Long> e = entries.ceilingEntry(k);
      if (e == null) {
        return null;
      }
      Object[] found = e.getKey();
      for (int i = 0; i < k.length; i++) {
        if (SqlValues.compare(found[i], k[i]) != 0) {
          return null;
        }
      }
      return e.getValue();
    }

    /** The rowids of the rows whose first column holds {@code value}, in index order. */
    List<Long> lookup(Object value) {
      Object[] from = {value};
      List<Long> out = new ArrayList<>();
      for (Map.Entry<Object[], Long> e : entries.tailMap(from, true).entrySet()) {
        if (SqlValues.compare(e.getKey()[0], value) != 0) {
          break;
        }
        out.add(e.getValue());
      }
      return out;
    }

    String describe(Table t) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < columns.length; i++) {
        if (i > 0) {
          out.append(", ");
        }
        out.append(t.name).append('.').append(t.columns.get(columns[i]).name);
      }
      return out.toString();
    }
  }
}
