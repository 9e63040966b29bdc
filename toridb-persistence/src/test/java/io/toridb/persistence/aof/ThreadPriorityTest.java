package io.toridb.persistence.aof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThreadPriorityTest {
  /**
   * The calling thread's Linux thread id: {@code /proc/thread-self} links to {@code PID/task/TID}.
   */
  static int currentTid() throws IOException {
    return Integer.parseInt(
        Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
  }

  /** The nice value of thread {@code tid} of this process, from its /proc stat line. */
  static int nice(int tid) throws IOException {
    String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
    // Fields after the command name (which may hold spaces) start with the state, field 3; the
    // nice value is field 19.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(fields[19 - 3]);
  }

  @Test
  void lowersOnlyTheCallingThread() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/thread-self")), "Linux only");
    int own = nice(currentTid());
    assumeTrue(own < 19, "the test runs at the lowest priority already");
    AtomicInteger tid = new AtomicInteger();
    AtomicReference<Boolean> lowered = new AtomicReference<>();
    AtomicInteger seen = new AtomicInteger(-100);
    Thread t =
        new Thread(
            () -> {
              try {
                tid.set(currentTid());
                lowered.set(ThreadPriority.lowerCurrent(Math.min(19, own + 7)));
                seen.set(nice(tid.get()));
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    t.start();
    t.join(10_000);
    assertEquals(Boolean.TRUE, lowered.get(), "setpriority took");
    assertEquals(Math.min(19, own + 7), seen.get(), "the thread's own nice value");
    assertEquals(own, nice(currentTid()), "the calling test thread is unchanged");
    assertTrue(tid.get() != currentTid());
  }
}
