package io.toridb.core.sql;

import io.toridb.core.sql.SqlValues.Affinity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves the names of one SELECT core (or UPDATE/DELETE) against its FROM sources, then against
 * the queries around it, and numbers its aggregates. One binder per core; {@code outer} is the
 * binder of the query the core is nested in.
 */
final class Binder {
  /** One FROM source as names see it: its alias, its columns and where they sit in a frame. */
  record Source(
      String alias,
      List<String> columns,
      List<Affinity> affinities,
      int offset,
      int rowidSlot,
      java.util.Set<String> merged) {
    /**
     * Whether {@code column} is one this source shares with an earlier one through USING or a
     * NATURAL join: a bare name and {@code *} mean the earlier source's.
     */
    boolean mergedAway(String column) {
      return merged.contains(column.toLowerCase(java.util.Locale.ROOT));
    }
  }

  final Catalog catalog;
  final Binder outer;
  private final int parameterCount;
  final List<Source> sources = new ArrayList<>();
  int width;

  /** Where aggregates go, or null where they are not allowed (WHERE, ON, GROUP BY). */
  List<Expr.Aggregate> aggregates;

  /** Result column aliases, tried when a bare name matches no source column. */
  Map<String, Expr> aliases;

  /** Set when something bound here reads a query around this one. */
  boolean reachesOut;

  /** Set while binding an aggregate's arguments, where another aggregate is an error. */
  private boolean inAggregate;

  /** Set while binding a GROUP BY term, where an aggregate of this query is an error. */
  private boolean inGroupBy;

  Binder(Catalog catalog, Binder outer, int parameterCount) {
    this.catalog = catalog;
    this.outer = outer;
    this.parameterCount = parameterCount;
  }

  int parameterCount() {
    return parameterCount;
  }

  Binder child() {
    return new Binder(catalog, this, parameterCount);
  }

  /** Adds a source of {@code columns} named {@code alias}, with a hidden rowid slot if a table. */
  Source addSource(String alias, List<String> columns, List<Affinity> affinities, boolean rowid) {
    for (Source s : sources) {
      if (alias != null && alias.equalsIgnoreCase(s.alias)) {
        throw new SqlException("ambiguous column name: " + alias);
      }
    }
    int offset = width;
    width += columns.size();
    int rowidSlot = -1;
    if (rowid) {
      rowidSlot = width++;
    }
    Source s = new Source(alias, columns, affinities, offset, rowidSlot, new java.util.HashSet<>());
    sources.add(s);
    return s;
  }

  void resolve(Expr.Column c) {
    int depth = 0;
    for (Binder b = this; b != null; b = b.outer, depth++) {
      int[] found = b.find(c);
      if (found != null) {
        c.depth = depth;
        c.slot = found[0];
        c.columnAffinity = found[1] < 0 ? null : Affinity.values()[found[1]];
        for (Binder m = this; m != b; m = m.outer) {
          m.reachesOut = true;
        }
        return;
      }
      if (depth == 0 && c.table == null && aliases != null) {
        Expr alias = aliases.get(c.name.toLowerCase(java.util.Locale.ROOT));
        if (alias != null
            && !(alias instanceof Expr.Column col && col.name.equalsIgnoreCase(c.name))) {
          c.alias = alias;
          return;
        }
      }
    }
    throw new SqlException(
        "no such column: " + (c.table == null ? c.name : c.table + "." + c.name));
  }

  /** The slot and affinity ordinal (-1 for none) of the column, or null if not a source's. */
  private int[] find(Expr.Column c) {
    int[] found = null;
    for (Source s : sources) {
      if (c.table != null && (s.alias == null || !s.alias.equalsIgnoreCase(c.table))) {
        continue;
      }
      if (c.table == null && s.mergedAway(c.name)) {
        continue;
      }
      int at = -1;
      for (int i = 0; i < s.columns.size() && !c.realRowid; i++) {
        if (s.columns.get(i).equalsIgnoreCase(c.name)) {
          at = i;
          break;
        }
      }
      int[] hit = null;
      if (at >= 0) {
        Affinity a = s.affinities.get(at);
        hit = new int[] {s.offset + at, a == null ? -1 : a.ordinal()};
      } else if (s.rowidSlot >= 0 && isRowidName(c.name)) {
        hit = new int[] {s.rowidSlot, Affinity.INTEGER.ordinal()};
      }
      if (hit != null) {
        if (found != null) {
          throw new SqlException("ambiguous column name: " + c.name);
        }
        found = hit;
      } else if (c.table != null) {
        throw new SqlException("no such column: " + c.table + "." + c.name);
      }
    }
    return found;
  }

  static boolean isRowidName(String name) {
    return name.equalsIgnoreCase("rowid")
        || name.equalsIgnoreCase("oid")
        || name.equalsIgnoreCase("_rowid_");
  }

  /**
   * Binds an aggregate's arguments and hands the aggregate to the query it belongs to: this one,
   * or, when its arguments read only columns of queries around this one, the nearest of those
   * (SQLite's rule: {@code (SELECT sum(t.a) FROM u)} inside a query on t sums t's rows).
   */
  void aggregate(Expr.Aggregate a) {
    if (inAggregate) {
      throw new SqlException("misuse of aggregate function " + a.name + "()");
    }
    inAggregate = true;
    try {
      for (Expr e : a.args) {
        e.bind(this);
      }
    } finally {
      inAggregate = false;
    }
    int out = ownerLevel(a.args);
    Binder owner = this;
    for (int i = 0; i < out; i++) {
      owner = owner.outer;
    }
    if (owner.inGroupBy) {
      throw new SqlException("aggregate functions are not allowed in the GROUP BY clause");
    }
    if (out > 0) {
      if (owner.aggregates == null || owner.inAggregate) {
        throw new SqlException("misuse of aggregate: " + a.name + "()");
      }
      for (Expr e : a.args) {
        forEachColumn(
            e,
            0,
            (c, n) -> {
              if (c.depth >= n) {
                c.depth -= out;
              }
            });
      }
      a.depth = out;
    } else if (aggregates == null) {
      throw new SqlException("misuse of aggregate function " + a.name + "()");
    }
    a.index = owner.aggregates.size();
    owner.aggregates.add(a);
  }

  /**
   * How many queries out an aggregate with these arguments belongs (SQLite's rule): to this query
   * if they read any column of its FROM (nested subqueries included) or none at all, else to the
   * nearest outer query whose columns they read.
   */
  private static int ownerLevel(List<Expr> args) {
    int[] nearest = {Integer.MAX_VALUE};
    boolean[] here = {false};
    for (Expr e : args) {
      forEachColumn(
          e,
          0,
          (c, n) -> {
            int level = c.depth - n;
            if (level == 0) {
              here[0] = true;
            } else if (level > 0) {
              nearest[0] = Math.min(nearest[0], level);
            }
          });
    }
    return here[0] || nearest[0] == Integer.MAX_VALUE ? 0 : nearest[0];
  }

  /**
   * Calls {@code visit} with every bound column reference in {@code e}, subqueries included, and
   * how many queries deep (below {@code e}'s) each sits.
   */
  static void forEachColumn(
      Expr e, int nesting, java.util.function.ObjIntConsumer<Expr.Column> visit) {
    forEachNode(
        e,
        nesting,
        (node, n) -> {
          if (node instanceof Expr.Column c && c.alias == null) {
            visit.accept(c, n);
          }
        });
  }

  /**
   * Calls {@code visit} with every node of {@code e}, the expressions of its subqueries included
   * (all their clauses), and how many queries deep (below {@code e}'s) each sits.
   */
  static void forEachNode(Expr e, int nesting, java.util.function.ObjIntConsumer<Expr> visit) {
    if (e == null) {
      return;
    }
    visit.accept(e, nesting);
    Expr.Subquery sub = Expr.Subquery.of(e);
    if (sub != null) {
      forEachNode(sub.select, nesting + 1, visit);
    }
    for (Expr child : e.children()) {
      forEachNode(child, nesting, visit);
    }
  }

  /** As above for a SELECT whose cores sit {@code nesting} queries deep. */
  private static void forEachNode(
      Query.Select s, int nesting, java.util.function.ObjIntConsumer<Expr> visit) {
    for (Query.Core core : s.cores) {
      if (core.values != null) {
        for (List<Expr> row : core.values) {
          for (Expr e : row) {
            forEachNode(e, nesting, visit);
          }
        }
        continue;
      }
      for (Expr e : core.results) {
        forEachNode(e, nesting, visit);
      }
      for (Query.FromItem item : core.from) {
        forEachNode(item.on, nesting, visit);
        if (item.subquery != null) {
          // A FROM subquery's cores have this core's outer query around them: same depth.
          forEachNode(item.subquery, nesting, visit);
        }
      }
      forEachNode(core.where, nesting, visit);
      for (Expr e : core.groupBy) {
        forEachNode(e, nesting, visit);
      }
      forEachNode(core.having, nesting, visit);
      for (Expr e : core.orderKeys) {
        forEachNode(e, nesting, visit);
      }
    }
    forEachNode(s.limit, nesting - 1, visit);
    forEachNode(s.offset, nesting - 1, visit);
  }

  /** Binds a GROUP BY term: no aggregate may belong to this query there. */
  void bindGroupBy(Expr e) {
    inGroupBy = true;
    try {
      bindPlain(e);
    } finally {
      inGroupBy = false;
    }
  }

  /** Binds a nested SELECT; true if it reads any query around it (so must run per row). */
  boolean bindSubquery(Query.Select select) {
    return select.bind(this);
  }

  /** Binds {@code e} where aggregates are not allowed. */
  void bindPlain(Expr e) {
    List<Expr.Aggregate> saved = aggregates;
    aggregates = null;
    try {
      e.bind(this);
    } finally {
      aggregates = saved;
    }
  }
}
