package io.toridb.server.it;

import io.toridb.server.it.CommandScript.Mode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generates random list commands over a few keys, all of whose replies are deterministic. The
 * blocking commands get a timeout of 10 ms: with no other client, they are either served at once or
 * time out with the same null reply on both servers. A string key stands among the lists for the
 * wrong-type paths, and list-max-listpack-size changes now and then so that lists of every node
 * shape meet the same commands.
 */
final class ListRandomCommands {
  private static final String[] KEYS = {"l0", "l1", "l2", "{l}3", "str"};
  private static final String[] ELEMENTS = {
    "a",
    "b",
    "c",
    "",
    "0",
    "1",
    "-1",
    "12345",
    "9223372036854775807",
    "hello world",
    "\u0000\u00ff\r\n",
    "x".repeat(64),
    "y".repeat(200),
  };
  private static final String LARGE = "z".repeat(5000);
  private static final String[] FILLS = {"-2", "-2", "-1", "1", "2", "3", "5", "0", "-5"};

  private final Random random;
  private final List<Supplier<RandomCommands.Command>> generators = new ArrayList<>();

  ListRandomCommands(long seed) {
    random = new Random(seed);
    add(4, () -> exact(withElements(pick("LPUSH", "RPUSH"), key(), 1 + random.nextInt(4))));
    add(1, () -> exact(withElements(pick("LPUSHX", "RPUSHX"), key(), 1 + random.nextInt(3))));
    add(3, this::pop);
    add(1, () -> exact("LLEN", key()));
    add(2, () -> exact("LINDEX", key(), index()));
    add(3, () -> exact("LRANGE", key(), index(), index()));
    add(1, () -> exact("LSET", key(), index(), element()));
    add(2, () -> exact("LINSERT", key(), pick("BEFORE", "AFTER", "after"), element(), element()));
    add(2, () -> exact("LREM", key(), String.valueOf(random.nextInt(7) - 3), element()));
    add(1, () -> exact("LTRIM", key(), index(), index()));
    add(2, this::lpos);
    add(2, () -> exact("LMOVE", key(), key(), side(), side()));
    add(1, () -> exact("RPOPLPUSH", key(), key()));
    add(2, this::lmpop);
    add(1, () -> exact("BLPOP", key(), key(), "0.01"));
    add(1, () -> exact("BRPOP", key(), "0.01"));
    add(1, () -> exact("BLMOVE", key(), key(), side(), side(), "0.01"));
    add(1, () -> exact("BRPOPLPUSH", key(), key(), "0.01"));
    add(1, this::blmpop);
    add(1, () -> exact("SET", "str", element()));
    add(1, () -> exact("DEL", key()));
    add(1, () -> exact("EXISTS", key(), key()));
    add(1, () -> exact("TYPE", key()));
    add(1, () -> exact("OBJECT", "ENCODING", key()));
    add(1, () -> exact("DEBUG", "DIGEST-VALUE", key(), key()));
    add(1, () -> exact("COPY", key(), key(), "REPLACE"));
    add(1, () -> exact("RENAME", key(), key()));
  }

  private void add(int weight, Supplier<RandomCommands.Command> generator) {
    for (int i = 0; i < weight; i++) {
      generators.add(generator);
    }
  }

  RandomCommands.Command next() {
    int r = random.nextInt(400);
    if (r == 0) {
      return exact("FLUSHDB");
    }
    if (r < 4) {
      return exact("CONFIG", "SET", "list-max-listpack-size", pick(FILLS));
    }
    if (r < 6) {
      return exact("DEBUG", "DIGEST");
    }
    return generators.get(random.nextInt(generators.size())).get();
  }

  private RandomCommands.Command pop() {
    String cmd = pick("LPOP", "RPOP");
    return switch (random.nextInt(4)) {
      case 0 -> exact(cmd, key());
      case 1 -> exact(cmd, key(), String.valueOf(random.nextInt(6)));
      case 2 -> exact(cmd, key(), pick("-1", "abc", "100"));
      default -> exact(cmd, key(), "1");
    };
  }

  private RandomCommands.Command lpos() {
    List<String> args = new ArrayList<>(List.of("LPOS", key(), element()));
    int options = random.nextInt(4);
    for (int i = 0; i < options; i++) {
      switch (random.nextInt(7)) {
        case 0, 1 -> args.addAll(List.of("RANK", pick("1", "2", "-1", "-2", "3", "0")));
        case 2, 3 -> args.addAll(List.of("COUNT", pick("0", "1", "2", "5", "-1")));
        case 4, 5 -> args.addAll(List.of("MAXLEN", pick("0", "1", "3", "10", "-1")));
        default -> args.add(pick("BAD", "RANK"));
      }
    }
    return exact(args.toArray(new String[0]));
  }

  private List<String> mpopTail(int numkeys) {
    List<String> args = new ArrayList<>();
    args.add(random.nextInt(20) == 0 ? pick("0", "-1", "x") : String.valueOf(numkeys));
    for (int i = 0; i < numkeys; i++) {
      args.add(key());
    }
    args.add(random.nextInt(20) == 0 ? "MIDDLE" : side());
    if (random.nextBoolean()) {
      args.addAll(List.of("COUNT", pick("1", "2", "3", "10", "0")));
    }
    return args;
  }

  private RandomCommands.Command lmpop() {
    List<String> args = new ArrayList<>(List.of("LMPOP"));
    args.addAll(mpopTail(1 + random.nextInt(3)));
    return exact(args.toArray(new String[0]));
  }

  private RandomCommands.Command blmpop() {
    List<String> args = new ArrayList<>(List.of("BLMPOP", "0.01"));
    args.addAll(mpopTail(1 + random.nextInt(3)));
    return exact(args.toArray(new String[0]));
  }

  private String[] withElements(String cmd, String key, int n) {
    String[] args = new String[n + 2];
    args[0] = cmd;
    args[1] = key;
    for (int i = 0; i < n; i++) {
      args[i + 2] = element();
    }
    return args;
  }

  private String key() {
    return KEYS[random.nextInt(KEYS.length)];
  }

  private String element() {
    return random.nextInt(60) == 0 ? LARGE : ELEMENTS[random.nextInt(ELEMENTS.length)];
  }

  private String index() {
    return String.valueOf(random.nextInt(25) - 12);
  }

  private String side() {
    return pick("LEFT", "RIGHT", "left");
  }

  private String pick(String... choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static RandomCommands.Command exact(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    return new RandomCommands.Command(argv, Mode.EXACT, null);
  }
}
