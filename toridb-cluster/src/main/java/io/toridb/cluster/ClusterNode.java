package io.toridb.cluster;

import io.toridb.core.keyspace.HashSlot;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * One node of the cluster as this node knows it: its name (40 hex digits), address, flags, epoch,
 * slots, and the state of the link to it. Guarded by the {@link ClusterState} that holds it.
 */
final class ClusterNode {
  static final int MYSELF = 1;
  static final int MASTER = 1 << 1;
  static final int REPLICA = 1 << 2;
  static final int PFAIL = 1 << 3;
  static final int FAIL = 1 << 4;
  static final int HANDSHAKE = 1 << 5;
  static final int NOADDR = 1 << 6;
  static final int NOFAILOVER = 1 << 7;

  /** A node met by CLUSTER MEET: the first message sent to it is a MEET, not a PING. */
  static final int MEET = 1 << 8;

  /** Flag names in the order CLUSTER NODES writes them. */
  private static final String[] NAMES = {
    "myself", "master", "slave", "fail?", "fail", "handshake", "noaddr", "nofailover"
  };

  String id;
  String ip = "";
  int port;
  int busPort;
  String hostname = "";
  int flags;

  /** The name of the node this one replicates, or null for a master. */
  String masterId;

  /** The replication offset the node last announced. */
  long offset;

  /** When this node (a master) last had a replica of it voted for here. */
  long votedTime;

  long pingSent;
  long pongReceived;
  long configEpoch;
  long createdMillis;
  long failTime;

  final BitSet slots = new BitSet(HashSlot.COUNT);

  /** The outgoing link to the node, or null while there is none. */
  BusLink link;

  long linkCreated;

  /** Masters that reported this node as failing, and when they last did. */
  final Map<String, Long> failReports = new HashMap<>();

  ClusterNode(String id, int flags, long now) {
    this.id = id;
    this.flags = flags;
    this.createdMillis = now;
  }

  boolean has(int flag) {
    return (flags & flag) != 0;
  }

  boolean failed() {
    return has(FAIL);
  }

  boolean timedOut() {
    return has(PFAIL);
  }

  int slotCount() {
    return slots.cardinality();
  }

  /** The flags as CLUSTER NODES writes them: "myself,master", or "noflags". */
  String flagText() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < NAMES.length; i++) {
      if ((flags & (1 << i)) != 0) {
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(NAMES[i]);
      }
    }
    return sb.length() == 0 ? "noflags" : sb.toString();
  }

  /** Parses flags written by {@link #flagText}; -1 on an unknown name. */
  static int parseFlags(String text) {
    int f = 0;
    for (String name : text.split(",")) {
      if (name.equals("noflags")) {
        continue;
      }
      int bit = -1;
      for (int i = 0; i < NAMES.length; i++) {
        if (NAMES[i].equals(name)) {
          bit = i;
        }
      }
      if (bit < 0) {
        return -1;
      }
      f |= 1 << bit;
    }
    return f;
  }
}
