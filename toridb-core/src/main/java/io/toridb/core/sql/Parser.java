package io.toridb.core.sql;

import io.toridb.core.sql.Lexer.Kind;
import io.toridb.core.sql.Lexer.Token;
import io.toridb.core.sql.Statement.Conflict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A recursive-descent parser for the SQL ToriDB runs: SQLite's grammar for CREATE/DROP TABLE and
 * INDEX, INSERT (and REPLACE), UPDATE, DELETE and SELECT, with expressions at SQLite's precedence.
 * Errors read as SQLite's: {@code near "X": syntax error}.
 */
final class Parser {
  private final String sql;
  private final List<Token> tokens;
  private int pos;
  private int parameters;

  private Parser(String sql) {
    this.sql = sql;
    this.tokens = Lexer.tokens(sql);
  }

  /**
   * Parses the statements of {@code sql}, separated by semicolons, each with its own text and its
   * count of {@code ?} parameters.
   */
  static List<Parsed> parseAll(String sql) {
    Parser p = new Parser(sql);
    List<Parsed> out = new ArrayList<>();
    while (true) {
      while (p.peek().isOp(";")) {
        p.pos++;
      }
      if (p.peek().kind() == Kind.END) {
        break;
      }
      int start = p.peek().at();
      p.parameters = 0;
      Statement s = p.statement();
      String text = sql.substring(start, p.end());
      if (p.peek().kind() != Kind.END && !p.peek().isOp(";")) {
        throw p.syntaxError();
      }
      out.add(new Parsed(s, p.parameters, text));
    }
    if (out.isEmpty()) {
      throw new SqlException("empty statement");
    }
    return out;
  }

  /** Parses exactly one statement (a trailing semicolon allowed). */
  static Parsed parse(String sql) {
    List<Parsed> all = parseAll(sql);
    if (all.size() != 1) {
      throw new SqlException("expected one statement, got " + all.size());
    }
    return all.get(0);
  }

  record Parsed(Statement statement, int parameters, String text) {}

  /** Words that end an expression or clause, so they never read as an implicit alias. */
  private static final Set<String> RESERVED =
      Set.of(
          "ALL",
          "AND",
          "AS",
          "ASC",
          "BETWEEN",
          "BY",
          "CASE",
          "CROSS",
          "DESC",
          "DISTINCT",
          "ELSE",
          "END",
          "ESCAPE",
          "EXCEPT",
          "EXISTS",
          "FROM",
          "FULL",
          "GLOB",
          "GROUP",
          "HAVING",
          "IN",
          "INNER",
          "INTERSECT",
          "IS",
          "ISNULL",
          "JOIN",
          "LEFT",
          "LIKE",
          "LIMIT",
          "NATURAL",
          "NOT",
          "NOTNULL",
          "NULL",
          "OFFSET",
          "ON",
          "OR",
          "ORDER",
          "OUTER",
          "RIGHT",
          "SELECT",
          "SET",
          "THEN",
          "UNION",
          "USING",
          "VALUES",
          "WHEN",
          "WHERE",
          "COLLATE",
          "REGEXP",
          "MATCH");

  private Token peek() {
    return tokens.get(pos);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
  }

  private Token next() {
    return tokens.get(pos++);
  }

  private boolean accept(String word) {
    if (peek().is(word)) {
      pos++;
      return true;
    }
    return false;
  }

  private boolean acceptOp(String op) {
    if (peek().isOp(op)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(String word) {
    if (!accept(word)) {
      throw syntaxError();
    }
  }

  private void expectOp(String op) {
    if (!acceptOp(op)) {
      throw syntaxError();
    }
  }

  SqlException syntaxError() {
    Token t = peek();
    if (t.kind() == Kind.END) {
      return new SqlException("incomplete input");
    }
    String near =
        sql.substring(t.at(), Math.min(sql.length(), t.at() + Math.max(1, tokenLength(t))));
    return new SqlException("near \"" + near + "\": syntax error");
  }

  private int tokenLength(Token t) {
    int next = pos + 1 < tokens.size() ? tokens.get(pos + 1).at() : sql.length();
    return sql.substring(t.at(), next).stripTrailing().length();
  }

  /** A table, column or index name: a bare word that is not reserved, or a quoted name. */
  private String name() {
    Token t = peek();
    if (t.kind() == Kind.QUOTED_NAME
        || (t.kind() == Kind.NAME && !RESERVED.contains(t.text().toUpperCase(Locale.ROOT)))) {
      pos++;
      return t.text();
    }
    if (t.kind() == Kind.STRING) {
      pos++;
      return t.text();
    }
    throw syntaxError();
  }

  private Statement statement() {
    Token t = peek();
    if (t.is("SELECT") || t.is("VALUES") || t.isOp("(")) {
      return new Statement.SelectStatement(select());
    }
    if (t.is("CREATE")) {
      return create();
    }
    if (t.is("DROP")) {
      return drop();
    }
    if (t.is("INSERT") || t.is("REPLACE")) {
      return insert();
    }
    if (t.is("UPDATE")) {
      return update();
    }
    if (t.is("REINDEX")) {
      pos++;
      String name = peek().kind() == Kind.END || peek().isOp(";") ? null : name();
      if (name != null && acceptOp(".")) {
        name = name();
      }
      return new Statement.Reindex(name);
    }
    if (t.is("DELETE")) {
      return delete();
    }
    throw syntaxError();
  }

  private Statement create() {
    int start = peek().at();
    expect("CREATE");
    boolean unique = accept("UNIQUE");
    if (accept("INDEX")) {
      boolean ifNotExists = ifNotExists();
      String name = name();
      expect("ON");
      String table = name();
      List<String> columns = indexedColumns();
      if (peek().is("WHERE")) {
        throw new SqlException("partial indexes are not supported");
      }
      return new Statement.CreateIndex(
          name, table, columns, unique, ifNotExists, sql.substring(start, end()));
    }
    if (unique) {
      throw syntaxError();
    }
    if (accept("TEMP") || accept("TEMPORARY")) {
      throw new SqlException("temporary tables are not supported");
    }
    if (peek().is("VIEW") || peek().is("TRIGGER") || peek().is("VIRTUAL")) {
      throw new SqlException(peek().text().toUpperCase(Locale.ROOT) + " is not supported");
    }
    expect("TABLE");
    boolean ifNotExists = ifNotExists();
    String name = name();
    if (acceptOp(".")) {
      name = name();
    }
    if (accept("AS")) {
      Query.Select select = select();
      return new Statement.CreateTable(
          name, ifNotExists, List.of(), List.of(), select, sql.substring(start, end()));
    }
    expectOp("(");
    List<Statement.ColumnDef> columns = new ArrayList<>();
    List<Statement.KeyConstraint> keys = new ArrayList<>();
    do {
      if (peek().is("PRIMARY")
          || peek().is("UNIQUE")
          || peek().is("CONSTRAINT")
          || peek().is("CHECK")
          || peek().is("FOREIGN")) {
        tableConstraint(keys);
      } else {
        columns.add(columnDef());
      }
    } while (acceptOp(","));
    expectOp(")");
    while (peek().kind() == Kind.NAME && (peek().is("WITHOUT") || peek().is("STRICT"))) {
      if (accept("WITHOUT")) {
        name();
      } else {
        pos++;
      }
      acceptOp(",");
    }
    return new Statement.CreateTable(
        name, ifNotExists, columns, keys, null, sql.substring(start, end()));
  }

  /** The end offset of the last token consumed. */
  private int end() {
    Token last = tokens.get(pos - 1);
    int end = tokens.get(pos).at();
    while (end > last.at() + 1 && Character.isWhitespace(sql.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  private boolean ifNotExists() {
    if (accept("IF")) {
      expect("NOT");
      expect("EXISTS");
      return true;
    }
    return false;
  }

  private void tableConstraint(List<Statement.KeyConstraint> keys) {
    if (accept("CONSTRAINT")) {
      name();
    }
    if (accept("CHECK")) {
      skipParenthesized();
      return;
    }
    if (accept("FOREIGN")) {
      expect("KEY");
      skipParenthesized();
      references();
      return;
    }
    boolean primary = accept("PRIMARY");
    if (primary) {
      expect("KEY");
    } else {
      expect("UNIQUE");
    }
    List<String> columns = indexedColumns();
    conflictClause();
    keys.add(new Statement.KeyConstraint(primary, columns));
  }

  /**
   * {@code (column [COLLATE name] [ASC|DESC], ...)} of CREATE INDEX and of a table's PRIMARY KEY or
   * UNIQUE constraint: the column names (collations and directions are accepted and ignored).
   */
  private List<String> indexedColumns() {
    expectOp("(");
    List<String> columns = new ArrayList<>();
    do {
      columns.add(name());
      if (accept("COLLATE")) {
        name();
      }
      if (!accept("ASC")) {
        accept("DESC");
      }
    } while (acceptOp(","));
    expectOp(")");
    return columns;
  }

  private void conflictClause() {
    if (accept("ON")) {
      expect("CONFLICT");
      next();
    }
  }

  private void references() {
    expect("REFERENCES");
    name();
    if (peek().isOp("(")) {
      skipParenthesized();
    }
    while (peek().is("ON") || peek().is("MATCH") || peek().is("DEFERRABLE") || peek().is("NOT")) {
      if (accept("ON")) {
        next();
        if (accept("SET")) {
          next();
        } else if (!accept("CASCADE") && !accept("RESTRICT")) {
          expect("NO");
          expect("ACTION");
        }
      } else if (accept("MATCH")) {
        name();
      } else {
        accept("NOT");
        expect("DEFERRABLE");
        if (accept("INITIALLY")) {
          next();
        }
      }
    }
  }

  private void skipParenthesized() {
    expectOp("(");
    int depth = 1;
    while (depth > 0) {
      Token t = next();
      if (t.kind() == Kind.END) {
        throw syntaxError();
      }
      if (t.isOp("(")) {
        depth++;
      } else if (t.isOp(")")) {
        depth--;
      }
    }
  }

  private Statement.ColumnDef columnDef() {
    String name = name();
    if (acceptOp(":")) {
      return shortColumnDef(name);
    }
    StringBuilder type = new StringBuilder();
    while (peek().kind() == Kind.NAME && !isColumnConstraintStart(peek())) {
      if (type.length() > 0) {
        type.append(' ');
      }
      type.append(next().text());
    }
    if (type.length() > 0 && peek().isOp("(")) {
      int from = peek().at();
      skipParenthesized();
      type.append(sql, from, end());
    }
    boolean primaryKey = false;
    boolean autoincrement = false;
    boolean notNull = false;
    boolean unique = false;
    Expr defaultValue = null;
    while (true) {
      if (accept("CONSTRAINT")) {
        name();
      } else if (accept("PRIMARY")) {
        expect("KEY");
        if (!accept("ASC")) {
          accept("DESC");
        }
        conflictClause();
        primaryKey = true;
        autoincrement = accept("AUTOINCREMENT");
      } else if (accept("NOT")) {
        expect("NULL");
        conflictClause();
        notNull = true;
      } else if (accept("NULL")) {
        conflictClause();
      } else if (accept("UNIQUE")) {
        conflictClause();
        unique = true;
      } else if (accept("CHECK")) {
        skipParenthesized();
      } else if (accept("DEFAULT")) {
        if (peek().isOp("(")) {
          pos++;
          defaultValue = expr();
          expectOp(")");
        } else if (peek().isOp("-") || peek().isOp("+")) {
          String sign = next().text();
          Expr v = primary();
          defaultValue = sign.equals("-") ? new Expr.Unary("-", v) : v;
        } else {
          defaultValue = primary();
        }
      } else if (accept("COLLATE")) {
        name();
      } else if (peek().is("REFERENCES")) {
        references();
      } else if (accept("GENERATED") || peek().is("AS")) {
        throw new SqlException("generated columns are not supported");
      } else {
        break;
      }
    }
    return new Statement.ColumnDef(
        name, type.toString(), primaryKey, autoincrement, notNull, unique, defaultValue);
  }

  /**
   * ToriDB's short form {@code name:type[:pk][:unique][:notnull][:fk(table.column)]}; an {@code
   * int} primary key is the rowid, as {@code INTEGER PRIMARY KEY}.
   */
  private Statement.ColumnDef shortColumnDef(String name) {
    String type = name();
    boolean primaryKey = false;
    boolean unique = false;
    boolean notNull = false;
    while (acceptOp(":")) {
      Token t = next();
      if (t.is("pk")) {
        primaryKey = true;
      } else if (t.is("unique")) {
        unique = true;
      } else if (t.is("notnull")) {
        notNull = true;
      } else if (t.is("fk")) {
        skipParenthesized();
      } else {
        pos--;
        throw syntaxError();
      }
    }
    if (primaryKey && (type.equalsIgnoreCase("int") || type.equalsIgnoreCase("integer"))) {
      type = "INTEGER";
    }
    return new Statement.ColumnDef(name, type, primaryKey, false, notNull, unique, null);
  }

  private static boolean isColumnConstraintStart(Token t) {
    for (String w :
        new String[] {
          "CONSTRAINT",
          "PRIMARY",
          "NOT",
          "NULL",
          "UNIQUE",
          "CHECK",
          "DEFAULT",
          "COLLATE",
          "REFERENCES",
          "GENERATED",
          "AS"
        }) {
      if (t.is(w)) {
        return true;
      }
    }
    return false;
  }

  private Statement drop() {
    expect("DROP");
    boolean index = accept("INDEX");
    if (!index) {
      if (peek().is("VIEW") || peek().is("TRIGGER")) {
        throw new SqlException(peek().text().toUpperCase(Locale.ROOT) + " is not supported");
      }
      expect("TABLE");
    }
    boolean ifExists = false;
    if (accept("IF")) {
      expect("EXISTS");
      ifExists = true;
    }
    String name = name();
    if (acceptOp(".")) {
      name = name();
    }
    return index
        ? new Statement.DropIndex(name, ifExists)
        : new Statement.DropTable(name, ifExists);
  }

  private Conflict orConflict() {
    if (!accept("OR")) {
      return Conflict.ABORT;
    }
    Token t = next();
    for (Conflict c : Conflict.values()) {
      if (t.is(c.name())) {
        return c;
      }
    }
    pos--;
    throw syntaxError();
  }

  private Statement insert() {
    Conflict conflict;
    if (accept("REPLACE")) {
      conflict = Conflict.REPLACE;
    } else {
      expect("INSERT");
      conflict = orConflict();
    }
    expect("INTO");
    String table = name();
    if (acceptOp(".")) {
      table = name();
    }
    if (accept("AS")) {
      name();
    }
    List<String> columns = null;
    if (peek().isOp("(")) {
      pos++;
      columns = new ArrayList<>();
      do {
        columns.add(name());
      } while (acceptOp(","));
      expectOp(")");
    }
    if (accept("DEFAULT")) {
      expect("VALUES");
      return new Statement.Insert(table, columns, List.of(List.of()), null, conflict);
    }
    if (accept("VALUES")) {
      List<List<Expr>> rows = new ArrayList<>();
      do {
        expectOp("(");
        List<Expr> row = new ArrayList<>();
        do {
          row.add(expr());
        } while (acceptOp(","));
        expectOp(")");
        rows.add(row);
      } while (acceptOp(","));
      return new Statement.Insert(table, columns, rows, null, conflict);
    }
    if (peek().is("SELECT") || peek().isOp("(")) {
      return new Statement.Insert(table, columns, null, select(), conflict);
    }
    throw syntaxError();
  }

  private Statement update() {
    expect("UPDATE");
    Conflict conflict = orConflict();
    String table = name();
    if (acceptOp(".")) {
      table = name();
    }
    String alias = null;
    if (accept("AS")) {
      alias = name();
    }
    expect("SET");
    List<String> columns = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    do {
      if (peek().isOp("(")) {
        throw new SqlException("row-value assignments are not supported");
      }
      columns.add(name());
      expectOp("=");
      values.add(expr());
    } while (acceptOp(","));
    if (peek().is("FROM")) {
      throw new SqlException("UPDATE ... FROM is not supported");
    }
    Expr where = accept("WHERE") ? expr() : null;
    return new Statement.Update(table, alias, columns, values, where, conflict);
  }

  private Statement delete() {
    expect("DELETE");
    expect("FROM");
    String table = name();
    if (acceptOp(".")) {
      table = name();
    }
    String alias = null;
    if (accept("AS")) {
      alias = name();
    }
    Expr where = accept("WHERE") ? expr() : null;
    return new Statement.Delete(table, alias, where);
  }

  // ---- SELECT ----

  Query.Select select() {
    List<Query.Core> cores = new ArrayList<>();
    List<String> ops = new ArrayList<>();
    cores.add(core());
    while (true) {
      String op;
      if (accept("UNION")) {
        op = accept("ALL") ? "UNION ALL" : "UNION";
      } else if (accept("INTERSECT")) {
        op = "INTERSECT";
      } else if (accept("EXCEPT")) {
        op = "EXCEPT";
      } else {
        break;
      }
      ops.add(op);
      cores.add(core());
    }
    List<Query.OrderTerm> orderBy = new ArrayList<>();
    if (accept("ORDER")) {
      expect("BY");
      do {
        Expr e = expr();
        if (accept("COLLATE")) {
          name();
        }
        boolean desc = false;
        if (accept("DESC")) {
          desc = true;
        } else {
          accept("ASC");
        }
        Boolean nullsFirst = null;
        if (accept("NULLS")) {
          if (accept("FIRST")) {
            nullsFirst = true;
          } else {
            expect("LAST");
            nullsFirst = false;
          }
        }
        orderBy.add(new Query.OrderTerm(e, desc, nullsFirst));
      } while (acceptOp(","));
    }
    Expr limit = null;
    Expr offset = null;
    if (accept("LIMIT")) {
      limit = expr();
      if (accept("OFFSET")) {
        offset = expr();
      } else if (acceptOp(",")) {
        offset = limit;
        limit = expr();
      }
    }
    return new Query.Select(cores, ops, orderBy, limit, offset);
  }

  private Query.Core core() {
    if (peek().isOp("(")) {
      throw syntaxError();
    }
    if (accept("VALUES")) {
      List<List<Expr>> rows = new ArrayList<>();
      do {
        expectOp("(");
        List<Expr> row = new ArrayList<>();
        do {
          row.add(expr());
        } while (acceptOp(","));
        expectOp(")");
        if (!rows.isEmpty() && rows.get(0).size() != row.size()) {
          throw new SqlException("all VALUES must have the same number of terms");
        }
        rows.add(row);
      } while (acceptOp(","));
      return Query.Core.values(rows);
    }
    expect("SELECT");
    boolean distinct = false;
    if (accept("DISTINCT")) {
      distinct = true;
    } else {
      accept("ALL");
    }
    List<Query.ResultColumn> columns = new ArrayList<>();
    do {
      columns.add(resultColumn());
    } while (acceptOp(","));
    List<Query.FromItem> from = new ArrayList<>();
    if (accept("FROM")) {
      from(from);
    }
    Expr where = accept("WHERE") ? expr() : null;
    List<Expr> groupBy = new ArrayList<>();
    Expr having = null;
    if (accept("GROUP")) {
      expect("BY");
      do {
        groupBy.add(expr());
      } while (acceptOp(","));
    }
    if (accept("HAVING")) {
      having = expr();
    }
    return new Query.Core(distinct, columns, from, where, groupBy, having, null);
  }

  private Query.ResultColumn resultColumn() {
    if (acceptOp("*")) {
      return new Query.ResultColumn(null, null, null);
    }
    if ((peek().kind() == Kind.NAME || peek().kind() == Kind.QUOTED_NAME)
        && peek(1).isOp(".")
        && peek(2).isOp("*")) {
      String table = next().text();
      pos += 2;
      return new Query.ResultColumn(null, null, table);
    }
    Expr e = expr();
    String alias = null;
    if (accept("AS")) {
      alias = name();
    } else if (peek().kind() == Kind.QUOTED_NAME
        || peek().kind() == Kind.STRING
        || (peek().kind() == Kind.NAME
            && !RESERVED.contains(peek().text().toUpperCase(Locale.ROOT)))) {
      alias = name();
    }
    return new Query.ResultColumn(e, alias, null);
  }

  private void from(List<Query.FromItem> items) {
    items.add(fromItem(Query.Join.FIRST));
    while (true) {
      Query.Join join;
      if (acceptOp(",")) {
        join = Query.Join.CROSS;
      } else {
        boolean natural = accept("NATURAL");
        if (accept("LEFT")) {
          accept("OUTER");
          join = Query.Join.LEFT;
        } else if (accept("INNER")) {
          join = Query.Join.INNER;
        } else if (accept("CROSS")) {
          join = Query.Join.CROSS;
        } else if (peek().is("RIGHT") || peek().is("FULL")) {
          throw new SqlException("RIGHT and FULL OUTER JOINs are not supported");
        } else if (peek().is("JOIN")) {
          join = Query.Join.INNER;
        } else {
          if (natural) {
            throw syntaxError();
          }
          break;
        }
        expect("JOIN");
        if (natural) {
          join = join == Query.Join.LEFT ? Query.Join.NATURAL_LEFT : Query.Join.NATURAL;
        }
      }
      Query.FromItem item = fromItem(join);
      if (accept("ON")) {
        item.on = expr();
      } else if (accept("USING")) {
        expectOp("(");
        item.using = new ArrayList<>();
        do {
          item.using.add(name());
        } while (acceptOp(","));
        expectOp(")");
      }
      items.add(item);
    }
  }

  private Query.FromItem fromItem(Query.Join join) {
    Query.FromItem item = new Query.FromItem(join);
    if (acceptOp("(")) {
      if (peek().is("SELECT") || peek().is("VALUES")) {
        item.subquery = select();
      } else {
        throw new SqlException("parenthesized joins are not supported");
      }
      expectOp(")");
    } else {
      item.table = name();
      if (acceptOp(".")) {
        item.table = name();
      }
    }
    if (accept("AS")) {
      item.alias = name();
    } else if (peek().kind() == Kind.QUOTED_NAME
        || (peek().kind() == Kind.NAME
            && !RESERVED.contains(peek().text().toUpperCase(Locale.ROOT))
            && !peek().is("INDEXED"))) {
      item.alias = name();
    }
    if (accept("INDEXED")) {
      expect("BY");
      name();
    } else if (peek().is("NOT") && peek(1).is("INDEXED")) {
      pos += 2;
    }
    return item;
  }

  // ---- expressions ----

  /** SQLite's limit on the depth of an expression tree. */
  static final int MAX_EXPR_DEPTH = 1000;

  Expr expr() {
    int start = peek().at();
    Expr e = or();
    if (e.text == null) {
      e.text = sql.substring(start, end());
    }
    checkDepth(e);
    return e;
  }

  /** Refuses an expression deeper than {@link #MAX_EXPR_DEPTH}, without recursing through it. */
  private static void checkDepth(Expr root) {
    java.util.ArrayDeque<Expr> nodes = new java.util.ArrayDeque<>();
    java.util.ArrayDeque<Integer> depths = new java.util.ArrayDeque<>();
    nodes.push(root);
    depths.push(1);
    while (!nodes.isEmpty()) {
      Expr e = nodes.pop();
      int d = depths.pop();
      if (d > MAX_EXPR_DEPTH) {
        throw new SqlException(
            "Expression tree is too large (maximum depth " + MAX_EXPR_DEPTH + ")");
      }
      for (Expr child : e.children()) {
        nodes.push(child);
        depths.push(d + 1);
      }
    }
  }

  private Expr or() {
    Expr e = and();
    while (accept("OR")) {
      e = new Expr.Binary("OR", e, and());
    }
    return e;
  }

  private Expr and() {
    Expr e = not();
    while (accept("AND")) {
      Expr right = not();
      // x AND 0 is the literal 0, as SQLite's parser makes it (so it can name a column position).
      e = isZero(e) || isZero(right) ? new Expr.Literal(0L) : new Expr.Binary("AND", e, right);
    }
    return e;
  }

  private static boolean isZero(Expr e) {
    Long k = Query.Select.position(e);
    return k != null && k == 0;
  }

  private Expr not() {
    if (accept("NOT")) {
      return new Expr.Unary("NOT", not());
    }
    return equality();
  }

  private Expr equality() {
    Expr e = comparison();
    while (true) {
      Token t = peek();
      if (t.isOp("=") || t.isOp("==")) {
        pos++;
        e = new Expr.Binary("=", e, comparison());
      } else if (t.isOp("!=") || t.isOp("<>")) {
        pos++;
        e = new Expr.Binary("<>", e, comparison());
      } else if (t.is("IS")) {
        pos++;
        boolean not = accept("NOT");
        if (accept("DISTINCT")) {
          expect("FROM");
          not = !not;
        }
        e = nullTest(new Expr.Binary(not ? "IS NOT" : "IS", e, comparison()));
      } else if (t.is("ISNULL")) {
        pos++;
        e = nullTest(new Expr.Binary("IS", e, new Expr.Literal(null)));
      } else if (t.is("NOTNULL")) {
        pos++;
        e = nullTest(new Expr.Binary("IS NOT", e, new Expr.Literal(null)));
      } else if (t.is("NOT") && peek(1).is("NULL")) {
        pos += 2;
        e = nullTest(new Expr.Binary("IS NOT", e, new Expr.Literal(null)));
      } else {
        boolean not = false;
        if (t.is("NOT")
            && (peek(1).is("IN")
                || peek(1).is("LIKE")
                || peek(1).is("GLOB")
                || peek(1).is("BETWEEN"))) {
          pos++;
          not = true;
        }
        if (accept("IN")) {
          e = in(e, not);
        } else if (accept("LIKE")) {
          Expr pattern = comparison();
          Expr escape = accept("ESCAPE") ? comparison() : null;
          e = new Expr.Like(e, pattern, escape, false, not);
        } else if (accept("GLOB")) {
          e = new Expr.Like(e, comparison(), null, true, not);
        } else if (accept("BETWEEN")) {
          // The lower bound runs to the AND, so it may hold = or IS (SQLite's grammar).
          Expr low = equality();
          expect("AND");
          Expr high = comparison();
          e = new Expr.Between(e, low, high, not);
        } else if (peek().is("REGEXP") || peek().is("MATCH")) {
          throw new SqlException("no such function: " + peek().text().toUpperCase(Locale.ROOT));
        } else {
          return e;
        }
      }
    }
  }

  /**
   * A NULL test of a literal that is not NULL, folded into the integer 0 or 1 as SQLite's parser
   * folds it (so {@code ORDER BY 'x' IS NOT NULL} names the first column, as in SQLite).
   */
  private static Expr nullTest(Expr.Binary test) {
    Expr left = test.left;
    while (left instanceof Expr.Unary u && (u.op.equals("+") || u.op.equals("-"))) {
      left = u.operand;
    }
    if (test.right instanceof Expr.Literal r
        && r.value == null
        && left instanceof Expr.Literal l
        && l.value != null) {
      return new Expr.Literal(test.op.equals("IS") ? 0L : 1L);
    }
    return test;
  }

  private Expr in(Expr value, boolean not) {
    if (peek().kind() == Kind.NAME || peek().kind() == Kind.QUOTED_NAME) {
      // x IN table: the table's only column.
      String table = name();
      Query.Core core =
          new Query.Core(
              false,
              List.of(new Query.ResultColumn(null, null, null)),
              new ArrayList<>(List.of(tableItem(table))),
              null,
              new ArrayList<>(),
              null,
              null);
      Query.Select s = new Query.Select(List.of(core), List.of(), List.of(), null, null);
      return new Expr.In(value, null, new Expr.Subquery(s), not);
    }
    expectOp("(");
    if (peek().is("SELECT") || peek().is("VALUES")) {
      Query.Select s = select();
      expectOp(")");
      return new Expr.In(value, null, new Expr.Subquery(s), not);
    }
    List<Expr> list = new ArrayList<>();
    if (!peek().isOp(")")) {
      do {
        list.add(expr());
      } while (acceptOp(","));
    }
    expectOp(")");
    if (list.size() == 1 && list.get(0) instanceof Expr.Scalar scalar) {
      // x IN ((SELECT ...)) is x IN (SELECT ...), as in SQLite.
      return new Expr.In(value, null, scalar.query, not);
    }
    return new Expr.In(value, list, null, not);
  }

  private static Query.FromItem tableItem(String table) {
    Query.FromItem item = new Query.FromItem(Query.Join.FIRST);
    item.table = table;
    return item;
  }

  private Expr comparison() {
    return leftAssociative(this::bitwise, "<", "<=", ">", ">=");
  }

  private Expr bitwise() {
    return leftAssociative(this::additive, "<<", ">>", "&", "|");
  }

  private Expr additive() {
    return leftAssociative(this::multiplicative, "+", "-");
  }

  private Expr multiplicative() {
    return leftAssociative(this::concat, "*", "/", "%");
  }

  /** One precedence level of binary operators: {@code next (op next)*}, grouped from the left. */
  private Expr leftAssociative(java.util.function.Supplier<Expr> next, String... ops) {
    Expr e = next.get();
    while (true) {
      Token t = peek();
      String op = null;
      for (String o : ops) {
        if (t.isOp(o)) {
          op = o;
        }
      }
      if (op == null) {
        return e;
      }
      pos++;
      e = new Expr.Binary(op, e, next.get());
    }
  }

  private Expr concat() {
    Expr e = unary();
    while (acceptOp("||")) {
      e = new Expr.Binary("||", e, unary());
    }
    return e;
  }

  private Expr unary() {
    Token t = peek();
    if (t.isOp("-") || t.isOp("+") || t.isOp("~")) {
      pos++;
      Expr operand = unary();
      return new Expr.Unary(t.text(), operand);
    }
    Expr e = primary();
    while (accept("COLLATE")) {
      name();
    }
    return e;
  }

  private Expr primary() {
    Token t = next();
    switch (t.kind()) {
      case INTEGER -> {
        try {
          return new Expr.Literal(Long.parseLong(t.text()));
        } catch (NumberFormatException tooLarge) {
          return new Expr.Literal(Double.parseDouble(t.text()));
        }
      }
      case REAL -> {
        return new Expr.Literal(Double.parseDouble(t.text()));
      }
      case STRING -> {
        return new Expr.Literal(t.text());
      }
      case BLOB -> {
        return new Expr.Literal(t.blob());
      }
      case PARAMETER -> {
        long number = t.text().length() > 1 ? parseSmall(t.text().substring(1)) : parameters + 1;
        if (number < 1 || number > 32766) {
          throw new SqlException("variable number must be between ?1 and ?32766");
        }
        int index = (int) number - 1;
        parameters = Math.max(parameters, index + 1);
        return new Expr.Parameter(index);
      }
      case OPERATOR -> {
        if (t.isOp("(")) {
          if (peek().is("SELECT") || peek().is("VALUES")) {
            Query.Select s = select();
            expectOp(")");
            return new Expr.Scalar(new Expr.Subquery(s));
          }
          Expr e = expr();
          if (peek().isOp(",")) {
            throw new SqlException("row value misused");
          }
          expectOp(")");
          return e;
        }
        pos--;
        throw syntaxError();
      }
      case QUOTED_NAME -> {
        return columnAfter(t.text());
      }
      case NAME -> {
        String word = t.text().toUpperCase(Locale.ROOT);
        switch (word) {
          case "NULL":
            return new Expr.Literal(null);
          case "TRUE":
            return new Expr.Literal(1L);
          case "FALSE":
            return new Expr.Literal(0L);
          case "CASE":
            return caseExpr();
          case "CAST":
            {
              expectOp("(");
              Expr e = expr();
              expect("AS");
              StringBuilder type = new StringBuilder();
              while (peek().kind() == Kind.NAME) {
                type.append(next().text()).append(' ');
              }
              if (peek().isOp("(")) {
                skipParenthesized();
              }
              expectOp(")");
              return new Expr.Cast(e, SqlValues.affinity(type.toString().strip()));
            }
          case "EXISTS":
            {
              expectOp("(");
              Query.Select s = select();
              expectOp(")");
              return new Expr.Exists(new Expr.Subquery(s), false);
            }
          case "NOT":
            if (peek().is("EXISTS")) {
              pos++;
              expectOp("(");
              Query.Select s = select();
              expectOp(")");
              return new Expr.Exists(new Expr.Subquery(s), true);
            }
            break;
          case "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP":
            throw new SqlException(word + " is not supported: the result would differ on replay");
          default:
            break;
        }
        if (RESERVED.contains(word) && !peek().isOp("(")) {
          pos--;
          throw syntaxError();
        }
        if (peek().isOp("(")) {
          return call(t.text());
        }
        return columnAfter(t.text());
      }
      default -> {
        pos--;
        throw syntaxError();
      }
    }
  }

  /** A decimal number of at most 9 digits, or -1. */
  private static long parseSmall(String digits) {
    return digits.length() > 9 ? -1 : Long.parseLong(digits);
  }

  private Expr columnAfter(String first) {
    if (acceptOp(".")) {
      String second = name();
      if (acceptOp(".")) {
        return new Expr.Column(second, name());
      }
      return new Expr.Column(first, second);
    }
    return new Expr.Column(null, first);
  }

  private Expr call(String name) {
    expectOp("(");
    String lower = name.toLowerCase(Locale.ROOT);
    boolean distinct = accept("DISTINCT");
    if (acceptOp("*")) {
      expectOp(")");
      if (!lower.equals("count") || distinct) {
        throw new SqlException("wrong number of arguments to function " + lower + "()");
      }
      return new Expr.Aggregate(lower, List.of(), false, true);
    }
    List<Expr> args = new ArrayList<>();
    if (!peek().isOp(")")) {
      do {
        args.add(expr());
      } while (acceptOp(","));
    }
    expectOp(")");
    if (peek().is("FILTER") || peek().is("OVER")) {
      throw new SqlException("window functions and FILTER are not supported");
    }
    if (Functions.isAggregate(lower, args.size())) {
      Functions.checkAggregate(lower, args.size(), distinct);
      return new Expr.Aggregate(lower, args, distinct, false);
    }
    if (distinct) {
      throw new SqlException("DISTINCT aggregates must have exactly one argument");
    }
    return new Expr.Call(lower, args);
  }

  private Expr caseExpr() {
    Expr base = peek().is("WHEN") ? null : expr();
    List<Expr> whens = new ArrayList<>();
    List<Expr> thens = new ArrayList<>();
    while (accept("WHEN")) {
      whens.add(expr());
      expect("THEN");
      thens.add(expr());
    }
    if (whens.isEmpty()) {
      throw syntaxError();
    }
    Expr otherwise = accept("ELSE") ? expr() : null;
    expect("END");
    return new Expr.Case(base, whens, thens, otherwise);
  }
}
