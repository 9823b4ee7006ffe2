package dev.execpool.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Starts one task process: the shell with the command, in its own session and process group, stdin
 * from the null device (so {@code cat} ends at once and nothing waits for a prompt), stdout and stderr
 * as pipes for the caller to drain. Blocks for the fork and exec: call it on the I/O dispatcher.
 */
public final class ProcessLauncher {
  private final List<String> shell;
  private final Path setsid;
  private final boolean windows;
  private final File nullDevice;

  /** {@code setsid} may be null (no new session: the tree is then the shell's descendants). */
  public ProcessLauncher(List<String> shell, Path setsid, boolean windows) {
    this.shell = List.copyOf(shell);
    this.setsid = setsid;
    this.windows = windows;
    this.nullDevice = new File(windows ? "NUL" : "/dev/null");
  }

  public List<String> shell() {
    return shell;
  }

  /**
   * Starts {@code command} in {@code cwd} with exactly {@code env}, then runs {@code whileHeld} on
   * this thread while holding the monitor of the process's stdout stream, taken the moment the
   * process exists: the JDK cannot close the pipes at exit until {@code whileHeld} returns (see
   * {@link PipeReaders}). {@code marker} is the value of {@link ProcessTree#MARKER_VARIABLE} in
   * {@code env}, by which escaped descendants are found.
   *
   * @throws LaunchException with a message fit for the task's result when the shell cannot start
   */
  public void launch(
      String command, Path cwd, Map<String, String> env, String marker, Consumer<LaunchedProcess> whileHeld) {
    if (!Files.isDirectory(cwd)) {
      throw new LaunchException(
          "failed to start the shell - the command never ran: the working directory "
              + cwd
              + " does not exist or is not a directory (it may have been removed while the task was"
              + " queued); verify the cwd or retry without a cwd override");
    }
    if (!windows && !shellExists(env.getOrDefault("PATH", System.getenv("PATH")))) {
      // Under setsid a missing shell would only show as setsid's exit code: say it plainly instead.
      throw new LaunchException(
          "failed to start the shell - the command never ran: shell "
              + shell.get(0)
              + " was not found or is not executable");
    }
    List<String> argv = new ArrayList<>(shell.size() + 2);
    if (setsid != null) {
      argv.add(setsid.toString());
    }
    argv.addAll(shell);
    argv.add(command);
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .directory(cwd.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(nullDevice));
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new LaunchException(
          "failed to start the shell - the command never ran: "
              + e.getMessage()
              + " (shell: "
              + String.join(" ", shell)
              + ")",
          e);
    }
    synchronized (process.getInputStream()) {
      Instant startedAt = Instant.now();
      whileHeld.accept(new LaunchedProcess(process, new ProcessTree(process.pid(), marker), startedAt));
    }
  }

  private boolean shellExists(String path) {
    String program = shell.get(0);
    if (program.contains(File.separator)) {
      return Files.isExecutable(Path.of(program));
    }
    if (path == null) {
      return true; // let exec decide
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  /** The shell could not be started; the message says why in words a model can act on. */
  public static final class LaunchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
      super(message);
    }

    public LaunchException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
