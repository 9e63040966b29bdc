package io.toridb.core.scripting;

import io.toridb.core.command.CommandException;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentHashMap;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.LuaC;

/**
 * The server's scripts, by SHA-1 (Redis's lua_scripts dictionary): filled by EVAL and SCRIPT LOAD,
 * emptied by SCRIPT FLUSH, shared by every worker. Also where the one script that runs at a time
 * (scripts take the gate of {@link io.toridb.core.keyspace.KeyLocks}) can be found, for SCRIPT KILL
 * and for the busy state.
 */
public final class ScriptCache {
  private final ConcurrentHashMap<String, Script> scripts = new ConcurrentHashMap<>();

  /** Source bytes of the cached scripts (INFO's used_memory_scripts_eval counts them). */
  private final java.util.concurrent.atomic.AtomicLong bodyBytes =
      new java.util.concurrent.atomic.AtomicLong();

  private volatile ScriptRun running;

  /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call commands flagged noscript (for tests). */
  private volatile boolean denyDisabled;

  /** Told when the running script ends or turns busy (see {@link #onChange}). */
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> waiting =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** The cached script named {@code sha} (any case), or null. */
  Script get(String sha) {
    return scripts.get(sha.toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * The script with source {@code body}, compiled and cached first if it is new.
   *
   * @throws CommandException with Redis's error text when the shebang or the source is bad
   */
  Script load(byte[] body) {
    String sha = sha1hex(body);
    Script known = scripts.get(sha);
    if (known != null) {
      return known;
    }
    int flags = Script.shebangFlags(body);
    int skip = Script.shebangLength(body);
    Prototype code;
    try {
      code =
          LuaC.instance.compile(
              new ByteArrayInputStream(body, skip, body.length - skip), "@user_script");
    } catch (LuaError e) {
      throw new CommandException(
          "ERR Error compiling script (new function): " + LuaErrors.plain(e.getMessage()));
    } catch (java.io.IOException | RuntimeException e) {
      throw new CommandException("ERR Error compiling script (new function): " + e.getMessage());
    }
    Script script = new Script(sha, body.clone(), flags, code);
    Script raced = scripts.putIfAbsent(sha, script);
    if (raced != null) {
      return raced;
    }
    bodyBytes.addAndGet(body.length + 40);
    return script;
  }

  /** SCRIPT FLUSH. */
  void clear() {
    scripts.clear();
    bodyBytes.set(0);
  }

  /** How many scripts are cached (INFO number_of_cached_scripts). */
  public int size() {
    return scripts.size();
  }

  /** Memory the cache holds, roughly: the sources and their names. */
  public long memory() {
    return bodyBytes.get();
  }

  void running(ScriptRun run) {
    this.running = run;
    if (run == null) {
      changed();
    }
  }

  public void denyDisabled(boolean disabled) {
    this.denyDisabled = disabled;
  }

  boolean denyDisabled() {
    return denyDisabled;
  }

  /** Whether a script is running now. */
  public boolean scriptRunning() {
    return running != null;
  }

  /** Whether a script is running now on {@code thread}. */
  public boolean scriptRunningOn(Thread thread) {
    ScriptRun run = running;
    return run != null && run.thread == thread;
  }

  /**
   * Runs {@code task} (once, on whichever thread notices) when the script running now ends or turns
   * busy; at once if no script runs or it is busy already. The event loop holds a client's requests
   * meanwhile, as Redis reads none while its one thread runs a script.
   */
  public void onChange(Runnable task) {
    waiting.add(task);
    ScriptRun run = running;
    if (run == null || run.timedOut()) {
      changed();
    }
  }

  /** What the thread running a busy script does at each check (see whileBusyOnThisThread). */
  private static final ThreadLocal<Runnable> WHILE_BUSY = new ThreadLocal<>();

  /**
   * Sets what the calling thread does, every few instructions, while a script it runs is busy: a
   * worker gives the requests queued behind the script back to their event loops.
   */
  public static void whileBusyOnThisThread(Runnable task) {
    WHILE_BUSY.set(task);
  }

  /** Runs the calling thread's task for a busy script, if it has one. */
  static void whileBusy() {
    Runnable task = WHILE_BUSY.get();
    if (task != null) {
      task.run();
    }
  }

  /** The running script ended or turned busy: runs what waited for it. */
  void changed() {
    Runnable task;
    while ((task = waiting.poll()) != null) {
      task.run();
    }
  }

  /** The script running now, or null. */
  ScriptRun running() {
    return running;
  }

  /**
   * Whether a script has run longer than {@code busy-reply-threshold}: other clients then get
   * {@code -BUSY} as in Redis, but for the commands allowed meanwhile (SCRIPT KILL, SHUTDOWN
   * NOSAVE).
   */
  public boolean busy() {
    ScriptRun run = running;
    return run != null && run.timedOut();
  }

  /**
   * SCRIPT KILL ({@code function} false) or FUNCTION KILL: asks the running script or function to
   * stop, unless it already wrote, or is of the other kind. Returns null when it was asked, else
   * Redis's error text.
   */
  public String kill(boolean function) {
    ScriptRun run = running;
    if (run == null) {
      return "NOTBUSY No scripts in execution right now.";
    }
    if (run.dirty()) {
      return UNKILLABLE;
    }
    if (run.function != function) {
      return busyReply(run);
    }
    if (!run.kill()) {
      return UNKILLABLE;
    }
    return null;
  }

  private static final String UNKILLABLE =
      "UNKILLABLE Sorry the script already executed write commands against the dataset. You can"
          + " either wait the script termination or kill the server in a hard way using the"
          + " SHUTDOWN NOSAVE command.";

  /** The -BUSY error other clients get while the running script or function is busy. */
  public String busyReply() {
    ScriptRun run = running;
    return run == null ? io.toridb.core.command.Errors.BUSY_SCRIPT : busyReply(run);
  }

  private static String busyReply(ScriptRun run) {
    return run.function
        ? io.toridb.core.command.Errors.BUSY_FUNCTION
        : io.toridb.core.command.Errors.BUSY_SCRIPT;
  }

  /**
   * One SHA-1 per thread: asking the security providers for one per EVAL costs more than hashing.
   */
  private static final ThreadLocal<MessageDigest> SHA1 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
            }
          });

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static String sha1hex(byte[] body) {
    byte[] digest = SHA1.get().digest(body);
    char[] hex = new char[digest.length * 2];
    for (int i = 0; i < digest.length; i++) {
      hex[2 * i] = HEX[(digest[i] >> 4) & 15];
      hex[2 * i + 1] = HEX[digest[i] & 15];
    }
    return new String(hex);
  }
}
