package io.toridb.core.sql;

import io.toridb.core.sql.SqlValues.Affinity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * SELECT: its parts as parsed, the binding of names, and the run.
 *
 * <h2>Implementation notes</h2>
 *
 * A core runs as nested loops over its FROM sources in the order written. Conjuncts of WHERE are
 * checked at the first loop where every source they read is set (unless a LEFT JOIN is present),
 * and a conjunct {@code column = value} whose value reads only earlier loops (or the queries
 * around) turns that loop's scan of a table into a lookup: of the rowid, of the first column of an
 * index, or else of a hash of the table's rows by that column, built at the first lookup and kept
 * for the statement (so a join or a correlated subquery reads each table once). Groups are kept in
 * key order, as SQLite's sorter leaves them; rows with equal ORDER BY keys keep their scan order.
 */
final class Query {
  private Query() {}

  /**
   * Rows in SQLite's value order of their first {@code width} values (equal rows for DISTINCT,
   * GROUP BY and compound selects).
   */
  static Comparator<Object[]> firstColumns(int width) {
    return (a, b) -> {
      for (int i = 0; i < width; i++) {
        int c = SqlValues.compare(a[i], b[i]);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    };
  }

  enum Join {
    FIRST,
    CROSS,
    INNER,
    LEFT,
    NATURAL,
    NATURAL_LEFT
  }

  /** A result column: an expression with an optional alias, or {@code *}, or {@code table.*}. */
  record ResultColumn(Expr expr, String alias, String starTable) {}

  record OrderTerm(Expr expr, boolean desc, Boolean nullsFirst) {}

  static final class FromItem {
    final Join join;
    String table;
    Select subquery;
    String alias;
    Expr on;
    List<String> using;

    Table bound;
    Binder.Source source;
    List<Object[]> materialized;
    final List<Expr> filters = new ArrayList<>();
    Expr lookupValue;
    Affinity lookupAffinity;
    Table.Index lookupIndex;

    /** The column (within the source) a hash lookup keys on, or -1. */
    int hashColumn = -1;

    /** The table's rows by {@link #hashKey} of that column, built at the first lookup. */
    Map<Object, List<Map.Entry<Long, Object[]>>> hash;

    long hashEpoch;

    FromItem(Join join) {
      this.join = join;
    }

    boolean left() {
      return join == Join.LEFT || join == Join.NATURAL_LEFT;
    }
  }

  static final class Select {
    final List<Core> cores;
    final List<String> ops;
    final List<OrderTerm> orderBy;
    final Expr limit;
    final Expr offset;

    /** Per ORDER BY term: the result column it sorts by, or -1 for an extra key the core adds. */
    private int[] orderColumns;

    Select(List<Core> cores, List<String> ops, List<OrderTerm> orderBy, Expr limit, Expr offset) {
      this.cores = cores;
      this.ops = ops;
      this.orderBy = orderBy;
      this.limit = limit;
      this.offset = offset;
    }

    int width() {
      return cores.get(0).results.size();
    }

    List<String> columnNames() {
      return cores.get(0).names;
    }

    Affinity resultAffinity(int i) {
      return cores.get(0).results.get(i).affinity();
    }

    /** Binds every name below; true if the select reads a query around it. */
    boolean bind(Binder outer) {
      boolean correlated = false;
      List<Binder> binders = new ArrayList<>();
      for (Core c : cores) {
        Binder b = outer.child();
        binders.add(b);
        c.bind(b);
        if (c.results.size() != cores.get(0).results.size()) {
          throw new SqlException(
              "SELECTs to the left and right of "
                  + ops.get(cores.indexOf(c) - 1)
                  + " do not have the same number of result columns");
        }
      }
      orderColumns = new int[orderBy.size()];
      for (int i = 0; i < orderBy.size(); i++) {
        Expr e = orderBy.get(i).expr();
        int column = resultColumnFor(e, i);
        if (column < 0 && cores.size() > 1) {
          throw new SqlException(
              ordinal(i + 1) + " ORDER BY term does not match any column in the result set");
        }
        orderColumns[i] = column;
        if (column < 0) {
          cores.get(0).addOrderKey(e);
        }
      }
      for (Core c : cores) {
        c.finish();
      }
      for (Binder b : binders) {
        correlated |= b.reachesOut;
      }
      if (limit != null) {
        outer.bindPlain(limit);
      }
      if (offset != null) {
        outer.bindPlain(offset);
      }
      return correlated;
    }

    private int resultColumnFor(Expr e, int term) {
      Core first = cores.get(0);
      Long position = position(e);
      if (position != null) {
        long k = position;
        if (k < 1 || k > first.results.size()) {
          throw new SqlException(
              ordinal(term + 1)
                  + " ORDER BY term out of range - should be between 1 and "
                  + first.results.size());
        }
        return (int) (k - 1);
      }
      if (e instanceof Expr.Column c && c.table == null) {
        for (int j = 0; j < first.names.size(); j++) {
          if (first.explicitAlias.get(j) && first.names.get(j).equalsIgnoreCase(c.name)) {
            return j;
          }
        }
        if (cores.size() > 1) {
          for (int j = 0; j < first.names.size(); j++) {
            if (first.names.get(j).equalsIgnoreCase(c.name)) {
              return j;
            }
          }
        }
      }
      if (cores.size() > 1) {
        for (int j = 0; j < first.results.size(); j++) {
          String t = first.results.get(j).text;
          if (t != null && e.text != null && t.equalsIgnoreCase(e.text)) {
            return j;
          }
        }
      }
      return -1;
    }

    /**
     * The column position an ORDER BY or GROUP BY term names: an integer, possibly signed or
     * parenthesized (SQLite's sqlite3ExprIsInteger); null for any other term.
     */
    static Long position(Expr e) {
      if (e instanceof Expr.Literal lit && lit.value instanceof Long k) {
        // Only a 32-bit integer: a larger one is a constant to sort by, as in SQLite.
        return k == (int) (long) k ? k : null;
      }
      if (e instanceof Expr.Unary u && (u.op.equals("+") || u.op.equals("-"))) {
        Long inner = position(u.operand);
        return inner == null ? null : u.op.equals("-") ? -inner : inner;
      }
      return null;
    }

    private static String ordinal(int n) {
      String suffix =
          n % 100 >= 11 && n % 100 <= 13
              ? "th"
              : switch (n % 10) {
                case 1 -> "st";
                case 2 -> "nd";
                case 3 -> "rd";
                default -> "th";
              };
      return n + suffix;
    }

    List<Object[]> run(Frame outer) {
      int width = width();
      List<Object[]> rows;
      if (cores.size() == 1) {
        rows = cores.get(0).run(outer);
      } else {
        rows = cores.get(0).run(outer);
        for (int i = 1; i < cores.size(); i++) {
          rows = combine(ops.get(i - 1), rows, cores.get(i).run(outer));
        }
      }
      long skip = 0;
      long take = Long.MAX_VALUE;
      if (limit != null) {
        Long l = limitValue(limit, outer);
        take = l < 0 ? Long.MAX_VALUE : l;
      }
      if (offset != null) {
        skip = Math.max(0, limitValue(offset, outer));
      }
      if (!orderBy.isEmpty()) {
        rows = sorted(rows, width, take == Long.MAX_VALUE ? -1 : skip + take);
      }
      List<Object[]> out = new ArrayList<>();
      long at = 0;
      for (Object[] r : rows) {
        if (at++ < skip) {
          continue;
        }
        if (out.size() >= take) {
          break;
        }
        out.add(r.length == width ? r : Arrays.copyOf(r, width));
      }
      return out;
    }

    /**
     * {@code rows} in ORDER BY order, equal keys in their first order; only the first {@code
     * needed} when that is not negative (a LIMIT, as a nearest-vectors search has), which a heap of
     * that many finds without sorting everything.
     */
    private List<Object[]> sorted(List<Object[]> rows, int width, long needed) {
      int[] keys = new int[orderBy.size()];
      int extra = width;
      for (int i = 0; i < keys.length; i++) {
        keys[i] = orderColumns[i] >= 0 ? orderColumns[i] : extra++;
      }
      Comparator<Object[]> order =
          (a, b) -> {
            for (int i = 0; i < keys.length; i++) {
              OrderTerm t = orderBy.get(i);
              Object x = a[keys[i]];
              Object y = b[keys[i]];
              int c;
              if ((x == null || y == null) && t.nullsFirst() != null) {
                c = x == y ? 0 : (x == null) == t.nullsFirst() ? -1 : 1;
              } else {
                c = SqlValues.compare(x, y);
                if (t.desc()) {
                  c = -c;
                }
              }
              if (c != 0) {
                return c;
              }
            }
            return 0;
          };
      if (needed < 0 || needed >= rows.size() / 4) {
        List<Object[]> all = new ArrayList<>(rows);
        all.sort(order);
        return all;
      }
      // The worst of the best kept so far on top; ties broken by position, so the result is the
      // stable sort's first rows.
      int k = (int) needed;
      java.util.PriorityQueue<Integer> best =
          new java.util.PriorityQueue<>(
              Math.max(1, k + 1),
              (a, b) -> {
                int c = order.compare(rows.get(b), rows.get(a));
                return c != 0 ? c : Integer.compare(b, a);
              });
      for (int i = 0; i < rows.size() && k > 0; i++) {
        best.add(i);
        if (best.size() > k) {
          best.poll();
        }
      }
      List<Integer> chosen = new ArrayList<>(best);
      chosen.sort(
          (a, b) -> {
            int c = order.compare(rows.get(a), rows.get(b));
            return c != 0 ? c : Integer.compare(a, b);
          });
      List<Object[]> out = new ArrayList<>(chosen.size());
      for (int i : chosen) {
        out.add(rows.get(i));
      }
      return out;
    }

    private static Long limitValue(Expr e, Frame outer) {
      Object v = SqlValues.numericForCompare(e.eval(outer));
      if (!(v instanceof Long l)) {
        throw new SqlException("datatype mismatch");
      }
      return l;
    }

    private List<Object[]> combine(String op, List<Object[]> left, List<Object[]> right) {
      int width = width();
      Comparator<Object[]> rowOrder = firstColumns(width);
      switch (op) {
        case "UNION ALL" -> {
          List<Object[]> out = new ArrayList<>(left.size() + right.size());
          for (Object[] r : left) {
            out.add(Arrays.copyOf(r, width));
          }
          for (Object[] r : right) {
            out.add(Arrays.copyOf(r, width));
          }
          return out;
        }
        case "UNION" -> {
          TreeSet<Object[]> set = new TreeSet<>(rowOrder);
          for (Object[] r : left) {
            set.add(Arrays.copyOf(r, width));
          }
          for (Object[] r : right) {
            set.add(Arrays.copyOf(r, width));
          }
          return new ArrayList<>(set);
        }
        case "INTERSECT" -> {
          TreeSet<Object[]> l = new TreeSet<>(rowOrder);
          l.addAll(left);
          TreeSet<Object[]> out = new TreeSet<>(rowOrder);
          for (Object[] r : right) {
            if (l.contains(r)) {
              out.add(Arrays.copyOf(r, width));
            }
          }
          return new ArrayList<>(out);
        }
        default -> {
          TreeSet<Object[]> out = new TreeSet<>(rowOrder);
          for (Object[] r : left) {
            out.add(Arrays.copyOf(r, width));
          }
          for (Object[] r : right) {
            out.remove(r);
          }
          return new ArrayList<>(out);
        }
      }
    }
  }

  static final class Core {
    final boolean distinct;
    final List<ResultColumn> columns;
    final List<FromItem> from;
    final Expr where;
    final List<Expr> groupBy;
    final Expr having;
    final List<List<Expr>> values;

    Binder binder;
    final List<Expr> results = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final List<Boolean> explicitAlias = new ArrayList<>();
    final List<Expr> orderKeys = new ArrayList<>();
    final List<Expr> finalFilters = new ArrayList<>();
    List<Expr.Aggregate> aggregates;
    boolean aggregate;

    Core(
        boolean distinct,
        List<ResultColumn> columns,
        List<FromItem> from,
        Expr where,
        List<Expr> groupBy,
        Expr having,
        List<List<Expr>> values) {
      this.distinct = distinct;
      this.columns = columns;
      this.from = from;
      this.where = where;
      this.groupBy = groupBy;
      this.having = having;
      this.values = values;
    }

    static Core values(List<List<Expr>> rows) {
      return new Core(false, List.of(), List.of(), null, List.of(), null, rows);
    }

    void bind(Binder b) {
      this.binder = b;
      if (values != null) {
        for (List<Expr> row : values) {
          for (Expr e : row) {
            b.bindPlain(e);
          }
        }
        for (int i = 0; i < values.get(0).size(); i++) {
          results.add(values.get(0).get(i));
          names.add("column" + (i + 1));
          explicitAlias.add(false);
        }
        aggregates = List.of();
        return;
      }
      for (FromItem item : from) {
        bindSource(b, item);
      }
      for (ResultColumn rc : columns) {
        if (rc.expr() == null) {
          expand(b, rc.starTable());
          continue;
        }
        results.add(rc.expr());
        explicitAlias.add(rc.alias() != null);
        if (rc.alias() != null) {
          names.add(rc.alias());
        } else if (rc.expr() instanceof Expr.Column c) {
          names.add(c.name);
        } else {
          names.add(rc.expr().text);
        }
      }
      aggregates = new ArrayList<>();
      b.aggregates = aggregates;
      for (Expr e : results) {
        e.bind(b);
      }
      Map<String, Expr> aliases = new HashMap<>();
      for (int i = 0; i < results.size(); i++) {
        if (explicitAlias.get(i)) {
          aliases.putIfAbsent(names.get(i).toLowerCase(Locale.ROOT), results.get(i));
        }
      }
      b.aliases = aliases;
      for (FromItem item : from) {
        if (item.on != null) {
          b.bindPlain(item.on);
        }
      }
      if (where != null) {
        b.bindPlain(where);
      }
      for (int i = 0; i < groupBy.size(); i++) {
        Expr g = groupBy.get(i);
        Long position = Select.position(g);
        if (position != null) {
          long k = position;
          if (k < 1 || k > results.size()) {
            throw new SqlException(
                Select.ordinal(i + 1)
                    + " GROUP BY term out of range - should be between 1 and "
                    + results.size());
          }
          Expr named = results.get((int) (k - 1));
          if (ownsAggregate(named)) {
            throw new SqlException("aggregate functions are not allowed in the GROUP BY clause");
          }
          groupBy.set(i, named);
          continue;
        }
        b.bindGroupBy(g);
      }
      if (having != null) {
        having.bind(b);
      }
    }

    /** Whether {@code e} holds an aggregate of this query (written here or in a subquery). */
    private boolean ownsAggregate(Expr e) {
      boolean[] found = {false};
      Binder.forEachNode(
          e,
          0,
          (node, n) -> {
            if (node instanceof Expr.Aggregate a && aggregates.contains(a)) {
              found[0] = true;
            }
          });
      return found[0];
    }

    private void bindSource(Binder b, FromItem item) {
      List<String> columnNames;
      List<Affinity> affinities = new ArrayList<>();
      if (item.subquery != null) {
        item.subquery.bind(b.outer);
        columnNames = item.subquery.columnNames();
        for (int i = 0; i < columnNames.size(); i++) {
          affinities.add(item.subquery.resultAffinity(i));
        }
        item.source =
            b.addSource(
                item.alias == null ? "subquery_" + b.sources.size() : item.alias,
                columnNames,
                affinities,
                false);
      } else {
        Table t = b.catalog.table(item.table.toLowerCase(Locale.ROOT));
        if (t == null) {
          throw new SqlException("no such table: " + item.table);
        }
        item.bound = t;
        columnNames = new ArrayList<>();
        for (Table.Column c : t.columns()) {
          columnNames.add(c.name());
          affinities.add(c.affinity());
        }
        item.source =
            b.addSource(item.alias == null ? t.name() : item.alias, columnNames, affinities, true);
      }
      if (item.join == Join.NATURAL || item.join == Join.NATURAL_LEFT || item.using != null) {
        List<String> shared = item.using;
        if (shared == null) {
          shared = new ArrayList<>();
          for (String c : columnNames) {
            if (earlierSourceWith(b, item, c) != null) {
              shared.add(c);
            }
          }
        }
        Expr on = item.on;
        for (String c : shared) {
          Binder.Source left = earlierSourceWith(b, item, c);
          if (left == null || !hasColumn(item.source, c)) {
            throw new SqlException(
                "cannot join using column " + c + " - column not present in both tables");
          }
          Expr eq =
              new Expr.Binary(
                  "=", new Expr.Column(left.alias(), c), new Expr.Column(item.source.alias(), c));
          on = on == null ? eq : new Expr.Binary("AND", on, eq);
        }
        item.on = on;
        for (String c : shared) {
          item.source.merged().add(c.toLowerCase(Locale.ROOT));
        }
      }
    }

    private static boolean hasColumn(Binder.Source s, String c) {
      for (String n : s.columns()) {
        if (n.equalsIgnoreCase(c)) {
          return true;
        }
      }
      return false;
    }

    private static Binder.Source earlierSourceWith(Binder b, FromItem item, String c) {
      for (Binder.Source s : b.sources) {
        if (s == item.source) {
          return null;
        }
        if (hasColumn(s, c)) {
          return s;
        }
      }
      return null;
    }

    private void expand(Binder b, String table) {
      boolean any = false;
      for (Binder.Source s : b.sources) {
        if (table != null && !table.equalsIgnoreCase(s.alias())) {
          continue;
        }
        any = true;
        for (String c : s.columns()) {
          if (table == null && s.mergedAway(c)) {
            continue;
          }
          Expr.Column col = new Expr.Column(s.alias(), c);
          col.text = c;
          results.add(col);
          names.add(c);
          explicitAlias.add(false);
        }
      }
      if (table != null && !any) {
        throw new SqlException("no such table: " + table);
      }
      if (table == null && !any) {
        throw new SqlException("no tables specified");
      }
    }

    /** An ORDER BY expression that names no result column, evaluated per row as an extra key. */
    void addOrderKey(Expr e) {
      binder.aggregates = aggregates;
      e.bind(binder);
      orderKeys.add(e);
    }

    /** After binding: decides whether this is an aggregate query and plans the loops. */
    void finish() {
      aggregate = !groupBy.isEmpty() || (aggregates != null && !aggregates.isEmpty());
      minMaxRow =
          aggregates != null
              && aggregates.size() == 1
              && aggregates.get(0).args.size() == 1
              && (aggregates.get(0).name.equals("min") || aggregates.get(0).name.equals("max"));
      groupTermOf = new int[results.size()];
      for (int i = 0; i < results.size(); i++) {
        groupTermOf[i] = -1;
        for (int j = 0; j < groupBy.size() && groupTermOf[i] < 0; j++) {
          Expr r = results.get(i);
          Expr g = groupBy.get(j);
          if (r == g
              || (r instanceof Expr.Column a
                  && g instanceof Expr.Column b
                  && a.alias == null
                  && b.alias == null
                  && a.depth == b.depth
                  && a.slot == b.slot)) {
            groupTermOf[i] = j;
          }
        }
      }
      if (having != null && !aggregate) {
        throw new SqlException("a GROUP BY clause is required before HAVING");
      }
      if (values != null || from.isEmpty()) {
        if (where != null) {
          finalFilters.add(where);
        }
        return;
      }
      boolean anyLeft = from.stream().anyMatch(FromItem::left);
      List<Expr> conjuncts = new ArrayList<>();
      if (where != null) {
        split(where, conjuncts);
      }
      for (Expr c : conjuncts) {
        int level = anyLeft ? -1 : level(c);
        if (level < 0) {
          finalFilters.add(c);
        } else {
          from.get(level).filters.add(c);
        }
      }
      for (int i = 0; i < from.size(); i++) {
        FromItem item = from.get(i);
        if (item.bound == null || item.left()) {
          continue;
        }
        List<Expr> candidates = new ArrayList<>(item.filters);
        if (item.on != null) {
          split(item.on, candidates);
        }
        for (Expr c : candidates) {
          if (planLookup(item, i, c)) {
            break;
          }
        }
      }
    }

    private static void split(Expr e, List<Expr> into) {
      if (e instanceof Expr.Binary b && b.op.equals("AND")) {
        split(b.left, into);
        split(b.right, into);
      } else {
        into.add(e);
      }
    }

    /** The last loop whose source {@code e} reads, -1 if it must wait for all (a subquery). */
    private int level(Expr e) {
      int[] max = {0};
      boolean[] opaque = {false};
      walk(e, max, opaque);
      return opaque[0] ? -1 : max[0];
    }

    private void walk(Expr e, int[] max, boolean[] opaque) {
      if (e instanceof Expr.Exists
          || e instanceof Expr.Scalar
          || (e instanceof Expr.In in && in.query != null)
          || e instanceof Expr.Aggregate) {
        opaque[0] = true;
        return;
      }
      if (e instanceof Expr.Column c) {
        if (c.alias != null) {
          opaque[0] = true;
        } else if (c.depth == 0) {
          max[0] = Math.max(max[0], sourceOfSlot(c.slot));
        }
        return;
      }
      for (Expr x : e.children()) {
        walk(x, max, opaque);
      }
    }

    private int sourceOfSlot(int slot) {
      for (int i = 0; i < from.size(); i++) {
        Binder.Source s = from.get(i).source;
        int end = s.offset() + s.columns().size();
        if (slot >= s.offset() && (slot < end || slot == s.rowidSlot())) {
          return i;
        }
      }
      return from.size() - 1;
    }

    private boolean planLookup(FromItem item, int level, Expr c) {
      if (!(c instanceof Expr.Binary b) || !b.op.equals("=")) {
        return false;
      }
      for (int side = 0; side < 2; side++) {
        Expr col = side == 0 ? b.left : b.right;
        Expr value = side == 0 ? b.right : b.left;
        if (!(col instanceof Expr.Column column) || column.alias != null || column.depth != 0) {
          continue;
        }
        int[] max = {-1};
        boolean[] opaque = {false};
        walk(value, max, opaque);
        if (opaque[0] || max[0] >= level) {
          continue;
        }
        Binder.Source s = item.source;
        Table t = item.bound;
        if (column.slot == s.rowidSlot()
            || (t.rowidColumn() >= 0 && column.slot == s.offset() + t.rowidColumn())) {
          item.lookupValue = value;
          item.lookupAffinity = Affinity.INTEGER;
          return true;
        }
        Affinity affinity = Expr.comparisonAffinity(column.affinity(), value.affinity());
        if (numeric(affinity) && !numeric(column.affinity())) {
          // The comparison would convert the column's values too (text that looks like a
          // number), which no lookup of the value can find.
          continue;
        }
        for (Table.Index index : t.indexes()) {
          if (column.slot == s.offset() + index.columns[0]) {
            item.lookupValue = value;
            item.lookupAffinity = affinity;
            item.lookupIndex = index;
            return true;
          }
        }
        if (column.slot >= s.offset() && column.slot < s.offset() + s.columns().size()) {
          item.lookupValue = value;
          item.lookupAffinity = affinity;
          item.hashColumn = column.slot - s.offset();
          return true;
        }
      }
      return false;
    }

    private static boolean numeric(Affinity a) {
      return a == Affinity.INTEGER || a == Affinity.REAL || a == Affinity.NUMERIC;
    }

    List<Object[]> run(Frame outer) {
      Frame f = new Frame(outer, binder.width, outer.parameters);
      List<Object[]> out = new ArrayList<>();
      if (values != null) {
        for (List<Expr> row : values) {
          Object[] r = new Object[row.size()];
          for (int i = 0; i < r.length; i++) {
            r[i] = row.get(i).eval(f);
          }
          out.add(r);
        }
        return out;
      }
      for (FromItem item : from) {
        if (item.subquery != null) {
          item.materialized = item.subquery.run(outer);
        }
      }
      if (!aggregate) {
        scan(0, f, () -> out.add(project(f)));
        return distinct ? distinct(out) : out;
      }
      TreeMap<Object[], Group> groups = new TreeMap<>(firstColumns(groupBy.size()));
      scan(
          0,
          f,
          () -> {
            Object[] key = new Object[groupBy.size()];
            for (int i = 0; i < key.length; i++) {
              key[i] = groupBy.get(i).eval(f);
            }
            Group g = groups.get(key);
            if (g == null) {
              g = new Group(aggregates);
              g.key = key;
              // Other columns show the group's first row (SQLite 3.54), or the row of a lone
              // min()/max().
              g.last = f.row.clone();
              groups.put(key, g);
            }
            if (g.step(f) && minMaxRow) {
              g.last = f.row.clone();
            }
          });
      if (groups.isEmpty() && groupBy.isEmpty()) {
        Group g = new Group(aggregates);
        g.last = new Object[binder.width];
        groups.put(new Object[0], g);
      }
      for (Group g : groups.values()) {
        f.row = g.last;
        f.aggregates = g.results();
        groupKey = g.key;
        if (having != null && !Boolean.TRUE.equals(SqlValues.truth(having.eval(f)))) {
          continue;
        }
        out.add(project(f));
      }
      return distinct ? distinct(out) : out;
    }

    /** Whether the query's only aggregate is min() or max() of one argument (see run). */
    private boolean minMaxRow;

    /** The current group's key while an aggregate query projects, else null. */
    private Object[] groupKey;

    /** Per result column, the GROUP BY term it is, or -1 (decided in {@link #finish}). */
    private int[] groupTermOf;

    private Object[] project(Frame f) {
      Object[] r = new Object[results.size() + orderKeys.size()];
      for (int i = 0; i < results.size(); i++) {
        int term = groupKey == null ? -1 : groupTermOf[i];
        // A GROUP BY term shows the group's first value of it, as SQLite's sorter keeps it (1 and
        // 1.0 fall in one group).
        r[i] = term >= 0 ? groupKey[term] : results.get(i).eval(f);
      }
      for (int i = 0; i < orderKeys.size(); i++) {
        r[results.size() + i] = orderKeys.get(i).eval(f);
      }
      return r;
    }

    private List<Object[]> distinct(List<Object[]> rows) {
      TreeSet<Object[]> seen = new TreeSet<>(firstColumns(results.size()));
      List<Object[]> out = new ArrayList<>();
      for (Object[] r : rows) {
        if (seen.add(r)) {
          out.add(r);
        }
      }
      return out;
    }

    private void scan(int level, Frame f, Runnable emit) {
      if (level == from.size()) {
        for (Expr e : finalFilters) {
          if (!Boolean.TRUE.equals(SqlValues.truth(e.eval(f)))) {
            return;
          }
        }
        emit.run();
        return;
      }
      FromItem item = from.get(level);
      Binder.Source s = item.source;
      int n = s.columns().size();
      boolean matched = false;
      if (item.bound != null) {
        for (Map.Entry<Long, Object[]> e : rowsOf(item, f)) {
          System.arraycopy(e.getValue(), 0, f.row, s.offset(), n);
          f.row[s.rowidSlot()] = e.getKey();
          if (passes(item, f)) {
            matched = true;
            scan(level + 1, f, emit);
          }
        }
      } else {
        for (Object[] r : item.materialized) {
          System.arraycopy(r, 0, f.row, s.offset(), n);
          if (passes(item, f)) {
            matched = true;
            scan(level + 1, f, emit);
          }
        }
      }
      if (!matched && item.left()) {
        Arrays.fill(f.row, s.offset(), s.offset() + n, null);
        if (s.rowidSlot() >= 0) {
          f.row[s.rowidSlot()] = null;
        }
        scan(level + 1, f, emit);
      }
    }

    private static boolean passes(FromItem item, Frame f) {
      if (item.on != null && !Boolean.TRUE.equals(SqlValues.truth(item.on.eval(f)))) {
        return false;
      }
      for (Expr e : item.filters) {
        if (!Boolean.TRUE.equals(SqlValues.truth(e.eval(f)))) {
          return false;
        }
      }
      return true;
    }

    private static Iterable<Map.Entry<Long, Object[]>> rowsOf(FromItem item, Frame f) {
      Table t = item.bound;
      if (item.lookupValue == null) {
        return t.rowMap().entrySet();
      }
      Object v = item.lookupValue.eval(f);
      if (v == null) {
        return List.of();
      }
      // Converted as the comparison converts it (the column's values need no conversion).
      v = Expr.forComparison(v, item.lookupAffinity);
      if (item.lookupIndex != null) {
        List<Map.Entry<Long, Object[]>> out = new ArrayList<>();
        for (long rowid : item.lookupIndex.lookup(v)) {
          out.add(Map.entry(rowid, t.rowMap().get(rowid)));
        }
        return out;
      }
      if (item.hashColumn >= 0) {
        if (item.hash == null || item.hashEpoch != f.epoch()) {
          // Built once per statement: the tables do not change while a query runs (an UPDATE
          // that changes them row by row moves the epoch on).
          item.hashEpoch = f.epoch();
          item.hash = new HashMap<>();
          for (Map.Entry<Long, Object[]> e : t.rowMap().entrySet()) {
            Object k = e.getValue()[item.hashColumn];
            if (k != null) {
              item.hash.computeIfAbsent(hashKey(k), x -> new ArrayList<>(1)).add(e);
            }
          }
        }
        return item.hash.getOrDefault(hashKey(v), List.of());
      }
      if (v instanceof Double d && SqlValues.isIntegral(d)) {
        v = d.longValue();
      }
      if (!(v instanceof Long rowid)) {
        return List.of();
      }
      Object[] row = t.rowMap().get(rowid);
      return row == null ? List.of() : List.of(Map.entry(rowid, row));
    }

    /**
     * A key equal for values SQLite compares as equal: whole reals as integers, blobs by content.
     */
    private static Object hashKey(Object v) {
      if (v instanceof Double d && SqlValues.isIntegral(d)) {
        return d.longValue();
      }
      if (v instanceof byte[] b) {
        return java.nio.ByteBuffer.wrap(b);
      }
      return v;
    }
  }

  /** The aggregates' state for one group, and the group's last row. */
  private static final class Group {
    final Functions.Accumulator[] accumulators;
    Object[] last;

    /** The GROUP BY values of the group's first row: what a result column that is one shows. */
    Object[] key;

    Group(List<Expr.Aggregate> aggregates) {
      accumulators = new Functions.Accumulator[aggregates.size()];
      for (int i = 0; i < accumulators.length; i++) {
        accumulators[i] = new Functions.Accumulator(aggregates.get(i));
      }
    }

    /** Adds the current row to every aggregate; true if it became the first one's min or max. */
    boolean step(Frame f) {
      boolean best = false;
      for (int i = 0; i < accumulators.length; i++) {
        boolean improved = accumulators[i].step(f);
        best |= i == 0 && improved;
      }
      return best;
    }

    Object[] results() {
      Object[] r = new Object[accumulators.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = accumulators[i].result();
      }
      return r;
    }
  }
}
