package dev.execpool.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * The portable launcher: {@code java.lang.Process}, with {@code setsid} in front of the shell where
 * the machine has it (a Java child is not a group leader, so setsid execs in place and the shell's pid
 * becomes its session and group id). Costs per task: the JDK's helper exec, setsid's exec, and three
 * threads for the life of the process (the JDK's reaper and two pipe readers, see {@link
 * PipeReaders}). Used where the native launcher is not available, or when configured.
 */
public final class JdkLauncher implements TaskLauncher {
  private final List<String> shell;
  private final Path setsid;
  private final boolean windows;
  private final File nullDevice;
  private final int chunkBytes;
  private final Executor io;

  /** {@code setsid} may be null (no new session: the tree is then the shell's descendants). */
  public JdkLauncher(List<String> shell, Path setsid, boolean windows, int chunkBytes, Executor io) {
    this.shell = List.copyOf(shell);
    this.setsid = setsid;
    this.windows = windows;
    this.nullDevice = new File(windows ? "NUL" : "/dev/null");
    this.chunkBytes = chunkBytes;
    this.io = io;
  }

  /** java.lang.Process: this thread pumps the pipes until they close. */
  @Override
  public boolean holdsThreadWhileRunning() {
    return true;
  }

  @Override
  public String description() {
    return setsid == null ? "jdk (java.lang.Process)" : "jdk (java.lang.Process under " + setsid + ")";
  }

  /**
   * Blocks this thread for the life of the process: it holds the monitor of the process's stdout
   * stream from the moment the process exists and reads stdout to EOF, so the JDK cannot close the
   * pipes at exit (see {@link PipeReaders}).
   */
  @Override
  public void launch(
      String command,
      Path cwd,
      Map<String, String> env,
      String marker,
      SourceQueueWithComplete<ByteString> stdout,
      SourceQueueWithComplete<ByteString> stderr,
      Consumer<LaunchedProcess> onStarted) {
    LaunchChecks.requireDirectory(cwd);
    if (!windows) {
      // Under setsid a missing shell would only show as setsid's exit code: say it plainly instead.
      LaunchChecks.resolveShell(shell, env);
    }
    List<String> argv = new ArrayList<>(shell.size() + 2);
    if (setsid != null) {
      argv.add(setsid.toString());
    }
    argv.addAll(shell);
    argv.add(command);
    ProcessBuilder builder =
        new ProcessBuilder(argv).directory(cwd.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice));
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw LaunchChecks.spawnFailed(e.getMessage(), shell, e);
    }
    synchronized (process.getInputStream()) {
      LaunchedProcess launched =
          new LaunchedProcess(new JdkProcess(process), new ProcessTree(process.pid(), marker), Instant.now());
      PipeReaders.readBoth(process, stdout, stderr, chunkBytes, io, () -> onStarted.accept(launched));
    }
  }

  private record JdkProcess(Process process) implements ProcessControl {
    @Override
    public long pid() {
      return process.pid();
    }

    @Override
    public CompletionStage<Integer> onExit() {
      return process.onExit().thenApply(Process::exitValue);
    }

    @Override
    public void destroyForcibly() {
      process.destroyForcibly();
    }
  }
}
