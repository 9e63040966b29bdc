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
import io.toridb.core.keyspace.Key;
import io.toridb.core.string.LongDouble;
import io.toridb.protocol.RespWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Geospatial commands over sorted sets, as Redis 7.0 keeps them: GEOADD, GEOPOS, GEODIST, GEOHASH.
 * A position is stored as a member's score, the 52-bit interleaving of its latitude and longitude
 * quantized to 26 bits each, so the set can also be read with the sorted-set commands.
 *
 * <p>Implementation notes: latitude bits take the even positions and longitude bits the odd ones,
 * over the ranges [-85.05112878, 85.05112878] and [-180, 180] (Web Mercator's); a score decodes to
 * the centre of its cell. Distances use the haversine formula on Redis's Earth radius of
 * 6372797.560856 m.
 */
public final class GeoCommands {
  private GeoCommands() {}

  static final double LONG_MIN = -180;
  static final double LONG_MAX = 180;
  static final double LAT_MIN = -85.05112878;
  static final double LAT_MAX = 85.05112878;
  private static final int STEP = 26;
  private static final double EARTH_RADIUS_IN_METERS = 6372797.560856;
  private static final String UNSUPPORTED_UNIT =
      "ERR unsupported unit provided. please use M, KM, FT, MI";
  private static final byte[] ZADD = Args.bytes("zadd");
  private static final char[] GEO_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz".toCharArray();

  public static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("geoadd", -5)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keyFlags("RW", "update")
            .group("geo")
            .doc(
                "Add one or more geospatial items in the geospatial index represented using a"
                    + " sorted set",
                "3.2.0",
                "O(log(N)) for each item added, where N is the number of elements in the sorted"
                    + " set.")
            .handler(GeoCommands::geoadd));
    t.add(
        CommandSpec.builder("geopos", -2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .keyFlags("RO", "access")
            .group("geo")
            .doc(
                "Returns longitude and latitude of members of a geospatial index",
                "3.2.0",
                "O(N) where N is the number of members requested.")
            .handler(GeoCommands::geopos));
    t.add(
        CommandSpec.builder("geodist", -4)
            .flags(READONLY)
            .keys(1, 1, 1)
            .keyFlags("RO", "access")
            .group("geo")
            .doc(
                "Returns the distance between two members of a geospatial index",
                "3.2.0",
                "O(log(N))")
            .handler(GeoCommands::geodist));
    t.add(
        CommandSpec.builder("geohash", -2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .keyFlags("RO", "access")
            .group("geo")
            .doc(
                "Returns members of a geospatial index as standard geohash strings",
                "3.2.0",
                "O(log(N)) for each member requested, where N is the number of elements in the"
                    + " sorted set.")
            .handler(GeoCommands::geohash));
    GeoSearch.register(t);
  }

  /**
   * GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]: a ZADD of
   * the encoded positions, which is also what is logged, as in Redis.
   */
  static void geoadd(CommandContext ctx, byte[][] argv) {
    boolean nx = false;
    boolean xx = false;
    int first = 2;
    for (; first < argv.length; first++) {
      if (Args.is(argv[first], "NX")) {
        nx = true;
      } else if (Args.is(argv[first], "XX")) {
        xx = true;
      } else if (!Args.is(argv[first], "CH")) {
        break;
      }
    }
    if ((argv.length - first) % 3 != 0 || (nx && xx)) {
      throw new CommandException(Errors.SYNTAX);
    }
    int elements = (argv.length - first) / 3;
    byte[][] zadd = new byte[first + elements * 2][];
    zadd[0] = ZADD;
    System.arraycopy(argv, 1, zadd, 1, first - 1);
    for (int i = 0; i < elements; i++) {
      int at = first + i * 3;
      double longitude = ZSetCommands.parseScore(argv[at], Errors.NOT_FLOAT);
      double latitude = ZSetCommands.parseScore(argv[at + 1], Errors.NOT_FLOAT);
      checkLonLat(longitude, latitude);
      zadd[first + i * 2] = Args.bytes(Long.toString(encode(longitude, latitude)));
      zadd[first + i * 2 + 1] = argv[at + 2];
    }
    ZSetCommands.add(ctx, zadd, 0);
  }

  /** Refuses a position outside the range a geohash covers, with Redis's error. */
  static void checkLonLat(double longitude, double latitude) {
    if (longitude < LONG_MIN || longitude > LONG_MAX || latitude < LAT_MIN || latitude > LAT_MAX) {
      throw new CommandException(
          "ERR invalid longitude,latitude pair " + fixed(longitude) + "," + fixed(latitude));
    }
  }

  /** Writes what a member's position is, as GEOPOS and GEOHASH show it. */
  private interface PositionReply {
    void write(RespWriter out, double[] lonLat);
  }

  /**
   * Replies with one entry per member named from {@code argv[2]} on: {@code missing} for a member
   * (or key) that is not there, else the member's decoded position as {@code reply} writes it.
   */
  private static void eachMember(
      CommandContext ctx, byte[][] argv, Runnable missing, PositionReply reply) {
    ZSetValue z = ZSetCommands.readZSet(ctx, Key.of(argv[1]));
    RespWriter out = ctx.out();
    out.arrayHeader(argv.length - 2);
    for (int j = 2; j < argv.length; j++) {
      double score = z == null ? Double.NaN : z.score(argv[j]);
      if (Double.isNaN(score)) {
        missing.run();
      } else {
        reply.write(out, decode(score));
      }
    }
  }

  /** GEOPOS key [member [member ...]] */
  static void geopos(CommandContext ctx, byte[][] argv) {
    eachMember(
        ctx,
        argv,
        ctx.out()::nullArray,
        (out, xy) -> {
          out.arrayHeader(2);
          out.doubleText(LongDouble.human(xy[0]));
          out.doubleText(LongDouble.human(xy[1]));
        });
  }

  /** GEODIST key member1 member2 [M | KM | FT | MI] */
  static void geodist(CommandContext ctx, byte[][] argv) {
    double toMeters = 1;
    if (argv.length == 5) {
      toMeters = unit(argv[4]);
    } else if (argv.length > 5) {
      throw new CommandException(Errors.SYNTAX);
    }
    ZSetValue z = ZSetCommands.readZSet(ctx, Key.of(argv[1]));
    double a = z == null ? Double.NaN : z.score(argv[2]);
    double b = z == null ? Double.NaN : z.score(argv[3]);
    if (Double.isNaN(a) || Double.isNaN(b)) {
      ctx.out().nullBulk();
      return;
    }
    double[] p = decode(a);
    double[] q = decode(b);
    double meters = distance(p[0], p[1], q[0], q[1]);
    ctx.out().bulk(Args.bytes(fixed4(meters / toMeters)));
  }

  /** GEOHASH key [member [member ...]] */
  static void geohash(CommandContext ctx, byte[][] argv) {
    eachMember(
        ctx,
        argv,
        ctx.out()::nullBulk,
        (out, xy) -> {
          // The cell is re-encoded over the standard geohash ranges ([-90, 90] latitude).
          long bits = interleave(quantize(xy[1], -90, 90, STEP), quantize(xy[0], -180, 180, STEP));
          char[] hash = new char[11];
          for (int i = 0; i < 11; i++) {
            // 52 bits make ten characters and two bits; the eleventh is taken as zero, as Redis.
            int idx = i == 10 ? 0 : (int) ((bits >>> (52 - (i + 1) * 5)) & 0x1f);
            hash[i] = GEO_ALPHABET[idx];
          }
          out.bulk(Args.bytes(new String(hash)));
        });
  }

  /** The score of a position: its 52-bit geohash. */
  static long encode(double longitude, double latitude) {
    return interleave(
        quantize(latitude, LAT_MIN, LAT_MAX, STEP), quantize(longitude, LONG_MIN, LONG_MAX, STEP));
  }

  /** The centre of the cell a score names: {longitude, latitude}, clamped to the valid ranges. */
  static double[] decode(double score) {
    // Redis converts to an unsigned 64-bit integer: scores from 2^63 on keep their top bit.
    // ... and from 2^64 on, out of its range, the conversion gives 0 on x86-64.
    long bits =
        score >= 0x1p64
            ? 0
            : score >= 0x1p63 ? (long) (score - 0x1p63) | Long.MIN_VALUE : (long) score;
    double[] lat = range(deinterleave(bits), STEP, LAT_MIN, LAT_MAX);
    double[] lon = range(deinterleave(bits >>> 1), STEP, LONG_MIN, LONG_MAX);
    double x = Math.min(LONG_MAX, Math.max(LONG_MIN, (lon[0] + lon[1]) / 2));
    double y = Math.min(LAT_MAX, Math.max(LAT_MIN, (lat[0] + lat[1]) / 2));
    return new double[] {x, y};
  }

  /** The range {min, max} of cell {@code index} of [min, max] cut into 2^step cells. */
  static double[] range(long index, int step, double min, double max) {
    double cells = 1L << step;
    return new double[] {
      min + (index / cells) * (max - min), min + ((index + 1) / cells) * (max - min)
    };
  }

  /** {@code value}'s offset in [min, max] as a {@code step}-bit fixed-point fraction, truncated. */
  static long quantize(double value, double min, double max, int step) {
    double offset = (value - min) / (max - min);
    return (long) (offset * (1L << step)) & 0xFFFFFFFFL;
  }

  /** Spreads the low 32 bits of {@code x} to the even positions and {@code y}'s to the odd. */
  static long interleave(long x, long y) {
    return spread(x) | (spread(y) << 1);
  }

  private static long spread(long v) {
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFL;
    v = (v | (v << 8)) & 0x00FF00FF00FF00FFL;
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0FL;
    v = (v | (v << 2)) & 0x3333333333333333L;
    v = (v | (v << 1)) & 0x5555555555555555L;
    return v;
  }

  /** The bits of the even positions of {@code v}, packed. */
  static long deinterleave(long v) {
    v &= 0x5555555555555555L;
    v = (v | (v >>> 1)) & 0x3333333333333333L;
    v = (v | (v >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
    v = (v | (v >>> 4)) & 0x00FF00FF00FF00FFL;
    v = (v | (v >>> 8)) & 0x0000FFFF0000FFFFL;
    v = (v | (v >>> 16)) & 0x00000000FFFFFFFFL;
    return v;
  }

  /** Great-circle distance in meters (haversine), as Redis's geohashGetDistance. */
  static double distance(double lon1, double lat1, double lon2, double lat2) {
    double lon1r = Math.toRadians(lon1);
    double lon2r = Math.toRadians(lon2);
    double v = Math.sin((lon2r - lon1r) / 2);
    if (v == 0.0) {
      return EARTH_RADIUS_IN_METERS * Math.abs(Math.toRadians(lat2) - Math.toRadians(lat1));
    }
    double lat1r = Math.toRadians(lat1);
    double lat2r = Math.toRadians(lat2);
    double u = Math.sin((lat2r - lat1r) / 2);
    double a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
    return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
  }

  /** Meters per unit of M, KM, FT or MI (any case). */
  static double unit(byte[] u) {
    if (Args.is(u, "M")) {
      return 1;
    } else if (Args.is(u, "KM")) {
      return 1000;
    } else if (Args.is(u, "FT")) {
      return 0.3048;
    } else if (Args.is(u, "MI")) {
      return 1609.34;
    }
    throw new CommandException(UNSUPPORTED_UNIT);
  }

  /** {@code %f} as C prints it: six decimals of the exact value, "inf" for infinities. */
  private static String fixed(double v) {
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    String s = new BigDecimal(v).abs().setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    // C keeps the sign of a negative value (and of -0) even when the digits round to zero.
    return v < 0 || (v == 0 && 1 / v < 0) ? "-" + s : s;
  }

  /** Four decimals, rounded half to even on the scaled value, as Redis's fixedpoint_d2string. */
  static String fixed4(double v) {
    long scaled = (long) Math.rint(v * 10000.0);
    return BigDecimal.valueOf(scaled, 4).toPlainString();
  }
}
