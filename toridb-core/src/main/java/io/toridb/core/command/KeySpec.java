package io.toridb.core.command;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * One key specification, as COMMAND INFO and COMMAND GETKEYSANDFLAGS show it. The search begins at
 * argument {@code index}; from there Redis has two ways of finding the keys:
 *
 * <ul>
 *   <li>range: the keys run to {@code lastKey} (0 = only that one, a positive n = n arguments
 *       further, -1 = the last argument, -2 the one before it), every {@code keyStep} arguments;
 *   <li>keynum ({@code keyNum} set): argument {@code index + lastKey} holds the number of keys,
 *       which start at {@code index + firstKey}, every {@code keyStep} arguments (ZUNIONSTORE's
 *       {@code numkeys key [key ...]}). Here {@code lastKey} plays Redis's keynumidx.
 * </ul>
 *
 * Or the search begins after a keyword ({@code keyword} set): the first argument from {@code
 * startFrom} on that equals it, ignoring case, is followed by the key (GEORADIUS's {@code STORE
 * key}); a negative {@code startFrom} searches backwards from that far before the end.
 *
 * <p>Or the keys cannot be found by looking at the arguments at all ({@code finder} set, Redis's
 * "unknown" begin_search and find_keys: SORT's BY and GET patterns, whose keys come from the data,
 * and its STORE, which may appear anywhere). COMMAND GETKEYS then asks the finder, as Redis falls
 * back to the command's own key function; locks use {@link #forEachAffectedKey}.
 *
 * <p>{@code flags} say what the command does with those keys (Redis's RO/RW/OW/RM plus access,
 * update, insert, delete, ...); {@code notes} explains unusual flags, or is null.
 */
public record KeySpec(
    int index,
    int lastKey,
    int keyStep,
    List<String> flags,
    String notes,
    boolean keyNum,
    int firstKey,
    String keyword,
    int startFrom,
    Finder finder) {
  /** Where the keys of an "unknown" spec are, for COMMAND GETKEYS and for locking. */
  public interface Finder {
    /** The keys Redis's own key function names for the call (COMMAND GETKEYS). */
    void keys(byte[][] argv, IntConsumer visitor);

    /** Every argument the command may use as such a key: a superset, for locking. */
    void affected(byte[][] argv, IntConsumer visitor);

    /**
     * The names of every key the command may use, for locking: by default the arguments {@link
     * #affected} names; a command whose keys are named inside an argument (SQL's tables, named in
     * its statement) gives them here.
     */
    default void affectedKeys(byte[][] argv, java.util.function.Consumer<byte[]> visitor) {
      affected(argv, pos -> visitor.accept(argv[pos]));
    }
  }

  /** Key spec flags in the order Redis prints them. */
  private static final List<String> ORDER =
      List.of(
          "RO",
          "RW",
          "OW",
          "RM",
          "access",
          "update",
          "insert",
          "delete",
          "not_key",
          "incomplete",
          "variable_flags");

  public KeySpec {
    flags = ordered(flags);
  }

  public KeySpec(int index, int lastKey, int keyStep, List<String> flags, String notes) {
    this(index, lastKey, keyStep, flags, notes, false, 0, null, 0, null);
  }

  /** Keys from {@code index} to {@code lastKey} (relative, see the class comment). */
  public static KeySpec range(int index, int lastKey, int keyStep, String... flags) {
    return new KeySpec(index, lastKey, keyStep, List.of(flags), null);
  }

  /**
   * A count of keys at {@code index + keyNumIndex}, the keys from {@code index + firstKey} (Redis's
   * keynum find_keys).
   */
  public static KeySpec keyNum(
      int index, int keyNumIndex, int firstKey, int keyStep, String... flags) {
    return new KeySpec(
        index, keyNumIndex, keyStep, List.of(flags), null, true, firstKey, null, 0, null);
  }

  /** One key, the argument after {@code keyword} (Redis's keyword begin_search). */
  public static KeySpec keyword(String keyword, int startFrom, String... flags) {
    return new KeySpec(0, 0, 1, List.of(flags), null, false, 0, keyword, startFrom, null);
  }

  /**
   * Keys that only the command can find (Redis's "unknown" begin_search and find_keys), explained
   * by {@code notes}.
   */
  public static KeySpec unknown(String notes, Finder finder, String... flags) {
    return new KeySpec(0, 0, 0, List.of(flags), notes, false, 0, null, 0, finder);
  }

  /** Whether this spec is an "unknown" one. */
  public boolean unknown() {
    return finder != null;
  }

  /** This spec with an explanation of its flags, which COMMAND INFO shows. */
  public KeySpec withNotes(String notes) {
    return new KeySpec(
        index, lastKey, keyStep, flags, notes, keyNum, firstKey, keyword, startFrom, finder);
  }

  /**
   * Calls {@code visitor} with the position of every key this spec finds in {@code argv}. A keynum
   * spec whose count is not a number, is negative, or claims more keys than there are arguments
   * finds none; the command itself rejects such a call.
   */
  public void forEachKey(byte[][] argv, IntConsumer visitor) {
    if (finder != null) {
      finder.keys(argv, visitor);
      return;
    }
    if (keyword != null) {
      int at = keywordAt(argv, startFrom);
      if (at > 0) {
        visitor.accept(at + 1);
      }
      return;
    }
    if (index >= argv.length) {
      return;
    }
    if (keyNum) {
      int countAt = index + lastKey;
      if (countAt >= argv.length) {
        return;
      }
      long count = Args.parseLongOr(argv[countAt], -1);
      int start = index + firstKey;
      if (count <= 0 || count > argv.length || start + (count - 1) * keyStep >= argv.length) {
        return;
      }
      for (int i = 0, pos = start; i < count; i++, pos += keyStep) {
        visitor.accept(pos);
      }
      return;
    }
    int last = lastKey >= 0 ? index + lastKey : argv.length + lastKey;
    last = Math.min(last, argv.length - 1);
    for (int i = index; i <= last; i += keyStep) {
      visitor.accept(i);
    }
  }

  /**
   * As {@link #forEachKey}, except that a keyword spec finds the argument after every occurrence of
   * its keyword: what a command may write when the keyword is repeated (GEORADIUS stores into the
   * last STORE's key, while Redis's key specs, and so COMMAND GETKEYS, name the first). Locks are
   * taken on these, a superset of the keys the command touches.
   */
  /** As {@link #forEachAffectedKey}, naming the keys themselves. */
  public void forEachAffectedKeyName(byte[][] argv, java.util.function.Consumer<byte[]> visitor) {
    if (finder != null) {
      finder.affectedKeys(argv, visitor);
      return;
    }
    forEachAffectedKey(argv, pos -> visitor.accept(argv[pos]));
  }

  public void forEachAffectedKey(byte[][] argv, IntConsumer visitor) {
    if (finder != null) {
      finder.affected(argv, visitor);
      return;
    }
    if (keyword == null) {
      forEachKey(argv, visitor);
      return;
    }
    for (int at = keywordAt(argv, startFrom); at > 0; ) {
      visitor.accept(at + 1);
      at = startFrom > 0 ? keywordAt(argv, at + 1) : keywordAt(argv, at - 1 - argv.length);
    }
  }

  /**
   * Where the keyword is, searching from {@code from} as Redis's getKeysUsingKeySpecs does (never
   * in the last argument, which no key could follow), or -1.
   */
  private int keywordAt(byte[][] argv, int from) {
    int argc = argv.length;
    int start = from > 0 ? from : argc + from;
    int end = from > 0 ? argc - 1 : 0;
    for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
      if (i >= argc || i < 1) {
        break;
      }
      if (Args.is(argv[i], keyword)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * {@code flags} spelled and ordered as Redis prints them.
   *
   * @throws IllegalArgumentException for a flag Redis does not have
   */
  static List<String> ordered(List<String> flags) {
    List<String> out = new ArrayList<>(flags.size());
    for (String f : ORDER) {
      for (String given : flags) {
        if (given.equalsIgnoreCase(f)) {
          out.add(f);
        }
      }
    }
    if (out.size() != flags.size()) {
      throw new IllegalArgumentException("unknown key spec flag in " + flags);
    }
    return List.copyOf(out);
  }
}
