package io.toridb.persistence.aof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AofManifestTest {
  @TempDir Path dir;

  @Test
  void parsesRedisFormat_andOrdersReplay() throws Exception {
    AofManifest m =
        AofManifest.parse(
            "# comment\n"
                + "file a.aof.3.incr.aof seq 3 type i\n"
                + "file a.aof.2.base.aof seq 2 type b\n"
                + "file a.aof.1.base.aof seq 1 type h\n"
                + "file a.aof.2.incr.aof seq 2 type i newkey value\n");
    assertEquals(
        List.of("a.aof.2.base.aof", "a.aof.2.incr.aof", "a.aof.3.incr.aof"),
        m.replayOrder().stream().map(AofManifest.Part::file).toList());
  }

  @Test
  void writtenAtomically_readsBackTheSame() throws Exception {
    AofManifest m =
        new AofManifest(
            List.of(
                new AofManifest.Part("x.1.base.aof", 1, AofManifest.Type.BASE),
                new AofManifest.Part("x.1.incr.aof", 1, AofManifest.Type.INCR)));
    Path file = dir.resolve("x.manifest");
    m.writeAtomically(file);
    assertEquals(
        "file x.1.base.aof seq 1 type b\nfile x.1.incr.aof seq 1 type i\n", Files.readString(file));
    assertEquals(m.parts(), AofManifest.read(file).parts());
    assertEquals(
        List.of("x.manifest"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void invalidLines_areRefusedNamingTheLine() {
    String[] bad = {
      "file a seq x type i",
      "file a seq 1 type z",
      "file a seq 1",
      "seq 1 type i",
      "file ../escape seq 1 type i",
      "file a seq 0 type i",
      "file a seq 1 type i odd",
    };
    for (String line : bad) {
      AofManifest.InvalidException e =
          assertThrows(AofManifest.InvalidException.class, () -> AofManifest.parse(line), line);
      assertEquals("invalid manifest line 1: '" + line + "'", e.getMessage());
    }
    assertThrows(
        AofManifest.InvalidException.class,
        () -> AofManifest.parse("file a seq 1 type b\nfile b seq 2 type b\n"));
  }
}
