package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every launcher must give a task, proven for each one: the rest of the suite runs on the
 * default ({@code auto}, which is native here), so these keep the JDK fallback honest too.
 */
class LauncherContractTest {

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Native extends Contract {
    Native() {
      super("native");
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Jdk extends Contract {
    Jdk() {
      super("jdk");
    }
  }

  abstract static class Contract {
    private final String launcher;
    private final ExecPool pool;

    @TempDir Path tmp;

    Contract(String launcher) {
      this.launcher = launcher;
      this.pool = TestPools.start("execpool { launcher = " + launcher + ", max-concurrent = 8 }");
    }

    @AfterAll
    void closePool() {
      pool.close();
    }

    @Test
    void theShellLeadsItsOwnSessionAndProcessGroup() {
      // /proc/PID/stat fields 5 and 6 are the process group and the session.
      ExecResult result = run("echo $$; cut -d' ' -f5,6 /proc/$$/stat");

      String[] lines = result.stdout().split("\n");
      String pid = lines[0];
      assertEquals(pid + " " + pid, lines[1], launcher + ": pgid and sid of shell " + pid);
    }

    @Test
    void theShellInheritsNoDescriptorButItsThreeStreams() {
      ExecResult result = run("ls /proc/$$/fd");

      assertEquals(List.of("0", "1", "2"), List.of(result.stdout().split("\n")), launcher);
    }

    @Test
    void stdinIsEmptySoReadersFinishAtOnce() {
      ExecResult result = run("cat; echo done");

      assertEquals("done\n", result.stdout(), launcher);
    }

    @Test
    void runsInTheRequestedDirectoryWithTheRequestedVariables() throws java.io.IOException {
      ExecResult result =
          Results.run(pool, ExecRequest.of("contract", "pwd; echo \"$GREETING\"")
              .withCwd(tmp).withEnv(Map.of("GREETING", "hello there")));

      assertEquals(tmp.toRealPath() + "\nhello there\n", result.stdout(), launcher);
    }

    @Test
    void reportsExitCodesAndSignals() {
      assertEquals(3, run("exit 3").exitCode(), launcher);
      ExecResult killed = run("kill -9 $$");
      assertEquals(137, killed.exitCode(), launcher);
      assertTrue(killed.message().contains("SIGKILL"), killed.message());
    }

    @Test
    void keepsBothStreamsWhole() {
      ExecResult result = run("head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero; echo tail >&2");

      assertEquals(1_048_576, result.stdoutBytes(), launcher);
      assertEquals(1_048_576 + 5, result.stderrBytes(), launcher);
    }

    @Test
    void aTimeoutKillsTheWholeTreeAndKeepsTheOutput() {
      Path pids = tmp.resolve("tree.pids");
      ExecRequest request =
          ExecRequest.of("contract", "echo $$ > " + pids + "; sleep 300 & echo $! >> " + pids + "; echo started; sleep 30")
              .withTimeout(Duration.ofSeconds(1));

      ExecResult result = Results.run(pool, request);

      assertEquals(Outcome.TIMED_OUT, result.outcome(), launcher);
      assertEquals("started\n", result.stdout(), launcher);
      Pids.assertDeadNow(Pids.read(pids, 2, Duration.ofSeconds(5)));
    }

    @Test
    void aMissingShellFailsToStartWithAClearMessage() {
      try (ExecPool broken =
          TestPools.start("execpool { launcher = " + launcher + ", shell = [\"/nonexistent/shell\", \"-c\"] }")) {
        ExecResult result = Results.run(broken, ExecRequest.of("contract", "echo hi"));

        assertEquals(Outcome.FAILED_TO_START, result.outcome(), launcher);
        assertTrue(result.message().startsWith("failed to start the shell"), result.message());
        assertTrue(result.message().contains("/nonexistent/shell"), result.message());
      }
    }

    private ExecResult run(String command) {
      ExecResult result = Results.run(pool, ExecRequest.of("contract", command));
      assertTrue(result.outcome() == Outcome.EXITED, launcher + ": " + result);
      return result;
    }
  }
}
