package dev.execpool;

import java.util.Objects;

/**
 * The pool's answer to a spawn: the task id to collect the result by, and whether the task started
 * at once or waits behind {@code max-concurrent}.
 */
public record Submitted(String taskId, State state) {
  public enum State {
    RUNNING,
    QUEUED
  }

  public Submitted {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(state, "state");
  }
}
