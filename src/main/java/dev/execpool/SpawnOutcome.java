package dev.execpool;

/**
 * The answer of {@link ExecPool#spawnAndWait}: the result, if the command finished within the wait,
 * or its task id and the output so far, while it goes on in the background (collect it as usual).
 */
public sealed interface SpawnOutcome {
  String taskId();

  record Finished(ExecResult result) implements SpawnOutcome {
    @Override
    public String taskId() {
      return result.taskId();
    }
  }

  record StillRunning(String taskId, OutputChunk outputSoFar) implements SpawnOutcome {}
}
