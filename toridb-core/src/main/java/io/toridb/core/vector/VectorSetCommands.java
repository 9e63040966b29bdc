package io.toridb.core.vector;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.protocol.DoubleFormat;
import io.toridb.protocol.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The commands of Redis 8's vector sets (VADD, VSIM, VREM, VCARD, VDIM, VEMB, VINFO, VLINKS,
 * VSETATTR, VGETATTR, VRANDMEMBER, VISMEMBER, VRANGE) over {@link VectorSet} values, with Redis's
 * argument order, replies and error texts. Searches run on the worker like any other command (Redis
 * runs VSIM on a thread of its own; here the worker pool already spreads the load), so {@code
 * NOTHREAD} and {@code CAS} are accepted and change nothing.
 */
public final class VectorSetCommands {
  private VectorSetCommands() {}

  static final String INVALID_VECTOR = "ERR invalid vector specification";
  private static final int DEFAULT_BUILD_EF = 200;
  private static final int DEFAULT_SEARCH_EF = 100;
  private static final int DEFAULT_COUNT = 10;
  private static final int MAX_EF = 1_000_000;
  private static final String OUT_OF_RANGE = "ERR value is out of range";
  static final String PROJECTION_TOO_LARGE =
      "ERR REDUCE projection too large: at most "
          + VectorSet.MAX_PROJECTION
          + " entries (reduced times input dimension)";

  public static void register(CommandTable t) {
    add(
        t,
        "vadd",
        -5,
        WRITE | DENYOOM,
        VectorSetCommands::vadd,
        "Add one or more elements to a vector set, or update its vector if it already exists",
        "8.0.0");
    add(
        t,
        "vrem",
        3,
        WRITE,
        VectorSetCommands::vrem,
        "Remove an element from a vector set",
        "8.0.0");
    add(
        t,
        "vsim",
        -4,
        READONLY,
        VectorSetCommands::vsim,
        "Return elements by vector similarity",
        "8.0.0");
    add(
        t,
        "vdim",
        2,
        READONLY | FAST,
        VectorSetCommands::vdim,
        "Return the dimension of vectors in the vector set",
        "8.0.0");
    add(
        t,
        "vcard",
        2,
        READONLY | FAST,
        VectorSetCommands::vcard,
        "Return the number of elements in a vector set",
        "8.0.0");
    add(
        t,
        "vemb",
        -3,
        READONLY | FAST,
        VectorSetCommands::vemb,
        "Return the vector associated with an element",
        "8.0.0");
    add(
        t,
        "vlinks",
        -3,
        READONLY | FAST,
        VectorSetCommands::vlinks,
        "Return the neighbors of an element at each layer in the HNSW graph",
        "8.0.0");
    add(
        t,
        "vinfo",
        2,
        READONLY | FAST,
        VectorSetCommands::vinfo,
        "Return information about a vector set",
        "8.0.0");
    add(
        t,
        "vsetattr",
        4,
        WRITE | FAST,
        VectorSetCommands::vsetattr,
        "Associate or remove the JSON attributes of elements",
        "8.0.0");
    add(
        t,
        "vgetattr",
        3,
        READONLY | FAST,
        VectorSetCommands::vgetattr,
        "Retrieve the JSON attributes of elements",
        "8.0.0");
    add(
        t,
        "vrandmember",
        -2,
        READONLY,
        VectorSetCommands::vrandmember,
        "Return one or multiple random members from a vector set",
        "8.0.0");
    add(
        t,
        "vismember",
        3,
        READONLY,
        VectorSetCommands::vismember,
        "Check if an element exists in a vector set",
        "8.2.0");
    add(
        t,
        "vrange",
        -4,
        READONLY,
        VectorSetCommands::vrange,
        "Return vector set elements in a lex range",
        "8.4.0");
  }

  private static void add(
      CommandTable t,
      String name,
      int arity,
      int flags,
      io.toridb.core.command.CommandHandler handler,
      String summary,
      String since) {
    t.add(
        CommandSpec.builder(name, arity)
            .flags(flags)
            .keys(1, 1, 1)
            .group("module")
            .acl("vectorset")
            .doc(summary, since, "N/A")
            .handler(handler));
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing

  /**
   * A vector from the arguments: its components, input dimension and how many arguments it used.
   */
  record Input(float[] vector, int reduce, int consumed) {
    int dim() {
      return vector.length;
    }
  }

  /**
   * Parses {@code [REDUCE dim] FP32 blob | VALUES n v1 .. vn} at {@code at} (REDUCE only when
   * {@code allowReduce}); null when it is not a valid vector, as Redis's parseVector.
   */
  static Input parseVector(byte[][] argv, int at, boolean allowReduce) {
    int consumed = 0;
    int reduce = 0;
    if (allowReduce && argv.length > at + 2 && Args.is(argv[at], "REDUCE")) {
      long r = Args.parseLongOr(argv[at + 1], -1);
      if (r <= 0) {
        return null;
      }
      reduce = (int) Math.min(r, Integer.MAX_VALUE);
      at += 2;
      consumed += 2;
    }
    float[] vec;
    if (Args.is(argv[at], "FP32")) {
      if (argv.length < at + 2) {
        return null;
      }
      byte[] blob = argv[at + 1];
      if (blob.length % 4 != 0 || blob.length < 4 || blob.length / 4 > VectorSet.MAX_DIM) {
        return null;
      }
      vec = VectorSetCodec.floats(blob);
      consumed += 2;
    } else if (Args.is(argv[at], "VALUES")) {
      if (argv.length < at + 2) {
        return null;
      }
      long n = Args.parseLongOr(argv[at + 1], -1);
      if (n < 1 || n > VectorSet.MAX_DIM || argv.length < at + 2 + n) {
        return null;
      }
      vec = new float[(int) n];
      for (int j = 0; j < n; j++) {
        try {
          vec[j] = (float) Args.parseDouble(argv[at + 2 + j]);
        } catch (CommandException e) {
          return null;
        }
      }
      consumed += (int) n + 2;
    } else {
      return null;
    }
    if (reduce > vec.length) {
      return null;
    }
    return new Input(vec, reduce, consumed);
  }

  private static long longOption(byte[] arg, long min, long max, String error) {
    long v = Args.parseLong(arg, error);
    if (v < min || v > max) {
      throw new CommandException(error);
    }
    return v;
  }

  private static VectorSet read(CommandContext ctx, Key key) {
    return StoredValue.as(ctx.db().lookupRead(key, ctx.now()), VectorSet.class);
  }

  /** The set at {@code key} looked up for a write (expired keys go, statistics stay). */
  private static VectorSet write(CommandContext ctx, Key key) {
    return StoredValue.as(ctx.db().lookupWrite(key, ctx.now()), VectorSet.class);
  }

  /** A set and one of its elements' node. */
  private record Found(VectorSet set, Hnsw.Node node) {}

  /**
   * The set at {@code argv[1]} and the node of element {@code argv[2]}; null if either is missing.
   */
  private static Found find(CommandContext ctx, byte[][] argv) {
    VectorSet set = read(ctx, Key.of(argv[1]));
    Hnsw.Node node = set == null ? null : set.node(argv[2]);
    return node == null ? null : new Found(set, node);
  }

  /** As {@link #find}, replying nil (and returning null) when the key or element is missing. */
  private static Found findOrReplyNil(CommandContext ctx, byte[][] argv) {
    Found found = find(ctx, argv);
    if (found == null) {
      ctx.out().nullBulk();
    }
    return found;
  }

  private static String dimensionMismatch(int got, int has) {
    return "ERR Vector dimension mismatch - got " + got + " but set has " + has;
  }

  private static String projectionMismatch(int got, int expects) {
    return "ERR Input dimension mismatch for projection - got "
        + got
        + " but projection expects "
        + expects;
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  /**
   * VADD key [REDUCE dim] FP32 blob | VALUES n v1 .. vn element [CAS] [NOQUANT | Q8 | BIN] [EF
   * build-ef] [SETATTR json] [M numlinks]
   */
  static void vadd(CommandContext ctx, byte[][] argv) {
    Input in = parseVector(argv, 2, true);
    if (in == null) {
      throw new CommandException(INVALID_VECTOR);
    }
    int elementAt = 2 + in.consumed();
    if (elementAt >= argv.length) {
      throw new CommandException(Errors.wrongArity("vadd"));
    }
    long ef = DEFAULT_BUILD_EF;
    long m = Hnsw.DEFAULT_M;
    byte[] attributes = null;
    int quant = Hnsw.QUANT_Q8;
    for (int j = elementAt + 1; j < argv.length; j++) {
      byte[] opt = argv[j];
      boolean hasValue = j + 1 < argv.length;
      if (Args.is(opt, "CAS")) {
        continue;
      } else if (Args.is(opt, "EF") && hasValue) {
        ef = longOption(argv[++j], 1, MAX_EF, "ERR invalid EF");
      } else if (Args.is(opt, "M") && hasValue) {
        m = longOption(argv[++j], Hnsw.MIN_M, Hnsw.MAX_M, "ERR invalid M");
      } else if (Args.is(opt, "SETATTR") && hasValue) {
        attributes = argv[++j];
      } else if (Args.is(opt, "NOQUANT")) {
        quant = Hnsw.QUANT_NONE;
      } else if (Args.is(opt, "BIN")) {
        quant = Hnsw.QUANT_BIN;
      } else if (Args.is(opt, "Q8")) {
        quant = Hnsw.QUANT_Q8;
      } else {
        throw new CommandException("ERR invalid option after element");
      }
    }
    Database db = ctx.db();
    Key key = Key.of(argv[1]);
    VectorSet set = write(ctx, key);
    float[] vector = in.vector();
    boolean created = set == null;
    if (created) {
      if ((long) in.reduce() * in.dim() > VectorSet.MAX_PROJECTION) {
        throw new CommandException(PROJECTION_TOO_LARGE);
      }
      set = new VectorSet(in.reduce() != 0 ? in.reduce() : in.dim(), quant, (int) m);
      if (in.reduce() != 0) {
        set.project(in.dim());
      }
    } else {
      checkCompatible(set, in, quant, (int) m);
    }
    vector = set.reduce(vector);
    boolean added = set.add(argv[elementAt], vector, attributes, (int) ef);
    if (created) {
      db.put(key, set);
    }
    ctx.modified(key);
    ctx.propagate(argv);
    ctx.out().bool(added);
  }

  /** Refuses a VADD whose options or vector do not fit the existing set, as Redis does. */
  private static void checkCompatible(VectorSet set, Input in, int quant, int m) {
    if (set.quantization() != quant) {
      throw new CommandException("ERR asked quantization mismatch with existing vector set");
    }
    if (set.m() != m) {
      throw new CommandException("ERR asked M value mismatch with existing vector set");
    }
    if ((!set.hasProjection() && set.dim() != in.dim())
        || (set.hasProjection() && set.dim() != in.reduce())) {
      throw new CommandException(dimensionMismatch(in.dim(), set.dim()));
    }
    if (in.reduce() != 0 && !set.hasProjection()) {
      throw new CommandException("ERR cannot add projection to existing set without projection");
    }
    if (set.hasProjection() && in.dim() != set.projectionInput()) {
      throw new CommandException(projectionMismatch(in.dim(), set.projectionInput()));
    }
  }

  /** VREM key element */
  static void vrem(CommandContext ctx, byte[][] argv) {
    Key key = Key.of(argv[1]);
    VectorSet set = write(ctx, key);
    if (set == null || !set.remove(argv[2])) {
      ctx.out().bool(false);
      return;
    }
    if (set.size() == 0) {
      ctx.db().remove(key);
    }
    ctx.modified(key);
    ctx.propagate(argv);
    ctx.out().bool(true);
  }

  /** VSETATTR key element json */
  static void vsetattr(CommandContext ctx, byte[][] argv) {
    Key key = Key.of(argv[1]);
    VectorSet set = write(ctx, key);
    Hnsw.Node node = set == null ? null : set.node(argv[2]);
    if (node == null) {
      ctx.out().bool(false);
      return;
    }
    set.attributes(node, argv[3]);
    ctx.modified(key);
    ctx.propagate(argv);
    ctx.out().bool(true);
  }

  // ---------------------------------------------------------------------------------------------
  // Search

  /** The options of one VSIM. */
  private static final class Search {
    boolean withScores;
    boolean withAttributes;
    boolean truth;
    long count = DEFAULT_COUNT;
    long ef;
    float epsilon = 2.0f;
    long filterEf;
    VectorFilter filter;
  }

  /**
   * VSIM key ELE element | FP32 blob | VALUES n v1 .. vn [WITHSCORES] [WITHATTRIBS] [COUNT n]
   * [EPSILON d] [EF n] [FILTER expr] [FILTER-EF n] [TRUTH] [NOTHREAD]
   */
  static void vsim(CommandContext ctx, byte[][] argv) {
    VectorSet set = read(ctx, Key.of(argv[1]));
    if (set == null) {
      ctx.out().emptyArray();
      return;
    }
    Hnsw g = set.graph;
    float[] query;
    int used;
    if (Args.is(argv[2], "ELE")) {
      Hnsw.Node node = set.node(argv[3]);
      if (node == null) {
        throw new CommandException("ERR element not found in set");
      }
      query = g.vectorOf(node);
      used = 2;
    } else {
      Input in = parseVector(argv, 2, false);
      if (in == null) {
        throw new CommandException(INVALID_VECTOR);
      }
      query = in.vector();
      used = in.consumed();
      if (set.hasProjection() && query.length != set.dim()) {
        if (query.length != set.projectionInput()) {
          throw new CommandException(projectionMismatch(query.length, set.projectionInput()));
        }
        query = set.reduce(query);
      }
    }
    if (query.length != set.dim()) {
      throw new CommandException(dimensionMismatch(query.length, set.dim()));
    }
    Search s = searchOptions(argv, 2 + used);
    reply(ctx.out(), run(g, query, s), s);
  }

  private static Search searchOptions(byte[][] argv, int from) {
    Search s = new Search();
    for (int j = from; j < argv.length; j++) {
      byte[] opt = argv[j];
      boolean hasValue = j + 1 < argv.length;
      if (Args.is(opt, "WITHSCORES")) {
        s.withScores = true;
      } else if (Args.is(opt, "WITHATTRIBS")) {
        s.withAttributes = true;
      } else if (Args.is(opt, "TRUTH")) {
        s.truth = true;
      } else if (Args.is(opt, "NOTHREAD")) {
        continue;
      } else if (Args.is(opt, "COUNT") && hasValue) {
        s.count = longOption(argv[++j], 1, Long.MAX_VALUE, "ERR invalid COUNT");
      } else if (Args.is(opt, "EPSILON") && hasValue) {
        double e;
        try {
          e = Args.parseDouble(argv[++j]);
        } catch (CommandException bad) {
          throw new CommandException("ERR invalid EPSILON");
        }
        if (e <= 0) {
          throw new CommandException("ERR invalid EPSILON");
        }
        s.epsilon = (float) e;
      } else if (Args.is(opt, "EF") && hasValue) {
        s.ef = longOption(argv[++j], 1, MAX_EF, "ERR invalid EF");
      } else if (Args.is(opt, "FILTER-EF") && hasValue) {
        s.filterEf = longOption(argv[++j], 1, Long.MAX_VALUE, "ERR invalid FILTER-EF");
      } else if (Args.is(opt, "FILTER") && hasValue) {
        s.filter = compileFilter(argv[++j]);
      } else {
        throw new CommandException("ERR syntax error in VSIM command");
      }
    }
    return s;
  }

  private static VectorFilter compileFilter(byte[] expr) {
    try {
      return VectorFilter.compile(expr);
    } catch (VectorFilter.SyntaxError e) {
      int at = e.position() >= expr.length || e.position() < 0 ? 0 : e.position();
      // The expression is a C string there: the text shown ends at its first NUL.
      int end = at;
      while (end < expr.length && expr[end] != 0) {
        end++;
      }
      throw new CommandException(
          "ERR syntax error in FILTER expression near: "
              + new String(expr, at, end - at, StandardCharsets.ISO_8859_1));
    }
  }

  private static NodeQueue run(Hnsw g, float[] query, Search s) {
    long ef = s.ef == 0 ? DEFAULT_SEARCH_EF : s.ef;
    ef = Math.max(ef, s.count);
    ef = Math.min(ef, g.size);
    long filterEf = s.filterEf != 0 ? s.filterEf : s.count * 100;
    if (filterEf < 0 || filterEf > Integer.MAX_VALUE) {
      filterEf = Integer.MAX_VALUE;
    }
    VectorFilter f = s.filter;
    Hnsw.Filter accept = f == null ? null : node -> f.matches(node.attributes);
    Hnsw.Node q = g.queryNode(query);
    return s.truth ? g.scan(q, (int) ef, accept) : g.search(q, (int) ef, accept, (int) filterEf);
  }

  private static void reply(RespWriter out, NodeQueue found, Search s) {
    int n = 0;
    // "Not beyond epsilon", as Redis tests it: a NaN distance does not end the reply.
    while (n < found.count && n < s.count && !(found.distance(n) / 2 > s.epsilon)) {
      n++;
    }
    boolean resp3 = out.isResp3();
    if (resp3 && (s.withScores || s.withAttributes)) {
      out.mapHeader(n);
    } else {
      out.arrayHeader(n * (1 + (s.withScores ? 1 : 0) + (s.withAttributes ? 1 : 0)));
    }
    for (int i = 0; i < n; i++) {
      Hnsw.Node node = found.node(i);
      out.bulk(node.element);
      if (resp3 && s.withScores && s.withAttributes) {
        out.arrayHeader(2);
      }
      if (s.withScores) {
        out.doubleText(DoubleFormat.shortest(1.0 - found.distance(i) / 2.0));
      }
      if (s.withAttributes) {
        out.bulkOrNull(node.attributes);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /** VDIM key */
  static void vdim(CommandContext ctx, byte[][] argv) {
    VectorSet set = read(ctx, Key.of(argv[1]));
    if (set == null) {
      throw new CommandException("ERR key does not exist");
    }
    ctx.out().integer(set.dim());
  }

  /** VCARD key */
  static void vcard(CommandContext ctx, byte[][] argv) {
    VectorSet set = read(ctx, Key.of(argv[1]));
    ctx.out().integer(set == null ? 0 : set.size());
  }

  /** VISMEMBER key element */
  static void vismember(CommandContext ctx, byte[][] argv) {
    VectorSet set = read(ctx, Key.of(argv[1]));
    ctx.out().bool(set != null && set.node(argv[2]) != null);
  }

  /** VGETATTR key element */
  static void vgetattr(CommandContext ctx, byte[][] argv) {
    Found found = find(ctx, argv);
    ctx.out().bulkOrNull(found == null ? null : found.node().attributes);
  }

  /** VEMB key element [RAW] */
  static void vemb(CommandContext ctx, byte[][] argv) {
    boolean raw = false;
    for (int j = 3; j < argv.length; j++) {
      if (!Args.is(argv[j], "RAW")) {
        throw new CommandException("ERR invalid option");
      }
      raw = true;
    }
    Found found = findOrReplyNil(ctx, argv);
    if (found == null) {
      return;
    }
    RespWriter out = ctx.out();
    Hnsw g = found.set().graph;
    Hnsw.Node node = found.node();
    if (raw) {
      boolean q8 = g.quant == Hnsw.QUANT_Q8;
      out.arrayHeader(q8 ? 4 : 3);
      out.simple(quantName(g.quant));
      out.bulk(VectorSetCodec.vectorBytes(g, node));
      out.doubleText(DoubleFormat.shortest(node.l2));
      if (q8) {
        out.doubleText(DoubleFormat.shortest(node.range));
      }
      return;
    }
    float[] v = g.vectorOf(node);
    out.arrayHeader(v.length);
    for (float x : v) {
      out.doubleText(DoubleFormat.shortest(x));
    }
  }

  static String quantName(int quant) {
    return switch (quant) {
      case Hnsw.QUANT_NONE -> "f32";
      case Hnsw.QUANT_Q8 -> "int8";
      default -> "bin";
    };
  }

  /** VLINKS key element [WITHSCORES] */
  static void vlinks(CommandContext ctx, byte[][] argv) {
    if (argv.length > 4 || (argv.length == 4 && !Args.is(argv[3], "WITHSCORES"))) {
      throw new CommandException(Errors.wrongArity("vlinks"));
    }
    boolean withScores = argv.length == 4;
    Found found = findOrReplyNil(ctx, argv);
    if (found == null) {
      return;
    }
    RespWriter out = ctx.out();
    Hnsw g = found.set().graph;
    Hnsw.Node node = found.node();
    out.arrayHeader(node.level + 1);
    for (int level = node.level; level >= 0; level--) {
      int n = node.linkCount[level];
      if (withScores) {
        out.mapHeader(n);
      } else {
        out.arrayHeader(n);
      }
      for (int j = 0; j < n; j++) {
        Hnsw.Node linked = node.links[level][j];
        out.bulk(linked.element);
        if (withScores) {
          // Redis computes this similarity as a float.
          float similarity = (float) (1.0 - g.distance(node, linked) / 2.0);
          out.doubleText(DoubleFormat.shortest(similarity));
        }
      }
    }
  }

  /** VINFO key */
  static void vinfo(CommandContext ctx, byte[][] argv) {
    VectorSet set = read(ctx, Key.of(argv[1]));
    RespWriter out = ctx.out();
    if (set == null) {
      out.nullArray();
      return;
    }
    Hnsw g = set.graph;
    out.mapHeader(9);
    out.simple("quant-type");
    out.simple(quantName(g.quant));
    info(out, "hnsw-m", g.m);
    info(out, "vector-dim", g.dim);
    info(out, "projection-input-dim", set.projectionInput());
    info(out, "size", g.size);
    info(out, "max-level", g.maxLevel);
    info(out, "attributes-count", set.attributeCount());
    info(out, "vset-uid", set.uid());
    info(out, "hnsw-max-node-uid", g.lastId);
  }

  private static void info(RespWriter out, String name, long value) {
    out.simple(name);
    out.integer(value);
  }

  /** VRANDMEMBER key [count] */
  static void vrandmember(CommandContext ctx, byte[][] argv) {
    if (argv.length > 3) {
      throw new CommandException(Errors.wrongArity("vrandmember"));
    }
    boolean withCount = argv.length == 3;
    long count = 1;
    RespWriter out = ctx.out();
    if (withCount) {
      count = Args.parseLong(argv[2], "ERR COUNT value is not an integer");
      if (count == Long.MIN_VALUE) {
        // No positive count of that size: refused whatever the key holds, as Redis does.
        throw new CommandException(OUT_OF_RANGE);
      }
      if (count == 0) {
        out.emptyArray();
        return;
      }
    }
    VectorSet set = read(ctx, Key.of(argv[1]));
    if (set == null || set.size() == 0) {
      if (withCount) {
        out.emptyArray();
      } else {
        out.nullBulk();
      }
      return;
    }
    Hnsw g = set.graph;
    if (!withCount) {
      out.bulk(g.randomNode().element);
      return;
    }
    randomMembers(out, g, count);
  }

  /**
   * A negative count: that many random elements, repeats allowed; a positive one: distinct
   * elements, by random walks while they are at most a fifth of the set, else as a run of the node
   * list from a random node (Redis's own trade-off: fast, not really random).
   */
  private static void randomMembers(RespWriter out, Hnsw g, long count) {
    boolean repeats = count < 0;
    long n = repeats ? -count : Math.min(count, g.size);
    if (n > Integer.MAX_VALUE - 8) {
      throw new CommandException(OUT_OF_RANGE);
    }
    out.arrayHeader((int) n);
    if (repeats) {
      for (long i = 0; i < n; i++) {
        out.bulk(g.randomNode().element);
      }
    } else if (n <= g.size * 0.2) {
      Set<Hnsw.Node> seen = new HashSet<>();
      // Random walks may not reach enough distinct nodes (a graph restored without links, a
      // part cut off from the rest): after a bounded number of tries the list fills the rest.
      for (long tries = 0; seen.size() < n && tries < 20 * n + 100; tries++) {
        Hnsw.Node node = g.randomNode();
        if (seen.add(node)) {
          out.bulk(node.element);
        }
      }
      for (Hnsw.Node node = g.head; seen.size() < n; node = node.next) {
        if (seen.add(node)) {
          out.bulk(node.element);
        }
      }
    } else {
      Hnsw.Node current = g.randomNode();
      for (long i = 0; i < n; i++) {
        if (current == null) {
          current = g.head;
        }
        out.bulk(current.element);
        current = current.next;
      }
    }
  }

  /** VRANGE key start end [count] */
  static void vrange(CommandContext ctx, byte[][] argv) {
    if (argv.length > 5) {
      throw new CommandException(Errors.wrongArity("vrange"));
    }
    long count = -1;
    if (argv.length == 5) {
      count = Args.parseLongOr(argv[4], Long.MIN_VALUE);
      if (count == Long.MIN_VALUE) {
        throw new CommandException("ERR invalid COUNT value");
      }
    }
    byte[] start = argv[2];
    byte[] end = argv[3];
    if (!validBound(start)) {
      throw new CommandException("ERR invalid start range format");
    }
    if (!validBound(end)) {
      throw new CommandException("ERR invalid end range format");
    }
    if (isPlus(start) || isMinus(end)) {
      throw new CommandException("ERR '-' can only be used as first argument, '+' only as second");
    }
    VectorSet set = read(ctx, Key.of(argv[1]));
    RespWriter out = ctx.out();
    if (set == null) {
      out.emptyArray();
      return;
    }
    java.util.List<byte[]> found = new java.util.ArrayList<>();
    Iterable<byte[]> from =
        isMinus(start)
            ? set.elementsFrom(null, true)
            : set.elementsFrom(Arrays.copyOfRange(start, 1, start.length), start[0] == '[');
    for (byte[] e : from) {
      if (count >= 0 && found.size() >= count) {
        break;
      }
      if (!isPlus(end)) {
        int cmp = Arrays.compareUnsigned(e, 0, e.length, end, 1, end.length);
        if (end[0] == '[' ? cmp > 0 : cmp >= 0) {
          break;
        }
      }
      found.add(e);
    }
    out.arrayHeader(found.size());
    for (byte[] e : found) {
      out.bulk(e);
    }
  }

  private static boolean isMinus(byte[] b) {
    return b.length == 1 && b[0] == '-';
  }

  private static boolean isPlus(byte[] b) {
    return b.length == 1 && b[0] == '+';
  }

  private static boolean validBound(byte[] b) {
    return isMinus(b) || isPlus(b) || (b.length > 1 && (b[0] == '[' || b[0] == '('));
  }
}
