package io.toridb.server.it;

import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;

/**
 * {@link RandomDifferentialIT} over hash commands (see {@link RandomHashCommands}): the same seeded
 * random sequences go to ToriDB and to Redis and every reply is compared. Rerun one sequence with
 * {@code -Dtest=RandomHashDifferentialIT -Ddifferential.seed=S}.
 */
@Tag("differential")
class RandomHashDifferentialIT extends RandomDifferentialIT {
  @Override
  protected Supplier<RandomCommands.Command> commands(long seed) {
    return new RandomHashCommands(seed)::next;
  }
}
