package io.toridb.cluster;

import io.toridb.core.config.Config;
import io.toridb.core.keyspace.HashSlot;
import io.toridb.core.server.ClusterRouting;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's view of the cluster, and the gossip that keeps it current: the known nodes, which of
 * them serves each of the 16384 slots, the epochs that settle conflicting claims, and the state (ok
 * or fail) that decides whether keys are served at all.
 *
 * <p>The rules are Redis Cluster's, over a bus of ToriDB's own ({@link BusMessage}): {@code CLUSTER
 * MEET} starts a handshake; every PING and PONG carries the sender's epochs and slots and what it
 * knows of other nodes, so nodes learn of each other and of slot moves; a claim with a higher
 * config epoch wins a slot; two masters with the same config epoch settle it by the one with the
 * smaller name taking a new one; a node that does not answer a ping within {@code
 * cluster-node-timeout} is suspected ({@code fail?}), and failed ({@code fail}) once a majority of
 * the masters serving slots says so, which is broadcast.
 *
 * <p>Everything is guarded by this object's monitor: the commands (on workers), the bus (on the
 * transport's threads) and the cron each hold it briefly. Changes are saved to the node file
 * ({@link NodesFile}) before a command that made them replies, and within a cron tick otherwise.
 */
public final class Cluster implements ClusterRouting {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);

  /** Redis's default distance between the client port and the bus port. */
  public static final int BUS_PORT_OFFSET = 10000;

  /** How long a forgotten node is not learned again from gossip (Redis's blacklist TTL). */
  static final long FORGET_MILLIS = 60_000;

  /** Failure reports older than this many node timeouts no longer count. */
  private static final int FAIL_REPORT_VALIDITY_MULT = 2;

  /**
   * A failed master with slots is cleared this many node timeouts after it failed, if it answers.
   */
  private static final int FAIL_UNDO_TIME_MULT = 2;

  private static final SecureRandom random = new SecureRandom();

  private final Config config;
  private final NodesFile file;
  private BusTransport transport;

  ClusterNode myself;
  final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
  final ClusterNode[] owners = new ClusterNode[HashSlot.COUNT];
  final ClusterNode[] migratingTo = new ClusterNode[HashSlot.COUNT];
  final ClusterNode[] importingFrom = new ClusterNode[HashSlot.COUNT];
  long currentEpoch;
  long lastVoteEpoch;
  private boolean ok;
  private boolean dirty;
  private long ticks;
  private int realPort;
  private int realBusPort;

  /** What {@link #route} reads without the monitor; replaced whenever the map may have changed. */
  private volatile Routing routing;

  /** Orders writes of the node file, which happen outside the monitor. */
  private final Object fileLock = new Object();

  private long renderedVersion;
  private long writtenVersion;

  /**
   * The slot map as routing needs it, immutable: for each slot the owner's address ("ip:port"),
   * whether it is this node, where a migrating slot's missing keys go, and whether it is being
   * imported.
   */
  private record Routing(
      String[] owner,
      boolean[] mine,
      String[] migrating,
      boolean[] importing,
      boolean[] mastersMine,
      boolean ok) {}

  private final Map<String, Long> forgotten = new HashMap<>();

  /** The server's replication, which a replica node follows its master with. */
  private ReplicaControl replication = ReplicaControl.NONE;

  // A replica's failover (Redis's failover_auth_* and mf_* fields).
  private long failoverAuthTime;
  private boolean failoverAuthSent;
  private long failoverAuthEpoch;
  private final java.util.Set<String> failoverVotes = new java.util.HashSet<>();
  private long manualFailoverEnd;
  private boolean manualFailoverForced;

  /**
   * A replica's manual failover: the offset its master announced with its writes paused (the
   * highest seen), or -1 before any.
   */
  private long manualFailoverMasterOffset = -1;

  /** A master's side of a manual failover: when it ends (0: none), and for which replica. */
  private long pausedForFailoverEnd;

  private ClusterNode pausedForFailoverReplica;

  /**
   * Whether the writes that were running when the failover's pause began have all finished: only
   * then does this master announce its offset as final (PAUSED).
   */
  private boolean pausedForFailoverSettled;

  /**
   * Set when the failover's pause ends; the paused clients are let go once the routing the end came
   * with is published, so that their writes see it (after a failover, they are redirected).
   */
  private boolean resumeWritesPending;

  private boolean failoverTooOldLogged;
  private final Map<BusLink, ClusterNode> outbound = new IdentityHashMap<>();
  final long[] sent = new long[BusMessage.TYPES];
  final long[] received = new long[BusMessage.TYPES];

  private Cluster(Config config, NodesFile file) {
    this.config = config;
    this.file = file;
  }

  /**
   * Opens the node file under {@code dir} (making a new node with a fresh name when there is none)
   * and locks it against a second server.
   *
   * @throws IOException when the file cannot be read or locked, or is damaged
   */
  public static Cluster open(Config config, Path dir) throws IOException {
    NodesFile file = new NodesFile(dir.resolve(config.text("cluster-config-file")));
    Cluster c = new Cluster(config, file);
    synchronized (c) {
      file.lock();
      try {
        c.loadOrCreate();
      } catch (IOException | RuntimeException e) {
        file.unlock();
        throw e;
      }
    }
    return c;
  }

  private void loadOrCreate() throws IOException {
    Cluster c = this;
    {
      if (!file.load(c)) {
        c.myself = new ClusterNode(newName(), ClusterNode.MYSELF | ClusterNode.MASTER, now());
        c.nodes.put(c.myself.id, c.myself);
        log.info("No cluster configuration found, I'm {}", c.myself.id);
      } else {
        log.info("Node configuration loaded, I'm {}", c.myself.id);
        for (ClusterNode n : c.nodes.values()) {
          c.currentEpoch = Math.max(c.currentEpoch, n.configEpoch);
        }
      }
      if (!c.save()) {
        throw new IOException("Could not write the cluster configuration " + file.path());
      }
      c.updateState();
      c.publish();
    }
  }

  /** Starts talking to the other nodes through {@code transport}, with this node's ports. */
  public synchronized void start(BusTransport transport, int port, int busPort) {
    this.transport = transport;
    this.realPort = port;
    this.realBusPort = busPort;
    announce(port, busPort);
    save();
    publish();
  }

  /** Sets the ports (and announced address) this node tells the others. */
  synchronized void announce(int port, int busPort) {
    long announcedPort = config.number("cluster-announce-port");
    long announcedBus = config.number("cluster-announce-bus-port");
    int p = announcedPort > 0 ? (int) announcedPort : port;
    int b = announcedBus > 0 ? (int) announcedBus : busPort;
    String ip = config.text("cluster-announce-ip");
    String host = config.text("cluster-announce-hostname");
    if (p != myself.port
        || b != myself.busPort
        || (!ip.isEmpty() && !ip.equals(myself.ip))
        || !host.equals(myself.hostname)) {
      myself.port = p;
      myself.busPort = b;
      if (!ip.isEmpty()) {
        myself.ip = ip;
      }
      myself.hostname = host;
      dirty = true;
    }
  }

  /** The bus port for a client port: {@code cluster-port}, or the client port plus 10000. */
  public static int busPort(Config config, int port) {
    long configured = config.number("cluster-port");
    return configured > 0 ? (int) configured : port + BUS_PORT_OFFSET;
  }

  static String newName() {
    byte[] b = new byte[20];
    random.nextBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  long nodeTimeout() {
    return Math.max(1, config.number("cluster-node-timeout"));
  }

  // ---------------------------------------------------------------------------------------------
  // Slots

  void assign(int slot, ClusterNode node) {
    routingChanged = true;
    ClusterNode old = owners[slot];
    if (old != null) {
      old.slots.clear(slot);
    }
    owners[slot] = node;
    if (node != null) {
      node.slots.set(slot);
    }
  }

  /** The masters that serve at least one slot. */
  int size() {
    int n = 0;
    for (ClusterNode node : nodes.values()) {
      if (node.has(ClusterNode.MASTER) && node.slotCount() > 0) {
        n++;
      }
    }
    return n;
  }

  synchronized boolean stateOk() {
    return ok;
  }

  /** Recomputes ok/fail as Redis does: every slot served by a node not failed, and a majority. */
  void updateState() {
    boolean next = true;
    if (config.yes("cluster-require-full-coverage")) {
      for (ClusterNode owner : owners) {
        if (owner == null || owner.failed()) {
          next = false;
          break;
        }
      }
    }
    int size = 0;
    int reachable = 0;
    for (ClusterNode node : nodes.values()) {
      if (node.has(ClusterNode.MASTER) && node.slotCount() > 0) {
        size++;
        if (!node.has(ClusterNode.FAIL | ClusterNode.PFAIL)) {
          reachable++;
        }
      }
    }
    if (reachable < size / 2 + 1) {
      next = false;
    }
    if (next != ok) {
      log.warn("Cluster state changed: {}", next ? "ok" : "fail");
      ok = next;
      routingChanged = true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Routing

  @Override
  public boolean servesHere(byte[] key) {
    Routing r = routing;
    int slot = HashSlot.of(key);
    return r.ok && r.mine[slot] && r.migrating[slot] == null && !r.importing[slot];
  }

  @Override
  public String route(
      List<byte[]> keys,
      boolean write,
      boolean asking,
      boolean readonly,
      boolean shardChannels,
      boolean migrate,
      Predicate<byte[]> storedHere) {
    Routing r = routing;
    byte[] first = null;
    int slot = 0;
    boolean migrating = false;
    boolean importing = false;
    boolean multipleKeys = false;
    int missing = 0;
    int existing = 0;
    for (byte[] key : keys) {
      int keySlot = HashSlot.of(key);
      if (first == null) {
        first = key;
        slot = keySlot;
        if (r.owner[slot] == null) {
          return "CLUSTERDOWN Hash slot not served";
        }
        if (r.migrating[slot] != null) {
          migrating = true;
        } else if (r.importing[slot]) {
          importing = true;
        }
      } else if (!java.util.Arrays.equals(first, key)) {
        if (keySlot != slot) {
          return "CROSSSLOT Keys in request don't hash to the same slot";
        }
        multipleKeys = true;
      }
      if ((migrating || importing) && !shardChannels) {
        if (storedHere.test(key)) {
          existing++;
        } else {
          missing++;
        }
      }
    }
    if (first == null) {
      return null;
    }
    if (!r.ok) {
      if (shardChannels) {
        if (!config.yes("cluster-allow-pubsubshard-when-down")) {
          return "CLUSTERDOWN The cluster is down";
        }
      } else if (!config.yes("cluster-allow-reads-when-down")) {
        return "CLUSTERDOWN The cluster is down";
      } else if (write) {
        return "CLUSTERDOWN The cluster is down and only accepts read commands";
      }
    }
    if ((migrating || importing) && migrate) {
      // MIGRATE moves the keys of an open slot from wherever they are.
      return null;
    }
    if (migrating && missing > 0) {
      if (existing > 0) {
        return "TRYAGAIN Multiple keys request during rehashing of slot";
      }
      return "ASK " + slot + " " + r.migrating[slot];
    }
    if (importing && asking) {
      if (multipleKeys && missing > 0) {
        return "TRYAGAIN Multiple keys request during rehashing of slot";
      }
      return null;
    }
    if (r.mine[slot]) {
      return null;
    }
    // As Redis: a replica serves its master's slots to READONLY clients' reads (and shard
    // channels).
    if (r.mastersMine[slot] && (readonly || shardChannels) && !write) {
      return null;
    }
    return "MOVED " + slot + " " + r.owner[slot];
  }

  /** Set by whatever changes what routing reads; cleared by {@link #publish}. */
  private boolean routingChanged = true;

  /** Makes the current slot map the one {@link #route} reads. With the monitor held. */
  private void publish() {
    routingChanged = false;
    String[] owner = new String[HashSlot.COUNT];
    boolean[] mine = new boolean[HashSlot.COUNT];
    String[] migrating = new String[HashSlot.COUNT];
    boolean[] importing = new boolean[HashSlot.COUNT];
    boolean[] mastersMine = new boolean[HashSlot.COUNT];
    ClusterNode master = myMaster();
    Map<ClusterNode, String> addresses = new IdentityHashMap<>();
    for (int s = 0; s < HashSlot.COUNT; s++) {
      ClusterNode o = owners[s];
      if (o != null) {
        owner[s] = addresses.computeIfAbsent(o, n -> endpoint(n) + ":" + n.port);
        mine[s] = o == myself;
        mastersMine[s] = master != null && o == master;
        if (o == myself && migratingTo[s] != null) {
          migrating[s] = addresses.computeIfAbsent(migratingTo[s], n -> endpoint(n) + ":" + n.port);
        }
      }
      importing[s] = importingFrom[s] != null;
    }
    routing = new Routing(owner, mine, migrating, importing, mastersMine, ok);
  }

  /** The address clients are sent to, as cluster-preferred-endpoint-type says. */
  String endpoint(ClusterNode node) {
    return switch (config.text("cluster-preferred-endpoint-type")) {
      case "hostname" -> node.hostname.isEmpty() ? "?" : node.hostname;
      case "unknown-endpoint" -> "";
      default -> node.ip;
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The bus

  /**
   * A message arrived on {@code link}: {@code remoteIp} and {@code localIp} are the addresses of
   * the two ends of its connection.
   */
  public synchronized void onMessage(BusLink link, byte[] bytes, String remoteIp, String localIp) {
    try {
      process(link, bytes, remoteIp, localIp);
    } finally {
      if (routingChanged) {
        publish();
      }
      resumeWritesIfPending();
    }
  }

  private void process(BusLink link, byte[] bytes, String remoteIp, String localIp) {
    BusMessage m;
    try {
      m = BusMessage.decode(bytes);
    } catch (IllegalArgumentException e) {
      log.warn("Closing a cluster bus link from {}: {}", remoteIp, e.getMessage());
      link.close();
      return;
    }
    long now = now();
    received[m.type]++;
    ClusterNode linkNode = outbound.get(link);
    boolean inbound = linkNode == null;
    ClusterNode sender = nodes.get(m.sender);
    if (sender != null && sender.has(ClusterNode.HANDSHAKE)) {
      sender = null;
    }
    if (sender != null) {
      if (m.currentEpoch > currentEpoch) {
        currentEpoch = m.currentEpoch;
        dirty = true;
      }
      if (m.configEpoch > sender.configEpoch) {
        sender.configEpoch = m.configEpoch;
        dirty = true;
      }
    }
    if (m.type == BusMessage.PING || m.type == BusMessage.MEET) {
      if ((m.type == BusMessage.MEET || myself.ip.isEmpty())
          && config.text("cluster-announce-ip").isEmpty()
          && !localIp.isEmpty()
          && !localIp.equals(myself.ip)) {
        myself.ip = localIp;
        dirty = true;
      }
      if (sender == null && m.type == BusMessage.MEET && !m.sender.equals(myself.id)) {
        // As Redis: a node that met us is not trusted yet; we start a handshake with it, and its
        // name, slots and gossip count once it has answered our own PING.
        startHandshake(m.ip.isEmpty() ? remoteIp : m.ip, m.port, m.busPort, false);
      }
      send(link, BusMessage.PONG, null);
    }
    if (!inbound && m.type != BusMessage.FAIL) {
      if (linkNode.has(ClusterNode.HANDSHAKE)) {
        handshakeAnswered(linkNode, m);
        sender = nodes.get(m.sender);
        if (sender != null && sender.has(ClusterNode.HANDSHAKE)) {
          sender = null;
        }
      } else if (!linkNode.id.equals(m.sender)) {
        // Another node answers at that address now: drop the link, the address is stale.
        log.info(
            "Node {} at {}:{} answered as {}", linkNode.id, linkNode.ip, linkNode.port, m.sender);
        linkNode.flags |= ClusterNode.NOADDR;
        linkNode.ip = "";
        closeLink(linkNode);
        dirty = true;
        return;
      }
    }
    if (sender == null) {
      return;
    }
    if (m.type == BusMessage.FAIL) {
      ClusterNode failing = nodes.get(m.failed);
      if (failing != null && failing != myself && !failing.failed()) {
        log.info("FAIL message received from {} about {}", sender.id, failing.id);
        failing.flags = (failing.flags & ~ClusterNode.PFAIL) | ClusterNode.FAIL;
        failing.failTime = now;
        dirty = true;
        updateState();
      }
      return;
    }
    if (!inbound && linkNode == sender && m.type == BusMessage.PONG) {
      // An answer on our own link: the node is alive.
      sender.pongReceived = now;
      sender.pingSent = 0;
      clearFailureIfNeeded(sender, now);
    }
    if (m.type == BusMessage.PING && inbound) {
      updateAddress(sender, m.ip.isEmpty() ? remoteIp : m.ip, m.port, m.busPort);
    }
    if (!m.hostname.equals(sender.hostname)) {
      sender.hostname = m.hostname;
      dirty = true;
    }
    if ((m.flags & ClusterNode.MASTER) != 0 && !sender.has(ClusterNode.MASTER)) {
      sender.flags = (sender.flags & ~ClusterNode.REPLICA) | ClusterNode.MASTER;
      sender.masterId = null;
      dirty = true;
      routingChanged = true;
    } else if ((m.flags & ClusterNode.REPLICA) != 0) {
      if (sender.has(ClusterNode.MASTER)) {
        // A master turned replica: its slots are its no more (Redis's clusterDelNodeSlots).
        log.info("Node {} is now a replica", sender.id);
        for (int slot = sender.slots.nextSetBit(0); slot >= 0; slot = sender.slots.nextSetBit(0)) {
          assign(slot, null);
        }
        sender.flags = (sender.flags & ~ClusterNode.MASTER) | ClusterNode.REPLICA;
        dirty = true;
        routingChanged = true;
      }
      if (m.masterId != null && !m.masterId.equals(sender.masterId)) {
        sender.masterId = m.masterId;
        dirty = true;
        routingChanged = true;
      }
      // As Redis: a replica whose master turned replica follows that master's master.
      ClusterNode upper = sender.masterId == null ? null : nodes.get(sender.masterId);
      if (myself.has(ClusterNode.REPLICA)
          && sender.id.equals(myself.masterId)
          && upper != null
          && upper != myself
          && upper.has(ClusterNode.MASTER)) {
        log.warn("My master {} is now a replica of {}: following it", sender.id, upper.id);
        setMaster(upper);
      }
    }
    sender.offset = m.offset;
    if (m.type == BusMessage.MFSTART) {
      pauseForManualFailover(sender, now);
    }
    if ((m.messageFlags & BusMessage.PAUSED) != 0
        && manualFailoverEnd != 0
        && sender == myMaster()
        && m.offset > manualFailoverMasterOffset) {
      manualFailoverMasterOffset = m.offset;
    }
    if (sender.has(ClusterNode.MASTER) && m.type != BusMessage.AUTH_REQUEST) {
      updateSlotsFrom(sender, m.configEpoch, m.slots);
      handleEpochCollision(sender);
    }
    if (m.type == BusMessage.AUTH_REQUEST) {
      maybeVote(link, sender, m, now);
    } else if (m.type == BusMessage.AUTH_ACK) {
      if (myself.has(ClusterNode.REPLICA)
          && failoverAuthSent
          && sender.has(ClusterNode.MASTER)
          && sender.slotCount() > 0
          && m.currentEpoch >= failoverAuthEpoch
          && failoverVotes.add(sender.id)) {
        log.info("Failover auth granted by {} for epoch {}", sender.id, failoverAuthEpoch);
      }
    }
    int handled = 0;
    for (BusMessage.Gossip g : m.gossip) {
      if (handled++ >= MAX_GOSSIP) {
        break;
      }
      gossipAbout(sender, g, now);
    }
    updateState();
  }

  /** Gossip entries read from one message at most; the rest are ignored. */
  static final int MAX_GOSSIP = 128;

  /** Handshakes started from gossip at most at a time (CLUSTER MEET is not limited). */
  static final int MAX_GOSSIP_HANDSHAKES = 32;

  /**
   * A known node that reaches us from another address (or announces new ports): the address is
   * taken and the old link dropped, as Redis's nodeUpdateAddressIfNeeded.
   */
  private void updateAddress(ClusterNode node, String ip, int port, int busPort) {
    if (node == myself || ip.isEmpty() || port == 0 || busPort == 0) {
      return;
    }
    if (ip.equals(node.ip) && port == node.port && busPort == node.busPort) {
      return;
    }
    log.info("Address updated for node {}: now {}:{}", node.id, ip, port);
    routingChanged = true;
    node.ip = ip;
    node.port = port;
    node.busPort = busPort;
    node.flags &= ~ClusterNode.NOADDR;
    closeLink(node);
    dirty = true;
    if (node == myMaster()) {
      // As Redis's nodeUpdateAddressIfNeeded: replication follows the master's new address.
      replication.follow(ip, port);
    }
  }

  /** The node a handshake was started with answered as {@code m.sender}. */
  private void handshakeAnswered(ClusterNode node, BusMessage m) {
    ClusterNode known = nodes.get(m.sender);
    if (known != null && known != node) {
      // Already known under its name: it answers at this address now.
      log.debug("Handshake with {} answered by the known node {}", node.id, known.id);
      String ip = node.ip;
      int port = node.port;
      int busPort = node.busPort;
      removeNode(node);
      updateAddress(known, ip, port, busPort);
      return;
    }
    if (m.sender.equals(myself.id)
        || (forgotten.containsKey(m.sender) && !node.has(ClusterNode.MEET))) {
      // A forgotten node comes back only through CLUSTER MEET, not through gossip.
      removeNode(node);
      return;
    }
    forgotten.remove(m.sender);
    nodes.remove(node.id);
    node.id = m.sender;
    node.flags = roleFlags(m.flags);
    node.configEpoch = m.configEpoch;
    nodes.put(node.id, node);
    log.info("Handshake with node {} ({}:{}) completed", node.id, node.ip, node.port);
    dirty = true;
  }

  private static int roleFlags(int messageFlags) {
    int role = messageFlags & (ClusterNode.MASTER | ClusterNode.REPLICA | ClusterNode.NOFAILOVER);
    return (role & (ClusterNode.MASTER | ClusterNode.REPLICA)) == 0
        ? role | ClusterNode.MASTER
        : role;
  }

  /**
   * Takes the slots {@code sender} claims whose owner here has an older config epoch (or none), as
   * Redis's clusterUpdateSlotsConfigWith; slots being imported by hand are left alone.
   */
  private void updateSlotsFrom(ClusterNode sender, long senderEpoch, BitSet claimed) {
    boolean changed = false;
    ClusterNode current = myself.has(ClusterNode.MASTER) ? myself : myMaster();
    boolean tookCurrents = false;
    for (int slot = claimed.nextSetBit(0);
        slot >= 0 && slot < HashSlot.COUNT;
        slot = claimed.nextSetBit(slot + 1)) {
      ClusterNode owner = owners[slot];
      if (owner == sender || importingFrom[slot] != null) {
        continue;
      }
      if (owner == null || owner.configEpoch < senderEpoch) {
        if (owner == myself) {
          log.warn("Slot {} is now served by {} (config epoch {})", slot, sender.id, senderEpoch);
          migratingTo[slot] = null;
        }
        if (owner != null && owner == current) {
          tookCurrents = true;
        }
        assign(slot, sender);
        changed = true;
      }
    }
    if (changed) {
      dirty = true;
    }
    // As Redis's clusterUpdateSlotsConfigWith: a master that lost its last slot to the sender (a
    // replica of it won a failover while it was away) becomes the sender's replica, and so do the
    // replicas of a master that did.
    if (tookCurrents
        && current.slotCount() == 0
        && sender != myself
        && config.yes("cluster-allow-replica-migration")) {
      log.warn("Configuration change detected. Reconfiguring myself as a replica of {}", sender.id);
      setMaster(sender);
    }
  }

  /**
   * Two masters with the same config epoch: the one with the smaller name takes a new epoch
   * (Redis's clusterHandleConfigEpochCollision), so that every master ends with an epoch of its
   * own.
   */
  private void handleEpochCollision(ClusterNode sender) {
    if (sender.configEpoch != myself.configEpoch
        || !myself.has(ClusterNode.MASTER)
        || sender.id.compareTo(myself.id) <= 0) {
      return;
    }
    currentEpoch++;
    myself.configEpoch = currentEpoch;
    dirty = true;
    log.info(
        "Config epoch collision with node {}: my config epoch is now {}",
        sender.id,
        myself.configEpoch);
  }

  private void gossipAbout(ClusterNode sender, BusMessage.Gossip g, long now) {
    if (g.id().equals(myself.id)) {
      return;
    }
    ClusterNode node = nodes.get(g.id());
    if (node != null) {
      if (sender.has(ClusterNode.MASTER) && !node.has(ClusterNode.HANDSHAKE)) {
        if ((g.flags() & (ClusterNode.PFAIL | ClusterNode.FAIL)) != 0) {
          node.failReports.put(sender.id, now);
          markFailingIfNeeded(node, now);
        } else {
          node.failReports.remove(sender.id);
        }
      }
      if (node.has(ClusterNode.NOADDR) && !g.ip().isEmpty() && g.port() > 0) {
        node.ip = g.ip();
        node.port = g.port();
        node.busPort = g.busPort();
        node.flags &= ~ClusterNode.NOADDR;
        dirty = true;
        if (node == myMaster()) {
          replication.follow(node.ip, node.port);
        }
      }
      return;
    }
    if (forgotten.containsKey(g.id())
        || g.ip().isEmpty()
        || g.port() == 0
        || g.busPort() == 0
        || (g.flags() & (ClusterNode.NOADDR | ClusterNode.HANDSHAKE)) != 0) {
      return;
    }
    int handshakes = 0;
    for (ClusterNode n : nodes.values()) {
      if (n.has(ClusterNode.HANDSHAKE)) {
        handshakes++;
      }
    }
    if (handshakes < MAX_GOSSIP_HANDSHAKES) {
      startHandshake(g.ip(), g.port(), g.busPort(), false);
    }
  }

  private void clearFailureIfNeeded(ClusterNode node, long now) {
    if (node.has(ClusterNode.PFAIL)) {
      node.flags &= ~ClusterNode.PFAIL;
      dirty = true;
    }
    if (!node.failed()) {
      return;
    }
    if (!node.has(ClusterNode.MASTER)
        || node.slotCount() == 0
        || now - node.failTime > nodeTimeout() * FAIL_UNDO_TIME_MULT) {
      log.info("Clear FAIL state for node {}: it is reachable again", node.id);
      node.flags &= ~ClusterNode.FAIL;
      dirty = true;
    }
  }

  private void markFailingIfNeeded(ClusterNode node, long now) {
    if (!node.has(ClusterNode.PFAIL) || node.failed()) {
      return;
    }
    long validity = nodeTimeout() * FAIL_REPORT_VALIDITY_MULT;
    node.failReports.values().removeIf(at -> now - at > validity);
    int failures = node.failReports.size() + (myself.has(ClusterNode.MASTER) ? 1 : 0);
    if (failures < size() / 2 + 1) {
      return;
    }
    log.info("Marking node {} as failing (quorum reached)", node.id);
    node.flags = (node.flags & ~ClusterNode.PFAIL) | ClusterNode.FAIL;
    node.failTime = now;
    dirty = true;
    for (ClusterNode other : nodes.values()) {
      if (other.link != null && other != myself) {
        send(other.link, BusMessage.FAIL, node.id);
      }
    }
  }

  /** An outgoing link ended: the node gets a new one at the next tick. */
  public synchronized void onLinkClosed(BusLink link) {
    ClusterNode node = outbound.remove(link);
    if (node != null && node.link == link) {
      node.link = null;
    }
  }

  private void closeLink(ClusterNode node) {
    if (node.link != null) {
      BusLink l = node.link;
      outbound.remove(l);
      node.link = null;
      l.close();
    }
  }

  private void send(BusLink link, int type, String failed) {
    send(link, type, failed, 0);
  }

  private void send(BusLink link, int type, String failed, int messageFlags) {
    sent[type]++;
    link.send(message(type, failed, messageFlags).encode());
  }

  /** A message from this node: its epochs, role, ports, slots, and what it knows of the others. */
  BusMessage message(int type, String failed) {
    return message(type, failed, 0);
  }

  private BusMessage message(int type, String failed, int messageFlags) {
    if (pausedForFailoverEnd != 0 && pausedForFailoverSettled) {
      messageFlags |= BusMessage.PAUSED;
    }
    // As Redis: a replica sends its master's config epoch and slots.
    ClusterNode master = myMaster();
    List<BusMessage.Gossip> gossip = new ArrayList<>();
    for (ClusterNode n : nodes.values()) {
      if (n == myself || n.has(ClusterNode.HANDSHAKE | ClusterNode.NOADDR) || n.ip.isEmpty()) {
        continue;
      }
      gossip.add(new BusMessage.Gossip(n.id, n.ip, n.port, n.busPort, n.flags & 0xff));
    }
    return new BusMessage(
        type,
        myself.id,
        currentEpoch,
        master != null ? master.configEpoch : myself.configEpoch,
        myself.flags & (ClusterNode.MASTER | ClusterNode.REPLICA | ClusterNode.NOFAILOVER),
        myself.masterId,
        replication.offset(),
        messageFlags,
        myself.port,
        myself.busPort,
        config.text("cluster-announce-ip"),
        myself.hostname,
        master != null ? master.slots : myself.slots,
        gossip,
        failed);
  }

  /** Tells every node with a link this node's current configuration (after a change by hand). */
  private void broadcastPong() {
    for (ClusterNode n : nodes.values()) {
      if (n != myself && n.link != null && !n.has(ClusterNode.HANDSHAKE)) {
        send(n.link, BusMessage.PONG, null);
      }
    }
  }

  /** Ten times a second: links, pings, timeouts, failure detection, state, then saving. */
  public void cron() {
    synchronized (this) {
      try {
        tick();
      } finally {
        // Every second at least: the endpoint type and announced addresses are settings.
        if (routingChanged || ticks % 10 == 0) {
          publish();
        }
        resumeWritesIfPending();
      }
    }
    flushIfDirty();
  }

  private void tick() {
    long now = now();
    if (transport != null) {
      announce(realPort, realBusPort);
    }
    ticks++;
    long timeout = nodeTimeout();
    long handshakeTimeout = Math.max(timeout, 1000);
    forgotten.values().removeIf(until -> until < now);
    for (ClusterNode node : new ArrayList<>(nodes.values())) {
      if (node == myself || node.has(ClusterNode.NOADDR)) {
        continue;
      }
      if (node.has(ClusterNode.HANDSHAKE) && now - node.createdMillis > handshakeTimeout) {
        log.info("Handshake with {}:{} timed out", node.ip, node.port);
        removeNode(node);
        continue;
      }
      if (node.link == null && transport != null) {
        BusLink link = transport.connect(node.ip, node.busPort);
        node.link = link;
        node.linkCreated = now;
        outbound.put(link, node);
        // A node met by CLUSTER MEET gets a MEET on every new link until it has answered, so a
        // first connection that fails does not turn the MEET into a PING it would ignore.
        boolean meet = node.has(ClusterNode.MEET);
        send(link, meet ? BusMessage.MEET : BusMessage.PING, null);
        if (node.pingSent == 0) {
          node.pingSent = now;
        }
      } else if (node.link != null) {
        if (node.pingSent == 0 && (ticks % 10 == 0 || now - node.pongReceived > timeout / 2)) {
          send(node.link, BusMessage.PING, null);
          node.pingSent = now;
        } else if (node.pingSent != 0
            && now - node.pingSent > timeout / 2
            && now - node.linkCreated > timeout / 2) {
          // No answer for half the timeout: the link may be dead, try a new one.
          closeLink(node);
        }
      }
      if (node.pingSent != 0
          && now - node.pingSent > timeout
          && !node.has(ClusterNode.PFAIL | ClusterNode.FAIL | ClusterNode.HANDSHAKE)) {
        log.info("*** NODE {} possibly failing", node.id);
        node.flags |= ClusterNode.PFAIL;
        dirty = true;
      }
    }
    for (ClusterNode node : new ArrayList<>(nodes.values())) {
      markFailingIfNeeded(node, now);
    }
    boolean noFailover = config.yes("cluster-replica-no-failover");
    if (noFailover != myself.has(ClusterNode.NOFAILOVER)) {
      myself.flags ^= ClusterNode.NOFAILOVER;
      dirty = true;
    }
    handleReplicaFailover(now);
    handlePausedForFailover(now);
    updateState();
  }

  /**
   * A replica of this master asked for a manual failover (MFSTART): as Redis, pause the clients'
   * writes for twice the failover's time and, once they have settled, tell the replica the final
   * offset in every message until the failover ends.
   */
  private void pauseForManualFailover(ClusterNode replica, long now) {
    if (!myself.has(ClusterNode.MASTER) || !myself.id.equals(replica.masterId)) {
      return;
    }
    log.info("Manual failover requested by replica {}.", replica.id);
    pausedForFailoverEnd = now + MANUAL_FAILOVER_MILLIS;
    pausedForFailoverReplica = replica;
    pausedForFailoverSettled = false;
    resumeWritesPending = false;
    replication.pauseWrites(System.currentTimeMillis() + 2 * MANUAL_FAILOVER_MILLIS);
  }

  /** A master's side of a manual failover, each cycle: ends it, or pings the replica. */
  private void handlePausedForFailover(long now) {
    if (pausedForFailoverEnd == 0) {
      return;
    }
    if (!myself.has(ClusterNode.MASTER) || myself.slotCount() == 0) {
      // The replica took over (this node follows it, or kept no slot): clients may go on, to be
      // redirected.
      endPauseForFailover();
      return;
    }
    if (now > pausedForFailoverEnd) {
      log.warn("Manual failover timed out.");
      endPauseForFailover();
      return;
    }
    if (!pausedForFailoverSettled) {
      pausedForFailoverSettled = replication.writesSettled();
    }
    ClusterNode replica = pausedForFailoverReplica;
    if (pausedForFailoverSettled && replica.link != null) {
      send(replica.link, BusMessage.PING, null);
    }
  }

  private void endPauseForFailover() {
    if (pausedForFailoverEnd != 0) {
      pausedForFailoverEnd = 0;
      pausedForFailoverReplica = null;
      pausedForFailoverSettled = false;
      resumeWritesPending = true;
    }
  }

  /** Lets the failover's paused clients go, after the routing was published. */
  private void resumeWritesIfPending() {
    if (resumeWritesPending) {
      resumeWritesPending = false;
      replication.resumeWrites();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Changes by command

  /**
   * CLUSTER MEET: starts a handshake with the node at {@code ip:port} (bus {@code busPort}); false
   * if the address is not valid.
   */
  synchronized boolean meet(String ip, int port, int busPort) {
    return startHandshake(ip, port, busPort, true);
  }

  private boolean startHandshake(String ip, int port, int busPort, boolean meet) {
    String normalized = normalizeIp(ip);
    if (normalized == null || port <= 0 || port > 65535 || busPort <= 0 || busPort > 65535) {
      return false;
    }
    for (ClusterNode n : nodes.values()) {
      if (n.has(ClusterNode.HANDSHAKE) && n.ip.equals(normalized) && n.port == port) {
        return true;
      }
    }
    ClusterNode node =
        new ClusterNode(newName(), ClusterNode.HANDSHAKE | (meet ? ClusterNode.MEET : 0), now());
    node.ip = normalized;
    node.port = port;
    node.busPort = busPort;
    nodes.put(node.id, node);
    return true;
  }

  /**
   * A literal IPv4 (four decimal parts) or IPv6 address in its canonical form, or null: host names
   * and anything else are refused without a name lookup, as Redis's inet_pton check refuses them.
   */
  static String normalizeIp(String ip) {
    if (ip.indexOf(':') < 0) {
      String[] parts = ip.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      StringBuilder sb = new StringBuilder();
      for (String part : parts) {
        if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
          return null;
        }
        int v = Integer.parseInt(part);
        if (v > 255) {
          return null;
        }
        sb.append(sb.length() == 0 ? "" : ".").append(v);
      }
      return sb.toString();
    }
    if (!BusMessage.isIpText(ip)) {
      return null;
    }
    try {
      // A literal with only hex digits, ':' and '.': parsed, never looked up.
      return java.net.InetAddress.getByName(ip).getHostAddress();
    } catch (java.net.UnknownHostException | SecurityException e) {
      return null;
    }
  }

  void removeNode(ClusterNode node) {
    routingChanged = true;
    closeLink(node);
    nodes.remove(node.id);
    for (int s = 0; s < HashSlot.COUNT; s++) {
      if (owners[s] == node) {
        assign(s, null);
      }
      if (migratingTo[s] == node) {
        migratingTo[s] = null;
      }
      if (importingFrom[s] == node) {
        importingFrom[s] = null;
      }
    }
    for (ClusterNode other : nodes.values()) {
      other.failReports.remove(node.id);
    }
    dirty = true;
  }

  synchronized void forget(ClusterNode node) {
    forgotten.put(node.id, now() + FORGET_MILLIS);
    removeNode(node);
    changed();
  }

  /**
   * After a change by command: the state is recomputed, routing sees the new map, and the node file
   * is due (the command then calls {@link #flush}, so it replies only once the file is written).
   */
  synchronized void changed() {
    dirty = true;
    updateState();
    publish();
  }

  /**
   * Makes the node file hold this node's current configuration before returning (a command's
   * change, before its reply): the text is made under the monitor, then written and forced outside
   * it, so that routing and the bus do not wait for the disk. Returns null, or why the file could
   * not be written (the change stays in effect, and the next tick tries again).
   */
  public String flush() {
    return write(false);
  }

  /** The cron's save: only when something changed since the last one. */
  private void flushIfDirty() {
    write(true);
  }

  private String write(boolean onlyIfDirty) {
    String text;
    long version;
    synchronized (this) {
      if (onlyIfDirty && !dirty) {
        return null;
      }
      text = NodesFile.text(this);
      version = ++renderedVersion;
      dirty = false;
    }
    String failure = null;
    synchronized (fileLock) {
      // A newer text already written holds this one's changes too.
      if (writtenVersion < version) {
        try {
          file.write(text);
          writtenVersion = version;
        } catch (IOException e) {
          failure = e.getMessage() == null ? e.toString() : e.getMessage();
          log.warn("Could not save the cluster configuration {}: {}", file.path(), failure);
        }
      }
    }
    if (failure != null) {
      // Outside the file's lock: the monitor is never taken while holding it.
      synchronized (this) {
        dirty = true;
      }
    }
    return failure;
  }

  /** Assigns (or, with {@code del}, unassigns) every slot of {@code slots} to this node. */
  synchronized void updateSlots(BitSet slots, boolean del) {
    for (int s = slots.nextSetBit(0); s >= 0; s = slots.nextSetBit(s + 1)) {
      importingFrom[s] = null;
      if (del) {
        migratingTo[s] = null;
      }
      assign(s, del ? null : myself);
    }
    changed();
    broadcastPong();
  }

  synchronized ClusterNode node(String id) {
    return nodes.get(id);
  }

  /**
   * Takes a new config epoch without asking the others when it is not already the unique highest
   * (Redis's clusterBumpConfigEpochWithoutConsensus); true if it did.
   */
  synchronized boolean bumpEpoch() {
    long max = currentEpoch;
    for (ClusterNode n : nodes.values()) {
      max = Math.max(max, n.configEpoch);
    }
    if (myself.configEpoch == 0 || myself.configEpoch != max) {
      currentEpoch++;
      myself.configEpoch = currentEpoch;
      changed();
      broadcastPong();
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Replicas and failover

  /**
   * Wires the server's replication; a node that is a replica (from its node file) starts following
   * its master.
   */
  public synchronized void replicaControl(ReplicaControl control) {
    this.replication = control;
    ClusterNode master = myMaster();
    if (master != null && !master.ip.isEmpty()) {
      control.follow(master.ip, master.port);
    }
  }

  /** CLUSTER REPLICATE, after its checks: this node replicates {@code master} from now on. */
  synchronized void replicate(ClusterNode master) {
    setMaster(master);
    changed();
    broadcastPong();
  }

  /**
   * Makes this node a replica of {@code master} (Redis's clusterSetMaster): a master gives up its
   * open slots, and the server follows the new master.
   */
  private void setMaster(ClusterNode master) {
    if (myself.has(ClusterNode.MASTER)) {
      myself.flags = (myself.flags & ~ClusterNode.MASTER) | ClusterNode.REPLICA;
      for (int s = 0; s < HashSlot.COUNT; s++) {
        migratingTo[s] = null;
        importingFrom[s] = null;
      }
    }
    myself.masterId = master.id;
    dirty = true;
    routingChanged = true;
    resetFailover();
    replication.follow(master.ip, master.port);
  }

  /** The config epoch CLUSTER INFO shows: a replica's is its master's, as Redis's nodeEpoch. */
  long myEpoch() {
    ClusterNode master = myMaster();
    return master != null ? master.configEpoch : myself.configEpoch;
  }

  /** This node's replication offset. */
  long myOffset() {
    return replication.offset();
  }

  /** The master this node replicates, or null. */
  private ClusterNode myMaster() {
    return myself.has(ClusterNode.REPLICA) ? nodes.get(myself.masterId) : null;
  }

  private void resetFailover() {
    failoverAuthTime = 0;
    failoverAuthSent = false;
    failoverAuthEpoch = 0;
    failoverVotes.clear();
    manualFailoverEnd = 0;
    manualFailoverForced = false;
    manualFailoverMasterOffset = -1;
    // A master that turns replica (or is reset) lets its paused clients go: they get redirected.
    endPauseForFailover();
  }

  /**
   * A replica won its election (or takes over by hand): it serves its master's slots with {@code
   * epoch} as its config epoch, stops replicating, and tells everyone (Redis's
   * clusterFailoverReplaceYourMaster).
   */
  private void replaceMyMaster(long epoch) {
    ClusterNode old = myMaster();
    myself.flags = (myself.flags & ~ClusterNode.REPLICA) | ClusterNode.MASTER;
    myself.masterId = null;
    if (old != null) {
      for (int s = old.slots.nextSetBit(0); s >= 0; s = old.slots.nextSetBit(0)) {
        assign(s, myself);
      }
    }
    myself.configEpoch = epoch;
    resetFailover();
    replication.promote();
    dirty = true;
    routingChanged = true;
    updateState();
    broadcastPong();
    publish();
  }

  /**
   * CLUSTER FAILOVER [FORCE|TAKEOVER] on a replica, after its checks: TAKEOVER takes the master's
   * slots at once with a new epoch of its own; FORCE, and the default once this replica has caught
   * up with its master's offset, hold an election the masters vote in though the master is up.
   */
  synchronized void manualFailover(boolean force, boolean takeover) {
    resetFailover();
    if (takeover) {
      currentEpoch++;
      log.info("Taking over the master (user request) with config epoch {}", currentEpoch);
      replaceMyMaster(currentEpoch);
      return;
    }
    manualFailoverEnd = now() + MANUAL_FAILOVER_MILLIS;
    manualFailoverForced = force;
    log.info("Manual failover user request accepted.");
    ClusterNode master = myMaster();
    if (!force && master != null && master.link != null) {
      // The master pauses its clients' writes and tells the offset this replica must reach.
      send(master.link, BusMessage.MFSTART, null);
    }
  }

  /** How long a manual failover may take (Redis's CLUSTER_MF_TIMEOUT). */
  static final long MANUAL_FAILOVER_MILLIS = 5000;

  /** Whether this replica may start its election: its master failed, or a failover by hand. */
  private void handleReplicaFailover(long now) {
    ClusterNode master = myMaster();
    if (master == null || replication == ReplicaControl.NONE) {
      // Not before the server's replication is wired (after loading): until then this node's
      // data and offset are unknown.
      return;
    }
    boolean manual = manualFailoverEnd != 0;
    if (manual && now > manualFailoverEnd) {
      log.warn("Manual failover timed out.");
      resetFailover();
      return;
    }
    if (manual && !manualFailoverForced && !failoverAuthSent) {
      // The default waits until this replica has everything its master had when it paused.
      if (master.failed()
          || manualFailoverMasterOffset < 0
          || replication.offset() < manualFailoverMasterOffset) {
        return;
      }
      log.info("All master replication stream processed, manual failover can start.");
      manualFailoverForced = true;
    }
    if (master.slotCount() == 0 || (!manual && !master.failed())) {
      if (failoverAuthTime != 0 && !manual) {
        resetFailover();
      }
      return;
    }
    if (!manual && config.yes("cluster-replica-no-failover")) {
      return;
    }
    long factor = config.number("cluster-replica-validity-factor");
    long dataAge = Math.max(0, replication.linkDownMillis() - nodeTimeout());
    if (!manual
        && factor > 0
        && dataAge > config.number("repl-ping-replica-period") * 1000 + nodeTimeout() * factor) {
      if (!failoverTooOldLogged) {
        failoverTooOldLogged = true;
        log.warn(
            "Currently unable to failover: Disconnected from master for longer than allowed."
                + " Please check the 'cluster-replica-validity-factor' configuration option.");
      }
      return;
    }
    failoverTooOldLogged = false;
    long authTimeout = Math.max(nodeTimeout() * 2, 2000);
    if (failoverAuthTime != 0 && now - failoverAuthTime > authTimeout * 2) {
      // The last attempt expired: a new one, with a new delay.
      failoverAuthTime = 0;
    }
    if (failoverAuthTime == 0) {
      int rank = rank(master);
      failoverAuthTime = manual ? now : now + 500 + random.nextInt(500) + rank * 1000L;
      failoverAuthSent = false;
      failoverAuthEpoch = 0;
      failoverVotes.clear();
      log.warn(
          "Start of election delayed for {} milliseconds (rank #{}, offset {}).",
          failoverAuthTime - now,
          rank,
          replication.offset());
      return;
    }
    if (now < failoverAuthTime || now - failoverAuthTime > authTimeout) {
      return;
    }
    if (!failoverAuthSent) {
      currentEpoch++;
      failoverAuthEpoch = currentEpoch;
      failoverAuthSent = true;
      dirty = true;
      log.warn("Starting a failover election for epoch {}.", currentEpoch);
      for (ClusterNode n : nodes.values()) {
        if (n != myself && n.link != null && !n.has(ClusterNode.HANDSHAKE)) {
          send(n.link, BusMessage.AUTH_REQUEST, null, manual ? BusMessage.FORCE_ACK : 0);
        }
      }
      return;
    }
    if (failoverVotes.size() >= size() / 2 + 1) {
      log.warn("Failover election won: I'm the new master (config epoch {}).", failoverAuthEpoch);
      replaceMyMaster(failoverAuthEpoch);
    }
  }

  /** How many other replicas of {@code master} have more of its stream than this one. */
  private int rank(ClusterNode master) {
    long mine = replication.offset();
    int rank = 0;
    for (ClusterNode n : nodes.values()) {
      if (n != myself
          && n.has(ClusterNode.REPLICA)
          && master.id.equals(n.masterId)
          && !n.failed()
          && n.offset > mine) {
        rank++;
      }
    }
    return rank;
  }

  /**
   * A replica asks for this master's vote (Redis's clusterSendFailoverAuthIfNeeded): granted once
   * per epoch, to a replica of a failed master (or of any, for a failover by hand), not twice for
   * replicas of one master within twice the node timeout, and only when no slot it claims has a
   * newer owner here.
   */
  private void maybeVote(BusLink link, ClusterNode node, BusMessage m, long now) {
    if (!myself.has(ClusterNode.MASTER) || myself.slotCount() == 0) {
      return;
    }
    if (m.currentEpoch < currentEpoch) {
      log.warn(
          "Failover auth denied to {}: request epoch {} < current epoch", node.id, m.currentEpoch);
      return;
    }
    if (lastVoteEpoch == currentEpoch) {
      log.warn("Failover auth denied to {}: already voted for epoch {}", node.id, currentEpoch);
      return;
    }
    ClusterNode master = m.masterId == null ? null : nodes.get(m.masterId);
    if ((m.flags & ClusterNode.REPLICA) == 0 || master == null) {
      log.warn("Failover auth denied to {}: it is not a replica of a known master", node.id);
      return;
    }
    boolean force = (m.messageFlags & BusMessage.FORCE_ACK) != 0;
    if (!master.failed() && !force) {
      log.warn("Failover auth denied to {}: its master is up", node.id);
      return;
    }
    if (now - master.votedTime < nodeTimeout() * 2) {
      log.warn(
          "Failover auth denied to {}: already voted for a replica of {} recently",
          node.id,
          master.id);
      return;
    }
    for (int s = m.slots.nextSetBit(0);
        s >= 0 && s < HashSlot.COUNT;
        s = m.slots.nextSetBit(s + 1)) {
      ClusterNode owner = owners[s];
      if (owner != null && owner.configEpoch > m.configEpoch) {
        log.warn(
            "Failover auth denied to {}: slot {} has a newer owner (epoch {} > {})",
            node.id,
            s,
            owner.configEpoch,
            m.configEpoch);
        return;
      }
    }
    lastVoteEpoch = currentEpoch;
    master.votedTime = now;
    dirty = true;
    // As Redis: the vote is on disk before it is sent, so a restart cannot vote twice in an epoch.
    if (flush() != null) {
      return;
    }
    send(link, BusMessage.AUTH_ACK, null);
    log.warn("Failover auth granted to {} for epoch {}", node.id, currentEpoch);
  }

  /** CLUSTER SETSLOT slot NODE node, after the command's checks. */
  synchronized void setSlotNode(int slot, ClusterNode node, boolean slotEmptyHere) {
    if (slotEmptyHere && migratingTo[slot] != null) {
      migratingTo[slot] = null;
    }
    assign(slot, node);
    if (node == myself && importingFrom[slot] != null) {
      bumpEpoch();
      importingFrom[slot] = null;
    }
    changed();
    broadcastPong();
  }

  /**
   * CLUSTER RESET: forgets every other node and every slot; a hard reset also the epochs and name.
   */
  synchronized void reset(boolean hard) {
    // A master paused for a replica's failover stops waiting for it (the cycle lets clients go).
    endPauseForFailover();
    if (myself.has(ClusterNode.REPLICA)) {
      // As Redis's clusterReset: a replica becomes a master and stops replicating.
      myself.flags = (myself.flags & ~ClusterNode.REPLICA) | ClusterNode.MASTER;
      myself.masterId = null;
      resetFailover();
      replication.promote();
    }
    for (ClusterNode n : new ArrayList<>(nodes.values())) {
      if (n != myself) {
        removeNode(n);
      }
    }
    for (int s = 0; s < HashSlot.COUNT; s++) {
      assign(s, null);
      migratingTo[s] = null;
      importingFrom[s] = null;
    }
    if (hard) {
      currentEpoch = 0;
      lastVoteEpoch = 0;
      myself.configEpoch = 0;
      nodes.remove(myself.id);
      myself.id = newName();
      nodes.put(myself.id, myself);
      log.warn("Node hard reset, now I'm {}", myself.id);
    }
    changed();
  }

  synchronized void setConfigEpoch(long epoch) {
    myself.configEpoch = epoch;
    if (currentEpoch < epoch) {
      currentEpoch = epoch;
    }
    log.warn("configEpoch set to {} via CLUSTER SET-CONFIG-EPOCH", epoch);
    changed();
  }

  /** Writes the node file now; false (logged, and retried at the next tick) if it failed. */
  boolean save() {
    return flush() == null;
  }

  /** Releases the node file's lock (at shutdown), after a last save. */
  public synchronized void close() {
    save();
    for (ClusterNode n : nodes.values()) {
      closeLink(n);
    }
    file.unlock();
  }
}
