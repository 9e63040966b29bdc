package io.toridb.server.it;

import io.toridb.server.it.CommandScript.Mode;
import io.toridb.server.it.RandomCommands.Command;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generates random sorted set commands over a few keys, every option and many malformed arguments,
 * all with deterministic replies: random samples are compared by type, a skiplist ZSCAN as a
 * multiset, and lexicographic ranges only run on a key whose members all score 0 (Redis leaves
 * mixed-score lex ranges on a skiplist to chance). The listpack limits change now and then, so both
 * encodings and the conversions between them are reached.
 */
final class RandomZSetCommands {
  private static final String[] KEYS = {"z0", "z1", "z2", "{z}3", "str"};
  private static final String LEX = "lex";
  private static final String[] MEMBERS = {
    "a", "b", "c", "d", "e", "f", "g", "h", "1", "10", "-5", "", "\u0000\u00ff", "x".repeat(70)
  };
  private static final String[] SCORES = {
    "0",
    "1",
    "2",
    "-1",
    "2.5",
    "-0",
    "0.1",
    "1e20",
    "123456789012345678",
    "inf",
    "-inf",
    "+inf",
    "0x10",
    "1e-3",
    "3",
    "3",
    "7",
    "abc",
    "nan",
    " 1",
    ""
  };
  private static final String[] BOUNDS = {
    "-inf", "+inf", "0", "1", "(1", "2", "(2.5", "3", "(3", "10", "-1", "abc", "((1", "", "0x2"
  };
  private static final String[] LEX_BOUNDS = {
    "-", "+", "[a", "(a", "[c", "(c", "[", "(", "a", "[h"
  };
  private static final String[] INDEXES = {"0", "1", "2", "-1", "-2", "-100", "100", "x"};
  private static final String[] ZADD_OPTIONS = {"NX", "XX", "GT", "LT", "CH", "INCR", "nx", "ch"};

  private final Random random;
  private final List<Supplier<Command>> generators = new ArrayList<>();

  /** Commands each sequence starts with: the default listpack limits, which others may change. */
  private final List<Command> start =
      new ArrayList<>(
          List.of(
              exact("CONFIG", "SET", "zset-max-listpack-entries", "128"),
              exact("CONFIG", "SET", "zset-max-listpack-value", "64")));

  RandomZSetCommands(long seed) {
    random = new Random(seed);
    add(8, this::zadd);
    add(2, () -> exact("ZINCRBY", key(), score(), member()));
    add(3, () -> exact("ZREM", key(), member(), member()));
    add(2, () -> exact("ZCARD", key()));
    add(2, () -> exact("ZSCORE", key(), member()));
    add(1, () -> exact("ZMSCORE", key(), member(), member(), member()));
    add(2, () -> exact(pick("ZRANK", "ZREVRANK"), key(), member()));
    add(4, this::zrange);
    add(2, () -> exact(pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"), key(), bound(), bound()));
    add(
        2,
        () ->
            exact(
                pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"),
                key(),
                bound(),
                bound(),
                "WITHSCORES",
                "LIMIT",
                pick("0", "1", "-1", "3"),
                pick("1", "2", "-1", "0")));
    add(2, () -> exact("ZCOUNT", key(), bound(), bound()));
    add(1, () -> exact("ZREMRANGEBYRANK", key(), index(), index()));
    add(1, () -> exact("ZREMRANGEBYSCORE", key(), bound(), bound()));
    add(2, () -> exact("ZPOPMIN", key()));
    add(2, () -> exact(pick("ZPOPMIN", "ZPOPMAX"), key(), pick("0", "1", "2", "10", "-1", "x")));
    add(2, this::zmpop);
    add(1, () -> exact(pick("BZPOPMIN", "BZPOPMAX"), key(), key(), "0.01"));
    add(1, () -> exact("BZMPOP", "0.01", "2", key(), key(), pick("MIN", "MAX"), "COUNT", "2"));
    add(3, this::algebra);
    add(2, this::rangestore);
    add(1, () -> exact("ZRANDMEMBER", key(), "1000", pick("WITHSCORES", "withscores")));
    add(1, () -> exact("ZRANDMEMBER", key(), pick("0", "1000", "x")));
    add(1, () -> new Command(argv("ZRANDMEMBER", key(), pick("-3", "2")), Mode.TYPE, null));
    add(1, () -> new Command(argv("ZSCAN", key(), "0", "COUNT", "1000"), Mode.UNORDERED, null));
    add(2, () -> exact("OBJECT", "ENCODING", key()));
    add(1, () -> exact("DEBUG", "DIGEST-VALUE", key(), key()));
    add(1, () -> exact("DEL", key()));
    add(1, () -> exact("SET", "str", "value"));
    add(1, () -> exact("COPY", key(), key(), "REPLACE"));
    add(1, () -> exact("TYPE", key()));
    // The key whose members all score 0, for lexicographic ranges.
    add(2, () -> exact("ZADD", LEX, "0", member(), "0", member()));
    add(1, () -> exact("ZREM", LEX, member()));
    add(3, () -> exact(pick("ZRANGEBYLEX", "ZREVRANGEBYLEX"), LEX, lexBound(), lexBound()));
    add(
        1,
        () ->
            exact(
                "ZRANGEBYLEX",
                LEX,
                lexBound(),
                lexBound(),
                "LIMIT",
                pick("0", "1"),
                pick("1", "-1")));
    add(1, () -> exact("ZRANGE", LEX, lexBound(), lexBound(), "BYLEX", pick("REV", "LIMIT")));
    add(2, () -> exact("ZLEXCOUNT", LEX, lexBound(), lexBound()));
    add(1, () -> exact("ZREMRANGEBYLEX", LEX, lexBound(), lexBound()));
    add(1, () -> exact("ZRANGESTORE", key(), LEX, lexBound(), lexBound(), "BYLEX"));
  }

  private void add(int weight, Supplier<Command> generator) {
    for (int i = 0; i < weight; i++) {
      generators.add(generator);
    }
  }

  Command next() {
    if (!start.isEmpty()) {
      return start.remove(0);
    }
    int r = random.nextInt(400);
    if (r == 0) {
      return exact("FLUSHDB");
    }
    if (r < 4) {
      return exact("CONFIG", "SET", "zset-max-listpack-entries", pick("0", "3", "5", "128"));
    }
    if (r == 4) {
      return exact("CONFIG", "SET", "zset-max-listpack-value", pick("0", "1", "64"));
    }
    return generators.get(random.nextInt(generators.size())).get();
  }

  private Command zadd() {
    List<String> args = new ArrayList<>(List.of("ZADD", key()));
    int options = random.nextInt(3) == 0 ? random.nextInt(3) : 0;
    for (int i = 0; i < options; i++) {
      args.add(pick(ZADD_OPTIONS));
    }
    int pairs = 1 + random.nextInt(4);
    for (int i = 0; i < pairs; i++) {
      args.add(score());
      args.add(member());
    }
    if (random.nextInt(30) == 0) {
      args.add(score()); // an odd argument count
    }
    return exact(args.toArray(new String[0]));
  }

  private Command zrange() {
    List<String> args = new ArrayList<>(List.of("ZRANGE", key()));
    boolean byScore = random.nextBoolean();
    if (byScore) {
      args.addAll(List.of(bound(), bound(), "BYSCORE"));
    } else {
      args.addAll(List.of(index(), index()));
    }
    if (random.nextBoolean()) {
      args.add("REV");
    }
    if (random.nextBoolean()) {
      args.add("WITHSCORES");
    }
    if (random.nextInt(3) == 0) {
      args.addAll(List.of("LIMIT", pick("0", "1", "2"), pick("1", "3", "-1")));
    }
    return exact(args.toArray(new String[0]));
  }

  private Command zmpop() {
    List<String> args = new ArrayList<>(List.of("ZMPOP", pick("1", "2", "0", "x")));
    args.add(key());
    args.add(key());
    args.add(pick("MIN", "MAX", "min", "LEFT"));
    if (random.nextBoolean()) {
      args.addAll(List.of("COUNT", pick("1", "3", "0", "-1")));
    }
    return exact(args.toArray(new String[0]));
  }

  private Command algebra() {
    String op = pick("ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE");
    boolean store = op.endsWith("STORE");
    List<String> args = new ArrayList<>(List.of(op));
    if (store) {
      args.add(key());
    }
    int n = 1 + random.nextInt(3);
    args.add(random.nextInt(20) == 0 ? pick("0", "9", "x") : String.valueOf(n));
    for (int i = 0; i < n; i++) {
      args.add(key());
    }
    if (!op.startsWith("ZDIFF") && random.nextBoolean()) {
      args.add("WEIGHTS");
      for (int i = 0; i < n; i++) {
        args.add(pick("1", "2", "0.5", "-1", "0", "inf"));
      }
    }
    if (!op.startsWith("ZDIFF") && random.nextBoolean()) {
      args.addAll(List.of("AGGREGATE", pick("SUM", "MIN", "MAX", "AVG")));
    }
    if (!store && random.nextBoolean()) {
      args.add("WITHSCORES");
    }
    if (random.nextInt(3) == 0) {
      args = new ArrayList<>(List.of("ZINTERCARD", String.valueOf(n)));
      for (int i = 0; i < n; i++) {
        args.add(key());
      }
      if (random.nextBoolean()) {
        args.addAll(List.of("LIMIT", pick("0", "1", "-1")));
      }
    }
    return exact(args.toArray(new String[0]));
  }

  private Command rangestore() {
    return switch (random.nextInt(3)) {
      case 0 -> exact("ZRANGESTORE", key(), key(), index(), index());
      case 1 -> exact("ZRANGESTORE", key(), key(), bound(), bound(), "BYSCORE", "LIMIT", "0", "2");
      default -> exact("ZRANGESTORE", key(), key(), index(), index(), "REV");
    };
  }

  private String key() {
    return KEYS[random.nextInt(KEYS.length)];
  }

  private String member() {
    return MEMBERS[random.nextInt(MEMBERS.length)];
  }

  private String score() {
    return SCORES[random.nextInt(SCORES.length)];
  }

  private String bound() {
    return BOUNDS[random.nextInt(BOUNDS.length)];
  }

  private String lexBound() {
    return LEX_BOUNDS[random.nextInt(LEX_BOUNDS.length)];
  }

  private String index() {
    return INDEXES[random.nextInt(INDEXES.length)];
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
      out[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
    }
    return out;
  }
}
