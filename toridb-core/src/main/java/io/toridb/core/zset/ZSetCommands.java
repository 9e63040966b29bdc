package io.toridb.core.zset;

import io.toridb.core.command.CommandTable;

/** Sorted sets commands, Redis 7.0's family of the same name. */
public final class ZSetCommands {
  private ZSetCommands() {}

  public static void register(CommandTable t) {}
}
