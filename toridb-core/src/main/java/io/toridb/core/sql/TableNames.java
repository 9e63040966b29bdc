package io.toridb.core.sql;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The tables statements name (lower-cased): what a SQL command locks before it runs. */
final class TableNames {
  private TableNames() {}

  static void collect(Statement s, Set<String> into) {
    if (s instanceof Statement.SelectStatement sel) {
      select(sel.select(), into);
    } else if (s instanceof Statement.CreateTable ct) {
      add(ct.name(), into);
      if (ct.asSelect() != null) {
        select(ct.asSelect(), into);
      }
      for (Statement.ColumnDef c : ct.columns()) {
        expr(c.defaultValue(), into);
      }
    } else if (s instanceof Statement.DropTable dt) {
      add(dt.name(), into);
    } else if (s instanceof Statement.CreateIndex ci) {
      add(ci.table(), into);
    } else if (s instanceof Statement.Insert ins) {
      add(ins.table(), into);
      if (ins.select() != null) {
        select(ins.select(), into);
      } else {
        for (List<Expr> row : ins.values()) {
          for (Expr e : row) {
            expr(e, into);
          }
        }
      }
    } else if (s instanceof Statement.Update up) {
      add(up.table(), into);
      for (Expr e : up.values()) {
        expr(e, into);
      }
      expr(up.where(), into);
    } else if (s instanceof Statement.Delete del) {
      add(del.table(), into);
      expr(del.where(), into);
    }
  }

  private static void add(String name, Set<String> into) {
    into.add(name.toLowerCase(Locale.ROOT));
  }

  private static void select(Query.Select s, Set<String> into) {
    for (Query.Core c : s.cores) {
      if (c.values != null) {
        for (List<Expr> row : c.values) {
          for (Expr e : row) {
            expr(e, into);
          }
        }
        continue;
      }
      for (Query.ResultColumn r : c.columns) {
        expr(r.expr(), into);
      }
      for (Query.FromItem item : c.from) {
        if (item.table != null) {
          add(item.table, into);
        } else {
          select(item.subquery, into);
        }
        expr(item.on, into);
      }
      expr(c.where, into);
      for (Expr e : c.groupBy) {
        expr(e, into);
      }
      expr(c.having, into);
    }
    for (Query.OrderTerm t : s.orderBy) {
      expr(t.expr(), into);
    }
    expr(s.limit, into);
    expr(s.offset, into);
  }

  private static void expr(Expr e, Set<String> into) {
    if (e == null) {
      return;
    }
    Expr.Subquery sub = Expr.Subquery.of(e);
    if (sub != null) {
      select(sub.select, into);
    }
    for (Expr child : e.children()) {
      expr(child, into);
    }
  }
}
