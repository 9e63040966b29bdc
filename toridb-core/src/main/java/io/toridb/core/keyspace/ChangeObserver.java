package io.toridb.core.keyspace;

/**
 * Told before a command changes keys of the server's keyspace, while the command holds their locks:
 * what a background job that reads the keyspace as it was at one instant (the append-only file
 * rewrite) needs in order to keep the old version of a key before it changes.
 */
public interface ChangeObserver {
  /** {@code key} of database {@code db} is about to change (be written, created or deleted). */
  void beforeChange(int db, Key key);

  /** A command that changes the whole keyspace (FLUSHALL, FLUSHDB, SWAPDB) is about to run. */
  void beforeWholeKeyspaceChange();
}
