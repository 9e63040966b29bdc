package io.toridb.core.scripting;

/**
 * One script being run (Redis's scriptRunCtx): what it may do, what it did, and whether it was
 * asked to stop. Written by the worker running it; {@link #kill} and {@link #timedOut} may be
 * called from other threads.
 */
final class ScriptRun {
  /** The script's SHA-1, or the function's name. */
  final String name;

  /** Whether it is a function (FCALL) rather than a script (EVAL). */
  final boolean function;

  /** The command that runs it (FUNCTION STATS shows it). */
  byte[][] command = new byte[0][];

  /** EVAL_RO, or a script that declared no-writes: write commands are refused. */
  final boolean readOnly;

  /** The worker running the script. */
  final Thread thread = Thread.currentThread();

  private final long startNanos = System.nanoTime();
  private final long busyNanos;

  /** The RESP version replies of redis.call reach the script in (redis.setresp). */
  int resp = 2;

  /**
   * On a cluster node, the hash slot of the script's keys: of its first declared key, else of the
   * first key it touches (-1 until then); its other keys must be in it unless {@link #crossSlot}.
   */
  int slot = -1;

  /** The script declared allow-cross-slot-keys. */
  boolean crossSlot;

  void keys(byte[][] declared, boolean allowCrossSlot) {
    slot = declared.length > 0 ? io.toridb.core.keyspace.HashSlot.of(declared[0]) : -1;
    crossSlot = allowCrossSlot;
  }

  /** Whether the log says the script was killed already (the hook stops it at every step). */
  boolean killReported;

  private static final int RUNNING = 0;
  private static final int WROTE = 1;
  private static final int KILLED = 2;

  /**
   * RUNNING, then WROTE (its first write) or KILLED (SCRIPT KILL), never both: one atomic state, so
   * that a kill and a first write cannot both succeed.
   */
  private final java.util.concurrent.atomic.AtomicInteger state =
      new java.util.concurrent.atomic.AtomicInteger(RUNNING);

  private volatile boolean timedOut;

  /**
   * @param busyMillis busy-reply-threshold: after this long other clients are told the server is
   *     busy; 0 or less never
   */
  ScriptRun(String name, boolean function, boolean readOnly, long busyMillis) {
    this.name = name;
    this.function = function;
    this.readOnly = readOnly;
    this.busyNanos = busyMillis > 0 ? busyMillis * 1_000_000 : Long.MAX_VALUE;
  }

  /** Called by the interpreter every so many instructions: true once it should stop. */
  boolean check() {
    if (!timedOut && System.nanoTime() - startNanos >= busyNanos) {
      timedOut = true;
    }
    return killed();
  }

  long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  boolean timedOut() {
    return timedOut;
  }

  /** Before the script's first write: false if it was killed, and must not write. */
  boolean mayWrite() {
    return state.compareAndSet(RUNNING, WROTE) || state.get() == WROTE;
  }

  boolean dirty() {
    return state.get() == WROTE;
  }

  /** SCRIPT KILL: false if the script already wrote, and runs on. */
  boolean kill() {
    return state.compareAndSet(RUNNING, KILLED) || state.get() == KILLED;
  }

  boolean killed() {
    return state.get() == KILLED;
  }
}
