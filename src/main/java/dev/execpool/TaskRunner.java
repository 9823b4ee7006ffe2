package dev.execpool;

import dev.execpool.process.LaunchedProcess;
import dev.execpool.process.OutputCapture;
import dev.execpool.process.LaunchException;
import dev.execpool.process.ProcessTree;
import dev.execpool.process.Stages;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * Runs one task: starts its process, drains its output through a stream, owns its deadline, and
 * reports exactly one {@link ExecResult} to the supervisor before it stops.
 *
 * <p>The life of a task: launch (on the I/O dispatcher) → running (deadline timer armed) → the
 * process exits, or the deadline or a kill sends SIGTERM to the whole tree and SIGKILL after the grace
 * → the pipes are drained (bounded by {@code pipe-drain}) and the tree is swept once more, so nothing
 * the command started outlives it → the result goes to the supervisor. A runner is never restarted: a
 * restart would run the command twice. If it fails, {@link PostStop} kills the tree and still reports
 * a {@link Outcome#CRASHED} result with the output so far.
 */
final class TaskRunner extends AbstractBehavior<TaskRunner.Command> {

  interface Command {}

  /**
   * Stop the task: SIGTERM to its tree now, SIGKILL after {@code grace}. {@code replyTo} (may be
   * null) hears whether this kill took effect: false once the process has exited or is already
   * being stopped.
   */
  record Kill(KillReason reason, Duration grace, ActorRef<Boolean> replyTo) implements Command {}

  enum KillReason {
    REQUESTED("on request"),
    SHUTDOWN("because the pool shut down");

    final String words;

    KillReason(String words) {
      this.words = words;
    }
  }

  /** Fault injection for tests: the runner throws while handling it. */
  record InjectFault(String why) implements Command {}

  private record Launched(LaunchedProcess process) implements Command {}

  private record LaunchFailed(String message) implements Command {}

  /** {@code exitCode} is null when the launcher could not learn it. */
  private record ProcessExited(Integer exitCode, Instant at) implements Command {}

  private record OutputClosed(Throwable failure) implements Command {}

  /** A signal went to {@code count} processes; {@code purpose} says which step sent it. */
  private record Signalled(SignalPurpose purpose, int count) implements Command {}

  private enum SignalPurpose {
    TERMINATE,
    FORCE,
    SWEEP
  }

  private enum Tick implements Command {
    DEADLINE,
    GRACE_OVER,
    DRAIN_OVER,
    FINAL_BOUND
  }

  static Behavior<Command> create(
      TaskSpec spec, TaskOutput output, ActorRef<PoolSupervisor.Command> parent, TaskTools tools) {
    return Behaviors.withMdc(
        Command.class,
        Map.of("sessionKey", spec.sessionKey(), "taskId", spec.taskId()),
        Behaviors.setup(
            context ->
                Behaviors.withTimers(timers -> new TaskRunner(context, timers, spec, output, parent, tools))));
  }

  private final TimerScheduler<Command> timers;
  private final TaskSpec spec;
  private final ActorRef<PoolSupervisor.Command> parent;
  private final TaskTools tools;
  private final ExecPoolSettings settings;
  private final OutputCapture stdout;
  private final OutputCapture stderr;

  private final LaunchHandOver handOver = new LaunchHandOver();
  private LaunchedProcess launched;
  private KillReason pendingKill;
  private Duration pendingKillGrace;
  /** Why the task is being stopped (TIMED_OUT or KILLED), or null while it runs its course. */
  private Outcome stopOutcome;
  private String killWords;
  private Duration grace;
  private boolean sigkillNeeded;
  private boolean exited;
  private Integer exitCode;
  private Instant exitedAt;
  private boolean outputClosed;
  private boolean outputAbandoned;
  private boolean sweepStarted;
  private boolean swept;
  private int stragglersKilled;
  private boolean reported;

  private TaskRunner(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      TaskSpec spec,
      TaskOutput output,
      ActorRef<PoolSupervisor.Command> parent,
      TaskTools tools) {
    super(context);
    this.timers = timers;
    this.spec = spec;
    this.parent = parent;
    this.tools = tools;
    this.settings = tools.settings();
    this.stdout = output.stdout();
    this.stderr = output.stderr();
    launch();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Launched.class, this::onLaunched)
        .onMessage(LaunchFailed.class, this::onLaunchFailed)
        .onMessage(ProcessExited.class, this::onProcessExited)
        .onMessage(OutputClosed.class, this::onOutputClosed)
        .onMessage(Signalled.class, this::onSignalled)
        .onMessage(Kill.class, this::onKill)
        .onMessageEquals(Tick.DEADLINE, this::onDeadline)
        .onMessageEquals(Tick.GRACE_OVER, this::onGraceOver)
        .onMessageEquals(Tick.DRAIN_OVER, this::onDrainOver)
        .onMessageEquals(Tick.FINAL_BOUND, this::onFinalBound)
        .onMessage(InjectFault.class, this::onInjectFault)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  // --- launch ---------------------------------------------------------------------------------

  /**
   * The output stream is materialized first, so the launcher can feed it from the moment the
   * process exists.
   */
  private void launch() {
    Duration backstop =
        spec.timeout().plus(settings.killGrace()).plus(settings.pipeDrain().multipliedBy(2)).plusSeconds(5);
    OutputStreams output =
        new OutputStreams(stdout, stderr, backstop, Materializer.matFromSystem(getContext().getSystem()));
    getContext().pipeToSelf(Stages.plain(output.done()), (done, failure) -> new OutputClosed(failure));
    CompletableFuture<Command> started = new CompletableFuture<>();
    tools.launchExecutor().execute(() -> launchAndRead(output.stdout(), output.stderr(), started));
    getContext().pipeToSelf(started, (message, failure) -> failure == null ? message : new LaunchFailed(
        "failed to start the shell - the command never ran: " + unwrap(failure)));
  }

  /**
   * Runs on {@link TaskTools#launchExecutor}: for the spawn (native launcher) or the life of the
   * process (jdk).
   */
  private void launchAndRead(
      SourceQueueWithComplete<ByteString> out,
      SourceQueueWithComplete<ByteString> err,
      CompletableFuture<Command> started) {
    try {
      tools
          .launcher()
          .launch(
              spec.command(),
              spec.cwd(),
              spec.childEnvironment(tools.environment()),
              spec.marker(),
              out,
              err,
              process -> {
                if (!handOver.offer(process)) {
                  // The runner stopped while the fork was under way: nobody else will kill it.
                  process.tree().signal(true);
                  process.process().destroyForcibly();
                }
                started.complete(new Launched(process));
              });
    } catch (RuntimeException e) {
      out.complete();
      err.complete();
      started.complete(
          new LaunchFailed(
              e instanceof LaunchException
                  ? e.getMessage()
                  : "failed to start the shell - the command never ran: " + e));
    }
  }

  private Behavior<Command> onLaunched(Launched message) {
    launched = message.process();
    getContext().getLog().debug("started pid {}: {}", launched.process().pid(), spec.command());
    parent.tell(new PoolSupervisor.TaskLaunched(spec.key(), launched.startedAt()));
    getContext()
        .pipeToSelf(
            launched.process().onExit(),
            (code, failure) -> new ProcessExited(failure == null ? code : null, Instant.now()));
    if (pendingKill != null) {
      beginStop(Outcome.KILLED, pendingKill.words, pendingKillGrace);
    } else {
      timers.startSingleTimer(Tick.DEADLINE, spec.timeout());
    }
    return this;
  }

  private Behavior<Command> onLaunchFailed(LaunchFailed failed) {
    getContext().getLog().warn("task could not start: {}", failed.message());
    Instant now = Instant.now();
    return report(Outcome.FAILED_TO_START, null, now, now, failed.message());
  }

  // --- running ---------------------------------------------------------------------------------

  private Behavior<Command> onDeadline() {
    if (!exited && stopOutcome == null) {
      getContext().getLog().info("timed out after {}", spec.timeout());
      beginStop(Outcome.TIMED_OUT, null, settings.killGrace());
    }
    return this;
  }

  private Behavior<Command> onKill(Kill kill) {
    boolean takesEffect = !exited && stopOutcome == null && pendingKill == null;
    if (takesEffect && launched == null) {
      pendingKill = kill.reason();
      pendingKillGrace = kill.grace();
    } else if (takesEffect) {
      getContext().getLog().info("killing {}", kill.reason().words);
      beginStop(Outcome.KILLED, kill.reason().words, kill.grace());
    }
    if (kill.replyTo() != null) {
      kill.replyTo().tell(takesEffect);
    }
    return this;
  }

  private void beginStop(Outcome outcome, String words, Duration grace) {
    stopOutcome = outcome;
    killWords = words;
    this.grace = grace;
    timers.cancel(Tick.DEADLINE);
    signalTree(SignalPurpose.TERMINATE, false);
    timers.startSingleTimer(Tick.GRACE_OVER, grace);
  }

  private Behavior<Command> onGraceOver() {
    if (!swept) {
      signalTree(SignalPurpose.FORCE, true);
    }
    return this;
  }

  // --- ending ----------------------------------------------------------------------------------

  private Behavior<Command> onProcessExited(ProcessExited message) {
    exited = true;
    exitCode = message.exitCode();
    exitedAt = message.at();
    timers.cancel(Tick.DEADLINE);
    if (outputClosed) {
      sweep();
    } else if (stopOutcome == null) {
      // Something the command started still holds a pipe: give it pipe-drain to finish writing.
      timers.startSingleTimer(Tick.DRAIN_OVER, settings.pipeDrain());
    }
    return maybeFinish();
  }

  private Behavior<Command> onOutputClosed(OutputClosed message) {
    outputClosed = true;
    if (message.failure() != null) {
      outputAbandoned = true;
      getContext().getLog().warn("output stream ended with {}", message.failure().toString());
    }
    if (exited) {
      sweep();
    }
    return maybeFinish();
  }

  private Behavior<Command> onDrainOver() {
    sweep();
    return this;
  }

  /** After the main process exits, whatever is left of its tree is killed: nothing outlives a task. */
  private void sweep() {
    if (!sweepStarted) {
      sweepStarted = true;
      timers.cancel(Tick.DRAIN_OVER);
      signalTree(SignalPurpose.SWEEP, true);
    }
  }

  private Behavior<Command> onSignalled(Signalled message) {
    switch (message.purpose()) {
      case TERMINATE -> {}
      case FORCE -> {
        sigkillNeeded = message.count() > 0;
        markSwept(0);
      }
      case SWEEP -> markSwept(message.count());
    }
    return maybeFinish();
  }

  private void markSwept(int killed) {
    swept = true;
    sweepStarted = true;
    stragglersKilled += killed;
    timers.cancel(Tick.GRACE_OVER);
    timers.cancel(Tick.DRAIN_OVER);
    if (!exited || !outputClosed) {
      // Every process of the tree got SIGKILL: exit and EOF must follow promptly. Bound the wait.
      timers.startSingleTimer(Tick.FINAL_BOUND, settings.pipeDrain());
    }
  }

  private Behavior<Command> onFinalBound() {
    if (!exited) {
      exited = true;
      exitedAt = Instant.now();
    }
    if (!outputClosed) {
      outputClosed = true;
      outputAbandoned = true;
    }
    return maybeFinish();
  }

  private Behavior<Command> maybeFinish() {
    if (!exited || !outputClosed || !swept) {
      return this;
    }
    ResultMessages.Notes notes = new ResultMessages.Notes();
    Outcome outcome;
    Integer code = null;
    if (stopOutcome == Outcome.TIMED_OUT) {
      outcome = Outcome.TIMED_OUT;
      notes.add(ResultMessages.timedOut(spec.timeout(), sigkillNeeded, grace));
    } else if (stopOutcome == Outcome.KILLED) {
      outcome = Outcome.KILLED;
      notes.add(ResultMessages.killed(killWords, sigkillNeeded, grace));
    } else if (exitCode == null) {
      outcome = Outcome.KILLED;
      notes.add(ResultMessages.noExit());
    } else {
      outcome = Outcome.EXITED;
      code = exitCode;
      String words = ResultMessages.exited(exitCode);
      if (words != null) {
        notes.add(words);
      }
    }
    if (stragglersKilled > 0 && stopOutcome == null) {
      notes.add(ResultMessages.stragglers(stragglersKilled));
    }
    if (outputAbandoned) {
      notes.add(ResultMessages.outputAbandoned());
    }
    if (stdout.truncated()) {
      notes.add(ResultMessages.truncated("stdout", stdout.totalBytes(), settings.maxOutputBytes()));
    }
    if (stderr.truncated()) {
      notes.add(ResultMessages.truncated("stderr", stderr.totalBytes(), settings.maxOutputBytes()));
    }
    return report(outcome, code, launched.startedAt(), exitedAt, notes.join());
  }

  private Behavior<Command> report(
      Outcome outcome, Integer code, Instant startedAt, Instant completedAt, String message) {
    ExecResult result =
        new ExecResult(
            spec.taskId(),
            spec.toolCallId(),
            spec.sessionKey(),
            spec.command(),
            outcome,
            code,
            stdout.text(),
            stderr.text(),
            stdout.truncated(),
            stderr.truncated(),
            stdout.totalBytes(),
            stderr.totalBytes(),
            startedAt,
            completedAt,
            message);
    reported = true;
    getContext()
        .getLog()
        .info("finished: {} exit={} stdout={}B stderr={}B", outcome, code, stdout.totalBytes(), stderr.totalBytes());
    parent.tell(new PoolSupervisor.TaskEnded(spec.key(), result));
    return Behaviors.stopped();
  }

  // --- signals -----------------------------------------------------------------------------------

  /** Signals the tree on the short I/O dispatcher: finding its members reads /proc, which is I/O. */
  private void signalTree(SignalPurpose purpose, boolean force) {
    ProcessTree tree = launched.tree();
    CompletableFuture<Command> signalled =
        tools.signaller().signal(tree, force).thenApply(count -> new Signalled(purpose, count));
    getContext()
        .pipeToSelf(
            signalled,
            (message, failure) -> {
              if (failure != null) {
                getContext().getLog().error("signalling the process tree failed", unwrap(failure));
                return new Signalled(purpose, 0);
              }
              return message;
            });
  }

  private Behavior<Command> onInjectFault(InjectFault fault) {
    throw new IllegalStateException("injected fault: " + fault.why());
  }

  /**
   * Reached after a normal report (nothing to do) or when the runner failed or the actor system is
   * going down. Then the tree is killed right here, on this thread: there may be no later chance,
   * and SIGKILL to a handful of pids is quick. The supervisor still gets a result, so none is lost.
   */
  private Behavior<Command> onPostStop() {
    if (reported) {
      return this;
    }
    LaunchedProcess process = handOver.close();
    if (process != null) {
      int killed = process.tree().signal(true);
      process.process().destroyForcibly();
      getContext().getLog().warn("task runner stopped before reporting; killed {} processes", killed);
    }
    Instant now = Instant.now();
    ExecResult result =
        new ExecResult(
            spec.taskId(),
            spec.toolCallId(),
            spec.sessionKey(),
            spec.command(),
            Outcome.CRASHED,
            null,
            stdout.text(),
            stderr.text(),
            stdout.truncated(),
            stderr.truncated(),
            stdout.totalBytes(),
            stderr.totalBytes(),
            process != null ? process.startedAt() : now,
            now,
            ResultMessages.crashed());
    reported = true;
    parent.tell(new PoolSupervisor.TaskEnded(spec.key(), result));
    return this;
  }

  /**
   * Hands the started process from the launching thread to the actor without a gap: if the runner
   * stops while the fork is under way, exactly one side sees the process and kills it.
   */
  private static final class LaunchHandOver {
    private LaunchedProcess process;
    private boolean closed;

    /** False when the runner already stopped: the caller must kill the process itself. */
    synchronized boolean offer(LaunchedProcess started) {
      if (closed) {
        return false;
      }
      process = started;
      return true;
    }

    /** The process, if one was started; after this, offers are refused. */
    synchronized LaunchedProcess close() {
      closed = true;
      return process;
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }
}
