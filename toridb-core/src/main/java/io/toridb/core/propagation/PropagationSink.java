package io.toridb.core.propagation;

/**
 * Receives the deterministic effect of every write, as the command that reproduces it, for the
 * append-only file (and later replicas and slot migration). Core defines it; the server wires in
 * the real implementation.
 */
public interface PropagationSink {
  /** A sink that drops everything, for when no log is configured. */
  PropagationSink NONE = (db, argv) -> {};

  /**
   * Records one write.
   *
   * @param db the database the effect applies to
   * @param argv the command that reproduces the effect, with absolute times
   */
  void propagate(int db, byte[][] argv);

  /**
   * Records a command that replicas run but the log does not keep (PUBLISH: a message is not data).
   * Nothing by default.
   */
  default void propagateToReplicas(int db, byte[][] argv) {}

  /**
   * One write's effect in database {@code db}; {@code replicasOnly} for a command only replicas get
   * (see {@link #propagateToReplicas}), which a log leaves out of a transaction.
   */
  record Effect(int db, byte[][] argv, boolean replicasOnly) {
    public Effect(int db, byte[][] argv) {
      this(db, argv, false);
    }
  }

  /**
   * Records the writes of one transaction (EXEC), which replay must apply all or not at all: by
   * default as MULTI, the writes, EXEC. A sink that writes a log keeps them together.
   */
  default void propagateTransaction(java.util.List<Effect> effects) {
    int db = effects.get(0).db();
    propagate(db, new byte[][] {MULTI});
    for (Effect e : effects) {
      propagate(e.db(), e.argv());
    }
    propagate(effects.get(effects.size() - 1).db(), new byte[][] {EXEC});
  }

  byte[] MULTI = {'M', 'U', 'L', 'T', 'I'};
  byte[] EXEC = {'E', 'X', 'E', 'C'};
}
