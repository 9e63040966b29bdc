package io.toridb.core.blocking;

import static io.toridb.core.blocking.BlockedClient.DONE;
import static io.toridb.core.blocking.BlockedClient.SERVING;
import static io.toridb.core.blocking.BlockedClient.WAITING;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.Keyspace;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import io.toridb.core.session.ClientHost;
import io.toridb.core.session.ClientSession;
import io.toridb.protocol.RespWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Clients parked by blocking commands (BLPOP, BZPOPMIN, ...), per database and key, in arrival
 * order, and the serving of them when a key they wait for is created.
 *
 * <p>How a wait goes: the command finds nothing and calls {@link CommandContext#block}; the client
 * is registered under each of its keys and its connection stops running its further requests (no
 * worker thread waits). A command that creates a list or sorted set at a key somebody waits for
 * marks the key ready, on the thread that runs it ({@link #keyCreated}); when that command has
 * finished and released its locks, the same worker serves the waiting clients of each ready key in
 * arrival order by running their command again on their behalf ({@link #serveReady}), until one of
 * them finds nothing. Serving can create more ready keys (BLMOVE's destination); they are served in
 * the same pass. So a client that pushes and then pops in one pipeline always sees the parked
 * client served first, as with Redis.
 *
 * <p>Registration and removal take one lock; the paths every command takes only read a volatile
 * count, so the cost is nil while nobody is blocked.
 */
public final class Blocking {
  /** Runs a parked client's command again; implemented by the command executor. */
  public interface Server {
    /**
     * Runs {@code client}'s command with {@code reply} as its reply buffer; true if it replied,
     * false if it found nothing and the client keeps waiting.
     */
    boolean serve(BlockedClient client, ByteBuf reply);
  }

  private record DbKey(int db, Key key) {}

  private static final ThreadLocal<ArrayDeque<DbKey>> READY =
      ThreadLocal.withInitial(ArrayDeque::new);

  /** Told of every wait that ends without the command running again: a timeout or UNBLOCK. */
  public interface Ended {
    void ended(BlockedClient client, boolean error);
  }

  private volatile Ended ended = (client, error) -> {};

  public void onEnded(Ended listener) {
    this.ended = listener;
  }

  private final Object lock = new Object();
  private final Map<DbKey, ArrayDeque<BlockedClient>> waiting = new HashMap<>();
  private volatile int blockedClients;

  /** Clients parked now, for INFO's blocked_clients. */
  public int blockedClients() {
    return blockedClients;
  }

  /** Parks the current client of {@code ctx}; see {@link CommandContext#block}. */
  public void block(CommandContext ctx, Key[] keys, long deadline, Consumer<RespWriter> onTimeout) {
    block(ctx, keys, deadline, onTimeout, ctx.argv());
  }

  /**
   * As {@link #block(CommandContext, Key[], long, Consumer)}, running {@code argv} instead of the
   * command as given when a key becomes ready (XREAD's {@code $} replaced by the ID it stood for
   * when the client blocked).
   */
  public void block(
      CommandContext ctx,
      Key[] keys,
      long deadline,
      Consumer<RespWriter> onTimeout,
      byte[][] argv) {
    BlockedClient serving = ctx.serving();
    if (serving != null) {
      // Run again for a client already waiting and found nothing: it keeps its place.
      ctx.keepWaiting();
      return;
    }
    ClientSession session = ctx.session();
    ClientHost host = session.host();
    if (host == null) {
      // No connection to park (an internal caller): the wait ends at once.
      onTimeout.accept(ctx.out());
      return;
    }
    BlockedClient client =
        new BlockedClient(
            session, session.db(), argv, distinct(keys), deadline, onTimeout, typeOf(ctx.spec()));
    // Whatever this client was answered before must reach it before the reply that ends the wait,
    // which another worker may send as soon as the client is registered.
    RespWriter out = ctx.out();
    ByteBuf batch = out.buffer();
    if (batch != null && batch.isReadable()) {
      host.send(batch.readBytes(batch.readableBytes()));
    }
    session.blocked(client);
    ctx.parked(client);
    synchronized (lock) {
      for (Key key : client.keys) {
        waiting.computeIfAbsent(new DbKey(client.db, key), k -> new ArrayDeque<>()).add(client);
      }
      blockedClients++;
    }
    host.blocked(deadline);
  }

  private static Key[] distinct(Key[] keys) {
    List<Key> out = new ArrayList<>(keys.length);
    for (Key k : keys) {
      if (!out.contains(k)) {
        out.add(k);
      }
    }
    return out.size() == keys.length ? keys : out.toArray(new Key[0]);
  }

  /** The type a blocking command waits for, from its command group. */
  private static ValueType typeOf(CommandSpec spec) {
    if (spec != null && "sorted_set".equals(spec.group())) {
      return ValueType.ZSET;
    }
    if (spec != null && "stream".equals(spec.group())) {
      return ValueType.STREAM;
    }
    return ValueType.LIST;
  }

  /**
   * Called when {@code key} in database {@code db} got a new value (it did not exist, or had
   * another type): if someone waits for it, the key is marked ready for {@link #serveReady} on this
   * thread.
   */
  public void keyCreated(int db, Key key, StoredValue value) {
    if (blockedClients == 0) {
      return;
    }
    ValueType type = value.type();
    if (type != ValueType.LIST && type != ValueType.ZSET && type != ValueType.STREAM) {
      return;
    }
    signal(db, key);
  }

  /**
   * Marks {@code key} ready on this thread if someone waits for it, whatever it holds now: a stream
   * got entries, lost a consumer group, or went away (which ends the wait of XREADGROUP clients).
   */
  public void signal(int db, Key key) {
    if (blockedClients == 0) {
      return;
    }
    DbKey dk = new DbKey(db, key);
    synchronized (lock) {
      if (!waiting.containsKey(dk)) {
        return;
      }
    }
    ArrayDeque<DbKey> ready = READY.get();
    if (!ready.contains(dk)) {
      ready.add(dk);
    }
  }

  /**
   * Database {@code db} got new contents (SWAPDB): every key clients wait for there that now holds
   * a list or sorted set is marked ready on this thread.
   */
  public void databaseReplaced(Keyspace keyspace, int db) {
    if (blockedClients == 0) {
      return;
    }
    List<DbKey> keys = new ArrayList<>();
    synchronized (lock) {
      for (DbKey dk : waiting.keySet()) {
        if (dk.db() == db) {
          keys.add(dk);
        }
      }
    }
    for (DbKey dk : keys) {
      // Every key: a stream's readers must learn that it is gone, or that it came.
      signal(db, dk.key());
    }
  }

  /** True if a command run on this thread made a key ready that parked clients wait for. */
  public boolean hasReady() {
    return blockedClients != 0 && !READY.get().isEmpty();
  }

  /**
   * Serves the clients waiting for the keys made ready on this thread, each key's clients in
   * arrival order, until the key has nothing more for them. Called with no lock held.
   */
  public void serveReady(Server server, Keyspace keyspace) {
    ArrayDeque<DbKey> ready = READY.get();
    DbKey dk;
    while ((dk = ready.poll()) != null) {
      BlockedClient[] queue;
      synchronized (lock) {
        ArrayDeque<BlockedClient> q = waiting.get(dk);
        if (q == null) {
          continue;
        }
        queue = q.toArray(new BlockedClient[0]);
      }
      for (BlockedClient client : queue) {
        StoredValue value = keyspace.db(dk.db()).peek(dk.key());
        boolean stream = client.type == ValueType.STREAM;
        // A client waiting for a list is not served by a sorted set, and the other way round. A
        // stream reader runs again whatever the key holds: its command decides (XREADGROUP ends
        // with an error when the stream is gone, XREAD keeps waiting).
        if (!stream && (value == null || value.type() != client.type)) {
          continue;
        }
        if (!claim(client)) {
          continue;
        }
        ByteBuf reply = ByteBufAllocator.DEFAULT.ioBuffer(64);
        boolean served;
        client.readyKey = dk.key();
        try {
          served = server.serve(client, reply);
        } catch (RuntimeException | Error e) {
          client.state.set(WAITING);
          reply.release();
          throw e;
        }
        if (!served) {
          reply.release();
          client.state.set(WAITING);
          if (client.signalled) {
            // The key was written again while this run looked at it, by a thread that found the
            // client busy: look again, or that write's wake-up is lost.
            if (!ready.contains(dk)) {
              ready.add(dk);
            }
          }
          if (stream) {
            // Readers of a stream do not take entries from each other: the next may be served.
            continue;
          }
          break;
        }
        client.state.set(DONE);
        unregister(client);
        finish(client, reply);
      }
    }
  }

  /**
   * Takes a waiting client for serving. One that another thread is serving right now is marked
   * {@link BlockedClient#signalled}, so that the other thread looks again if it finds nothing;
   * should that thread put it back to waiting meanwhile, this one takes it after all.
   */
  static boolean claim(BlockedClient client) {
    while (true) {
      if (client.state.compareAndSet(WAITING, SERVING)) {
        client.signalled = false;
        return true;
      }
      if (client.state.get() != SERVING) {
        return false;
      }
      client.signalled = true;
      if (client.state.get() != WAITING) {
        return false;
      }
    }
  }

  /**
   * An expired key went (on any thread, the active expiry's included): clients blocked in
   * XREADGROUP on it end with Redis's error, as they do when a command deletes the stream.
   */
  public void keyExpired(int db, Key key) {
    if (blockedClients == 0) {
      return;
    }
    BlockedClient[] queue;
    synchronized (lock) {
      ArrayDeque<BlockedClient> q = waiting.get(new DbKey(db, key));
      if (q == null) {
        return;
      }
      queue = q.toArray(new BlockedClient[0]);
    }
    for (BlockedClient client : queue) {
      if (client.type == ValueType.STREAM
          && Args.is(client.argv[0], "XREADGROUP")
          && client.state.compareAndSet(WAITING, DONE)) {
        replyAndEnd(client, "UNBLOCKED the stream key no longer exists");
      }
    }
  }

  /**
   * Ends a wait whose deadline has passed, replying as the command does on timeout. False while a
   * worker is serving the client (try again shortly); true once the wait is over either way.
   */
  public boolean expire(BlockedClient client) {
    if (!client.state.compareAndSet(WAITING, DONE)) {
      return client.state.get() == DONE;
    }
    replyAndEnd(client, null);
    return true;
  }

  /**
   * CLIENT UNBLOCK: ends the wait of {@code session} if it is parked, with its timeout reply, or
   * with {@code error} when that is not null. True if it was parked.
   */
  public boolean unblock(ClientSession session, String error) {
    BlockedClient client = session.blocked();
    if (client == null || !client.state.compareAndSet(WAITING, DONE)) {
      return false;
    }
    replyAndEnd(client, error);
    return true;
  }

  /**
   * Ends a wait this thread has claimed (moved to DONE) without running the command: replies {@code
   * error}, or the command's timeout reply when it is null.
   */
  private void replyAndEnd(BlockedClient client, String error) {
    unregister(client);
    ByteBuf reply = ByteBufAllocator.DEFAULT.ioBuffer(16);
    RespWriter out = new RespWriter(reply, client.session.protocol());
    if (error != null) {
      out.error(error);
    } else {
      client.onTimeout.accept(out);
    }
    out.flush();
    ended.ended(client, error != null);
    finish(client, reply);
  }

  /** Forgets the wait of a client that disconnected. */
  public void cancel(ClientSession session) {
    BlockedClient client = session.blocked();
    if (client != null && client.state.compareAndSet(WAITING, DONE)) {
      unregister(client);
    }
  }

  private static void finish(BlockedClient client, ByteBuf reply) {
    ClientHost host = client.session.host();
    host.send(reply);
    host.unblocked();
  }

  /** Removes a client that is no longer waiting from every key's queue. */
  private void unregister(BlockedClient client) {
    synchronized (lock) {
      for (Key key : client.keys) {
        DbKey dk = new DbKey(client.db, key);
        ArrayDeque<BlockedClient> queue = waiting.get(dk);
        if (queue != null) {
          queue.remove(client);
          if (queue.isEmpty()) {
            waiting.remove(dk);
          }
        }
      }
      blockedClients--;
    }
    client.session.blocked(null);
  }
}
