package io.toridb.persistence.aof;

import io.toridb.persistence.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The list of files that make up the append-only log, in the text format of Redis 7's manifest: one
 * line per file, {@code file <name> seq <n> type <b|i|h>} (base, incremental, history), lines
 * starting with '#' ignored. Replay reads the base, then the incremental files by ascending
 * sequence; history files are leftovers of a rewrite, to be deleted.
 *
 * <p>The manifest is only ever replaced whole: written to a temporary file, forced to disk, renamed
 * over the old one, and the directory forced, so a crash leaves either the old list or the new.
 */
public final class AofManifest {
  /** What a part is for; the letters are the persisted codes. */
  public enum Type {
    BASE('b'),
    INCR('i'),
    HISTORY('h');

    final char code;

    Type(char code) {
      this.code = code;
    }

    static Type of(String code) {
      for (Type t : values()) {
        if (code.length() == 1 && code.charAt(0) == t.code) {
          return t;
        }
      }
      return null;
    }
  }

  /** One file of the log. */
  public record Part(String file, long seq, Type type) {}

  /** A manifest that cannot be understood; the message names the line. */
  public static final class InvalidException extends IOException {
    InvalidException(String message) {
      super(message);
    }
  }

  private final List<Part> parts;

  public AofManifest(List<Part> parts) {
    this.parts = List.copyOf(parts);
  }

  public List<Part> parts() {
    return parts;
  }

  /** The base file, or null. */
  public Part base() {
    for (Part p : parts) {
      if (p.type() == Type.BASE) {
        return p;
      }
    }
    return null;
  }

  /** The incremental files by ascending sequence. */
  public List<Part> incrs() {
    List<Part> out = new ArrayList<>();
    for (Part p : parts) {
      if (p.type() == Type.INCR) {
        out.add(p);
      }
    }
    out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    return out;
  }

  /** The files to replay, in order: the base, then the incremental files. */
  public List<Part> replayOrder() {
    List<Part> out = new ArrayList<>();
    Part base = base();
    if (base != null) {
      out.add(base);
    }
    out.addAll(incrs());
    return Collections.unmodifiableList(out);
  }

  public static AofManifest parse(String text) throws InvalidException {
    List<Part> parts = new ArrayList<>();
    int bases = 0;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      String file = null;
      long seq = -1;
      Type type = null;
      for (int j = 0; j + 1 < f.length; j += 2) {
        switch (f[j]) {
          case "file" -> file = f[j + 1];
          case "seq" -> seq = parseSeq(f[j + 1]);
          case "type" -> type = Type.of(f[j + 1]);
          default -> {
            // Unknown keys are for later versions to add; skip them as Redis does.
          }
        }
      }
      if (f.length % 2 != 0 || file == null || seq < 1 || type == null || file.contains("/")) {
        throw new InvalidException("invalid manifest line " + (i + 1) + ": '" + line + "'");
      }
      if (type == Type.BASE && ++bases > 1) {
        throw new InvalidException("more than one base file (line " + (i + 1) + ")");
      }
      parts.add(new Part(file, seq, type));
    }
    return new AofManifest(parts);
  }

  private static long parseSeq(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public static AofManifest read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  public String format() {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      sb.append("file ")
          .append(p.file())
          .append(" seq ")
          .append(p.seq())
          .append(" type ")
          .append(p.type().code)
          .append('\n');
    }
    return sb.toString();
  }

  /** Replaces {@code file} with this manifest so that a crash leaves the old one or this one. */
  public void writeAtomically(Path file) throws IOException {
    Path tmp = file.resolveSibling("temp-" + file.getFileName());
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(format().getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    DurableFiles.forceDirectory(file.getParent());
  }
}
