package dev.execpool.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/execpool.jar} as a user types it: help, version, a bad option. */
class CliIT {
  @TempDir Path tmp;

  private record Run(int exitCode, String stdout, String stderr) {}

  private Run run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(McpSession.javaCommand());
    command.addAll(List.of(args));
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("execpool " + String.join(" ", args) + " did not end within 30 s");
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void versionPrintsThePomVersion() throws Exception {
    Run run = run("--version");
    assertEquals(0, run.exitCode(), run.stderr());
    assertTrue(run.stdout().startsWith("execpool " + System.getProperty("execpool.version")), run.stdout());
  }

  @Test
  void helpListsTheCommands() throws Exception {
    Run run = run("--help");
    assertEquals(0, run.exitCode(), run.stderr());
    assertTrue(run.stdout().contains("mcp") && run.stdout().contains("demo"), run.stdout());
    Run mcpHelp = run("mcp", "--help");
    assertEquals(0, mcpHelp.exitCode(), mcpHelp.stderr());
    assertTrue(mcpHelp.stdout().contains("--max-concurrent") && mcpHelp.stdout().contains("--default-timeout")
        && mcpHelp.stdout().contains("--cwd"), mcpHelp.stdout());
  }

  @Test
  void badOptionValuesFailWithAMessageThatNamesThem() throws Exception {
    Run negative = run("mcp", "--max-concurrent", "-1");
    assertEquals(2, negative.exitCode());
    assertTrue(negative.stderr().contains("--max-concurrent must be 0 (no limit) or more, got -1"), negative.stderr());
    Run duration = run("mcp", "--default-timeout", "soon");
    assertEquals(2, duration.exitCode());
    assertTrue(duration.stderr().contains("'soon' is not a duration"), duration.stderr());
    Run tooLong = run("mcp", "--default-timeout", "3h");
    assertEquals(2, tooLong.exitCode());
    assertTrue(tooLong.stderr().contains("above execpool.max-timeout"), tooLong.stderr());
    Run cwd = run("mcp", "--cwd", "/no/such/dir");
    assertEquals(2, cwd.exitCode());
    assertTrue(cwd.stderr().contains("--cwd /no/such/dir is not an existing directory"), cwd.stderr());
    assertTrue(negative.stdout().isEmpty(), "stdout must stay clean: " + negative.stdout());
  }
}
