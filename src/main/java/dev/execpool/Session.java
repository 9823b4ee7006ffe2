package dev.execpool;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Holds one session's finished results until they are collected, each exactly once.
 *
 * <p>Results arrive from the supervisor, which also forwards the collect requests, so a collect sees
 * every result the supervisor delivered before it. A failure restarts the actor with its {@link
 * SessionStore} intact: only the message that failed is lost, and delivery stores the result before
 * anything else can fail, so no result is.
 */
final class Session extends AbstractBehavior<Session.Command> {

  interface Command {}

  record Deliver(ExecResult result) implements Command {}

  record DrainAll(ActorRef<List<ExecResult>> replyTo) implements Command {}

  record DrainOne(String taskId, ActorRef<Optional<ExecResult>> replyTo) implements Command {}

  /** The supervisor retires a session that held nothing for {@code session-idle-timeout}. */
  enum Retire implements Command {
    INSTANCE
  }

  /** Fault injection for tests: the session throws while handling it. */
  record InjectFault(String why) implements Command {}

  static Behavior<Command> create(String sessionKey) {
    return Behaviors.withMdc(
        Command.class,
        Map.of("sessionKey", sessionKey),
        Behaviors.setup(
            outer -> {
              // Created once per session actor, outside the restarted part, so a restart keeps it.
              SessionStore store = new SessionStore();
              return Behaviors.supervise(Behaviors.<Command>setup(context -> new Session(context, store)))
                  .onFailure(Exception.class, SupervisorStrategy.restart());
            }));
  }

  private final SessionStore store;

  private Session(ActorContext<Command> context, SessionStore store) {
    super(context);
    this.store = store;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(DrainAll.class, this::onDrainAll)
        .onMessage(DrainOne.class, this::onDrainOne)
        .onMessageEquals(Retire.INSTANCE, Behaviors::stopped)
        .onMessage(InjectFault.class, this::onInjectFault)
        .build();
  }

  private Behavior<Command> onDeliver(Deliver deliver) {
    store.add(deliver.result());
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

  private Behavior<Command> onInjectFault(InjectFault fault) {
    throw new IllegalStateException("injected fault: " + fault.why());
  }
}
