package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toridb.core.config.Config;
import org.junit.jupiter.api.Test;

class ThreadCountsTest {
  @Test
  void workersTakeTheCoresTheEventLoopsLeave() {
    assertEquals(1, ToriServer.defaultWorkers(1, 1));
    assertEquals(1, ToriServer.defaultWorkers(2, 1));
    assertEquals(2, ToriServer.defaultWorkers(4, 2));
    assertEquals(4, ToriServer.defaultWorkers(8, 4));
    assertEquals(5, ToriServer.defaultWorkers(8, 3));
    assertEquals(1, ToriServer.defaultWorkers(2, 4), "never fewer than one worker");
  }

  @Test
  void eventLoopsTakeHalfTheCores() {
    assertEquals(1, ToriServer.defaultIoThreads(1));
    assertEquals(1, ToriServer.defaultIoThreads(2));
    assertEquals(1, ToriServer.defaultIoThreads(3));
    assertEquals(4, ToriServer.defaultIoThreads(8));
  }

  @Test
  void configuredCountsWin() {
    Config config = Config.standard();
    config.require("workers").set("3");
    config.require("io-threads").set("2");
    assertEquals(3, ToriServer.workerCount(config));
    assertEquals(2, ToriServer.ioThreads(config));
  }

  @Test
  void defaultWorkersFollowTheConfiguredEventLoops() {
    int cores = Runtime.getRuntime().availableProcessors();
    Config config = Config.standard();
    config.require("io-threads").set("1");
    assertEquals(Math.max(1, cores - 1), ToriServer.workerCount(config));
    config.require("io-threads").set(Integer.toString(cores + 1));
    assertEquals(1, ToriServer.workerCount(config));
  }
}
