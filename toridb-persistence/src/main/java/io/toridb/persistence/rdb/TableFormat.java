package io.toridb.persistence.rdb;

import io.toridb.core.sql.SqlEngine;
import io.toridb.core.sql.SqlException;
import io.toridb.core.sql.Table;
import io.toridb.core.sql.TableValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A SQL table in an RDB file or DUMP payload: RDB type 7 (a module value, second version) of
 * ToriDB's own module type {@code toridbsql}, so that any RDB reader that knows the module framing
 * can skip it. The items, each preceded by its module opcode (2: an unsigned number, 4: a binary
 * double, 5: a string):
 *
 * <pre>
 * length     module type id: the 9 characters of "toridbsql", 6 bits each, then 10 bits of
 *            encoding version (0)
 * string     the CREATE TABLE statement (the schema, as SQLite keeps it)
 * unsigned   n, then n strings: the CREATE INDEX statements, in creation order
 * unsigned   the largest rowid the table ever held (two's complement; AUTOINCREMENT reads it)
 * unsigned   the number of rows, then per row in rowid order:
 *   unsigned   the rowid (two's complement)
 *   per column: unsigned tag, 0 NULL, 1 INTEGER then unsigned (two's complement), 2 REAL then a
 *               binary double, 3 TEXT then a string (UTF-8), 4 BLOB then a string
 * length     opcode 0: the end of the value
 * </pre>
 *
 * Indexes are rebuilt from their statements on load; rows are checked against the schema (their
 * width, unique keys, duplicate rowids).
 */
final class TableFormat {
  private TableFormat() {}

  private static final int OPCODE_EOF = 0;
  private static final int OPCODE_UINT = 2;
  private static final int OPCODE_DOUBLE = 4;
  private static final int OPCODE_STRING = 5;

  static final int TAG_NULL = 0;
  static final int TAG_INTEGER = 1;
  static final int TAG_REAL = 2;
  static final int TAG_TEXT = 3;
  static final int TAG_BLOB = 4;

  /** The module type id of "toridbsql" with encoding version 0. */
  static final long MODULE_ID = VectorSetFormat.moduleId("toridbsql", 0);

  /** Writes the value after its type byte. */
  static void write(RdbOutput out, TableValue value) {
    Table t = value.table();
    out.writeLength(MODULE_ID);
    string(out, t.sql());
    List<String> indexes = t.indexSql();
    unsigned(out, indexes.size());
    for (String index : indexes) {
      string(out, index);
    }
    unsigned(out, t.maxRowidEver());
    unsigned(out, t.size());
    for (Map.Entry<Long, Object[]> row : t.rows()) {
      unsigned(out, row.getKey());
      for (Object v : row.getValue()) {
        if (v == null) {
          unsigned(out, TAG_NULL);
        } else if (v instanceof Long l) {
          unsigned(out, TAG_INTEGER);
          unsigned(out, l);
        } else if (v instanceof Double d) {
          unsigned(out, TAG_REAL);
          out.writeLength(OPCODE_DOUBLE);
          out.writeBinaryDouble(d);
        } else if (v instanceof String s) {
          unsigned(out, TAG_TEXT);
          string(out, s);
        } else {
          unsigned(out, TAG_BLOB);
          out.writeLength(OPCODE_STRING);
          out.writeString((byte[]) v);
        }
      }
    }
    out.writeLength(OPCODE_EOF);
  }

  private static void unsigned(RdbOutput out, long value) {
    out.writeLength(OPCODE_UINT);
    out.writeLength(value);
  }

  private static void string(RdbOutput out, String s) {
    out.writeLength(OPCODE_STRING);
    out.writeString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a table after its module type id. */
  static TableValue readBody(RdbInput in) {
    try {
      Table t = SqlEngine.restoreTable(text(in));
      int indexes = count(in);
      String[] indexSql = new String[indexes];
      for (int i = 0; i < indexes; i++) {
        indexSql[i] = text(in);
      }
      t.restoreMaxRowidEver(unsigned(in));
      int rows = count(in);
      int width = t.columnCount();
      for (int r = 0; r < rows; r++) {
        long rowid = unsigned(in);
        Object[] values = new Object[width];
        for (int c = 0; c < width; c++) {
          long tag = unsigned(in);
          values[c] =
              switch ((int) tag) {
                case TAG_NULL -> null;
                case TAG_INTEGER -> unsigned(in);
                case TAG_REAL -> {
                  expect(in, OPCODE_DOUBLE);
                  yield in.readBinaryDouble();
                }
                case TAG_TEXT -> text(in);
                case TAG_BLOB -> {
                  expect(in, OPCODE_STRING);
                  yield in.readString();
                }
                default -> throw new RdbFormatException("table value: unknown tag " + tag);
              };
        }
        t.restoreRow(rowid, values);
      }
      for (String sql : indexSql) {
        SqlEngine.restoreIndex(t, sql);
      }
      expect(in, OPCODE_EOF);
      return new TableValue(t);
    } catch (SqlException e) {
      throw new RdbFormatException("bad table: " + e.getMessage());
    } catch (RdbFormatException | java.io.UncheckedIOException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      // A payload is untrusted input: whatever else it trips is bad data too, not a server fault.
      throw new RdbFormatException("bad table: " + e);
    }
  }

  private static String text(RdbInput in) {
    expect(in, OPCODE_STRING);
    return new String(in.readString(), StandardCharsets.UTF_8);
  }

  private static long unsigned(RdbInput in) {
    expect(in, OPCODE_UINT);
    return in.readUnsigned();
  }

  /** A count of items, each at least two bytes (an opcode and a length). */
  private static int count(RdbInput in) {
    expect(in, OPCODE_UINT);
    return in.readCount(2);
  }

  private static void expect(RdbInput in, int opcode) {
    long got = in.readLength();
    if (got != opcode) {
      throw new RdbFormatException("module value: expected opcode " + opcode + ", got " + got);
    }
  }
}
