package io.toridb.persistence.aof;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the calling thread's CPU scheduling priority: its nice value, which Linux keeps per
 * thread, set through libc's {@code setpriority} (JNA), where process id 0 names the calling
 * thread. Java's own {@code Thread.setPriority} does nothing on Linux unless the JVM runs with
 * {@code -XX:ThreadPriorityPolicy=1}, which also resets every other thread's nice value and warns
 * at each start when the user is not root; lowering a thread's own priority needs no privilege.
 * Elsewhere than on Linux, nothing changes.
 */
final class ThreadPriority {
  private static final Logger log = LoggerFactory.getLogger(ThreadPriority.class);
  private static final int PRIO_PROCESS = 0;

  private ThreadPriority() {}

  /** The part of libc used here. */
  interface LibC extends Library {
    int setpriority(int which, int who, int prio);
  }

  /**
   * Sets the calling thread's nice value to {@code nice}, a larger value than it has (an
   * unprivileged process can only lower priority). Returns whether it took; when it cannot (not
   * Linux, no native access), the thread keeps its priority and the reason is logged at debug.
   */
  static boolean lowerCurrent(int nice) {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      return false;
    }
    try {
      LibC c = Native.load("c", LibC.class);
      if (c.setpriority(PRIO_PROCESS, 0, nice) == 0) {
        return true;
      }
      log.debug("setpriority({}) failed: errno {}", nice, Native.getLastError());
    } catch (RuntimeException | LinkageError e) {
      log.debug("Cannot set the nice value of {}: {}", Thread.currentThread(), e.toString());
    }
    return false;
  }
}
