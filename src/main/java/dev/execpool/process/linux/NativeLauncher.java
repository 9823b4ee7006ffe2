package dev.execpool.process.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.execpool.process.LaunchChecks;
import dev.execpool.process.LaunchException;
import dev.execpool.process.LaunchedProcess;
import dev.execpool.process.ProcessTree;
import dev.execpool.process.TaskLauncher;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * The Linux launcher: {@code posix_spawn} straight into the shell as a new session leader, and one
 * {@link EpollLoop} thread for every task's pipes and exit. A launch returns as soon as the child
 * exists; no thread waits on a task while it runs. Check {@link NativeSupport} before building one.
 */
public final class NativeLauncher implements TaskLauncher, AutoCloseable {
  private final List<String> shell;
  private final EpollLoop loop;
  private final Memory readBuffer;

  /**
   * @param io the pool's I/O dispatcher: the event loop runs there as one long task
   * @param reapBoundMillis how long the loop, once closed, still waits to reap killed children
   */
  public NativeLauncher(List<String> shell, Executor io, long reapBoundMillis) {
    NativeSupport.unavailableReason().ifPresent(reason -> {
      throw new IllegalStateException("the native launcher cannot run here: " + reason);
    });
    this.shell = List.copyOf(shell);
    // One buffer for every read: reads happen one at a time, on the loop's thread.
    this.readBuffer = new Memory(PipeReader.FLOOD_PIPE_BYTES);
    this.loop = new EpollLoop(io, reapBoundMillis);
  }

  /** The event loop reads the pipes; the launch returns once the shell exists. */
  @Override
  public boolean holdsThreadWhileRunning() {
    return false;
  }

  @Override
  public String description() {
    return "native (posix_spawn with POSIX_SPAWN_SETSID, one epoll thread)";
  }

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
    Path program =
        LaunchChecks.resolveShell(shell, env)
            .orElseThrow(() -> new LaunchException(
                "failed to start the shell - the command never ran: no PATH to find " + shell.get(0) + " on"));
    List<String> argv = new ArrayList<>(shell.size() + 1);
    argv.addAll(shell);
    argv.add(command);
    Spawner.Spawned spawned;
    try {
      spawned = Spawner.spawn(program, argv, env, cwd);
    } catch (Spawner.SpawnException e) {
      throw LaunchChecks.spawnFailed(e.getMessage(), shell, e);
    }
    Instant startedAt = Instant.now();
    NativeChild child = new NativeChild(loop, spawned.pid());
    int pidfd;
    try {
      pidfd = LibC.INSTANCE.syscall(LibC.SYS_PIDFD_OPEN, spawned.pid(), 0);
    } catch (LastErrorException e) {
      // Cannot happen for our own unreaped child; if it does, do not leave it running unwatched.
      LibC.INSTANCE.kill(-spawned.pid(), LibC.SIGKILL);
      LibC.INSTANCE.waitpid(spawned.pid(), new int[1], 0); // SIGKILLed: returns at once, leaves no zombie
      LibC.INSTANCE.close(spawned.stdoutFd());
      LibC.INSTANCE.close(spawned.stderrFd());
      throw new LaunchException("failed to watch the started shell: " + LibC.INSTANCE.strerror(e.getErrorCode()));
    }
    LaunchedProcess launched = new LaunchedProcess(child, new ProcessTree(spawned.pid(), marker), startedAt);
    onStarted.accept(launched);
    loop.add(pidfd, child);
    PipeReader.start(loop, spawned.stdoutFd(), stdout, readBuffer);
    PipeReader.start(loop, spawned.stderrFd(), stderr, readBuffer);
  }

  /** No more launches: the loop ends once every child it watches has been reaped (bounded). */
  @Override
  public void close() {
    loop.shutdown();
  }
}
