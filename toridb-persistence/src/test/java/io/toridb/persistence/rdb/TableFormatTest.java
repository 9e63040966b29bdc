package io.toridb.persistence.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.toridb.core.sql.Catalog;
import io.toridb.core.sql.SqlEngine;
import io.toridb.core.sql.SqlResult;
import io.toridb.core.sql.Table;
import io.toridb.core.sql.TableValue;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SQL tables written and read back (schema, indexes, every storage class, rowids and the
 * AUTOINCREMENT high-water mark), and damaged payloads refused with {@link RdbFormatException}.
 */
class TableFormatTest {
  private static byte[] write(TableValue v, boolean compress) {
    RdbOutput out = new RdbOutput(compress);
    RdbObjectWriter.write(out, v);
    return out.toByteArray();
  }

  private static TableValue read(byte[] bytes) {
    RdbInput in = new RdbInput(bytes, 0, bytes.length);
    TableValue v =
        assertInstanceOf(
            TableValue.class, RdbObjectReader.read(in.readByte(), in, EncodingLimits.DEFAULTS));
    assertEquals(0, in.remaining(), "whole value read");
    return v;
  }

  private static Catalog sample() {
    Catalog c = Catalog.inMemory();
    SqlEngine.execute(
        c,
        "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT UNIQUE NOT NULL, r REAL,"
            + " b BLOB, i INT DEFAULT 3, any)");
    SqlEngine.execute(
        c,
        "INSERT INTO t(k, r, b, any) VALUES ('a', 1.5, X'00FF10', NULL), ('b', -0.0, X'', 'text'),"
            + " ('c', 1e300, NULL, 9223372036854775807), ('d', NULL, NULL, -9223372036854775808),"
            + " ('é✓', 2, X'41', 4.25)");
    SqlEngine.execute(c, "DELETE FROM t WHERE k = 'd'");
    SqlEngine.execute(c, "CREATE INDEX t_r ON t(r, i)");
    SqlEngine.execute(c, "CREATE UNIQUE INDEX t_any ON t(any)");
    return c;
  }

  private static List<Object[]> rows(Catalog c, String table) {
    SqlResult r =
        SqlEngine.execute(c, "SELECT rowid, *, typeof(any) FROM " + table + " ORDER BY 1");
    return r.rows();
  }

  @Test
  void roundTrip_keepsRowsSchemaIndexesAndRowidMark() {
    Catalog c = sample();
    Table t = c.table("t");
    for (boolean compress : new boolean[] {true, false}) {
      byte[] bytes = write(new TableValue(t), compress);
      assertEquals(RdbType.MODULE_2, bytes[0]);
      Table back = read(bytes).table();
      assertEquals(t.sql(), back.sql());
      assertEquals(t.indexSql(), back.indexSql());
      assertEquals(t.maxRowidEver(), back.maxRowidEver());
      Catalog other = Catalog.inMemory();
      other.create(back);
      List<Object[]> want = rows(c, "t");
      List<Object[]> got = rows(other, "t");
      assertEquals(want.size(), got.size());
      for (int i = 0; i < want.size(); i++) {
        assertArrayEquals(want.get(i), got.get(i));
      }
      // Indexes and constraints work after the load, and AUTOINCREMENT skips the deleted row 4.
      assertThrows(
          RuntimeException.class, () -> SqlEngine.execute(other, "INSERT INTO t(k) VALUES ('a')"));
      SqlEngine.execute(other, "INSERT INTO t(k) VALUES ('z')");
      assertEquals(6L, SqlEngine.execute(other, "SELECT id FROM t WHERE k = 'z'").rows().get(0)[0]);
      assertEquals(1, SqlEngine.execute(other, "SELECT k FROM t WHERE r = 1.5").rows().size());
    }
  }

  @Test
  void indexMadeAfterTheKeyWasRenamed_reloads() {
    Catalog c = Catalog.inMemory();
    SqlEngine.execute(c, "CREATE TABLE t(a INT, b TEXT)");
    SqlEngine.execute(c, "INSERT INTO t VALUES (1, 'x'), (2, 'y')");
    Table t = c.table("t");
    // As after RENAME t u: the index names the key's new name, the schema the old one.
    SqlEngine.restoreIndex(t, "CREATE INDEX u_a ON u(a)");
    Table back = read(write(new TableValue(t), false)).table();
    assertEquals(List.of("CREATE INDEX u_a ON u(a)"), back.indexSql());
    assertEquals(2, back.size());
  }

  @Test
  void emptyTable_roundTrips() {
    Catalog c = Catalog.inMemory();
    SqlEngine.execute(c, "CREATE TABLE e(x)");
    Table back = read(write(new TableValue(c.table("e")), false)).table();
    assertEquals(0, back.size());
    assertEquals("CREATE TABLE e(x)", back.sql());
  }

  @Test
  void damagedPayloads_areRefused_asBadData() {
    byte[] good = write(new TableValue(sample().table("t")), false);
    for (int cut = 1; cut < good.length; cut++) {
      byte[] part = java.util.Arrays.copyOf(good, cut);
      assertThrows(RdbFormatException.class, () -> read(part), "cut at " + cut);
    }
    Random random = new Random(42);
    for (int trial = 0; trial < 20_000; trial++) {
      byte[] bad = good.clone();
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        bad[1 + random.nextInt(bad.length - 1)] = (byte) random.nextInt(256);
      }
      try {
        read(bad);
      } catch (RdbFormatException expected) {
        // refused as bad data
      } catch (RuntimeException | Error other) {
        fail("edit " + trial + " escaped as " + other);
      }
    }
  }

  @Test
  void unknownModuleType_isRefused() {
    byte[] good = write(new TableValue(sample().table("t")), false);
    byte[] other = good.clone();
    other[3] ^= 0x10;
    assertThrows(RdbFormatException.class, () -> read(other));
  }

  @Test
  void duplicateUniqueKeys_inAPayload_areRefused() {
    Catalog c = Catalog.inMemory();
    SqlEngine.execute(c, "CREATE TABLE u(k TEXT)");
    SqlEngine.execute(c, "INSERT INTO u VALUES ('same'), ('same')");
    byte[] bytes = write(new TableValue(c.table("u")), false);
    // The same rows under a schema that says k is unique.
    String from = "CREATE TABLE u(k TEXT)";
    String to = "CREATE TABLE u(k TEXT UNIQUE)";
    byte[] patched = replace(bytes, from, to);
    RdbFormatException e = assertThrows(RdbFormatException.class, () -> read(patched));
    assertEquals("bad table: UNIQUE constraint failed: u.k", e.getMessage());
  }

  /** Replaces a length-prefixed string (lengths under 64 bytes take one byte). */
  private static byte[] replace(byte[] bytes, String from, String to) {
    byte[] f = from.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] t = to.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 1; i + f.length <= bytes.length; i++) {
      if (bytes[i - 1] == f.length
          && java.util.Arrays.equals(bytes, i, i + f.length, f, 0, f.length)) {
        byte[] out = new byte[bytes.length - f.length + t.length];
        System.arraycopy(bytes, 0, out, 0, i - 1);
        out[i - 1] = (byte) t.length;
        System.arraycopy(t, 0, out, i, t.length);
        System.arraycopy(bytes, i + f.length, out, i + t.length, bytes.length - i - f.length);
        return out;
      }
    }
    throw new AssertionError("no " + from);
  }
}
