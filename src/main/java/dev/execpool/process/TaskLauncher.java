package dev.execpool.process;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * Starts a task's shell in its own session and process group, stdin from the null device, and feeds
 * its stdout and stderr into two stream queues until every holder of the pipes has closed them (not
 * merely until the shell exits). The launch blocks for the spawn, and, when {@link
 * #holdsThreadWhileRunning} says so, for the life of the process.
 */
public interface TaskLauncher {
  /** What this launcher is, for logs and the README ("native (posix_spawn, epoll)", "jdk"). */
  String description();

  /**
   * True when {@link #launch} returns only once the process's pipes are closed (its thread reads
   * them), so it must run where jobs never queue; false when it returns as soon as the process
   * exists, so a small fixed pool will do.
   */
  boolean holdsThreadWhileRunning();

  /**
   * Starts {@code command} in {@code cwd} with exactly {@code env}; {@code marker} is the value of
   * {@link ProcessTree#MARKER_VARIABLE} in {@code env}. {@code onStarted} runs once the process
   * exists, before any of its output is read; both queues are completed (or failed) at the pipes'
   * ends.
   *
   * @throws LaunchException with a message fit for the task's result when the shell
   *     cannot start; the queues are then untouched
   */
  void launch(
      String command,
      Path cwd,
      Map<String, String> env,
      String marker,
      SourceQueueWithComplete<ByteString> stdout,
      SourceQueueWithComplete<ByteString> stderr,
      Consumer<LaunchedProcess> onStarted);
}
