package dev.execpool;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * An accepted request with every default filled in: what a task runner needs and nothing else.
 * {@code env} is the child's complete environment; {@code marker} is the value of the marker variable
 * in it, by which the task's escaped descendants are recognised.
 */
record TaskSpec(
    TaskKey key,
    String toolCallId,
    String command,
    Path cwd,
    Duration timeout,
    Map<String, String> env,
    String marker,
    Instant acceptedAt) {

  String sessionKey() {
    return key.sessionKey();
  }

  String taskId() {
    return key.taskId();
  }
}
