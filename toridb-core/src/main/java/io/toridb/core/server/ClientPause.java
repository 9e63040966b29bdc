package io.toridb.core.server;

import io.toridb.core.session.ClientHost;
import io.toridb.core.session.ClientSession;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Paused clients, as Redis's CLIENT PAUSE: while a pause is on, the commands it covers (every
 * command under {@link Type#ALL}; under {@link Type#WRITE} those that may write or be replicated)
 * are postponed, not run: their client is parked, counted in INFO's blocked_clients, until the
 * pause ends, and then runs them in order as if they had just arrived (they may be postponed again
 * by a pause that is still on). Replicas are never paused; a replica's link to its primary is.
 *
 * <p>Each {@link Purpose} holds its own pause, as in Redis 7.0: the pause in force is the most
 * restrictive of them, until the latest end among those of that type. A pause ends at its end time
 * (checked by {@link #type()} and by the server's cycle calling {@link #check}) or when its purpose
 * unpauses; whenever the pause in force becomes less restrictive, every postponed client is let go.
 *
 * <p>While any pause is on the data set stays as it is: expired keys read as missing but are not
 * deleted (told to the key space through {@code holdExpiry}).
 */
public final class ClientPause {
  /** What a pause holds back, from least to most restrictive. */
  public enum Type {
    OFF,
    WRITE,
    ALL
  }

  /** Who paused: each holds its own pause. */
  public enum Purpose {
    /** CLIENT PAUSE / CLIENT UNPAUSE. */
    CLIENT_COMMAND,
    /** A primary handing over to a replica: FAILOVER, or a replica's CLUSTER FAILOVER. */
    FAILOVER
  }

  private record Pause(Type type, long endMillis) {}

  private final Map<Purpose, Pause> pauses = new EnumMap<>(Purpose.class);

  /** Sessions whose command waits for the pause to end, in the order they were postponed. */
  private final Set<ClientSession> postponed = new LinkedHashSet<>();

  private final Consumer<Boolean> holdExpiry;

  private volatile Type type = Type.OFF;
  private volatile long endMillis;
  private volatile int postponedCount;

  /**
   * @param holdExpiry told true when a pause starts (expired keys must not be deleted) and false
   *     when the last one ends
   */
  public ClientPause(Consumer<Boolean> holdExpiry) {
    this.holdExpiry = holdExpiry;
  }

  /**
   * Pauses clients for {@code purpose} until {@code endMillis} (Unix ms): a pause already held for
   * it keeps the more restrictive type and the later end.
   */
  public synchronized void pause(Purpose purpose, long endMillis, Type type) {
    Pause old = pauses.get(purpose);
    if (old != null) {
      type = type.compareTo(old.type()) > 0 ? type : old.type();
      endMillis = Math.max(endMillis, old.endMillis());
    }
    pauses.put(purpose, new Pause(type, endMillis));
    update(System.currentTimeMillis());
  }

  /** Ends {@code purpose}'s pause, if it holds one. */
  public synchronized void unpause(Purpose purpose) {
    if (pauses.remove(purpose) != null) {
      update(System.currentTimeMillis());
    }
  }

  /** Whether {@code purpose} holds a pause now. */
  public synchronized boolean pausedBy(Purpose purpose) {
    update(System.currentTimeMillis());
    return pauses.containsKey(purpose);
  }

  /** The pause in force: one volatile read while none is. */
  public Type type() {
    Type t = type;
    if (t != Type.OFF && System.currentTimeMillis() > endMillis) {
      check(System.currentTimeMillis());
      t = type;
    }
    return t;
  }

  /** Ends the pauses whose time is up (called by the server's cycle). */
  public void check(long nowMillis) {
    if (type != Type.OFF && nowMillis > endMillis) {
      synchronized (this) {
        update(nowMillis);
      }
    }
  }

  /**
   * Whether a pause of type {@code t} covers a command: every command under ALL, under WRITE those
   * that {@code mayWrite} (may write or be replicated).
   */
  public static boolean covers(Type t, boolean mayWrite) {
    return t == Type.ALL || (t == Type.WRITE && mayWrite);
  }

  /**
   * Parks {@code session} (which must have a host), whose command was just found covered by the
   * pause: its connection holds that command and the ones after it back until the pause ends. When
   * the pause has ended in the meantime, or no longer covers the command, or the client has gone,
   * the session is let go at once.
   */
  public void postpone(ClientSession session, boolean mayWrite) {
    ClientHost host = session.host();
    session.postponed(true);
    host.blocked(0);
    boolean release;
    synchronized (this) {
      release = !covers(type, mayWrite) || session.killed();
      if (!release) {
        postponed.add(session);
        postponedCount = postponed.size();
      }
    }
    if (release) {
      session.postponed(false);
      host.unblocked();
    }
  }

  /** Forgets a session that disconnected (after marking it killed), if it was postponed. */
  public synchronized void forget(ClientSession session) {
    if (postponed.remove(session)) {
      postponedCount = postponed.size();
    }
  }

  /** Clients postponed now (counted in INFO's blocked_clients). */
  public int postponedCount() {
    return postponedCount;
  }

  /** Recomputes the pause in force after a change or at {@code now}; with the monitor held. */
  private void update(long now) {
    Type before = type;
    pauses.values().removeIf(p -> p.endMillis() < now);
    Type most = Type.OFF;
    for (Pause p : pauses.values()) {
      if (p.type().compareTo(most) > 0) {
        most = p.type();
      }
    }
    long end = 0;
    for (Pause p : pauses.values()) {
      if (p.type() == most) {
        end = Math.max(end, p.endMillis());
      }
    }
    // Expired keys are held before any command can see the pause, and let go after none can.
    if (before == Type.OFF && most != Type.OFF) {
      holdExpiry.accept(true);
    }
    endMillis = end;
    type = most;
    if (before != Type.OFF && most == Type.OFF) {
      holdExpiry.accept(false);
    }
    if (most.compareTo(before) < 0) {
      releaseAll();
    }
  }

  /** Lets every postponed client go, in the order they came; they may be postponed again. */
  private void releaseAll() {
    List<ClientSession> all = new ArrayList<>(postponed);
    postponed.clear();
    postponedCount = 0;
    for (ClientSession s : all) {
      s.postponed(false);
      ClientHost host = s.host();
      if (host != null) {
        host.unblocked();
      }
    }
  }
}
