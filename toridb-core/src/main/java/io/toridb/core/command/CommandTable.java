package io.toridb.core.command;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one table of commands. Lookup goes by the request's bytes, case-insensitively, without
 * creating a String: an open-addressed array indexed by a hash of the lower-cased bytes.
 */
public final class CommandTable {
  private static final int SLOTS = 1024;

  private final CommandSpec[] slots = new CommandSpec[SLOTS];
  private final byte[][] slotNames = new byte[SLOTS][];
  private final Map<String, CommandSpec> byName = new TreeMap<>();

  public synchronized void add(CommandSpec spec) {
    if (byName.containsKey(spec.name())) {
      throw new IllegalStateException("duplicate command " + spec.name());
    }
    if (byName.size() >= SLOTS / 2) {
      throw new IllegalStateException("command table full");
    }
    byName.put(spec.name(), spec);
    byte[] lower = spec.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int i = hashLower(lower) & (SLOTS - 1);
    while (slots[i] != null) {
      i = (i + 1) & (SLOTS - 1);
    }
    slots[i] = spec;
    slotNames[i] = lower;
  }

  public void add(CommandSpec.Builder builder) {
    add(builder.build());
  }

  /**
   * Puts {@code builder}'s command in the place of the one of the same name: the server's own
   * version of a command core defines for a server without it (ROLE and WAIT with replication).
   */
  public synchronized void replace(CommandSpec.Builder builder) {
    CommandSpec spec = builder.build();
    if (!byName.containsKey(spec.name())) {
      throw new IllegalStateException("no command " + spec.name() + " to replace");
    }
    byName.put(spec.name(), spec);
    for (int i = 0; i < SLOTS; i++) {
      if (slots[i] != null && slots[i].name().equals(spec.name())) {
        slots[i] = spec;
      }
    }
  }

  /** The command named by {@code name} in any letter case, or null. */
  public CommandSpec lookup(byte[] name) {
    int i = hashLower(name) & (SLOTS - 1);
    while (true) {
      byte[] candidate = slotNames[i];
      if (candidate == null) {
        return null;
      }
      if (equalsLower(candidate, name)) {
        return slots[i];
      }
      i = (i + 1) & (SLOTS - 1);
    }
  }

  public CommandSpec lookup(String name) {
    return byName.get(name.toLowerCase(Locale.ROOT));
  }

  /** All top-level commands, sorted by name. */
  public Collection<CommandSpec> all() {
    return Collections.unmodifiableCollection(byName.values());
  }

  /** All commands and subcommands. */
  public List<CommandSpec> allWithSubcommands() {
    List<CommandSpec> out = new ArrayList<>();
    for (CommandSpec c : byName.values()) {
      out.add(c);
      out.addAll(c.subcommands().values());
    }
    return out;
  }

  public int size() {
    return byName.size();
  }

  private static int hashLower(byte[] b) {
    int h = 0;
    for (byte x : b) {
      int c = x;
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      h = h * 31 + c;
    }
    return h ^ (h >>> 10);
  }

  private static boolean equalsLower(byte[] lower, byte[] any) {
    if (lower.length != any.length) {
      return false;
    }
    for (int i = 0; i < lower.length; i++) {
      int c = any[i];
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      if (c != lower[i]) {
        return false;
      }
    }
    return true;
  }
}
