package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs every script under {@code src/test/resources/differential/} against ToriDB and a real Redis
 * over raw sockets, once in RESP2 and once after {@code HELLO 3}, and compares each reply byte for
 * byte (or as the line's directive says, see {@link CommandScript}). A script that names several
 * connections ({@code [2] CMD ...}) gets that many on each server, all opened before its first
 * command (and all switched to RESP3 in the RESP3 run). All differences of a script are reported
 * together, each with its line, the command and both replies.
 *
 * <p>Run one script: {@code mvn -o -pl toridb-server -am test -Dtest=DifferentialIT
 * -Dsurefire.failIfNoSpecifiedTests=false -Ddifferential.script=strings} (a comma-separated list of
 * names; {@code -Ddifferential.protocol=2} or {@code 3} keeps one protocol). All differential tests
 * carry the {@code differential} tag. {@code -Ddifferential.target=host:port} compares with another
 * server instead of the in-process ToriDB.
 */
@Tag("differential")
class DifferentialIT {
  private static final int MAX_REPORTED = Integer.getInteger("differential.maxReported", 40);

  @RegisterExtension static final RedisServerExtension redis = new RedisServerExtension();
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  @TestFactory
  Stream<DynamicTest> scripts() throws IOException, URISyntaxException {
    List<Path> files = scriptFiles();
    assertFalse(files.isEmpty(), "no differential scripts selected");
    List<Integer> protocols = protocols();
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : files) {
      CommandScript script = CommandScript.load(file);
      for (int protocol : protocols) {
        tests.add(
            DynamicTest.dynamicTest(
                script.name() + " RESP" + protocol, file.toUri(), () -> run(script, protocol)));
      }
    }
    return tests.stream();
  }

  static List<Path> scriptFiles() throws IOException, URISyntaxException {
    URL url = DifferentialIT.class.getResource("/differential");
    if (url == null) {
      throw new IllegalStateException("test resource directory 'differential' not found");
    }
    String selected = System.getProperty("differential.script", "").trim();
    Set<String> names =
        selected.isEmpty()
            ? Set.of()
            : Arrays.stream(selected.split(","))
                .map(s -> s.trim().replaceFirst("\\.txt$", ""))
                .collect(Collectors.toSet());
    try (Stream<Path> list = Files.list(Path.of(url.toURI()))) {
      return list.filter(p -> p.getFileName().toString().endsWith(".txt"))
          .filter(
              p ->
                  names.isEmpty()
                      || names.contains(p.getFileName().toString().replaceFirst("\\.txt$", "")))
          .sorted()
          .toList();
    }
  }

  private static List<Integer> protocols() {
    String p = System.getProperty("differential.protocol", "").trim();
    return p.isEmpty() ? List.of(2, 3) : List.of(Integer.parseInt(p));
  }

  private static void run(CommandScript script, int protocol) throws IOException {
    List<String> differences = new ArrayList<>();
    int compared = 0;
    int connections = script.connections();
    RespClient[] redisConnections = new RespClient[connections];
    RespClient[] toriConnections = new RespClient[connections];
    try {
      for (int c = 0; c < connections; c++) {
        redisConnections[c] = redis.connect();
        toriConnections[c] = connectTarget(tori);
      }
      List<CommandScript.Step> steps = new ArrayList<>();
      if (protocol == 3) {
        for (int c = 1; c <= connections; c++) {
          steps.add(
              new CommandScript.Step(
                  0,
                  (connections > 1 ? "[" + c + "] " : "") + "HELLO 3",
                  c,
                  RespClient.bytes("HELLO", "3"),
                  CommandScript.Mode.MASK,
                  "id"));
        }
      }
      steps.addAll(script.steps());
      for (CommandScript.Step step : steps) {
        RespClient r = redisConnections[step.connection() - 1];
        RespClient t = toriConnections[step.connection() - 1];
        r.send(step.argv());
        t.send(step.argv());
        Reply expected;
        Reply actual;
        try {
          expected = r.read();
        } catch (IOException e) {
          fail(where(script, protocol, step) + ": Redis did not reply (" + e + ")");
          return;
        }
        try {
          actual = t.read();
        } catch (IOException e) {
          differences.add(
              where(script, protocol, step)
                  + "\n    redis : "
                  + indent(expected.render())
                  + "\n    toridb: no valid reply ("
                  + e
                  + "); script stopped here");
          break;
        }
        compared++;
        if (!ReplyComparison.matches(step.mode(), step.modeArg(), expected, actual)) {
          differences.add(
              where(script, protocol, step)
                  + "\n    redis : "
                  + indent(expected.render())
                  + "\n    toridb: "
                  + indent(actual.render()));
        }
      }
    } finally {
      closeAll(redisConnections);
      closeAll(toriConnections);
    }
    if (!differences.isEmpty()) {
      StringBuilder msg = new StringBuilder();
      msg.append(script.name())
          .append(" RESP")
          .append(protocol)
          .append(": ")
          .append(differences.size())
          .append(" of ")
          .append(compared)
          .append(" replies differ from Redis\n");
      differences.stream().limit(MAX_REPORTED).forEach(d -> msg.append(d).append('\n'));
      if (differences.size() > MAX_REPORTED) {
        msg.append("... and ").append(differences.size() - MAX_REPORTED).append(" more\n");
      }
      fail(msg.toString());
    }
  }

  /**
   * A connection to the server under test: the in-process ToriDB, or {@code
   * -Ddifferential.target=host:port} (another ToriDB, or a second Redis to check that a script is
   * deterministic).
   */
  static RespClient connectTarget(ToriServerExtension tori) throws IOException {
    String target = System.getProperty("differential.target", "").trim();
    if (target.isEmpty()) {
      return tori.connect();
    }
    int colon = target.lastIndexOf(':');
    return new RespClient(
        target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
  }

  private static void closeAll(RespClient[] clients) throws IOException {
    for (RespClient c : clients) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static String where(CommandScript script, int protocol, CommandScript.Step step) {
    return String.format(
        Locale.ROOT, "  %s:%d (RESP%d) %s", script.name(), step.line(), protocol, step.display());
  }

  private static String indent(String rendered) {
    return rendered.strip().replace("\n", "\n            ");
  }
}
