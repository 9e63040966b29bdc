package io.toridb.core.zset;

import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The geo searches against a brute-force model (every member's decoded position tested against the
 * shape, which is what the nine cells must cover), the geohash cell arithmetic, the sorted and
 * stored results, and the key specs of STORE. The differential script geo-search compares replies
 * and their order with redis-server.
 */
class GeoSearchTest {
  private final CommandHarness h = new CommandHarness();

  /** Members of a RESP array of bulk strings. */
  private static Set<String> members(String reply) {
    Set<String> out = new HashSet<>();
    String[] lines = reply.split("\r\n");
    assertTrue(lines[0].startsWith("*"), reply);
    for (int i = 1; i < lines.length; i += 2) {
      out.add(lines[i + 1]);
    }
    return out;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6f", v);
  }

  @Test
  void searches_findExactlyTheMembersInsideTheShape_asABruteForceModel() {
    Random random = new Random(7);
    for (int round = 0; round < 40; round++) {
      double lon = -170 + random.nextDouble() * 340;
      double lat = -70 + random.nextDouble() * 140;
      double radiusKm = 1 + random.nextDouble() * (round % 2 == 0 ? 50 : 2000);
      double spread = radiusKm / 111.0 * 3;
      h.call("DEL", "pts");
      List<double[]> points = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        double x = Math.max(-180, Math.min(180, lon + (random.nextDouble() * 2 - 1) * spread));
        double y = Math.max(-85, Math.min(85, lat + (random.nextDouble() * 2 - 1) * spread));
        h.call("GEOADD", "pts", fmt(x), fmt(y), "p" + i);
        points.add(
            GeoCommands.decode(
                GeoCommands.encode(Double.parseDouble(fmt(x)), Double.parseDouble(fmt(y)))));
      }
      double clon = Double.parseDouble(fmt(lon));
      double clat = Double.parseDouble(fmt(lat));
      Set<String> inCircle = new HashSet<>();
      Set<String> inBox = new HashSet<>();
      double w = radiusKm * 2000;
      double hgt = radiusKm * 1000;
      for (int i = 0; i < points.size(); i++) {
        double[] p = points.get(i);
        if (GeoCommands.distance(clon, clat, p[0], p[1]) <= radiusKm * 1000) {
          inCircle.add("p" + i);
        }
        boolean latIn =
            6372797.560856 * Math.abs(Math.toRadians(clat) - Math.toRadians(p[1])) <= hgt / 2;
        if (latIn && GeoCommands.distance(p[0], p[1], clon, p[1]) <= w / 2) {
          inBox.add("p" + i);
        }
      }
      String r = fmt(radiusKm);
      String where = "round " + round + " at " + clon + "," + clat + " r=" + r;
      assertEquals(
          inCircle,
          members(
              h.call("GEOSEARCH", "pts", "FROMLONLAT", fmt(clon), fmt(clat), "BYRADIUS", r, "km")),
          where);
      assertEquals(
          inCircle, members(h.call("GEORADIUS", "pts", fmt(clon), fmt(clat), r, "km")), where);
      assertEquals(
          inBox,
          members(
              h.call(
                  "GEOSEARCH",
                  "pts",
                  "FROMLONLAT",
                  fmt(clon),
                  fmt(clat),
                  "BYBOX",
                  fmt(radiusKm * 2),
                  r,
                  "km")),
          where);
    }
  }

  @Test
  void sortedAndCounted_resultsAreTheClosest_inOrder() {
    h.call("GEOADD", "s", "0", "0", "a", "0", "0.01", "b", "0", "0.02", "c", "0", "0.03", "d");
    // From latitude 0.021: c is 0.001 degrees away, d 0.009, b 0.011, a 0.021.
    String asc =
        h.call("GEOSEARCH", "s", "FROMLONLAT", "0", "0.021", "BYRADIUS", "10", "km", "ASC");
    assertEquals("*4\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n", asc);
    // COUNT alone sorts nearest first.
    assertEquals(
        "*2\r\n$1\r\nc\r\n$1\r\nd\r\n",
        h.call("GEOSEARCH", "s", "FROMLONLAT", "0", "0.021", "BYRADIUS", "10", "km", "COUNT", "2"));
    assertEquals(
        "*1\r\n$1\r\na\r\n",
        h.call(
            "GEOSEARCH",
            "s",
            "FROMLONLAT",
            "0",
            "0.021",
            "BYRADIUS",
            "10",
            "km",
            "COUNT",
            "1",
            "DESC"));
    // b and d are 1.11 km from c: within 2 km of c are three members, c itself last with DESC.
    String desc =
        h.call("GEOSEARCH", "s", "FROMMEMBER", "c", "BYRADIUS", "2", "km", "DESC", "WITHDIST");
    assertTrue(desc.startsWith("*3\r\n*2\r\n$1\r\n"), desc);
    assertTrue(desc.endsWith("*2\r\n$1\r\nc\r\n$6\r\n0.0000\r\n"), desc);
  }

  @Test
  void store_keepsPositionsOrDistances_andAnEmptyResultDeletesTheDestination() {
    h.call("GEOADD", "s", "0", "0", "a", "0", "0.01", "b", "10", "10", "far");
    assertEquals(
        integer(2),
        h.call("GEOSEARCHSTORE", "dst", "s", "FROMLONLAT", "0", "0", "BYRADIUS", "5", "km"));
    assertEquals(h.call("ZSCORE", "s", "a"), h.call("ZSCORE", "dst", "a"));
    assertEquals(
        integer(2),
        h.call("GEORADIUS", "s", "0", "0", "5", "km", "STOREDIST", "d2", "STORE", "d3"));
    assertEquals(integer(0), h.call("EXISTS", "d2"));
    assertEquals(integer(2), h.call("ZCARD", "d3"));
    assertEquals(
        integer(2),
        h.call("GEORADIUS", "s", "0", "0", "5", "km", "STORE", "d3", "STOREDIST", "d2"));
    // STOREDIST scores by distance in the unit asked for: b is 0.01 degrees of latitude away.
    double km = Double.parseDouble(h.call("ZSCORE", "d2", "b").split("\r\n")[1]);
    assertEquals(1.1119, km, 0.001);
    assertTrue(Double.parseDouble(h.call("ZSCORE", "d2", "a").split("\r\n")[1]) < 0.001);
    assertEquals(
        integer(0),
        h.call("GEOSEARCHSTORE", "dst", "s", "FROMLONLAT", "50", "50", "BYRADIUS", "5", "km"));
    assertEquals(integer(0), h.call("EXISTS", "dst"));
    assertEquals(
        error("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
        h.call(
            "GEOSEARCHSTORE",
            "dst",
            "s",
            "FROMLONLAT",
            "0",
            "0",
            "BYRADIUS",
            "5",
            "km",
            "WITHDIST"));
  }

  @Test
  void cellArithmetic_movesOneCellAndWrapsAtTheEdges() {
    int step = 3;
    long center = GeoSearch.encode(0, 0, step);
    long east = GeoSearch.move(center, step, 1, 0);
    long west = GeoSearch.move(center, step, -1, 0);
    assertEquals(center, GeoSearch.move(east, step, -1, 0));
    assertEquals(center, GeoSearch.move(west, step, 1, 0));
    assertEquals(center, GeoSearch.move(GeoSearch.move(center, step, 0, 1), step, 0, -1));
    // Longitude bits are the odd ones: moving east changes only them.
    assertEquals(center & 0x5555555555555555L, east & 0x5555555555555555L);
    // The easternmost column's east neighbour is the westernmost column.
    long eastEdge = GeoSearch.encode(179.99, 0, step);
    long westEdge = GeoSearch.encode(-179.99, 0, step);
    assertEquals(westEdge, GeoSearch.move(eastEdge, step, 1, 0));
    for (int s = 1; s <= 26; s++) {
      long any = GeoSearch.encode(12.34, -56.78, s);
      assertTrue(any >= 0 && any < (1L << (2 * s)), "step " + s);
      for (int dx = -1; dx <= 1; dx++) {
        for (int dy = -1; dy <= 1; dy++) {
          long moved = GeoSearch.move(any, s, dx, dy);
          assertTrue(moved >= 0 && moved < (1L << (2 * s)), "step " + s);
        }
      }
    }
  }

  @Test
  void stepEstimate_followsTheRadius_andCoarsensTowardsThePoles() {
    assertEquals(26, GeoSearch.estimateStep(0, 0));
    assertEquals(1, GeoSearch.estimateStep(50_000_000, 0));
    int at100km = GeoSearch.estimateStep(100_000, 0);
    assertEquals(at100km + 1, GeoSearch.estimateStep(50_000, 0));
    assertEquals(at100km - 1, GeoSearch.estimateStep(100_000, 70));
    assertEquals(at100km - 2, GeoSearch.estimateStep(100_000, -81));
    assertEquals(26, GeoSearch.estimateStep(0.01, 0));
  }
}
