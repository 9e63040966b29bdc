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
}
