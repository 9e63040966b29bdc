package io.toridb.core.sql;

/**
 * The row a SELECT is looking at while it evaluates expressions: the values of every source in its
 * FROM clause side by side, the aggregate results of the current group, and the frame of the query
 * around it, which correlated subqueries read.
 */
final class Frame {
  final Frame outer;
  Object[] row;
  Object[] aggregates;

  /** Bound parameters ({@code ?}), shared by every frame of a statement. */
  final Object[] parameters;

  Frame(Frame outer, int width, Object[] parameters) {
    this.outer = outer;
    this.row = new Object[width];
    this.parameters = parameters;
  }

  /**
   * On a statement's outermost frame: bumped whenever the statement changed a table it may read
   * again (UPDATE, row by row), so that results kept for the statement are computed anew.
   */
  long epoch;

  /** The statement's epoch (see {@link #epoch}). */
  long epoch() {
    Frame f = this;
    while (f.outer != null) {
      f = f.outer;
    }
    return f.epoch;
  }

  Frame up(int depth) {
    Frame f = this;
    for (int i = 0; i < depth; i++) {
      f = f.outer;
    }
    return f;
  }
}
