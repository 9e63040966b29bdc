package io.toridb.server.it;

import io.toridb.server.it.CommandScript.Mode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generates random commands over a few keys (strings, keyspace, expiry), all of whose replies are
 * deterministic: relative TTLs are long and only compared approximately, absolute ones lie near the
 * year 2100, an expiry in the past is only given to commands that delete the key at once, and
 * NX/XX/GT/LT are only combined with absolute times (a relative time is read from each server's own
 * clock, so two relative times could compare differently on the two).
 */
final class RandomCommands {
  /** One generated command and how its replies are compared. */
  record Command(byte[][] argv, Mode mode, String modeArg) {
    String display() {
      StringBuilder sb = new StringBuilder();
      for (byte[] a : argv) {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(Reply.quote(a));
      }
      return sb.toString();
    }
  }

  private static final String[] KEYS = {"k0", "k1", "k2", "k3", "k4", "{k}5"};
  private static final String[] VALUES = {
    "0",
    "1",
    "-1",
    "42",
    "10",
    "123456789",
    "9223372036854775807",
    "-9223372036854775808",
    "3.5",
    "-0.5",
    "1e3",
    "abc",
    "",
    "hello world",
    "007",
    " 1",
    "\u0000\u00ff",
    "x".repeat(44),
    "y".repeat(45),
    "ohmytext",
    "mynewtext"
  };
  private static final String[] INCREMENTS = {
    "1", "-1", "0", "5", "-100", "9223372036854775807", "abc", "1.5"
  };
  private static final String[] FLOATS = {"1.5", "-0.25", "3e2", "0.1", "1e-3", "10", "-7", "abc"};
  private static final long ABSOLUTE_SECONDS = 4102444800L; // 2100-01-01
  private static final String[] RELATIVE_SECONDS = {"1000", "3600", "50000", "100000"};

  // Option words in random order and number, to reach the syntax and conflict errors. No EXAT or
  // PXAT: with a random small number they would store an already expired key, which DBSIZE
  // counts until each server's active expiry happens to remove it.
  private static final String[] SET_TOKENS = {
    "NX", "XX", "GET", "KEEPTTL", "EX", "PX", "100000", "0", "-1", "abc", "4102444800", "BAD"
  };
  private static final String[] GETEX_TOKENS = {"EX", "PX", "PERSIST", "100000", "0", "abc", "BAD"};
  private static final String[] EXPIRE_TOKENS = {"NX", "XX", "GT", "LT", "BAD", "nx", "gt"};

  private final Random random;
  private final List<Supplier<Command>> generators = new ArrayList<>();

  RandomCommands(long seed) {
    random = new Random(seed);
    // Weights by repetition: common string commands more often.
    add(3, this::set);
    add(3, () -> exact("GET", key()));
    add(1, () -> exact("MGET", key(), key(), key()));
    add(1, () -> exact("SETNX", key(), value()));
    add(1, () -> exact("SETEX", key(), relativeSeconds(), value()));
    add(1, () -> exact("PSETEX", key(), relativeSeconds() + "000", value()));
    add(1, () -> exact("GETSET", key(), value()));
    add(1, () -> exact("MSET", key(), value(), key(), value()));
    add(1, () -> exact("MSETNX", key(), value(), key(), value()));
    add(1, () -> exact("GETDEL", key()));
    add(2, this::getex);
    add(1, () -> withJunk(List.of("SET", key(), value()), SET_TOKENS));
    add(1, () -> withJunk(List.of("GETEX", key()), GETEX_TOKENS));
    add(1, () -> withJunk(List.of("EXPIREAT", key(), absoluteSeconds()), EXPIRE_TOKENS));
    add(2, () -> exact("APPEND", key(), value()));
    add(1, () -> exact("STRLEN", key()));
    add(2, () -> exact(pick("INCR", "DECR"), key()));
    add(2, () -> exact(pick("INCRBY", "DECRBY"), key(), pick(INCREMENTS)));
    add(2, () -> exact("INCRBYFLOAT", key(), pick(FLOATS)));
    add(1, () -> exact("SETRANGE", key(), String.valueOf(random.nextInt(12)), value()));
    add(2, () -> exact(pick("GETRANGE", "SUBSTR"), key(), index(), index()));
    add(1, this::lcs);
    add(1, () -> exact("DEL", key(), key()));
    add(1, () -> exact("UNLINK", key()));
    add(1, () -> exact("EXISTS", key(), key(), key()));
    add(1, () -> exact("TYPE", key()));
    add(1, () -> exact("RENAME", key(), key()));
    add(1, () -> exact("RENAMENX", key(), key()));
    add(1, this::copy);
    add(1, () -> exact("MOVE", key(), pick("0", "1")));
    add(2, this::expire);
    add(1, () -> exact("PERSIST", key()));
    add(1, () -> new Command(argv("TTL", key()), Mode.APPROX, "1"));
    add(1, () -> new Command(argv("PTTL", key()), Mode.APPROX, "1000"));
    add(1, () -> new Command(argv("EXPIRETIME", key()), Mode.APPROX, "1"));
    add(1, () -> new Command(argv("PEXPIRETIME", key()), Mode.APPROX, "1000"));
    add(1, () -> exact("TOUCH", key(), key()));
    add(1, () -> exact("OBJECT", "ENCODING", key()));
    add(1, () -> exact("DBSIZE"));
    add(
        1,
        () -> new Command(argv("KEYS", pick("*", "k?", "k[0-2]", "{k}*")), Mode.UNORDERED, null));
    add(1, () -> new Command(argv("SCAN", "0", "COUNT", "1000"), Mode.UNORDERED, null));
    add(1, () -> new Command(argv("RANDOMKEY"), Mode.TYPE, null));
    add(1, () -> exact("SELECT", pick("0", "0", "1")));
    if (random.nextInt(4) == 0) {
      add(1, () -> exact("SWAPDB", "0", "1"));
    }
  }

  private void add(int weight, Supplier<Command> generator) {
    for (int i = 0; i < weight; i++) {
      generators.add(generator);
    }
  }

  Command next() {
    if (random.nextInt(500) == 0) {
      return exact("FLUSHDB");
    }
    return generators.get(random.nextInt(generators.size())).get();
  }

  private Command set() {
    List<String> args = new ArrayList<>(List.of("SET", key(), value()));
    switch (random.nextInt(4)) {
      case 0 -> args.add(pick("NX", "XX"));
      case 1 -> args.add("GET");
      default -> {}
    }
    boolean conditional = args.contains("NX") || args.contains("XX");
    switch (random.nextInt(6)) {
      case 0 -> args.addAll(List.of("EX", relativeSeconds()));
      case 1 -> args.addAll(List.of("PX", relativeSeconds() + "000"));
      case 2 -> args.addAll(List.of("EXAT", absoluteSeconds()));
      case 3 -> args.addAll(List.of("PXAT", absoluteSeconds() + "000"));
      case 4 -> args.add("KEEPTTL");
      default -> {}
    }
    if (conditional || random.nextInt(3) == 0) {
      args.add(random.nextBoolean() ? "GET" : "get");
    }
    return exact(args.toArray(new String[0]));
  }

  private Command withJunk(List<String> start, String[] tokens) {
    List<String> args = new ArrayList<>(start);
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      args.add(pick(tokens));
    }
    return exact(args.toArray(new String[0]));
  }

  private Command getex() {
    return switch (random.nextInt(7)) {
      case 0 -> exact("GETEX", key(), "EX", relativeSeconds());
      case 1 -> exact("GETEX", key(), "PXAT", absoluteSeconds() + "123");
      case 2 -> exact("GETEX", key(), "EXAT", absoluteSeconds());
      case 3 -> exact("GETEX", key(), "PERSIST");
      // A time in the past deletes the key.
      case 4 -> exact("GETEX", key(), "EXAT", "1");
      case 5 -> exact("GETEX", key(), "EX", "0");
      default -> exact("GETEX", key());
    };
  }

  private Command lcs() {
    return switch (random.nextInt(4)) {
      case 0 -> exact("LCS", key(), key());
      case 1 -> exact("LCS", key(), key(), "LEN");
      case 2 -> exact("LCS", key(), key(), "IDX", "WITHMATCHLEN");
      default ->
          exact("LCS", key(), key(), "IDX", "MINMATCHLEN", String.valueOf(random.nextInt(4)));
    };
  }

  private Command copy() {
    return switch (random.nextInt(3)) {
      case 0 -> exact("COPY", key(), key());
      case 1 -> exact("COPY", key(), key(), "REPLACE");
      default -> exact("COPY", key(), key(), "DB", pick("0", "1"), "REPLACE");
    };
  }

  private Command expire() {
    return switch (random.nextInt(6)) {
      case 0 -> exact("EXPIRE", key(), relativeSeconds());
      case 1 -> exact("PEXPIRE", key(), relativeSeconds() + "000");
      case 2 -> exact("EXPIREAT", key(), absoluteSeconds(), pick("NX", "XX", "GT", "LT"));
      case 3 -> exact("PEXPIREAT", key(), absoluteSeconds() + "500", pick("NX", "XX", "GT", "LT"));
      case 4 -> exact("EXPIREAT", key(), absoluteSeconds());
      // In the past: deletes the key (when the flags allow the change).
      default -> exact("EXPIREAT", key(), "1", pick("NX", "XX", "GT", "LT", "XX"));
    };
  }

  private String key() {
    return KEYS[random.nextInt(KEYS.length)];
  }

  private String value() {
    return VALUES[random.nextInt(VALUES.length)];
  }

  private String index() {
    return String.valueOf(random.nextInt(41) - 20);
  }

  private String relativeSeconds() {
    return RELATIVE_SECONDS[random.nextInt(RELATIVE_SECONDS.length)];
  }

  private String absoluteSeconds() {
    return String.valueOf(ABSOLUTE_SECONDS + random.nextInt(1000));
  }

  private String pick(String... choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static Command exact(String... args) {
    return new Command(argv(args), Mode.EXACT, null);
  }

  private static byte[][] argv(String... args) {
    byte[][] out = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      // ISO-8859-1 so "\u0000\u00ff" is the two bytes 00 ff.
      out[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    return out;
  }
}
