package io.toridb.server.it;

import io.toridb.server.it.CommandScript.Mode;
import io.toridb.server.it.RandomCommands.Command;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generates random set commands over a few keys, for {@link RandomSetDifferentialIT}. Members come
 * from a pool of {@value #POOL_LIMIT} at most, mixing canonical integers (intset material) with
 * words and integers Redis does not take as integers, and the intset limit changes now and then, so
 * that sequences cross the intset-to-hashtable conversion in every command.
 *
 * <p>Replies that depend on a hashtable's order are compared as multisets. Random commands are only
 * generated where both servers must end up in the same state: SPOP and SRANDMEMBER with a count
 * above any set's size (the whole set), or a random SPOP that is followed at once by a DEL of its
 * key, its reply compared by type only.
 */
final class RandomSetCommands {
  private static final String[] KEYS = {"s0", "s1", "s2", "s3", "{s}4"};
  private static final String[] MEMBERS = {
    "0",
    "1",
    "2",
    "3",
    "5",
    "7",
    "10",
    "11",
    "42",
    "100",
    "-1",
    "-7",
    "1000",
    "65536",
    "-40000",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "01",
    "+1",
    "-0",
    " 1",
    "1.5",
    "9223372036854775808",
    "a",
    "b",
    "c",
    "foo",
    "bar",
    "",
    "\u0000\u00ff",
    "x".repeat(50)
  };

  /** No set can hold more members than the pool has, so a count above it takes everything. */
  static final int POOL_LIMIT = 32;

  private final Random random;
  private final List<Supplier<Command>> generators = new ArrayList<>();
  private final Deque<Command> pending = new ArrayDeque<>();

  RandomSetCommands(long seed) {
    random = new Random(seed);
    add(6, () -> exact(withMembers(List.of("SADD", key()), 1 + random.nextInt(5))));
    add(3, () -> exact(withMembers(List.of("SREM", key()), 1 + random.nextInt(3))));
    add(2, () -> exact("SCARD", key()));
    add(2, () -> exact("SISMEMBER", key(), member()));
    add(1, () -> exact(withMembers(List.of("SMISMEMBER", key()), 1 + random.nextInt(3))));
    add(2, () -> unordered("SMEMBERS", key()));
    add(3, () -> exact("OBJECT", "ENCODING", key()));
    add(2, () -> exact("SMOVE", key(), key(), member()));
    add(2, () -> unordered(keysCommand("SINTER", 1)));
    add(2, () -> unordered(keysCommand("SUNION", 1)));
    add(2, () -> unordered(keysCommand("SDIFF", 1)));
    add(2, this::sintercard);
    add(2, () -> store("SINTERSTORE"));
    add(2, () -> store("SUNIONSTORE"));
    add(3, () -> store("SDIFFSTORE"));
    add(2, this::spop);
    add(2, this::srandmember);
    add(1, this::sscan);
    add(1, () -> exact("DEL", key()));
    add(1, () -> exact("SET", key(), member()));
    add(1, () -> exact("COPY", key(), key(), "REPLACE"));
    add(1, () -> exact("TYPE", key()));
    add(1, () -> exact("DEBUG", "DIGEST-VALUE", key(), key()));
    add(1, () -> exact("CONFIG", "SET", "set-max-intset-entries", pick("2", "5", "8", "512")));
  }

  private void add(int weight, Supplier<Command> generator) {
    for (int i = 0; i < weight; i++) {
      generators.add(generator);
    }
  }

  Command next() {
    if (!pending.isEmpty()) {
      return pending.removeFirst();
    }
    if (random.nextInt(400) == 0) {
      return exact("FLUSHDB");
    }
    return generators.get(random.nextInt(generators.size())).get();
  }

  private Command sintercard() {
    int n = 1 + random.nextInt(3);
    List<String> args = new ArrayList<>(List.of("SINTERCARD", String.valueOf(n)));
    for (int i = 0; i < n; i++) {
      args.add(key());
    }
    switch (random.nextInt(5)) {
      case 0 -> args.addAll(List.of("LIMIT", String.valueOf(random.nextInt(4))));
      case 1 -> args.set(1, pick("0", "-1", "9", "x"));
      case 2 -> args.addAll(List.of("LIMIT", pick("-1", "abc")));
      case 3 -> args.add(pick("LIMIT", "BAD"));
      default -> {}
    }
    return exact(args.toArray(new String[0]));
  }

  private Command spop() {
    String key = key();
    return switch (random.nextInt(6)) {
      case 0 -> exact("SPOP", key, "0");
      case 1 -> unordered("SPOP", key, String.valueOf(POOL_LIMIT + random.nextInt(10)));
      case 2 -> exact("SPOP", key, pick("-1", "abc"));
      case 3 -> {
        // Pops differ between the servers: the key goes at once.
        pending.add(exact("DEL", key));
        yield typed("SPOP", key, String.valueOf(1 + random.nextInt(4)));
      }
      case 4 -> {
        pending.add(exact("DEL", key));
        yield typed("SPOP", key);
      }
      default -> exact("SPOP", key, "1", "2");
    };
  }

  private Command srandmember() {
    String key = key();
    return switch (random.nextInt(6)) {
      case 0 -> exact("SRANDMEMBER", key, "0");
      case 1 -> unordered("SRANDMEMBER", key, String.valueOf(POOL_LIMIT + random.nextInt(10)));
      case 2 -> typed("SRANDMEMBER", key, String.valueOf(random.nextInt(12) - 6));
      case 3 -> typed("SRANDMEMBER", key);
      case 4 -> exact("SRANDMEMBER", key, pick("abc", "-9223372036854775808", "1.5"));
      default -> exact("SRANDMEMBER", key, "1", "2");
    };
  }

  private Command sscan() {
    String key = key();
    return switch (random.nextInt(4)) {
      case 0 -> unordered("SSCAN", key, "0", "COUNT", "1000");
      case 1 -> unordered("SSCAN", key, "0", "MATCH", pick("*1*", "a*", "?", "*"), "COUNT", "1000");
      case 2 -> exact("SSCAN", key, pick("abc", "-"));
      default -> exact("SSCAN", key, "0", pick("BADOPT", "COUNT", "TYPE"), "0");
    };
  }

  /** A STORE command over up to five sources, followed by a look at the result's encoding. */
  private Command store(String name) {
    String[] args = keysCommand(name, 2, 5);
    pending.add(exact("OBJECT", "ENCODING", args[1]));
    return exact(args);
  }

  private String[] keysCommand(String name, int min) {
    return keysCommand(name, min, 3);
  }

  private String[] keysCommand(String name, int min, int spread) {
    int n = min + random.nextInt(spread);
    String[] args = new String[n + 1];
    args[0] = name;
    for (int i = 1; i <= n; i++) {
      args[i] = random.nextInt(12) == 0 ? "nokey" : key();
    }
    return args;
  }

  private String[] withMembers(List<String> start, int n) {
    List<String> args = new ArrayList<>(start);
    for (int i = 0; i < n; i++) {
      args.add(member());
    }
    return args.toArray(new String[0]);
  }

  private String key() {
    return KEYS[random.nextInt(KEYS.length)];
  }

  /** Mostly small integers, so intsets live long enough to matter. */
  private String member() {
    if (random.nextInt(3) > 0) {
      return MEMBERS[random.nextInt(12)];
    }
    return MEMBERS[random.nextInt(MEMBERS.length)];
  }

  private String pick(String... choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static Command exact(String... args) {
    return new Command(argv(args), Mode.EXACT, null);
  }

  private static Command unordered(String... args) {
    return new Command(argv(args), Mode.UNORDERED, null);
  }

  private static Command typed(String... args) {
    return new Command(argv(args), Mode.TYPE, null);
  }

  private static byte[][] argv(String... args) {
    byte[][] out = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      out[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    return out;
  }
}
