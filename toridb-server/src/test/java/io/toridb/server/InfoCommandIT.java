package io.toridb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InfoCommandIT {
  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private static String text(String reply) {
    return reply.substring(reply.indexOf("\r\n") + 2, reply.length() - 2);
  }

  private static List<String> headers(String info) {
    List<String> out = new ArrayList<>();
    for (String line : info.split("\r\n")) {
      if (line.startsWith("# ")) {
        out.add(line.substring(2));
      }
    }
    return out;
  }

  private static String field(String info, String name) {
    Matcher m = Pattern.compile("(?md)^" + Pattern.quote(name) + ":(.*)\r$").matcher(info);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void bareInfo_hasTheDefaultSectionsInRedisOrder() throws Exception {
    try (RawClient c = server.client()) {
      String info = text(c.call("INFO"));
      assertEquals(
          List.of(
              "Server",
              "Clients",
              "Memory",
              "Persistence",
              "Stats",
              "Replication",
              "CPU",
              "Modules",
              "Errorstats",
              "Cluster",
              "Keyspace"),
          headers(info));
      assertEquals(headers(info), headers(text(c.call("INFO", "default"))));
      // Every line ends with CRLF; sections are separated by one empty line.
      assertFalse(info.replace("\r\n", "").contains("\n"));
      assertTrue(info.contains("\r\n\r\n# Clients\r\n"));
    }
  }

  @Test
  void allAndEverything_addCommandAndLatencyStats() throws Exception {
    try (RawClient c = server.client()) {
      List<String> all =
          List.of(
              "Server",
              "Clients",
              "Memory",
              "Persistence",
              "Stats",
              "Replication",
              "CPU",
              "Modules",
              "Commandstats",
              "Errorstats",
              "Latencystats",
              "Cluster",
              "Keyspace");
      assertEquals(all, headers(text(c.call("INFO", "all"))));
      assertEquals(all, headers(text(c.call("INFO", "everything"))));
    }
  }

  @Test
  void sections_areCaseInsensitive_inFixedOrder_andUnknownOnesAreEmpty() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals(
          List.of("Server", "Keyspace"), headers(text(c.call("INFO", "keyspace", "SERVER"))));
      assertEquals("$0\r\n\r\n", c.call("INFO", "nosuchsection"));
      assertEquals("# Cluster\r\ncluster_enabled:0\r\n", text(c.call("INFO", "cluster")));
    }
  }

  /** As Redis: min_slaves_good_slaves appears while min-replicas-to-write is active. */
  @Test
  void replication_showsGoodReplicas_whileMinReplicasToWriteIsActive() throws Exception {
    try (RawClient c = server.client()) {
      assertTrue(!text(c.call("INFO", "replication")).contains("min_slaves_good_slaves"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "min-replicas-to-write", "1"));
      assertTrue(text(c.call("INFO", "replication")).contains("\r\nmin_slaves_good_slaves:0\r\n"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "repl-backlog-size", "2mb"));
      assertTrue(text(c.call("INFO", "replication")).contains("repl_backlog_size:2097152\r\n"));
    }
  }

  @Test
  void resp3_repliesWithVerbatimText() throws Exception {
    try (RawClient c = server.client()) {
      c.call("HELLO", "3");
      assertEquals("=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n", c.call("INFO", "cluster"));
    }
  }

  @Test
  void server_reportsVersionModePortAndProcess() throws Exception {
    try (RawClient c = server.client()) {
      String info = text(c.call("INFO", "server"));
      assertEquals("7.0.15", field(info, "redis_version"));
      assertEquals("standalone", field(info, "redis_mode"));
      assertEquals(Integer.toString(server.port()), field(info, "tcp_port"));
      assertEquals(Long.toString(ProcessHandle.current().pid()), field(info, "process_id"));
      assertTrue(field(info, "run_id").matches("[0-9a-f]{40}"));
      assertTrue(field(info, "uptime_in_seconds").matches("\\d+"));
      assertEquals("10", field(info, "hz"));
      assertEquals("", field(info, "config_file"));
    }
  }

  @Test
  void clientsAndStats_countConnectionsAndCommands() throws Exception {
    try (RawClient a = server.client();
        RawClient b = server.client()) {
      b.call("PING");
      b.call("GET", "missing");
      b.call("NOSUCHCOMMAND");
      String info = text(a.call("INFO"));
      assertEquals("2", field(info, "connected_clients"));
      assertEquals("10000", field(info, "maxclients"));
      assertEquals("0", field(info, "blocked_clients"));
      assertEquals("2", field(info, "total_connections_received"));
      assertEquals("2", field(info, "total_commands_processed"));
      assertEquals("1", field(info, "keyspace_misses"));
      assertEquals("1", field(info, "total_error_replies"));
      assertEquals("0", field(info, "loading"));
      assertEquals("master", field(info, "role"));
      assertEquals("0", field(info, "master_repl_offset"));
      assertEquals("count=1", field(info, "errorstat_ERR"));
      assertTrue(field(info, "instantaneous_ops_per_sec").matches("\\d+"));
    }
  }

  @Test
  void memory_reportsJvmFiguresInRedisFormats() throws Exception {
    try (RawClient c = server.client()) {
      String info = text(c.call("INFO", "memory"));
      long used = Long.parseLong(field(info, "used_memory"));
      assertTrue(used > 0);
      assertTrue(field(info, "used_memory_human").matches("\\d+(\\.\\d\\d[KMGTP]|B)"));
      assertTrue(Long.parseLong(field(info, "used_memory_rss")) > 0);
      assertEquals("0", field(info, "maxmemory"));
      assertEquals("0B", field(info, "maxmemory_human"));
      assertEquals("noeviction", field(info, "maxmemory_policy"));
      assertTrue(field(info, "mem_fragmentation_ratio").matches("\\d+\\.\\d\\d"));
    }
  }

  @Test
  void keyspace_listsNonEmptyDatabasesOnly() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals("# Keyspace\r\n", text(c.call("INFO", "keyspace")));
      c.call("SET", "a", "1");
      c.call("SELECT", "3");
      c.call("SET", "b", "2");
      c.call("SET", "c", "3");
      assertEquals(
          "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb3:keys=2,expires=0,avg_ttl=0\r\n",
          text(c.call("INFO", "keyspace")));
      assertEquals("3", field(text(c.call("INFO", "persistence")), "rdb_changes_since_last_save"));
    }
  }

  @Test
  void commandstats_countCallsFailuresAndRejections() throws Exception {
    try (RawClient c = server.client()) {
      c.call("GET", "x");
      c.call("GET");
      c.call("CONFIG", "SET", "nosuch", "1");
      String info = text(c.call("INFO", "commandstats"));
      assertTrue(
          info.matches(
              "(?s).*cmdstat_get:calls=1,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=1,"
                  + "failed_calls=0\r\n.*"),
          info);
      assertTrue(
          info.matches(
              "(?s).*cmdstat_config\\|set:calls=1,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,"
                  + "rejected_calls=0,failed_calls=1\r\n.*"),
          info);
      assertEquals("+OK\r\n", c.call("CONFIG", "RESETSTAT"));
      assertFalse(text(c.call("INFO", "commandstats")).contains("cmdstat_get:"));
    }
  }

  @Test
  void latencystats_givesPercentilesPerCommandUntilResetOrDisabled() throws Exception {
    try (RawClient c = server.client()) {
      c.call("CONFIG", "RESETSTAT");
      c.call("SET", "a", "b");
      c.call("CLIENT", "ID");
      c.call("DEBUG", "SLEEP", "0.05");
      String info = text(c.call("INFO", "latencystats"));
      String number = "\\d+\\.\\d{3}";
      String set = field(info, "latency_percentiles_usec_set");
      assertTrue(set.matches("p50=" + number + ",p99=" + number + ",p99\\.9=" + number), info);
      assertTrue(field(info, "latency_percentiles_usec_client|id").startsWith("p50="), info);
      String debug = field(info, "latency_percentiles_usec_debug");
      double p50 = Double.parseDouble(debug.substring(4, debug.indexOf(',')));
      assertTrue(p50 >= 50_000, debug);
      assertEquals(null, field(info, "latency_percentiles_usec_get"));

      c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "0 100");
      assertTrue(
          field(text(c.call("INFO", "latencystats")), "latency_percentiles_usec_set")
              .matches("p0=" + number + ",p100=" + number));
      c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "");
      assertEquals("", field(text(c.call("INFO", "latencystats")), "latency_percentiles_usec_set"));

      c.call("CONFIG", "RESETSTAT");
      assertEquals(
          null, field(text(c.call("INFO", "latencystats")), "latency_percentiles_usec_set"));
      c.call("CONFIG", "SET", "latency-tracking", "no");
      c.call("SET", "a", "b");
      assertEquals("# Latencystats\r\n", text(c.call("INFO", "latencystats")));
    }
  }

  @Test
  void configSetHz_isClampedAsRedisDoes() throws Exception {
    try (RawClient c = server.client()) {
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "hz", "100000"));
      assertEquals("*2\r\n$2\r\nhz\r\n$3\r\n500\r\n", c.call("CONFIG", "GET", "hz"));
      assertEquals("500", field(text(c.call("INFO", "server")), "hz"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "hz", "0"));
      assertEquals("*2\r\n$2\r\nhz\r\n$1\r\n1\r\n", c.call("CONFIG", "GET", "hz"));
      assertEquals("+OK\r\n", c.call("CONFIG", "SET", "hz", "10"));
    }
  }

  @Test
  void hzFromTheConfiguration_isClampedAsRedisShowsIt() throws Exception {
    try (TestServer fast = TestServer.start(c -> c.require("hz").set("1000"));
        RawClient c = fast.client()) {
      assertEquals("*2\r\n$2\r\nhz\r\n$3\r\n500\r\n", c.call("CONFIG", "GET", "hz"));
      assertEquals("500", field(text(c.call("INFO", "server")), "hz"));
    }
  }
}
