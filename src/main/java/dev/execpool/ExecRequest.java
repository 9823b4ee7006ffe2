package dev.execpool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A shell command to run in the background for a session.
 *
 * <p>Only {@code sessionKey} and {@code command} are required: a null {@code taskId} is replaced by
 * a random 128-bit id, a null {@code timeout} by {@code execpool.default-timeout}, a null {@code cwd}
 * by {@code execpool.default-cwd} (the JVM's working directory unless set). {@code env} adds to the
 * child's environment. Checks that need the pool's settings happen when the pool receives the
 * request: see {@link RequestValidator}.
 */
public record ExecRequest(
    String sessionKey,
    String taskId,
    String toolCallId,
    String command,
    Path cwd,
    Duration timeout,
    Map<String, String> env) {

  public ExecRequest {
    env = copyOf(env);
  }

  public static ExecRequest of(String sessionKey, String command) {
    return new ExecRequest(sessionKey, null, null, command, null, null, Map.of());
  }

  public ExecRequest withTaskId(String taskId) {
    return new ExecRequest(sessionKey, taskId, toolCallId, command, cwd, timeout, env);
  }

  public ExecRequest withToolCallId(String toolCallId) {
    return new ExecRequest(sessionKey, taskId, toolCallId, command, cwd, timeout, env);
  }

  public ExecRequest withCommand(String command) {
    return new ExecRequest(sessionKey, taskId, toolCallId, command, cwd, timeout, env);
  }

  public ExecRequest withCwd(Path cwd) {
    return new ExecRequest(sessionKey, taskId, toolCallId, command, cwd, timeout, env);
  }

  public ExecRequest withTimeout(Duration timeout) {
    return new ExecRequest(sessionKey, taskId, toolCallId, command, cwd, timeout, env);
  }

  public ExecRequest withEnv(Map<String, String> env) {
    return new ExecRequest(sessionKey, taskId, toolCallId, command, cwd, timeout, env);
  }

  /** A copy with one more environment variable for the child. */
  public ExecRequest withEnv(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(env);
    more.put(name, value);
    return withEnv(more);
  }

  /** Copies the map so a caller mutating its own afterwards cannot change a queued request. */
  private static Map<String, String> copyOf(Map<String, String> env) {
    if (env == null || env.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new LinkedHashMap<>();
    env.forEach(
        (name, value) -> {
          if (name == null || value == null) {
            throw new IllegalArgumentException("env: variable names and values must not be null");
          }
          copy.put(name, value);
        });
    return java.util.Collections.unmodifiableMap(copy);
  }
}
