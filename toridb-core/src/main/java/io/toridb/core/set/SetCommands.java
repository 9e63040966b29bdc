package io.toridb.core.set;

import io.toridb.core.command.CommandTable;

/** Sets commands, Redis 7.0's family of the same name. */
public final class SetCommands {
  private SetCommands() {}

  public static void register(CommandTable t) {}
}
