package io.toridb.cluster;

import io.toridb.core.keyspace.HashSlot;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A message of ToriDB's cluster bus. The transport frames each one with a 4-byte big-endian length;
 * the message itself is:
 *
 * <pre>
 * "TBus"  magic, 4 bytes
 * u8      version (2)
 * u8      type: 0 PING, 1 PONG, 2 MEET, 3 FAIL, 4 FAILOVER_AUTH_REQUEST, 5 FAILOVER_AUTH_ACK,
 *         6 MFSTART (a replica asks its master to pause its clients for a manual failover)
 * 40      sender's name, hex digits
 * i64     sender's current epoch
 * i64     sender's config epoch (a replica sends its master's)
 * u16     sender's role flags (master, replica, nofailover)
 * 40      the name of the sender's master, or 40 '0's for a master
 * i64     the sender's replication offset
 * u8      message flags: 1 = a manual failover (the request is voted for while the master is up);
 *         2 = the sender is a master whose clients' writes are paused for a manual failover, so
 *         its offset no longer grows
 * i32     sender's client port, i32 its bus port
 * str     the IP the sender announces (empty: the receiver uses the connection's address)
 * str     its hostname (may be empty)
 * 2048    its slots, a bitmap, slot 0 in the lowest bit of the first byte
 * u16     gossip entries, each: 40 name, str ip, i32 port, i32 bus port, u16 flags
 * 40      FAIL only: the name of the node that failed
 * </pre>
 *
 * A {@code str} is a u16 length and that many UTF-8 bytes. Nothing in a message is trusted: {@link
 * #decode} checks every length and name and refuses anything else.
 */
final class BusMessage {
  static final int PING = 0;
  static final int PONG = 1;
  static final int MEET = 2;
  static final int FAIL = 3;
  static final int AUTH_REQUEST = 4;
  static final int AUTH_ACK = 5;
  static final int MFSTART = 6;

  /** The number of message types. */
  static final int TYPES = 7;

  /** In an AUTH_REQUEST: a manual failover, voted for though the master has not failed. */
  static final int FORCE_ACK = 1;

  /** From a master: its clients' writes are paused for a manual failover; its offset is final. */
  static final int PAUSED = 2;

  private static final String NO_MASTER = "0".repeat(40);

  /** The largest frame the transport accepts. */
  static final int MAX_BYTES = 1 << 20;

  private static final byte[] MAGIC = {'T', 'B', 'u', 's'};
  private static final int VERSION = 2;
  private static final int SLOT_BYTES = HashSlot.COUNT / 8;
  private static final int MAX_TEXT = 255;

  /** What a message says about another node. */
  record Gossip(String id, String ip, int port, int busPort, int flags) {}

  final int type;
  final String sender;
  final long currentEpoch;
  final long configEpoch;
  final int flags;
  final String masterId;
  final long offset;
  final int messageFlags;
  final int port;
  final int busPort;
  final String ip;
  final String hostname;
  final BitSet slots;
  final List<Gossip> gossip;
  final String failed;

  BusMessage(
      int type,
      String sender,
      long currentEpoch,
      long configEpoch,
      int flags,
      String masterId,
      long offset,
      int messageFlags,
      int port,
      int busPort,
      String ip,
      String hostname,
      BitSet slots,
      List<Gossip> gossip,
      String failed) {
    this.type = type;
    this.sender = sender;
    this.currentEpoch = currentEpoch;
    this.configEpoch = configEpoch;
    this.flags = flags;
    this.masterId = masterId;
    this.offset = offset;
    this.messageFlags = messageFlags;
    this.port = port;
    this.busPort = busPort;
    this.ip = ip;
    this.hostname = hostname;
    this.slots = slots;
    this.gossip = gossip;
    this.failed = failed;
  }

  static String typeName(int type) {
    return switch (type) {
      case PING -> "ping";
      case PONG -> "pong";
      case MEET -> "meet";
      case FAIL -> "fail";
      case AUTH_REQUEST -> "auth-req";
      case AUTH_ACK -> "auth-ack";
      default -> "mfstart";
    };
  }

  byte[] encode() {
    byte[] ipBytes = text(ip);
    byte[] hostBytes = text(hostname);
    int size =
        4 + 1 + 1 + 40 + 8 + 8 + 2 + 40 + 8 + 1 + 4 + 4 + 2 + ipBytes.length + 2 + hostBytes.length;
    size += SLOT_BYTES + 2;
    List<byte[]> gossipIps = new ArrayList<>();
    for (Gossip g : gossip) {
      byte[] b = text(g.ip());
      gossipIps.add(b);
      size += 40 + 2 + b.length + 4 + 4 + 2;
    }
    if (type == FAIL) {
      size += 40;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(MAGIC).put((byte) VERSION).put((byte) type).put(name(sender));
    out.putLong(currentEpoch).putLong(configEpoch).putShort((short) flags);
    out.put(name(masterId == null ? NO_MASTER : masterId));
    out.putLong(offset).put((byte) messageFlags);
    out.putInt(port).putInt(busPort);
    out.putShort((short) ipBytes.length).put(ipBytes);
    out.putShort((short) hostBytes.length).put(hostBytes);
    byte[] bitmap = new byte[SLOT_BYTES];
    byte[] set = slots.toByteArray();
    System.arraycopy(set, 0, bitmap, 0, Math.min(set.length, SLOT_BYTES));
    out.put(bitmap);
    out.putShort((short) gossip.size());
    for (int i = 0; i < gossip.size(); i++) {
      Gossip g = gossip.get(i);
      out.put(name(g.id()));
      out.putShort((short) gossipIps.get(i).length).put(gossipIps.get(i));
      out.putInt(g.port()).putInt(g.busPort()).putShort((short) g.flags());
    }
    if (type == FAIL) {
      out.put(name(failed));
    }
    return out.array();
  }

  /**
   * Reads one message.
   *
   * @throws IllegalArgumentException if it is not a well-formed message of this version
   */
  static BusMessage decode(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      byte[] magic = new byte[4];
      in.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException("not a cluster bus message");
      }
      int version = in.get() & 0xff;
      if (version != VERSION) {
        throw new IllegalArgumentException("unknown cluster bus version " + version);
      }
      int type = in.get() & 0xff;
      if (type >= TYPES) {
        throw new IllegalArgumentException("unknown cluster bus message type " + type);
      }
      String sender = readName(in);
      long currentEpoch = in.getLong();
      long configEpoch = in.getLong();
      if (currentEpoch < 0
          || configEpoch < 0
          || currentEpoch > MAX_EPOCH
          || configEpoch > MAX_EPOCH) {
        throw new IllegalArgumentException("epoch out of range in a cluster bus message");
      }
      int flags = in.getShort() & 0xffff;
      byte[] master = new byte[40];
      in.get(master);
      String masterId = new String(master, StandardCharsets.US_ASCII);
      if (masterId.equals(NO_MASTER)) {
        masterId = null;
      } else if (!isName(masterId)) {
        throw new IllegalArgumentException("bad master name in a cluster bus message");
      }
      long offset = in.getLong();
      if (offset < 0) {
        throw new IllegalArgumentException("negative offset in a cluster bus message");
      }
      int messageFlags = in.get() & 0xff;
      int port = readPort(in);
      int busPort = readPort(in);
      String ip = readIp(in);
      String hostname = readText(in);
      if (!isHostname(hostname)) {
        throw new IllegalArgumentException("bad hostname in a cluster bus message");
      }
      byte[] bitmap = new byte[SLOT_BYTES];
      in.get(bitmap);
      BitSet slots = BitSet.valueOf(bitmap);
      int count = in.getShort() & 0xffff;
      List<Gossip> gossip = new ArrayList<>(Math.min(count, 64));
      for (int i = 0; i < count; i++) {
        String id = readName(in);
        String gip = readIp(in);
        int gport = readPort(in);
        int gbus = readPort(in);
        int gflags = in.getShort() & 0xffff;
        gossip.add(new Gossip(id, gip, gport, gbus, gflags));
      }
      String failed = type == FAIL ? readName(in) : null;
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes after a cluster bus message");
      }
      return new BusMessage(
          type,
          sender,
          currentEpoch,
          configEpoch,
          flags,
          masterId,
          offset,
          messageFlags,
          port,
          busPort,
          ip,
          hostname,
          slots,
          gossip,
          failed);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated cluster bus message");
    }
  }

  /** The largest epoch a message may carry: far beyond any real one, and far from overflowing. */
  static final long MAX_EPOCH = 1L << 48;

  /** Whether {@code s} could be an IP address: up to 45 hex digits, '.' and ':'. */
  static boolean isIpText(String s) {
    if (s.length() > 45) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9'
          || c >= 'a' && c <= 'f'
          || c >= 'A' && c <= 'F'
          || c == '.'
          || c == ':')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code s} is a hostname as cluster-announce-hostname allows: letters, digits, '-', '.'.
   */
  static boolean isHostname(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9'
          || c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c == '-'
          || c == '.')) {
        return false;
      }
    }
    return true;
  }

  private static String readIp(ByteBuffer in) {
    String ip = readText(in);
    if (!isIpText(ip)) {
      throw new IllegalArgumentException("bad address in a cluster bus message");
    }
    return ip;
  }

  /** Whether {@code s} is a node name: 40 lower-case hex digits. */
  static boolean isName(String s) {
    if (s == null || s.length() != 40) {
      return false;
    }
    for (int i = 0; i < 40; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  private static byte[] name(String id) {
    return id.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] text(String s) {
    byte[] b = s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    if (b.length > MAX_TEXT) {
      throw new IllegalArgumentException("address or hostname too long: " + s);
    }
    return b;
  }

  private static String readName(ByteBuffer in) {
    byte[] b = new byte[40];
    in.get(b);
    String s = new String(b, StandardCharsets.US_ASCII);
    if (!isName(s)) {
      throw new IllegalArgumentException("bad node name in a cluster bus message");
    }
    return s;
  }

  private static String readText(ByteBuffer in) {
    int n = in.getShort() & 0xffff;
    if (n > MAX_TEXT) {
      throw new IllegalArgumentException("address too long in a cluster bus message");
    }
    byte[] b = new byte[n];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static int readPort(ByteBuffer in) {
    int p = in.getInt();
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("bad port in a cluster bus message");
    }
    return p;
  }
}
