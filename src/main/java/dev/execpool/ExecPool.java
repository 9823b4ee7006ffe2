package dev.execpool;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool for plain Java callers: every method is a bounded ask to the {@link PoolSupervisor},
 * returned as a {@link CompletionStage}. Actors can skip this and talk to {@link #supervisor()}.
 *
 * <pre>{@code
 * try (ExecPool pool = ExecPool.start()) {
 *   Submitted task = pool.spawn(ExecRequest.of("session-1", "make test")).toCompletableFuture().join();
 *   // ... a later turn:
 *   List<ExecResult> done = pool.collectPending("session-1").toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <p>Invalid requests throw {@link IllegalArgumentException} at once, on the caller's thread; valid
 * requests the pool will not take complete exceptionally with {@link ExecRejectedException}; an
 * answer that does not come within {@code execpool.ask-timeout} completes exceptionally with a
 * {@link java.util.concurrent.TimeoutException}.
 */
public final class ExecPool implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  /** Also initialises SLF4J before Pekko starts logging from several threads at once. */
  private static final Logger LOG = LoggerFactory.getLogger(ExecPool.class);

  private final ActorSystem<?> system;
  private final boolean ownsSystem;
  private final ExecPoolSettings settings;
  private final RequestValidator validator;
  private final ActorRef<PoolSupervisor.Command> supervisor;
  private final Duration askTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ExecPool(ActorSystem<?> system, boolean ownsSystem) {
    this.system = system;
    this.ownsSystem = ownsSystem;
    this.settings = ExecPoolSettings.fromConfig(system.settings().config());
    this.validator = new RequestValidator(settings);
    this.askTimeout = settings.askTimeout();
    this.supervisor =
        system.systemActorOf(
            PoolSupervisor.create(settings), "execpool-" + INSTANCES.incrementAndGet(), Props.empty());
    // Whoever terminates the actor system, the trees die first (and within a bound).
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceRequestsDone(),
            "execpool-kill-tasks-" + supervisor.path().name(),
            () -> closed.get() ? CompletableFuture.completedFuture(Done.getInstance()) : shutdownTasks());
  }

  /** A pool with its own actor system, configured by {@code application.conf}. */
  public static ExecPool start() {
    return start(ConfigFactory.load());
  }

  /** A pool with its own actor system, configured by {@code config} (which must hold {@code execpool}). */
  public static ExecPool start(Config config) {
    ExecPoolSettings.fromConfig(config); // fail on bad settings before starting threads
    return new ExecPool(ActorSystem.create(Behaviors.empty(), "execpool", config), true);
  }

  /** A pool inside an existing actor system, whose config must hold the {@code execpool} block. */
  public static ExecPool create(ActorSystem<?> system) {
    return new ExecPool(system, false);
  }

  public ActorRef<PoolSupervisor.Command> supervisor() {
    return supervisor;
  }

  public ExecPoolSettings settings() {
    return settings;
  }

  /** Starts (or queues) a command. @throws IllegalArgumentException for an invalid request */
  public CompletionStage<Submitted> spawn(ExecRequest request) {
    validator.validate(request);
    return AskPattern.askWithStatus(
        supervisor, replyTo -> new PoolSupervisor.Spawn(request, replyTo), askTimeout, system.scheduler());
  }

  /** Every finished result of the session, oldest first; each result is delivered only once. */
  public CompletionStage<List<ExecResult>> collectPending(String sessionKey) {
    validator.requireId("sessionKey", sessionKey, true);
    return AskPattern.ask(
        supervisor,
        replyTo -> new PoolSupervisor.CollectPending(sessionKey, replyTo),
        askTimeout,
        system.scheduler());
  }

  /** One finished result, or empty if the task still runs or the session has no such task. */
  public CompletionStage<Optional<ExecResult>> collect(String sessionKey, String taskId) {
    validator.requireId("sessionKey", sessionKey, true);
    validator.requireId("taskId", taskId, true);
    return AskPattern.ask(
        supervisor,
        replyTo -> new PoolSupervisor.CollectTask(sessionKey, taskId, replyTo),
        askTimeout,
        system.scheduler());
  }

  /** True while the session's task is queued or running. */
  public CompletionStage<Boolean> isRunning(String sessionKey, String taskId) {
    validator.requireId("sessionKey", sessionKey, true);
    validator.requireId("taskId", taskId, true);
    return AskPattern.ask(
        supervisor,
        replyTo -> new PoolSupervisor.IsRunning(sessionKey, taskId, replyTo),
        askTimeout,
        system.scheduler());
  }

  public CompletionStage<PoolStats> stats() {
    return AskPattern.ask(supervisor, PoolSupervisor.GetStats::new, askTimeout, system.scheduler());
  }

  /**
   * Stops every task (SIGTERM, then SIGKILL after {@code shutdown-grace}) and waits for their trees
   * to be gone; then terminates the actor system if this pool started it. Blocks the caller: never
   * call it from an actor.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Duration bound = settings.shutdownGrace().plus(settings.pipeDrain().multipliedBy(2)).plusSeconds(5);
    try {
      shutdownTasks().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("shutting the tasks down did not finish cleanly: {}", e.toString());
    }
    if (ownsSystem) {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("actor system did not terminate within {}", bound);
      }
    }
  }

  private CompletionStage<Done> shutdownTasks() {
    Duration bound = settings.shutdownGrace().plus(settings.pipeDrain().multipliedBy(2)).plusSeconds(2);
    return AskPattern.ask(supervisor, PoolSupervisor.Shutdown::new, bound, system.scheduler());
  }
}
