package dev.execpool;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.execpool.process.Stages;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
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
  private static final AtomicInteger LISTENERS = new AtomicInteger();
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
    Launchers.requireUsable(settings);
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
    // Fail on bad settings before starting threads.
    Launchers.requireUsable(ExecPoolSettings.fromConfig(config));
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
    return Stages.plain(
        AskPattern.askWithStatus(
            supervisor, replyTo -> new PoolSupervisor.Spawn(request, replyTo), askTimeout, system.scheduler()));
  }

  /** Every finished result of the session, oldest first; each result is delivered only once. */
  public CompletionStage<List<ExecResult>> collectPending(String sessionKey) {
    validator.requireId("sessionKey", sessionKey, true);
    return ask(replyTo -> new PoolSupervisor.CollectPending(sessionKey, replyTo));
  }

  /** One finished result, or empty if the task still runs or the session has no such task. */
  public CompletionStage<Optional<ExecResult>> collect(String sessionKey, String taskId) {
    validator.requireId("sessionKey", sessionKey, true);
    validator.requireId("taskId", taskId, true);
    return ask(replyTo -> new PoolSupervisor.CollectTask(sessionKey, taskId, replyTo));
  }

  /** True while the session's task is queued or running. */
  public CompletionStage<Boolean> isRunning(String sessionKey, String taskId) {
    validator.requireId("sessionKey", sessionKey, true);
    validator.requireId("taskId", taskId, true);
    return ask(replyTo -> new PoolSupervisor.IsRunning(sessionKey, taskId, replyTo));
  }

  /**
   * The output produced since the given byte offsets (0, 0 for all of it), without consuming the
   * result. Pass back the offsets of the answer to read on: every kept byte is seen exactly once.
   */
  public CompletionStage<OutputChunk> readOutput(
      String sessionKey, String taskId, long stdoutOffset, long stderrOffset) {
    requireTask(sessionKey, taskId);
    if (stdoutOffset < 0 || stderrOffset < 0) {
      throw new IllegalArgumentException(
          "offsets must not be negative, got stdout " + stdoutOffset + " and stderr " + stderrOffset);
    }
    return ask(replyTo -> new PoolSupervisor.ReadOutput(sessionKey, taskId, stdoutOffset, stderrOffset, replyTo));
  }

  /**
   * Kills a queued or running task: SIGTERM to its whole tree, SIGKILL after {@code kill-grace}; a
   * queued task just leaves the queue. Its result says {@link Outcome#KILLED}. False when the task
   * already finished or the session has no such task.
   */
  public CompletionStage<Boolean> kill(String sessionKey, String taskId) {
    requireTask(sessionKey, taskId);
    return ask(replyTo -> new PoolSupervisor.Kill(sessionKey, taskId, replyTo));
  }

  /**
   * Waits at most {@code maxWait} (up to {@code max-await}) for the task to finish. If it does, the
   * result is returned and counts as collected; if not, the answer is empty and the task goes on.
   * No thread waits meanwhile.
   */
  public CompletionStage<Optional<ExecResult>> await(String sessionKey, String taskId, Duration maxWait) {
    requireTask(sessionKey, taskId);
    requireWait(maxWait);
    return ask(replyTo -> new PoolSupervisor.Await(sessionKey, taskId, maxWait, replyTo), maxWait.plus(askTimeout));
  }

  /**
   * Foreground, then background: runs the command and, if it finishes within {@code yieldAfter},
   * answers with its result (already collected); otherwise with its task id and the output so far,
   * while it goes on in the background, to be collected as usual.
   */
  public CompletionStage<SpawnOutcome> spawnAndWait(ExecRequest request, Duration yieldAfter) {
    requireWait(yieldAfter);
    return spawn(request)
        .thenCompose(
            submitted ->
                await(request.sessionKey(), submitted.taskId(), yieldAfter)
                    .thenCompose(
                        result ->
                            result.isPresent()
                                ? CompletableFuture.completedFuture(new SpawnOutcome.Finished(result.get()))
                                : readOutput(request.sessionKey(), submitted.taskId(), 0, 0)
                                    .thenApply(soFar -> new SpawnOutcome.StillRunning(submitted.taskId(), soFar))));
  }

  /** Every task of the session that is queued, running, or finished but not yet collected. */
  public CompletionStage<List<TaskInfo>> list(String sessionKey) {
    validator.requireId("sessionKey", sessionKey, true);
    return ask(replyTo -> new PoolSupervisor.ListTasks(sessionKey, replyTo));
  }

  /**
   * Calls {@code listener} (on an actor thread: keep it short, never block) as the session's tasks
   * start and finish, until the returned handle is closed. Actors subscribe an {@code
   * ActorRef<TaskEvent>} with {@link PoolSupervisor.Subscribe} instead.
   */
  public AutoCloseable subscribe(String sessionKey, Consumer<TaskEvent> listener) {
    validator.requireId("sessionKey", sessionKey, true);
    ActorRef<Object> relay =
        system.systemActorOf(
            Behaviors.receive(Object.class)
                .onMessage(TaskEvent.class, event -> relayEvent(listener, event))
                .onMessageEquals(STOP_RELAY, Behaviors::stopped)
                .build(),
            "execpool-listener-" + LISTENERS.incrementAndGet(),
            Props.empty());
    supervisor.tell(new PoolSupervisor.Subscribe(sessionKey, relay.narrow()));
    // Stopping the relay is enough: the session watches its subscribers.
    return () -> relay.tell(STOP_RELAY);
  }

  private static final Object STOP_RELAY = new Object();

  private static Behavior<Object> relayEvent(Consumer<TaskEvent> listener, TaskEvent event) {
    try {
      listener.accept(event);
    } catch (RuntimeException e) {
      LOG.warn("task event listener failed on {}", event, e);
    }
    return Behaviors.same();
  }

  /**
   * The task's output as it is produced, from the given offsets, until the task ends (the last
   * element then has a finished state). A consumer that falls behind never slows the command: past
   * what the pool keeps, it gets a chunk whose {@code stdoutSkipped}/{@code stderrSkipped} say how
   * many bytes it missed. Polls every {@code output-poll-interval} while the task is quiet.
   */
  public Source<OutputChunk, NotUsed> outputStream(
      String sessionKey, String taskId, long stdoutOffset, long stderrOffset) {
    requireTask(sessionKey, taskId);
    return Source.unfoldAsync(
        new StreamCursor(stdoutOffset, stderrOffset, false),
        cursor ->
            cursor.done()
                ? CompletableFuture.completedFuture(Optional.empty())
                : nextNews(sessionKey, taskId, cursor)
                    .thenApply(
                        chunk ->
                            Optional.of(
                                Pair.create(
                                    new StreamCursor(
                                        chunk.stdoutOffset(),
                                        chunk.stderrOffset(),
                                        !chunk.running()
                                            && chunk.stdoutOffset() == cursor.stdout()
                                            && chunk.stderrOffset() == cursor.stderr()),
                                    chunk))));
  }

  public Source<OutputChunk, NotUsed> outputStream(String sessionKey, String taskId) {
    return outputStream(sessionKey, taskId, 0, 0);
  }

  private record StreamCursor(long stdout, long stderr, boolean done) {}

  /** The next chunk with something in it, or the first that says the task no longer runs. */
  private CompletionStage<OutputChunk> nextNews(String sessionKey, String taskId, StreamCursor cursor) {
    return readOutput(sessionKey, taskId, cursor.stdout(), cursor.stderr())
        .thenCompose(
            chunk -> {
              if (!chunk.isEmpty() || !chunk.running()) {
                return CompletableFuture.completedFuture(chunk);
              }
              Executor later =
                  CompletableFuture.delayedExecutor(settings.outputPollInterval().toMillis(), TimeUnit.MILLISECONDS);
              return CompletableFuture.supplyAsync(() -> cursor, later)
                  .thenCompose(same -> nextNews(sessionKey, taskId, same));
            });
  }

  private void requireTask(String sessionKey, String taskId) {
    validator.requireId("sessionKey", sessionKey, true);
    validator.requireId("taskId", taskId, true);
  }

  private void requireWait(Duration wait) {
    if (wait == null || wait.isNegative() || wait.isZero()) {
      throw new IllegalArgumentException("wait must be positive, got " + wait);
    }
    if (wait.compareTo(settings.maxAwait()) > 0) {
      throw new IllegalArgumentException(
          "wait of " + wait.toMillis() + " ms is above the limit (execpool.max-await) of "
              + settings.maxAwait().toMillis() + " ms");
    }
  }

  public CompletionStage<PoolStats> stats() {
    return ask(PoolSupervisor.GetStats::new);
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

  private <T> CompletableFuture<T> ask(Function<ActorRef<T>, PoolSupervisor.Command> message) {
    return ask(message, askTimeout);
  }

  /** An ask whose answer callers can chain on without a thread per callback ({@link Stages}). */
  private <T> CompletableFuture<T> ask(Function<ActorRef<T>, PoolSupervisor.Command> message, Duration timeout) {
    return Stages.plain(AskPattern.ask(supervisor, message, timeout, system.scheduler()));
  }

  private CompletionStage<Done> shutdownTasks() {
    Duration bound = settings.shutdownGrace().plus(settings.pipeDrain().multipliedBy(2)).plusSeconds(2);
    return ask(PoolSupervisor.Shutdown::new, bound);
  }
}
