package io.toridb.core.scripting;

/**
 * One script being run (Redis's scriptRunCtx): what it may do, what it did, and whether it was
 * asked to stop. Written by the worker running it; {@link #kill} and {@link #timedOut} may be
 * called from other threads.
 */
final class ScriptRun {
  final Script script;

  /** EVAL_RO, or a script that declared no-writes: write commands are refused. */
  final boolean readOnly;

  private final long startNanos = System.nanoTime();
  private final long busyNanos;

  /** The RESP version replies of redis.call reach the script in (redis.setresp). */
  int resp = 2;

  private volatile boolean dirty;
  private volatile boolean killed;
  private volatile boolean timedOut;

  /**
   * @param busyMillis busy-reply-threshold: after this long other clients are told the server is
   *     busy; 0 or less never
   */
  ScriptRun(Script script, boolean readOnly, long busyMillis) {
    this.script = script;
    this.readOnly = readOnly;
    this.busyNanos = busyMillis > 0 ? busyMillis * 1_000_000 : Long.MAX_VALUE;
  }

  /** Called by the interpreter every so many instructions: true once it should stop. */
  boolean check() {
    if (!timedOut && System.nanoTime() - startNanos >= busyNanos) {
      timedOut = true;
    }
    return killed;
  }

  long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  boolean timedOut() {
    return timedOut;
  }

  void wrote() {
    dirty = true;
  }

  boolean dirty() {
    return dirty;
  }

  void kill() {
    killed = true;
  }

  boolean killed() {
    return killed;
  }
}
