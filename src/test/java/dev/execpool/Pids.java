package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Proof that processes a test started are gone: commands write their pids to files, tests read them. */
public final class Pids {
  private Pids() {}

  /** Waits (bounded) until the file holds {@code count} pids, one per line, and returns them. */
  public static List<Long> read(Path file, int count, Duration within) {
    List<Long> pids = new ArrayList<>();
    await(
        () -> {
          pids.clear();
          try {
            if (Files.exists(file)) {
              for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                  pids.add(Long.parseLong(line.trim()));
                }
              }
            }
          } catch (IOException | NumberFormatException e) {
            return false; // half-written: look again
          }
          return pids.size() >= count;
        },
        within,
        "pid file " + file + " to hold " + count + " pids");
    return List.copyOf(pids);
  }

  public static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid);
  }

  /** A zombie has exited and is only waiting to be reaped by its parent (often init, here). */
  private static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  public static void awaitDead(List<Long> pids, Duration within) {
    await(() -> pids.stream().noneMatch(Pids::alive), within, "pids " + pids + " to be dead");
  }

  public static void assertDeadNow(List<Long> pids) {
    for (long pid : pids) {
      assertTrue(!alive(pid), "process " + pid + " is still alive");
    }
  }

  /** Polls a condition until it holds or the bound passes; the synchronisation, not a sleep. */
  public static void await(BooleanSupplier condition, Duration within, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + within + " waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting for " + what);
      }
    }
  }

  /** Last resort in test cleanup: a test that failed half-way still leaves nothing running. */
  public static void killAll(List<Long> pids) {
    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }
}
