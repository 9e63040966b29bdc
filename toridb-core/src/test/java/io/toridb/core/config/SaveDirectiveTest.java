package io.toridb.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The save and dbfilename directives: Redis's validation, canonical text and file syntax. */
class SaveDirectiveTest {
  @TempDir Path dir;

  @Test
  void save_acceptsPairs_andShowsThemAsRedis() {
    Config c = Config.standard();
    assertEquals("3600 1 300 100 60 10000", c.text("save"));
    assertEquals(null, c.require("save").set("+10 0020   5 0"));
    assertEquals("10 20 5 0", c.text("save"));
    assertArrayEquals(new long[] {10, 20, 5, 0}, Config.parseSavePoints(c.text("save")));
    assertEquals(null, c.require("save").set(""));
    assertEquals("", c.text("save"));
    assertArrayEquals(new long[0], Config.parseSavePoints(""));
  }

  @Test
  void save_refusesWhatRedisRefuses() {
    Config c = Config.standard();
    for (String bad : new String[] {"1", "1 2 3", "0 1", "10 -1", "10 x", "1.5 2", "0x10 1"}) {
      assertEquals("Invalid save parameters", c.require("save").set(bad), bad);
    }
    assertEquals("3600 1 300 100 60 10000", c.text("save"));
  }

  @Test
  void saveLines_inAFile_addUp_andAnEmptyOneClears() throws Exception {
    Path conf = dir.resolve("a.conf");
    Files.writeString(conf, "save 900 1\nsave 300 10\nsave 60 10000\n");
    Config c = Config.standard();
    c.loadFile(conf);
    assertEquals("900 1 300 10 60 10000", c.text("save"));

    Files.writeString(conf, "save 900 1\nsave \"\"\nsave 60 5\n");
    Config d = Config.standard();
    d.loadFile(conf);
    assertEquals("60 5", d.text("save"));

    Config e = Config.standard();
    e.loadArgs(List.of("--save", "900", "1", "--save", "30", "2"));
    assertEquals("900 1 30 2", e.text("save"));
  }

  @Test
  void dbfilename_mustNotBeAPath() {
    Config c = Config.standard();
    assertEquals("dbfilename can't be a path, just a filename", c.require("dbfilename").set("a/b"));
    assertEquals(
        "dbfilename can't be a path, just a filename", c.require("dbfilename").set("a\\b"));
    assertEquals(null, c.require("dbfilename").set("other.rdb"));
    assertEquals("other.rdb", c.text("dbfilename"));
  }

  @Test
  void snapshotDirectives_haveRedisDefaults() {
    Config c = Config.standard();
    assertEquals("yes", c.text("rdbcompression"));
    assertEquals("yes", c.text("rdbchecksum"));
    assertEquals("yes", c.text("stop-writes-on-bgsave-error"));
    assertEquals("0", c.text("rdb-key-save-delay"));
    assertThrows(Config.ConfigException.class, () -> Config.standard().loadArgs(List.of("x")));
  }
}
