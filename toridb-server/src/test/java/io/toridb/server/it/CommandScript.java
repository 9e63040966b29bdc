package io.toridb.server.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A differential test script: one command per line, quoted the way redis-cli quotes ({@code "a b"},
 * {@code "\x00\n"}, {@code 'it''s'}), blank lines and {@code #} comments ignored. A line may start
 * with a directive that says how its two replies are compared; without one they must be
 * byte-identical:
 *
 * <ul>
 *   <li>{@code @type CMD ...}: the reply is not deterministic; only its type is compared.
 *   <li>{@code @unordered CMD ...}: an array or set whose order is unspecified (KEYS): compared as
 *       a multiset.
 *   <li>{@code @mask NAME CMD ...}: the value that follows the element {@code NAME} in the reply (a
 *       map entry, or the next element of a flat RESP2 array) is ignored; e.g. HELLO's id.
 *   <li>{@code @approx N CMD ...}: integer replies may differ by up to N (a TTL counted from the
 *       moment each server ran the command); negative integers must still be equal.
 * </ul>
 *
 * <p>A script may use several connections: a line that starts with {@code [N]} (before any
 * directive, e.g. {@code [2] SET k v} or {@code [2] @approx 1 TTL k}) runs on connection {@code N};
 * a line without it runs on connection 1. Every connection the script names is opened on both
 * servers before the first command, in the same protocol, and commands run one at a time in the
 * order of the lines, each waiting for its reply, so interleavings between clients are exact.
 *
 * <p>Every script starts with {@code FLUSHALL} so it does not depend on what ran before it.
 */
final class CommandScript {

  /** How two replies to one command are compared. */
  enum Mode {
    EXACT,
    TYPE,
    UNORDERED,
    MASK,
    APPROX
  }

  /** The highest connection number a script may use. */
  static final int MAX_CONNECTIONS = 16;

  /**
   * One command of a script, with the line it came from and the connection (1 to {@link
   * #MAX_CONNECTIONS}) that sends it.
   */
  record Step(int line, String source, int connection, byte[][] argv, Mode mode, String modeArg) {
    String display() {
      return source;
    }
  }

  private final String name;
  private final List<Step> steps;
  private final int connections;

  private CommandScript(String name, List<Step> steps) {
    this.name = name;
    this.steps = steps;
    this.connections = steps.stream().mapToInt(Step::connection).max().orElse(1);
  }

  String name() {
    return name;
  }

  List<Step> steps() {
    return steps;
  }

  /** How many connections the script needs: the highest connection number it names. */
  int connections() {
    return connections;
  }

  static CommandScript load(Path file) throws IOException {
    return parse(file.getFileName().toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  static CommandScript parse(String name, List<String> lines) {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Mode mode = Mode.EXACT;
      String modeArg = null;
      int connection = 1;
      String command = line;
      if (command.startsWith("[")) {
        int close = command.indexOf(']');
        String number = close < 0 ? "" : command.substring(1, close).strip();
        if (!number.matches("[0-9]{1,2}")
            || Integer.parseInt(number) < 1
            || Integer.parseInt(number) > MAX_CONNECTIONS) {
          throw new IllegalArgumentException(
              name
                  + ":"
                  + (i + 1)
                  + ": a connection prefix is [N] with N from 1 to "
                  + MAX_CONNECTIONS
                  + ": "
                  + line);
        }
        connection = Integer.parseInt(number);
        command = command.substring(close + 1).strip();
      }
      if (command.startsWith("@")) {
        String[] parts = command.split("\\s+", 2);
        String directive = parts[0].substring(1).toLowerCase(Locale.ROOT);
        String rest = parts.length > 1 ? parts[1] : "";
        switch (directive) {
          case "type" -> mode = Mode.TYPE;
          case "unordered" -> mode = Mode.UNORDERED;
          case "mask", "approx" -> {
            String[] argAndCommand = rest.split("\\s+", 2);
            if (argAndCommand.length < 2) {
              throw new IllegalArgumentException(
                  name + ":" + (i + 1) + ": @" + directive + " needs an argument and a command");
            }
            mode = directive.equals("mask") ? Mode.MASK : Mode.APPROX;
            modeArg = argAndCommand[0];
            rest = argAndCommand[1];
          }
          default ->
              throw new IllegalArgumentException(
                  name + ":" + (i + 1) + ": unknown directive @" + directive);
        }
        command = rest;
      }
      byte[][] argv = split(command);
      if (argv == null || argv.length == 0) {
        throw new IllegalArgumentException(
            name + ":" + (i + 1) + ": unbalanced quotes or empty command: " + line);
      }
      steps.add(new Step(i + 1, line, connection, argv, mode, modeArg));
    }
    if (steps.isEmpty()
        || !new String(steps.get(0).argv()[0], StandardCharsets.UTF_8)
            .equalsIgnoreCase("FLUSHALL")) {
      throw new IllegalArgumentException(name + ": a script must start with FLUSHALL");
    }
    return new CommandScript(name, List.copyOf(steps));
  }

  /**
   * Splits a line into arguments as redis-cli does (its {@code sdssplitargs}): double quotes with
   * {@code \n \r \t \b \a \\ \" \xHH} escapes, single quotes with only {@code \'}, and a closing
   * quote must be followed by a space or the end. Null when the quoting is invalid.
   */
  static byte[][] split(String line) {
    List<byte[]> out = new ArrayList<>();
    byte[] in = line.getBytes(StandardCharsets.UTF_8);
    int i = 0;
    while (true) {
      while (i < in.length && isSpace(in[i])) {
        i++;
      }
      if (i >= in.length) {
        return out.toArray(new byte[0][]);
      }
      ByteArrayOutputStream cur = new ByteArrayOutputStream();
      boolean inDouble = false;
      boolean inSingle = false;
      boolean done = false;
      while (!done) {
        if (inDouble) {
          if (i >= in.length) {
            return null;
          }
          byte c = in[i];
          if (c == '\\'
              && i + 3 < in.length
              && in[i + 1] == 'x'
              && isHex(in[i + 2])
              && isHex(in[i + 3])) {
            cur.write(Integer.parseInt(new String(in, i + 2, 2, StandardCharsets.US_ASCII), 16));
            i += 3;
          } else if (c == '\\' && i + 1 < in.length) {
            i++;
            cur.write(
                switch (in[i]) {
                  case 'n' -> '\n';
                  case 'r' -> '\r';
                  case 't' -> '\t';
                  case 'b' -> '\b';
                  case 'a' -> 7;
                  default -> in[i];
                });
          } else if (c == '"') {
            if (i + 1 < in.length && !isSpace(in[i + 1])) {
              return null;
            }
            done = true;
          } else {
            cur.write(c);
          }
        } else if (inSingle) {
          if (i >= in.length) {
            return null;
          }
          byte c = in[i];
          if (c == '\\' && i + 1 < in.length && in[i + 1] == '\'') {
            i++;
            cur.write('\'');
          } else if (c == '\'') {
            if (i + 1 < in.length && !isSpace(in[i + 1])) {
              return null;
            }
            done = true;
          } else {
            cur.write(c);
          }
        } else {
          if (i >= in.length) {
            done = true;
            continue;
          }
          byte c = in[i];
          if (isSpace(c)) {
            done = true;
          } else if (c == '"') {
            inDouble = true;
          } else if (c == '\'') {
            inSingle = true;
          } else {
            cur.write(c);
          }
        }
        if (i < in.length) {
          i++;
        }
      }
      out.add(cur.toByteArray());
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == 0x0b || b == '\f';
  }

  private static boolean isHex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }
}
