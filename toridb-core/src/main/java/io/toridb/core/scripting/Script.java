package io.toridb.core.scripting;

import org.luaj.vm2.Prototype;

/**
 * A script of the cache: its source as sent, the flags its shebang line declares, and its compiled
 * form, which every worker's interpreter runs in its own environment.
 *
 * @param sha the SHA-1 of {@code body}, 40 lowercase hex digits (EVALSHA's name for it)
 * @param body the source as EVAL or SCRIPT LOAD received it, shebang line included
 * @param flags the shebang's flags ({@link #NO_WRITES} ...), or {@link #COMPAT} without a shebang
 */
record Script(String sha, byte[] body, int flags, Prototype code) {
  /** No shebang line: Redis's compatibility mode for scripts written before script flags. */
  static final int COMPAT = 1;

  static final int NO_WRITES = 1 << 1;
  static final int ALLOW_OOM = 1 << 2;
  static final int ALLOW_STALE = 1 << 3;
  static final int NO_CLUSTER = 1 << 4;
  static final int ALLOW_CROSS_SLOT = 1 << 5;

  boolean has(int flag) {
    return (flags & flag) != 0;
  }

  /**
   * The flags of a {@code #!lua flags=a,b} first line, as Redis's evalExtractShebangFlags, or
   * {@link #COMPAT} when the script has none.
   *
   * @throws io.toridb.core.command.CommandException with Redis's error text for a bad shebang
   */
  static int shebangFlags(byte[] body) {
    if (body.length < 2 || body[0] != '#' || body[1] != '!') {
      return COMPAT;
    }
    int end = indexOf(body, (byte) '\n');
    if (end < 0) {
      throw new io.toridb.core.command.CommandException("ERR Invalid script shebang");
    }
    String[] parts =
        new String(body, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1).trim().split("\\s+");
    if (parts.length == 0 || parts[0].isEmpty()) {
      throw new io.toridb.core.command.CommandException("ERR Invalid engine in script shebang");
    }
    if (!parts[0].equals("#!lua")) {
      throw new io.toridb.core.command.CommandException(
          "ERR Unexpected engine in script shebang: " + parts[0]);
    }
    int flags = 0;
    for (int i = 1; i < parts.length; i++) {
      if (!parts[i].startsWith("flags=")) {
        throw new io.toridb.core.command.CommandException(
            "ERR Unknown lua shebang option: " + parts[i]);
      }
      String list = parts[i].substring(6);
      if (list.isEmpty()) {
        continue;
      }
      for (String flag : list.split(",", -1)) {
        int bit = flagNamed(flag);
        if (bit == 0) {
          throw new io.toridb.core.command.CommandException(
              "ERR Unexpected flag in script shebang: " + flag);
        }
        flags |= bit;
      }
    }
    return flags;
  }

  /** The flag named {@code name} as Redis spells it ({@code no-writes} ...), or 0. */
  static int flagNamed(String name) {
    return switch (name) {
      case "no-writes" -> NO_WRITES;
      case "allow-oom" -> ALLOW_OOM;
      case "allow-stale" -> ALLOW_STALE;
      case "no-cluster" -> NO_CLUSTER;
      case "allow-cross-slot-keys" -> ALLOW_CROSS_SLOT;
      default -> 0;
    };
  }

  /** The names of {@code flags}, in Redis's order (FUNCTION LIST). */
  static java.util.List<String> flagNames(int flags) {
    java.util.List<String> out = new java.util.ArrayList<>();
    String[] names = {
      "no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"
    };
    int[] bits = {NO_WRITES, ALLOW_OOM, ALLOW_STALE, NO_CLUSTER, ALLOW_CROSS_SLOT};
    for (int i = 0; i < names.length; i++) {
      if ((flags & bits[i]) != 0) {
        out.add(names[i]);
      }
    }
    return out;
  }

  /** Where the shebang line ends (its line feed stays, so line numbers do not move), or 0. */
  static int shebangLength(byte[] body) {
    if (body.length < 2 || body[0] != '#' || body[1] != '!') {
      return 0;
    }
    int end = indexOf(body, (byte) '\n');
    return end < 0 ? 0 : end;
  }

  private static int indexOf(byte[] b, byte c) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
