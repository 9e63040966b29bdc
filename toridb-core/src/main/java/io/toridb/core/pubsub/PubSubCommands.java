package io.toridb.core.pubsub;

import io.toridb.core.command.CommandTable;

/** Pub/sub commands, Redis 7.0's family of the same name. */
public final class PubSubCommands {
  private PubSubCommands() {}

  public static void register(CommandTable t) {}
}
