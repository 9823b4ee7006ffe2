package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.execpool.process.linux.NativeSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native launcher's own promises, beyond the contract every launcher keeps. */
class NativeLauncherTest {
  private static final int TASKS = 40;

  @TempDir Path tmp;

  @Test
  void isAvailableOnTheLinuxMachinesWeShipFor() {
    String arch = System.getProperty("os.arch");
    assumeTrue(System.getProperty("os.name").equals("Linux") && (arch.equals("amd64") || arch.equals("aarch64")));

    assertEquals("", NativeSupport.unavailableReason().orElse(""), "native launcher probe");
  }

  @Test
  void runningTasksHoldNoThreadEach() {
    assumeTrue(NativeSupport.unavailableReason().isEmpty());
    try (ExecPool pool = TestPools.start("execpool { launcher = native, max-concurrent = 64 }")) {
      Path pids = tmp.resolve("sleepers.pids");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        ids.add(TestPools.await(pool.spawn(ExecRequest.of("threads", "echo $$ >> " + pids + "; exec sleep 30"))).taskId());
      }
      List<Long> sleepers = Pids.read(pids, TASKS, Duration.ofSeconds(20));

      // Launches still finishing may hold a thread for a moment; the steady state is one thread.
      List<String> waiting = new ArrayList<>();
      boolean settled = eventually(() -> {
        waiting.clear();
        waiting.addAll(threadsWaitingOnProcesses());
        return waiting.size() == 1;
      });
      for (String id : ids) {
        assertTrue(TestPools.await(pool.kill("threads", id)), "kill " + id);
      }
      Pids.awaitDead(sleepers, Duration.ofSeconds(10));
      // The JDK launcher holds three per sleeper here (the JDK's reaper and two pipe readers).
      assertTrue(settled, "threads serving " + TASKS + " running tasks: " + waiting);
      for (String id : ids) {
        assertEquals(Outcome.KILLED, Results.await(pool, "threads", id).outcome(), id);
      }
    }
  }

  private static boolean eventually(BooleanSupplier condition) {
    try {
      Pids.await(condition, Duration.ofSeconds(5), "one thread to serve the running tasks");
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  /**
   * Threads busy on our processes: in our code or the JDK's process reaping. Idle pool threads
   * (parked, waiting for work) do not count: they serve no task.
   */
  private static List<String> threadsWaitingOnProcesses() {
    List<String> names = new ArrayList<>();
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      boolean ours = Arrays.stream(stack).anyMatch(frame ->
          frame.getClassName().startsWith("dev.execpool.process")
              || frame.getClassName().startsWith("java.lang.ProcessHandleImpl")
              || frame.getClassName().startsWith("java.lang.ProcessImpl"));
      if (ours && thread != Thread.currentThread()) {
        names.add(thread.getName());
      }
    });
    return names;
  }

  @Test
  void askingForNativeWhereItCannotRunIsRefusedAtStart() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class,
            () -> TestPools.start("execpool { launcher = native, os-name = \"Windows 11\" }"));

    assertTrue(error.getMessage().startsWith("execpool.launcher = native cannot run here"), error.getMessage());
  }

  @Test
  void anUnknownLauncherIsRefusedNamingTheChoices() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> TestPools.start("execpool.launcher = fast"));

    assertEquals("execpool.launcher must be one of [auto, native, jdk], got \"fast\"", error.getMessage());
  }
}
