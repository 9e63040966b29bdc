package io.toridb.core.blocking;

import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.ValueType;
import io.toridb.core.session.ClientSession;
import io.toridb.protocol.RespWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A client parked by a blocking command: the command to run again when one of its keys becomes
 * ready, and what to reply when its deadline passes.
 *
 * <p>Exactly one party ends a wait: a worker serving it, the timeout, CLIENT UNBLOCK or the
 * disconnect. They race through {@link #state}: only the one that moves it from {@code WAITING}
 * acts; a worker serving the client holds it in {@code SERVING} and puts it back to {@code WAITING}
 * when the command found nothing after all.
 */
public final class BlockedClient {
  static final int WAITING = 0;
  static final int SERVING = 1;
  static final int DONE = 2;

  final ClientSession session;
  final int db;
  final byte[][] argv;
  final Key[] keys;
  final long deadline;
  final Consumer<RespWriter> onTimeout;
  final ValueType type;
  final AtomicInteger state = new AtomicInteger(WAITING);

  /** Set when a key of this client was made ready while another thread was serving it. */
  volatile boolean signalled;

  /** The key whose readiness is running the command again (set before each run). */
  volatile Key readyKey;

  /** The key whose readiness runs the command again now (XREAD answers for that stream only). */
  public Key readyKey() {
    return readyKey;
  }

  /**
   * How long the call that blocked ran, in microseconds (Redis's c->duration): added again, with
   * the time it takes to serve the client, when the wait ends, as Redis counts a blocked command.
   */
  private volatile long callMicros;

  BlockedClient(
      ClientSession session,
      int db,
      byte[][] argv,
      Key[] keys,
      long deadline,
      Consumer<RespWriter> onTimeout,
      ValueType type) {
    this.session = session;
    this.db = db;
    this.argv = argv;
    this.keys = keys;
    this.deadline = deadline;
    this.onTimeout = onTimeout;
    this.type = type;
  }

  /** Whether the wait is over (served, timed out, unblocked or disconnected). */
  public boolean ended() {
    return state.get() == DONE;
  }

  public ClientSession session() {
    return session;
  }

  /** The command that blocked, to be run again. */
  public byte[][] argv() {
    return argv;
  }

  public int db() {
    return db;
  }

  /** Absolute deadline in Unix ms, 0 = none. */
  public long deadline() {
    return deadline;
  }

  /** Whether the client waits for keys to be written (not for replicas, as WAIT does). */
  public boolean waitsForKeys() {
    return keys.length > 0;
  }

  public long callMicros() {
    return callMicros;
  }

  public void callMicros(long micros) {
    this.callMicros = micros;
  }

  /** The value type whose arrival at a key can serve this client (list, zset). */
  public ValueType type() {
    return type;
  }
}
