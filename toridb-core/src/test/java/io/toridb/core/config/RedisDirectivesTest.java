package io.toridb.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis 7.0's directives in a redis.conf: every one loads at Redis's default, and the few whose
 * other values ToriDB cannot honour are refused with the reason instead of being ignored. (Their
 * CONFIG GET and CONFIG SET answers are compared with Redis in differential/config.txt.)
 */
class RedisDirectivesTest {
  @TempDir Path dir;

  private Config load(String text) throws Exception {
    Path conf = dir.resolve("redis.conf");
    Files.writeString(conf, text);
    Config c = Config.standard();
    c.loadFile(conf);
    return c;
  }

  /** Loading {@code text} fails with a message that contains {@code reason}. */
  private void assertRefused(String text, String reason) {
    String message = assertThrows(Config.ConfigException.class, () -> load(text)).getMessage();
    assertTrue(message.contains(reason), message);
  }

  @Test
  void everyRedisDirective_atRedisDefault_loads() throws Exception {
    Path defaults = Path.of(getClass().getResource("/redis-7.0-defaults.conf").toURI());
    Config c = Config.standard();
    c.loadFile(defaults);
    // Not only read: each is what the file says (a few spot checks of each kind).
    assertEquals("yes", c.text("activerehashing"));
    assertEquals("0 200 800", c.text("oom-score-adj-values"));
    assertEquals(
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        c.text("client-output-buffer-limit"));
    assertEquals("resetchannels", c.text("acl-pubsub-default"));
    long lines = Files.readAllLines(defaults).stream().filter(l -> !l.startsWith("#")).count();
    assertTrue(lines > 180, "the file holds all of Redis's directives: " + lines);
  }

  @Test
  void aliases_ofRenamedDirectives_setTheDirective() throws Exception {
    Config c =
        load(
            "slave-priority 50\nmin-slaves-to-write 0\nlua-time-limit 7000\n"
                + "cluster-slave-validity-factor 3\nslave-read-only no\n");
    assertEquals(50, c.number("replica-priority"));
    assertEquals(7000, c.number("busy-reply-threshold"));
    assertEquals(3, c.number("cluster-replica-validity-factor"));
    assertEquals("no", c.text("replica-read-only"));
  }

  @Test
  void tls_isRefused_notIgnored() {
    assertRefused("tls-port 6380\n", "TLS is not available");
    assertRefused("tls-replication yes\n", "TLS is not available");
    assertRefused("tls-cluster yes\n", "TLS is not available");
    assertRefused("tls-port abc\n", "couldn't be parsed into an integer");
    assertRefused("tls-cluster maybe\n", "must be 'yes' or 'no'");
  }

  @Test
  void tls_defaultsAndFileSettings_load() throws Exception {
    Config c =
        load(
            "tls-port 00\ntls-replication NO\ntls-cert-file /etc/redis/redis.crt\n"
                + "tls-auth-clients optional\n");
    assertEquals("0", c.text("tls-port"));
    assertEquals("/etc/redis/redis.crt", c.text("tls-cert-file"));
  }

  @Test
  void unixSocket_aclFile_andSyslog_areRefused_withTheReason() {
    assertRefused("unixsocket /run/redis.sock\n", "Unix sockets are not");
    assertRefused("aclfile /etc/redis/users.acl\n", "requirepass");
    assertRefused("syslog-enabled yes\n", "syslog is not available");
  }

  @Test
  void unixSocketPermissions_areOctal() throws Exception {
    assertEquals("700", load("unixsocketperm 700\n").text("unixsocketperm"));
    assertRefused("unixsocketperm 1000\n", "between 0 and 777");
    assertRefused("unixsocketperm 9\n", "parsed into an integer");
  }

  @Test
  void outputBufferLimits_linesOfAFile_eachSetTheirClass() throws Exception {
    Config c =
        load(
            "client-output-buffer-limit normal 0 0 0\n"
                + "client-output-buffer-limit replica 256mb 64mb 60\n"
                + "client-output-buffer-limit pubsub 1mb 512kb 30\n");
    assertEquals(
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 30",
        c.text("client-output-buffer-limit"));
    assertEquals(new Config.OutputLimit(1048576, 524288, 30), c.pubsubOutputLimit());
    assertEquals(null, c.require("client-output-buffer-limit").set("pubsub 0 0 0"));
    assertEquals(new Config.OutputLimit(0, 0, 0), c.pubsubOutputLimit());
    // A refused value changes nothing.
    assertTrue(c.require("client-output-buffer-limit").set("pubsub 1 2") != null);
    assertEquals(new Config.OutputLimit(0, 0, 0), c.pubsubOutputLimit());
    assertEquals(
        new Config.OutputLimit(33554432, 8388608, 60), Config.standard().pubsubOutputLimit());
  }

  @Test
  void procTitleTemplate_isCheckedAsRedisChecksIt() {
    assertEquals("{title}{{x", Config.procTitleTemplate("{title}{{x"));
    assertEquals("{port}", Config.procTitleTemplate("{port}"));
    for (String bad : new String[] {"", "{title}", "{nope}", "x {title", "x {"}) {
      assertThrows(IllegalArgumentException.class, () -> Config.procTitleTemplate(bad), bad);
    }
  }

  @Test
  void oomScoreAdjValues_areThreeScores() {
    assertEquals("-1000 0 2000", Config.oomScoreAdjValues(" -1000  0 2000 "));
    assertThrows(IllegalArgumentException.class, () -> Config.oomScoreAdjValues("1 2"));
    assertThrows(IllegalArgumentException.class, () -> Config.oomScoreAdjValues("1 2 2001"));
  }

  @Test
  void daemonize_yesIsRead_soThatACommandLineMayOverrideIt() throws Exception {
    Config c = load("daemonize yes\n");
    assertTrue(c.yes("daemonize"));
    c.loadArgs(java.util.List.of("--daemonize", "no"));
    assertEquals("no", c.text("daemonize"));
  }
}
