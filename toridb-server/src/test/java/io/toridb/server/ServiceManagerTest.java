package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a service manager supervises the process, as Redis decides it. */
class ServiceManagerTest {
  private static final Map<String, String> SYSTEMD = Map.of("NOTIFY_SOCKET", "/run/systemd/notify");
  private static final Map<String, String> UPSTART = Map.of("UPSTART_JOB", "toridb");

  @Test
  void supervises_onlyWhenTheModeAndItsEnvironmentAgree() {
    assertEquals(true, ServiceManager.supervises("systemd", SYSTEMD));
    assertEquals(false, ServiceManager.supervises("systemd", Map.of()));
    assertEquals(false, ServiceManager.supervises("systemd", Map.of("NOTIFY_SOCKET", "")));
    assertEquals(false, ServiceManager.supervises("systemd", UPSTART));
    assertEquals(true, ServiceManager.supervises("upstart", UPSTART));
    assertEquals(false, ServiceManager.supervises("upstart", SYSTEMD));
    assertEquals(true, ServiceManager.supervises("auto", SYSTEMD));
    assertEquals(true, ServiceManager.supervises("auto", UPSTART));
    assertEquals(false, ServiceManager.supervises("auto", Map.of()));
    assertEquals(false, ServiceManager.supervises("no", SYSTEMD));
  }

  @Test
  void noManager_withoutASocketToTell() {
    assertEquals(null, ServiceManager.of("systemd", Map.of()));
    assertEquals(null, ServiceManager.of("auto", UPSTART));
    assertEquals(null, ServiceManager.of("no", SYSTEMD));
  }
}
