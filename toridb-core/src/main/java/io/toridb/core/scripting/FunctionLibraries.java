package io.toridb.core.scripting;

import io.toridb.core.command.CommandException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.Prototype;

/**
 * The server's function libraries (Redis's functionsLibCtx): what FUNCTION LOAD and FUNCTION
 * RESTORE loaded, by library name, and their functions by function name, shared by every worker.
 *
 * <p>The registry holds what a library is (its code, compiled once, and the functions its code
 * registered); each worker's interpreter runs a library's code itself before its first FCALL into
 * it, to have the functions as closures of its own (see {@link LuaEngine}). Readers see an
 * immutable {@link State}, replaced whole by every change, so FCALL takes no lock.
 */
public final class FunctionLibraries {
  /**
   * One function a library registered.
   *
   * @param flags the script flags it declared ({@link Script#NO_WRITES} ...), never {@link
   *     Script#COMPAT}
   * @param description its description, or null
   */
  public record Function(String name, String description, int flags, Library library) {}

  /**
   * One library.
   *
   * @param code the whole text FUNCTION LOAD got, metadata line included (what FUNCTION DUMP and
   *     the persisted forms hold)
   * @param body the compiled code after the metadata line
   * @param functions the functions it registers, in the order it registered them, by lower-case
   *     name
   */
  public record Library(String name, byte[] code, Prototype body, Map<String, Function> functions) {
    public Library {
      functions = java.util.Collections.unmodifiableMap(functions);
    }

    // A library and its functions refer to each other: identity, not the generated methods, which
    // would recurse.
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }

    @Override
    public String toString() {
      return "Library[" + name + ", " + functions.keySet() + "]";
    }
  }

  /** One version of the registry. */
  record State(Map<String, Library> libraries, Map<String, Function> functions) {}

  private volatile State state = new State(Map.of(), Map.of());

  State state() {
    return state;
  }

  /** The libraries, in the order they were loaded. */
  public Collection<Library> libraries() {
    return state.libraries().values();
  }

  public int libraryCount() {
    return state.libraries().size();
  }

  public int functionCount() {
    return state.functions().size();
  }

  /** The function named {@code name} (in any case, as Redis), or null. */
  Function function(String name) {
    return state.functions().get(lower(name));
  }

  /** The library named {@code name} (names of libraries are case-sensitive), or null. */
  Library library(String name) {
    return state.libraries().get(name);
  }

  private static String lower(String name) {
    return name.toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Adds {@code added} (FUNCTION LOAD's one library, FUNCTION RESTORE's several), replacing any
   * library of the same names when {@code replace}, as Redis's libraryJoin: refused whole, with
   * Redis's error, when a name is taken (by a library, unless replaced, or by a function of a
   * library that stays).
   */
  synchronized void add(List<Library> added, boolean replace) {
    State s = state;
    Map<String, Library> libraries = new LinkedHashMap<>(s.libraries());
    for (Library l : added) {
      if (libraries.containsKey(l.name()) && !replace) {
        throw new CommandException("ERR Library " + l.name() + " already exists");
      }
      libraries.remove(l.name());
    }
    Map<String, Function> functions = functionsOf(libraries.values());
    for (Library l : added) {
      for (Function f : l.functions().values()) {
        if (functions.containsKey(lower(f.name()))) {
          throw new CommandException("ERR Function " + f.name() + " already exists");
        }
        functions.put(lower(f.name()), f);
      }
      libraries.put(l.name(), l);
    }
    state = new State(libraries, functions);
  }

  /** FUNCTION DELETE: false when there is no such library. */
  synchronized boolean delete(String name) {
    State s = state;
    if (!s.libraries().containsKey(name)) {
      return false;
    }
    Map<String, Library> libraries = new LinkedHashMap<>(s.libraries());
    libraries.remove(name);
    state = new State(libraries, functionsOf(libraries.values()));
    return true;
  }

  /** Drops every library: the data set is replaced (DEBUG RELOAD, DEBUG LOADAOF). */
  public void clear() {
    replaceAll(List.of());
  }

  /** FUNCTION FLUSH, and FUNCTION RESTORE's FLUSH policy with the libraries that replace them. */
  synchronized void replaceAll(List<Library> with) {
    Map<String, Library> libraries = new LinkedHashMap<>();
    for (Library l : with) {
      libraries.put(l.name(), l);
    }
    state = new State(libraries, functionsOf(libraries.values()));
  }

  private static Map<String, Function> functionsOf(Collection<Library> libraries) {
    Map<String, Function> functions = new LinkedHashMap<>();
    for (Library l : libraries) {
      functions.putAll(l.functions());
    }
    return functions;
  }

  /** Bytes of library code held (INFO's used_memory_functions counts them). */
  public long memory() {
    long n = 0;
    for (Library l : state.libraries().values()) {
      n += l.code().length + 64L * (1 + l.functions().size());
    }
    return n;
  }

  /** Library codes, for FUNCTION DUMP and the persisted forms. */
  public List<byte[]> codes() {
    List<byte[]> out = new ArrayList<>();
    for (Library l : state.libraries().values()) {
      out.add(l.code());
    }
    return out;
  }
}
