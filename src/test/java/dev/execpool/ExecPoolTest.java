package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The pool through its Java facade: one shared pool, one session per test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecPoolTest {
  private final ExecPool pool = TestPools.start("execpool.max-concurrent = 8");

  @TempDir Path tmp;

  @AfterAll
  void closePool() {
    pool.close();
  }

  @Test
  void runsACommandAndDeliversItsResultExactlyOnce() {
    ExecRequest request =
        ExecRequest.of("once", "echo hello; echo oops >&2; exit 3").withToolCallId("call_1");
    Submitted submitted = TestPools.await(pool.spawn(request));
    assertEquals(Submitted.State.RUNNING, submitted.state());

    ExecResult result = Results.await(pool, "once", submitted.taskId());

    assertEquals(Outcome.EXITED, result.outcome());
    assertEquals(3, result.exitCode());
    assertEquals("hello\n", result.stdout());
    assertEquals("oops\n", result.stderr());
    assertEquals("call_1", result.toolCallId());
    assertEquals("once", result.sessionKey());
    assertTrue(result.message().contains("exited with code 3"), result.message());
    assertFalse(result.succeeded());
    assertEquals(Optional.empty(), TestPools.await(pool.collect("once", submitted.taskId())));
    assertEquals(List.of(), TestPools.await(pool.collectPending("once")));
  }

  @Test
  void collectPendingDrainsEverythingOnce() {
    String a = TestPools.await(pool.spawn(ExecRequest.of("drain", "echo a"))).taskId();
    String b = TestPools.await(pool.spawn(ExecRequest.of("drain", "echo b"))).taskId();
    Pids.await(
        () -> !TestPools.await(pool.isRunning("drain", a)) && !TestPools.await(pool.isRunning("drain", b)),
        Duration.ofSeconds(20),
        "both tasks to finish");

    List<ExecResult> results = TestPools.await(pool.collectPending("drain"));

    assertEquals(List.of(a, b).stream().sorted().toList(), results.stream().map(ExecResult::taskId).sorted().toList());
    assertTrue(results.stream().allMatch(ExecResult::succeeded));
    assertTrue(results.stream().allMatch(r -> r.message().isEmpty()));
    assertEquals(List.of(), TestPools.await(pool.collectPending("drain")));
  }

  @Test
  void completedAtIsWhenTheProcessReallyEnded() {
    ExecResult result = Results.run(pool, ExecRequest.of("timing", "sleep 0.3"));

    assertTrue(result.duration().toMillis() >= 290, "duration " + result.duration());
    assertTrue(result.duration().toMillis() < 10_000, "duration " + result.duration());
  }

  @Test
  void keepsPartialOutputAndKillsTheTreeWhenTimedOut() {
    Path pids = tmp.resolve("timeout.pids");
    ExecRequest request =
        ExecRequest.of("timeout", "echo before; sleep 300 & echo $! > " + pids + "; echo $$ >> " + pids + "; wait")
            .withTimeout(Duration.ofMillis(500));

    ExecResult result = Results.run(pool, request);
    List<Long> started = Pids.read(pids, 2, Duration.ofSeconds(5));

    assertEquals(Outcome.TIMED_OUT, result.outcome());
    assertNull(result.exitCode(), "a timed-out task has no exit code of its own");
    assertEquals("before\n", result.stdout());
    assertTrue(result.message().contains("timed out after 500ms"), result.message());
    assertTrue(result.message().contains("SIGTERM"), result.message());
    Pids.assertDeadNow(started);
  }

  @Test
  void sigkillsWhatIgnoresSigterm() {
    Path pids = tmp.resolve("stubborn.pids");
    ExecRequest request =
        ExecRequest.of("stubborn", "trap '' TERM; echo $$ > " + pids + "; sleep 300")
            .withTimeout(Duration.ofMillis(300));

    ExecResult result = Results.run(pool, request);

    assertEquals(Outcome.TIMED_OUT, result.outcome());
    assertTrue(result.message().contains("SIGKILL was needed"), result.message());
    assertTrue(result.duration().toMillis() >= 1_000, "the 1s grace was given: " + result.duration());
    Pids.assertDeadNow(Pids.read(pids, 1, Duration.ofSeconds(5)));
  }

  @Test
  void aCommandThatExitsZeroOnSigtermStillTimedOut() {
    ExecRequest request =
        ExecRequest.of("trapper", "trap 'echo cleaning up; exit 0' TERM; echo working; sleep 300 & wait")
            .withTimeout(Duration.ofMillis(300));

    ExecResult result = Results.run(pool, request);

    assertEquals(Outcome.TIMED_OUT, result.outcome());
    assertFalse(result.succeeded());
    assertNull(result.exitCode());
    assertEquals("working\ncleaning up\n", result.stdout());
  }

  @Test
  void killsLeftoversAfterTheMainProcessExits() {
    Path pids = tmp.resolve("leftover.pids");
    ExecRequest request =
        ExecRequest.of("leftover", "sleep 300 >/dev/null 2>&1 & echo $! > " + pids + "; echo done");

    ExecResult result = Results.run(pool, request);

    assertEquals(Outcome.EXITED, result.outcome());
    assertEquals(0, result.exitCode(), "the real exit code is kept");
    assertEquals("done\n", result.stdout());
    assertTrue(result.message().contains("1 leftover process"), result.message());
    Pids.assertDeadNow(Pids.read(pids, 1, Duration.ofSeconds(5)));
  }

  @Test
  void waitsBrieflyForPipesSoLateOutputIsKept() {
    ExecResult result = Results.run(pool, ExecRequest.of("late", "(sleep 0.2; echo late) & echo early"));

    assertEquals(Outcome.EXITED, result.outcome());
    assertEquals("early\nlate\n", result.stdout(), result.toString());
  }

  @Test
  void stdinIsEmptySoCatEndsAtOnce() {
    ExecResult result = Results.run(pool, ExecRequest.of("stdin", "cat").withTimeout(Duration.ofSeconds(10)));

    assertEquals(Outcome.EXITED, result.outcome());
    assertEquals(0, result.exitCode());
    assertEquals("", result.stdout());
  }

  @Test
  void reportsExitCodesExactlyAndSignalsInWords() {
    assertEquals(0, Results.run(pool, ExecRequest.of("codes", "exit 0")).exitCode());
    assertEquals(255, Results.run(pool, ExecRequest.of("codes", "exit 255")).exitCode());
    ExecResult killed = Results.run(pool, ExecRequest.of("codes", "kill -9 $$"));
    assertEquals(137, killed.exitCode());
    assertTrue(killed.message().contains("SIGKILL"), killed.message());
    ExecResult segv = Results.run(pool, ExecRequest.of("codes", "kill -SEGV $$"));
    assertEquals(139, segv.exitCode());
    assertTrue(segv.message().contains("SIGSEGV"), segv.message());
  }

  @Test
  void decodesInvalidUtf8WithReplacementCharacters() {
    ExecResult result = Results.run(pool, ExecRequest.of("binary", "printf 'ok \\377\\376 end'"));

    assertEquals(Outcome.EXITED, result.outcome());
    assertEquals("ok \uFFFD\uFFFD end", result.stdout());
  }

  @Test
  void failsToStartWhenTheWorkingDirectoryVanishedWhileQueued() throws Exception {
    try (ExecPool single = TestPools.start("execpool.max-concurrent = 1")) {
      Path doomed = java.nio.file.Files.createDirectory(tmp.resolve("doomed"));
      String blocker = TestPools.await(single.spawn(ExecRequest.of("cwd", "sleep 0.5"))).taskId();
      Submitted queued = TestPools.await(single.spawn(ExecRequest.of("cwd", "pwd").withCwd(doomed)));
      String after = TestPools.await(single.spawn(ExecRequest.of("cwd", "echo next"))).taskId();
      assertEquals(Submitted.State.QUEUED, queued.state());
      java.nio.file.Files.delete(doomed);

      ExecResult failed = Results.await(single, "cwd", queued.taskId());

      assertEquals(Outcome.FAILED_TO_START, failed.outcome());
      assertTrue(failed.message().contains("working directory " + doomed), failed.message());
      assertEquals(Outcome.EXITED, Results.await(single, "cwd", blocker).outcome());
      assertEquals("next\n", Results.await(single, "cwd", after).stdout(), "the slot was freed");
    }
  }

  @Test
  void failsToStartWhenTheShellIsMissing() {
    try (ExecPool broken = TestPools.start("execpool.shell = [\"/nonexistent/shell\", \"-c\"]")) {
      ExecResult result = Results.run(broken, ExecRequest.of("noshell", "echo hi"));

      assertEquals(Outcome.FAILED_TO_START, result.outcome());
      assertTrue(result.message().startsWith("failed to start the shell"), result.message());
      assertTrue(result.message().contains("/nonexistent/shell"), result.message());
    }
  }

  @Test
  void runsInTheRequestedDirectoryWithTheRequestedEnvironment() {
    ExecRequest request =
        ExecRequest.of("env", "pwd; echo $GREETING; echo $EXECPOOL_TASK_ID")
            .withCwd(tmp)
            .withTaskId("task-env")
            .withEnv("GREETING", "hi there");

    ExecResult result = Results.run(pool, request);

    assertEquals(tmp.toAbsolutePath() + "\nhi there\ntask-env\n", result.stdout());
  }

  @Test
  void keepsSecretsOutOfTheChildEnvironment() {
    // Surefire plants EXECPOOL_TEST_API_KEY and My_Secret_Token in this JVM's environment.
    assertEquals("do-not-leak", System.getenv("EXECPOOL_TEST_API_KEY"), "the test needs the planted secret");

    ExecResult result = Results.run(pool, ExecRequest.of("secrets", "env").withEnv("MY_SETTING", "1"));

    assertFalse(result.stdout().contains("EXECPOOL_TEST_API_KEY"), result.stdout());
    assertFalse(result.stdout().contains("My_Secret_Token"), result.stdout());
    assertTrue(result.stdout().contains("PATH="), result.stdout());
    assertTrue(result.stdout().contains("MY_SETTING=1"), result.stdout());
  }

  @Test
  void aTaskBelongsToItsSession() {
    Submitted submitted =
        TestPools.await(pool.spawn(ExecRequest.of("owner", "sleep 0.3").withTaskId("shared-id")));

    assertTrue(TestPools.await(pool.isRunning("owner", "shared-id")));
    assertFalse(TestPools.await(pool.isRunning("intruder", "shared-id")));
    ExecResult result = Results.await(pool, "owner", submitted.taskId());
    assertEquals(Outcome.EXITED, result.outcome());
    assertEquals(Optional.empty(), TestPools.await(pool.collect("intruder", "shared-id")));
    assertEquals(List.of(), TestPools.await(pool.collectPending("intruder")));
  }

  @Test
  void refusesADuplicateTaskIdInTheSameSessionOnly() {
    TestPools.await(pool.spawn(ExecRequest.of("dup", "sleep 0.3").withTaskId("same")));

    ExecutionException refused =
        assertThrows(
            ExecutionException.class,
            () -> pool.spawn(ExecRequest.of("dup", "echo again").withTaskId("same")).toCompletableFuture().get());
    ExecRejectedException cause = (ExecRejectedException) refused.getCause();
    assertEquals(ExecRejectedException.Reason.DUPLICATE_TASK_ID, cause.reason());
    assertTrue(cause.getMessage().contains("same"), cause.getMessage());

    Submitted other = TestPools.await(pool.spawn(ExecRequest.of("dup-other", "true").withTaskId("same")));
    assertEquals("same", other.taskId());
    assertEquals(Outcome.EXITED, Results.await(pool, "dup", "same").outcome());
    assertEquals(Outcome.EXITED, Results.await(pool, "dup-other", "same").outcome());
  }

  @Test
  void generatesUnguessableTaskIds() {
    String id = TestPools.await(pool.spawn(ExecRequest.of("ids", "true"))).taskId();

    assertTrue(id.matches("[0-9a-f]{32}"), id);
    Results.await(pool, "ids", id);
  }

  @Test
  void refusesInvalidRequestsAtOnceNamingTheField() {
    IllegalArgumentException blank =
        assertThrows(IllegalArgumentException.class, () -> pool.spawn(ExecRequest.of(" ", "true")));
    assertTrue(blank.getMessage().contains("sessionKey"), blank.getMessage());

    IllegalArgumentException timeout =
        assertThrows(
            IllegalArgumentException.class,
            () -> pool.spawn(ExecRequest.of("bad", "true").withTimeout(Duration.ZERO)));
    assertTrue(timeout.getMessage().contains("timeout"), timeout.getMessage());

    IllegalArgumentException cwd =
        assertThrows(
            IllegalArgumentException.class,
            () -> pool.spawn(ExecRequest.of("bad", "true").withCwd(tmp.resolve("missing"))));
    assertTrue(cwd.getMessage().contains("cwd"), cwd.getMessage());
  }
}
