package dev.execpool;

import java.time.Duration;
import java.time.Instant;

/**
 * What a finished task produced. Delivered exactly once, to the session that spawned it.
 *
 * <p>{@code exitCode} is set only for {@link Outcome#EXITED}: a command that was timed out or killed
 * has no exit code of its own, even when it caught the signal and exited 0. {@code startedAt} and
 * {@code completedAt} are when the process really started and ended (both equal the moment of failure
 * for a task that never started). {@code stdout} and {@code stderr} keep at most
 * {@code execpool.max-output} bytes each, head and tail with a marker between them; {@code
 * stdoutBytes} and {@code stderrBytes} count every byte the command wrote. {@code message} says in
 * words what happened for every outcome but a clean exit with code 0, where it is empty.
 */
public record ExecResult(
    String taskId,
    String toolCallId,
    String sessionKey,
    String command,
    Outcome outcome,
    Integer exitCode,
    String stdout,
    String stderr,
    boolean stdoutTruncated,
    boolean stderrTruncated,
    long stdoutBytes,
    long stderrBytes,
    Instant startedAt,
    Instant completedAt,
    String message) {

  /** True only when the command exited by itself with code 0. */
  public boolean succeeded() {
    return outcome == Outcome.EXITED && exitCode != null && exitCode == 0;
  }

  public Duration duration() {
    return Duration.between(startedAt, completedAt);
  }
}
