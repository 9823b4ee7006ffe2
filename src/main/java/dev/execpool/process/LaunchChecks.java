package dev.execpool.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What both launchers check before a spawn, so a failure reads the same whichever one runs. */
public final class LaunchChecks {
  private LaunchChecks() {}

  public static void requireDirectory(Path cwd) {
    if (!Files.isDirectory(cwd)) {
      throw new LaunchException(
          "failed to start the shell - the command never ran: the working directory "
              + cwd
              + " does not exist or is not a directory (it may have been removed while the task was"
              + " queued); verify the cwd or retry without a cwd override");
    }
  }

  /**
   * The shell's executable, looked up on the child's {@code PATH} (the JVM's when the child has
   * none). Empty when {@code PATH} is unknown altogether: then exec decides. Uses {@link
   * File#canExecute}, which answers false for a missing file, where {@code Files.isExecutable}
   * builds and throws an exception inside for every {@code PATH} entry that lacks the shell.
   */
  public static Optional<Path> resolveShell(List<String> shell, Map<String, String> env) {
    String program = shell.get(0);
    if (program.contains(File.separator)) {
      return require(new File(program).canExecute() ? Path.of(program) : null, shell);
    }
    String path = env.getOrDefault("PATH", System.getenv("PATH"));
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      File candidate = new File(dir, program);
      if (!dir.isEmpty() && candidate.canExecute()) {
        return Optional.of(candidate.toPath().toAbsolutePath());
      }
    }
    return require(null, shell);
  }

  private static Optional<Path> require(Path found, List<String> shell) {
    if (found == null) {
      throw new LaunchException(
          "failed to start the shell - the command never ran: shell " + shell.get(0) + " was not found or is not executable");
    }
    return Optional.of(found);
  }

  public static LaunchException spawnFailed(String reason, List<String> shell, Throwable cause) {
    return new LaunchException(
        "failed to start the shell - the command never ran: " + reason + " (shell: " + String.join(" ", shell) + ")",
        cause);
  }
}
