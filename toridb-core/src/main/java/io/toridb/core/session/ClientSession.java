package io.toridb.core.session;

import io.toridb.core.pubsub.ClientSubscriptions;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the server remembers about one client connection: selected database, protocol version,
 * authentication, names, and the bookkeeping CLIENT LIST shows. Owned by the connection's worker;
 * fields read by other threads (CLIENT LIST) are volatile.
 */
public final class ClientSession {
  private static final AtomicLong NEXT_ID = new AtomicLong(1);

  private final long id = NEXT_ID.getAndIncrement();
  private final long createdAt = System.currentTimeMillis();
  private volatile int db;
  private volatile int protocol = 2;
  private volatile boolean authenticated;
  private volatile String user = "default";
  private volatile String name = "";
  private volatile String libName = "";
  private volatile String libVersion = "";
  private volatile long lastInteraction = createdAt;
  private volatile String lastCommand = "NULL";
  private volatile String remoteAddress = "";
  private volatile String localAddress = "";
  private volatile boolean closeAfterReply;
  private volatile boolean killed;
  private volatile boolean monitor;
  private volatile boolean noEvict;
  private volatile boolean noTouch;
  private volatile boolean asking;
  private volatile boolean master;
  private volatile boolean readonly;
  private volatile boolean replica;
  private volatile boolean postponed;
  private volatile ClientHost host;
  private final ClientSubscriptions subscriptions = ClientSubscriptions.empty();
  private volatile io.toridb.core.transaction.MultiState multi;
  private volatile io.toridb.core.transaction.StagedTransaction staged;
  private volatile boolean watchDirty;
  private volatile io.toridb.core.blocking.BlockedClient blocked;
  private boolean replyOff;
  private boolean replySkip;
  private boolean replySkipNext;

  public ClientSession(boolean authenticated) {
    this.authenticated = authenticated;
  }

  public long id() {
    return id;
  }

  public long createdAt() {
    return createdAt;
  }

  public int db() {
    return db;
  }

  public void db(int db) {
    this.db = db;
  }

  /** RESP protocol version in use: 2 or 3. */
  public int protocol() {
    return protocol;
  }

  public void protocol(int protocol) {
    this.protocol = protocol;
  }

  public boolean authenticated() {
    return authenticated;
  }

  public void authenticated(boolean authenticated) {
    this.authenticated = authenticated;
  }

  public String user() {
    return user;
  }

  public void user(String user) {
    this.user = user;
  }

  /** The name set by CLIENT SETNAME, "" if none. */
  public String name() {
    return name;
  }

  public void name(String name) {
    this.name = name;
  }

  public String libName() {
    return libName;
  }

  public void libName(String libName) {
    this.libName = libName;
  }

  public String libVersion() {
    return libVersion;
  }

  public void libVersion(String libVersion) {
    this.libVersion = libVersion;
  }

  public long lastInteraction() {
    return lastInteraction;
  }

  public void lastInteraction(long now) {
    this.lastInteraction = now;
  }

  /** Full name of the last command run ("client|list"), "NULL" before the first. */
  public String lastCommand() {
    return lastCommand;
  }

  public void lastCommand(String lastCommand) {
    this.lastCommand = lastCommand;
  }

  public String remoteAddress() {
    return remoteAddress;
  }

  public String localAddress() {
    return localAddress;
  }

  public void addresses(String remote, String local) {
    this.remoteAddress = remote;
    this.localAddress = local;
  }

  /** Set by QUIT: the connection closes once this batch's replies are written. */
  public boolean closeAfterReply() {
    return closeAfterReply;
  }

  public void closeAfterReply(boolean close) {
    this.closeAfterReply = close;
  }

  /** Set by CLIENT KILL: the connection closes without running further commands. */
  public boolean killed() {
    return killed;
  }

  public void kill() {
    this.killed = true;
  }

  public boolean monitor() {
    return monitor;
  }

  public void monitor(boolean monitor) {
    this.monitor = monitor;
  }

  public boolean noEvict() {
    return noEvict;
  }

  public void noEvict(boolean noEvict) {
    this.noEvict = noEvict;
  }

  public boolean noTouch() {
    return noTouch;
  }

  public void noTouch(boolean noTouch) {
    this.noTouch = noTouch;
  }

  /**
   * Whether the client sent ASKING: its next command (or, inside MULTI, its EXEC) may touch a slot
   * this cluster node is importing.
   */
  public boolean asking() {
    return asking;
  }

  public void asking(boolean asking) {
    this.asking = asking;
  }

  /**
   * Whether this is the link to this replica's primary: its writes are applied whatever
   * replica-read-only says, its replies are not sent, and its effects reach only the log.
   */
  public boolean master() {
    return master;
  }

  public void master(boolean master) {
    this.master = master;
  }

  /** Whether the client sent READONLY: a cluster replica serves it reads of its master's slots. */
  public boolean readonly() {
    return readonly;
  }

  public void readonly(boolean readonly) {
    this.readonly = readonly;
  }

  /** Whether this connection is a replica of this server (after SYNC or PSYNC). */
  public boolean replica() {
    return replica;
  }

  public void replica(boolean replica) {
    this.replica = replica;
  }

  /** Whether this client's command waits for a client pause to end (see ClientPause). */
  public boolean postponed() {
    return postponed;
  }

  public void postponed(boolean postponed) {
    this.postponed = postponed;
  }

  /** The open MULTI, or null. */
  public io.toridb.core.transaction.MultiState multi() {
    return multi;
  }

  public void multi(io.toridb.core.transaction.MultiState multi) {
    this.multi = multi;
  }

  /** The open BEGIN transaction, or null. */
  public io.toridb.core.transaction.StagedTransaction staged() {
    return staged;
  }

  public void staged(io.toridb.core.transaction.StagedTransaction staged) {
    this.staged = staged;
  }

  /** A watched key changed since WATCH: the next EXEC fails. */
  public boolean watchDirty() {
    return watchDirty;
  }

  public void watchDirty(boolean dirty) {
    this.watchDirty = dirty;
  }

  /** The connection behind this session, or null for an internal one. */
  public ClientHost host() {
    return host;
  }

  /**
   * Whether a protected action (DEBUG, CONFIG SET of a protected config) is allowed to this client
   * under {@code mode}, as Redis's allowProtectedAction: "yes", or "local" and the client connects
   * from this machine (an internal session counts as local).
   */
  public boolean allowedBy(String mode) {
    return mode.equals("yes") || (mode.equals("local") && (host == null || host.local()));
  }

  /** The channels and patterns this client is subscribed to; see {@link ClientSubscriptions}. */
  public ClientSubscriptions subscriptions() {
    return subscriptions;
  }

  public void host(ClientHost host) {
    this.host = host;
  }

  /** The wait this client is parked in, or null. */
  public io.toridb.core.blocking.BlockedClient blocked() {
    return blocked;
  }

  public void blocked(io.toridb.core.blocking.BlockedClient blocked) {
    this.blocked = blocked;
  }

  /** CLIENT REPLY ON|OFF|SKIP. */
  public enum ReplyMode {
    ON,
    OFF,
    SKIP
  }

  /** Applies CLIENT REPLY: OFF silences every reply, SKIP only the next command's. */
  public void replyMode(ReplyMode mode) {
    switch (mode) {
      case ON -> {
        replyOff = false;
        replySkip = false;
        replySkipNext = false;
      }
      case OFF -> replyOff = true;
      case SKIP -> replySkipNext = !replyOff;
    }
  }

  /** True while the current command's reply must not be sent (CLIENT REPLY OFF or SKIP). */
  public boolean repliesSilenced() {
    return replyOff || replySkip;
  }

  /** Called after every command, rejected ones too: a SKIP covers exactly the next command. */
  public void commandDone() {
    replySkip = replySkipNext;
    replySkipNext = false;
  }

  /**
   * Forgets what RESET forgets: database, protocol, name, MONITOR, CLIENT REPLY mode, an open MULTI
   * or BEGIN (rolled back), READONLY, and authentication when a password is required (subscriptions
   * are dropped through the server's pub/sub registry). NO-EVICT survives, as in Redis 7.0;
   * NO-TOUCH (from 7.2) is cleared, as in the release that introduced it.
   */
  public void reset(boolean passwordRequired) {
    db = 0;
    protocol = 2;
    multi = null;
    staged = null;
    name = "";
    monitor = false;
    noTouch = false;
    asking = false;
    readonly = false;
    replyOff = false;
    replySkip = false;
    replySkipNext = false;
    user = "default";
    authenticated = !passwordRequired;
  }
}
