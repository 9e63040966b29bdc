package io.toridb.core.sql;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.ChangeObserver;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.protocol.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The SQL command: {@code SQL [WITHCOLUMNS] statement [parameter ...]} runs SQL statements against
 * the tables of the selected database, which live in the keyspace as {@link TableValue}s under
 * their lower-cased names.
 *
 * <p>The command locks the tables its statements name (parsed before it runs; statements about
 * indexes lock the whole keyspace, since an index's table is known only from the data), and logs
 * each statement that changed something as {@code SQL statement [parameter ...]}: statements are
 * deterministic (the functions whose results depend on the time or chance are refused), so replay
 * reaches the same tables.
 */
public final class SqlCommands {
  private SqlCommands() {}

  private static final byte[] SQL = Args.bytes("SQL");

  private static final String KEY_NOTES =
      "The tables named in the statement, each a key under its lower-cased name.";

  /** Finds the tables a call names, for locking; a statement that does not parse names none. */
  private static final KeySpec.Finder TABLES =
      new KeySpec.Finder() {
        @Override
        public void keys(byte[][] argv, IntConsumer visitor) {}

        @Override
        public void affected(byte[][] argv, IntConsumer visitor) {}

        @Override
        public void affectedKeys(byte[][] argv, java.util.function.Consumer<byte[]> visitor) {
          SqlEngine.Prepared p = prepareOrNull(argv);
          if (p != null) {
            for (String table : p.tables()) {
              visitor.accept(table.getBytes(StandardCharsets.UTF_8));
            }
          }
        }
      };

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("sql", -2)
            .flags(WRITE | DENYOOM)
            .keySpec(KeySpec.unknown(KEY_NOTES, TABLES, "RW", "access", "update"))
            .wholeKeyspaceWhen(
                argv -> {
                  // A statement that does not parse fails before it touches anything; should it
                  // parse when it runs after all, it holds every lock.
                  SqlEngine.Prepared p = prepareOrNull(argv);
                  return p == null || p.touchesAnyTable();
                })
            .writesWhen(
                argv -> {
                  SqlEngine.Prepared p = prepareOrNull(argv);
                  return p != null && !p.readOnly();
                })
            .group("sql")
            .acl("write", "slow")
            .doc(
                "Run SQL statements (SQLite's dialect) against the tables of the database",
                "0.1.0",
                "Depends on the statements")
            .handler(SqlCommands::sql));
  }

  /** Where the statement is: after WITHCOLUMNS when that comes first. */
  private static int statementAt(byte[][] argv) {
    return argv.length > 2 && Args.is(argv[1], "WITHCOLUMNS") ? 2 : 1;
  }

  /**
   * The parse of a statement text, kept per thread for the one command being run: its locks, its
   * whole-keyspace check and its handler all need it, and the handler takes it (a parse is run
   * once; binding it changes it, so a taken parse is never handed out again).
   */
  private record Parse(byte[] text, SqlEngine.Prepared prepared, SqlException error) {}

  private static final ThreadLocal<Parse> LAST_PARSE = new ThreadLocal<>();

  private static Parse parse(byte[] text) {
    Parse last = LAST_PARSE.get();
    if (last != null && last.text == text) {
      return last;
    }
    Parse p;
    try {
      p = new Parse(text, SqlEngine.prepare(new String(text, StandardCharsets.UTF_8)), null);
    } catch (SqlException e) {
      p = new Parse(text, null, e);
    }
    LAST_PARSE.set(p);
    return p;
  }

  private static SqlEngine.Prepared prepareOrNull(byte[][] argv) {
    return parse(argv[statementAt(argv)]).prepared();
  }

  /** SQL [WITHCOLUMNS] statement [parameter ...] */
  static void sql(CommandContext ctx, byte[][] argv) {
    int at = statementAt(argv);
    boolean withColumns = at == 2;
    Parse parse = parse(argv[at]);
    LAST_PARSE.remove();
    if (parse.error() != null) {
      throw new CommandException("ERR " + parse.error().getMessage());
    }
    SqlEngine.Prepared prepared = parse.prepared();
    Object[] parameters = new Object[argv.length - at - 1];
    for (int i = 0; i < parameters.length; i++) {
      parameters[i] = new String(argv[at + 1 + i], StandardCharsets.UTF_8);
    }
    KeyspaceCatalog catalog = new KeyspaceCatalog(ctx, !prepared.readOnly());
    List<String> written = new ArrayList<>();
    SqlResult result;
    try {
      result = SqlEngine.execute(catalog, prepared, parameters, written::add);
    } catch (SqlException e) {
      throw new CommandException("ERR " + e.getMessage());
    } finally {
      catalog.reportChanges();
      propagate(ctx, written, argv, at);
    }
    reply(ctx.out(), result, withColumns);
  }

  /** Logs each statement that changed something, with the call's parameters if it had any. */
  private static void propagate(CommandContext ctx, List<String> written, byte[][] argv, int at) {
    if (written.isEmpty()) {
      return;
    }
    List<byte[][]> effects = new ArrayList<>(written.size());
    for (String statement : written) {
      int params = written.size() == 1 ? argv.length - at - 1 : 0;
      byte[][] effect = new byte[2 + params][];
      effect[0] = SQL;
      effect[1] = statement.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(argv, at + 1, effect, 2, params);
      effects.add(effect);
    }
    if (effects.size() == 1) {
      ctx.propagate(effects.get(0));
    } else {
      ctx.propagate(effects);
    }
  }

  private static void reply(RespWriter out, SqlResult r, boolean withColumns) {
    if (!r.isQuery()) {
      out.integer(r.changes());
      return;
    }
    out.arrayHeader(r.rows().size() + (withColumns ? 1 : 0));
    if (withColumns) {
      out.arrayHeader(r.columns().size());
      for (String c : r.columns()) {
        out.bulk(c);
      }
    }
    for (Object[] row : r.rows()) {
      out.arrayHeader(row.length);
      for (Object v : row) {
        value(out, v);
      }
    }
  }

  /** INTEGER as an integer, REAL as a double (RESP3) or its SQLite text, TEXT and BLOB as bulk. */
  private static void value(RespWriter out, Object v) {
    if (v == null) {
      out.nullBulk();
    } else if (v instanceof Long l) {
      out.integer(l);
    } else if (v instanceof Double d) {
      if (out.isResp3()) {
        out.doubleValue(d);
      } else {
        out.bulk(SqlValues.realText(d));
      }
    } else if (v instanceof String s) {
      out.bulk(s);
    } else {
      out.bulk((byte[]) v);
    }
  }

  /**
   * The tables of the selected database, seen through the keyspace: looked up for a write (so
   * expired ones go and the key counts as touched) when the statements may write, and reported to a
   * point-in-time view of the data (a rewrite, a snapshot) before they change.
   */
  private static final class KeyspaceCatalog implements Catalog {
    private final CommandContext ctx;
    private final boolean write;

    /** Tables looked up for a write, by key name: their version then (-1 if created here). */
    private final Map<String, Long> seen = new HashMap<>();

    private final Map<String, Table> current = new HashMap<>();

    KeyspaceCatalog(CommandContext ctx, boolean write) {
      this.ctx = ctx;
      this.write = write;
    }

    private static Key key(String name) {
      return Key.of(name.getBytes(StandardCharsets.UTF_8));
    }

    private void beforeChange(Key key) {
      ChangeObserver observer = ctx.server().changeObserver();
      if (observer != null && ctx.staged() == null) {
        observer.beforeChange(ctx.session().db(), key);
      }
    }

    @Override
    public Table table(String name) {
      Key key = key(name);
      Database db = ctx.db();
      StoredValue v = write ? db.lookupWrite(key, ctx.now()) : db.lookupRead(key, ctx.now());
      if (v == null) {
        return null;
      }
      if (!(v instanceof TableValue tv)) {
        throw new CommandException(Errors.WRONGTYPE);
      }
      if (!tv.table().key().equals(name)) {
        // Copied or renamed as a key: the table answers to its key's name.
        tv.table().rename(name);
      }
      if (write && !seen.containsKey(name)) {
        beforeChange(key);
        seen.put(name, tv.table().version());
        current.put(name, tv.table());
      }
      return tv.table();
    }

    @Override
    public void create(Table table) {
      Key key = key(table.key());
      beforeChange(key);
      ctx.db().put(key, new TableValue(table));
      seen.put(table.key(), -1L);
      current.put(table.key(), table);
    }

    @Override
    public boolean drop(String name) {
      if (table(name) == null) {
        return false;
      }
      ctx.db().remove(key(name));
      seen.put(name, -1L);
      return true;
    }

    @Override
    public Iterable<Table> tables() {
      List<Table> out = new ArrayList<>();
      for (Map.Entry<Key, StoredValue> e : ctx.db().entries()) {
        if (e.getValue() instanceof TableValue) {
          String name = new String(e.getKey().bytes(), StandardCharsets.UTF_8);
          // A key with capitals is out of SQL's reach (names are looked up in lower case).
          if (name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
            Table t = table(name);
            if (t != null) {
              out.add(t);
            }
          }
        }
      }
      // In name order, so that DROP INDEX finds the same table on every server and every replay.
      out.sort(java.util.Comparator.comparing(Table::key));
      return out;
    }

    /** Counts every table created, dropped or changed as a modified key. */
    void reportChanges() {
      for (Map.Entry<String, Long> e : seen.entrySet()) {
        Table t = current.get(e.getKey());
        if (e.getValue() < 0 || t == null || t.version() != e.getValue()) {
          ctx.modified(key(e.getKey()));
        }
      }
    }
  }
}
