package dev.execpool;

import dev.execpool.process.ChildEnvironment;
import dev.execpool.process.OutputCapture;
import dev.execpool.process.TreeSignaller;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
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
 * TaskRunner} child per task and one {@link Session} child per session, and routes results, collects,
 * kills, waits and output reads.
 *
 * <p>The supervisor keeps the books: a record of every task a session has not yet collected (queued,
 * running, finished), with its thread-safe output captures, so reads and listings need no message to
 * a runner. Sessions keep the results themselves. Because every result reaches a session through the
 * supervisor, a collect forwarded to the session afterwards always finds it there.
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

  /** The output since the given byte offsets; reading never consumes the result. */
  public record ReadOutput(
      String sessionKey, String taskId, long stdoutOffset, long stderrOffset, ActorRef<OutputChunk> replyTo)
      implements Command {}

  /**
   * Kill a queued or running task (its result says {@link Outcome#KILLED}); answers false for a task
   * that already finished or that the session does not have.
   */
  public record Kill(String sessionKey, String taskId, ActorRef<Boolean> replyTo) implements Command {}

  /**
   * Wait at most {@code maxWait} (capped by {@code max-await}) for the task to finish; its result,
   * if it came, counts as collected. Nothing waits on a thread: the reply is sent when it finishes.
   */
  public record Await(String sessionKey, String taskId, Duration maxWait, ActorRef<Optional<ExecResult>> replyTo)
      implements Command {}

  /** Every task of the session that is queued, running or finished but not collected. */
  public record ListTasks(String sessionKey, ActorRef<List<TaskInfo>> replyTo) implements Command {}

  /** Hear about the session's tasks as they start and finish, until {@code subscriber} stops. */
  public record Subscribe(String sessionKey, ActorRef<TaskEvent> subscriber) implements Command {}

  public record Unsubscribe(String sessionKey, ActorRef<TaskEvent> subscriber) implements Command {}

  /**
   * Refuse new work, end queued tasks as {@link Outcome#KILLED}, stop every running tree (SIGTERM,
   * SIGKILL after {@code shutdown-grace}) and answer when all are gone.
   */
  public record Shutdown(ActorRef<Done> replyTo) implements Command {}

  record TaskLaunched(TaskKey key, Instant startedAt) implements Command {}

  record TaskEnded(TaskKey key, ExecResult result) implements Command {}

  record SubscriberCount(String sessionKey, int count) implements Command {}

  /** Expire results older than {@code result-ttl} now (also sent by a timer). */
  enum SweepExpired implements Command {
    INSTANCE
  }

  /** Fault injection for tests; answers whether the target existed. */
  record InjectTaskFault(String sessionKey, String taskId, ActorRef<Boolean> replyTo) implements Command {}

  /** Fault injection for tests; answers whether the session existed. */
  record InjectSessionFault(String sessionKey, ActorRef<Boolean> replyTo) implements Command {}

  private record TaskStopped(TaskKey key) implements Command {}

  private record SessionStopped(String sessionKey, ActorRef<Session.Command> ref) implements Command {}

  private record SessionIdle(String sessionKey) implements Command {}

  private record AwaitExpired(TaskKey key, ActorRef<Optional<ExecResult>> replyTo) implements Command {}

  private enum ShutdownDeadline implements Command {
    INSTANCE
  }

  public static Behavior<Command> create(ExecPoolSettings settings) {
    return create(settings, Clock.systemUTC());
  }

  /** With the clock that stamps results and ages them for {@code result-ttl} (tests move it). */
  public static Behavior<Command> create(ExecPoolSettings settings, Clock clock) {
    return Behaviors.setup(
        outer -> {
          // Built once, outside the restarted behaviour: a restart keeps the books and the tools.
          PoolState state = new PoolState();
          TaskTools tools = tools(settings, outer, clock);
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

  private static TaskTools tools(ExecPoolSettings settings, ActorContext<?> context, Clock clock) {
    Executor io = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.ioDispatcher()));
    Executor shortIo =
        context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.shortIoDispatcher()));
    return new TaskTools(
        settings,
        Launchers.create(settings, io, context.getSystem()),
        new ChildEnvironment(
            settings.envInherit(), settings.envDenyPatterns(), settings.envCoreNames(), System.getenv()),
        io,
        shortIo,
        new TreeSignaller(shortIo),
        clock);
  }

  /** One task its session has not yet collected. */
  private static final class TaskRecord {
    final TaskSpec spec;
    TaskState state = TaskState.QUEUED;
    /** Dropped when the result expires: then there is no output left to read. */
    TaskOutput output;
    ActorRef<TaskRunner.Command> runner;
    Instant startedAt;
    Instant finishedAt;
    Outcome outcome;
    Integer exitCode;
    /** The result as delivered (or its expiry stand-in), kept so a replaced session can be refilled. */
    ExecResult result;
    final List<ActorRef<Optional<ExecResult>>> waiters = new ArrayList<>(0);

    TaskRecord(TaskSpec spec, TaskOutput output) {
      this.spec = spec;
      this.output = output;
    }

    TaskKey key() {
      return spec.key();
    }
  }

  /** What the supervisor knows of one session: its actor and its uncollected tasks, oldest first. */
  private static final class SessionBook {
    ActorRef<Session.Command> ref;
    final LinkedHashMap<String, TaskRecord> tasks = new LinkedHashMap<>();
    /** Owned by the session actor while it lives; handed to its replacement if it dies. */
    final SessionStore store = new SessionStore();
    final Set<ActorRef<TaskEvent>> subscriberRefs = new LinkedHashSet<>();
    int subscribers;

    boolean idle() {
      return tasks.isEmpty() && subscribers == 0;
    }
  }

  /** Everything that must survive a restart of the supervisor's behaviour. */
  private static final class PoolState {
    final Map<String, SessionBook> sessions = new HashMap<>();
    final Map<TaskKey, TaskRecord> running = new HashMap<>();
    final FairQueue<TaskRecord> queue = new FairQueue<>();
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
    Duration sweepEvery = settings.resultTtl().dividedBy(4);
    timers.startTimerWithFixedDelay(
        SweepExpired.INSTANCE, sweepEvery.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : sweepEvery);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Spawn.class, this::onSpawn)
        .onMessage(CollectPending.class, this::onCollectPending)
        .onMessage(CollectTask.class, this::onCollectTask)
        .onMessage(IsRunning.class, this::onIsRunning)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(ReadOutput.class, this::onReadOutput)
        .onMessage(Kill.class, this::onKill)
        .onMessage(Await.class, this::onAwait)
        .onMessage(ListTasks.class, this::onListTasks)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessage(TaskLaunched.class, this::onTaskLaunched)
        .onMessage(TaskEnded.class, this::onTaskEnded)
        .onMessage(TaskStopped.class, this::onTaskStopped)
        .onMessage(AwaitExpired.class, this::onAwaitExpired)
        .onMessage(SubscriberCount.class, this::onSubscriberCount)
        .onMessage(SessionStopped.class, this::onSessionStopped)
        .onMessage(SessionIdle.class, this::onSessionIdle)
        .onMessageEquals(SweepExpired.INSTANCE, this::onSweepExpired)
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
    TaskRecord existing = book.tasks.get(taskId);
    if (existing != null) {
      return refuse(
          spawn,
          ExecRejectedException.Reason.DUPLICATE_TASK_ID,
          "duplicate task id: session "
              + request.sessionKey()
              + " already has task "
              + taskId
              + (existing.state.running() ? " queued or running" : " waiting to be collected"));
    }
    if (book.tasks.size() >= settings.maxPendingPerSession()) {
      return refuse(
          spawn,
          ExecRejectedException.Reason.SESSION_FULL,
          "session full: "
              + request.sessionKey()
              + " holds "
              + book.tasks.size()
              + " uncollected tasks (max-pending-per-session = "
              + settings.maxPendingPerSession()
              + "); collect results first");
    }
    boolean slotFree = hasFreeSlot();
    if (!slotFree && state.queue.size() >= settings.maxQueued()) {
      return refuse(
          spawn,
          ExecRejectedException.Reason.POOL_FULL,
          "pool full: " + state.running.size() + " running, " + state.queue.size() + " queued");
    }
    TaskRecord record = new TaskRecord(specOf(request, taskId), TaskOutput.withCap(settings.maxOutputBytes()));
    book.tasks.put(taskId, record);
    if (slotFree) {
      start(record);
      spawn.replyTo().tell(StatusReply.success(new Submitted(taskId, Submitted.State.RUNNING)));
    } else {
      state.queue.add(record.spec.sessionKey(), record);
      getContext().getLog().debug("queued behind {} running tasks", state.running.size());
      spawn.replyTo().tell(StatusReply.success(new Submitted(taskId, Submitted.State.QUEUED)));
    }
    return this;
  }

  private boolean hasFreeSlot() {
    return settings.unlimitedConcurrency() || state.running.size() < settings.maxConcurrent();
  }

  private Behavior<Command> refuse(Spawn spawn, ExecRejectedException.Reason reason, String message) {
    getContext().getLog().info("refused spawn: {}", message);
    spawn.replyTo().tell(StatusReply.error(new ExecRejectedException(reason, message)));
    return this;
  }

  private TaskSpec specOf(ExecRequest request, String taskId) {
    TaskKey key = new TaskKey(request.sessionKey(), taskId);
    return new TaskSpec(
        key,
        request.toolCallId(),
        request.command(),
        request.cwd() != null ? request.cwd().toAbsolutePath() : defaultCwd,
        request.timeout() != null ? request.timeout() : settings.defaultTimeout(),
        request.env(),
        TaskIds.newMarker(),
        now());
  }

  private void start(TaskRecord record) {
    String name = "task-" + record.spec.taskId() + "-" + (++state.childSequence);
    ActorRef<TaskRunner.Command> runner =
        getContext().spawn(TaskRunner.create(record.spec, record.output, getContext().getSelf(), tools), name);
    getContext().watchWith(runner, new TaskStopped(record.key()));
    record.runner = runner;
    record.state = TaskState.RUNNING;
    state.running.put(record.key(), record);
  }

  private void startQueued() {
    while (!state.shuttingDown && hasFreeSlot()) {
      Optional<TaskRecord> next = state.queue.poll();
      if (next.isEmpty()) {
        return;
      }
      start(next.get());
    }
  }

  // --- running tasks -----------------------------------------------------------------------------

  private Behavior<Command> onTaskLaunched(TaskLaunched launched) {
    TaskRecord record = state.running.get(launched.key());
    if (record != null) {
      record.startedAt = launched.startedAt();
      sessionBook(launched.key().sessionKey())
          .ref
          .tell(
              new Session.Publish(
                  new TaskEvent.TaskStarted(
                      launched.key().sessionKey(), launched.key().taskId(), record.spec.toolCallId(), launched.startedAt())));
    }
    return this;
  }

  private Behavior<Command> onKill(Kill kill) {
    TaskRecord record = find(kill.sessionKey(), kill.taskId());
    if (record == null || !record.state.running()) {
      kill.replyTo().tell(false);
    } else if (record.state == TaskState.QUEUED) {
      state.queue.remove(kill.sessionKey(), queued -> queued == record);
      getContext().getLog().info("killed {} before it started", record.key());
      finish(record, neverStarted(record, "killed on request before it started"));
      kill.replyTo().tell(true);
    } else {
      record.runner.tell(
          new TaskRunner.Kill(TaskRunner.KillReason.REQUESTED, settings.killGrace(), kill.replyTo()));
    }
    return this;
  }

  private Behavior<Command> onReadOutput(ReadOutput read) {
    TaskRecord record = find(read.sessionKey(), read.taskId());
    TaskState taskState = record == null ? TaskState.UNKNOWN : record.state;
    if (record == null || record.output == null || taskState == TaskState.QUEUED) {
      read.replyTo().tell(OutputChunk.empty(read.taskId(), taskState, read.stdoutOffset(), read.stderrOffset()));
      return this;
    }
    boolean complete = taskState == TaskState.FINISHED;
    int limit = settings.readOutputMaxBytes();
    OutputCapture.TextSlice out = record.output.stdout().readText(read.stdoutOffset(), limit, complete);
    OutputCapture.TextSlice err = record.output.stderr().readText(read.stderrOffset(), limit, complete);
    read.replyTo()
        .tell(
            new OutputChunk(
                read.taskId(), taskState, out.text(), err.text(), out.nextOffset(), err.nextOffset(),
                out.skipped(), err.skipped()));
    return this;
  }

  private Behavior<Command> onListTasks(ListTasks list) {
    SessionBook book = state.sessions.get(list.sessionKey());
    if (book == null) {
      list.replyTo().tell(List.of());
      return this;
    }
    Instant now = now();
    List<TaskInfo> infos = new ArrayList<>(book.tasks.size());
    for (TaskRecord r : book.tasks.values()) {
      Instant from = r.startedAt != null ? r.startedAt : r.spec.acceptedAt();
      Instant to = r.finishedAt != null ? r.finishedAt : now;
      infos.add(
          new TaskInfo(
              r.spec.taskId(), r.spec.toolCallId(), r.spec.command(), r.state, r.spec.acceptedAt(), r.startedAt,
              Duration.between(from, to), r.output == null ? 0 : r.output.stdout().totalBytes(),
              r.output == null ? 0 : r.output.stderr().totalBytes(), r.outcome, r.exitCode));
    }
    list.replyTo().tell(List.copyOf(infos));
    return this;
  }

  // --- results ---------------------------------------------------------------------------------

  private Behavior<Command> onTaskEnded(TaskEnded ended) {
    TaskRecord record = state.running.get(ended.key());
    if (record != null) {
      finish(record, ended.result());
    }
    return this;
  }

  /** A runner stopped; if it had not reported, it crashed: its session still gets a result. */
  private Behavior<Command> onTaskStopped(TaskStopped stopped) {
    TaskRecord record = state.running.get(stopped.key());
    if (record != null) {
      getContext().getLog().error("task runner for {} stopped without a result", stopped.key());
      Instant now = now();
      OutputCapture out = record.output.stdout();
      OutputCapture err = record.output.stderr();
      finish(
          record,
          new ExecResult(
              record.spec.taskId(), record.spec.toolCallId(), record.spec.sessionKey(), record.spec.command(),
              Outcome.CRASHED, null, out.text(), err.text(), out.truncated(), err.truncated(), out.totalBytes(),
              err.totalBytes(), record.startedAt != null ? record.startedAt : now, now, ResultMessages.crashed()));
    }
    return this;
  }

  /** The one way a task leaves the running or queued state: its result goes to its session. */
  private void finish(TaskRecord record, ExecResult result) {
    state.running.remove(record.key());
    record.runner = null;
    record.state = TaskState.FINISHED;
    record.finishedAt = result.completedAt();
    record.outcome = result.outcome();
    record.exitCode = result.exitCode();
    record.result = result;
    state.pendingTotal++;
    SessionBook book = sessionBook(record.spec.sessionKey());
    book.ref.tell(new Session.Deliver(result));
    if (!record.waiters.isEmpty()) {
      // The first waiter takes the result; later ones hear that it was collected.
      ActorRef<Optional<ExecResult>> first = record.waiters.remove(0);
      timers.cancel(new AwaitExpired(record.key(), first));
      record.waiters.forEach(
          waiter -> {
            timers.cancel(new AwaitExpired(record.key(), waiter));
            waiter.tell(Optional.empty());
          });
      record.waiters.clear();
      collect(book, record, first);
    }
    startQueued();
    answerShutdownIfDone();
  }

  private Behavior<Command> onCollectPending(CollectPending collect) {
    SessionBook book = state.sessions.get(collect.sessionKey());
    if (book == null) {
      collect.replyTo().tell(List.of());
      return this;
    }
    boolean any = false;
    for (Iterator<TaskRecord> it = book.tasks.values().iterator(); it.hasNext(); ) {
      if (!it.next().state.running()) {
        it.remove();
        state.pendingTotal--;
        any = true;
      }
    }
    if (!any) {
      collect.replyTo().tell(List.of());
      return this;
    }
    book.ref.tell(new Session.DrainAll(collect.replyTo()));
    armIdleTimerIfIdle(collect.sessionKey(), book);
    return this;
  }

  private Behavior<Command> onCollectTask(CollectTask collect) {
    SessionBook book = state.sessions.get(collect.sessionKey());
    TaskRecord record = book == null ? null : book.tasks.get(collect.taskId());
    if (record == null || record.state.running()) {
      // Unknown, still running, or another session's: all look the same from here.
      collect.replyTo().tell(Optional.empty());
      return this;
    }
    collect(book, record, collect.replyTo());
    return this;
  }

  private void collect(SessionBook book, TaskRecord record, ActorRef<Optional<ExecResult>> replyTo) {
    book.tasks.remove(record.spec.taskId());
    state.pendingTotal--;
    book.ref.tell(new Session.DrainOne(record.spec.taskId(), replyTo));
    armIdleTimerIfIdle(record.spec.sessionKey(), book);
  }

  private Behavior<Command> onAwait(Await await) {
    SessionBook book = state.sessions.get(await.sessionKey());
    TaskRecord record = book == null ? null : book.tasks.get(await.taskId());
    if (record == null) {
      await.replyTo().tell(Optional.empty());
    } else if (!record.state.running()) {
      collect(book, record, await.replyTo());
    } else {
      Duration wait = await.maxWait().compareTo(settings.maxAwait()) > 0 ? settings.maxAwait() : await.maxWait();
      record.waiters.add(await.replyTo());
      AwaitExpired expiry = new AwaitExpired(record.key(), await.replyTo());
      timers.startSingleTimer(expiry, expiry, wait.isNegative() ? Duration.ZERO : wait);
    }
    return this;
  }

  private Behavior<Command> onAwaitExpired(AwaitExpired expired) {
    TaskRecord record = find(expired.key().sessionKey(), expired.key().taskId());
    if (record != null && record.waiters.remove(expired.replyTo())) {
      expired.replyTo().tell(Optional.empty());
    }
    return this;
  }

  private Behavior<Command> onIsRunning(IsRunning query) {
    TaskRecord record = find(query.sessionKey(), query.taskId());
    query.replyTo().tell(record != null && record.state.running());
    return this;
  }

  private Behavior<Command> onGetStats(GetStats query) {
    query.replyTo()
        .tell(new PoolStats(state.running.size(), state.queue.size(), state.pendingTotal, state.sessions.size()));
    return this;
  }

  private TaskRecord find(String sessionKey, String taskId) {
    SessionBook book = state.sessions.get(sessionKey);
    return book == null ? null : book.tasks.get(taskId);
  }

  // --- expiry ----------------------------------------------------------------------------------

  /**
   * Results nobody collected within {@code result-ttl} give way to a small {@link Outcome#EXPIRED}
   * stand-in, so the agent learns what happened instead of finding nothing; a stand-in nobody
   * collects within another {@code result-ttl} is dropped. Both are logged with the task id.
   */
  private Behavior<Command> onSweepExpired() {
    Instant now = now();
    Instant cutoff = now.minus(settings.resultTtl());
    for (Map.Entry<String, SessionBook> entry : state.sessions.entrySet()) {
      SessionBook book = entry.getValue();
      for (Iterator<TaskRecord> it = book.tasks.values().iterator(); it.hasNext(); ) {
        TaskRecord r = it.next();
        if (r.state == TaskState.FINISHED && r.finishedAt.isBefore(cutoff)) {
          r.state = TaskState.EXPIRED;
          r.output = null;
          r.finishedAt = now;
          r.result = expiredStandIn(r, now);
          book.ref.tell(new Session.Expire(r.spec.taskId(), r.result));
        } else if (r.state == TaskState.EXPIRED && r.finishedAt.isBefore(cutoff)) {
          it.remove();
          state.pendingTotal--;
          book.ref.tell(new Session.Forget(r.spec.taskId()));
        }
      }
      armIdleTimerIfIdle(entry.getKey(), book);
    }
    return this;
  }

  private ExecResult expiredStandIn(TaskRecord r, Instant now) {
    return new ExecResult(
        r.spec.taskId(), r.spec.toolCallId(), r.spec.sessionKey(), r.spec.command(), Outcome.EXPIRED, null, "", "",
        false, false, 0, 0, r.startedAt != null ? r.startedAt : r.spec.acceptedAt(), now,
        "the result expired: it was not collected within result-ttl ("
            + ResultMessages.seconds(settings.resultTtl())
            + "), so its output was dropped; the command had ended with outcome "
            + r.outcome
            + (r.exitCode != null ? " and exit code " + r.exitCode : ""));
  }

  // --- sessions --------------------------------------------------------------------------------

  private SessionBook sessionBook(String sessionKey) {
    SessionBook book = state.sessions.get(sessionKey);
    if (book == null) {
      book = new SessionBook();
      book.ref = spawnSession(sessionKey, book);
      state.sessions.put(sessionKey, book);
    }
    return book;
  }

  private ActorRef<Session.Command> spawnSession(String sessionKey, SessionBook book) {
    String name = "session-" + sessionKey + "-" + (++state.childSequence);
    ActorRef<Session.Command> ref =
        getContext()
            .spawn(
                Session.create(
                    sessionKey, getContext().getSelf(), book.store, book.subscriberRefs,
                    settings.sessionMaxRestarts(), settings.sessionRestartWindow()),
                name);
    getContext().watchWith(ref, new SessionStopped(sessionKey, ref));
    return ref;
  }

  private Behavior<Command> onSubscribe(Subscribe subscribe) {
    SessionBook book = sessionBook(subscribe.sessionKey());
    book.subscribers++; // provisional, so the session is not retired before it reports the count
    book.ref.tell(new Session.AddSubscriber(subscribe.subscriber()));
    return this;
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe unsubscribe) {
    SessionBook book = state.sessions.get(unsubscribe.sessionKey());
    if (book != null) {
      book.ref.tell(new Session.RemoveSubscriber(unsubscribe.subscriber()));
    }
    return this;
  }

  private Behavior<Command> onSubscriberCount(SubscriberCount count) {
    SessionBook book = state.sessions.get(count.sessionKey());
    if (book != null) {
      book.subscribers = count.count();
      armIdleTimerIfIdle(count.sessionKey(), book);
    }
    return this;
  }

  private void armIdleTimerIfIdle(String sessionKey, SessionBook book) {
    if (book.idle()) {
      SessionIdle idle = new SessionIdle(sessionKey);
      timers.startSingleTimer(idle, idle, settings.sessionIdleTimeout());
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
   * A session actor restarts on failure, up to {@code session-max-restarts} within the window; past
   * that Pekko stops it. Its store and subscribers survive in the book (the dead actor can no longer
   * touch them), so a fresh actor takes them over; results the dead one never stored (a delivery
   * that reached it after it failed) are refilled from the task records. Nothing uncollected is lost.
   */
  private Behavior<Command> onSessionStopped(SessionStopped stopped) {
    SessionBook book = state.sessions.get(stopped.sessionKey());
    if (book != null && book.ref.equals(stopped.ref())) {
      int refilled = 0;
      for (TaskRecord r : book.tasks.values()) {
        if (r.result != null && !book.store.contains(r.spec.taskId())) {
          book.store.add(r.result);
          refilled++;
        }
      }
      book.ref = spawnSession(stopped.sessionKey(), book);
      getContext()
          .getLog()
          .error(
              "session {} failed more than {} times within {}; replaced its actor, keeping its {} results ({} refilled)",
              stopped.sessionKey(), settings.sessionMaxRestarts(), settings.sessionRestartWindow(),
              book.store.size(), refilled);
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
      for (Optional<TaskRecord> queued = state.queue.poll(); queued.isPresent(); queued = state.queue.poll()) {
        finish(queued.get(), neverStarted(queued.get(), "killed because the pool shut down before the task started"));
      }
      TaskRunner.Kill kill = new TaskRunner.Kill(TaskRunner.KillReason.SHUTDOWN, settings.shutdownGrace(), null);
      state.running.values().forEach(record -> record.runner.tell(kill));
      Duration bound = settings.shutdownGrace().plus(settings.pipeDrain().multipliedBy(2)).plusSeconds(1);
      timers.startSingleTimer(ShutdownDeadline.INSTANCE, bound);
    }
    answerShutdownIfDone();
    return this;
  }

  private ExecResult neverStarted(TaskRecord record, String message) {
    Instant now = now();
    TaskSpec spec = record.spec;
    return new ExecResult(
        spec.taskId(), spec.toolCallId(), spec.sessionKey(), spec.command(), Outcome.KILLED, null, "", "",
        false, false, 0, 0, now, now, message);
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
    TaskRecord record = state.running.get(new TaskKey(inject.sessionKey(), inject.taskId()));
    if (record != null) {
      record.runner.tell(new TaskRunner.InjectFault("test"));
    }
    inject.replyTo().tell(record != null);
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

  // --- helpers ---------------------------------------------------------------------------------

  private Instant now() {
    return Instant.now(tools.clock());
  }

  private static Map<String, String> mdcOf(Command command) {
    if (command instanceof Spawn spawn) {
      return mdc(spawn.request().sessionKey(), spawn.request().taskId());
    } else if (command instanceof CollectPending c) {
      return mdc(c.sessionKey(), null);
    } else if (command instanceof CollectTask c) {
      return mdc(c.sessionKey(), c.taskId());
    } else if (command instanceof Kill k) {
      return mdc(k.sessionKey(), k.taskId());
    } else if (command instanceof TaskEnded f) {
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
