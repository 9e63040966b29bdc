package io.toridb.core.zset;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Key;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.core.string.LongDouble;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The geospatial searches: GEOSEARCH, GEOSEARCHSTORE and the older GEORADIUS, GEORADIUS_RO,
 * GEORADIUSBYMEMBER and GEORADIUSBYMEMBER_RO, which return (or store) the members of a geo set
 * within a circle or an axis-aligned box around a point or a member.
 *
 * <p>The search is Redis 7.0's, so that the same data gives the same members in the same order: the
 * point is encoded as a geohash at a precision (step) estimated from the radius, the cell and its
 * eight neighbours cover the shape's bounding box (the precision lowered once when a neighbour does
 * not reach the box's edge, and neighbours that lie wholly outside it left out), each cell is a
 * score range of the set read in score order, and each member found there is kept when its decoded
 * position is inside the shape. Without ASC, DESC or COUNT the members come in that order (the
 * centre cell, then north, south, east, west, north-east, north-west, south-east, south-west).
 */
final class GeoSearch {
  private GeoSearch() {}

  private static final double EARTH_RADIUS_IN_METERS = 6372797.560856;
  private static final double MERCATOR_MAX = 20037726.37;
  private static final double D_R = Math.PI / 180.0;
  private static final int STEP_MAX = 26;

  /** The command variants, as flags: where the centre comes from and what may be stored. */
  private static final int COORDS = 1;

  private static final int MEMBER = 1 << 1;
  private static final int NO_STORE = 1 << 2;
  private static final int SEARCH = 1 << 3;
  private static final int SEARCH_STORE = 1 << 4;

  private static final String COMPLEXITY_RADIUS =
      "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area"
          + " delimited by center and radius and M is the number of items inside the index.";
  private static final String COMPLEXITY_SEARCH =
      "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around"
          + " the shape provided as the filter and M is the number of items inside the shape";

  static void register(CommandTable t) {
    t.add(
        radius("georadius", -6, WRITE | DENYOOM, 6)
            .doc(
                "Query a sorted set representing a geospatial index to fetch members matching a"
                    + " given maximum distance from a point",
                "3.2.0",
                COMPLEXITY_RADIUS)
            .handler((ctx, argv) -> search(ctx, argv, 1, COORDS)));
    t.add(
        radius("georadius_ro", -6, READONLY, 0)
            .doc("A read-only variant for GEORADIUS", "3.2.10", COMPLEXITY_RADIUS)
            .handler((ctx, argv) -> search(ctx, argv, 1, COORDS | NO_STORE)));
    t.add(
        radius("georadiusbymember", -5, WRITE | DENYOOM, 5)
            .doc(
                "Query a sorted set representing a geospatial index to fetch members matching a"
                    + " given maximum distance from a member",
                "3.2.0",
                COMPLEXITY_RADIUS)
            .handler((ctx, argv) -> search(ctx, argv, 1, MEMBER)));
    t.add(
        radius("georadiusbymember_ro", -5, READONLY, 0)
            .doc("A read-only variant for GEORADIUSBYMEMBER", "3.2.10", COMPLEXITY_RADIUS)
            .handler((ctx, argv) -> search(ctx, argv, 1, MEMBER | NO_STORE)));
    t.add(
        radius("geosearch", -7, READONLY, 0)
            .doc(
                "Query a sorted set representing a geospatial index to fetch members inside an"
                    + " area of a box or a circle.",
                "6.2.0",
                COMPLEXITY_SEARCH)
            .handler((ctx, argv) -> search(ctx, argv, 1, SEARCH)));
    t.add(
        CommandSpec.builder("geosearchstore", -8)
            .flags(WRITE | DENYOOM)
            .keys(1, 2, 1)
            .keySpec(KeySpec.range(1, 0, 1, "OW", "update"))
            .keySpec(KeySpec.range(2, 0, 1, "RO", "access"))
            .group("geo")
            .doc(
                "Query a sorted set representing a geospatial index to fetch members inside an"
                    + " area of a box or a circle, and store the result in another key.",
                "6.2.0",
                COMPLEXITY_SEARCH)
            .handler((ctx, argv) -> search(ctx, argv, 2, SEARCH | SEARCH_STORE)));
  }

  /**
   * A search command reading the set at argument 1; {@code storeFrom} &gt; 0 when STORE and
   * STOREDIST may name a destination from that argument on (GEORADIUS, GEORADIUSBYMEMBER).
   */
  private static CommandSpec.Builder radius(String name, int arity, int flags, int storeFrom) {
    CommandSpec.Builder b =
        CommandSpec.builder(name, arity)
            .flags(flags)
            .keys(1, 1, 1)
            .keySpec(KeySpec.range(1, 0, 1, "RO", "access"))
            .group("geo");
    if (storeFrom > 0) {
      b.keySpec(KeySpec.keyword("STORE", storeFrom, "OW", "update"));
      b.keySpec(KeySpec.keyword("STOREDIST", storeFrom, "OW", "update"));
    }
    return b;
  }

  /** What is searched: a circle or a box around a point, in a unit. */
  private static final class Shape {
    boolean box;
    double longitude;
    double latitude;

    /** The radius, or the box's width and height, in the unit. */
    double radius;

    double width;
    double height;

    /** Meters per unit. */
    double conversion;

    /** Of the bounding box: minimum and maximum longitude and latitude. */
    double minLon;

    double maxLon;
    double minLat;
    double maxLat;
  }

  /** A member found inside the shape. */
  private record Found(
      byte[] member, double score, double longitude, double latitude, double dist) {}

  /**
   * GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT
   * count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key], the other variants, GEOSEARCH key
   * FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius unit|BYBOX width height unit
   * [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH], and GEOSEARCHSTORE
   * destination source ... [STOREDIST]: Redis's georadiusGeneric, argument errors in its order.
   */
  static void search(CommandContext ctx, byte[][] argv, int srcIndex, int flags) {
    ZSetValue z = ZSetCommands.readZSet(ctx, Key.of(argv[srcIndex]));
    Shape shape = new Shape();
    int base;
    byte[] storeKey = null;
    boolean storeDist = false;
    if ((flags & COORDS) != 0) {
      base = 6;
      lonLat(argv, 2, shape);
      distance(argv, base - 2, shape);
    } else if ((flags & MEMBER) != 0) {
      base = 5;
      if (z != null) {
        fromMember(z, argv[2], shape);
        distance(argv, base - 2, shape);
      }
    } else {
      base = 2;
      if ((flags & SEARCH_STORE) != 0) {
        base = 3;
        storeKey = argv[1];
      }
    }
    boolean withDist = false;
    boolean withHash = false;
    boolean withCoord = false;
    boolean fromMember = false;
    boolean fromLonLat = false;
    boolean byRadius = false;
    boolean byBox = false;
    int sort = 0;
    boolean any = false;
    long count = 0;
    boolean search = (flags & SEARCH) != 0;
    boolean mayStore = (flags & NO_STORE) == 0 && !search;
    int remaining = argv.length - base;
    for (int i = 0; i < remaining; i++) {
      byte[] arg = argv[base + i];
      if (Args.is(arg, "WITHDIST")) {
        withDist = true;
      } else if (Args.is(arg, "WITHHASH")) {
        withHash = true;
      } else if (Args.is(arg, "WITHCOORD")) {
        withCoord = true;
      } else if (Args.is(arg, "ANY")) {
        any = true;
      } else if (Args.is(arg, "ASC")) {
        sort = 1;
      } else if (Args.is(arg, "DESC")) {
        sort = -1;
      } else if (Args.is(arg, "COUNT") && i + 1 < remaining) {
        count = Args.parseLong(argv[base + i + 1], Errors.NOT_INTEGER);
        if (count <= 0) {
          throw new CommandException("ERR COUNT must be > 0");
        }
        i++;
      } else if (Args.is(arg, "STORE") && i + 1 < remaining && mayStore) {
        storeKey = argv[base + i + 1];
        storeDist = false;
        i++;
      } else if (Args.is(arg, "STOREDIST") && i + 1 < remaining && mayStore) {
        storeKey = argv[base + i + 1];
        storeDist = true;
        i++;
      } else if (Args.is(arg, "STOREDIST") && search && (flags & SEARCH_STORE) != 0) {
        storeDist = true;
      } else if (Args.is(arg, "FROMMEMBER") && i + 1 < remaining && search && !fromLonLat) {
        // Without the set, parsing goes on and the missing key decides the reply.
        if (z != null) {
          fromMember(z, argv[base + i + 1], shape);
        }
        fromMember = true;
        i++;
      } else if (Args.is(arg, "FROMLONLAT") && i + 2 < remaining && search && !fromMember) {
        lonLat(argv, base + i + 1, shape);
        fromLonLat = true;
        i += 2;
      } else if (Args.is(arg, "BYRADIUS") && i + 2 < remaining && search && !byBox) {
        distance(argv, base + i + 1, shape);
        shape.box = false;
        byRadius = true;
        i += 2;
      } else if (Args.is(arg, "BYBOX") && i + 3 < remaining && search && !byRadius) {
        box(argv, base + i + 1, shape);
        shape.box = true;
        byBox = true;
        i += 3;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
    }
    if (storeKey != null && (withDist || withHash || withCoord)) {
      throw new CommandException(
          "ERR "
              + ((flags & SEARCH_STORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
              + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
    }
    String name = new String(argv[0], java.nio.charset.StandardCharsets.ISO_8859_1);
    if (search && !(fromMember || fromLonLat)) {
      throw new CommandException(
          "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + name);
    }
    if (search && !(byRadius || byBox)) {
      throw new CommandException(
          "ERR exactly one of BYRADIUS and BYBOX can be specified for " + name);
    }
    if (any && count == 0) {
      throw new CommandException("ERR the ANY argument requires COUNT argument");
    }
    if (z == null) {
      if (storeKey != null) {
        deleteDestination(ctx, Key.of(storeKey));
        ctx.out().integer(0);
      } else {
        ctx.out().arrayHeader(0);
      }
      return;
    }
    // COUNT means the closest ones unless ANY says any will do.
    if (count != 0 && sort == 0 && !any) {
      sort = 1;
    }
    List<Found> found = find(z, shape, any ? count : 0);
    if (found.isEmpty() && storeKey == null) {
      ctx.out().arrayHeader(0);
      return;
    }
    int returned = count == 0 || found.size() < count ? found.size() : (int) count;
    if (sort != 0) {
      Comparator<Found> byDist = Comparator.comparingDouble(Found::dist);
      // Stable, as the C library's sort Redis calls for a whole result is here, so equal
      // distances keep the order they were found in. With a COUNT that cuts the result Redis
      // sorts partially, which is not stable: equal distances there may come in another order.
      found.sort(sort > 0 ? byDist : byDist.reversed());
    }
    if (storeKey == null) {
      reply(ctx.out(), found, returned, shape.conversion, withDist, withHash, withCoord);
    } else {
      store(ctx, argv, Key.of(storeKey), found, returned, shape.conversion, storeDist, search);
    }
  }

  private static void reply(
      RespWriter out,
      List<Found> found,
      int returned,
      double conversion,
      boolean withDist,
      boolean withHash,
      boolean withCoord) {
    int options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0);
    out.arrayHeader(returned);
    for (int i = 0; i < returned; i++) {
      Found f = found.get(i);
      if (options > 0) {
        out.arrayHeader(options + 1);
      }
      out.bulk(f.member());
      if (withDist) {
        out.bulk(Args.bytes(GeoCommands.fixed4(f.dist() / conversion)));
      }
      if (withHash) {
        out.integer((long) f.score());
      }
      if (withCoord) {
        out.arrayHeader(2);
        out.doubleText(LongDouble.human(f.longitude()));
        out.doubleText(LongDouble.human(f.latitude()));
      }
    }
  }

  /** STORE, STOREDIST and GEOSEARCHSTORE: the members found, scored by position or distance. */
  private static void store(
      CommandContext ctx,
      byte[][] argv,
      Key dst,
      List<Found> found,
      int returned,
      double conversion,
      boolean storeDist,
      boolean search) {
    if (returned == 0) {
      deleteDestination(ctx, dst);
      ctx.out().integer(0);
      return;
    }
    ZSetLimits limits = ZSetLimits.of(ctx);
    ZSetValue z = returned > limits.maxEntries() ? ZSetValue.ranked(returned) : ZSetValue.packed();
    ZSetValue.AddOutcome outcome = new ZSetValue.AddOutcome();
    for (int i = 0; i < returned; i++) {
      Found f = found.get(i);
      z.add(storeDist ? f.dist() / conversion : f.score(), f.member(), 0, limits, outcome);
    }
    z.touch(ctx.now());
    ctx.db().put(dst, z);
    ctx.modified(dst);
    // Redis counts every member stored as a change.
    ctx.server().stats().dirty.add(returned - 1);
    ctx.notify(KeyspaceEvents.ZSET, search ? "geosearchstore" : "georadiusstore", dst);
    ctx.propagate(argv);
    ctx.out().integer(returned);
  }

  private static void deleteDestination(CommandContext ctx, Key dst) {
    ctx.deleteForEmptyResult(dst, new byte[][] {Args.bytes("DEL"), dst.bytes()});
  }

  // ---------------------------------------------------------------------------------------------
  // Arguments

  /** A longitude and a latitude from {@code argv[at]} on, within the range GEOADD accepts. */
  private static void lonLat(byte[][] argv, int at, Shape shape) {
    double lon = ZSetCommands.parseScore(argv[at], Errors.NOT_FLOAT);
    double lat = ZSetCommands.parseScore(argv[at + 1], Errors.NOT_FLOAT);
    GeoCommands.checkLonLat(lon, lat);
    shape.longitude = lon;
    shape.latitude = lat;
  }

  private static void fromMember(ZSetValue z, byte[] member, Shape shape) {
    double score = z.score(member);
    if (Double.isNaN(score)) {
      throw new CommandException("ERR could not decode requested zset member");
    }
    double[] xy = GeoCommands.decode(score);
    shape.longitude = xy[0];
    shape.latitude = xy[1];
  }

  /** A radius and its unit from {@code argv[at]} on. */
  private static void distance(byte[][] argv, int at, Shape shape) {
    double r = ZSetCommands.parseScore(argv[at], "ERR need numeric radius");
    if (r < 0) {
      throw new CommandException("ERR radius cannot be negative");
    }
    shape.radius = r;
    shape.conversion = GeoCommands.unit(argv[at + 1]);
  }

  /** A width, a height and their unit from {@code argv[at]} on. */
  private static void box(byte[][] argv, int at, Shape shape) {
    double w = ZSetCommands.parseScore(argv[at], "ERR need numeric width");
    double h = ZSetCommands.parseScore(argv[at + 1], "ERR need numeric height");
    if (h < 0 || w < 0) {
      throw new CommandException("ERR height or width cannot be negative");
    }
    shape.width = w;
    shape.height = h;
    shape.conversion = GeoCommands.unit(argv[at + 2]);
  }

  // ---------------------------------------------------------------------------------------------
  // The search

  /**
   * The members of {@code z} inside the shape, cell by cell; stops once it has {@code limit} of
   * them (0: no limit).
   */
  static List<Found> find(ZSetValue z, Shape shape, long limit) {
    long[] cells = cells(shape);
    int step = (int) cells[9];
    List<Found> found = new ArrayList<>();
    int lastProcessed = 0;
    for (int i = 0; i < 9; i++) {
      if (cells[i] < 0) {
        continue;
      }
      // A huge radius can make adjacent neighbours the same cell: read each run of them once.
      if (lastProcessed != 0 && cells[i] == cells[lastProcessed]) {
        continue;
      }
      if (limit != 0 && found.size() >= limit) {
        break;
      }
      double min = align52(cells[i], step);
      double max = align52(cells[i] + 1, step);
      readCell(z, min, max, shape, found, limit);
      lastProcessed = i;
    }
    return found;
  }

  /** Appends the members with scores in [min, max) that are inside the shape. */
  private static void readCell(
      ZSetValue z, double min, double max, Shape shape, List<Found> found, long limit) {
    int first = z.firstInRange(new ScoreRange(min, false, max, true));
    if (first < 0) {
      return;
    }
    for (ZSetValue.Cursor c = z.cursor(first); c.valid() && c.score() < max; c.next()) {
      double score = c.score();
      double[] xy = GeoCommands.decode(score);
      double dist = within(shape, xy[0], xy[1]);
      if (!Double.isNaN(dist)) {
        found.add(new Found(c.member(), score, xy[0], xy[1], dist));
      }
      if (limit != 0 && found.size() >= limit) {
        break;
      }
    }
  }

  /** The distance in meters from the shape's centre to the point, or NaN when outside it. */
  private static double within(Shape s, double lon, double lat) {
    if (!s.box) {
      double d = GeoCommands.distance(s.longitude, s.latitude, lon, lat);
      return d > s.radius * s.conversion ? Double.NaN : d;
    }
    double width = s.width * s.conversion;
    double height = s.height * s.conversion;
    // The latitude's distance is the cheaper one, so it is checked first.
    if (latDistance(lat, s.latitude) > height / 2) {
      return Double.NaN;
    }
    if (GeoCommands.distance(lon, lat, s.longitude, lat) > width / 2) {
      return Double.NaN;
    }
    return GeoCommands.distance(s.longitude, s.latitude, lon, lat);
  }

  private static double latDistance(double lat1, double lat2) {
    return EARTH_RADIUS_IN_METERS * Math.abs(lat2 * D_R - lat1 * D_R);
  }

  /**
   * The nine cells to read, as their geohash bits (-1 for one left out): the centre, north, south,
   * east, west, north-east, north-west, south-east, south-west; then, at index 9, their step.
   */
  static long[] cells(Shape s) {
    boundingBox(s);
    double radiusMeters =
        s.box
            ? Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2))
            : s.radius;
    radiusMeters *= s.conversion;
    int step = estimateStep(radiusMeters, s.latitude);
    long hash = encode(s.longitude, s.latitude, step);
    // The estimate may fall short where the box reaches past a neighbour: one step coarser then.
    if (step > 1
        && (areaLat(move(hash, step, 0, 1), step)[1] < s.maxLat
            || areaLat(move(hash, step, 0, -1), step)[0] > s.minLat
            || areaLon(move(hash, step, 1, 0), step)[1] < s.maxLon
            || areaLon(move(hash, step, -1, 0), step)[0] > s.minLon)) {
      step--;
      hash = encode(s.longitude, s.latitude, step);
    }
    long[] cells = {
      hash,
      move(hash, step, 0, 1),
      move(hash, step, 0, -1),
      move(hash, step, 1, 0),
      move(hash, step, -1, 0),
      move(hash, step, 1, 1),
      move(hash, step, -1, 1),
      move(hash, step, 1, -1),
      move(hash, step, -1, -1),
      step
    };
    if (step >= 2) {
      // Neighbours wholly outside the bounding box are not read.
      double[] lat = areaLat(hash, step);
      double[] lon = areaLon(hash, step);
      if (lat[0] < s.minLat) {
        drop(cells, 2, 8, 7);
      }
      if (lat[1] > s.maxLat) {
        drop(cells, 1, 5, 6);
      }
      if (lon[0] < s.minLon) {
        drop(cells, 4, 8, 6);
      }
      if (lon[1] > s.maxLon) {
        drop(cells, 3, 7, 5);
      }
    }
    return cells;
  }

  private static void drop(long[] cells, int a, int b, int c) {
    cells[a] = -1;
    cells[b] = -1;
    cells[c] = -1;
  }

  /**
   * The shape's bounding box. Meridians converge towards the poles, so the box is as wide as the
   * shape at its edge nearer the pole (the top edge in the north, the bottom one in the south).
   */
  private static void boundingBox(Shape s) {
    double height = s.conversion * (s.box ? s.height / 2 : s.radius);
    double width = s.conversion * (s.box ? s.width / 2 : s.radius);
    double latDelta = height / EARTH_RADIUS_IN_METERS / D_R;
    double lonDeltaTop =
        width / EARTH_RADIUS_IN_METERS / Math.cos((s.latitude + latDelta) * D_R) / D_R;
    double lonDeltaBottom =
        width / EARTH_RADIUS_IN_METERS / Math.cos((s.latitude - latDelta) * D_R) / D_R;
    boolean south = s.latitude < 0;
    s.minLon = south ? s.longitude - lonDeltaBottom : s.longitude - lonDeltaTop;
    s.maxLon = south ? s.longitude + lonDeltaBottom : s.longitude + lonDeltaTop;
    s.minLat = s.latitude - latDelta;
    s.maxLat = s.latitude + latDelta;
  }

  /** The precision whose cells are about as large as the radius (coarser towards the poles). */
  static int estimateStep(double rangeMeters, double lat) {
    if (rangeMeters == 0) {
      return STEP_MAX;
    }
    int step = 1;
    while (rangeMeters < MERCATOR_MAX) {
      rangeMeters *= 2;
      step++;
    }
    step -= 2;
    if (lat > 66 || lat < -66) {
      step--;
      if (lat > 80 || lat < -80) {
        step--;
      }
    }
    return Math.max(1, Math.min(STEP_MAX, step));
  }

  /** The geohash of a position at {@code step} bits per coordinate. */
  static long encode(double lon, double lat, int step) {
    return GeoCommands.interleave(
        GeoCommands.quantize(lat, GeoCommands.LAT_MIN, GeoCommands.LAT_MAX, step),
        GeoCommands.quantize(lon, GeoCommands.LONG_MIN, GeoCommands.LONG_MAX, step));
  }

  /** The first score of a cell: its bits at the top of the 52 a score holds. */
  private static double align52(long bits, int step) {
    return (double) (bits << (52 - step * 2));
  }

  private static final long ODD = 0xaaaaaaaaaaaaaaaaL;
  private static final long EVEN = 0x5555555555555555L;

  /**
   * The cell {@code dx} cells east (or west, negative) and {@code dy} north (or south) of {@code
   * hash}, wrapping around at the edges of the grid as Redis's neighbours do. Longitude bits are
   * the odd ones, latitude bits the even ones: adding one to a coordinate is an addition across its
   * bits with the other coordinate's bits filled with ones to carry through.
   */
  static long move(long hash, int step, int dx, int dy) {
    int shift = 64 - step * 2;
    if (dx != 0) {
      long x = hash & ODD;
      long y = hash & EVEN;
      long fill = EVEN >>> shift;
      x = dx > 0 ? x + (fill + 1) : (x | fill) - (fill + 1);
      hash = (x & (ODD >>> shift)) | y;
    }
    if (dy != 0) {
      long x = hash & ODD;
      long y = hash & EVEN;
      long fill = ODD >>> shift;
      y = dy > 0 ? y + (fill + 1) : (y | fill) - (fill + 1);
      hash = x | (y & (EVEN >>> shift));
    }
    return hash;
  }

  /** The latitude range {min, max} of a cell. */
  private static double[] areaLat(long hash, int step) {
    return GeoCommands.range(
        GeoCommands.deinterleave(hash), step, GeoCommands.LAT_MIN, GeoCommands.LAT_MAX);
  }

  /** The longitude range {min, max} of a cell. */
  private static double[] areaLon(long hash, int step) {
    return GeoCommands.range(
        GeoCommands.deinterleave(hash >>> 1), step, GeoCommands.LONG_MIN, GeoCommands.LONG_MAX);
  }
}
