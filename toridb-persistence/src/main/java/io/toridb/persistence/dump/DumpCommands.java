package io.toridb.persistence.dump;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.persistence.rdb.EncodingLimits;
import io.toridb.persistence.rdb.RdbFormatException;
import java.util.Arrays;

/**
 * DUMP and RESTORE: a key's value as a Redis 7.0 compatible payload ({@link DumpPayload}), and a
 * key created from one, so values move between ToriDB and Redis in either direction.
 */
public final class DumpCommands {
  static final String BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
  static final String BAD_DATA = "ERR Bad data format";
  static final String BAD_TTL = "ERR Invalid TTL value, must be >= 0";
  static final String BAD_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0";
  static final String BAD_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255";

  private static final byte[] DEL = Args.bytes("DEL");
  private static final byte[] ABSTTL = Args.bytes("ABSTTL");

  private DumpCommands() {}

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("dump", 2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .keyFlags("RO", "access")
            .tips("nondeterministic_output")
            .doc(
                "Return a serialized version of the value stored at the specified key.",
                "2.6.0",
                "O(1) to access the key and additional O(N*M) to serialize it, where N is the"
                    + " number of Redis objects composing the value and M their average size. For"
                    + " small string values the time complexity is thus O(1)+O(1*M) where M is"
                    + " small, so simply O(1).")
            .handler(DumpCommands::dump));
    t.add(
        restoreSpec("restore")
            .doc(
                "Create a key using the provided serialized value, previously obtained using"
                    + " DUMP.",
                "2.6.0",
                "O(1) to create the new key and additional O(N*M) to reconstruct the serialized"
                    + " value, where N is the number of Redis objects composing the value and M"
                    + " their average size. For small string values the time complexity is thus"
                    + " O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values"
                    + " the complexity is O(N*M*log(N)) because inserting values into sorted sets"
                    + " is O(log(N))."));
    // What MIGRATE sends a cluster node: RESTORE that a node importing the slot serves without a
    // preceding ASKING.
    t.add(
        restoreSpec("restore-asking")
            .doc("An internal command for migrating keys in a cluster.", "3.0.0", "O(1)"));
  }

  private static CommandSpec.Builder restoreSpec(String name) {
    return CommandSpec.builder(name, -4)
        .flags(WRITE | DENYOOM)
        .keys(1, 1, 1)
        .keyFlags("OW", "update")
        .acl("keyspace", "dangerous")
        .handler(DumpCommands::restore);
  }

  /** DUMP key */
  static void dump(CommandContext ctx, byte[][] argv) {
    StoredValue v = ctx.db().lookupRead(Key.of(argv[1]), ctx.now());
    if (v == null) {
      ctx.out().nullBulk();
      return;
    }
    ctx.out().bulk(DumpPayload.create(v));
  }

  /** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
  static void restore(CommandContext ctx, byte[][] argv) {
    boolean replace = false;
    boolean absTtl = false;
    long idle = -1;
    long freq = -1;
    for (int i = 4; i < argv.length; i++) {
      boolean hasArgument = i + 1 < argv.length;
      if (Args.is(argv[i], "REPLACE")) {
        replace = true;
      } else if (Args.is(argv[i], "ABSTTL")) {
        absTtl = true;
      } else if (Args.is(argv[i], "IDLETIME") && hasArgument && freq == -1) {
        idle = Args.parseLong(argv[++i]);
        if (idle < 0) {
          throw new CommandException(BAD_IDLETIME);
        }
      } else if (Args.is(argv[i], "FREQ") && hasArgument && idle == -1) {
        freq = Args.parseLong(argv[++i]);
        if (freq < 0 || freq > 255) {
          throw new CommandException(BAD_FREQ);
        }
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(argv[1]);
    if (!replace && db.lookupWrite(key, now) != null) {
      throw new CommandException(Errors.BUSYKEY);
    }
    long ttl = Args.parseLong(argv[2]);
    if (ttl < 0) {
      throw new CommandException(BAD_TTL);
    }
    byte[] payload = argv[3];
    if (!DumpPayload.verify(payload)) {
      throw new CommandException(BAD_PAYLOAD);
    }
    StoredValue value;
    try {
      value = DumpPayload.load(payload, EncodingLimits.of(ctx.server().config()));
    } catch (RdbFormatException | IndexOutOfBoundsException | IllegalArgumentException e) {
      throw new CommandException(BAD_DATA);
    }

    boolean deleted = replace && db.lookupWrite(key, now) != null && db.remove(key) != null;
    if (ttl != 0 && !absTtl) {
      ttl += now;
    }
    if (ttl != 0 && ttl <= now && !ctx.server().loading()) {
      // Already expired: the value is dropped, and only a replaced key is a change.
      if (deleted) {
        ctx.modified(key);
        ctx.notify(KeyspaceEvents.GENERIC, "del", key);
        ctx.propagate(new byte[][] {DEL, argv[1]});
      }
      ctx.out().ok();
      return;
    }
    db.put(key, value);
    byte[][] effect = argv;
    if (ttl != 0) {
      db.setExpire(key, value, ttl);
      if (!absTtl) {
        // Relative TTLs are propagated as the absolute time they ended at.
        effect = Arrays.copyOf(argv, argv.length + 1);
        effect[2] = Args.bytes(Long.toString(ttl));
        effect[argv.length] = ABSTTL;
      }
    }
    setAccessMetadata(ctx, value, idle, freq, now);
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.GENERIC, "restore", key);
    ctx.propagate(effect);
    ctx.out().ok();
  }

  /**
   * IDLETIME and FREQ as Redis's objectSetLRUOrLFU: under an LFU policy only FREQ counts (it sets
   * the counter), otherwise only IDLETIME (it backdates the last access).
   */
  private static void setAccessMetadata(
      CommandContext ctx, StoredValue value, long idle, long freq, long now) {
    boolean lfu = ctx.server().config().text("maxmemory-policy").contains("lfu");
    if (lfu) {
      if (freq >= 0) {
        value.setLfuFrequency(now, (int) freq);
      }
    } else if (idle >= 0) {
      value.idleSeconds(now, idle);
    }
  }
}
