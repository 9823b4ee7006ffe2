package dev.execpool;

/**
 * New output of a task since the offsets a reader passed: text decoded from the raw bytes, the
 * offsets to pass next time, and how many bytes were skipped because they were dropped by the
 * {@code max-output} cap (a gap, never silent loss). Offsets count raw bytes of each stream, so a
 * reader that always passes back the offsets it got sees every kept byte exactly once. While the
 * task runs, a chunk ends on a whole UTF-8 character; the rest follows in the next read.
 */
public record OutputChunk(
    String taskId,
    TaskState state,
    String stdout,
    String stderr,
    long stdoutOffset,
    long stderrOffset,
    long stdoutSkipped,
    long stderrSkipped) {

  /** True while the task is queued or running: more output may come. */
  public boolean running() {
    return state.running();
  }

  /** True when bytes between the asked-for offsets and this chunk were dropped by the cap. */
  public boolean hasGap() {
    return stdoutSkipped > 0 || stderrSkipped > 0;
  }

  public boolean isEmpty() {
    return stdout.isEmpty() && stderr.isEmpty() && !hasGap();
  }

  static OutputChunk empty(String taskId, TaskState state, long stdoutOffset, long stderrOffset) {
    return new OutputChunk(taskId, state, "", "", stdoutOffset, stderrOffset, 0, 0);
  }
}
