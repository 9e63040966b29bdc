package io.toridb.core.command;

/**
 * An error reply raised by a handler before it has written anything; the executor writes it.
 * Stackless, so raising one on a bad argument costs little.
 */
public final class CommandException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param reply the error text including its code, without the leading '-' (for example {@code
   *     "ERR syntax error"})
   */
  public CommandException(String reply) {
    super(reply, null, false, false);
  }

  public String reply() {
    return getMessage();
  }
}
