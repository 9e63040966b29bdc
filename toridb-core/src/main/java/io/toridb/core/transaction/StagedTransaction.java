package io.toridb.core.transaction;

import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.Keyspace;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.propagation.PropagationSink;
import io.toridb.core.server.ServerContext;
import io.toridb.core.session.ClientSession;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A client's open BEGIN transaction: a private workspace where its commands run at once, with their
 * real replies, and where nobody else sees their effects until COMMIT.
 *
 * <p>The workspace is a {@linkplain Keyspace#privateView private view} of the keyspace. The first
 * time one of the transaction's commands asks for a key, the view receives a copy of it (taken
 * under the key's lock, which the command holds) and the key is watched, as WATCH would. Later
 * commands of the transaction see that copy with their own changes: a transaction reads its own
 * writes, and otherwise each key as it was when the transaction first used it.
 *
 * <p>COMMIT locks every key the transaction used, checks that none changed since it was copied (the
 * watch), and then installs the transaction's version of every key it wrote; the effects its
 * commands produced go to the propagation sink as one unit, and its keyspace events are raised. So
 * a committed transaction behaves as if all its commands had run at the moment of COMMIT, one after
 * the other: its reads were still true then (serializable, with optimistic concurrency). If another
 * client changed one of its keys meanwhile, COMMIT applies nothing and fails.
 */
public final class StagedTransaction implements Keyspace.Loader {
  /** A key of one database. */
  public record DbKey(int db, Key key) {}

  /** A keyspace event to raise at COMMIT. */
  public record Event(int db, int type, String name, Key key) {}

  private final ServerContext server;
  private final ClientSession session;
  private final Keyspace view;
  private final List<DbKey> used = new ArrayList<>();
  private final Set<DbKey> written = new LinkedHashSet<>();
  private final List<PropagationSink.Effect> effects = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();

  public StagedTransaction(ServerContext server, ClientSession session) {
    this.server = server;
    this.session = session;
    this.view = server.keyspace().privateView(this);
  }

  /** The private workspace the transaction's commands run on. */
  public Keyspace view() {
    return view;
  }

  /**
   * Hands the view the live value of {@code key} (which it copies) and watches the key. Called
   * under the key's lock by the command that first touches the key.
   */
  @Override
  public StoredValue load(int db, Key key) {
    Keyspace shared = server.keyspace();
    long now = System.currentTimeMillis();
    server.watches().watch(session, shared, db, key, now);
    used.add(new DbKey(db, key));
    Database d = shared.db(db);
    StoredValue v = d.peek(key);
    if (v == null || d.isExpired(v, now)) {
      return null;
    }
    return v;
  }

  /** Every key the transaction read or wrote, in the order it first used them. */
  public List<DbKey> used() {
    return used;
  }

  /** Records that a command of the transaction changed {@code key}. */
  public void written(int db, Key key) {
    written.add(new DbKey(db, key));
  }

  /** The keys the transaction changed, each once. */
  public Set<DbKey> written() {
    return written;
  }

  public void effect(int db, byte[][] argv) {
    effects.add(new PropagationSink.Effect(db, argv));
  }

  public List<PropagationSink.Effect> effects() {
    return effects;
  }

  public void event(int db, int type, String name, Key key) {
    events.add(new Event(db, type, name, key));
  }

  public List<Event> events() {
    return events;
  }
}
