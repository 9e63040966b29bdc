package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.toridb.core.config.Config;
import io.toridb.server.ToriServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.exceptions.JedisMovedDataException;

/**
 * Three ToriDB nodes in one process forming a cluster over their real bus: redis-cli --cluster
 * create and check, JedisCluster and Lettuce's cluster client following MOVED, ASK during a slot
 * migration, transactions, a restarted node keeping its name, slots and data, and bad input.
 */
class ClusterIT {
  @TempDir Path dir;

  private final List<Node> nodes = new ArrayList<>();

  private record Node(ToriServer server, Path dir, int port, int busPort) {}

  @AfterEach
  void stop() {
    for (Node n : nodes) {
      n.server().shutdown();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Node start(Path nodeDir, int port, int busPort, String... kv) throws Exception {
    Files.createDirectories(nodeDir);
    Config config = Config.standard();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      assertEquals(null, config.require(kv[i]).set(kv[i + 1]), kv[i]);
    }
    config.require("port").set(Integer.toString(port));
    config.require("cluster-port").set(Integer.toString(busPort));
    config.require("cluster-enabled").set("yes");
    config.require("dir").set(nodeDir.toString());
    config.require("workers").set("1");
    config.require("io-threads").set("1");
    ToriServer server = new ToriServer(config);
    server.start();
    Node n = new Node(server, nodeDir, port, busPort);
    nodes.add(n);
    return n;
  }

  private List<Node> startNodes(int count) throws Exception {
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(start(dir.resolve("node" + i), freePort(), freePort()));
    }
    return out;
  }

  private static Reply call(Node n, String... argv) throws IOException {
    try (RespClient c = new RespClient("127.0.0.1", n.port())) {
      return c.call(argv);
    }
  }

  private static String text(Reply r) {
    byte[] p = r.payload();
    if (p == null && r.rawText().startsWith(":")) {
      return r.rawText().substring(1).trim();
    }
    return p == null ? r.render() : new String(p, StandardCharsets.UTF_8);
  }

  private static String field(String info, String name) {
    for (String line : info.split("\r\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1);
      }
    }
    return null;
  }

  /** Waits until every node says cluster_state:ok and knows them all. */
  private static void awaitOk(List<Node> cluster) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      boolean ok = true;
      StringBuilder seen = new StringBuilder();
      for (Node n : cluster) {
        String info = text(call(n, "CLUSTER", "INFO"));
        seen.append(n.port()).append(": ").append(info.replace("\r\n", " ")).append('\n');
        ok &=
            "ok".equals(field(info, "cluster_state"))
                && Integer.toString(cluster.size()).equals(field(info, "cluster_known_nodes"));
      }
      if (ok) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the cluster did not become ok:\n" + seen);
      }
      Thread.sleep(50);
    }
  }

  /** Three nodes with a third of the slots each, joined by CLUSTER MEET. */
  private List<Node> formCluster() throws Exception {
    List<Node> cluster = startNodes(3);
    int[][] ranges = {{0, 5460}, {5461, 10922}, {10923, 16383}};
    for (int i = 0; i < 3; i++) {
      Node n = cluster.get(i);
      assertEquals(
          "OK",
          text(
              call(
                  n,
                  "CLUSTER",
                  "ADDSLOTSRANGE",
                  Integer.toString(ranges[i][0]),
                  Integer.toString(ranges[i][1]))));
      if (i > 0) {
        Node first = cluster.get(0);
        assertEquals(
            "OK",
            text(
                call(
                    n,
                    "CLUSTER",
                    "MEET",
                    "127.0.0.1",
                    Integer.toString(first.port()),
                    Integer.toString(first.busPort()))));
      }
    }
    awaitOk(cluster);
    return cluster;
  }

  /** The node that answers a GET of {@code key} without a redirection, or null. */
  private static Node serving(List<Node> cluster, String key) throws IOException {
    for (Node n : cluster) {
      String reply = call(n, "GET", key).rawText();
      if (!reply.startsWith("-MOVED") && !reply.startsWith("-CLUSTERDOWN")) {
        return n;
      }
    }
    return null;
  }

  private static Node owner(List<Node> cluster, String key) throws IOException {
    int slot = Integer.parseInt(text(call(cluster.get(0), "CLUSTER", "KEYSLOT", key)));
    return cluster.get(slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2);
  }

  @Test
  void clusterClientsSpreadKeysAndFollowRedirects() throws Exception {
    List<Node> cluster = formCluster();
    try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", cluster.get(0).port()))) {
      for (int i = 0; i < 300; i++) {
        jc.set("key:" + i, "value:" + i);
      }
      for (int i = 0; i < 300; i++) {
        assertEquals("value:" + i, jc.get("key:" + i));
      }
    }
    long total = 0;
    for (Node n : cluster) {
      try (Jedis j = new Jedis("127.0.0.1", n.port())) {
        long size = j.dbSize();
        assertTrue(size > 50, "node " + n.port() + " holds " + size + " keys");
        total += size;
      }
    }
    assertEquals(300, total);
    // A plain client gets Redis's redirection.
    Node fooOwner = owner(cluster, "foo");
    Node other = cluster.get((cluster.indexOf(fooOwner) + 1) % 3);
    try (Jedis j = new Jedis("127.0.0.1", other.port())) {
      JedisMovedDataException e = assertThrows(JedisMovedDataException.class, () -> j.get("foo"));
      assertEquals("MOVED 12182 127.0.0.1:" + fooOwner.port(), e.getMessage());
    }
    RedisClusterClient client =
        RedisClusterClient.create(RedisURI.create("127.0.0.1", cluster.get(1).port()));
    try (StatefulRedisClusterConnection<String, String> conn = client.connect()) {
      assertEquals(3, conn.sync().clusterSlots().size());
      conn.sync().set("lettuce:a", "1");
      conn.sync().set("lettuce:b", "2");
      assertEquals("1", conn.sync().get("lettuce:a"));
      // MGET across slots is split by the client, one request per node.
      assertEquals(2, conn.sync().mget("lettuce:a", "lettuce:b").size());
      assertEquals(3, conn.getPartitions().size());
    } finally {
      client.shutdown();
    }
  }

  @Test
  void replicasFollowTheirMasters_andOneTakesOverWhenItsMasterDies() throws Exception {
    String cli = ExternalTools.require("redis-cli");
    List<Node> cluster = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      cluster.add(
          start(dir.resolve("node" + i), freePort(), freePort(), "cluster-node-timeout", "1000"));
    }
    List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
    for (Node n : cluster) {
      create.add("127.0.0.1:" + n.port());
    }
    create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    String out = run(create);
    assertTrue(out.contains("[OK] All 16384 slots covered."), out);
    awaitOk(cluster);
    try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", cluster.get(0).port()))) {
      for (int i = 0; i < 200; i++) {
        jc.set("key:" + i, "value:" + i);
      }
    }
    // The master of "key:0" and its replica, as CLUSTER NODES shows them.
    Node master = serving(cluster, "key:0");
    String masterId = text(call(master, "CLUSTER", "MYID"));
    Node replica = null;
    for (Node n : cluster) {
      String id = text(call(n, "CLUSTER", "MYID"));
      String nodes = text(call(cluster.get(0), "CLUSTER", "NODES"));
      for (String line : nodes.split("\n")) {
        String[] f = line.split(" ");
        if (f[0].equals(id) && f[2].contains("slave") && f[3].equals(masterId)) {
          replica = n;
        }
      }
    }
    assertTrue(replica != null, text(call(cluster.get(0), "CLUSTER", "NODES")));
    assertEquals("1", text(call(master, "WAIT", "1", "5000")));
    assertEquals(text(call(master, "DBSIZE")), text(call(replica, "DBSIZE")));
    String replicas = text(call(master, "CLUSTER", "REPLICAS", masterId));
    assertTrue(replicas.contains("slave " + masterId), replicas);
    // Bad uses of the replica and master commands, with Redis's texts.
    assertEquals(
        "-ERR Can't forget my master!\r\n", call(replica, "CLUSTER", "FORGET", masterId).rawText());
    assertEquals(
        "-ERR Please use SETSLOT only with masters.\r\n",
        call(replica, "CLUSTER", "SETSLOT", "0", "STABLE").rawText());
    assertEquals(
        "-ERR You should send CLUSTER FAILOVER to a replica\r\n",
        call(master, "CLUSTER", "FAILOVER").rawText());
    assertEquals("-ERR syntax error\r\n", call(replica, "CLUSTER", "FAILOVER", "NOW").rawText());
    assertEquals(
        "-ERR I can only replicate a master, not a replica.\r\n",
        call(master, "CLUSTER", "REPLICATE", text(call(replica, "CLUSTER", "MYID"))).rawText());
    try (RespClient c = new RespClient("127.0.0.1", replica.port())) {
      assertTrue(c.call("GET", "key:0").rawText().startsWith("-MOVED "));
      assertEquals("+OK\r\n", c.call("READONLY").rawText());
      assertEquals("value:0", text(c.call("GET", "key:0")));
      assertTrue(c.call("SET", "key:0", "x").rawText().startsWith("-MOVED "));
    }
    // The master goes away: its replica is elected and serves its slots.
    master.server().shutdown();
    nodes.remove(master);
    List<Node> rest = new ArrayList<>(cluster);
    rest.remove(master);
    Node promoted = replica;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!call(promoted, "ROLE").rawText().startsWith("*3\r\n$6\r\nmaster\r\n")
        || !"ok".equals(field(text(call(rest.get(0), "CLUSTER", "INFO")), "cluster_state"))
        || serving(rest, "key:0") != promoted) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no failover: " + text(call(rest.get(0), "CLUSTER", "NODES")));
      }
      Thread.sleep(100);
    }
    try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", rest.get(0).port()))) {
      for (int i = 0; i < 200; i++) {
        assertEquals("value:" + i, jc.get("key:" + i));
      }
      jc.set("after", "failover");
    }
    out = run(List.of(cli, "--cluster", "check", "127.0.0.1:" + promoted.port()));
    assertTrue(out.contains("[OK] All 16384 slots covered."), out);
    manualFailoverLosesNoWrite(rest);
    // CLUSTER RESET on a replica with data: a master of nothing, without the data (as Redis).
    Node other = null;
    for (Node n : rest) {
      if (call(n, "ROLE").rawText().startsWith("*5\r\n$5\r\nslave")) {
        other = n;
      }
    }
    assertTrue(other != null);
    assertTrue(Long.parseLong(text(call(other, "DBSIZE"))) > 0);
    assertEquals("+OK\r\n", call(other, "CLUSTER", "RESET").rawText());
    assertEquals("0", text(call(other, "DBSIZE")));
    assertTrue(call(other, "ROLE").rawText().startsWith("*3\r\n$6\r\nmaster"));
  }

  /**
   * CLUSTER FAILOVER on a replica while a client keeps writing to its master: the master pauses its
   * clients' writes until the replica has taken over, so every acknowledged write is on the new
   * master.
   */
  private void manualFailoverLosesNoWrite(List<Node> cluster) throws Exception {
    Node replica = null;
    Node master = null;
    for (Node n : cluster) {
      String role = call(n, "ROLE").rawText();
      if (role.startsWith("*5\r\n$5\r\nslave")) {
        int port = Integer.parseInt(role.split("\r\n")[5].substring(1));
        for (Node m : cluster) {
          if (m.port() == port) {
            replica = n;
            master = m;
          }
        }
      }
    }
    assertTrue(replica != null, text(call(cluster.get(0), "CLUSTER", "NODES")));
    String tag = null;
    for (int i = 0; tag == null; i++) {
      if (serving(cluster, "{t" + i + "}") == master) {
        tag = "{t" + i + "}";
      }
    }
    String prefix = tag;
    List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Throwable> failed =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              try (JedisCluster jc =
                  new JedisCluster(new HostAndPort("127.0.0.1", cluster.get(0).port()), 10_000)) {
                for (int i = 0; !stop.get(); i++) {
                  jc.set(prefix + i, "v" + i);
                  acknowledged.add(prefix + i);
                }
              } catch (RuntimeException e) {
                failed.set(e);
              }
            });
    writer.start();
    awaitWrites(acknowledged, 200, failed);
    assertEquals("+OK\r\n", call(replica, "CLUSTER", "FAILOVER").rawText());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!call(replica, "ROLE").rawText().startsWith("*3\r\n$6\r\nmaster\r\n")
        || serving(cluster, prefix) != replica
        || !call(master, "ROLE").rawText().startsWith("*5\r\n$5\r\nslave")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no failover: " + text(call(cluster.get(0), "CLUSTER", "NODES")));
      }
      Thread.sleep(50);
    }
    awaitWrites(acknowledged, acknowledged.size() + 200, failed);
    stop.set(true);
    writer.join(20_000);
    assertEquals(null, failed.get());
    List<String> written = new ArrayList<>(acknowledged);
    try (RespClient c = new RespClient("127.0.0.1", replica.port())) {
      for (String key : written) {
        assertEquals("v" + key.substring(prefix.length()), text(c.call("GET", key)), key);
      }
    }
  }

  private static void awaitWrites(
      List<String> acknowledged,
      int n,
      java.util.concurrent.atomic.AtomicReference<Throwable> failed)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acknowledged.size() < n) {
      if (failed.get() != null) {
        throw new AssertionError("the writer failed", failed.get());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the writer stalled at " + acknowledged.size() + " writes");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void redisCliCreatesAndChecksTheCluster() throws Exception {
    String cli = ExternalTools.require("redis-cli");
    List<Node> cluster = startNodes(3);
    List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
    for (Node n : cluster) {
      create.add("127.0.0.1:" + n.port());
    }
    create.add("--cluster-yes");
    String out = run(create);
    assertTrue(out.contains("[OK] All 16384 slots covered."), out);
    awaitOk(cluster);
    out = run(List.of(cli, "--cluster", "check", "127.0.0.1:" + cluster.get(1).port()));
    assertTrue(out.contains("[OK] All nodes agree about slots configuration."), out);
    out =
        run(List.of(cli, "-c", "-p", Integer.toString(cluster.get(0).port()), "SET", "foo", "bar"));
    assertEquals("OK", out.trim());
    assertEquals("bar", text(call(owner(cluster, "foo"), "GET", "foo")));
    // Resharding moves slots with their keys (GETKEYSINSLOT, MIGRATE, SETSLOT).
    try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", cluster.get(0).port()))) {
      for (int i = 0; i < 400; i++) {
        jc.set("key:" + i, "value:" + i);
      }
    }
    String from = text(call(cluster.get(0), "CLUSTER", "MYID"));
    String to = text(call(cluster.get(1), "CLUSTER", "MYID"));
    long before = Long.parseLong(text(call(cluster.get(0), "DBSIZE")));
    run(
        List.of(
            cli,
            "--cluster",
            "reshard",
            "127.0.0.1:" + cluster.get(0).port(),
            "--cluster-from",
            from,
            "--cluster-to",
            to,
            "--cluster-slots",
            "1000",
            "--cluster-yes"));
    awaitOk(cluster);
    out = run(List.of(cli, "--cluster", "check", "127.0.0.1:" + cluster.get(2).port()));
    assertTrue(out.contains("[OK] All nodes agree about slots configuration."), out);
    assertTrue(out.contains("[OK] All 16384 slots covered."), out);
    long after = Long.parseLong(text(call(cluster.get(0), "DBSIZE")));
    assertTrue(after < before, before + " keys before, " + after + " after");
    long total = 0;
    for (Node n : cluster) {
      total += Long.parseLong(text(call(n, "DBSIZE")));
    }
    assertEquals(401, total);
    try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", cluster.get(2).port()))) {
      for (int i = 0; i < 400; i++) {
        assertEquals("value:" + i, jc.get("key:" + i));
      }
    }
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  void transactionsAndMultiKeyCommandsStayInOneSlot() throws Exception {
    List<Node> cluster = formCluster();
    Node fooOwner = owner(cluster, "foo");
    Node other = cluster.get((cluster.indexOf(fooOwner) + 1) % 3);
    assertEquals(
        "CROSSSLOT Keys in request don't hash to the same slot",
        text(call(fooOwner, "MSET", "foo", "1", "bar", "2")));
    assertEquals("OK", text(call(fooOwner, "MSET", "{foo}a", "1", "{foo}b", "2")));
    try (RespClient c = new RespClient("127.0.0.1", other.port())) {
      assertEquals("OK", text(c.call("MULTI")));
      assertEquals("MOVED 12182 127.0.0.1:" + fooOwner.port(), text(c.call("SET", "foo", "1")));
      assertEquals(
          "EXECABORT Transaction discarded because of previous errors.", text(c.call("EXEC")));
      assertEquals("ERR SELECT is not allowed in cluster mode", text(c.call("SELECT", "1")));
      assertEquals("OK", text(c.call("SELECT", "0")));
    }
    // A transaction queued on the right node whose slot starts migrating before EXEC: EXEC
    // replies the redirection itself, and the transaction is gone.
    String otherId = text(call(other, "CLUSTER", "MYID"));
    try (RespClient c = new RespClient("127.0.0.1", fooOwner.port())) {
      assertEquals("OK", text(c.call("MULTI")));
      assertEquals("QUEUED", text(c.call("SET", "foo", "1")));
      assertEquals("OK", text(call(fooOwner, "CLUSTER", "SETSLOT", "12182", "MIGRATING", otherId)));
      assertEquals("ASK 12182 127.0.0.1:" + other.port(), text(c.call("EXEC")));
      assertEquals("ERR EXEC without MULTI", text(c.call("EXEC")));
      assertEquals("OK", text(call(fooOwner, "CLUSTER", "SETSLOT", "12182", "STABLE")));
    }
    try (RespClient c = new RespClient("127.0.0.1", fooOwner.port())) {
      assertEquals("OK", text(c.call("MULTI")));
      assertEquals("QUEUED", text(c.call("INCR", "{foo}n")));
      assertEquals("QUEUED", text(c.call("INCR", "{foo}n")));
      assertEquals("*2\r\n:1\r\n:2\r\n", c.call("EXEC").rawText());
    }
  }

  @Test
  void scriptsTouchOnlyThisNodesKeysInOneSlot() throws Exception {
    List<Node> cluster = formCluster();
    Node n = owner(cluster, "foo");
    int index = cluster.indexOf(n);
    // A key this node serves in another slot than foo's.
    String other = null;
    for (int i = 0; other == null; i++) {
      String k = "k" + i;
      int slot = Integer.parseInt(text(call(n, "CLUSTER", "KEYSLOT", k)));
      if (slot != 12182 && owner(cluster, k) == n) {
        other = k;
      }
    }
    String elsewhere = "bar"; // slot 5061, another node's
    assertTrue(owner(cluster, elsewhere) != n);
    assertEquals("OK", text(call(n, "EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "foo")));
    assertEquals(
        "OK",
        text(
            call(
                n,
                "EVAL",
                "redis.call('set', KEYS[1], 'v') return redis.call('set', '{foo}same-slot', 'w')",
                "1",
                "foo")));
    String remote = text(call(n, "EVAL", "return redis.call('get', ARGV[1])", "0", elsewhere));
    assertTrue(
        remote.startsWith("ERR Script attempted to access a non local key in a cluster node"),
        remote);
    String cross =
        text(
            call(
                n,
                "EVAL",
                "redis.call('get', KEYS[1]) return redis.call('get', ARGV[1])",
                "1",
                "foo",
                other));
    assertTrue(
        cross.startsWith("ERR Script attempted to access keys that do not hash to the same slot"),
        cross);
    assertEquals(
        "OK",
        text(
            call(
                n,
                "EVAL",
                "#!lua flags=allow-cross-slot-keys\nredis.call('get', KEYS[1]) "
                    + "return redis.call('set', ARGV[1], 'x')",
                "1",
                "foo",
                other)));
    assertTrue(index >= 0);
  }

  @Test
  void whileTheClusterIsDownShardChannelsStillWorkAndScriptsSayWhy() throws Exception {
    Node n = startNodes(1).get(0);
    assertEquals("OK", text(call(n, "CLUSTER", "ADDSLOTSRANGE", "0", "100")));
    String served = null;
    for (int i = 0; served == null; i++) {
      if (Integer.parseInt(text(call(n, "CLUSTER", "KEYSLOT", "c" + i))) <= 100) {
        served = "c" + i;
      }
    }
    // Slots 101-16383 are not served: the cluster is down, keys are refused.
    assertEquals("CLUSTERDOWN The cluster is down", text(call(n, "GET", served)));
    String down = text(call(n, "EVAL", "return redis.call('get', ARGV[1])", "0", served));
    assertTrue(
        down.startsWith("ERR Script attempted to execute a command while the cluster is down"),
        down);
    // Shard channels go on (cluster-allow-pubsubshard-when-down yes), from a script too.
    assertEquals("0", text(call(n, "SPUBLISH", served, "m")));
    assertEquals(
        "0", text(call(n, "EVAL", "return redis.call('spublish', ARGV[1], 'm')", "0", served)));
  }

  @Test
  void aMigratingSlotSendsMissingKeysOnWithAsk() throws Exception {
    List<Node> cluster = formCluster();
    Node source = owner(cluster, "foo");
    Node target = cluster.get((cluster.indexOf(source) + 1) % 3);
    String sourceId = text(call(source, "CLUSTER", "MYID"));
    String targetId = text(call(target, "CLUSTER", "MYID"));
    assertEquals("OK", text(call(source, "SET", "{foo}kept", "v")));
    assertEquals("OK", text(call(target, "CLUSTER", "SETSLOT", "12182", "IMPORTING", sourceId)));
    assertEquals("OK", text(call(source, "CLUSTER", "SETSLOT", "12182", "MIGRATING", targetId)));
    assertTrue(text(call(source, "CLUSTER", "NODES")).contains("[12182->-" + targetId + "]"));
    // The source still serves the keys it has, and sends the others to the target with ASK.
    assertEquals("v", text(call(source, "GET", "{foo}kept")));
    String ask = "ASK 12182 127.0.0.1:" + target.port();
    assertEquals(ask, text(call(source, "GET", "foo")));
    assertEquals(
        "TRYAGAIN Multiple keys request during rehashing of slot",
        text(call(source, "MGET", "{foo}kept", "foo")));
    // MIGRATE runs on the source whatever keys are missing (redis-cli's reshard relies on it).
    assertEquals(
        "NOKEY",
        text(
            call(
                source,
                "MIGRATE",
                "127.0.0.1",
                Integer.toString(target.port()),
                "",
                "0",
                "5000",
                "KEYS",
                "foo",
                "{foo}gone")));
    // The target answers MOVED unless the client says ASKING, which covers one command.
    assertEquals("MOVED 12182 127.0.0.1:" + source.port(), text(call(target, "SET", "foo", "x")));
    try (RespClient c = new RespClient("127.0.0.1", target.port())) {
      assertEquals("OK", text(c.call("ASKING")));
      assertEquals("OK", text(c.call("SET", "foo", "x")));
      assertTrue(text(c.call("GET", "foo")).startsWith("MOVED 12182"));
    }
    assertEquals("1", text(call(source, "CLUSTER", "COUNTKEYSINSLOT", "12182")));
    assertEquals(
        "*1\r\n$9\r\n{foo}kept\r\n",
        call(source, "CLUSTER", "GETKEYSINSLOT", "12182", "10").rawText());
    assertEquals(
        "ERR Can't assign hashslot 12182 to a different node while I still hold keys for this"
            + " hash slot.",
        text(call(source, "CLUSTER", "SETSLOT", "12182", "NODE", targetId)));
    assertEquals("1", text(call(source, "DEL", "{foo}kept")));
    // Handing the slot over: the target first (a new epoch), then the source.
    assertEquals("OK", text(call(target, "CLUSTER", "SETSLOT", "12182", "NODE", targetId)));
    assertEquals("OK", text(call(source, "CLUSTER", "SETSLOT", "12182", "NODE", targetId)));
    assertEquals("x", text(call(target, "GET", "foo")));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Node third = cluster.get((cluster.indexOf(source) + 2) % 3);
    String moved = "MOVED 12182 127.0.0.1:" + target.port();
    while (!moved.equals(text(call(third, "GET", "foo")))) {
      assertTrue(System.nanoTime() < deadline, "the third node never learned the new owner");
      Thread.sleep(50);
    }
    assertEquals(moved, text(call(source, "GET", "foo")));
  }

  @Test
  void aRestartedNodeKeepsItsNameSlotsAndData() throws Exception {
    List<Node> cluster = formCluster();
    Node n = owner(cluster, "foo");
    String id = text(call(n, "CLUSTER", "MYID"));
    assertEquals("OK", text(call(n, "SET", "foo", "kept")));
    n.server().shutdown();
    nodes.remove(n);
    Node again = start(n.dir(), n.port(), n.busPort());
    List<Node> now = new ArrayList<>(cluster);
    now.set(cluster.indexOf(n), again);
    assertEquals(id, text(call(again, "CLUSTER", "MYID")));
    awaitOk(now);
    assertEquals("kept", text(call(again, "GET", "foo")));
    assertTrue(Files.readString(n.dir().resolve("nodes.conf")).contains(id + " "));
  }

  @Test
  void badInputGetsRedisErrors() throws Exception {
    Node n = startNodes(1).get(0);
    Map<List<String>, String> cases = new HashMap<>();
    cases.put(List.of("CLUSTER", "ADDSLOTS", "16384"), "ERR Invalid or out of range slot");
    cases.put(List.of("CLUSTER", "ADDSLOTS", "x"), "ERR Invalid or out of range slot");
    cases.put(List.of("CLUSTER", "ADDSLOTS", "1", "1"), "ERR Slot 1 specified multiple times");
    cases.put(List.of("CLUSTER", "DELSLOTS", "7"), "ERR Slot 7 is already unassigned");
    cases.put(
        List.of("CLUSTER", "ADDSLOTSRANGE", "9", "2"),
        "ERR start slot number 9 is greater than end slot number 2");
    cases.put(
        List.of("CLUSTER", "ADDSLOTSRANGE", "1", "2", "3"),
        "ERR wrong number of arguments for 'cluster|addslotsrange' command");
    cases.put(
        List.of("CLUSTER", "MEET", "not-an-ip", "7000"),
        "ERR Invalid node address specified: not-an-ip:7000");
    cases.put(
        List.of("CLUSTER", "MEET", "127.0.0.1", "x"), "ERR Invalid TCP base port specified: x");
    cases.put(
        List.of("CLUSTER", "MEET", "127.0.0.1", "7000", "y"),
        "ERR Invalid TCP bus port specified: y");
    cases.put(
        List.of("CLUSTER", "SETSLOT", "1", "BOGUS"),
        "ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
    cases.put(List.of("CLUSTER", "SETSLOT", "1", "NODE", "abc"), "ERR Unknown node abc");
    cases.put(
        List.of("CLUSTER", "SETSLOT", "1", "MIGRATING", "abc"),
        "ERR I'm not the owner of hash slot 1");
    cases.put(List.of("CLUSTER", "COUNTKEYSINSLOT", "-1"), "ERR Invalid slot");
    cases.put(List.of("CLUSTER", "GETKEYSINSLOT", "1", "-1"), "ERR Invalid slot or number of keys");
    cases.put(List.of("CLUSTER", "FORGET", "abc"), "ERR Unknown node abc");
    cases.put(List.of("CLUSTER", "FAILOVER"), "ERR You should send CLUSTER FAILOVER to a replica");
    cases.put(
        List.of("FAILOVER"),
        "ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.");
    cases.put(
        List.of("CLUSTER", "SET-CONFIG-EPOCH", "-3"), "ERR Invalid config epoch specified: -3");
    cases.put(List.of("CLUSTER", "FOO"), "ERR unknown subcommand 'FOO'. Try CLUSTER HELP.");
    cases.put(List.of("GET", "foo"), "CLUSTERDOWN Hash slot not served");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      Reply r = call(n, c.getKey().toArray(new String[0]));
      assertTrue(r.isError(), c.getKey() + " replied " + r);
      assertEquals(c.getValue(), text(r), c.getKey().toString());
    }
    String me = text(call(n, "CLUSTER", "MYID"));
    assertEquals(
        "ERR I tried hard but I can't forget myself...", text(call(n, "CLUSTER", "FORGET", me)));
    assertEquals("OK", text(call(n, "CLUSTER", "SET-CONFIG-EPOCH", "5")));
    assertEquals("STILL 5", text(call(n, "CLUSTER", "BUMPEPOCH")));
    assertEquals(
        "ERR Node config epoch is already non-zero",
        text(call(n, "CLUSTER", "SET-CONFIG-EPOCH", "6")));
    assertEquals("PONG", text(call(n, "PING")));
    // Garbage on the bus port closes that connection and nothing else.
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", n.busPort())) {
      s.getOutputStream().write(new byte[] {0, 0, 0, 8, 'g', 'a', 'r', 'b', 'a', 'g', 'e', '!'});
      s.getOutputStream().flush();
      s.setSoTimeout(10_000);
      assertEquals(-1, s.getInputStream().read());
    }
    assertEquals("PONG", text(call(n, "PING")));
    assertNotEquals("", text(call(n, "CLUSTER", "NODES")));
  }

  @Test
  void aStandaloneServerRefusesClusterCommands() throws Exception {
    Config config = Config.standard();
    config.require("port").set("0");
    config.require("dir").set(dir.toString());
    ToriServer server = new ToriServer(config);
    server.start();
    try (RespClient c = new RespClient("127.0.0.1", server.port())) {
      for (String[] cmd :
          new String[][] {{"CLUSTER", "INFO"}, {"CLUSTER", "NODES"}, {"ASKING"}, {"READONLY"}}) {
        assertEquals("ERR This instance has cluster support disabled", text(c.call(cmd)));
      }
      assertEquals("OK", text(c.call("SELECT", "1")));
    } finally {
      server.shutdown();
    }
  }
}
