package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reliability issue's adversarial cases not already proven elsewhere (see the README's
 * "Guarantees and limits" for the full map). Commands write their pids to files so each test can
 * prove its processes are gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdversarialTest {
  private final ExecPool pool = TestPools.start("execpool { max-concurrent = 8, kill-grace = 1s }");

  @TempDir Path tmp;

  @AfterAll
  void closePool() {
    pool.close();
  }

  @Test
  void aTimedOutSleepIsNamedAndDeadWithinTheGrace() {
    Path pids = tmp.resolve("sleep.pids");
    ExecRequest request = ExecRequest.of("adv", "echo $$ > " + pids + "; exec sleep 30").withTimeout(Duration.ofSeconds(1));

    ExecResult result = Results.run(pool, request);

    assertEquals(Outcome.TIMED_OUT, result.outcome());
    assertTrue(result.message().contains("timed out after 1s"), result.message());
    // The result is reported only after the tree is gone, so "dead within grace + 1 s" holds now.
    Pids.assertDeadNow(Pids.read(pids, 1, Duration.ofSeconds(5)));
    assertTrue(result.duration().compareTo(Duration.ofSeconds(3)) < 0, "SIGTERM sufficed: " + result.duration());
  }

  @Test
  void aBackgroundChildOfATimedOutCommandDiesAndEarlyOutputIsKept() {
    Path pids = tmp.resolve("background.pids");
    ExecRequest request =
        ExecRequest.of("adv", "sleep 300 & echo $! > " + pids + "; echo started; sleep 30")
            .withTimeout(Duration.ofSeconds(1));

    ExecResult result = Results.run(pool, request);

    assertEquals(Outcome.TIMED_OUT, result.outcome());
    assertEquals("started\n", result.stdout());
    Pids.assertDeadNow(Pids.read(pids, 1, Duration.ofSeconds(5)));
  }

  @Test
  void descendantsThatLeaveTheGroupDieWithTheirTask() {
    Path pids = tmp.resolve("escapees.pids");
    ExecRequest request =
        ExecRequest.of(
            "adv",
            "setsid sleep 300 >/dev/null 2>&1 & echo $! >> " + pids + ";"
                + " (setsid sleep 301 >/dev/null 2>&1 & echo $! >> " + pids + ");"
                + " (sleep 302 >/dev/null 2>&1 & echo $! >> " + pids + ");"
                + " echo done");

    ExecResult result = Results.run(pool, request);

    assertEquals(Outcome.EXITED, result.outcome());
    assertEquals(0, result.exitCode());
    assertEquals("done\n", result.stdout());
    assertTrue(result.message().contains("3 leftover processes"), result.message());
    Pids.assertDeadNow(Pids.read(pids, 3, Duration.ofSeconds(5)));
  }

  @Test
  void anEscapeeOfATimedOutTaskDiesToo() {
    Path pids = tmp.resolve("timed-escapee.pids");
    ExecRequest request =
        ExecRequest.of("adv", "(setsid sleep 300 >/dev/null 2>&1 & echo $! > " + pids + "); sleep 30")
            .withTimeout(Duration.ofMillis(500));

    ExecResult result = Results.run(pool, request);

    assertEquals(Outcome.TIMED_OUT, result.outcome());
    Pids.assertDeadNow(Pids.read(pids, 1, Duration.ofSeconds(5)));
  }

  @Test
  void aThousandQuickCommandsAllReportAndLeaveNoZombie() {
    try (ExecPool busy = TestPools.start("execpool { max-queued = 1000, max-pending-per-session = 1000 }")) {
      List<CompletableFuture<Submitted>> spawns = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        spawns.add(busy.spawn(ExecRequest.of("thousand", "true")).toCompletableFuture());
      }
      List<String> ids = spawns.stream().map(TestPools::await).map(Submitted::taskId).toList();

      List<ExecResult> results = new ArrayList<>();
      Pids.await(
          () -> {
            results.addAll(TestPools.await(busy.collectPending("thousand")));
            return results.size() >= 1000;
          },
          Duration.ofSeconds(60),
          "1000 results");

      assertEquals(1000, results.size());
      assertEquals(ids.stream().sorted().toList(), results.stream().map(ExecResult::taskId).sorted().toList());
      assertTrue(results.stream().allMatch(r -> r.outcome() == Outcome.EXITED && r.exitCode() == 0));
      assertEquals(List.of(), zombieChildren(), "every child was reaped");
    }
  }

  @Test
  void twoGibibytesOfOutputKeepTheCapAndCountEveryByte() {
    ExecResult result =
        Results.await(
            pool,
            "flood",
            TestPools.await(pool.spawn(ExecRequest.of("flood", "head -c 2147483648 /dev/zero").withTimeout(Duration.ofMinutes(2))))
                .taskId(),
            Duration.ofMinutes(2));

    assertEquals(Outcome.EXITED, result.outcome());
    assertEquals(0, result.exitCode());
    assertEquals(2_147_483_648L, result.stdoutBytes(), "every byte was read and counted");
    assertTrue(result.stdoutTruncated());
    int cap = pool.settings().maxOutputBytes();
    long keptZeros = result.stdout().chars().filter(c -> c == 0).count();
    assertTrue(keptZeros <= cap, "kept " + keptZeros + " bytes, cap " + cap);
    assertTrue(keptZeros >= cap - 1024, "kept the head and tail up to the cap: " + keptZeros);
  }

  @Test
  void aMebibyteOnStderrThenOneOnStdoutNeverDeadlocks() {
    ExecResult result =
        Results.run(
            pool,
            ExecRequest.of("adv", "head -c 1048576 /dev/zero | tr '\\0' e >&2; head -c 1048576 /dev/zero | tr '\\0' o")
                .withTimeout(Duration.ofSeconds(20)));

    assertEquals(Outcome.EXITED, result.outcome(), result.message());
    assertEquals(1_048_576, result.stderrBytes());
    assertEquals(1_048_576, result.stdoutBytes());
    assertFalse(result.stdoutTruncated() || result.stderrTruncated(), "1 MiB fits the default cap");
    assertEquals("e".repeat(1_048_576), result.stderr());
    assertEquals("o".repeat(1_048_576), result.stdout());
  }

  @Test
  void binaryOutputBecomesReplacementCharacters() {
    ExecResult result = Results.run(pool, ExecRequest.of("adv", "head -c 4096 /dev/urandom; printf 'X\\200\\300'"));

    assertEquals(Outcome.EXITED, result.outcome());
    assertEquals(4099, result.stdoutBytes());
    // 'X' ends whatever sequence the random bytes left open; then a lone continuation byte and a cut lead byte.
    assertTrue(result.stdout().endsWith("X\uFFFD\uFFFD"), "a lone continuation byte and a cut lead byte");
  }

  @Test
  void spawnsPastThePendingCapAreRefusedAndNothingHeldIsDropped() {
    try (ExecPool capped = TestPools.start("execpool.max-pending-per-session = 4")) {
      List<String> held = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        held.add(TestPools.await(capped.spawn(ExecRequest.of("hoard", "echo " + i))).taskId());
      }
      for (String id : held) {
        Results.awaitFinished(capped, "hoard", id);
      }

      for (int extra = 0; extra < 5; extra++) {
        ExecutionException refused =
            assertThrows(ExecutionException.class, () -> capped.spawn(ExecRequest.of("hoard", "true")).toCompletableFuture().get());
        assertTrue(refused.getCause().getMessage().contains("max-pending-per-session = 4"), refused.getCause().getMessage());
      }

      List<ExecResult> results = TestPools.await(capped.collectPending("hoard"));
      assertEquals(List.of("0\n", "1\n", "2\n", "3\n"), results.stream().map(ExecResult::stdout).sorted().toList());
      assertNull(TestPools.await(capped.collect("hoard", held.get(0))).orElse(null), "each result once");
    }
  }

  /** Children of this JVM that exited and were never reaped. */
  private static List<Long> zombieChildren() {
    long self = ProcessHandle.current().pid();
    List<Long> zombies = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path entry : entries) {
        try {
          String stat = Files.readString(entry.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (fields[0].equals("Z") && Long.parseLong(fields[1]) == self) {
            zombies.add(Long.parseLong(entry.getFileName().toString()));
          }
        } catch (IOException | RuntimeException e) {
          // exited while we looked
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc", e);
    }
    return zombies;
  }
}
