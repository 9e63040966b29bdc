package io.toridb.core.keyspace;

import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WHOLE_KEYSPACE;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Commands over a whole database rather than named keys: KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB,
 * FLUSHALL and SWAPDB.
 *
 * <p>All but SCAN lock every stripe ({@code WHOLE_KEYSPACE}) so that they see, or make, one
 * consistent state, as Redis's single thread gives. SCAN takes no lock: it reads a snapshot (see
 * {@link ScanSnapshot}) and only locks a single stripe, briefly and without waiting, to reclaim an
 * expired key it meets; a SCAN call thus never stalls other clients, at the price that one call is
 * not isolated from a concurrent multi-key write.
 */
public final class DatabaseCommands {
  private DatabaseCommands() {}

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("keys", 2)
            .flags(READONLY | WHOLE_KEYSPACE)
            .acl("keyspace", "dangerous")
            .tips("request_policy:all_shards", "nondeterministic_output_order")
            .doc(
                "Returns all key names that match a pattern.",
                "1.0.0",
                "O(N) with N being the number of keys in the database, under the assumption that"
                    + " the key names in the database and the given pattern have limited length.")
            .handler(DatabaseCommands::keys));
    t.add(
        CommandSpec.builder("scan", -2)
            .flags(READONLY)
            .tips("nondeterministic_output", "request_policy:special")
            .doc(
                "Iterates over the key names in the database.",
                "2.8.0",
                "O(1) for every call. O(N) for a complete iteration, including enough command"
                    + " calls for the cursor to return back to 0. N is the number of elements"
                    + " inside the collection.")
            .handler(DatabaseCommands::scan));
    t.add(
        CommandSpec.builder("randomkey", 1)
            .flags(READONLY | WHOLE_KEYSPACE)
            .tips("request_policy:all_shards", "nondeterministic_output")
            .doc("Returns a random key name from the database.", "1.0.0", "O(1)")
            .handler(DatabaseCommands::randomkey));
    t.add(
        CommandSpec.builder("dbsize", 1)
            .flags(READONLY | FAST | WHOLE_KEYSPACE)
            .group("server")
            .acl("keyspace")
            .tips("request_policy:all_shards", "response_policy:agg_sum")
            .doc("Returns the number of keys in the database.", "1.0.0", "O(1)")
            .handler(DatabaseCommands::dbsize));
    t.add(
        CommandSpec.builder("flushdb", -1)
            .flags(WRITE | WHOLE_KEYSPACE)
            .group("server")
            .acl("keyspace", "dangerous")
            .tips("request_policy:all_shards", "response_policy:all_succeeded")
            .doc(
                "Remove all keys from the current database.",
                "1.0.0",
                "O(N) where N is the number of keys in the selected database")
            .handler(DatabaseCommands::flushdb));
    t.add(
        CommandSpec.builder("flushall", -1)
            .flags(WRITE | WHOLE_KEYSPACE)
            .group("server")
            .acl("keyspace", "dangerous")
            .tips("request_policy:all_shards", "response_policy:all_succeeded")
            .doc(
                "Removes all keys from all databases.",
                "1.0.0",
                "O(N) where N is the total number of keys in all databases")
            .handler(DatabaseCommands::flushall));
    t.add(
        CommandSpec.builder("swapdb", 3)
            .flags(WRITE | FAST | WHOLE_KEYSPACE)
            .group("server")
            .acl("keyspace", "dangerous")
            .doc(
                "Swaps two Redis databases.",
                "4.0.0",
                "O(N) where N is the count of clients watching or blocking on keys from both"
                    + " databases.")
            .handler(DatabaseCommands::swapdb));
  }

  /** KEYS pattern */
  static void keys(CommandContext ctx, byte[][] argv) {
    byte[] pattern = argv[1];
    // Only a lone "*" skips matching: "**" does not match the empty key name, as in Redis.
    boolean all = pattern.length == 1 && pattern[0] == '*';
    long now = ctx.now();
    Database db = ctx.db();
    List<byte[]> found = new ArrayList<>();
    for (Map.Entry<Key, StoredValue> e : db.entries()) {
      byte[] key = e.getKey().bytes();
      // Expired keys are left for the expiry cycle, as Redis does here, but never shown.
      if ((all || GlobPattern.matches(pattern, key)) && !db.isExpired(e.getValue(), now)) {
        found.add(key);
      }
    }
    replyKeys(ctx.out(), found);
  }

  /** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
  static void scan(CommandContext ctx, byte[][] argv) {
    long cursor = ScanCursor.parse(argv[1]);
    ScanOptions options = ScanOptions.parse(argv, 2, true);
    String type = options.type() == null ? null : Args.latin1(options.type());
    Database db = ctx.db();
    KeyLocks locks = ctx.keyspace().locks();
    long now = ctx.now();
    List<byte[]> found = new ArrayList<>();
    long next =
        db.scan(
            cursor,
            options.count(),
            key -> {
              if (!options.matches(key.bytes())) {
                return;
              }
              StoredValue v = db.peek(key);
              if (v == null) {
                return;
              }
              if (db.isExpired(v, now)) {
                reclaim(db, locks, key, now);
                return;
              }
              if (type == null || type.equalsIgnoreCase(v.type().typeName())) {
                found.add(key.bytes());
              }
            });
    RespWriter out = ctx.out();
    out.arrayHeader(2);
    out.bulk(Long.toUnsignedString(next));
    replyKeys(out, found);
  }

  /**
   * Deletes an expired key met by SCAN if its stripe is free. SCAN holds no lock, and waiting here
   * could deadlock against a transaction holding this stripe while waiting for one this thread
   * holds; a busy key is left to lazy or active expiry.
   */
  private static void reclaim(Database db, KeyLocks locks, Key key, long now) {
    int stripe = KeyLocks.stripeOf(key.hashCode());
    if (locks.tryLock(stripe)) {
      try {
        db.expireIfNeeded(key, now);
      } finally {
        locks.unlock(stripe);
      }
    }
  }

  private static void replyKeys(RespWriter out, List<byte[]> keys) {
    out.arrayHeader(keys.size());
    for (byte[] k : keys) {
      out.bulk(k);
    }
  }

  /** RANDOMKEY */
  static void randomkey(CommandContext ctx, byte[][] argv) {
    Key key = ctx.db().randomKey(ctx.now());
    if (key == null) {
      ctx.out().nullBulk();
    } else {
      ctx.out().bulk(key.bytes());
    }
  }

  /** DBSIZE */
  static void dbsize(CommandContext ctx, byte[][] argv) {
    // Keys that expired but were not reclaimed yet still count, as in Redis.
    ctx.out().integer(ctx.db().size());
  }

  /** FLUSHDB [ASYNC | SYNC] */
  static void flushdb(CommandContext ctx, byte[][] argv) {
    checkFlushOption(argv);
    Database db = ctx.db();
    ctx.server().stats().dirty.add(db.size());
    ctx.server().watches().databaseReplaced(ctx.keyspace(), db.index(), null, ctx.now());
    ctx.server().blocking().databaseReplaced(ctx.keyspace(), db.index());
    db.clear();
    // Propagated even when the database was already empty, as Redis forces it.
    ctx.propagate(argv);
    ctx.out().ok();
  }

  /** FLUSHALL [ASYNC | SYNC] */
  static void flushall(CommandContext ctx, byte[][] argv) {
    checkFlushOption(argv);
    ctx.server().stats().dirty.add(ctx.server().emptyDatabases(ctx.now()));
    ctx.server().flushedAll();
    ctx.propagate(argv);
    ctx.out().ok();
  }

  /**
   * ASYNC and SYNC are both accepted; both are instant here, since a flush replaces the database's
   * storage and leaves the old one to the garbage collector.
   */
  private static void checkFlushOption(byte[][] argv) {
    if (argv.length == 1
        || (argv.length == 2 && (Args.is(argv[1], "ASYNC") || Args.is(argv[1], "SYNC")))) {
      return;
    }
    throw new CommandException(Errors.SYNTAX);
  }

  /** SWAPDB index1 index2 */
  static void swapdb(CommandContext ctx, byte[][] argv) {
    if (KeyspaceCommands.clusterEnabled(ctx)) {
      throw new CommandException("ERR SWAPDB is not allowed in cluster mode");
    }
    int a = parseIndex(argv[1], "ERR invalid first DB index");
    int b = parseIndex(argv[2], "ERR invalid second DB index");
    Keyspace keyspace = ctx.keyspace();
    if (a < 0 || a >= keyspace.databaseCount() || b < 0 || b >= keyspace.databaseCount()) {
      throw new CommandException(Errors.DB_OUT_OF_RANGE);
    }
    // Swapping a database with itself changes nothing: no watched key is touched and no blocked
    // client is woken, as in Redis's dbSwapDatabases (it still counts as a write and propagates).
    if (a != b) {
      ctx.server().watches().databaseReplaced(keyspace, a, b, ctx.now());
      ctx.server().watches().databaseReplaced(keyspace, b, a, ctx.now());
      keyspace.swap(a, b);
      // Clients blocked in either database may now find their keys, as Redis's
      // scanDatabaseForReadyKeys.
      ctx.server().blocking().databaseReplaced(keyspace, a);
      ctx.server().blocking().databaseReplaced(keyspace, b);
    }
    ctx.server().stats().dirty.increment();
    ctx.propagate(argv);
    ctx.out().ok();
  }

  private static int parseIndex(byte[] arg, String error) {
    long v = Args.parseLong(arg, error);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new CommandException(error);
    }
    return (int) v;
  }
}
