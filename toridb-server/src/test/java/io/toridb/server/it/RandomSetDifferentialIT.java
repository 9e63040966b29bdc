package io.toridb.server.it;

import java.io.IOException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;

/**
 * {@link RandomDifferentialIT} over set commands: seeded random sequences from {@link
 * RandomSetCommands}, sent to ToriDB and to a real Redis, every reply compared. Rerun one sequence
 * with {@code -Dtest=RandomSetDifferentialIT -Ddifferential.seed=S}.
 */
@Tag("differential")
class RandomSetDifferentialIT extends RandomDifferentialIT {
  @Override
  protected Supplier<RandomCommands.Command> commands(long seed) {
    return new RandomSetCommands(seed)::next;
  }

  /** The sequences change set-max-intset-entries; the Redis server is shared with other tests. */
  @AfterAll
  static void restoreIntsetLimit() throws IOException {
    try (RespClient r = redis.connect();
        RespClient t = DifferentialIT.connectTarget(tori)) {
      r.call("CONFIG", "SET", "set-max-intset-entries", "512");
      t.call("CONFIG", "SET", "set-max-intset-entries", "512");
    }
  }
}
