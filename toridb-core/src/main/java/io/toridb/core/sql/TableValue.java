package io.toridb.core.sql;

import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A SQL table as a value of the keyspace, under its lower-cased name: so tables live in a database
 * beside the other keys, are locked, copied for BEGIN and point-in-time views, deleted, renamed,
 * dumped and persisted as any key is.
 */
public final class TableValue extends StoredValue {
  private final Table table;

  public TableValue(Table table) {
    this.table = table;
  }

  public Table table() {
    return table;
  }

  @Override
  public ValueType type() {
    return ValueType.TABLE;
  }

  @Override
  public String encoding() {
    return "table";
  }

  @Override
  public StoredValue copy() {
    return new TableValue(table.copy());
  }

  /**
   * The schema, the index definitions and every row in rowid order, mixed into one sequence: equal
   * tables (same statements, same rows) give equal digests.
   */
  @Override
  public void digest(DatasetDigest digest) {
    DatasetDigest d = DatasetDigest.element();
    mix(d, table.sql());
    for (String index : table.indexSql()) {
      mix(d, index);
    }
    for (Map.Entry<Long, Object[]> row : table.rows()) {
      mix(d, Long.toString(row.getKey()));
      for (Object v : row.getValue()) {
        mix(d, SqlValues.typeName(v));
        if (v instanceof byte[] b) {
          d.mix(b, 0, b.length);
        } else if (v != null) {
          mix(d, SqlValues.text(v));
        }
      }
    }
    digest.xor(d);
  }

  private static void mix(DatasetDigest d, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.mix(b, 0, b.length);
  }

  /** An estimate: per row its map entry, its array and its values; then the indexes' entries. */
  @Override
  public long memoryUsage() {
    long bytes = VALUE_OVERHEAD + 200 + 2L * table.sql().length();
    long indexEntries = (long) table.indexes().size() * table.size();
    for (Map.Entry<Long, Object[]> row : table.rows()) {
      bytes += 40 + 16 + 16 + 8L * row.getValue().length;
      for (Object v : row.getValue()) {
        if (v instanceof String s) {
          bytes += 40 + s.length();
        } else if (v instanceof byte[] b) {
          bytes += 16 + b.length;
        } else if (v != null) {
          bytes += 16;
        }
      }
    }
    return bytes + indexEntries * 80;
  }
}
