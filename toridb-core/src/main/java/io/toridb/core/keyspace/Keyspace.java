package io.toridb.core.keyspace;

/** All logical databases of the server, and the locks that make commands on them atomic. */
public final class Keyspace {
  private final Database[] databases;
  private final KeyspaceStats stats = new KeyspaceStats();
  private final KeyLocks locks = new KeyLocks();

  public Keyspace(int databaseCount) {
    databases = new Database[databaseCount];
    for (int i = 0; i < databaseCount; i++) {
      databases[i] = new Database(i, stats);
    }
  }

  public int databaseCount() {
    return databases.length;
  }

  public Database db(int index) {
    return databases[index];
  }

  public KeyspaceStats stats() {
    return stats;
  }

  public KeyLocks locks() {
    return locks;
  }

  /** Exchanges the contents of two databases; the caller holds every lock. */
  public void swap(int a, int b) {
    if (a != b) {
      Database.swapContents(databases[a], databases[b]);
    }
  }

  /** Total keys over all databases. */
  public long totalKeys() {
    long n = 0;
    for (Database d : databases) {
      n += d.size();
    }
    return n;
  }
}
