package dev.execpool.bench;

import com.typesafe.config.ConfigFactory;
import dev.execpool.ExecPool;
import dev.execpool.ExecRequest;
import dev.execpool.ExecResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The pool, through its public facade only: spawn, then await the result (which collects it), as
 * an agent runtime would. Settings the workload needs are defaults here; {@code -Dexecpool.*} on the
 * trial's JVM still wins, so a tuning step needs no code change.
 */
final class ExecPoolContender implements Contender {
  static final String SESSION = "bench";
  private static final Duration AWAIT = Duration.ofSeconds(300);

  private final ExecPool pool;

  ExecPoolContender(int concurrency) {
    this(concurrency, Map.of());
  }

  /** A pool sized for {@code concurrency} tasks at once, with further {@code overrides}. */
  ExecPoolContender(int concurrency, Map<String, Object> overrides) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("execpool.max-concurrent", concurrency);
    // The harness keeps `concurrency` tasks in flight; leave room so that no spawn is refused.
    settings.put("execpool.max-queued", concurrency + 64);
    settings.put("execpool.max-pending-per-session", concurrency + 64);
    settings.putAll(overrides);
    this.pool =
        ExecPool.start(
            ConfigFactory.systemProperties()
                .withFallback(ConfigFactory.parseMap(settings))
                .withFallback(ConfigFactory.load()));
  }

  ExecPool pool() {
    return pool;
  }

  @Override
  public CompletionStage<TaskOutcome> run(String command) {
    return pool.spawn(ExecRequest.of(SESSION, command))
        .thenCompose(submitted -> awaitResult(SESSION, submitted.taskId()))
        .thenApply(
            result ->
                new TaskOutcome(
                    result.exitCode() == null ? -1 : result.exitCode(),
                    result.stdoutBytes(),
                    result.stdout().length() <= 64 ? result.stdout() : result.stdout().substring(0, 64)));
  }

  /** await answers empty when the wait runs out while the task goes on: then wait again. */
  CompletionStage<ExecResult> awaitResult(String session, String taskId) {
    return pool.await(session, taskId, AWAIT)
        .thenCompose(
            (Optional<ExecResult> result) ->
                result.isPresent()
                    ? CompletableFuture.completedFuture(result.get())
                    : awaitResult(session, taskId));
  }

  @Override
  public void close() {
    pool.close();
  }
}
