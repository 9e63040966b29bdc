package io.toridb.core.zset;

import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * GEOADD, GEOPOS, GEODIST and GEOHASH: the scores and strings Redis's documentation gives for its
 * Sicily example, positions surviving the encoding within one cell, and the error texts. The
 * differential geo script compares the same commands with redis-server reply for reply.
 */
class GeoCommandsTest {
  private final CommandHarness h = new CommandHarness();

  @Test
  void sicily_scoresHashesPositionsAndDistance_areRedisDocumentedOnes() {
    assertEquals(
        integer(2),
        h.call(
            "GEOADD",
            "Sicily",
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania"));
    assertEquals(bulk("3479099956230698"), h.call("ZSCORE", "Sicily", "Palermo"));
    assertEquals(bulk("3479447370796909"), h.call("ZSCORE", "Sicily", "Catania"));
    assertEquals(
        "*2\r\n" + bulk("sqc8b49rny0") + bulk("sqdtr74hyu0"),
        h.call("GEOHASH", "Sicily", "Palermo", "Catania"));
    assertEquals(bulk("166274.1516"), h.call("GEODIST", "Sicily", "Palermo", "Catania"));
    assertEquals(bulk("166.2742"), h.call("GEODIST", "Sicily", "Palermo", "Catania", "km"));
    assertEquals(bulk("103.3182"), h.call("GEODIST", "Sicily", "Palermo", "Catania", "mi"));
    assertEquals(
        "*1\r\n*2\r\n" + bulk("13.36138933897018433") + bulk("38.11555639549629859"),
        h.call("GEOPOS", "Sicily", "Palermo"));
  }

  @Test
  void randomPositions_decodeWithinTheirCell_andDistanceIsSymmetric() {
    Random random = new Random(11);
    double lonCell = 360.0 / (1 << 26);
    double latCell = (GeoCommands.LAT_MAX - GeoCommands.LAT_MIN) / (1 << 26);
    for (int i = 0; i < 10_000; i++) {
      double lon = -180 + 360 * random.nextDouble();
      double lat =
          GeoCommands.LAT_MIN + (GeoCommands.LAT_MAX - GeoCommands.LAT_MIN) * random.nextDouble();
      double[] xy = GeoCommands.decode(GeoCommands.encode(lon, lat));
      assertTrue(Math.abs(xy[0] - lon) <= lonCell, lon + " decoded as " + xy[0]);
      assertTrue(Math.abs(xy[1] - lat) <= latCell, lat + " decoded as " + xy[1]);
      double lon2 = -180 + 360 * random.nextDouble();
      double lat2 = -80 + 160 * random.nextDouble();
      assertEquals(
          GeoCommands.distance(lon, lat, lon2, lat2),
          GeoCommands.distance(lon2, lat2, lon, lat),
          1e-6);
    }
  }

  @Test
  void badInput_getsRedisErrors_andAddsNothing() {
    assertEquals(
        error("ERR invalid longitude,latitude pair 181.000000,0.000000"),
        h.call("GEOADD", "g", "181", "0", "m"));
    assertEquals(
        error("ERR invalid longitude,latitude pair 0.000000,85.060000"),
        h.call("GEOADD", "g", "0", "85.06", "m"));
    assertEquals(error("ERR value is not a valid float"), h.call("GEOADD", "g", "x", "0", "m"));
    assertEquals(error("ERR syntax error"), h.call("GEOADD", "g", "NX", "XX", "1", "1", "m"));
    assertEquals(error("ERR syntax error"), h.call("GEOADD", "g", "1", "1", "m", "2"));
    assertEquals(
        error("ERR unsupported unit provided. please use M, KM, FT, MI"),
        h.call("GEODIST", "g", "a", "b", "yd"));
    assertEquals(integer(0), h.call("EXISTS", "g"));
  }
}
