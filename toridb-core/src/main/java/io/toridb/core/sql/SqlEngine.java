package io.toridb.core.sql;

import io.toridb.core.sql.SqlValues.Affinity;
import io.toridb.core.sql.Statement.ColumnDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Runs SQL statements against the tables of a {@link Catalog}: SQLite's dialect and results, one
 * statement at a time. A statement is atomic: when it fails part way (a UNIQUE constraint on the
 * third row of an INSERT), every change it made is undone before the error is thrown.
 */
public final class SqlEngine {
  private SqlEngine() {}

  /** Parsed statements, ready to run any number of times. */
  public static final class Prepared {
    private final List<Parser.Parsed> statements;

    private Prepared(List<Parser.Parsed> statements) {
      this.statements = statements;
    }

    /** Whether every statement only reads (SELECT). */
    public boolean readOnly() {
      for (Parser.Parsed p : statements) {
        if (p.statement().writes()) {
          return false;
        }
      }
      return true;
    }

    /**
     * The tables the statements name, lower-cased: every table they can read or change, except for
     * index statements (see {@link #touchesAnyTable}).
     */
    public java.util.Set<String> tables() {
      java.util.Set<String> names = new java.util.TreeSet<>();
      for (Parser.Parsed p : statements) {
        TableNames.collect(p.statement(), names);
      }
      return names;
    }

    /**
     * Whether a statement may read or change tables it does not name: DROP INDEX and REINDEX name
     * an index, whose table only the data tells, and CREATE INDEX looks at every table's indexes
     * (index names are unique across a database).
     */
    public boolean touchesAnyTable() {
      for (Parser.Parsed p : statements) {
        Statement s = p.statement();
        if (s instanceof Statement.CreateIndex
            || s instanceof Statement.DropIndex
            || s instanceof Statement.Reindex) {
          return true;
        }
      }
      return false;
    }

    /** How many {@code ?} parameters it takes (only a single statement may take any). */
    public int parameters() {
      return statements.size() == 1 ? statements.get(0).parameters() : 0;
    }
  }

  /**
   * Parses {@code sql}: one statement, or several separated by semicolons (which run one after
   * another, each atomic by itself, as sqlite3_exec runs them; the result is the last one's).
   * Throws {@link SqlException} on a syntax error.
   */
  public static Prepared prepare(String sql) {
    try {
      List<Parser.Parsed> all = Parser.parseAll(sql);
      if (all.size() > 1) {
        for (Parser.Parsed p : all) {
          if (p.parameters() > 0) {
            throw new SqlException("parameters (?) need a single statement");
          }
        }
      }
      return new Prepared(all);
    } catch (StackOverflowError tooDeep) {
      throw new SqlException("parser stack overflow");
    } catch (SqlException e) {
      throw e;
    } catch (RuntimeException e) {
      // Text no rule expected (a number too large for its form, ...): still a syntax error.
      throw new SqlException("malformed statement: " + e.getMessage());
    }
  }

  /** Parses and runs {@code sql} with no parameters. */
  public static SqlResult execute(Catalog catalog, String sql) {
    return execute(catalog, prepare(sql), new Object[0], text -> {});
  }

  /**
   * Runs {@code p} with {@code parameters} bound to its {@code ?}s in order. {@code written} gets
   * the text of each statement that ran and may have changed something (every statement but SELECT
   * and REINDEX, including those that changed no row), in order: what a log must replay. When a
   * statement fails, the ones before it stay done.
   */
  public static SqlResult execute(
      Catalog catalog, Prepared p, Object[] parameters, Consumer<String> written) {
    if (parameters.length != p.parameters()) {
      throw new SqlException(
          "wrong number of parameters: the statement takes "
              + p.parameters()
              + " but "
              + parameters.length
              + " were given");
    }
    SqlResult last = null;
    for (Parser.Parsed statement : p.statements) {
      Table.Undo undo = new Table.Undo();
      try {
        last = run(catalog, statement.statement(), parameters, undo);
      } catch (SqlException e) {
        if (e.constraint()
            && conflict(statement.statement()) == Statement.Conflict.FAIL
            && undo.changed()) {
          // OR FAIL keeps what the statement did before the failing row; replaying the
          // statement stops at the same row.
          written.accept(statement.text());
        } else {
          undo.rollBack();
        }
        throw e;
      } catch (StackOverflowError tooDeep) {
        undo.rollBack();
        throw new SqlException("expression tree is too large");
      } catch (RuntimeException | Error e) {
        // Whatever stops a statement (out of memory included) leaves nothing of it behind.
        undo.rollBack();
        throw e;
      }
      Statement s = statement.statement();
      boolean rowStatement =
          s instanceof Statement.Insert
              || s instanceof Statement.Update
              || s instanceof Statement.Delete;
      if (s.writes() && (!rowStatement || last.changes() > 0)) {
        written.accept(statement.text());
      }
    }
    return last;
  }

  private static Statement.Conflict conflict(Statement s) {
    if (s instanceof Statement.Insert i) {
      return i.conflict();
    }
    return s instanceof Statement.Update u ? u.conflict() : Statement.Conflict.ABORT;
  }

  private static SqlResult run(Catalog catalog, Statement s, Object[] parameters, Table.Undo undo) {
    Binder root = new Binder(catalog, null, parameters.length);
    Frame frame = new Frame(null, 0, parameters);
    if (s instanceof Statement.SelectStatement sel) {
      Query.Select select = sel.select();
      select.bind(root);
      return new SqlResult(List.copyOf(select.columnNames()), select.run(frame), 0);
    }
    if (s instanceof Statement.CreateTable ct) {
      return createTable(catalog, ct, root, frame, undo);
    }
    if (s instanceof Statement.DropTable dt) {
      if (!catalog.drop(dt.name().toLowerCase(Locale.ROOT))) {
        if (dt.ifExists()) {
          return SqlResult.changed(0);
        }
        throw new SqlException("no such table: " + dt.name());
      }
      return SqlResult.changed(0);
    }
    if (s instanceof Statement.CreateIndex ci) {
      return createIndex(catalog, ci);
    }
    if (s instanceof Statement.DropIndex di) {
      for (Table t : catalog.tables()) {
        Table.Index index = t.index(di.name());
        if (index != null) {
          if (index.sql == null) {
            throw new SqlException(
                "index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped");
          }
          t.dropIndex(index);
          return SqlResult.changed(0);
        }
      }
      if (di.ifExists()) {
        return SqlResult.changed(0);
      }
      throw new SqlException("no such index: " + di.name());
    }
    if (s instanceof Statement.Insert ins) {
      return insert(catalog, ins, root, frame, undo);
    }
    if (s instanceof Statement.Reindex r) {
      if (r.name() != null && catalog.table(r.name().toLowerCase(Locale.ROOT)) == null) {
        boolean found = false;
        for (Table t : catalog.tables()) {
          found |= t.index(r.name()) != null;
        }
        if (!found) {
          throw new SqlException("unable to identify the object to be reindexed");
        }
      }
      return SqlResult.changed(0);
    }
    if (s instanceof Statement.Update up) {
      return update(catalog, up, root, frame, undo);
    }
    return delete(catalog, (Statement.Delete) s, root, frame, undo);
  }

  private static Table table(Catalog catalog, String name) {
    Table t = catalog.table(name.toLowerCase(Locale.ROOT));
    if (t == null) {
      throw new SqlException("no such table: " + name);
    }
    return t;
  }

  private static SqlResult createTable(
      Catalog catalog, Statement.CreateTable ct, Binder root, Frame frame, Table.Undo undo) {
    String key = ct.name().toLowerCase(Locale.ROOT);
    if (catalog.table(key) != null) {
      if (ct.ifNotExists()) {
        return SqlResult.changed(0);
      }
      throw new SqlException("table " + ct.name() + " already exists");
    }
    if (key.startsWith("sqlite_")) {
      throw new SqlException("object name reserved for internal use: " + ct.name());
    }
    if (ct.asSelect() != null) {
      Query.Select select = ct.asSelect();
      select.bind(root);
      List<Object[]> rows = select.run(frame);
      StringBuilder sql = new StringBuilder("CREATE TABLE ").append(quote(ct.name())).append('(');
      List<String> names = select.columnNames();
      List<ColumnDef> defs = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        Affinity a = select.resultAffinity(i);
        String type =
            a == null || a == Affinity.BLOB
                ? ""
                : switch (a) {
                  case INTEGER -> "INT";
                  case REAL -> "REAL";
                  case TEXT -> "TEXT";
                  default -> "NUM";
                };
        defs.add(new ColumnDef(names.get(i), type, false, false, false, false, null));
        sql.append(i == 0 ? "" : ",").append(quote(names.get(i)));
        if (!type.isEmpty()) {
          sql.append(' ').append(type);
        }
      }
      sql.append(')');
      Table t =
          build(new Statement.CreateTable(ct.name(), false, defs, List.of(), null, sql.toString()));
      catalog.create(t);
      for (Object[] r : rows) {
        t.insert(t.prepare(r, null, frame), Statement.Conflict.ABORT, undo);
      }
      return SqlResult.changed(0);
    }
    catalog.create(build(ct));
    return SqlResult.changed(0);
  }

  private static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** Makes the (empty) table a CREATE TABLE statement describes. */
  static Table build(Statement.CreateTable ct) {
    List<Table.Column> columns = new ArrayList<>();
    List<ColumnDef> defs = ct.columns();
    if (defs.isEmpty()) {
      throw new SqlException("a table needs at least one column");
    }
    int primaryKeys = 0;
    int rowidColumn = -1;
    boolean autoincrement = false;
    for (int i = 0; i < defs.size(); i++) {
      ColumnDef d = defs.get(i);
      for (int j = 0; j < i; j++) {
        if (defs.get(j).name().equalsIgnoreCase(d.name())) {
          throw new SqlException("duplicate column name: " + d.name());
        }
      }
      if (d.defaultValue() != null) {
        if (!constant(d.defaultValue())) {
          throw new SqlException("default value of column [" + d.name() + "] is not constant");
        }
        d.defaultValue().bind(new Binder(null, null, 0));
      }
      columns.add(
          new Table.Column(
              d.name(),
              d.type(),
              SqlValues.affinity(d.type()),
              d.notNull(),
              d.defaultValue(),
              Vectors.declaredDim(d.type())));
      if (d.primaryKey()) {
        primaryKeys++;
        if (d.type().equalsIgnoreCase("INTEGER")) {
          rowidColumn = i;
        }
        if (d.autoincrement()) {
          if (!d.type().equalsIgnoreCase("INTEGER")) {
            throw new SqlException("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
          }
          autoincrement = true;
        }
      }
    }
    List<int[]> uniques = new ArrayList<>();
    for (Statement.KeyConstraint k : ct.keys()) {
      int[] cols = new int[k.columns().size()];
      for (int i = 0; i < cols.length; i++) {
        cols[i] = columnIndex(columns, k.columns().get(i), ct.name());
      }
      if (k.primaryKey()) {
        primaryKeys++;
        if (cols.length == 1 && defs.get(cols[0]).type().equalsIgnoreCase("INTEGER")) {
          rowidColumn = cols[0];
          continue;
        }
      }
      uniques.add(cols);
    }
    if (primaryKeys > 1) {
      throw new SqlException("table \"" + ct.name() + "\" has more than one primary key");
    }
    for (int i = 0; i < defs.size(); i++) {
      ColumnDef d = defs.get(i);
      if ((d.primaryKey() && i != rowidColumn) || d.unique()) {
        uniques.add(new int[] {i});
      }
    }
    List<Table.Index> indexes = new ArrayList<>();
    for (int[] cols : uniques) {
      indexes.add(
          new Table.Index(
              "sqlite_autoindex_" + ct.name() + "_" + (indexes.size() + 1), null, cols, true));
    }
    return new Table(ct.name(), ct.sql(), columns, rowidColumn, autoincrement, indexes);
  }

  /** Whether {@code e} reads nothing but literals (no column, parameter or subquery). */
  private static boolean constant(Expr e) {
    if (e instanceof Expr.Column
        || e instanceof Expr.Parameter
        || e instanceof Expr.Aggregate
        || e instanceof Expr.Scalar
        || e instanceof Expr.Exists
        || (e instanceof Expr.In in && in.query != null)) {
      return false;
    }
    for (Expr child : e.children()) {
      if (!constant(child)) {
        return false;
      }
    }
    return true;
  }

  private static int columnIndex(List<Table.Column> columns, String name, String table) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    throw new SqlException("no such column: " + name);
  }

  private static SqlResult createIndex(Catalog catalog, Statement.CreateIndex ci) {
    Table t = catalog.table(ci.table().toLowerCase(Locale.ROOT));
    if (t == null) {
      throw new SqlException("no such table: main." + ci.table());
    }
    for (Table other : catalog.tables()) {
      if (other.index(ci.name()) != null) {
        if (ci.ifNotExists()) {
          return SqlResult.changed(0);
        }
        throw new SqlException("index " + ci.name() + " already exists");
      }
    }
    if (ci.name().toLowerCase(Locale.ROOT).startsWith("sqlite_")) {
      throw new SqlException("object name reserved for internal use: " + ci.name());
    }
    int[] cols = new int[ci.columns().size()];
    for (int i = 0; i < cols.length; i++) {
      cols[i] = columnIndex(t.columns(), ci.columns().get(i), t.name());
    }
    t.addIndex(new Table.Index(ci.name(), ci.sql(), cols, ci.unique()));
    return SqlResult.changed(0);
  }

  /** Re-creates an index a snapshot recorded by its CREATE INDEX text. */
  public static void restoreIndex(Table t, String sql) {
    Parser.Parsed p = Parser.parse(sql);
    // The ON name may be an old name of the table (its key was renamed or copied since).
    if (!(p.statement() instanceof Statement.CreateIndex ci)) {
      throw new SqlException("not a CREATE INDEX statement: " + sql);
    }
    if (t.index(ci.name()) != null) {
      throw new SqlException("index " + ci.name() + " twice");
    }
    int[] cols = new int[ci.columns().size()];
    for (int i = 0; i < cols.length; i++) {
      cols[i] = columnIndex(t.columns(), ci.columns().get(i), t.name());
    }
    t.addIndex(new Table.Index(ci.name(), ci.sql(), cols, ci.unique()));
  }

  /** Makes the empty table a snapshot recorded by its CREATE TABLE text. */
  public static Table restoreTable(String sql) {
    Parser.Parsed p = Parser.parse(sql);
    if (!(p.statement() instanceof Statement.CreateTable ct) || ct.asSelect() != null) {
      throw new SqlException("not a CREATE TABLE statement: " + sql);
    }
    return build(ct);
  }

  private static SqlResult insert(
      Catalog catalog, Statement.Insert ins, Binder root, Frame frame, Table.Undo undo) {
    Table t = table(catalog, ins.table());
    int n = t.columns().size();
    int[] targets;
    if (ins.columns() == null) {
      targets = new int[n];
      for (int i = 0; i < n; i++) {
        targets[i] = i;
      }
    } else {
      targets = new int[ins.columns().size()];
      for (int i = 0; i < targets.length; i++) {
        String c = ins.columns().get(i);
        int at = t.columnIndex(c);
        if (at < 0 && Binder.isRowidName(c) && t.rowidColumn() >= 0) {
          at = t.rowidColumn();
        }
        if (at < 0) {
          throw new SqlException("table " + t.name() + " has no column named " + c);
        }
        targets[i] = at;
      }
    }
    List<Object[]> rows = new ArrayList<>();
    if (ins.select() != null) {
      ins.select().bind(root);
      if (ins.select().width() != targets.length) {
        throw countMismatch(t, ins, targets.length, ins.select().width());
      }
      rows = ins.select().run(frame);
    } else {
      for (List<Expr> row : ins.values()) {
        if (row.isEmpty()) {
          rows.add(new Object[0]);
          continue;
        }
        if (row.size() != targets.length) {
          throw countMismatch(t, ins, targets.length, row.size());
        }
        Object[] r = new Object[row.size()];
        for (int i = 0; i < r.length; i++) {
          root.bindPlain(row.get(i));
          r[i] = row.get(i).eval(frame);
        }
        rows.add(r);
      }
    }
    long changes = 0;
    for (Object[] r : rows) {
      Object[] values = new Object[n];
      boolean[] given = new boolean[n];
      if (r.length > 0) {
        for (int i = 0; i < targets.length; i++) {
          values[targets[i]] = r[i];
          given[targets[i]] = true;
        }
      }
      if (t.insert(t.prepare(values, given, frame), ins.conflict(), undo)) {
        changes++;
      }
    }
    return SqlResult.changed(changes);
  }

  private static SqlException countMismatch(Table t, Statement.Insert ins, int want, int got) {
    if (ins.columns() == null) {
      return new SqlException(
          "table " + t.name() + " has " + want + " columns but " + got + " values were supplied");
    }
    return new SqlException(got + " values for " + want + " columns");
  }

  /** The rows a WHERE selects, each as its rowid followed by the values of {@code exprs}. */
  private static List<Object[]> matching(
      Table t, String alias, Expr where, List<Expr> exprs, Binder root, Frame frame) {
    Query.Select select = select(t, alias, where, exprs, true);
    select.bind(root);
    if (!select.cores.get(0).aggregates.isEmpty()) {
      throw new SqlException(
          "misuse of aggregate: " + select.cores.get(0).aggregates.get(0).name + "()");
    }
    return select.run(frame);
  }

  private static Expr.Column rowid(Table t, String alias) {
    Expr.Column c = new Expr.Column(alias == null ? t.name() : alias, "rowid");
    c.realRowid = true;
    return c;
  }

  /** SELECT [rowid,] exprs FROM t [AS alias] WHERE where. */
  private static Query.Select select(
      Table t, String alias, Expr where, List<Expr> exprs, boolean withRowid) {
    List<Query.ResultColumn> columns = new ArrayList<>();
    if (withRowid) {
      columns.add(new Query.ResultColumn(rowid(t, alias), null, null));
    }
    for (Expr e : exprs) {
      columns.add(new Query.ResultColumn(e, null, null));
    }
    Query.FromItem item = new Query.FromItem(Query.Join.FIRST);
    item.table = t.name();
    item.alias = alias;
    Query.Core core =
        new Query.Core(false, columns, List.of(item), where, new ArrayList<>(), null, null);
    return new Query.Select(List.of(core), List.of(), List.of(), null, null);
  }

  private static SqlResult update(
      Catalog catalog, Statement.Update up, Binder root, Frame frame, Table.Undo undo) {
    Table t = table(catalog, up.table());
    int[] targets = new int[up.columns().size()];
    for (int i = 0; i < targets.length; i++) {
      String c = up.columns().get(i);
      int at = t.columnIndex(c);
      if (at < 0 && Binder.isRowidName(c) && t.rowidColumn() >= 0) {
        at = t.rowidColumn();
      }
      if (at < 0) {
        throw new SqlException("no such column: " + c);
      }
      targets[i] = at;
    }
    long changes = 0;
    boolean subqueries = false;
    for (Expr e : up.values()) {
      subqueries |= hasSubquery(e);
    }
    if (!subqueries) {
      // The new values read only their own row: computed with the WHERE, in one pass.
      for (Object[] r : matching(t, up.alias(), up.where(), up.values(), root, frame)) {
        changes += apply(t, (Long) r[0], r, targets, up.conflict(), undo);
      }
      return SqlResult.changed(changes);
    }
    // As SQLite: the WHERE picks the rows first, then each row's new values are computed when it
    // is updated, so subqueries in SET see the rows updated before it.
    List<Object[]> picked = matching(t, up.alias(), up.where(), List.of(), root, frame);
    Expr.Slot at = new Expr.Slot();
    Query.Select values =
        select(t, up.alias(), new Expr.Binary("=", rowid(t, up.alias()), at), up.values(), false);
    values.bind(root);
    if (!values.cores.get(0).aggregates.isEmpty()) {
      throw new SqlException(
          "misuse of aggregate: " + values.cores.get(0).aggregates.get(0).name + "()");
    }
    for (Object[] r : picked) {
      at.value = r[0];
      frame.epoch++;
      List<Object[]> computed = values.run(frame);
      if (!computed.isEmpty()) {
        Object[] withRowid = new Object[targets.length + 1];
        withRowid[0] = r[0];
        System.arraycopy(computed.get(0), 0, withRowid, 1, targets.length);
        changes += apply(t, (Long) r[0], withRowid, targets, up.conflict(), undo);
      }
    }
    return SqlResult.changed(changes);
  }

  /** Updates one row with {@code r}'s values (after its rowid); 1 if it changed, else 0. */
  private static int apply(
      Table t,
      long rowid,
      Object[] r,
      int[] targets,
      Statement.Conflict conflict,
      Table.Undo undo) {
    Object[] old = t.rowMap().get(rowid);
    if (old == null) {
      return 0;
    }
    Object[] row = old.clone();
    for (int i = 0; i < targets.length; i++) {
      row[targets[i]] = t.columns().get(targets[i]).store(r[i + 1], t.name());
    }
    return t.update(rowid, row, conflict, undo) ? 1 : 0;
  }

  private static boolean hasSubquery(Expr e) {
    if (Expr.Subquery.of(e) != null) {
      return true;
    }
    for (Expr child : e.children()) {
      if (hasSubquery(child)) {
        return true;
      }
    }
    return false;
  }

  private static SqlResult delete(
      Catalog catalog, Statement.Delete del, Binder root, Frame frame, Table.Undo undo) {
    Table t = table(catalog, del.table());
    long changes = 0;
    for (Object[] r : matching(t, del.alias(), del.where(), List.of(), root, frame)) {
      long rowid = (Long) r[0];
      if (t.rowMap().containsKey(rowid)) {
        t.remove(rowid, undo);
        changes++;
      }
    }
    return SqlResult.changed(changes);
  }
}
