package io.toridb.core.server;

import io.toridb.core.command.CommandContext;

/**
 * Sees every command after it has run (with secrets redacted); MONITOR is built on it. {@code ctx}
 * still describes the command's client, and replies written to {@code ctx.out()} go to that client
 * after the command's own reply.
 */
@FunctionalInterface
public interface CommandObserver {
  void onCommand(CommandContext ctx, byte[][] argv);
}
