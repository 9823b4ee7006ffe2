package dev.execpool;

import dev.execpool.process.ChildEnvironment;
import dev.execpool.process.ProcessLauncher;
import dev.execpool.process.ProcessTree;
import dev.execpool.process.ShellSelector;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;

/**
 * The pool: admits tasks, enforces {@code max-concurrent} with a fair queue, spawns one {@link
 * TaskRunner} child per task and one {@link Session} child per session, and routes results and
 * collect requests between them.
 *
 * <p>The supervisor keeps the books (which ids each session has queued, running or waiting to be
 * collected); sessions keep the results themselves. Because every result reaches a session through
 * the supervisor, a collect forwarded to the session afterwards always finds it there.
 *
 * <p>A task runner that dies without reporting is noticed through {@code watchWith} and still yields
 * a {@link Outcome#CRASHED} result. The supervisor's own state lives outside its restarted
 * behaviour, and a restart keeps its children, so a bug here does not kill running tasks.
 */
public final class PoolSupervisor extends AbstractBehavior<PoolSupervisor.Command> {

  public interface Command {}

  /** Run a command; the reply says whether it started or was queued, or why it was refused. */
  public record Spawn(ExecRequest request, ActorRef<StatusReply<Submitted>> replyTo) implements Command {}

  /** Take every finished result of a session, oldest first; each is delivered once. */
  public record CollectPending(String sessionKey, ActorRef<List<ExecResult>> replyTo) implements Command {}

  /** Take one finished result; empty while the task runs, and for ids the session does not own. */
  public record CollectTask(String sessionKey, String taskId, ActorRef<Optional<ExecResult>> replyTo)
      implements Command {}

  /** True while the session's task is queued or running. */
  public record IsRunning(String sessionKey, String taskId, ActorRef<Boolean> replyTo) implements Command {}

  public record GetStats(ActorRef<PoolStats> replyTo) implements Command {}

  /**
   * Refuse new work, end queued tasks as {@link Outcome#KILLED}, stop every running tree (SIGTERM,
   * SIGKILL after {@code shutdown-grace}) and answer when all are gone.
   */
  public record Shutdown(ActorRef<Done> replyTo) implements Command {}

  record TaskFinished(TaskKey key, ExecResult result) implements Command {}

  /** Fault injection for tests; answers whether the target existed. */
  record InjectTaskFault(String sessionKey, String taskId, ActorRef<Boolean> replyTo) implements Command {}

  /** Fault injection for tests; answers whether the session existed. */
  record InjectSessionFault(String sessionKey, ActorRef<Boolean> replyTo) implements Command {}

  private record TaskStopped(TaskKey key) implements Command {}

  private record SessionStopped(String sessionKey, ActorRef<Session.Command> ref) implements Command {}

  private record SessionIdle(String sessionKey) implements Command {}

  private enum ShutdownDeadline implements Command {
    INSTANCE
  }

  public static Behavior<Command> create(ExecPoolSettings settings) {
    return Behaviors.setup(
        outer -> {
          // Built once, outside the restarted behaviour: a restart keeps the books and the tools.
          PoolState state = new PoolState();
          TaskTools tools = tools(settings, outer);
          return Behaviors.withMdc(
              Command.class,
              PoolSupervisor::mdcOf,
              Behaviors.supervise(
                      Behaviors.<Command>setup(
                          context ->
                              Behaviors.withTimers(
                                  timers -> new PoolSupervisor(context, timers, settings, tools, state))))
                  .onFailure(Exception.class, SupervisorStrategy.restart().withStopChildren(false)));
        });
  }

  private static TaskTools tools(ExecPoolSettings settings, ActorContext<?> context) {
    String os = settings.osName();
    return new TaskTools(
        settings,
        new ProcessLauncher(
            ShellSelector.select(settings.shell(), os), ShellSelector.findSetsid(os), ShellSelector.isWindows(os)),
        new ChildEnvironment(
            settings.envInherit(), settings.envDenyPatterns(), settings.envCoreNames(), System.getenv()),
        context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.ioDispatcher())),
        Clock.systemUTC());
  }

  /** What the supervisor knows of one session: its actor and the ids it has not yet handed out. */
  private static final class SessionBook {
    final ActorRef<Session.Command> ref;
    final Set<String> active = new LinkedHashSet<>();
    final Set<String> pending = new LinkedHashSet<>();

    SessionBook(ActorRef<Session.Command> ref) {
      this.ref = ref;
    }

    boolean owns(String taskId) {
      return active.contains(taskId) || pending.contains(taskId);
    }

    boolean idle() {
      return active.isEmpty() && pending.isEmpty();
    }
  }

  /** Everything that must survive a restart of the supervisor's behaviour. */
  private static final class PoolState {
    final Map<String, SessionBook> sessions = new HashMap<>();
    final Map<TaskKey, ActorRef<TaskRunner.Command>> running = new HashMap<>();
    final FairQueue<TaskSpec> queue = new FairQueue<>();
    final List<ActorRef<Done>> shutdownWaiters = new ArrayList<>();
    int pendingTotal;
    boolean shuttingDown;
    long childSequence;
  }

  private final TimerScheduler<Command> timers;
  private final ExecPoolSettings settings;
  private final TaskTools tools;
  private final RequestValidator validator;
  private final PoolState state;
  private final Path defaultCwd;

  private PoolSupervisor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ExecPoolSettings settings,
      TaskTools tools,
      PoolState state) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.tools = tools;
    this.state = state;
    this.validator = new RequestValidator(settings);
    this.defaultCwd =
        settings.defaultCwd().orElse(Path.of(System.getProperty("user.dir"))).toAbsolutePath();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Spawn.class, this::onSpawn)
        .onMessage(CollectPending.class, this::onCollectPending)
        .onMessage(CollectTask.class, this::onCollectTask)
        .onMessage(IsRunning.class, this::onIsRunning)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessage(TaskFinished.class, this::onTaskFinished)
        .onMessage(TaskStopped.class, this::onTaskStopped)
        .onMessage(SessionStopped.class, this::onSessionStopped)
        .onMessage(SessionIdle.class, this::onSessionIdle)
        .onMessageEquals(ShutdownDeadline.INSTANCE, this::onShutdownDeadline)
        .onMessage(InjectTaskFault.class, this::onInjectTaskFault)
        .onMessage(InjectSessionFault.class, this::onInjectSessionFault)
        .build();
  }

  // --- admission -------------------------------------------------------------------------------

  private Behavior<Command> onSpawn(Spawn spawn) {
    ExecRequest request = spawn.request();
    if (state.shuttingDown) {
      return refuse(spawn, ExecRejectedException.Reason.SHUTTING_DOWN, "pool is shutting down");
    }
    try {
      validator.validate(request);
    } catch (IllegalArgumentException invalid) {
      spawn.replyTo().tell(StatusReply.error(invalid));
      return this;
    }
    String taskId = request.taskId() != null ? request.taskId() : TaskIds.newTaskId();
    SessionBook book = sessionBook(request.sessionKey());
    if (book.owns(taskId)) {
      return refuse(
          spawn,
          ExecRejectedException.Reason.DUPLICATE_TASK_ID,
          "duplicate task id: session "
              + request.sessionKey()
              + " already has task "
              + taskId
              + (book.active.contains(taskId) ? " queued or running" : " waiting to be collected"));
    }
    int held = book.active.size() + book.pending.size();
    if (held >= settings.maxPendingPerSession()) {
      return refuse(
          spawn,
          ExecRejectedException.Reason.SESSION_FULL,
          "session full: "
              + request.sessionKey()
              + " holds "
              + held
              + " uncollected tasks (max-pending-per-session = "
              + settings.maxPendingPerSession()
              + "); collect results first");
    }
    boolean slotFree = settings.unlimitedConcurrency() || state.running.size() < settings.maxConcurrent();
    if (!slotFree && state.queue.size() >= settings.maxQueued()) {
      return refuse(
          spawn,
          ExecRejectedException.Reason.POOL_FULL,
          "pool full: " + state.running.size() + " running, " + state.queue.size() + " queued");
    }
    TaskSpec spec = specOf(request, taskId);
    book.active.add(taskId);
    if (slotFree) {
      start(spec);
      spawn.replyTo().tell(StatusReply.success(new Submitted(taskId, Submitted.State.RUNNING)));
    } else {
      state.queue.add(spec.sessionKey(), spec);
      getContext().getLog().debug("queued behind {} running tasks", state.running.size());
      spawn.replyTo().tell(StatusReply.success(new Submitted(taskId, Submitted.State.QUEUED)));
    }
    return this;
  }

  private Behavior<Command> refuse(Spawn spawn, ExecRejectedException.Reason reason, String message) {
    getContext().getLog().info("refused spawn: {}", message);
    spawn.replyTo().tell(StatusReply.error(new ExecRejectedException(reason, message)));
    return this;
  }

  private TaskSpec specOf(ExecRequest request, String taskId) {
    TaskKey key = new TaskKey(request.sessionKey(), taskId);
    String marker = TaskIds.newMarker();
    Map<String, String> markers =
        Map.of(
            "EXECPOOL_SESSION_KEY", key.sessionKey(),
            "EXECPOOL_TASK_ID", taskId,
            ProcessTree.MARKER_VARIABLE, marker);
    return new TaskSpec(
        key,
        request.toolCallId(),
        request.command(),
        request.cwd() != null ? request.cwd().toAbsolutePath() : defaultCwd,
        request.timeout() != null ? request.timeout() : settings.defaultTimeout(),
        tools.environment().build(request.env(), markers),
        marker,
        Instant.now(tools.clock()));
  }

  private void start(TaskSpec spec) {
    String name = "task-" + spec.taskId() + "-" + (++state.childSequence);
    ActorRef<TaskRunner.Command> runner =
        getContext().spawn(TaskRunner.create(spec, getContext().getSelf(), tools), name);
    getContext().watchWith(runner, new TaskStopped(spec.key()));
    state.running.put(spec.key(), runner);
  }

  private void startQueued() {
    while (!state.shuttingDown
        && (settings.unlimitedConcurrency() || state.running.size() < settings.maxConcurrent())) {
      Optional<TaskSpec> next = state.queue.poll();
      if (next.isEmpty()) {
        return;
      }
      start(next.get());
    }
  }

  // --- results ---------------------------------------------------------------------------------

  private Behavior<Command> onTaskFinished(TaskFinished finished) {
    if (state.running.remove(finished.key()) != null) {
      deliver(finished.key(), finished.result());
    }
    return this;
  }

  /** A runner stopped; if it had not reported, it crashed: its session still gets a result. */
  private Behavior<Command> onTaskStopped(TaskStopped stopped) {
    if (state.running.remove(stopped.key()) != null) {
      getContext().getLog().error("task runner for {} stopped without a result", stopped.key());
      Instant now = Instant.now(tools.clock());
      deliver(
          stopped.key(),
          new ExecResult(
              stopped.key().taskId(), null, stopped.key().sessionKey(), "", Outcome.CRASHED, null, "",
              "", false, false, 0, 0, now, now, ResultMessages.crashed()));
    }
    return this;
  }

  private void deliver(TaskKey key, ExecResult result) {
    SessionBook book = sessionBook(key.sessionKey());
    book.active.remove(key.taskId());
    book.pending.add(key.taskId());
    state.pendingTotal++;
    book.ref.tell(new Session.Deliver(result));
    startQueued();
    answerShutdownIfDone();
  }

  private Behavior<Command> onCollectPending(CollectPending collect) {
    SessionBook book = state.sessions.get(collect.sessionKey());
    if (book == null || book.pending.isEmpty()) {
      collect.replyTo().tell(List.of());
      return this;
    }
    state.pendingTotal -= book.pending.size();
    book.pending.clear();
    book.ref.tell(new Session.DrainAll(collect.replyTo()));
    armIdleTimerIfIdle(collect.sessionKey(), book);
    return this;
  }

  private Behavior<Command> onCollectTask(CollectTask collect) {
    SessionBook book = state.sessions.get(collect.sessionKey());
    if (book == null || !book.pending.remove(collect.taskId())) {
      // Unknown, still running, or another session's: all look the same from here.
      collect.replyTo().tell(Optional.empty());
      return this;
    }
    state.pendingTotal--;
    book.ref.tell(new Session.DrainOne(collect.taskId(), collect.replyTo()));
    armIdleTimerIfIdle(collect.sessionKey(), book);
    return this;
  }

  private Behavior<Command> onIsRunning(IsRunning query) {
    SessionBook book = state.sessions.get(query.sessionKey());
    query.replyTo().tell(book != null && book.active.contains(query.taskId()));
    return this;
  }

  private Behavior<Command> onGetStats(GetStats query) {
    query.replyTo().tell(new PoolStats(state.running.size(), state.queue.size(), state.pendingTotal, state.sessions.size()));
    return this;
  }

  // --- sessions --------------------------------------------------------------------------------

  private SessionBook sessionBook(String sessionKey) {
    SessionBook book = state.sessions.get(sessionKey);
    if (book == null) {
      book = new SessionBook(spawnSession(sessionKey));
      state.sessions.put(sessionKey, book);
    }
    return book;
  }

  private ActorRef<Session.Command> spawnSession(String sessionKey) {
    String name = "session-" + sessionKey + "-" + (++state.childSequence);
    ActorRef<Session.Command> ref = getContext().spawn(Session.create(sessionKey), name);
    getContext().watchWith(ref, new SessionStopped(sessionKey, ref));
    return ref;
  }

  private void armIdleTimerIfIdle(String sessionKey, SessionBook book) {
    if (book.idle()) {
      timers.startSingleTimer(new SessionIdle(sessionKey), new SessionIdle(sessionKey), settings.sessionIdleTimeout());
    }
  }

  private Behavior<Command> onSessionIdle(SessionIdle idle) {
    SessionBook book = state.sessions.get(idle.sessionKey());
    if (book != null && book.idle()) {
      getContext().getLog().debug("retiring idle session {}", idle.sessionKey());
      state.sessions.remove(idle.sessionKey());
      book.ref.tell(Session.Retire.INSTANCE);
    }
    return this;
  }

  /**
   * A session actor restarts on failure, so it stops only when retired or when something worse than
   * an exception hit it. In that case its results are gone: say so loudly, with every task id.
   */
  private Behavior<Command> onSessionStopped(SessionStopped stopped) {
    SessionBook book = state.sessions.get(stopped.sessionKey());
    if (book != null && book.ref.equals(stopped.ref())) {
      getContext()
          .getLog()
          .error("session {} stopped unexpectedly; lost results of tasks {}", stopped.sessionKey(), book.pending);
      state.pendingTotal -= book.pending.size();
      SessionBook replacement = new SessionBook(spawnSession(stopped.sessionKey()));
      replacement.active.addAll(book.active);
      state.sessions.put(stopped.sessionKey(), replacement);
    }
    return this;
  }

  // --- shutdown --------------------------------------------------------------------------------

  private Behavior<Command> onShutdown(Shutdown shutdown) {
    state.shutdownWaiters.add(shutdown.replyTo());
    if (!state.shuttingDown) {
      state.shuttingDown = true;
      getContext()
          .getLog()
          .info("shutting down: {} running, {} queued", state.running.size(), state.queue.size());
      for (Optional<TaskSpec> queued = state.queue.poll(); queued.isPresent(); queued = state.queue.poll()) {
        deliver(queued.get().key(), neverStarted(queued.get()));
      }
      TaskRunner.Kill kill = new TaskRunner.Kill(TaskRunner.KillReason.SHUTDOWN, settings.shutdownGrace());
      state.running.values().forEach(runner -> runner.tell(kill));
      Duration bound = settings.shutdownGrace().plus(settings.pipeDrain().multipliedBy(2)).plusSeconds(1);
      timers.startSingleTimer(ShutdownDeadline.INSTANCE, bound);
    }
    answerShutdownIfDone();
    return this;
  }

  private ExecResult neverStarted(TaskSpec spec) {
    Instant now = Instant.now(tools.clock());
    return new ExecResult(
        spec.taskId(), spec.toolCallId(), spec.sessionKey(), spec.command(), Outcome.KILLED, null, "", "",
        false, false, 0, 0, now, now, "killed because the pool shut down before the task started");
  }

  private void answerShutdownIfDone() {
    if (state.shuttingDown && state.running.isEmpty() && !state.shutdownWaiters.isEmpty()) {
      state.shutdownWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
      state.shutdownWaiters.clear();
      timers.cancel(ShutdownDeadline.INSTANCE);
    }
  }

  private Behavior<Command> onShutdownDeadline() {
    getContext().getLog().warn("shutdown bound reached with {} tasks still reporting", state.running.size());
    state.shutdownWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
    state.shutdownWaiters.clear();
    return this;
  }

  // --- fault injection (tests) -----------------------------------------------------------------

  private Behavior<Command> onInjectTaskFault(InjectTaskFault inject) {
    ActorRef<TaskRunner.Command> runner =
        state.running.get(new TaskKey(inject.sessionKey(), inject.taskId()));
    if (runner != null) {
      runner.tell(new TaskRunner.InjectFault("test"));
    }
    inject.replyTo().tell(runner != null);
    return this;
  }

  private Behavior<Command> onInjectSessionFault(InjectSessionFault inject) {
    SessionBook book = state.sessions.get(inject.sessionKey());
    if (book != null) {
      book.ref.tell(new Session.InjectFault("test"));
    }
    inject.replyTo().tell(book != null);
    return this;
  }

  // --- logging ---------------------------------------------------------------------------------

  private static Map<String, String> mdcOf(Command command) {
    if (command instanceof Spawn spawn) {
      return mdc(spawn.request().sessionKey(), spawn.request().taskId());
    } else if (command instanceof CollectPending c) {
      return mdc(c.sessionKey(), null);
    } else if (command instanceof CollectTask c) {
      return mdc(c.sessionKey(), c.taskId());
    } else if (command instanceof TaskFinished f) {
      return mdc(f.key().sessionKey(), f.key().taskId());
    } else if (command instanceof TaskStopped s) {
      return mdc(s.key().sessionKey(), s.key().taskId());
    } else if (command instanceof SessionStopped s) {
      return mdc(s.sessionKey(), null);
    }
    return Map.of();
  }

  private static Map<String, String> mdc(String sessionKey, String taskId) {
    Map<String, String> mdc = new HashMap<>(2);
    if (sessionKey != null) {
      mdc.put("sessionKey", sessionKey);
    }
    if (taskId != null) {
      mdc.put("taskId", taskId);
    }
    return mdc;
  }
}
