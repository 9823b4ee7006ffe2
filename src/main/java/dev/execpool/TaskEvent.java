package dev.execpool;

import java.time.Instant;

/**
 * What a session's subscribers hear, as it happens. A notice never replaces the result: the result
 * still waits in the session to be collected, so a notice can be lost only with its subscriber.
 */
public sealed interface TaskEvent {
  String sessionKey();

  String taskId();

  /** The task's process started (it may have waited in the queue first). */
  record TaskStarted(String sessionKey, String taskId, String toolCallId, Instant startedAt)
      implements TaskEvent {}

  /** The task finished; its result is ready to collect. {@code exitCode} as in {@link ExecResult}. */
  record TaskFinished(
      String sessionKey, String taskId, String toolCallId, Outcome outcome, Integer exitCode, Instant completedAt)
      implements TaskEvent {}
}
