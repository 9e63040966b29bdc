package io.toridb.cluster;

import static io.toridb.core.command.CommandFlag.ADMIN;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.NO_ASYNC_LOADING;
import static io.toridb.core.command.CommandFlag.STALE;
import static io.toridb.core.command.CommandFlag.WHOLE_KEYSPACE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandHandler;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.Help;
import io.toridb.core.keyspace.HashSlot;
import io.toridb.core.keyspace.SlotIndex;
import io.toridb.protocol.RespWriter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * CLUSTER and its subcommands, ASKING, READONLY and READWRITE, with Redis's replies and error
 * texts. Without a cluster (cluster-enabled no) each of them answers "ERR This instance has cluster
 * support disabled", as Redis does.
 */
public final class ClusterCommands {
  static final String DISABLED = "ERR This instance has cluster support disabled";

  private final Supplier<Cluster> cluster;

  public ClusterCommands(Supplier<Cluster> cluster) {
    this.cluster = cluster;
  }

  public void register(CommandTable t) {
    int admin = ADMIN | STALE | NO_ASYNC_LOADING;
    // COUNTKEYSINSLOT, GETKEYSINSLOT and SETSLOT lock every stripe: the first of them builds the
    // database's index of keys by slot (Database#slots), and SETSLOT NODE's count of a slot's keys
    // must not race with a write into that slot.
    t.add(
        CommandSpec.builder("cluster", -2)
            .group("cluster")
            .doc("A container for Redis Cluster commands", "3.0.0", "Depends on subcommand.")
            .subcommand(
                sub("addslots", -3, admin, "Assigns new hash slots to a node", this::addSlots))
            .subcommand(
                sub(
                    "addslotsrange",
                    -4,
                    admin,
                    "Assigns new hash slot ranges to a node",
                    this::addSlotsRange))
            .subcommand(
                sub("bumpepoch", 2, admin, "Advances the cluster config epoch", this::bumpEpoch))
            .subcommand(
                sub(
                    "count-failure-reports",
                    3,
                    admin,
                    "Returns the number of active failure reports active for a node",
                    this::countFailureReports))
            .subcommand(
                sub(
                    "countkeysinslot",
                    3,
                    STALE | WHOLE_KEYSPACE,
                    "Returns the number of keys in a hash slot",
                    this::countKeysInSlot))
            .subcommand(
                sub("delslots", -3, admin, "Sets hash slots as unbound for a node", this::delSlots))
            .subcommand(
                sub(
                    "delslotsrange",
                    -4,
                    admin,
                    "Sets hash slot ranges as unbound for a node",
                    this::delSlotsRange))
            .subcommand(
                sub(
                    "failover",
                    -2,
                    admin,
                    "Forces a replica to perform a manual failover of its master",
                    this::failover))
            .subcommand(
                sub(
                    "flushslots",
                    2,
                    admin,
                    "Deletes all slots information from a node",
                    this::flushSlots))
            .subcommand(
                sub("forget", 3, admin, "Removes a node from the nodes table", this::forget))
            .subcommand(
                sub(
                    "getkeysinslot",
                    4,
                    STALE | WHOLE_KEYSPACE,
                    "Returns the key names in a hash slot",
                    this::getKeysInSlot))
            .subcommand(sub("help", 2, LOADING | STALE, "Returns helpful text", this::help))
            .subcommand(
                sub("info", 2, STALE, "Returns information about the state of a node", this::info))
            .subcommand(sub("keyslot", 3, STALE, "Returns the hash slot for a key", this::keySlot))
            .subcommand(
                sub(
                    "links",
                    2,
                    STALE,
                    "Returns a list of all TCP links to and from peer nodes",
                    this::links))
            .subcommand(
                sub("meet", -4, admin, "Forces a node to handshake with another node", this::meet))
            .subcommand(sub("myid", 2, STALE, "Returns the ID of a node", this::myId))
            .subcommand(
                sub("nodes", 2, STALE, "Returns the cluster configuration for a node", this::nodes))
            .subcommand(
                sub(
                    "replicas",
                    3,
                    admin,
                    "Lists the replica nodes of a master node",
                    this::replicas))
            .subcommand(
                sub(
                    "replicate",
                    3,
                    admin,
                    "Configure a node as replica of a master node",
                    this::replicate))
            .subcommand(
                sub("reset", -2, admin | NOSCRIPT | WHOLE_KEYSPACE, "Resets a node", this::reset))
            .subcommand(
                sub(
                    "saveconfig",
                    2,
                    admin,
                    "Forces a node to save the cluster configuration to disk",
                    this::saveConfig))
            .subcommand(
                sub(
                    "set-config-epoch",
                    3,
                    admin,
                    "Sets the configuration epoch for a new node",
                    this::setConfigEpoch))
            .subcommand(
                sub(
                    "setslot",
                    -4,
                    admin | WHOLE_KEYSPACE,
                    "Binds a hash slot to a node",
                    this::setSlot))
            .subcommand(
                sub(
                    "shards",
                    2,
                    STALE,
                    "Returns the mapping of cluster slots to shards",
                    this::shards))
            .subcommand(
                sub("slaves", 3, admin, "Lists the replica nodes of a master node", this::replicas))
            .subcommand(
                sub(
                    "slots",
                    2,
                    STALE,
                    "Returns the mapping of cluster slots to nodes",
                    this::slots)));
    t.add(
        CommandSpec.builder("asking", 1)
            .flags(FAST)
            .group("cluster")
            .doc("Signals that a cluster client is following an -ASK redirect", "3.0.0", "O(1)")
            .handler(
                (ctx, argv) -> {
                  require();
                  ctx.session().asking(true);
                  ctx.out().ok();
                }));
    t.add(
        CommandSpec.builder("readonly", 1)
            .flags(FAST | LOADING | STALE)
            .group("cluster")
            .doc(
                "Enables read-only queries for a connection to a Redis Cluster replica node",
                "3.0.0",
                "O(1)")
            .handler(
                (ctx, argv) -> {
                  require();
                  ctx.session().readonly(true);
                  ctx.out().ok();
                }));
    t.add(
        CommandSpec.builder("readwrite", 1)
            .flags(FAST | LOADING | STALE)
            .group("cluster")
            .doc(
                "Enables read-write queries for a connection to a Reids Cluster replica node",
                "3.0.0",
                "O(1)")
            .handler(
                (ctx, argv) -> {
                  require();
                  ctx.session().readonly(false);
                  ctx.out().ok();
                }));
  }

  private CommandSpec.Builder sub(
      String name, int arity, int flags, String summary, CommandHandler handler) {
    return CommandSpec.builder(name, arity)
        .flags(flags)
        .doc(summary, "3.0.0", "O(1)")
        .handler(handler);
  }

  private Cluster require() {
    Cluster c = cluster.get();
    if (c == null) {
      throw new CommandException(DISABLED);
    }
    return c;
  }

  /**
   * Makes sure the node file holds the command's change before it replies, as Redis saves it before
   * replying; the change is in effect either way.
   */
  private static void saved(Cluster c) {
    String failure = c.flush();
    if (failure != null) {
      throw new CommandException("ERR error saving the cluster node config: " + failure);
    }
  }

  private static CommandException syntax(byte[][] argv) {
    return new CommandException(Help.syntaxError(argv));
  }

  void help(CommandContext ctx, byte[][] argv) {
    require();
    Help.reply(
        ctx,
        argv[0],
        "ADDSLOTS <slot> [<slot> ...]",
        "    Assign slots to current node.",
        "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        "    Assign slots which are between <start-slot> and <end-slot> to current node.",
        "BUMPEPOCH",
        "    Advance the cluster config epoch.",
        "COUNT-FAILURE-REPORTS <node-id>",
        "    Return number of failure reports for <node-id>.",
        "COUNTKEYSINSLOT <slot>",
        "    Return the number of keys in <slot>.",
        "DELSLOTS <slot> [<slot> ...]",
        "    Delete slots information from current node.",
        "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        "    Delete slots information which are between <start-slot> and <end-slot> from current"
            + " node.",
        "FAILOVER [FORCE|TAKEOVER]",
        "    Promote current replica node to being a master.",
        "FORGET <node-id>",
        "    Remove a node from the cluster.",
        "GETKEYSINSLOT <slot> <count>",
        "    Return key names stored by current node in a slot.",
        "FLUSHSLOTS",
        "    Delete current node own slots information.",
        "INFO",
        "    Return information about the cluster.",
        "KEYSLOT <key>",
        "    Return the hash slot for <key>.",
        "MEET <ip> <port> [<bus-port>]",
        "    Connect nodes into a working cluster.",
        "MYID",
        "    Return the node id.",
        "NODES",
        "    Return cluster configuration seen by node. Output format:",
        "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
        "REPLICATE <node-id>",
        "    Configure current node as replica to <node-id>.",
        "RESET [HARD|SOFT]",
        "    Reset current node (default: soft).",
        "SET-CONFIG-EPOCH <epoch>",
        "    Set config epoch of current node.",
        "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
        "    Set slot state.",
        "REPLICAS <node-id>",
        "    Return <node-id> replicas.",
        "SAVECONFIG",
        "    Force saving cluster configuration on disk.",
        "SLOTS",
        "    Return information about slots range mappings. Each range is made of:",
        "    start, end, master and replicas IP addresses, ports and ids",
        "SHARDS",
        "    Return information about slot range mappings and the nodes associated with them.",
        "LINKS",
        "    Return information about all network links between this node and its peers.",
        "    Output format is an array where each array element is a map containing attributes of a"
            + " link");
  }

  /** A slot argument: an integer from 0 to 16383. */
  private static int slot(byte[] arg) {
    long s = Args.parseLong(arg, "ERR Invalid or out of range slot");
    if (s < 0 || s >= HashSlot.COUNT) {
      throw new CommandException("ERR Invalid or out of range slot");
    }
    return (int) s;
  }

  void addSlots(CommandContext ctx, byte[][] argv) {
    changeSlots(ctx, argv, false, false);
  }

  void delSlots(CommandContext ctx, byte[][] argv) {
    changeSlots(ctx, argv, true, false);
  }

  void addSlotsRange(CommandContext ctx, byte[][] argv) {
    changeSlots(ctx, argv, false, true);
  }

  void delSlotsRange(CommandContext ctx, byte[][] argv) {
    changeSlots(ctx, argv, true, true);
  }

  private void changeSlots(CommandContext ctx, byte[][] argv, boolean del, boolean ranges) {
    Cluster c = require();
    if (ranges && argv.length % 2 == 1) {
      throw new CommandException(
          Errors.wrongArity("cluster|" + Args.latin1(argv[1]).toLowerCase(java.util.Locale.ROOT)));
    }
    int[] from = new int[ranges ? (argv.length - 2) / 2 : argv.length - 2];
    int[] to = new int[from.length];
    for (int i = 0; i < from.length; i++) {
      if (ranges) {
        from[i] = slot(argv[2 + 2 * i]);
        to[i] = slot(argv[3 + 2 * i]);
        if (from[i] > to[i]) {
          throw new CommandException(
              "ERR start slot number " + from[i] + " is greater than end slot number " + to[i]);
        }
      } else {
        from[i] = slot(argv[2 + i]);
        to[i] = from[i];
      }
    }
    BitSet chosen = new BitSet(HashSlot.COUNT);
    synchronized (c) {
      for (int i = 0; i < from.length; i++) {
        for (int s = from[i]; s <= to[i]; s++) {
          if (del && c.owners[s] == null) {
            throw new CommandException("ERR Slot " + s + " is already unassigned");
          } else if (!del && c.owners[s] != null) {
            throw new CommandException("ERR Slot " + s + " is already busy");
          }
          if (chosen.get(s)) {
            throw new CommandException("ERR Slot " + s + " specified multiple times");
          }
          chosen.set(s);
        }
      }
      c.updateSlots(chosen, del);
    }
    saved(c);
    ctx.out().ok();
  }

  void bumpEpoch(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    boolean bumped;
    long epoch;
    synchronized (c) {
      bumped = c.bumpEpoch();
      epoch = c.myself.configEpoch;
    }
    saved(c);
    ctx.out().simple((bumped ? "BUMPED " : "STILL ") + epoch);
  }

  void countFailureReports(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    synchronized (c) {
      ClusterNode n = known(c, argv[2]);
      long validity = c.nodeTimeout() * 2;
      long now = System.currentTimeMillis();
      n.failReports.values().removeIf(at -> now - at > validity);
      ctx.out().integer(n.failReports.size());
    }
  }

  private static ClusterNode known(Cluster c, byte[] id) {
    ClusterNode n = c.nodes.get(Args.latin1(id));
    if (n == null) {
      throw new CommandException("ERR Unknown node " + Errors.cString(id));
    }
    return n;
  }

  void countKeysInSlot(CommandContext ctx, byte[][] argv) {
    require();
    long slot = Args.parseLong(argv[2]);
    if (slot < 0 || slot >= HashSlot.COUNT) {
      throw new CommandException("ERR Invalid slot");
    }
    ctx.out().integer(bySlot(ctx).count((int) slot));
  }

  void getKeysInSlot(CommandContext ctx, byte[][] argv) {
    require();
    long slot = Args.parseLong(argv[2]);
    long max = Args.parseLong(argv[3]);
    if (slot < 0 || slot >= HashSlot.COUNT || max < 0) {
      throw new CommandException("ERR Invalid slot or number of keys");
    }
    List<byte[]> keys = bySlot(ctx).keys((int) slot, max);
    ctx.out().arrayHeader(keys.size());
    for (byte[] k : keys) {
      ctx.out().bulk(k);
    }
  }

  /**
   * Database 0's keys by slot (expired ones not yet removed included, as Redis counts them); the
   * first call builds the index, which is why the commands that ask lock every stripe.
   */
  private static SlotIndex bySlot(CommandContext ctx) {
    return ctx.keyspace().db(0).slots();
  }

  void failover(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    if (argv.length == 3 && !Args.is(argv[2], "FORCE") && !Args.is(argv[2], "TAKEOVER")) {
      throw new CommandException(Errors.SYNTAX);
    }
    if (argv.length > 3) {
      throw syntax(argv);
    }
    boolean force = argv.length == 3 && Args.is(argv[2], "FORCE");
    boolean takeover = argv.length == 3 && Args.is(argv[2], "TAKEOVER");
    synchronized (c) {
      if (c.myself.has(ClusterNode.MASTER)) {
        throw new CommandException("ERR You should send CLUSTER FAILOVER to a replica");
      }
      ClusterNode master = c.nodes.get(c.myself.masterId);
      if (master == null) {
        throw new CommandException("ERR I'm a replica but my master is unknown to me");
      }
      if (!force && !takeover && (master.failed() || master.link == null)) {
        throw new CommandException(
            "ERR Master is down or failed, please use CLUSTER FAILOVER FORCE");
      }
      c.manualFailover(force, takeover);
    }
    saved(c);
    ctx.out().ok();
  }

  void flushSlots(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    if (!ctx.keyspace().db(0).isEmpty()) {
      throw new CommandException("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.");
    }
    synchronized (c) {
      c.updateSlots((BitSet) c.myself.slots.clone(), true);
    }
    saved(c);
    ctx.out().ok();
  }

  void forget(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    synchronized (c) {
      ClusterNode n = known(c, argv[2]);
      if (n == c.myself) {
        throw new CommandException("ERR I tried hard but I can't forget myself...");
      }
      if (c.myself.has(ClusterNode.REPLICA) && n.id.equals(c.myself.masterId)) {
        throw new CommandException("ERR Can't forget my master!");
      }
      c.forget(n);
    }
    saved(c);
    ctx.out().ok();
  }

  void info(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    StringBuilder sb = new StringBuilder();
    synchronized (c) {
      int assigned = 0;
      int okSlots = 0;
      int pfail = 0;
      int fail = 0;
      for (ClusterNode owner : c.owners) {
        if (owner == null) {
          continue;
        }
        assigned++;
        if (owner.failed()) {
          fail++;
        } else if (owner.timedOut()) {
          pfail++;
        } else {
          okSlots++;
        }
      }
      line(sb, "cluster_state", c.stateOk() ? "ok" : "fail");
      line(sb, "cluster_slots_assigned", assigned);
      line(sb, "cluster_slots_ok", okSlots);
      line(sb, "cluster_slots_pfail", pfail);
      line(sb, "cluster_slots_fail", fail);
      line(sb, "cluster_known_nodes", c.nodes.size());
      line(sb, "cluster_size", c.size());
      line(sb, "cluster_current_epoch", c.currentEpoch);
      line(sb, "cluster_my_epoch", c.myEpoch());
      long total = 0;
      for (int t = 0; t < c.sent.length; t++) {
        if (c.sent[t] != 0) {
          line(sb, "cluster_stats_messages_" + BusMessage.typeName(t) + "_sent", c.sent[t]);
          total += c.sent[t];
        }
      }
      line(sb, "cluster_stats_messages_sent", total);
      total = 0;
      for (int t = 0; t < c.received.length; t++) {
        if (c.received[t] != 0) {
          line(sb, "cluster_stats_messages_" + BusMessage.typeName(t) + "_received", c.received[t]);
          total += c.received[t];
        }
      }
      line(sb, "cluster_stats_messages_received", total);
      line(sb, "total_cluster_links_buffer_limit_exceeded", 0);
    }
    ctx.out().verbatim("txt", sb.toString());
  }

  private static void line(StringBuilder sb, String field, Object value) {
    sb.append(field).append(':').append(value).append("\r\n");
  }

  void keySlot(CommandContext ctx, byte[][] argv) {
    require();
    ctx.out().integer(HashSlot.of(argv[2]));
  }

  void links(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    synchronized (c) {
      List<ClusterNode> linked = new ArrayList<>();
      for (ClusterNode n : c.nodes.values()) {
        if (n.link != null) {
          linked.add(n);
        }
      }
      RespWriter out = ctx.out();
      out.arrayHeader(linked.size());
      for (ClusterNode n : linked) {
        out.mapHeader(6);
        out.bulk("direction");
        out.bulk("to");
        out.bulk("node");
        out.bulk(n.id);
        out.bulk("create-time");
        out.integer(n.linkCreated);
        out.bulk("events");
        out.bulk("rw");
        out.bulk("send-buffer-allocated");
        out.integer(0);
        out.bulk("send-buffer-used");
        out.integer(0);
      }
    }
  }

  void meet(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    if (argv.length > 5) {
      throw syntax(argv);
    }
    String ip = Args.latin1(argv[2]);
    long port = Args.parseLongOr(argv[3], Long.MIN_VALUE);
    if (port == Long.MIN_VALUE) {
      throw new CommandException("ERR Invalid TCP base port specified: " + Errors.cString(argv[3]));
    }
    long busPort = port + Cluster.BUS_PORT_OFFSET;
    if (argv.length == 5) {
      busPort = Args.parseLongOr(argv[4], Long.MIN_VALUE);
      if (busPort == Long.MIN_VALUE) {
        throw new CommandException(
            "ERR Invalid TCP bus port specified: " + Errors.cString(argv[4]));
      }
    }
    if (port > 65535 || busPort > 65535 || !c.meet(ip, (int) port, (int) busPort)) {
      throw new CommandException(
          "ERR Invalid node address specified: "
              + Errors.cString(argv[2])
              + ":"
              + Errors.cString(argv[3]));
    }
    ctx.out().ok();
  }

  void myId(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    synchronized (c) {
      ctx.out().bulk(c.myself.id);
    }
  }

  void nodes(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    String text;
    synchronized (c) {
      text = NodesFile.nodesText(c, true);
    }
    ctx.out().verbatim("txt", text);
  }

  void replicas(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    List<String> lines = new ArrayList<>();
    synchronized (c) {
      ClusterNode n = known(c, argv[2]);
      if (n.has(ClusterNode.REPLICA)) {
        throw new CommandException("ERR The specified node is not a master");
      }
      for (ClusterNode r : replicasOf(c, n)) {
        lines.add(NodesFile.describe(c, r));
      }
    }
    ctx.out().arrayHeader(lines.size());
    for (String line : lines) {
      ctx.out().bulk(line);
    }
  }

  /** The known replicas of {@code master}. With the cluster's monitor held. */
  static List<ClusterNode> replicasOf(Cluster c, ClusterNode master) {
    List<ClusterNode> out = new ArrayList<>();
    for (ClusterNode r : c.nodes.values()) {
      if (r.has(ClusterNode.REPLICA) && master.id.equals(r.masterId)) {
        out.add(r);
      }
    }
    return out;
  }

  void replicate(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    synchronized (c) {
      ClusterNode n = known(c, argv[2]);
      if (n == c.myself) {
        throw new CommandException("ERR Can't replicate myself");
      }
      if (n.has(ClusterNode.REPLICA)) {
        throw new CommandException("ERR I can only replicate a master, not a replica.");
      }
      if (c.myself.has(ClusterNode.MASTER)
          && (c.myself.slotCount() != 0 || !ctx.keyspace().db(0).isEmpty())) {
        throw new CommandException(
            "ERR To set a master the node must be empty and without assigned slots.");
      }
      c.replicate(n);
    }
    saved(c);
    ctx.out().ok();
  }

  void reset(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    boolean hard = false;
    if (argv.length == 3) {
      if (Args.is(argv[2], "HARD")) {
        hard = true;
      } else if (!Args.is(argv[2], "SOFT")) {
        throw new CommandException(Errors.SYNTAX);
      }
    } else if (argv.length > 3) {
      throw syntax(argv);
    }
    boolean master;
    synchronized (c) {
      master = c.myself.has(ClusterNode.MASTER);
    }
    if (master && !ctx.keyspace().db(ctx.session().db()).isEmpty()) {
      throw new CommandException(
          "ERR CLUSTER RESET can't be called with master nodes containing keys");
    }
    c.reset(hard);
    if (!master) {
      // As Redis's clusterReset: a replica, now a master of nothing, drops its master's data (every
      // key lock is held: the command takes the whole key space).
      io.toridb.core.keyspace.ChangeObserver scan = ctx.server().changeObserver();
      if (scan != null) {
        scan.beforeWholeKeyspaceChange();
      }
      ctx.server().emptyDatabases(ctx.now());
      ctx.server().functions().clear();
    }
    saved(c);
    ctx.out().ok();
  }

  void saveConfig(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    saved(c);
    ctx.out().ok();
  }

  void setConfigEpoch(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    long epoch = Args.parseLong(argv[2]);
    synchronized (c) {
      if (epoch < 0) {
        throw new CommandException("ERR Invalid config epoch specified: " + epoch);
      } else if (c.nodes.size() > 1) {
        throw new CommandException(
            "ERR The user can assign a config epoch only when the node does not know any other"
                + " node.");
      } else if (c.myself.configEpoch != 0) {
        throw new CommandException("ERR Node config epoch is already non-zero");
      }
      c.setConfigEpoch(epoch);
    }
    saved(c);
    ctx.out().ok();
  }

  void setSlot(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    int slot = slot(argv[2]);
    String action = Args.upper(argv[3]);
    synchronized (c) {
      if (c.myself.has(ClusterNode.REPLICA)) {
        throw new CommandException("ERR Please use SETSLOT only with masters.");
      }
    }
    long keys = action.equals("NODE") ? bySlot(ctx).count(slot) : 0;
    synchronized (c) {
      switch (action) {
        case "MIGRATING" -> {
          requireArgs(argv, 5);
          if (c.owners[slot] != c.myself) {
            throw new CommandException("ERR I'm not the owner of hash slot " + slot);
          }
          c.migratingTo[slot] = target(c, argv[4], "ERR I don't know about node ");
        }
        case "IMPORTING" -> {
          requireArgs(argv, 5);
          if (c.owners[slot] == c.myself) {
            throw new CommandException("ERR I'm already the owner of hash slot " + slot);
          }
          c.importingFrom[slot] = target(c, argv[4], "ERR I don't know about node ");
        }
        case "STABLE" -> {
          requireArgs(argv, 4);
          c.importingFrom[slot] = null;
          c.migratingTo[slot] = null;
        }
        case "NODE" -> {
          requireArgs(argv, 5);
          ClusterNode n = target(c, argv[4], "ERR Unknown node ");
          if (c.owners[slot] == c.myself && n != c.myself && keys != 0) {
            throw new CommandException(
                "ERR Can't assign hashslot "
                    + slot
                    + " to a different node while I still hold keys for this hash slot.");
          }
          c.setSlotNode(slot, n, keys == 0);
        }
        default -> throw invalidSetSlot();
      }
      c.changed();
    }
    saved(c);
    ctx.out().ok();
  }

  private static void requireArgs(byte[][] argv, int count) {
    if (argv.length != count) {
      throw invalidSetSlot();
    }
  }

  private static CommandException invalidSetSlot() {
    return new CommandException(
        "ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
  }

  private static ClusterNode target(Cluster c, byte[] id, String unknown) {
    ClusterNode n = c.nodes.get(Args.latin1(id));
    if (n == null) {
      throw new CommandException(unknown + Errors.cString(id));
    }
    if (n.has(ClusterNode.REPLICA)) {
      throw new CommandException("ERR Target node is not a master");
    }
    return n;
  }

  void shards(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    RespWriter out = ctx.out();
    synchronized (c) {
      List<ClusterNode> masters = new ArrayList<>();
      for (ClusterNode n : c.nodes.values()) {
        if (n.has(ClusterNode.MASTER)) {
          masters.add(n);
        }
      }
      out.arrayHeader(masters.size());
      for (ClusterNode n : masters) {
        out.mapHeader(2);
        out.bulk("slots");
        List<int[]> ranges = ranges(n.slots);
        out.arrayHeader(ranges.size() * 2);
        for (int[] r : ranges) {
          out.integer(r[0]);
          out.integer(r[1]);
        }
        out.bulk("nodes");
        List<ClusterNode> members = new ArrayList<>();
        members.add(n);
        members.addAll(replicasOf(c, n));
        out.arrayHeader(members.size());
        for (ClusterNode m : members) {
          shardNode(c, out, m, m == n);
        }
      }
    }
  }

  private static void shardNode(Cluster c, RespWriter out, ClusterNode n, boolean master) {
    boolean hostname = !n.hostname.isEmpty();
    boolean port = n.port != 0;
    out.mapHeader(6 + (hostname ? 1 : 0) + (port ? 1 : 0));
    out.bulk("id");
    out.bulk(n.id);
    if (port) {
      out.bulk("port");
      out.integer(n.port);
    }
    out.bulk("ip");
    out.bulk(n.ip);
    out.bulk("endpoint");
    out.bulk(c.endpoint(n));
    if (hostname) {
      out.bulk("hostname");
      out.bulk(n.hostname);
    }
    out.bulk("role");
    out.bulk(master ? "master" : "replica");
    long offset = n == c.myself ? c.myOffset() : n.offset;
    out.bulk("replication-offset");
    out.integer(offset);
    out.bulk("health");
    out.bulk(n.failed() ? "fail" : !master && offset == 0 ? "loading" : "online");
  }

  static List<int[]> ranges(BitSet slots) {
    List<int[]> ranges = new ArrayList<>();
    for (int s = slots.nextSetBit(0); s >= 0; ) {
      int end = slots.nextClearBit(s) - 1;
      ranges.add(new int[] {s, end});
      s = slots.nextSetBit(end + 1);
    }
    return ranges;
  }

  void slots(CommandContext ctx, byte[][] argv) {
    Cluster c = require();
    RespWriter out = ctx.out();
    synchronized (c) {
      List<int[]> ranges = new ArrayList<>();
      List<ClusterNode> owners = new ArrayList<>();
      for (int s = 0; s < HashSlot.COUNT; ) {
        ClusterNode owner = c.owners[s];
        int end = s;
        while (end + 1 < HashSlot.COUNT && c.owners[end + 1] == owner) {
          end++;
        }
        if (owner != null) {
          ranges.add(new int[] {s, end});
          owners.add(owner);
        }
        s = end + 1;
      }
      String type = ctx.server().config().text("cluster-preferred-endpoint-type");
      out.arrayHeader(ranges.size());
      for (int i = 0; i < ranges.size(); i++) {
        ClusterNode owner = owners.get(i);
        List<ClusterNode> members = new ArrayList<>();
        members.add(owner);
        for (ClusterNode r : replicasOf(c, owner)) {
          // As Redis's isReplicaAvailable: not failed, and holding some of its master's data.
          long offset = r == c.myself ? c.myOffset() : r.offset;
          if (!r.failed() && offset > 0) {
            members.add(r);
          }
        }
        out.arrayHeader(2 + members.size());
        out.integer(ranges.get(i)[0]);
        out.integer(ranges.get(i)[1]);
        for (ClusterNode n : members) {
          slotNode(c, out, n, type);
        }
      }
    }
  }

  private static void slotNode(Cluster c, RespWriter out, ClusterNode n, String type) {
    out.arrayHeader(4);
    if (type.equals("unknown-endpoint")) {
      out.nullBulk();
    } else {
      out.bulk(c.endpoint(n));
    }
    out.integer(n.port);
    out.bulk(n.id);
    boolean ip = !type.equals("ip");
    boolean hostname = !type.equals("hostname") && !n.hostname.isEmpty();
    out.mapHeader((ip ? 1 : 0) + (hostname ? 1 : 0));
    if (ip) {
      out.bulk("ip");
      out.bulk(n.ip);
    }
    if (hostname) {
      out.bulk("hostname");
      out.bulk(n.hostname);
    }
  }
}
