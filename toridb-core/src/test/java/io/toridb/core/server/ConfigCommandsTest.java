package io.toridb.core.server;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.config.Config;
import io.toridb.core.config.Directive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandsTest {
  private final CommandHarness h = new CommandHarness();

  @Test
  void get_exactName_returnsPairInBothProtocols() {
    assertEquals("*2\r\n" + bulk("hz") + bulk("10"), h.call("CONFIG", "GET", "hz"));
    assertEquals("%1\r\n" + bulk("hz") + bulk("10"), h.call3("CONFIG", "GET", "hz"));
  }

  @Test
  void get_exactName_keepsTheCaseAsTyped() {
    assertEquals("*2\r\n" + bulk("HZ") + bulk("10"), h.call("CONFIG", "GET", "HZ"));
  }

  @Test
  void get_pattern_matchesNamesAndAliasesCaseInsensitively() {
    String reply = h.call("CONFIG", "GET", "HASH-MAX-*-entries");
    assertEquals(
        "*4\r\n"
            + bulk("hash-max-listpack-entries")
            + bulk("512")
            + bulk("hash-max-ziplist-entries")
            + bulk("512"),
        reply);
  }

  @Test
  void get_severalPatterns_dedupes() {
    assertEquals(
        "*4\r\n" + bulk("hz") + bulk("10") + bulk("databases") + bulk("16"),
        h.call("CONFIG", "GET", "hz", "h?", "databases", "hz"));
  }

  @Test
  void get_hiddenDirectives_needTheirExactName() {
    String all = h.call("CONFIG", "GET", "*");
    for (String hidden : new String[] {"key-load-delay", "rdb-key-save-delay", "workers"}) {
      assertTrue(!all.contains(bulk(hidden)), hidden + " matched a pattern");
      assertEquals("*2\r\n" + bulk(hidden) + bulk("0"), h.call("CONFIG", "GET", hidden));
    }
    assertEquals("*0\r\n", h.call("CONFIG", "GET", "key-load-*"));
    assertTrue(all.contains(bulk("hz")));
  }

  @Test
  void replicaof_andItsAliasSlaveof_areEmpty_andCannotBeSetWhileRunning() {
    assertEquals(
        "*4\r\n" + bulk("replicaof") + bulk("") + bulk("slaveof") + bulk(""),
        h.call("CONFIG", "GET", "*of"));
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set"
                + " immutable config"),
        h.call("CONFIG", "SET", "replicaof", "127.0.0.1 6379"));
    Config c = Config.standard();
    assertEquals(null, c.require("slaveof").set("10.0.0.1  6379"));
    assertEquals("10.0.0.1 6379", c.text("replicaof"));
    assertEquals("Invalid master port", c.require("replicaof").set("10.0.0.1 65536"));
    assertEquals("Invalid master port", c.require("replicaof").set("10.0.0.1 port"));
    assertEquals(
        "replicaof takes a host and a port, or \"no one\"", c.require("replicaof").set("host"));
    assertEquals("10.0.0.1 6379", c.text("replicaof"));
    assertEquals(null, c.require("replicaof").set(""));
    assertEquals(null, c.require("replicaof").set("NO  one"));
    assertEquals("", c.text("replicaof"));
  }

  @Test
  void get_unknown_returnsEmptyMap() {
    assertEquals("*0\r\n", h.call("CONFIG", "GET", "nosuch"));
    assertEquals("%0\r\n", h.call3("CONFIG", "GET", "nosuch*"));
  }

  @Test
  void get_defaultsRedisToolsRead() {
    assertEquals(
        "*2\r\n" + bulk("save") + bulk("3600 1 300 100 60 10000"), h.call("CONFIG", "GET", "save"));
    // Unlike Redis, ToriDB logs every write by default.
    assertEquals(
        "*2\r\n" + bulk("appendonly") + bulk("yes"), h.call("CONFIG", "GET", "appendonly"));
  }

  @Test
  void get_withoutPattern_returnsArityError() {
    assertEquals(
        error("ERR wrong number of arguments for 'config|get' command"), h.call("CONFIG", "GET"));
  }

  @Test
  void set_changesValues() {
    assertEquals(OK, h.call("CONFIG", "SET", "maxmemory", "1gb", "hz", "20"));
    assertEquals(
        "*2\r\n" + bulk("maxmemory") + bulk("1073741824"), h.call("CONFIG", "GET", "maxmemory"));
    assertEquals(20, h.server().config().number("hz"));
  }

  @Test
  void set_unknownOption_returnsRedisError() {
    assertEquals(
        error("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        h.call("CONFIG", "SET", "foo", "bar"));
  }

  @Test
  void set_immutable_returnsRedisError() {
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set"
                + " immutable config"),
        h.call("CONFIG", "SET", "databases", "3"));
  }

  @Test
  void set_badValues_returnRedisErrors() {
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be"
                + " a memory value"),
        h.call("CONFIG", "SET", "maxmemory", "abc"));
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be"
                + " parsed into an integer"),
        h.call("CONFIG", "SET", "hz", "abc"));
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be"
                + " 'yes' or 'no'"),
        h.call("CONFIG", "SET", "appendonly", "maybe"));
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must"
                + " be between 1 and 4294967295 inclusive"),
        h.call("CONFIG", "SET", "maxclients", "0"));
  }

  @Test
  void set_isAllOrNothing() {
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be"
                + " a memory value"),
        h.call("CONFIG", "SET", "hz", "50", "maxmemory", "abc"));
    assertEquals(10, h.server().config().number("hz"));
  }

  @Test
  void set_sameDirectiveTwice_isRefusedEvenThroughAlias() {
    assertEquals(
        error("ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"),
        h.call("CONFIG", "SET", "hz", "5", "hz", "6"));
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') -"
                + " duplicate parameter"),
        h.call("CONFIG", "SET", "hash-max-listpack-entries", "5", "hash-max-ziplist-entries", "6"));
    assertEquals(10, h.server().config().number("hz"));
  }

  @Test
  void maxmemoryClients_takesBytesOrAPercentage() {
    assertEquals(OK, h.call("CONFIG", "SET", "maxmemory-clients", "10%"));
    assertEquals(
        "*2\r\n" + bulk("maxmemory-clients") + bulk("10%"),
        h.call("CONFIG", "GET", "maxmemory-clients"));
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') -"
                + " percentage argument must be less or equal to 100"),
        h.call("CONFIG", "SET", "maxmemory-clients", "200%"));
    for (String bad : new String[] {"abc", "-5%", "%", "1.5%"}) {
      assertEquals(
          error(
              "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') -"
                  + " argument must be a memory or percent value"),
          h.call("CONFIG", "SET", "maxmemory-clients", bad),
          bad);
    }
    assertEquals(OK, h.call("CONFIG", "SET", "maxmemory-clients", "1mb"));
    assertEquals(
        "*2\r\n" + bulk("maxmemory-clients") + bulk("1048576"),
        h.call("CONFIG", "GET", "maxmemory-clients"));
    assertEquals(OK, h.call("CONFIG", "SET", "maxmemory-clients", "0%"));
    assertEquals(
        "*2\r\n" + bulk("maxmemory-clients") + bulk("0"),
        h.call("CONFIG", "GET", "maxmemory-clients"));
  }

  /** Redis's test suite: a rejected value rolls back the values set before it in one command. */
  @Test
  void set_rollbackOnSetError_keepsEveryPreviousValue() {
    assertEquals(OK, h.call("CONFIG", "SET", "maxmemory", "10000002"));
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') -"
                + " percentage argument must be less or equal to 100"),
        h.call(
            "CONFIG",
            "SET",
            "maxmemory",
            "10000001",
            "maxmemory-clients",
            "200%",
            "client-query-buffer-limit",
            "invalid"));
    assertEquals(10000002, h.server().config().number("maxmemory"));
    assertEquals("0", h.server().config().text("maxmemory-clients"));
  }

  @Test
  void latencyTrackingInfoPercentiles_isShownAsRedisFormatsIt() {
    assertEquals(
        "*4\r\n"
            + bulk("latency-tracking")
            + bulk("yes")
            + bulk("latency-tracking-info-percentiles")
            + bulk("50 99 99.9"),
        h.call("CONFIG", "GET", "latency-tracking*"));
    assertEquals(
        OK, h.call("CONFIG", "SET", "latency-tracking-info-percentiles", "0.0 50.0 100.0"));
    assertEquals("0 50 100", h.server().config().text("latency-tracking-info-percentiles"));
    assertEquals(OK, h.call("CONFIG", "SET", "latency-tracking-info-percentiles", "99.99999 1e1"));
    assertEquals("99.99999 10", h.server().config().text("latency-tracking-info-percentiles"));
    assertEquals(OK, h.call("CONFIG", "SET", "latency-tracking-info-percentiles", ""));
    assertEquals("", h.server().config().text("latency-tracking-info-percentiles"));
  }

  @Test
  void latencyTrackingInfoPercentiles_badValues_returnRedisErrors() {
    for (String bad : new String[] {"10.0 50.0 a", "1d", "NaN", "0x1p3"}) {
      assertEquals(
          error(
              "ERR CONFIG SET failed (possibly related to argument"
                  + " 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles"
                  + " parameters"),
          h.call("CONFIG", "SET", "latency-tracking-info-percentiles", bad),
          bad);
    }
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument"
                + " 'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters"
                + " should sit between [0.0,100.0]"),
        h.call("CONFIG", "SET", "latency-tracking-info-percentiles", "10.0 50.0 101.0"));
    assertEquals("50 99 99.9", h.server().config().text("latency-tracking-info-percentiles"));
  }

  @Test
  void protectedConfigs_areRefusedUnlessEnabled_asRedis() {
    for (String name : new String[] {"dir", "dbfilename"}) {
      assertEquals(
          error(
              "ERR CONFIG SET failed (possibly related to argument '"
                  + name
                  + "') - can't set protected config"),
          h.call("CONFIG", "SET", name, "x"));
    }
    Config yes = Config.standard();
    assertEquals(null, yes.require("enable-protected-configs").set("yes"));
    CommandHarness allowed = new CommandHarness(yes);
    assertEquals("+OK\r\n", allowed.call("CONFIG", "SET", "dbfilename", "other.rdb"));
    assertEquals("other.rdb", yes.text("dbfilename"));
    // ToriDB's dir cannot move at run time at all.
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set immutable"
                + " config"),
        allowed.call("CONFIG", "SET", "dir", "x"));
    // local: a session without a connection (or one from loopback) is local.
    Config local = Config.standard();
    assertEquals(null, local.require("enable-protected-configs").set("local"));
    assertEquals("+OK\r\n", new CommandHarness(local).call("CONFIG", "SET", "dbfilename", "l.rdb"));
  }

  @Test
  void daemonize_isImmutable() {
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set"
                + " immutable config"),
        h.call("CONFIG", "SET", "daemonize", "no"));
    assertEquals("*2\r\n" + bulk("daemonize") + bulk("no"), h.call("CONFIG", "GET", "daemonize"));
  }

  @Test
  void replBacklogSize_isAMemoryValueOfAtLeastOneByte() {
    assertEquals(
        "*2\r\n" + bulk("repl-backlog-size") + bulk("1048576"),
        h.call("CONFIG", "GET", "repl-backlog-size"));
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument"
                + " must be between 1 and 9223372036854775807 inclusive"),
        h.call("CONFIG", "SET", "repl-backlog-size", "0"));
    assertEquals(
        OK, h.call("CONFIG", "SET", "maxmemory", "10000001", "repl-backlog-size", "10000002"));
    assertEquals(10000002, h.server().config().number("repl-backlog-size"));
  }

  @Test
  void set_runsTheApplierOnceForChangedValuesOnly() {
    List<String> applied = new ArrayList<>();
    Directive.Applier applier =
        () -> {
          applied.add("hz=" + h.server().config().number("hz"));
          return null;
        };
    h.server().config().require("hz").onApply(applier);
    h.server().config().require("maxmemory-samples").onApply(applier);
    assertEquals(OK, h.call("CONFIG", "SET", "hz", "10"));
    assertEquals(List.of(), applied);
    assertEquals(OK, h.call("CONFIG", "SET", "hz", "20", "maxmemory-samples", "7"));
    assertEquals(List.of("hz=20"), applied);
  }

  @Test
  void set_whenApplyFails_putsEveryValueBackAndAppliesThemAgain() {
    List<Long> applied = new ArrayList<>();
    h.server()
        .config()
        .require("hz")
        .onApply(
            () -> {
              long hz = h.server().config().number("hz");
              applied.add(hz);
              return hz == 99 ? "Unable to listen on this port. Check server logs." : null;
            });
    assertEquals(
        error(
            "ERR CONFIG SET failed (possibly related to argument 'hz') - Unable to listen on this"
                + " port. Check server logs."),
        h.call("CONFIG", "SET", "maxmemory", "1000", "hz", "99", "maxmemory-samples", "7"));
    assertEquals(List.of(99L, 10L), applied);
    assertEquals(10, h.server().config().number("hz"));
    assertEquals(0, h.server().config().number("maxmemory"));
    assertEquals(5, h.server().config().number("maxmemory-samples"));
  }

  @Test
  void set_oddArgumentCount_returnsSyntaxError() {
    assertEquals(error("ERR syntax error"), h.call("CONFIG", "SET", "hz", "5", "maxmemory"));
    assertEquals(
        error("ERR wrong number of arguments for 'config|set' command"),
        h.call("CONFIG", "SET", "hz"));
  }

  @Test
  void set_throughAlias_changesTheDirective() {
    assertEquals(OK, h.call("CONFIG", "SET", "HASH-MAX-ZIPLIST-ENTRIES", "100"));
    assertEquals(
        "*2\r\n" + bulk("hash-max-listpack-entries") + bulk("100"),
        h.call("CONFIG", "GET", "hash-max-listpack-entries"));
  }

  @Test
  void set_requirepass_isRedactedFromSlowlog() {
    h.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
    h.call("SLOWLOG", "RESET");
    h.call("CONFIG", "SET", "requirepass", "topsecret");
    String log = h.call("SLOWLOG", "GET", "1");
    assertTrue(log.contains("(redacted)"), log);
    assertTrue(!log.contains("topsecret"), log);
  }

  @Test
  void resetstat_clearsCountersAndCommandStats() {
    h.call("GET", "x");
    h.call("NOSUCH");
    CommandSpecStats get = new CommandSpecStats(h, "get");
    assertEquals(1, get.calls());
    assertTrue(h.server().stats().errorReplies.sum() > 0);
    assertEquals(OK, h.call("CONFIG", "RESETSTAT"));
    assertEquals(0, get.calls());
    assertEquals(0, h.server().stats().errorReplies.sum());
    assertEquals(0, h.server().keyspace().stats().keyspaceMisses.sum());
  }

  /** Reads a command's INFO commandstats counters. */
  private record CommandSpecStats(CommandHarness h, String name) {
    long calls() {
      return h.server().commands().lookup(name).calls.sum();
    }
  }

  @Test
  void rewrite_withoutConfigFile_returnsRedisError() {
    assertEquals(
        error("ERR The server is running without a config file"), h.call("CONFIG", "REWRITE"));
  }

  @Test
  void rewrite_updatesTheStartupFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("toridb.conf");
    Files.writeString(file, "# my settings\nport 7000\nhz 15\nhz 16\n");
    Config config = Config.standard();
    config.loadFile(file);
    CommandHarness c = new CommandHarness(config);
    assertEquals(OK, c.call("CONFIG", "SET", "hz", "30", "maxmemory", "100mb"));
    assertEquals(OK, c.call("CONFIG", "REWRITE"));
    assertEquals(
        "# my settings\nport 7000\nhz 30\n\n# Generated by CONFIG REWRITE\nmaxmemory 104857600\n",
        Files.readString(file));
    Config reread = Config.standard();
    reread.loadFile(file);
    assertEquals(30, reread.number("hz"));
    assertEquals(104857600, reread.number("maxmemory"));
  }

  @Test
  void rewrite_whenTheFileCannotBeWritten_returnsAnErrorAndKeepsRunning(@TempDir Path dir)
      throws Exception {
    Path sub = dir.resolve("sub");
    Files.createDirectories(sub);
    Path file = sub.resolve("toridb.conf");
    Files.writeString(file, "hz 10\n");
    Config config = Config.standard();
    config.loadFile(file);
    CommandHarness c = new CommandHarness(config);
    // The directory the file lived in is now a plain file: nothing can be written there.
    Files.delete(file);
    Files.delete(sub);
    Files.writeString(sub, "not a directory");
    String reply = c.call("CONFIG", "REWRITE");
    assertTrue(reply.startsWith("-ERR Rewriting config file: "), reply);
    assertEquals("+PONG\r\n", c.call("PING"));
  }

  @Test
  void help_listsSubcommands() {
    String help = h.call("CONFIG", "HELP");
    assertTrue(
        help.startsWith(
            "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                + "+GET <pattern>\r\n"),
        help);
    assertTrue(help.endsWith("+HELP\r\n+    Prints this help.\r\n"), help);
  }

  @Test
  void unknownSubcommand_returnsRedisError() {
    assertEquals(error("ERR unknown subcommand 'foo'. Try CONFIG HELP."), h.call("CONFIG", "foo"));
    assertEquals(error("ERR wrong number of arguments for 'config' command"), h.call("CONFIG"));
  }
}
