package io.toridb.core.blocking;

import io.toridb.core.command.CommandContext;
import io.toridb.core.keyspace.Key;
import io.toridb.protocol.RespWriter;
import java.util.function.Consumer;

/**
 * Clients parked by blocking commands (BLPOP, BZPOPMIN, ...), per database and key, in arrival
 * order.
 */
public final class Blocking {
  /** Parks the current client of {@code ctx}; see {@link CommandContext#block}. */
  public void block(CommandContext ctx, Key[] keys, long deadline, Consumer<RespWriter> onTimeout) {
    // Not wired yet: behave as an immediate timeout.
    onTimeout.accept(ctx.out());
  }
}
