package io.toridb.core.command;

/**
 * Runs one command. Arity, authentication and locking have been checked and taken before it is
 * called; it writes exactly one reply to {@code ctx.out()} or throws {@link CommandException}
 * before writing anything.
 */
@FunctionalInterface
public interface CommandHandler {
  void execute(CommandContext ctx, byte[][] argv);
}
