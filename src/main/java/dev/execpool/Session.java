package dev.execpool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Holds one session's finished results until they are collected, each exactly once, and tells the
 * session's subscribers when its tasks start and finish.
 *
 * <p>Results arrive from the supervisor, which also forwards the collect requests, so a collect sees
 * every result the supervisor delivered before it. A failure restarts the actor with its {@link
 * SessionStore} and subscribers intact: only the message that failed is lost, and delivery stores the
 * result before anything else can fail, so no result is. Past the restart limit the actor stops and
 * the supervisor hands the same store to a fresh one.
 */
final class Session extends AbstractBehavior<Session.Command> {

  interface Command {}

  record Deliver(ExecResult result) implements Command {}

  record DrainAll(ActorRef<List<ExecResult>> replyTo) implements Command {}

  record DrainOne(String taskId, ActorRef<Optional<ExecResult>> replyTo) implements Command {}

  /** Replace a result nobody collected in time by its {@link Outcome#EXPIRED} stand-in. */
  record Expire(String taskId, ExecResult standIn) implements Command {}

  /** Drop an expired stand-in nobody collected either. */
  record Forget(String taskId) implements Command {}

  record Publish(TaskEvent event) implements Command {}

  record AddSubscriber(ActorRef<TaskEvent> subscriber) implements Command {}

  record RemoveSubscriber(ActorRef<TaskEvent> subscriber) implements Command {}

  /** The supervisor retires a session that held nothing for {@code session-idle-timeout}. */
  enum Retire implements Command {
    INSTANCE
  }

  /** Fault injection for tests: the session throws while handling it. */
  record InjectFault(String why) implements Command {}

  private record SubscriberStopped(ActorRef<TaskEvent> subscriber) implements Command {}

  /**
   * {@code store} and {@code subscribers} belong to the supervisor's book of this session and are
   * touched only by this actor while it lives, so they outlive both a restart and a replacement.
   */
  static Behavior<Command> create(
      String sessionKey,
      ActorRef<PoolSupervisor.Command> supervisor,
      SessionStore store,
      Set<ActorRef<TaskEvent>> subscribers,
      int maxRestarts,
      Duration restartWindow) {
    return Behaviors.withMdc(
        Command.class,
        Map.of("sessionKey", sessionKey),
        Behaviors.supervise(
                Behaviors.<Command>setup(
                    context -> new Session(context, sessionKey, supervisor, store, subscribers)))
            .onFailure(Exception.class, SupervisorStrategy.restart().withLimit(maxRestarts, restartWindow)));
  }

  private final String sessionKey;
  private final ActorRef<PoolSupervisor.Command> supervisor;
  private final SessionStore store;
  private final Set<ActorRef<TaskEvent>> subscribers;

  private Session(
      ActorContext<Command> context,
      String sessionKey,
      ActorRef<PoolSupervisor.Command> supervisor,
      SessionStore store,
      Set<ActorRef<TaskEvent>> subscribers) {
    super(context);
    this.sessionKey = sessionKey;
    this.supervisor = supervisor;
    this.store = store;
    this.subscribers = subscribers;
    // Watches do not survive a restart's new behaviour instance unless renewed (idempotent).
    subscribers.forEach(s -> context.watchWith(s, new SubscriberStopped(s)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(DrainAll.class, this::onDrainAll)
        .onMessage(DrainOne.class, this::onDrainOne)
        .onMessage(Expire.class, this::onExpire)
        .onMessage(Forget.class, this::onForget)
        .onMessage(Publish.class, this::onPublish)
        .onMessage(AddSubscriber.class, this::onAddSubscriber)
        .onMessage(RemoveSubscriber.class, this::onRemoveSubscriber)
        .onMessage(SubscriberStopped.class, this::onSubscriberStopped)
        .onMessageEquals(Retire.INSTANCE, Behaviors::stopped)
        .onMessage(InjectFault.class, this::onInjectFault)
        .build();
  }

  private Behavior<Command> onDeliver(Deliver deliver) {
    ExecResult result = deliver.result();
    store.add(result);
    publish(
        new TaskEvent.TaskFinished(
            sessionKey, result.taskId(), result.toolCallId(), result.outcome(), result.exitCode(), result.completedAt()));
    return this;
  }

  private Behavior<Command> onDrainAll(DrainAll drain) {
    List<ExecResult> results = store.drainAll();
    getContext().getLog().debug("collected {} results", results.size());
    drain.replyTo().tell(results);
    return this;
  }

  private Behavior<Command> onDrainOne(DrainOne drain) {
    drain.replyTo().tell(store.drain(drain.taskId()));
    return this;
  }

  private Behavior<Command> onExpire(Expire expire) {
    if (store.replace(expire.taskId(), expire.standIn())) {
      getContext().getLog().warn("result of task {} expired uncollected; its output was dropped", expire.taskId());
    }
    return this;
  }

  private Behavior<Command> onForget(Forget forget) {
    if (store.drain(forget.taskId()).isPresent()) {
      getContext().getLog().warn("dropped the expiry notice of task {}: nobody collected it", forget.taskId());
    }
    return this;
  }

  private Behavior<Command> onPublish(Publish publish) {
    publish(publish.event());
    return this;
  }

  private void publish(TaskEvent event) {
    subscribers.forEach(subscriber -> subscriber.tell(event));
  }

  private Behavior<Command> onAddSubscriber(AddSubscriber add) {
    if (subscribers.add(add.subscriber())) {
      getContext().watchWith(add.subscriber(), new SubscriberStopped(add.subscriber()));
    }
    reportSubscribers();
    return this;
  }

  private Behavior<Command> onRemoveSubscriber(RemoveSubscriber remove) {
    if (subscribers.remove(remove.subscriber())) {
      getContext().unwatch(remove.subscriber());
    }
    reportSubscribers();
    return this;
  }

  /** A subscriber that stops is unsubscribed: its notices would only be dead letters. */
  private Behavior<Command> onSubscriberStopped(SubscriberStopped stopped) {
    subscribers.remove(stopped.subscriber());
    reportSubscribers();
    return this;
  }

  /** The supervisor keeps a session with subscribers alive even when it holds no task. */
  private void reportSubscribers() {
    supervisor.tell(new PoolSupervisor.SubscriberCount(sessionKey, subscribers.size()));
  }

  private Behavior<Command> onInjectFault(InjectFault fault) {
    throw new IllegalStateException("injected fault: " + fault.why());
  }
}
