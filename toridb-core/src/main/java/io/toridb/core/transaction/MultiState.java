package io.toridb.core.transaction;

import io.toridb.core.command.CommandSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A client's open MULTI: the commands queued so far, and whether queueing one of them failed (then
 * EXEC refuses the whole transaction with EXECABORT).
 */
public final class MultiState {
  final List<CommandSpec> specs = new ArrayList<>();
  final List<byte[][]> commands = new ArrayList<>();
  private boolean aborted;

  /** Queues a command that passed the checks EXEC would otherwise fail on. */
  public void queue(CommandSpec spec, byte[][] argv) {
    if (aborted) {
      return; // No point keeping commands of a transaction EXEC will refuse.
    }
    specs.add(spec);
    commands.add(argv);
  }

  /** A command was refused while queueing (unknown, wrong arity, ...): EXEC will abort. */
  public void abort() {
    aborted = true;
  }

  public boolean aborted() {
    return aborted;
  }

  public int size() {
    return commands.size();
  }

  public CommandSpec spec(int i) {
    return specs.get(i);
  }

  public byte[][] command(int i) {
    return commands.get(i);
  }
}
