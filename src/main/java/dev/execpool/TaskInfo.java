package dev.execpool;

import java.time.Duration;
import java.time.Instant;

/**
 * One task of a session as {@code list} shows it: queued, running, or finished and not yet
 * collected. {@code startedAt} is null while queued; {@code elapsed} runs from the start (from the
 * queueing while queued) to now or to the end; {@code outcome} and {@code exitCode} are set once it
 * finished.
 */
public record TaskInfo(
    String taskId,
    String toolCallId,
    String command,
    TaskState state,
    Instant queuedAt,
    Instant startedAt,
    Duration elapsed,
    long stdoutBytes,
    long stderrBytes,
    Outcome outcome,
    Integer exitCode) {}
