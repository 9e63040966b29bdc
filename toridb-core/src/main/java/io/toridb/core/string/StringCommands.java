package io.toridb.core.string;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;

/** String commands: GET, SET and the rest of Redis's string family. */
public final class StringCommands {
  private StringCommands() {}

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("get", 2)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .group("string")
            .doc("Returns the string value of a key.", "1.0.0", "O(1)")
            .handler(StringCommands::get));
    t.add(
        CommandSpec.builder("set", -3)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .group("string")
            .doc(
                "Sets the string value of a key, ignoring its type. The key is created if it"
                    + " doesn't exist.",
                "1.0.0",
                "O(1)")
            .handler(StringCommands::set));
  }

  /** The string at {@code key}, null if missing; WRONGTYPE if it holds another type. */
  static StringValue lookupString(CommandContext ctx, Database db, Key key, boolean read) {
    StoredValue v = read ? db.lookupRead(key, ctx.now()) : db.lookupWrite(key, ctx.now());
    if (v == null) {
      return null;
    }
    if (!(v instanceof StringValue s)) {
      throw new CommandException(Errors.WRONGTYPE);
    }
    return s;
  }

  /** GET key */
  static void get(CommandContext ctx, byte[][] argv) {
    StringValue s = lookupString(ctx, ctx.db(), new Key(argv[1]), true);
    if (s == null) {
      ctx.out().nullBulk();
    } else {
      ctx.out().bulk(s.bytes());
    }
  }

  /** SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] */
  static void set(CommandContext ctx, byte[][] argv) {
    // Options are filled in with the rest of the string family.
    Key key = new Key(argv[1]);
    StringValue value = StringValue.of(argv[2]);
    ctx.db().put(key, value);
    ctx.modified(key);
    ctx.propagate(argv);
    ctx.out().ok();
  }
}
