package dev.execpool;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Waiting for a task's result through the public API, as an agent would on later turns. */
final class Results {
  private Results() {}

  static ExecResult await(ExecPool pool, String session, String taskId) {
    return await(pool, session, taskId, Duration.ofSeconds(20));
  }

  static ExecResult await(ExecPool pool, String session, String taskId, Duration within) {
    AtomicReference<ExecResult> found = new AtomicReference<>();
    Pids.await(
        () -> {
          Optional<ExecResult> result = TestPools.await(pool.collect(session, taskId));
          result.ifPresent(found::set);
          return result.isPresent();
        },
        within,
        "the result of " + session + "/" + taskId);
    return found.get();
  }

  /** Waits until the task no longer runs, without collecting it. */
  static void awaitFinished(ExecPool pool, String session, String taskId) {
    Pids.await(
        () -> !TestPools.await(pool.isRunning(session, taskId)),
        Duration.ofSeconds(20),
        "task " + session + "/" + taskId + " to finish");
  }

  static ExecResult run(ExecPool pool, ExecRequest request) {
    Submitted submitted = TestPools.await(pool.spawn(request));
    return await(pool, request.sessionKey(), submitted.taskId());
  }
}
