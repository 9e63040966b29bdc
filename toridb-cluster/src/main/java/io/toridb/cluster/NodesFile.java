package io.toridb.cluster;

import io.toridb.core.keyspace.HashSlot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The node file ({@code cluster-config-file}, {@code nodes.conf} in {@code dir}), in Redis's
 * format: one line per known node as CLUSTER NODES writes it (handshake nodes left out), then
 * {@code vars currentEpoch N lastVoteEpoch M}. It is written whole to a temporary file, forced and
 * renamed over the old one, so a crash leaves either version. A lock on {@code <file>.lock} keeps a
 * second server from using the same file.
 */
final class NodesFile {
  private final Path path;
  private FileChannel lockChannel;
  private FileLock lock;

  NodesFile(Path path) {
    this.path = path;
  }

  Path path() {
    return path;
  }

  void lock() throws IOException {
    Path lockPath = path.resolveSibling(path.getFileName() + ".lock");
    lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException(
          "Sorry, the cluster configuration file "
              + path.getFileName()
              + " is already used by a different Redis Cluster node. Please make sure that"
              + " different nodes use different cluster configuration files.");
    }
  }

  void unlock() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      // Closing the channel releases the lock anyway.
    }
  }

  /** One line of CLUSTER NODES (and of the file) for {@code node}, without its newline. */
  static String describe(Cluster c, ClusterNode node) {
    StringBuilder sb = new StringBuilder(128);
    sb.append(node.id).append(' ').append(node.ip).append(':').append(node.port);
    sb.append('@').append(node.busPort);
    if (!node.hostname.isEmpty()) {
      sb.append(',').append(node.hostname);
    }
    sb.append(' ').append(node.flagText()).append(' ');
    sb.append(node.masterId == null ? "-" : node.masterId);
    sb.append(' ').append(node.pingSent).append(' ').append(node.pongReceived);
    // As Redis's nodeEpoch: a replica shows its master's config epoch.
    ClusterNode master = node.has(ClusterNode.REPLICA) ? c.nodes.get(node.masterId) : null;
    sb.append(' ').append(master != null ? master.configEpoch : node.configEpoch).append(' ');
    sb.append(node.link != null || node.has(ClusterNode.MYSELF) ? "connected" : "disconnected");
    int start = -1;
    for (int s = node.slots.nextSetBit(0); s >= 0; s = node.slots.nextSetBit(s + 1)) {
      start = s;
      int end = node.slots.nextClearBit(s) - 1;
      sb.append(' ').append(start);
      if (end > start) {
        sb.append('-').append(end);
      }
      s = end;
    }
    if (node.has(ClusterNode.MYSELF)) {
      for (int s = 0; s < HashSlot.COUNT; s++) {
        if (c.migratingTo[s] != null) {
          sb.append(" [").append(s).append("->-").append(c.migratingTo[s].id).append(']');
        } else if (c.importingFrom[s] != null) {
          sb.append(" [").append(s).append("-<-").append(c.importingFrom[s].id).append(']');
        }
      }
    }
    return sb.toString();
  }

  /** What CLUSTER NODES replies: every known node, handshakes included, one line each. */
  static String nodesText(Cluster c, boolean withHandshakes) {
    StringBuilder sb = new StringBuilder();
    for (ClusterNode n : c.nodes.values()) {
      if (withHandshakes || !n.has(ClusterNode.HANDSHAKE)) {
        sb.append(describe(c, n)).append('\n');
      }
    }
    return sb.toString();
  }

  /** The file's text for {@code c}; with its monitor held. */
  static String text(Cluster c) {
    return nodesText(c, false)
        + "vars currentEpoch "
        + c.currentEpoch
        + " lastVoteEpoch "
        + c.lastVoteEpoch
        + "\n";
  }

  /** Replaces the file with {@code text}: a temporary file, forced, then renamed over it. */
  void write(String text) throws IOException {
    Path tmp = path.resolveSibling("temp-" + path.getFileName());
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
    }
    Path dir = path.toAbsolutePath().getParent();
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems cannot force a directory; the rename is still atomic.
    }
  }

  /**
   * Reads the file into {@code c}; false when there is no file (or it is empty).
   *
   * @throws IOException when it cannot be read or any line is damaged, naming the line
   */
  boolean load(Cluster c) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return false;
    }
    if (lines.stream().allMatch(String::isBlank)) {
      return false;
    }
    long now = System.currentTimeMillis();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      try {
        loadLine(c, line.trim(), now);
      } catch (RuntimeException e) {
        throw corrupted(line);
      }
    }
    if (c.myself == null) {
      throw new IOException(
          "Unrecoverable error: corrupted cluster config file \"" + path + "\": no myself line.");
    }
    return true;
  }

  private IOException corrupted(String line) {
    return new IOException(
        "Unrecoverable error: corrupted cluster config file " + path + ", line \"" + line + "\".");
  }

  private void loadLine(Cluster c, String line, long now) throws IOException {
    String[] f = line.split(" ");
    if (f[0].equals("vars")) {
      for (int i = 1; i + 1 < f.length; i += 2) {
        long value = Long.parseLong(f[i + 1]);
        if (value < 0) {
          throw corrupted(line);
        }
        switch (f[i]) {
          case "currentEpoch" -> c.currentEpoch = value;
          case "lastVoteEpoch" -> c.lastVoteEpoch = value;
          default -> {
            // Unknown variables are skipped, as Redis does.
          }
        }
      }
      return;
    }
    if (f.length < 8 || !BusMessage.isName(f[0])) {
      throw corrupted(line);
    }
    ClusterNode node = c.nodes.get(f[0]);
    if (node == null) {
      node = new ClusterNode(f[0], 0, now);
      c.nodes.put(node.id, node);
    }
    String address = f[1];
    int comma = address.indexOf(',');
    if (comma >= 0) {
      node.hostname = address.substring(comma + 1);
      address = address.substring(0, comma);
    }
    int at = address.lastIndexOf('@');
    int colon = address.lastIndexOf(':', at < 0 ? address.length() : at);
    if (colon < 0) {
      throw corrupted(line);
    }
    node.ip = address.substring(0, colon);
    node.port = Integer.parseInt(address.substring(colon + 1, at < 0 ? address.length() : at));
    node.busPort =
        at < 0 ? node.port + Cluster.BUS_PORT_OFFSET : Integer.parseInt(address.substring(at + 1));
    if (node.port < 0 || node.port > 65535 || node.busPort < 0 || node.busPort > 65535) {
      throw corrupted(line);
    }
    int flags = ClusterNode.parseFlags(f[2]);
    if (flags < 0) {
      throw corrupted(line);
    }
    node.flags = flags & ~ClusterNode.HANDSHAKE;
    if (node.has(ClusterNode.MYSELF)) {
      if (c.myself != null && c.myself != node) {
        throw corrupted(line);
      }
      c.myself = node;
    }
    if (!f[3].equals("-")) {
      if (!BusMessage.isName(f[3])) {
        throw corrupted(line);
      }
      node.masterId = f[3];
    }
    node.pingSent = 0;
    node.pongReceived = Long.parseLong(f[5]) != 0 ? now : 0;
    node.configEpoch = Long.parseLong(f[6]);
    if (node.configEpoch < 0) {
      throw corrupted(line);
    }
    for (int i = 8; i < f.length; i++) {
      String slot = f[i];
      if (slot.startsWith("[")) {
        int arrow = slot.indexOf("->-");
        boolean migrating = arrow >= 0;
        if (!migrating) {
          arrow = slot.indexOf("-<-");
        }
        if (arrow < 0 || !slot.endsWith("]")) {
          throw corrupted(line);
        }
        int s = slotNumber(slot.substring(1, arrow), line);
        String other = slot.substring(arrow + 3, slot.length() - 1);
        if (!BusMessage.isName(other)) {
          throw corrupted(line);
        }
        ClusterNode peer = c.nodes.get(other);
        if (peer == null) {
          peer = new ClusterNode(other, ClusterNode.MASTER, now);
          c.nodes.put(other, peer);
        }
        if (migrating) {
          c.migratingTo[s] = peer;
        } else {
          c.importingFrom[s] = peer;
        }
        continue;
      }
      int dash = slot.indexOf('-');
      int from = slotNumber(dash < 0 ? slot : slot.substring(0, dash), line);
      int to = dash < 0 ? from : slotNumber(slot.substring(dash + 1), line);
      if (to < from) {
        throw corrupted(line);
      }
      for (int s = from; s <= to; s++) {
        c.assign(s, node);
      }
    }
  }

  private int slotNumber(String text, String line) throws IOException {
    int s = Integer.parseInt(text);
    if (s < 0 || s >= HashSlot.COUNT) {
      throw corrupted(line);
    }
    return s;
  }
}
