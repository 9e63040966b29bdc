package io.toridb.core.hash;

import io.toridb.core.command.CommandTable;

/** Hashes commands, Redis 7.0's family of the same name. */
public final class HashCommands {
  private HashCommands() {}

  public static void register(CommandTable t) {}
}
