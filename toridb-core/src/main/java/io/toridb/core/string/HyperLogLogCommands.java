package io.toridb.core.string;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.MAY_REPLICATE;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import java.util.concurrent.ThreadLocalRandom;

/**
 * PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST: HyperLogLogs, kept in strings in Redis's format
 * ({@link HyperLogLog}), so they persist, DUMP and replicate as the strings they are.
 */
public final class HyperLogLogCommands {
  private HyperLogLogCommands() {}

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("pfadd", -2)
            .flags(WRITE | DENYOOM | FAST)
            .keys(1, 1, 1)
            .keyFlags("RW", "insert")
            .group("hyperloglog")
            .doc(
                "Adds the specified elements to the specified HyperLogLog.",
                "2.8.9",
                "O(1) to add every element.")
            .handler(HyperLogLogCommands::pfadd));
    t.add(
        CommandSpec.builder("pfcount", -2)
            .flags(READONLY | MAY_REPLICATE)
            .keys(1, -1, 1)
            .keyFlags("RW", "access")
            .keyNotes(
                "RW because it may change the internal representation of the key, and propagate to"
                    + " replicas")
            .group("hyperloglog")
            .doc(
                "Return the approximated cardinality of the set(s) observed by the HyperLogLog at"
                    + " key(s).",
                "2.8.9",
                "O(1) with a very small average constant time when called with a single key. O(N)"
                    + " with N being the number of keys, and much bigger constant times, when called"
                    + " with multiple keys.")
            .handler(HyperLogLogCommands::pfcount));
    t.add(
        CommandSpec.builder("pfmerge", -2)
            .flags(WRITE | DENYOOM)
            .keys(1, -1, 1)
            .keySpec(KeySpec.range(1, 0, 1, "RW", "access", "insert"))
            .keySpec(KeySpec.range(2, -1, 1, "RO", "access"))
            .group("hyperloglog")
            .doc(
                "Merge N different HyperLogLogs into a single one.",
                "2.8.9",
                "O(N) to merge N HyperLogLogs, but with high constant times.")
            .handler(HyperLogLogCommands::pfmerge));
    t.add(
        CommandSpec.builder("pfdebug", 3)
            .flags(WRITE | DENYOOM | ADMIN)
            .keys(2, 2, 1)
            .keySpec(KeySpec.range(2, 0, 1, "RW", "access"))
            .group("hyperloglog")
            .doc("Internal commands for debugging HyperLogLog values", "2.8.9", "N/A")
            .handler(HyperLogLogCommands::pfdebug));
    t.add(
        CommandSpec.builder("pfselftest", 1)
            .flags(ADMIN)
            .group("hyperloglog")
            .doc("An internal command for testing HyperLogLog values", "2.8.9", "N/A")
            .handler(HyperLogLogCommands::pfselftest));
  }

  private static long sparseMaxBytes(CommandContext ctx) {
    return ctx.server().config().number("hll-sparse-max-bytes");
  }

  /**
   * The HLL bytes of {@code v}, to read only (another thread may be reading them too); refuses a
   * value that is not a HyperLogLog with Redis's error.
   */
  private static byte[] hllOf(StoredValue v) {
    StringValue s = StringCommands.asString(v);
    byte[] b = s.bytes();
    if (!HyperLogLog.looksValid(b)) {
      throw new CommandException(HyperLogLog.NOT_HLL);
    }
    return b;
  }

  /** As {@link #hllOf}, a copy this command may change. */
  private static byte[] hllCopyOf(StoredValue v) {
    return HyperLogLog.copy(hllOf(v));
  }

  /** PFADD key [element ...] */
  static void pfadd(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(argv[1]);
    StoredValue old = db.lookupWrite(key, now);
    if (old != null && !changesAny(hllOf(old), argv)) {
      // Most additions to a large HLL change no register: no copy of its 12 KB then.
      ctx.out().integer(0);
      return;
    }
    byte[][] hll = {old == null ? HyperLogLog.empty() : hllCopyOf(old)};
    int updated = old == null ? 1 : 0;
    long max = sparseMaxBytes(ctx);
    try {
      for (int j = 2; j < argv.length; j++) {
        if (HyperLogLog.add(hll, argv[j], max)) {
          updated++;
        }
      }
    } catch (HyperLogLog.Corrupted e) {
      throw new CommandException(HyperLogLog.INVALID);
    }
    if (updated > 0) {
      save(ctx, key, old, hll[0], updated, argv);
    }
    ctx.out().integer(updated > 0 ? 1 : 0);
  }

  /**
   * Whether adding the elements of {@code argv} to the HLL {@code b} may change a register: for a
   * dense one, whether one would; a sparse one (small) is simply copied and tried.
   */
  private static boolean changesAny(byte[] b, byte[][] argv) {
    if (HyperLogLog.encoding(b) != HyperLogLog.DENSE) {
      return true;
    }
    for (int j = 2; j < argv.length; j++) {
      int pat = HyperLogLog.patLen(argv[j]);
      if ((pat >>> 16) > HyperLogLog.denseGet(b, pat & 0xffff)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Stores the changed HLL {@code b} at {@code key} (keeping an existing key's expiry), with its
   * count marked stale, and tells watchers, subscribers and the log.
   */
  private static void save(
      CommandContext ctx, Key key, StoredValue old, byte[] b, int changes, byte[][] argv) {
    HyperLogLog.invalidateCache(b);
    StringValue value = StringValue.raw(b);
    if (old == null) {
      StringCommands.store(ctx.db(), key, value, ctx.now());
    } else {
      StringCommands.replace(ctx.db(), key, old, value, ctx.now());
    }
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.STRING, "pfadd", key);
    ctx.server().stats().dirty.add(changes);
    ctx.propagate(argv);
  }

  /** PFCOUNT key [key ...] */
  static void pfcount(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    long now = ctx.now();
    if (argv.length > 2) {
      byte[] max = new byte[HyperLogLog.REGISTERS];
      try {
        for (int j = 1; j < argv.length; j++) {
          StoredValue v = db.lookupRead(Key.of(argv[j]), now);
          if (v != null) {
            HyperLogLog.mergeInto(max, hllOf(v));
          }
        }
      } catch (HyperLogLog.Corrupted e) {
        throw new CommandException(HyperLogLog.INVALID);
      }
      ctx.out().integer(HyperLogLog.count(HyperLogLog.histogramOfRaw(max)));
      return;
    }
    Key key = Key.of(argv[1]);
    StoredValue old = db.lookupRead(key, now);
    if (old == null) {
      ctx.out().integer(0);
      return;
    }
    byte[] b = hllOf(old);
    if (HyperLogLog.cacheValid(b)) {
      ctx.out().integer(HyperLogLog.cachedCount(b));
      return;
    }
    b = HyperLogLog.copy(b);
    long card;
    try {
      card = HyperLogLog.count(HyperLogLog.histogram(b));
    } catch (HyperLogLog.Corrupted e) {
      throw new CommandException(HyperLogLog.INVALID);
    }
    // The count is kept in the value, as Redis keeps it, and logged so that the log's value is
    // the same bytes.
    HyperLogLog.setCachedCount(b, card);
    StringCommands.replace(db, key, old, StringValue.raw(b), now);
    ctx.modified(key);
    ctx.server().stats().dirty.add(1);
    ctx.propagate(argv);
    ctx.out().integer(card);
  }

  /** PFMERGE destkey [sourcekey ...] */
  static void pfmerge(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    long now = ctx.now();
    byte[] max = new byte[HyperLogLog.REGISTERS];
    boolean dense = false;
    try {
      for (int j = 1; j < argv.length; j++) {
        StoredValue v = db.lookupRead(Key.of(argv[j]), now);
        if (v == null) {
          continue;
        }
        byte[] b = hllOf(v);
        dense |= HyperLogLog.encoding(b) == HyperLogLog.DENSE;
        HyperLogLog.mergeInto(max, b);
      }
      Key key = Key.of(argv[1]);
      StoredValue old = db.lookupWrite(key, now);
      byte[][] hll = {old == null ? HyperLogLog.empty() : hllCopyOf(old)};
      if (dense) {
        hll[0] = HyperLogLog.toDense(hll[0]);
      }
      long sparseMax = sparseMaxBytes(ctx);
      for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
        if (max[j] != 0) {
          HyperLogLog.set(hll, j, max[j], sparseMax);
        }
      }
      save(ctx, key, old, hll[0], 1, argv);
      ctx.out().ok();
    } catch (HyperLogLog.Corrupted e) {
      throw new CommandException(HyperLogLog.INVALID);
    }
  }

  /**
   * PFDEBUG GETREG and TODENSE: a sparse HLL {@code b} at {@code key} is stored again dense (and
   * the command logged, as Redis forces it); returns the dense bytes.
   */
  private static byte[] densify(
      CommandContext ctx, Key key, StoredValue old, byte[] b, byte[][] argv) {
    if (HyperLogLog.encoding(b) != HyperLogLog.SPARSE) {
      return b;
    }
    byte[] dense = HyperLogLog.toDense(b);
    StringCommands.replace(ctx.db(), key, old, StringValue.raw(dense), ctx.now());
    ctx.server().stats().dirty.add(1);
    ctx.propagate(argv);
    return dense;
  }

  /** PFDEBUG subcommand key */
  static void pfdebug(CommandContext ctx, byte[][] argv) {
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(argv[2]);
    StoredValue old = db.lookupWrite(key, now);
    if (old == null) {
      throw new CommandException("ERR The specified key does not exist");
    }
    byte[] b = hllOf(old);
    String sub = new String(argv[1], java.nio.charset.StandardCharsets.ISO_8859_1);
    try {
      switch (sub.toLowerCase(java.util.Locale.ROOT)) {
        case "getreg" -> {
          b = densify(ctx, key, old, b, argv);
          ctx.out().arrayHeader(HyperLogLog.REGISTERS);
          for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
            ctx.out().integer(HyperLogLog.denseGet(b, j));
          }
        }
        case "decode" -> {
          if (HyperLogLog.encoding(b) != HyperLogLog.SPARSE) {
            throw new CommandException("ERR HLL encoding is not sparse");
          }
          ctx.out().bulk(HyperLogLog.decode(b));
        }
        case "encoding" ->
            ctx.out().simple(HyperLogLog.encoding(b) == HyperLogLog.DENSE ? "dense" : "sparse");
        case "todense" -> {
          boolean sparse = HyperLogLog.encoding(b) == HyperLogLog.SPARSE;
          densify(ctx, key, old, b, argv);
          ctx.out().integer(sparse ? 1 : 0);
        }
        default -> throw new CommandException("ERR Unknown PFDEBUG subcommand '" + sub + "'");
      }
    } catch (HyperLogLog.Corrupted e) {
      throw new CommandException(HyperLogLog.INVALID);
    }
  }

  /**
   * PFSELFTEST: the register packing round-trips random values, and a sparse and a dense HLL fed
   * the same ten million elements agree, within the expected error, at every power of ten.
   */
  static void pfselftest(CommandContext ctx, byte[][] argv) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] dense = HyperLogLog.toDense(HyperLogLog.empty());
    int[] expected = new int[HyperLogLog.REGISTERS];
    for (int cycle = 0; cycle < 1000; cycle++) {
      for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
        expected[i] = random.nextInt(64);
        HyperLogLog.denseSet(dense, i, expected[i]);
      }
      for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
        int v = HyperLogLog.denseGet(dense, i);
        if (v != expected[i]) {
          throw new CommandException(
              "TESTFAILED Register " + i + " should be " + expected[i] + " but is " + v);
        }
      }
    }
    dense = HyperLogLog.toDense(HyperLogLog.empty());
    byte[][] sparse = {HyperLogLog.empty()};
    long sparseMax = sparseMaxBytes(ctx);
    double relerr = 1.04 / Math.sqrt(HyperLogLog.REGISTERS);
    long checkpoint = 1;
    long seed = random.nextLong();
    byte[] element = new byte[8];
    byte[][] denseRef = {dense};
    for (long j = 1; j <= 10_000_000; j++) {
      long e = j ^ seed;
      for (int k = 0; k < 8; k++) {
        element[k] = (byte) (e >>> (8 * k));
      }
      HyperLogLog.add(denseRef, element, sparseMax);
      HyperLogLog.add(sparse, element, sparseMax);
      if (j == checkpoint
          && j < sparseMax / 2
          && HyperLogLog.encoding(sparse[0]) != HyperLogLog.SPARSE) {
        throw new CommandException("TESTFAILED sparse encoding not used");
      }
      if (j == checkpoint) {
        long denseCount = HyperLogLog.count(HyperLogLog.histogram(denseRef[0]));
        if (denseCount != HyperLogLog.count(HyperLogLog.histogram(sparse[0]))) {
          throw new CommandException("TESTFAILED dense/sparse disagree");
        }
        long abserr = Math.abs(checkpoint - denseCount);
        long maxerr = (long) Math.ceil(relerr * 6 * checkpoint);
        if (j == 10) {
          maxerr = 1;
        }
        if (abserr > maxerr) {
          throw new CommandException(
              "TESTFAILED Too big error. card:" + checkpoint + " abserr:" + abserr);
        }
        checkpoint *= 10;
      }
    }
    ctx.out().ok();
  }
}
