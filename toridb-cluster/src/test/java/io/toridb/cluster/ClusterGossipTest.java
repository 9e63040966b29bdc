package io.toridb.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.config.Config;
import io.toridb.core.keyspace.HashSlot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three (or two) nodes gossiping over an in-memory bus, driven by their cron. */
class ClusterGossipTest {
  @TempDir Path dir;

  private final MemoryNet net = new MemoryNet();
  private final List<Cluster> nodes = new ArrayList<>();

  @AfterEach
  void close() {
    for (Cluster c : nodes) {
      c.close();
    }
  }

  private Cluster node(int port, long timeoutMillis) throws Exception {
    Config config = Config.standard();
    config.require("cluster-node-timeout").set(Long.toString(timeoutMillis));
    Path d = dir.resolve("n" + port);
    java.nio.file.Files.createDirectories(d);
    Cluster c = Cluster.open(config, d);
    int bus = port + Cluster.BUS_PORT_OFFSET;
    net.byBusPort.put(bus, c);
    c.start(net.transport(bus), port, bus);
    nodes.add(c);
    return c;
  }

  /** Runs every reachable node's cron and delivers messages until {@code done} or 20 s. */
  private void runUntil(BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the cluster did not get there; views: " + views());
      }
      for (Cluster c : nodes) {
        if (!net.down.contains(c.myself.busPort)) {
          c.cron();
        }
      }
      net.pump();
      Thread.sleep(5);
    }
  }

  private String views() {
    StringBuilder sb = new StringBuilder();
    for (Cluster c : nodes) {
      synchronized (c) {
        sb.append("\n--- ").append(c.myself.port).append('\n').append(NodesFile.nodesText(c, true));
      }
    }
    return sb.toString();
  }

  private static boolean knowsAll(Cluster c, int n) {
    synchronized (c) {
      return c.nodes.size() == n
          && c.nodes.values().stream().noneMatch(x -> x.has(ClusterNode.HANDSHAKE));
    }
  }

  private static BitSet range(int from, int to) {
    BitSet b = new BitSet();
    b.set(from, to + 1);
    return b;
  }

  /** The owner of every slot as {@code c} sees it, by node name. */
  private static List<String> owners(Cluster c) {
    synchronized (c) {
      List<String> out = new ArrayList<>();
      for (ClusterNode n : c.owners) {
        out.add(n == null ? null : n.id);
      }
      return out;
    }
  }

  private List<Cluster> threeNodeCluster(long timeout) throws Exception {
    Cluster a = node(7001, timeout);
    Cluster b = node(7002, timeout);
    Cluster c = node(7003, timeout);
    a.updateSlots(range(0, 5460), false);
    b.updateSlots(range(5461, 10922), false);
    c.updateSlots(range(10923, 16383), false);
    assertTrue(b.meet("127.0.0.1", 7001, 17001));
    assertTrue(c.meet("127.0.0.1", 7001, 17001));
    runUntil(
        () ->
            knowsAll(a, 3)
                && knowsAll(b, 3)
                && knowsAll(c, 3)
                && a.stateOk()
                && b.stateOk()
                && c.stateOk());
    return List.of(a, b, c);
  }

  /** What a node's replication was told, and the offset it reports. */
  static final class FakeReplication implements ReplicaControl {
    final List<String> calls = new ArrayList<>();
    long offset;
    volatile long down;

    @Override
    public synchronized void follow(String host, int port) {
      calls.add("follow " + port);
    }

    @Override
    public synchronized void promote() {
      calls.add("promote");
    }

    @Override
    public long offset() {
      return offset;
    }

    @Override
    public long linkDownMillis() {
      return down;
    }

    @Override
    public synchronized void pauseWrites(long untilMillis) {
      calls.add("pause");
    }

    @Override
    public synchronized void resumeWrites() {
      calls.add("resume");
    }

    synchronized String last() {
      return calls.isEmpty() ? null : calls.get(calls.size() - 1);
    }
  }

  private static boolean isReplicaOf(Cluster viewer, Cluster replica, Cluster master) {
    synchronized (viewer) {
      ClusterNode r = viewer.nodes.get(replica.myself.id);
      return r != null && r.has(ClusterNode.REPLICA) && master.myself.id.equals(r.masterId);
    }
  }

  /**
   * Adds node 7004 as a replica of the first node of {@code cl} (node 7001), with the given fake
   * replications, and waits until every node sees it so.
   */
  private Cluster replicaOfFirst(
      List<Cluster> cl, long timeout, FakeReplication replicaRepl, FakeReplication masterRepl)
      throws Exception {
    Cluster a = cl.get(0);
    Cluster d = node(7004, timeout);
    d.replicaControl(replicaRepl);
    a.replicaControl(masterRepl);
    assertTrue(d.meet("127.0.0.1", 7001, 17001));
    runUntil(() -> knowsAll(d, 4) && cl.stream().allMatch(c -> knowsAll(c, 4)));
    d.replicate(d.node(a.myself.id));
    assertEquals("follow 7001", replicaRepl.last());
    runUntil(() -> cl.stream().allMatch(c -> isReplicaOf(c, d, a)));
    return d;
  }

  @Test
  void aReplicaTakesOverItsFailedMaster_andTheOldMasterFollowsIt() throws Exception {
    List<Cluster> cl = threeNodeCluster(500);
    Cluster a = cl.get(0);
    Cluster b = cl.get(1);
    Cluster c = cl.get(2);
    FakeReplication dRepl = new FakeReplication();
    FakeReplication aRepl = new FakeReplication();
    Cluster d = replicaOfFirst(cl, 500, dRepl, aRepl);
    // A READONLY read of the master's slot is served by the replica; a write is sent to the master.
    String key = "{" + keyIn(a) + "}";
    assertNull(d.route(keys(key), false, false, true, false, false, k -> true));
    assertEquals(
        "MOVED " + HashSlot.of(key.getBytes(StandardCharsets.UTF_8)) + " 127.0.0.1:7001",
        d.route(keys(key), true, false, true, false, false, k -> true));
    assertTrue(
        d.route(keys(key), false, false, false, false, false, k -> true).startsWith("MOVED"));
    // The master goes away: the replica is elected and takes its slots everywhere.
    long epochBefore = b.currentEpoch;
    net.down.add(17001);
    runUntil(
        () ->
            owners(b).get(0) != null
                && owners(b).get(0).equals(d.myself.id)
                && owners(c).get(0).equals(d.myself.id)
                && b.stateOk()
                && c.stateOk());
    assertEquals("promote", dRepl.last());
    assertTrue(d.myself.has(ClusterNode.MASTER));
    assertTrue(d.myself.configEpoch > epochBefore);
    assertNull(d.route(keys(key), true, false, false, false, false, k -> true));
    // The old master comes back and becomes a replica of the new one.
    net.down.remove(17001);
    runUntil(() -> isReplicaOf(a, a, d) && isReplicaOf(b, a, d) && isReplicaOf(c, a, d));
    assertEquals("follow 7004", aRepl.last());
    assertEquals(0, a.myself.slotCount());
  }

  @Test
  void aReplicaWithoutItsMastersData_doesNotFailOver() throws Exception {
    List<Cluster> cl = threeNodeCluster(300);
    Cluster a = cl.get(0);
    Cluster b = cl.get(1);
    Cluster d = node(7004, 300);
    FakeReplication dRepl = new FakeReplication();
    d.replicaControl(dRepl);
    assertTrue(d.meet("127.0.0.1", 7001, 17001));
    runUntil(() -> knowsAll(a, 4) && knowsAll(d, 4));
    d.replicate(d.node(a.myself.id));
    runUntil(() -> isReplicaOf(b, d, a));
    // Never synchronized, as the server reports it.
    dRepl.down = Long.MAX_VALUE / 4;
    net.down.add(17001);
    runUntil(
        () -> {
          synchronized (b) {
            return b.nodes.get(a.myself.id).failed();
          }
        });
    long until = System.currentTimeMillis() + 2500;
    runUntil(() -> System.currentTimeMillis() > until);
    assertEquals(a.myself.id, owners(b).get(0));
    assertTrue(d.myself.has(ClusterNode.REPLICA));
    assertEquals("follow 7001", dRepl.last());
  }

  @Test
  void manualFailover_takeoverAndForce() throws Exception {
    List<Cluster> cl = threeNodeCluster(500);
    Cluster a = cl.get(0);
    Cluster b = cl.get(1);
    FakeReplication dRepl = new FakeReplication();
    Cluster d = replicaOfFirst(cl, 500, dRepl, new FakeReplication());
    // FORCE: an election the masters vote in although the master is up.
    d.manualFailover(true, false);
    runUntil(() -> owners(b).get(0).equals(d.myself.id) && isReplicaOf(b, a, d));
    assertEquals("promote", dRepl.last());
    // TAKEOVER: the old master, now a replica, takes its slots back without a vote.
    a.manualFailover(false, true);
    runUntil(() -> owners(b).get(0).equals(a.myself.id) && isReplicaOf(b, d, a));
  }

  @Test
  void manualFailover_pausesTheMasterAndWaitsForItsFinalOffset() throws Exception {
    List<Cluster> cl = threeNodeCluster(500);
    Cluster a = cl.get(0);
    Cluster b = cl.get(1);
    FakeReplication dRepl = new FakeReplication();
    FakeReplication aRepl = new FakeReplication();
    Cluster d = replicaOfFirst(cl, 500, dRepl, aRepl);
    aRepl.offset = 1000;
    dRepl.offset = 900;
    d.manualFailover(false, false);
    // The master pauses its clients' writes at the replica's request (MFSTART) ...
    runUntil(() -> aRepl.calls.contains("pause"));
    // ... and the replica waits until it has everything the paused master has.
    long until = System.currentTimeMillis() + 1000;
    runUntil(() -> System.currentTimeMillis() > until);
    assertEquals(a.myself.id, owners(b).get(0));
    assertTrue(d.myself.has(ClusterNode.REPLICA));
    dRepl.offset = 1000;
    runUntil(() -> owners(b).get(0).equals(d.myself.id) && isReplicaOf(b, a, d));
    assertEquals("promote", dRepl.last());
    // The old master, once a replica with its new routing, lets its paused clients go (to be
    // redirected): after it follows the new master, as Redis.
    runUntil(() -> aRepl.calls.contains("resume"));
    assertEquals(
        List.of("pause", "follow 7004", "resume"),
        aRepl.calls.stream().filter(x -> !x.startsWith("follow 7001")).toList());
    assertEquals(1, a.received[BusMessage.MFSTART]);
    assertEquals(1, d.sent[BusMessage.MFSTART]);
  }

  @Test
  void aManualFailoverThatTimesOut_unpausesTheMaster() throws Exception {
    List<Cluster> cl = threeNodeCluster(500);
    Cluster a = cl.get(0);
    FakeReplication dRepl = new FakeReplication();
    FakeReplication aRepl = new FakeReplication();
    Cluster d = replicaOfFirst(cl, 500, dRepl, aRepl);
    aRepl.offset = 1000;
    dRepl.offset = 10;
    d.manualFailover(false, false);
    runUntil(() -> aRepl.calls.contains("pause"));
    long until = System.currentTimeMillis() + Cluster.MANUAL_FAILOVER_MILLIS + 500;
    runUntil(() -> System.currentTimeMillis() > until && aRepl.calls.contains("resume"));
    assertTrue(a.myself.has(ClusterNode.MASTER));
    assertTrue(d.myself.has(ClusterNode.REPLICA));
    // Paused again, then CLUSTER RESET on the master: its clients go on.
    aRepl.calls.clear();
    d.manualFailover(false, false);
    runUntil(() -> aRepl.calls.contains("pause"));
    a.reset(false);
    runUntil(() -> aRepl.calls.contains("resume"));
  }

  /** A key of a slot {@code c} serves. */
  private static String keyIn(Cluster c) {
    for (int i = 0; ; i++) {
      String k = "k" + i;
      synchronized (c) {
        if (c.owners[HashSlot.of(k.getBytes(StandardCharsets.UTF_8))] == c.myself) {
          return k;
        }
      }
    }
  }

  @Test
  void nodesMeetLearnEachOtherAndAgreeOnSlots() throws Exception {
    List<Cluster> cl = threeNodeCluster(15_000);
    assertEquals(owners(cl.get(0)), owners(cl.get(1)));
    assertEquals(owners(cl.get(0)), owners(cl.get(2)));
    assertEquals(cl.get(2).myself.id, owners(cl.get(0)).get(12182));
    // Fresh nodes start with config epoch 0 each; the collisions are settled by new epochs.
    runUntil(
        () -> {
          Set<Long> epochs = new HashSet<>();
          for (Cluster c : cl) {
            epochs.add(c.myself.configEpoch);
          }
          return epochs.size() == 3;
        });
    // Every node learned its own address from the others.
    for (Cluster c : cl) {
      assertEquals("127.0.0.1", c.myself.ip);
    }
  }

  @Test
  void routesKeysAsRedisDoes() throws Exception {
    List<Cluster> cl = threeNodeCluster(15_000);
    Cluster a = cl.get(0);
    Cluster b = cl.get(1);
    Set<String> storedOnA = new HashSet<>();
    // A hash tag whose slot the first node serves.
    String t = null;
    for (int i = 0; t == null; i++) {
      if (HashSlot.of(bytes("{t" + i + "}")) <= 5460) {
        t = "{t" + i + "}";
      }
    }
    // "foo" is slot 12182, served by the third node.
    assertEquals(
        "MOVED 12182 127.0.0.1:7003",
        a.route(keys("foo"), false, false, false, false, false, k -> false));
    assertNull(cl.get(2).route(keys("foo"), true, false, false, false, false, k -> false));
    // Keys with the same tag go together; others do not.
    assertNull(a.route(keys(t + "1", t + "2"), true, false, false, false, false, k -> false));
    assertEquals(
        "CROSSSLOT Keys in request don't hash to the same slot",
        a.route(keys(t + "1", "foo"), true, false, false, false, false, k -> false));
    // A slot migrating from a to b: a serves the keys it still has, sends the rest on with ASK.
    int slot = HashSlot.of(bytes(t + "1"));
    assertTrue(slot <= 5460);
    synchronized (a) {
      a.migratingTo[slot] = a.nodes.get(b.myself.id);
      a.changed();
    }
    synchronized (b) {
      b.importingFrom[slot] = b.nodes.get(a.myself.id);
      b.changed();
    }
    storedOnA.add(t + "1");
    java.util.function.Predicate<byte[]> onA =
        k -> storedOnA.contains(new String(k, StandardCharsets.UTF_8));
    assertNull(a.route(keys(t + "1"), true, false, false, false, false, onA));
    assertEquals(
        "ASK " + slot + " 127.0.0.1:7002",
        a.route(keys(t + "2"), true, false, false, false, false, onA));
    assertEquals(
        "TRYAGAIN Multiple keys request during rehashing of slot",
        a.route(keys(t + "1", t + "2"), true, false, false, false, false, onA));
    // MIGRATE runs on either side of an open slot, whatever keys are missing.
    assertNull(a.route(keys(t + "1", t + "2"), true, false, false, false, true, onA));
    assertNull(b.route(keys(t + "2"), true, false, false, false, true, k -> false));
    // b serves the slot only to clients that said ASKING.
    assertEquals(
        "MOVED " + slot + " 127.0.0.1:7001",
        b.route(keys(t + "2"), true, false, false, false, false, k -> false));
    assertNull(b.route(keys(t + "2"), true, true, false, false, false, k -> false));
    assertEquals(
        "TRYAGAIN Multiple keys request during rehashing of slot",
        b.route(keys(t + "2", t + "3"), true, true, false, false, false, k -> false));
    // Commands without keys always run.
    assertNull(a.route(List.of(), true, false, false, false, false, k -> false));
  }

  @Test
  void unservedSlotsAndAClusterDownRefuseKeys() throws Exception {
    Cluster a = node(7001, 15_000);
    assertEquals(
        "CLUSTERDOWN Hash slot not served",
        a.route(keys("x"), false, false, false, false, false, k -> false));
    a.updateSlots(range(0, 100), false);
    int slot = HashSlot.of(bytes("x"));
    assertTrue(slot > 100, "x is in slot " + slot);
    // Slots 101-16383 are not served, so the cluster is down even for a key of a served slot.
    String inServed = null;
    for (int i = 0; inServed == null; i++) {
      if (HashSlot.of(bytes("k" + i)) <= 100) {
        inServed = "k" + i;
      }
    }
    assertFalse(a.stateOk());
    assertEquals(
        "CLUSTERDOWN The cluster is down",
        a.route(keys(inServed), false, false, false, false, false, k -> false));
  }

  @Test
  void aHigherConfigEpochTakesTheSlot() throws Exception {
    List<Cluster> cl = threeNodeCluster(15_000);
    Cluster a = cl.get(0);
    Cluster b = cl.get(1);
    // b takes slot 0 from a, as CLUSTER SETSLOT 0 NODE <b> on b after an import does.
    synchronized (b) {
      b.importingFrom[0] = b.nodes.get(a.myself.id);
      b.setSlotNode(0, b.myself, true);
    }
    runUntil(
        () -> b.myself.id.equals(owners(a).get(0)) && b.myself.id.equals(owners(cl.get(2)).get(0)));
    assertTrue(b.myself.configEpoch > a.myself.configEpoch);
    assertEquals(
        "MOVED 0 127.0.0.1:7002",
        a.route(List.of(keyInSlot(0)), false, false, false, false, false, k -> false));
  }

  @Test
  void aSilentNodeIsFailedByTheMajorityAndComesBack() throws Exception {
    List<Cluster> cl = threeNodeCluster(200);
    Cluster a = cl.get(0);
    Cluster b = cl.get(1);
    Cluster c = cl.get(2);
    String cid = c.myself.id;
    net.down.add(c.myself.busPort);
    runUntil(() -> node(a, cid).failed() && node(b, cid).failed() && !a.stateOk() && !b.stateOk());
    assertEquals(
        "CLUSTERDOWN The cluster is down",
        a.route(keys("foo"), false, false, false, false, false, k -> false));
    net.down.remove(c.myself.busPort);
    runUntil(() -> !node(a, cid).failed() && !node(b, cid).failed() && a.stateOk() && b.stateOk());
  }

  @Test
  void aForgottenNodeIsNotLearnedAgainFromGossip() throws Exception {
    List<Cluster> cl = threeNodeCluster(15_000);
    Cluster a = cl.get(0);
    String cid = cl.get(2).myself.id;
    a.forget(a.node(cid));
    for (int i = 0; i < 30; i++) {
      for (Cluster c : cl) {
        c.cron();
      }
      net.pump();
    }
    assertNull(a.node(cid));
    assertEquals(2, a.nodes.size());
  }

  @Test
  void theNodeFileKeepsNameSlotsAndEpochsAcrossARestart() throws Exception {
    List<Cluster> cl = threeNodeCluster(15_000);
    Cluster a = cl.get(0);
    String before;
    List<String> owners = owners(a);
    long epoch;
    synchronized (a) {
      a.migratingTo[5] = a.nodes.get(cl.get(1).myself.id);
      a.save();
      before = a.myself.id;
      epoch = a.currentEpoch;
    }
    a.close();
    nodes.remove(a);
    Config config = Config.standard();
    Cluster again = Cluster.open(config, dir.resolve("n7001"));
    nodes.add(again);
    assertEquals(before, again.myself.id);
    assertEquals(owners, owners(again));
    assertEquals(epoch, again.currentEpoch);
    assertEquals(3, again.nodes.size());
    assertEquals(cl.get(1).myself.id, again.migratingTo[5].id);
  }

  private static ClusterNode node(Cluster c, String id) {
    synchronized (c) {
      return c.nodes.get(id);
    }
  }

  private static byte[] keyInSlot(int slot) {
    for (int i = 0; ; i++) {
      byte[] k = bytes("key:" + i);
      if (HashSlot.of(k) == slot) {
        return k;
      }
    }
  }

  private static List<byte[]> keys(String... names) {
    List<byte[]> out = new ArrayList<>();
    for (String n : names) {
      out.add(bytes(n));
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aMeetSurvivesAFailedFirstConnection() throws Exception {
    Cluster a = node(7001, 15_000);
    Cluster b = node(7002, 15_000);
    net.down.add(b.myself.busPort);
    assertTrue(a.meet("127.0.0.1", 7002, 17002));
    for (int i = 0; i < 5; i++) {
      a.cron();
      net.pump();
    }
    net.down.remove(b.myself.busPort);
    runUntil(() -> knowsAll(a, 2) && knowsAll(b, 2));
  }

  @Test
  void aMeetFromAnUnknownNodeIsOnlyAHandshakeUntilItAnswers() throws Exception {
    Cluster b = node(7002, 100);
    BitSet all = range(0, HashSlot.COUNT - 1);
    String fake = "f".repeat(40);
    BusMessage meet =
        new BusMessage(
            BusMessage.MEET,
            fake,
            99,
            99,
            ClusterNode.MASTER,
            null,
            0,
            0,
            7009,
            17009,
            "",
            "",
            all,
            List.of(),
            null);
    BusLink from = net.transport(17009).connect("127.0.0.1", 17002);
    b.onMessage(from, meet.encode(), "127.0.0.1", "127.0.0.1");
    synchronized (b) {
      assertNull(b.nodes.get(fake));
      assertEquals(2, b.nodes.size());
      assertTrue(b.nodes.values().stream().anyMatch(n -> n.has(ClusterNode.HANDSHAKE)));
      for (ClusterNode owner : b.owners) {
        assertNull(owner);
      }
    }
    // Nobody answers at 7009: the handshake times out and nothing of it is left.
    runUntil(() -> b.nodes.size() == 1);
    assertEquals(0, b.currentEpoch);
  }

  @Test
  void epochCollisionIsSettledByTheSmallerName() throws Exception {
    Cluster a = node(7001, 15_000);
    Cluster b = node(7002, 15_000);
    a.setConfigEpoch(3);
    b.setConfigEpoch(3);
    assertTrue(b.meet("127.0.0.1", 7001, 17001));
    runUntil(
        () -> knowsAll(a, 2) && knowsAll(b, 2) && a.myself.configEpoch != b.myself.configEpoch);
    Cluster smaller = a.myself.id.compareTo(b.myself.id) < 0 ? a : b;
    Cluster larger = smaller == a ? b : a;
    assertEquals(3, larger.myself.configEpoch);
    assertNotEquals(3, smaller.myself.configEpoch);
  }
}
