package io.toridb.persistence.aof;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the calling thread's CPU scheduling priority: its nice value, which Linux keeps per
 * thread, set through libc's {@code setpriority} (JNA). Java's own {@code Thread.setPriority} does
 * nothing on Linux unless the JVM runs with {@code -XX:ThreadPriorityPolicy=1}, which also resets
 * every other thread's nice value and warns at each start when the user is not root; lowering a
 * thread's own priority needs no privilege. Elsewhere than on Linux, nothing changes.
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
      int tid = currentTid();
      LibC c = Native.load("c", LibC.class);
      if (c.setpriority(PRIO_PROCESS, tid, nice) == 0) {
        return true;
      }
      log.debug("setpriority({}) failed for thread {}: errno {}", nice, tid, Native.getLastError());
    } catch (IOException | RuntimeException | LinkageError e) {
      log.debug("Cannot set the nice value of thread {}: {}", Thread.currentThread(), e.toString());
    }
    return false;
  }

  /**
   * The calling thread's Linux thread id: {@code /proc/thread-self} links to {@code PID/task/TID}.
   */
  static int currentTid() throws IOException {
    Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
    return Integer.parseInt(link.getFileName().toString());
  }
}
