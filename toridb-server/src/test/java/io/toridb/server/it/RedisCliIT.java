package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs {@code scripts/redis-cli-test.sh} against the in-process server, once per command file under
 * {@code src/test/resources/redis-cli/}: the real redis-cli, in RESP2 and RESP3, must print exactly
 * what it printed against Redis 7.0 (the expected files). Fails, rather than skips, when redis-cli
 * is missing.
 */
class RedisCliIT {
  /** Configured as the Redis that recorded the expected output: without an append-only file. */
  @RegisterExtension
  static final ToriServerExtension tori = new ToriServerExtension().with("appendonly", "no");

  @TestFactory
  Stream<DynamicTest> redisCliSessions() throws IOException {
    Path script = findScript();
    Path dir = script.getParent().getParent().resolve("toridb-server/src/test/resources/redis-cli");
    List<String> names;
    try (Stream<Path> files = Files.list(dir)) {
      names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".cmds"))
              .map(n -> n.substring(0, n.length() - ".cmds".length()))
              .sorted()
              .toList();
    }
    assertFalse(names.isEmpty(), "no redis-cli command files in " + dir);
    return names.stream().map(name -> DynamicTest.dynamicTest(name, () -> run(script, name)));
  }

  private static void run(Path script, String name) throws Exception {
    ExternalTools.require("redis-cli");
    Process p =
        new ProcessBuilder(
                "bash", script.toString(), tori.host(), String.valueOf(tori.port()), name)
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "redis-cli-test.sh did not finish");
    assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** scripts/redis-cli-test.sh in the source tree this module belongs to. */
  private static Path findScript() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("scripts/redis-cli-test.sh");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "scripts/redis-cli-test.sh not found above " + Path.of("").toAbsolutePath());
  }
}
