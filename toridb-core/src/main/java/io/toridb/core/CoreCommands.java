package io.toridb.core;

import io.toridb.core.command.CommandTable;
import io.toridb.core.connection.ConnectionCommands;
import io.toridb.core.keyspace.DatabaseCommands;
import io.toridb.core.keyspace.ExpireCommands;
import io.toridb.core.keyspace.KeyspaceCommands;
import io.toridb.core.string.StringCommands;

/** Registers every command family that core implements. */
public final class CoreCommands {
  private CoreCommands() {}

  public static void registerAll(CommandTable table) {
    ConnectionCommands.register(table);
    StringCommands.register(table);
    KeyspaceCommands.register(table);
    DatabaseCommands.register(table);
    ExpireCommands.register(table);
  }
}
