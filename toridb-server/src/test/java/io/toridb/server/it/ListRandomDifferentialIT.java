package io.toridb.server.it;

import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;

/**
 * {@link RandomDifferentialIT} over list commands (see {@link ListRandomCommands}): the same seeded
 * sequences go to ToriDB and to Redis 7.0 and every reply must match. Rerun one sequence with
 * {@code -Dtest=ListRandomDifferentialIT -Ddifferential.seed=S}.
 */
@Tag("differential")
class ListRandomDifferentialIT extends RandomDifferentialIT {
  @Override
  protected Supplier<RandomCommands.Command> commands(long seed) {
    return new ListRandomCommands(seed)::next;
  }
}
