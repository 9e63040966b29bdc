package io.toridb.core.sql;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SQLite's sqllogictest scripts (test resources under {@code sqllogictest/}) run against {@link
 * SqlEngine}, each on a fresh in-memory catalog. A script passes when every record it runs for
 * SQLite gives SQLite's result.
 *
 * <p>{@link #main} runs scripts given by path and prints what passed and what did not, for work on
 * the engine ahead of adding a script to {@link #SCRIPTS}.
 */
public class SqlLogicTest {
  /** The scripts the build runs: classpath resources. Add a script once the engine passes it. */
  static final List<String> SCRIPTS =
      List.of(
          "sqllogictest/select1.test",
          "sqllogictest/evidence/in1.test",
          "sqllogictest/evidence/in2.test",
          "sqllogictest/evidence/slt_lang_aggfunc.test",
          "sqllogictest/evidence/slt_lang_dropindex.test",
          "sqllogictest/evidence/slt_lang_droptable.test",
          "sqllogictest/evidence/slt_lang_reindex.test",
          "sqllogictest/evidence/slt_lang_replace.test",
          "sqllogictest/evidence/slt_lang_update.test");

  /**
   * Records where the script disagrees with SQLite itself, by script and line: the engine must fail
   * exactly these. slt_lang_aggfunc.test:480 expects {@code sum(x)} over two 1<<63 values and -1 to
   * return a row, where SQLite (3.40 checked) raises "integer overflow", as ToriDB does.
   */
  static final Map<String, Set<Integer>> SQLITE_DISAGREES =
      Map.of("sqllogictest/evidence/slt_lang_aggfunc.test", Set.of(480));

  /** How many failures a report shows. */
  private static final int SHOWN_FAILURES = 20;

  static List<String> scripts() {
    return SCRIPTS;
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void scriptPasses(String resource) {
    SqlLogicTestRunner.Result result = run(resource, readResource(resource));
    Set<Integer> failedLines = new TreeSet<>();
    for (SqlLogicTestRunner.Failure f : result.failures()) {
      failedLines.add(f.line());
    }
    if (!failedLines.equals(SQLITE_DISAGREES.getOrDefault(resource, Set.of()))) {
      fail(result.report(SHOWN_FAILURES));
    }
    assertTrue(result.passed() > 0, "no record of " + resource + " ran");
  }

  /** Runs {@code script} against a new, empty database. */
  static SqlLogicTestRunner.Result run(String name, String script) {
    Catalog catalog = Catalog.inMemory();
    return new SqlLogicTestRunner(sql -> SqlEngine.execute(catalog, sql)).run(name, script);
  }

  private static String readResource(String resource) {
    try (InputStream in = SqlLogicTest.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no such test resource: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the scripts at the paths given (or, given none, the build's scripts) and prints each one's
   * counts and first failures, then the totals.
   */
  public static void main(String[] args) throws IOException {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    List<String> names = args.length > 0 ? List.of(args) : SCRIPTS;
    for (String name : names) {
      String script =
          args.length > 0
              ? Files.readString(Path.of(name), StandardCharsets.UTF_8)
              : readResource(name);
      SqlLogicTestRunner.Result result = run(name, script);
      System.out.println(result.report(SHOWN_FAILURES));
      System.out.println();
      passed += result.passed();
      failed += result.failed();
      skipped += result.skipped();
    }
    System.out.println(
        "total: " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
  }
}
