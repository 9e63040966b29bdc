package io.toridb.server.it;

import java.io.IOException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;

/**
 * {@link RandomDifferentialIT} driven by {@link RandomZSetCommands}: random sorted set command
 * sequences compared reply by reply with a real Redis. Options are those of the parent ({@code
 * -Ddifferential.seed=S}, {@code -Ddifferential.sequences=N}, {@code -Ddifferential.steps=N}).
 */
@Tag("differential")
class RandomZSetDifferentialIT extends RandomDifferentialIT {
  @Override
  protected Supplier<RandomCommands.Command> commands(long seed) {
    return new RandomZSetCommands(seed)::next;
  }

  /** The sequences change the listpack limits; later tests share the Redis and expect defaults. */
  @AfterAll
  static void restoreDefaults() throws IOException {
    try (RespClient r = redis.connect()) {
      r.call("CONFIG", "SET", "zset-max-listpack-entries", "128");
      r.call("CONFIG", "SET", "zset-max-listpack-value", "64");
    }
  }
}
