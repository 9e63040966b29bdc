package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The JVM-wide properties the server sets for itself, and that a -D given at start wins. */
class MainPropertiesTest {
  @Test
  void withNothingGiven_theServerCapsTheBufferCache_andTurnsTheLeakDetectorOff() {
    Properties props = new Properties();
    Main.defaultProperties(props);
    assertEquals("1048576", props.getProperty("jdk.nio.maxCachedBufferSize"));
    assertEquals("disabled", props.getProperty("io.netty.leakDetection.level"));
  }

  @Test
  void aValueGivenAtStart_wins() {
    Properties props = new Properties();
    props.setProperty("jdk.nio.maxCachedBufferSize", "65536");
    props.setProperty("io.netty.leakDetection.level", "simple");
    Main.defaultProperties(props);
    assertEquals("65536", props.getProperty("jdk.nio.maxCachedBufferSize"));
    assertEquals("simple", props.getProperty("io.netty.leakDetection.level"));
  }

  @Test
  void theLeakDetectorsOlderPropertyName_alsoWins() {
    Properties props = new Properties();
    props.setProperty("io.netty.leakDetectionLevel", "paranoid");
    Main.defaultProperties(props);
    assertFalse(props.containsKey("io.netty.leakDetection.level"));
    assertEquals("paranoid", props.getProperty("io.netty.leakDetectionLevel"));
  }
}
