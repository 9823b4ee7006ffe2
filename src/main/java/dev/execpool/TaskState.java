package dev.execpool;

/** Where a task stands, as its session sees it. */
public enum TaskState {
  /** Waiting for a slot behind {@code max-concurrent}. */
  QUEUED,
  /** Its process is starting or running (or its pipes are being drained). */
  RUNNING,
  /** Finished; the result waits to be collected. */
  FINISHED,
  /** Finished, but nobody collected the result within {@code result-ttl}; its output is gone. */
  EXPIRED,
  /** The session has no such task: never spawned, already collected, or another session's. */
  UNKNOWN;

  public boolean running() {
    return this == QUEUED || this == RUNNING;
  }
}
