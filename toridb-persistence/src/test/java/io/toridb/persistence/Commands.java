package io.toridb.persistence;

import io.netty.buffer.ByteBuf;
import io.toridb.core.command.CommandExecutor;
import io.toridb.core.session.ClientSession;
import java.nio.charset.StandardCharsets;

/** Runs a command through an executor in tests, returning its raw RESP2 reply. */
public final class Commands {
  private Commands() {}

  /**
   * {@code args} as UTF-8 arguments, run for {@code session}; the reply is written to {@code buf}.
   */
  public static String call(
      CommandExecutor executor, ClientSession session, ByteBuf buf, String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    buf.clear();
    executor.context().out().reset(buf, 2);
    executor.execute(session, argv);
    return buf.toString(StandardCharsets.UTF_8);
  }
}
