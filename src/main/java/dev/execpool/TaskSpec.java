package dev.execpool;

import dev.execpool.process.ChildEnvironment;
import dev.execpool.process.ProcessTree;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * An accepted request with every default filled in: what a task runner needs and nothing else.
 * {@code requestEnv} holds only the request's own variables: the child's complete environment is
 * built at launch ({@link #childEnvironment}), not kept per task, since a held result would otherwise
 * carry a copy of the JVM's whole environment (about 2 KB; 40 % of W6's heap per session).
 * {@code marker} is the value of the marker variable, by which escaped descendants are recognised.
 */
record TaskSpec(
    TaskKey key,
    String toolCallId,
    String command,
    Path cwd,
    Duration timeout,
    Map<String, String> requestEnv,
    String marker,
    Instant acceptedAt) {

  String sessionKey() {
    return key.sessionKey();
  }

  String taskId() {
    return key.taskId();
  }

  /** The inherited variables (filtered), the request's, then the pool's markers. */
  Map<String, String> childEnvironment(ChildEnvironment environment) {
    return environment.build(
        requestEnv,
        Map.of(
            "EXECPOOL_SESSION_KEY", key.sessionKey(),
            "EXECPOOL_TASK_ID", key.taskId(),
            ProcessTree.MARKER_VARIABLE, marker));
  }
}
