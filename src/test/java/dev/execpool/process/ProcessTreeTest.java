package dev.execpool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding and signalling a task's processes, without the pool around it: every way a descendant
 * can try to leave (its own session, a double fork, both) against processes that must be left alone.
 */
class ProcessTreeTest {
  @TempDir Path tmp;

  /** Every process a test started, killed in cleanup even when the test failed half-way. */
  private final List<Long> started = new ArrayList<>();

  private final List<Process> roots = new ArrayList<>();

  @BeforeAll
  static void linuxOnly() {
    assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs /proc");
    assumeTrue(ShellSelector.findSetsid("Linux") != null, "needs setsid");
  }

  @AfterEach
  void killLeftovers() {
    started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    roots.forEach(Process::destroyForcibly);
  }

  @Test
  void findsEveryWayADescendantCanLeaveAndKillsThemAll() throws Exception {
    String marker = UUID.randomUUID().toString();
    Path pids = tmp.resolve("escapees.pids");
    String script =
        "sleep 300 & echo $! >> " + pids + ";"                                    // same group
            + " setsid sleep 301 & echo $! >> " + pids + ";"                      // own session
            + " (sleep 302 & echo $! >> " + pids + ") ;"                          // double fork
            + " (setsid sleep 303 & echo $! >> " + pids + ") ;"                   // both
            + " echo $$ >> " + pids + "; wait";
    Process root = startTask(script, marker);
    List<Long> members = readPids(pids, 5);
    long stranger = startStranger(null);
    long otherTask = startStranger(marker + "-other");

    ProcessTree tree = new ProcessTree(root.pid(), marker);
    awaitCondition(() -> tree.members().containsAll(members), "all five to be found: " + members);
    Set<Long> found = tree.members();
    assertFalse(found.contains(stranger), "a stranger is not the task's");
    assertFalse(found.contains(otherTask), "another task's marker is not this task's");

    assertTrue(tree.signal(false) >= 5, "each member got SIGTERM");

    awaitCondition(() -> members.stream().noneMatch(ProcessTreeTest::alive), "members dead: " + members);
    assertTrue(alive(stranger), "the stranger was left alone");
    assertTrue(alive(otherTask), "the other task was left alone");
    assertTrue(tree.members().isEmpty(), "nothing of the task is left: " + tree.members());
  }

  @Test
  void aProcessCarryingAnotherTasksMarkerIsNeverTakenWhateverItsGroup() throws Exception {
    String marker = UUID.randomUUID().toString();
    Path pids = tmp.resolve("veto.pids");
    // Stands for a recycled pid: another task's process that shows up in this task's group.
    Process root =
        startTask(
            "EXECPOOL_TASK_MARKER=someone-else sleep 300 & echo $! >> " + pids + ";"
                + " sleep 300 & echo $! >> " + pids + "; wait",
            marker);
    List<Long> both = readPids(pids, 2);
    long foreign = both.get(0);
    long own = both.get(1);
    // $! is known at the fork, before the exec that gives the process its own environment: until
    // then it is a copy of our shell, carrying our marker, and rightly ours.
    awaitCondition(() -> environOf(foreign).contains("EXECPOOL_TASK_MARKER=someone-else"), "the foreign exec");
    ProcessTree tree = new ProcessTree(root.pid(), marker);

    awaitCondition(() -> tree.members().contains(own), "the task's own sleep to be found");
    assertFalse(tree.members().contains(foreign), "another task's marker vetoes the group relation");
    tree.signal(true);
    awaitCondition(() -> !alive(own), "the task's own sleep to die");
    assertTrue(alive(foreign), "the foreign process was left alone");
  }

  @Test
  void findsTheGroupAfterTheShellHasExited() throws Exception {
    Path pids = tmp.resolve("orphans.pids");
    // No marker: only the process group and session tie the orphan to the task.
    Process root = startTask("sleep 300 >/dev/null 2>&1 & echo $! > " + pids, null);
    long orphan = readPids(pids, 1).get(0);
    assertTrue(root.waitFor(10, TimeUnit.SECONDS), "the shell exits at once");

    ProcessTree tree = new ProcessTree(root.pid(), null);
    assertEquals(Set.of(orphan), tree.members());
    tree.signal(true);
    awaitCondition(() -> !alive(orphan), "the orphan to die");
  }

  @Test
  void aMemberThatIgnoresSigtermNeedsSigkill() throws Exception {
    Path pids = tmp.resolve("stubborn.pids");
    // An ignored signal stays ignored across exec, so sleep ignores TERM too.
    Process root = startTask("trap '' TERM; sleep 300 & echo $! > " + pids + "; wait", null);
    long stubborn = readPids(pids, 1).get(0);
    ProcessTree tree = new ProcessTree(root.pid(), null);
    awaitCondition(() -> tree.members().contains(stubborn), "the sleep to be found");

    tree.signal(false);
    // Give SIGTERM a real chance: the shell (also ignoring it) and sleep must both still be there.
    assertFalse(root.waitFor(300, TimeUnit.MILLISECONDS), "the shell ignored SIGTERM");
    assertTrue(alive(stubborn), "sleep ignored SIGTERM");

    tree.signal(true);
    awaitCondition(() -> !alive(stubborn) && !root.isAlive(), "SIGKILL to end both");
  }

  @Test
  void parsesStatLinesWhoseCommandNameHoldsSpacesAndParentheses() {
    ProcessTree.StatLine stat =
        ProcessTree.parseStat(
            "4242 (evil) S 1 2 3 (x) R 7 4242 4242 0 -1 4194560 113 0 0 0 1 2 0 0 20 0 1 0 987654 9 9 rest");

    assertEquals('R', stat.state());
    assertEquals(7, stat.parent());
    assertEquals(4242, stat.processGroup());
    assertEquals(4242, stat.session());
    assertEquals(987654, stat.startTicks());
    assertTrue(ProcessTree.parseStat("9 (z) Z 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 9").zombie());
  }

  @Test
  void matchesOnlyAWholeEnvironmentEntry() {
    byte[] environ = "A=1\0EXECPOOL_TASK_MARKER=abc\0B=2\0".getBytes(StandardCharsets.UTF_8);

    assertTrue(ProcessTree.containsEntry(environ, bytes("EXECPOOL_TASK_MARKER=abc")));
    assertFalse(ProcessTree.containsEntry(environ, bytes("EXECPOOL_TASK_MARKER=ab")));
    assertFalse(ProcessTree.containsEntry(environ, bytes("TASK_MARKER=abc")));
    assertTrue(ProcessTree.containsEntry(environ, bytes("B=2")));
    assertTrue(ProcessTree.containsPrefix(environ, bytes("EXECPOOL_TASK_MARKER=")));
    assertFalse(ProcessTree.containsPrefix(environ, bytes("C=")));
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** Starts a command the way the pool does: {@code setsid sh -c}, with the task's marker. */
  @Test
  void theSignallerKillsManyTreesAtOnceAndOnlyThem() throws Exception {
    int trees = 6;
    List<ProcessTree> tasks = new ArrayList<>();
    List<Long> members = new ArrayList<>();
    for (int i = 0; i < trees; i++) {
      Path pids = tmp.resolve("tree" + i + ".pids");
      Process root = startTask("sleep 300 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait", "m" + i);
      tasks.add(new ProcessTree(root.pid(), "m" + i));
      members.addAll(readPids(pids, 2));
    }
    long stranger = startStranger(null);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      TreeSignaller signaller = new TreeSignaller(pool);

      List<CompletableFuture<Integer>> signalled = tasks.stream().map(tree -> signaller.signal(tree, true)).toList();

      for (CompletableFuture<Integer> count : signalled) {
        assertEquals(2, count.get(10, TimeUnit.SECONDS), "the shell and its sleep");
      }
    } finally {
      pool.shutdownNow();
    }
    awaitCondition(() -> members.stream().noneMatch(ProcessTreeTest::alive), "all members to die: " + members);
    assertTrue(alive(stranger), "the stranger lives on");
  }

  private static String environOf(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private Process startTask(String script, String marker) throws IOException {
    return start(List.of(ShellSelector.findSetsid("Linux").toString(), "sh", "-c", script), marker);
  }

  /** A process that is not the task's: no setsid, no shell, perhaps another task's marker. */
  private long startStranger(String marker) throws IOException {
    return start(List.of("sleep", "300"), marker).pid();
  }

  private Process start(List<String> argv, String marker) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    if (marker != null) {
      builder.environment().put(ProcessTree.MARKER_VARIABLE, marker);
    }
    Process process = builder.start();
    roots.add(process);
    started.add(process.pid());
    return process;
  }

  private List<Long> readPids(Path file, int count) {
    List<Long> pids = new ArrayList<>();
    awaitCondition(
        () -> {
          pids.clear();
          try {
            for (String line : Files.exists(file) ? Files.readAllLines(file) : List.<String>of()) {
              if (!line.isBlank()) {
                pids.add(Long.parseLong(line.trim()));
              }
            }
          } catch (IOException | NumberFormatException e) {
            return false;
          }
          return pids.size() >= count;
        },
        count + " pids in " + file);
    started.addAll(pids);
    return List.copyOf(pids);
  }

  private static boolean alive(long pid) {
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      ProcessTree.StatLine stat = statOf(pid);
      return stat != null && !stat.zombie();
    }
    return false;
  }

  private static ProcessTree.StatLine statOf(long pid) {
    try {
      return ProcessTree.parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
