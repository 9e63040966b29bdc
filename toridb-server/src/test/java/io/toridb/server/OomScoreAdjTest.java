package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** oom-score-adj, against a stand-in for /proc/self/oom_score_adj. */
class OomScoreAdjTest {
  @TempDir Path dir;

  private String score(Path file) throws Exception {
    return Files.readString(file).trim();
  }

  @Test
  void no_touchesNothing_theOthersWriteThePrimaryScore_andNoRestoresTheStart() throws Exception {
    Path file = dir.resolve("oom_score_adj");
    Files.writeString(file, "100\n");
    Config config = Config.standard();
    OomScoreAdj oom = new OomScoreAdj(config, file);
    assertEquals(null, oom.apply());
    assertEquals("100", score(file));

    config.require("oom-score-adj-values").set("50 200 800");
    config.require("oom-score-adj").set("relative");
    assertEquals(null, oom.apply());
    assertEquals("150", score(file));
    config.require("oom-score-adj").set("yes");
    assertEquals(null, oom.apply());
    assertEquals("150", score(file), "yes is relative");
    config.require("oom-score-adj").set("absolute");
    assertEquals(null, oom.apply());
    assertEquals("50", score(file));
    config.require("oom-score-adj-values").set("2000 0 0");
    assertEquals(null, oom.apply());
    assertEquals("1000", score(file), "clamped");
    config.require("oom-score-adj-values").set("-2000 0 0");
    config.require("oom-score-adj").set("relative");
    assertEquals(null, oom.apply());
    assertEquals("-1000", score(file), "clamped");

    config.require("oom-score-adj").set("no");
    assertEquals(null, oom.apply());
    assertEquals("100", score(file), "the score before the first change");
  }

  @Test
  void aFileThatCannotBeWritten_givesRedisError() {
    Config config = Config.standard();
    config.require("oom-score-adj").set("absolute");
    OomScoreAdj oom = new OomScoreAdj(config, dir.resolve("missing").resolve("oom_score_adj"));
    assertEquals(OomScoreAdj.APPLY_ERROR, oom.apply());
  }
}
