package io.toridb.core.sql;

import io.toridb.core.sql.SqlValues.Affinity;
import java.util.ArrayList;
import java.util.List;

/**
 * An expression: parsed, then bound once per statement (column names resolved to a frame and a
 * slot, aggregates numbered), then evaluated against frames.
 */
abstract class Expr {
  /** The source text of the expression, which names an unaliased result column. */
  String text;

  abstract Object eval(Frame f);

  /** The affinity a column reference (or CAST) carries into comparisons; null for none. */
  Affinity affinity() {
    return null;
  }

  /**
   * Binds names and subqueries in this expression and below. By default its children, in order;
   * nodes that resolve names, own a subquery or check their arguments override it.
   */
  void bind(Binder b) {
    for (Expr e : children()) {
      e.bind(b);
    }
  }

  /** The direct sub-expressions, for walks over the tree. */
  List<Expr> children() {
    return List.of();
  }

  static final class Literal extends Expr {
    final Object value;

    Literal(Object value) {
      this.value = value;
    }

    @Override
    Object eval(Frame f) {
      return value;
    }
  }

  /** A value set from outside before each evaluation (the rowid an UPDATE is at). */
  static final class Slot extends Expr {
    Object value;

    @Override
    Object eval(Frame f) {
      return value;
    }
  }

  static final class Parameter extends Expr {
    final int index;

    Parameter(int index) {
      this.index = index;
    }

    @Override
    Object eval(Frame f) {
      return f.parameters[index];
    }

    @Override
    void bind(Binder b) {
      if (index >= b.parameterCount()) {
        throw new SqlException("wrong number of arguments: the statement has more ? than values");
      }
    }
  }

  /** A column, {@code name} or {@code table.name}. */
  static final class Column extends Expr {
    final String table;
    final String name;
    int depth;
    int slot;
    Affinity columnAffinity;

    /** The result column this bare name stands for, when it names no source column. */
    Expr alias;

    /** Set for the rowid itself, whatever a column of that name holds (UPDATE and DELETE). */
    boolean realRowid;

    Column(String table, String name) {
      this.table = table;
      this.name = name;
    }

    @Override
    Object eval(Frame f) {
      if (alias != null) {
        return alias.eval(f);
      }
      Frame at = f;
      for (int i = 0; i < depth; i++) {
        at = at.outer;
      }
      return at.row[slot];
    }

    @Override
    Affinity affinity() {
      return alias != null ? alias.affinity() : columnAffinity;
    }

    @Override
    void bind(Binder b) {
      b.resolve(this);
    }
  }

  static final class Unary extends Expr {
    final String op;
    final Expr operand;

    Unary(String op, Expr operand) {
      this.op = op;
      this.operand = operand;
    }

    @Override
    Object eval(Frame f) {
      Object v = operand.eval(f);
      switch (op) {
        case "NOT" -> {
          Boolean t = SqlValues.truth(v);
          return t == null ? null : t ? 0L : 1L;
        }
        case "+" -> {
          return v;
        }
        case "~" -> {
          Long l = SqlValues.toLong(v);
          return l == null ? null : ~l;
        }
        default -> {
          Object n = SqlValues.toNumber(v);
          if (n == null) {
            return null;
          }
          if (n instanceof Long l) {
            return l == Long.MIN_VALUE ? (Object) (-(double) l) : (Object) (-l);
          }
          return -(Double) n;
        }
      }
    }

    @Override
    List<Expr> children() {
      return List.of(operand);
    }
  }

  static final class Binary extends Expr {
    final String op;
    final Expr left;
    final Expr right;

    Binary(String op, Expr left, Expr right) {
      this.op = op;
      this.left = left;
      this.right = right;
    }

    @Override
    Object eval(Frame f) {
      switch (op) {
        case "AND" -> {
          Boolean a = SqlValues.truth(left.eval(f));
          if (a != null && !a) {
            return 0L;
          }
          Boolean c = SqlValues.truth(right.eval(f));
          if (c != null && !c) {
            return 0L;
          }
          return a == null || c == null ? null : 1L;
        }
        case "OR" -> {
          Boolean a = SqlValues.truth(left.eval(f));
          if (a != null && a) {
            return 1L;
          }
          Boolean c = SqlValues.truth(right.eval(f));
          if (c != null && c) {
            return 1L;
          }
          return a == null || c == null ? null : 0L;
        }
        default -> {}
      }
      Object a = left.eval(f);
      Object c = right.eval(f);
      switch (op) {
        case "=", "<>", "<", "<=", ">", ">=" -> {
          if (a == null || c == null) {
            return null;
          }
          int cmp = compareWithAffinity(a, left.affinity(), c, right.affinity());
          return bool(compareResult(op, cmp));
        }
        case "IS" -> {
          if (a == null || c == null) {
            return bool(a == c);
          }
          return bool(compareWithAffinity(a, left.affinity(), c, right.affinity()) == 0);
        }
        case "IS NOT" -> {
          if (a == null || c == null) {
            return bool(a != c);
          }
          return bool(compareWithAffinity(a, left.affinity(), c, right.affinity()) != 0);
        }
        case "||" -> {
          if (a == null || c == null) {
            return null;
          }
          return SqlValues.text(a) + SqlValues.text(c);
        }
        default -> {
          return arithmetic(op, a, c);
        }
      }
    }

    @Override
    List<Expr> children() {
      return List.of(left, right);
    }
  }

  static boolean compareResult(String op, int cmp) {
    return switch (op) {
      case "=" -> cmp == 0;
      case "<>" -> cmp != 0;
      case "<" -> cmp < 0;
      case "<=" -> cmp <= 0;
      case ">" -> cmp > 0;
      default -> cmp >= 0;
    };
  }

  static Long bool(boolean b) {
    return b ? 1L : 0L;
  }

  static boolean numeric(Affinity a) {
    return a == Affinity.INTEGER || a == Affinity.REAL || a == Affinity.NUMERIC;
  }

  /**
   * The affinity SQLite applies to both operands of a comparison (sqlite3CompareAffinity): when
   * both are columns (or CASTs), NUMERIC if either is numeric and else none (a BLOB-affinity column
   * is not converted to text); when one is, that one's; when neither, none (null).
   */
  static Affinity comparisonAffinity(Affinity left, Affinity right) {
    if (left != null && right != null) {
      return numeric(left) || numeric(right) ? Affinity.NUMERIC : null;
    }
    Affinity one = left != null ? left : right;
    return one == Affinity.BLOB ? null : one;
  }

  /** {@code v} as a comparison under {@code affinity} sees it (SQLite converts both operands). */
  static Object forComparison(Object v, Affinity affinity) {
    if (affinity == null) {
      return v;
    }
    if (numeric(affinity)) {
      return SqlValues.numericForCompare(v);
    }
    return affinity == Affinity.TEXT ? SqlValues.apply(Affinity.TEXT, v) : v;
  }

  /** Compares two non-null values after SQLite's comparison affinity rules. */
  static int compareWithAffinity(Object a, Affinity la, Object c, Affinity ra) {
    Affinity affinity = comparisonAffinity(la, ra);
    return SqlValues.compare(forComparison(a, affinity), forComparison(c, affinity));
  }

  static Object arithmetic(String op, Object a, Object c) {
    Object x = SqlValues.toNumber(a);
    Object y = SqlValues.toNumber(c);
    if (x == null || y == null) {
      return null;
    }
    switch (op) {
      case "&", "|", "<<", ">>" -> {
        // Read as integers from the operands themselves: '1e2' is 1 here, not 100.
        long p = SqlValues.toLong(a);
        long q = SqlValues.toLong(c);
        return switch (op) {
          case "&" -> p & q;
          case "|" -> p | q;
          case "<<" -> shift(p, q);
          default -> shift(p, q == Long.MIN_VALUE ? Long.MAX_VALUE : -q);
        };
      }
      default -> {}
    }
    if (x instanceof Long p && y instanceof Long q) {
      try {
        switch (op) {
          case "+":
            return Math.addExact(p, q);
          case "-":
            return Math.subtractExact(p, q);
          case "*":
            return Math.multiplyExact(p, q);
          case "/":
            if (q == 0) {
              return null;
            }
            if (p == Long.MIN_VALUE && q == -1) {
              return -(double) p;
            }
            return p / q;
          default:
            if (q == 0) {
              return null;
            }
            return q == -1 ? 0L : p % q;
        }
      } catch (ArithmeticException overflow) {
        return arithmetic(op, p.doubleValue(), q.doubleValue());
      }
    }
    double p = x instanceof Long l ? l : (Double) x;
    double q = y instanceof Long l ? l : (Double) y;
    double r;
    switch (op) {
      case "+":
        r = p + q;
        break;
      case "-":
        r = p - q;
        break;
      case "*":
        r = p * q;
        break;
      case "/":
        if (q == 0) {
          return null;
        }
        r = p / q;
        break;
      default:
        // As SQLite: the remainder of the operands read as integers, given back as a REAL.
        long li = SqlValues.toLong(a);
        long ri = SqlValues.toLong(c);
        if (ri == 0) {
          return null;
        }
        return (double) (ri == -1 ? 0 : li % ri);
    }
    // SQLite gives NULL where a REAL result is not a number (Inf - Inf).
    return Double.isNaN(r) ? null : (Object) r;
  }

  private static long shift(long v, long by) {
    if (by >= 64) {
      return 0;
    }
    if (by <= -64) {
      return v < 0 ? -1 : 0;
    }
    return by >= 0 ? v << by : v >> -by;
  }

  static final class Between extends Expr {
    final Expr value;
    final Expr low;
    final Expr high;
    final boolean not;

    Between(Expr value, Expr low, Expr high, boolean not) {
      this.value = value;
      this.low = low;
      this.high = high;
      this.not = not;
    }

    @Override
    Object eval(Frame f) {
      Object v = value.eval(f);
      Object lo = low.eval(f);
      Object hi = high.eval(f);
      Boolean a =
          v == null || lo == null
              ? null
              : compareWithAffinity(v, value.affinity(), lo, low.affinity()) >= 0;
      Boolean c =
          v == null || hi == null
              ? null
              : compareWithAffinity(v, value.affinity(), hi, high.affinity()) <= 0;
      Boolean r;
      if (Boolean.FALSE.equals(a) || Boolean.FALSE.equals(c)) {
        r = false;
      } else if (a == null || c == null) {
        r = null;
      } else {
        r = true;
      }
      return r == null ? null : bool(r != not);
    }

    @Override
    List<Expr> children() {
      return List.of(value, low, high);
    }
  }

  /** {@code x [NOT] IN (list)} or {@code x [NOT] IN (SELECT ...)}. */
  static final class In extends Expr {
    final Expr value;
    final List<Expr> list;
    final Subquery query;
    final boolean not;

    In(Expr value, List<Expr> list, Subquery query, boolean not) {
      this.value = value;
      this.list = list;
      this.query = query;
      this.not = not;
    }

    @Override
    Object eval(Frame f) {
      boolean sawNull = false;
      boolean found = false;
      boolean empty;
      Object v = value.eval(f);
      if (query != null) {
        List<Object[]> rows = query.rows(f);
        empty = rows.isEmpty();
        Affinity ra = query.select.resultAffinity(0);
        if (v != null) {
          for (Object[] r : rows) {
            if (r[0] == null) {
              sawNull = true;
            } else if (compareWithAffinity(v, value.affinity(), r[0], ra) == 0) {
              found = true;
              break;
            }
          }
        }
      } else {
        empty = list.isEmpty();
        if (v != null) {
          // A list's values take the left side's affinity only (SQLite's IN operator).
          Affinity la = value.affinity() == Affinity.BLOB ? null : value.affinity();
          Object left = forComparison(v, la);
          for (Expr e : list) {
            Object c = e.eval(f);
            if (c == null) {
              sawNull = true;
            } else if (SqlValues.compare(left, forComparison(c, la)) == 0) {
              found = true;
              break;
            }
          }
        }
      }
      if (empty) {
        return bool(not);
      }
      if (found) {
        return bool(!not);
      }
      if (v == null || sawNull) {
        return null;
      }
      return bool(not);
    }

    @Override
    void bind(Binder b) {
      value.bind(b);
      if (query != null) {
        query.bind(b);
        if (query.select.width() != 1) {
          throw new SqlException(
              "sub-select returns " + query.select.width() + " columns - expected 1");
        }
      } else {
        for (Expr e : list) {
          e.bind(b);
        }
      }
    }

    @Override
    List<Expr> children() {
      List<Expr> out = new ArrayList<>();
      out.add(value);
      if (list != null) {
        out.addAll(list);
      }
      return out;
    }
  }

  /** A SELECT inside an expression; run once if it reads nothing of the queries around it. */
  static final class Subquery {
    final Query.Select select;
    boolean correlated;
    List<Object[]> cached;

    Subquery(Query.Select select) {
      this.select = select;
    }

    /** The subquery {@code e} runs itself (IN, EXISTS, a scalar subquery), or null. */
    static Subquery of(Expr e) {
      if (e instanceof In in) {
        return in.query;
      }
      if (e instanceof Exists ex) {
        return ex.query;
      }
      return e instanceof Scalar sc ? sc.query : null;
    }

    void bind(Binder b) {
      correlated = b.bindSubquery(select);
    }

    /**
     * The rows; a subquery that reads nothing of the queries around it runs once per statement
     * (also in an UPDATE that changes the tables it reads, as SQLite runs it once).
     */
    List<Object[]> rows(Frame f) {
      if (!correlated && cached != null) {
        return cached;
      }
      List<Object[]> rows = select.run(f);
      if (!correlated) {
        cached = rows;
      }
      return rows;
    }
  }

  static final class Exists extends Expr {
    final Subquery query;
    final boolean not;

    Exists(Subquery query, boolean not) {
      this.query = query;
      this.not = not;
    }

    @Override
    Object eval(Frame f) {
      return bool(query.rows(f).isEmpty() == not);
    }

    @Override
    void bind(Binder b) {
      query.bind(b);
    }
  }

  static final class Scalar extends Expr {
    final Subquery query;

    Scalar(Subquery query) {
      this.query = query;
    }

    @Override
    Object eval(Frame f) {
      List<Object[]> rows = query.rows(f);
      return rows.isEmpty() ? null : rows.get(0)[0];
    }

    @Override
    Affinity affinity() {
      return query.select.resultAffinity(0);
    }

    @Override
    void bind(Binder b) {
      query.bind(b);
      if (query.select.width() != 1) {
        throw new SqlException(
            "sub-select returns " + query.select.width() + " columns - expected 1");
      }
    }
  }

  static final class Case extends Expr {
    final Expr base;
    final List<Expr> whens;
    final List<Expr> thens;
    final Expr otherwise;

    Case(Expr base, List<Expr> whens, List<Expr> thens, Expr otherwise) {
      this.base = base;
      this.whens = whens;
      this.thens = thens;
      this.otherwise = otherwise;
    }

    @Override
    Object eval(Frame f) {
      Object b = base == null ? null : base.eval(f);
      for (int i = 0; i < whens.size(); i++) {
        Expr w = whens.get(i);
        Object v = w.eval(f);
        boolean hit;
        if (base == null) {
          hit = Boolean.TRUE.equals(SqlValues.truth(v));
        } else {
          hit =
              b != null
                  && v != null
                  && compareWithAffinity(b, base.affinity(), v, w.affinity()) == 0;
        }
        if (hit) {
          return thens.get(i).eval(f);
        }
      }
      return otherwise == null ? null : otherwise.eval(f);
    }

    @Override
    List<Expr> children() {
      List<Expr> out = new ArrayList<>();
      if (base != null) {
        out.add(base);
      }
      for (int i = 0; i < whens.size(); i++) {
        out.add(whens.get(i));
        out.add(thens.get(i));
      }
      if (otherwise != null) {
        out.add(otherwise);
      }
      return out;
    }
  }

  static final class Cast extends Expr {
    final Expr operand;
    final Affinity target;

    Cast(Expr operand, Affinity target) {
      this.operand = operand;
      this.target = target;
    }

    @Override
    Object eval(Frame f) {
      Object v = operand.eval(f);
      if (v == null) {
        return null;
      }
      return switch (target) {
        case INTEGER -> SqlValues.toLong(v);
        case REAL -> SqlValues.toDouble(v);
        case TEXT -> SqlValues.text(v);
        case NUMERIC -> {
          if (v instanceof Long || v instanceof Double) {
            yield v;
          }
          Object n = SqlValues.toNumber(v);
          yield n instanceof Double d && SqlValues.isIntegral(d) ? (Object) d.longValue() : n;
        }
        default ->
            v instanceof byte[]
                ? v
                : SqlValues.text(v).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      };
    }

    @Override
    Affinity affinity() {
      return target;
    }

    @Override
    List<Expr> children() {
      return List.of(operand);
    }
  }

  /** {@code x [NOT] LIKE pattern [ESCAPE e]} and {@code x [NOT] GLOB pattern}. */
  static final class Like extends Expr {
    final Expr value;
    final Expr pattern;
    final Expr escape;
    final boolean glob;
    final boolean not;
    private int[] compiledPattern;

    Like(Expr value, Expr pattern, Expr escape, boolean glob, boolean not) {
      this.value = value;
      this.pattern = pattern;
      this.escape = escape;
      this.glob = glob;
      this.not = not;
    }

    @Override
    Object eval(Frame f) {
      Object v = value.eval(f);
      Object p = pattern.eval(f);
      Object e = escape == null ? null : escape.eval(f);
      if (v == null || p == null || (escape != null && e == null)) {
        return null;
      }
      int esc = -1;
      if (e != null) {
        String es = SqlValues.text(e);
        if (es.codePointCount(0, es.length()) != 1) {
          throw new SqlException("ESCAPE expression must be a single character");
        }
        esc = es.codePointAt(0);
      }
      int[] compiled = compiledPattern;
      if (compiled == null) {
        compiled = Functions.codePoints(SqlValues.text(p));
        if (pattern instanceof Literal) {
          // A constant pattern is converted once per statement, not once per row.
          compiledPattern = compiled;
        }
      }
      boolean m =
          glob
              ? Functions.glob(compiled, SqlValues.text(v))
              : Functions.like(compiled, SqlValues.text(v), esc);
      return bool(m != not);
    }

    @Override
    List<Expr> children() {
      return escape == null ? List.of(value, pattern) : List.of(value, pattern, escape);
    }
  }

  /** A call of a scalar function. */
  static final class Call extends Expr {
    final String name;
    final List<Expr> args;

    Call(String name, List<Expr> args) {
      this.name = name;
      this.args = args;
    }

    @Override
    Object eval(Frame f) {
      return Functions.call(name, args, f);
    }

    @Override
    void bind(Binder b) {
      Functions.check(name, args.size());
      super.bind(b);
    }

    @Override
    List<Expr> children() {
      return args;
    }
  }

  /** A call of an aggregate function; reads its group's result, computed by the query. */
  static final class Aggregate extends Expr {
    final String name;
    final List<Expr> args;
    final boolean distinct;
    final boolean star;
    int index;

    /** How many queries out the aggregate belongs (0: the one it is written in). */
    int depth;

    Aggregate(String name, List<Expr> args, boolean distinct, boolean star) {
      this.name = name;
      this.args = args;
      this.distinct = distinct;
      this.star = star;
    }

    @Override
    Object eval(Frame f) {
      Frame owner = f.up(depth);
      if (owner.aggregates == null) {
        throw new SqlException("misuse of aggregate: " + name + "()");
      }
      return owner.aggregates[index];
    }

    @Override
    void bind(Binder b) {
      b.aggregate(this);
    }

    @Override
    List<Expr> children() {
      return args;
    }
  }
}
