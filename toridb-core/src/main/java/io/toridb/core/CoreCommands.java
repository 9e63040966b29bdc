package io.toridb.core;

import io.toridb.core.command.CommandTable;
import io.toridb.core.connection.ConnectionCommands;
import io.toridb.core.hash.HashCommands;
import io.toridb.core.keyspace.DatabaseCommands;
import io.toridb.core.keyspace.ExpireCommands;
import io.toridb.core.keyspace.KeyspaceCommands;
import io.toridb.core.list.ListCommands;
import io.toridb.core.pubsub.PubSubCommands;
import io.toridb.core.scripting.ScriptingCommands;
import io.toridb.core.server.CommandCommands;
import io.toridb.core.server.ConfigCommands;
import io.toridb.core.server.MemoryCommands;
import io.toridb.core.server.ServerCommands;
import io.toridb.core.server.SlowlogCommands;
import io.toridb.core.set.SetCommands;
import io.toridb.core.string.StringCommands;
import io.toridb.core.transaction.TransactionCommands;
import io.toridb.core.zset.ZSetCommands;

/** Registers every command family that core implements. */
public final class CoreCommands {
  private CoreCommands() {}

  public static void registerAll(CommandTable table) {
    ConnectionCommands.register(table);
    StringCommands.register(table);
    io.toridb.core.string.HyperLogLogCommands.register(table);
    KeyspaceCommands.register(table);
    DatabaseCommands.register(table);
    ExpireCommands.register(table);
    CommandCommands.register(table);
    ConfigCommands.register(table);
    SlowlogCommands.register(table);
    ServerCommands.register(table);
    ScriptingCommands.register(table);
    io.toridb.core.scripting.FunctionCommands.register(table);
    ListCommands.register(table);
    HashCommands.register(table);
    SetCommands.register(table);
    ZSetCommands.register(table);
    io.toridb.core.zset.GeoCommands.register(table);
    io.toridb.core.vector.VectorSetCommands.register(table);
    io.toridb.core.sql.SqlCommands.register(table);
    io.toridb.core.stream.StreamCommands.register(table);
    io.toridb.core.keyspace.SortCommand.register(table);
    io.toridb.core.server.LatencyCommands.register(table);
    PubSubCommands.register(table);
    TransactionCommands.register(table);
    MemoryCommands.register(table);
  }
}
