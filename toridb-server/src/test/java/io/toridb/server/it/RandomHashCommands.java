package io.toridb.server.it;

import io.toridb.server.it.CommandScript.Mode;
import io.toridb.server.it.RandomCommands.Command;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generates random hash commands over a few keys, for {@link RandomHashDifferentialIT}. Each
 * sequence starts by choosing small listpack thresholds, so hashes cross the listpack to hashtable
 * conversion often and OBJECT ENCODING checks that both servers convert at the same moment. Replies
 * whose order depends on the hash table (HKEYS, HVALS, HGETALL, whole-hash HRANDFIELD and HSCAN)
 * are compared as multisets; random picks only by type.
 */
final class RandomHashCommands {
  private static final String[] KEYS = {"h0", "h1", "h2", "{h}3", "s"};
  private static final String[] FIELDS = {
    "a", "b", "c", "d", "e", "f", "g", "", "1", "-1", "007", "f\u0000\u00ff", "long-field-name"
  };
  private static final String[] VALUES = {
    "0",
    "1",
    "-1",
    "42",
    "9223372036854775807",
    "-9223372036854775808",
    "3.5",
    "-0.25",
    "1e3",
    "0x10",
    "abc",
    "",
    " 1",
    "hello world",
    "\u0000\u00ff\r\n",
    "x".repeat(20),
    "y".repeat(65),
    "1.1e4932"
  };
  private static final String[] INCREMENTS = {
    "1", "-1", "0", "5", "-100", "9223372036854775807", "-9223372036854775808", "abc", "1.5", ""
  };
  private static final String[] FLOATS = {
    "1.5", "-0.25", "3e2", "0.1", "1e-3", "10", "-7", "abc", "inf", "1e4932", "0.3333333333333"
  };

  private final Random random;
  private final List<Supplier<Command>> generators = new ArrayList<>();
  private final List<Command> setup = new ArrayList<>();

  RandomHashCommands(long seed) {
    random = new Random(seed);
    setup.add(
        exact(
            "CONFIG", "SET", "hash-max-listpack-entries", pick("0", "3", "6", "16", "128", "512")));
    setup.add(exact("CONFIG", "SET", "hash-max-listpack-value", pick("0", "4", "16", "64")));
    add(6, this::hset);
    add(1, () -> exact("HMSET", key(), field(), value(), field(), value()));
    add(2, () -> exact("HSETNX", key(), field(), value()));
    add(4, () -> exact("HGET", key(), field()));
    add(2, () -> exact("HMGET", key(), field(), field(), field()));
    add(3, this::hdel);
    add(2, () -> exact("HLEN", key()));
    add(1, () -> exact("HSTRLEN", key(), field()));
    add(2, () -> exact("HEXISTS", key(), field()));
    add(1, () -> unordered("HKEYS", key()));
    add(1, () -> unordered("HVALS", key()));
    add(2, () -> unordered("HGETALL", key()));
    add(3, () -> exact("HINCRBY", key(), field(), pick(INCREMENTS)));
    add(3, () -> exact("HINCRBYFLOAT", key(), field(), pick(FLOATS)));
    add(2, this::hrandfield);
    add(2, this::hscan);
    add(3, () -> exact("OBJECT", "ENCODING", key()));
    add(2, () -> exact("DEBUG", "DIGEST-VALUE", key(), key()));
    add(1, () -> exact("DEL", key()));
    add(1, () -> exact("EXISTS", key(), key()));
    add(1, () -> exact("TYPE", key()));
    add(1, () -> exact("SET", "s", value()));
    add(1, () -> exact("COPY", key(), key(), "REPLACE"));
    add(1, () -> exact("RENAME", key(), key()));
    add(1, () -> exact("EXPIRE", key(), "100000"));
    add(1, () -> new Command(argv("TTL", key()), Mode.APPROX, "1"));
  }

  private void add(int weight, Supplier<Command> generator) {
    for (int i = 0; i < weight; i++) {
      generators.add(generator);
    }
  }

  Command next() {
    if (!setup.isEmpty()) {
      return setup.remove(0);
    }
    if (random.nextInt(300) == 0) {
      return exact("FLUSHDB");
    }
    return generators.get(random.nextInt(generators.size())).get();
  }

  private Command hset() {
    List<String> args = new ArrayList<>(List.of(pick("HSET", "hset"), key()));
    int pairs = 1 + random.nextInt(3);
    for (int i = 0; i < pairs; i++) {
      args.add(field());
      args.add(value());
    }
    if (random.nextInt(20) == 0) {
      args.remove(args.size() - 1); // Odd: the arity error.
    }
    return exact(args.toArray(new String[0]));
  }

  private Command hdel() {
    List<String> args = new ArrayList<>(List.of("HDEL", key()));
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      args.add(field());
    }
    return exact(args.toArray(new String[0]));
  }

  private Command hrandfield() {
    String key = key();
    return switch (random.nextInt(7)) {
      case 0 -> new Command(argv("HRANDFIELD", key), Mode.TYPE, null);
      case 1 -> new Command(argv("HRANDFIELD", key, pick("-3", "2")), Mode.TYPE, null);
      // At least the hash's size: the whole hash, in each server's own order.
      case 2 -> unordered("HRANDFIELD", key, "100");
      case 3 -> unordered("HRANDFIELD", key, "100", "WITHVALUES");
      case 4 -> exact("HRANDFIELD", key, "0");
      case 5 -> exact("HRANDFIELD", key, pick("abc", "-9223372036854775808"));
      default -> exact("HRANDFIELD", key, "1", pick("WITHVALUE", "x"));
    };
  }

  private Command hscan() {
    String key = key();
    return switch (random.nextInt(4)) {
      // A COUNT above the hash's size makes both servers return everything at once.
      case 0 -> unordered("HSCAN", key, "0", "COUNT", "1000");
      case 1 ->
          unordered("HSCAN", key, "0", "MATCH", pick("a*", "?", "*f*", "[a-c]"), "COUNT", "1000");
      case 2 -> exact("HSCAN", key, pick("abc", "-x"));
      // Errors, except on a missing key, which gives an empty scan first.
      default ->
          switch (random.nextInt(4)) {
            case 0 -> exact("HSCAN", key, "0", "COUNT", pick("0", "-1", "x"));
            case 1 -> exact("HSCAN", key, "0", "TYPE", "hash");
            case 2 -> exact("HSCAN", key, "0", "MATCH");
            default -> exact("HSCAN", key, "0", "BAD", "x");
          };
    };
  }

  private String key() {
    return KEYS[random.nextInt(KEYS.length)];
  }

  private String field() {
    return FIELDS[random.nextInt(FIELDS.length)];
  }

  private String value() {
    return VALUES[random.nextInt(VALUES.length)];
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

  private static byte[][] argv(String... args) {
    byte[][] out = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      out[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    return out;
  }
}
