package io.toridb.core.list;

import io.toridb.core.command.CommandTable;

/** Lists commands, Redis 7.0's family of the same name. */
public final class ListCommands {
  private ListCommands() {}

  public static void register(CommandTable t) {}
}
