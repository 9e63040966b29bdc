package io.toridb.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/toridb.conf, the commented example README points to: it documents every directive, and
 * loads to exactly the built-in defaults, with its commented-out directives uncommented too.
 */
class ExampleConfigTest {
  private static final Path EXAMPLE = Path.of("..", "config", "toridb.conf");

  @TempDir Path dir;

  @Test
  void documentsEveryDirective() throws Exception {
    String text = Files.readString(EXAMPLE);
    List<String> missing = new ArrayList<>();
    for (Directive d : Config.standard().all()) {
      if (!d.isHidden()
          && !text.contains("\n# " + d.name() + " ")
          && !text.contains("\n" + d.name() + " ")) {
        missing.add(d.name());
      }
    }
    assertEquals(List.of(), missing, "directives config/toridb.conf does not show");
  }

  @Test
  void loadsToTheDefaults_alsoWithEveryDirectiveUncommented() throws Exception {
    Config defaults = Config.standard();
    List<String> lines = Files.readAllLines(EXAMPLE);
    List<String> uncommented = new ArrayList<>();
    int directives = 0;
    for (String line : lines) {
      String[] words = line.startsWith("# ") ? line.substring(2).split(" ", 2) : new String[0];
      // A directive as written in a file (lower case), not a sentence that starts with its name.
      if (words.length == 2
          && words[0].equals(words[0].toLowerCase(java.util.Locale.ROOT))
          && defaults.get(words[0]) != null
          // Not a placeholder ("replicaof <host> <port>").
          && !words[1].contains("<")) {
        uncommented.add(line.substring(2));
        directives++;
      } else {
        uncommented.add(line);
      }
    }
    assertTrue(directives > 150, "commented-out directives found: " + directives);
    for (List<String> content : List.of(lines, uncommented)) {
      Path file = dir.resolve("toridb.conf");
      Files.write(file, content);
      Config loaded = Config.standard();
      loaded.loadFile(file);
      for (Directive d : defaults.all()) {
        assertEquals(d.text(), loaded.require(d.name()).text(), d.name());
      }
    }
  }
}
