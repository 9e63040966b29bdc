package io.toridb.persistence.aof;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The offline check and repair tool for append-only files ({@code scripts/toridb-check-aof}):
 * verifies every record of a file, or of every file a directory's manifest lists, and with {@code
 * --fix} cuts a damaged file back to its last good record, after saying how much goes and asking.
 *
 * <p>Exit status: 0 when everything is valid (or was fixed), 1 when damage remains, 2 on a usage or
 * I/O error.
 */
public final class AofCheck {
  private final PrintStream out;
  private final BufferedReader in;

  AofCheck(PrintStream out, BufferedReader in) {
    this.out = out;
    this.in = in;
  }

  public static void main(String[] args) {
    BufferedReader stdin =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.exit(new AofCheck(System.out, stdin).run(args));
  }

  int run(String[] args) {
    boolean fix = false;
    boolean yes = false;
    String target = null;
    for (String a : args) {
      switch (a) {
        case "--fix" -> fix = true;
        case "--yes" -> yes = true;
        default -> {
          if (target != null || a.startsWith("--")) {
            return usage();
          }
          target = a;
        }
      }
    }
    if (target == null) {
      return usage();
    }
    try {
      Path path = Path.of(target);
      if (Files.isDirectory(path)) {
        return checkDirectory(path, fix, yes);
      }
      if (!Files.exists(path)) {
        out.println("No such file or directory: " + path);
        return 2;
      }
      return checkFile(path, fix, true, yes) == null ? 0 : 1;
    } catch (IOException e) {
      out.println("Cannot check " + target + ": " + e.getMessage());
      return 2;
    }
  }

  private int usage() {
    out.println("Usage: toridb-check-aof [--fix [--yes]] <file.aof | append-only directory>");
    return 2;
  }

  private int checkDirectory(Path dir, boolean fix, boolean yes) throws IOException {
    List<Path> manifests = new ArrayList<>();
    try (var list = Files.list(dir)) {
      list.filter(p -> p.getFileName().toString().endsWith(".manifest")).forEach(manifests::add);
    }
    if (manifests.size() != 1) {
      out.println(
          "Expected one manifest (*.manifest) in " + dir + ", found " + manifests.size() + ".");
      return 1;
    }
    AofManifest manifest;
    try {
      manifest = AofManifest.read(manifests.get(0));
    } catch (AofManifest.InvalidException e) {
      out.println("The manifest " + manifests.get(0) + " is damaged: " + e.getMessage());
      return 1;
    }
    out.println(
        "Manifest "
            + manifests.get(0)
            + " lists "
            + manifest.replayOrder().size()
            + " file(s) to replay.");
    List<AofManifest.Part> parts = manifest.replayOrder();
    int lastWritten = AppendOnlyFile.lastWritten(dir, parts);
    boolean ok = true;
    for (int i = 0; i < parts.size(); i++) {
      Path file = dir.resolve(parts.get(i).file());
      if (!Files.exists(file)) {
        out.println(file + ": MISSING. The log cannot be replayed without it.");
        ok = false;
        continue;
      }
      // As the server decides at startup: files after it are empty.
      boolean last = i >= lastWritten;
      AofReader.Outcome outcome = checkFile(file, fix, last, yes);
      if (outcome != null) {
        ok = false;
        if (fix && !last && outcome != AofReader.Outcome.NEWER_FORMAT) {
          out.println(
              "Only the last file can be cut back: later files hold writes that depend on the"
                  + " damaged part. Restore "
                  + file
                  + " from a backup.");
        }
      }
    }
    return ok ? 0 : 1;
  }

  /**
   * Checks one file; null when it is (or has been made) valid, else how reading it ended. Only the
   * {@code last} file may be cut back where records are lost; zeros after the last record are fine
   * anywhere (the server cuts them off at its next start) and {@code fix} cuts them at once.
   */
  private AofReader.Outcome checkFile(Path file, boolean fix, boolean last, boolean yes)
      throws IOException {
    AofReader.Result r = AofReader.read(file, (effects, end) -> {});
    if (r.outcome() == AofReader.Outcome.COMPLETE) {
      out.println(file + ": OK, " + r.records() + " records, " + r.fileBytes() + " bytes.");
      return null;
    }
    if (r.outcome() == AofReader.Outcome.PADDED) {
      long zeros = r.fileBytes() - r.goodBytes();
      out.println(
          file
              + ": OK, "
              + r.records()
              + " records, "
              + r.goodBytes()
              + " bytes, then "
              + zeros
              + " zero bytes reserved for writes that never came (the server did not close the"
              + " file).");
      if (fix) {
        truncate(file, r.goodBytes());
      }
      return null;
    }
    fix &= last;
    long lost = r.fileBytes() - r.goodBytes();
    if (r.outcome() == AofReader.Outcome.NEWER_FORMAT) {
      out.println(
          file
              + ": "
              + r.records()
              + " valid records, then, at offset "
              + r.goodBytes()
              + ", "
              + r.problem()
              + ". Check it with that version's toridb-check-aof.");
      if (!fix) {
        return r.outcome();
      }
      // Always asked, even with --yes: the records may be valid ones of a newer version.
      return confirmAndCut(
          file,
          r,
          false,
          "Cut it only if no newer version of ToriDB ever wrote to this log (then the record's"
              + " version byte is damaged): this will cut "
              + file
              + " to "
              + r.goodBytes()
              + " bytes, losing the last "
              + lost
              + " bytes.");
    }
    out.println(
        file
            + ": "
            + (r.outcome() == AofReader.Outcome.TORN_TAIL ? "incomplete record" : "damaged record")
            + " at offset "
            + r.goodBytes()
            + " ("
            + r.problem()
            + "). "
            + r.records()
            + " valid records before it; "
            + lost
            + " bytes from there to the end.");
    if (!fix) {
      out.println("Run with --fix to cut the file at offset " + r.goodBytes() + ".");
      return r.outcome();
    }
    return confirmAndCut(
        file,
        r,
        yes,
        "This will cut "
            + file
            + " to "
            + r.goodBytes()
            + " bytes, losing the last "
            + lost
            + " bytes"
            + (r.outcome() == AofReader.Outcome.CORRUPT
                ? " (they include records after the damage, which are lost too)"
                : "")
            + ".");
  }

  /**
   * Says what cutting {@code file} at the end of its last good record loses, asks unless {@code
   * yes}, and cuts; null once cut, else the outcome that stays.
   */
  private AofReader.Outcome confirmAndCut(
      Path file, AofReader.Result r, boolean yes, String warning) throws IOException {
    out.println(warning);
    if (!yes) {
      out.print("Continue? [y/N]: ");
      out.flush();
      String answer = in.readLine();
      if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
        out.println("Nothing changed.");
        return r.outcome();
      }
    }
    truncate(file, r.goodBytes());
    return null;
  }

  private void truncate(Path file, long size) throws IOException {
    LogFile.cut(file, size);
    out.println("Successfully truncated " + file + " to " + size + " bytes.");
  }
}
