package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.execpool.process.linux.NativeSupport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
  void manyTasksStartingAtOnceStartFewThreads() {
    assumeTrue(NativeSupport.unavailableReason().isEmpty());
    int burst = 200;
    try (ExecPool pool = TestPools.start("execpool { launcher = native, max-concurrent = 256, max-pending-per-session = 256 }")) {
      Results.run(pool, ExecRequest.of("burst", "true")); // the event loop and the actors are up
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      int before = threads.getThreadCount();
      threads.resetPeakThreadCount();
      Path pids = tmp.resolve("burst.pids");
      List<CompletableFuture<Submitted>> submitted = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        submitted.add(pool.spawn(ExecRequest.of("burst", "echo $$ >> " + pids + "; exec sleep 30")).toCompletableFuture());
      }
      List<String> ids = submitted.stream().map(s -> TestPools.await(s).taskId()).toList();
      List<Long> sleepers = Pids.read(pids, burst, Duration.ofSeconds(30));
      List<CompletableFuture<Boolean>> kills =
          ids.stream().map(id -> pool.kill("burst", id).toCompletableFuture()).toList();
      kills.forEach(kill -> assertTrue(TestPools.await(kill)));
      Pids.awaitDead(sleepers, Duration.ofSeconds(20));
      ids.forEach(id -> assertEquals(Outcome.KILLED, Results.await(pool, "burst", id).outcome()));
      int peak = threads.getPeakThreadCount();

      // Launches and the kills' /proc scans queue on the short I/O pool (4 threads) instead of
      // taking a thread each.
      assertTrue(peak - before <= 16, burst + " launches and kills at once raised threads " + before + " -> " + peak);
    }
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
