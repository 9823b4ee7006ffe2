package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor's actor protocol, driven by probes and by a small agent actor. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoolSupervisorTest {
  private final ActorTestKit testKit =
      ActorTestKit.create(TestPools.config("execpool { max-concurrent = 8, session-idle-timeout = 300ms, session-max-restarts = 2 }"));
  private final ExecPoolSettings settings = ExecPoolSettings.fromConfig(testKit.system().settings().config());
  private final ActorRef<PoolSupervisor.Command> pool = testKit.spawn(PoolSupervisor.create(settings), "pool");

  @TempDir Path tmp;

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  private String spawn(ExecRequest request) {
    TestProbe<StatusReply<Submitted>> reply = testKit.createTestProbe();
    pool.tell(new PoolSupervisor.Spawn(request, reply.getRef()));
    StatusReply<Submitted> answer = reply.receiveMessage(Duration.ofSeconds(10));
    assertTrue(answer.isSuccess(), () -> "refused: " + answer.getError());
    return answer.getValue().taskId();
  }

  private ExecResult awaitResult(String session, String taskId) {
    TestProbe<Optional<ExecResult>> probe = testKit.createTestProbe();
    return probe.awaitAssert(
        Duration.ofSeconds(20),
        Duration.ofMillis(50),
        () -> {
          pool.tell(new PoolSupervisor.CollectTask(session, taskId, probe.getRef()));
          Optional<ExecResult> result = probe.receiveMessage(Duration.ofSeconds(5));
          assertTrue(result.isPresent(), "not finished yet");
          return result.get();
        });
  }

  // --- an agent actor as a caller --------------------------------------------------------------

  /** A minimal agent: on its turns it starts commands and later drains its results, never blocking. */
  static final class Agent extends AbstractBehavior<Agent.Msg> {
    interface Msg {}

    record StartWork(List<String> commands) implements Msg {}

    record Ping(ActorRef<String> replyTo) implements Msg {}

    record CollectTurn(ActorRef<List<ExecResult>> replyTo) implements Msg {}

    private record Started(String taskId) implements Msg {}

    private record Refused(Throwable why) implements Msg {}

    private record Collected(List<ExecResult> results, ActorRef<List<ExecResult>> replyTo) implements Msg {}

    @SuppressWarnings("unchecked")
    private static final Class<List<ExecResult>> RESULTS = (Class<List<ExecResult>>) (Class<?>) List.class;

    static Behavior<Msg> create(ActorRef<PoolSupervisor.Command> pool, String session, ActorRef<String> events) {
      return Behaviors.setup(context -> new Agent(context, pool, session, events));
    }

    private final ActorRef<PoolSupervisor.Command> pool;
    private final String session;
    private final ActorRef<String> events;
    private final List<String> taskIds = new ArrayList<>();

    private Agent(ActorContext<Msg> context, ActorRef<PoolSupervisor.Command> pool, String session, ActorRef<String> events) {
      super(context);
      this.pool = pool;
      this.session = session;
      this.events = events;
    }

    @Override
    public Receive<Msg> createReceive() {
      return newReceiveBuilder()
          .onMessage(StartWork.class, this::onStartWork)
          .onMessage(Started.class, this::onStarted)
          .onMessage(Refused.class, this::onRefused)
          .onMessage(Ping.class, this::onPing)
          .onMessage(CollectTurn.class, this::onCollectTurn)
          .onMessage(Collected.class, this::onCollected)
          .build();
    }

    private Behavior<Msg> onStartWork(StartWork work) {
      for (String command : work.commands()) {
        getContext()
            .askWithStatus(
                Submitted.class,
                pool,
                Duration.ofSeconds(10),
                replyTo -> new PoolSupervisor.Spawn(ExecRequest.of(session, command), replyTo),
                (submitted, failure) -> failure == null ? new Started(submitted.taskId()) : new Refused(failure));
      }
      return this;
    }

    private Behavior<Msg> onStarted(Started started) {
      taskIds.add(started.taskId());
      events.tell("started " + started.taskId());
      return this;
    }

    private Behavior<Msg> onRefused(Refused refused) {
      events.tell("refused " + refused.why().getMessage());
      return this;
    }

    private Behavior<Msg> onPing(Ping ping) {
      ping.replyTo().tell("pong with " + taskIds.size() + " tasks");
      return this;
    }

    private Behavior<Msg> onCollectTurn(CollectTurn turn) {
      getContext()
          .ask(
              RESULTS,
              pool,
              Duration.ofSeconds(10),
              replyTo -> new PoolSupervisor.CollectPending(session, replyTo),
              (results, failure) -> new Collected(failure == null ? results : List.of(), turn.replyTo()));
      return this;
    }

    private Behavior<Msg> onCollected(Collected collected) {
      collected.replyTo().tell(collected.results());
      return this;
    }
  }

  @Test
  void anAgentActorSpawnsKeepsWorkingAndDrainsOnLaterTurns() {
    TestProbe<String> events = testKit.createTestProbe();
    TestProbe<String> pongs = testKit.createTestProbe();
    TestProbe<List<ExecResult>> turns = testKit.createTestProbe();
    ActorRef<Agent.Msg> agent = testKit.spawn(Agent.create(pool, "agent", events.getRef()));

    agent.tell(new Agent.StartWork(List.of("echo one", "sleep 0.5; echo two")));
    assertTrue(events.receiveMessage().startsWith("started "));
    assertTrue(events.receiveMessage().startsWith("started "));
    agent.tell(new Agent.Ping(pongs.getRef()));
    assertEquals("pong with 2 tasks", pongs.receiveMessage(Duration.ofMillis(400)), "the agent answers while its commands run");

    List<String> outputs = new ArrayList<>();
    turns.awaitAssert(
        Duration.ofSeconds(20),
        Duration.ofMillis(100),
        () -> {
          agent.tell(new Agent.CollectTurn(turns.getRef()));
          turns.receiveMessage().forEach(r -> outputs.add(r.stdout()));
          assertEquals(2, outputs.size());
          return null;
        });
    assertEquals(List.of("one\n", "two\n"), outputs.stream().sorted().toList());
  }

  // --- crash isolation ---------------------------------------------------------------------------

  @Test
  void aCrashedTaskRunnerKillsItsTreeAndStillYieldsACrashedResult() {
    Path pids = tmp.resolve("crash.pids");
    String victim = spawn(ExecRequest.of("crash", "echo partial; echo $$ > " + pids + "; sleep 300"));
    String sibling = spawn(ExecRequest.of("crash", "sleep 0.5; echo sibling"));
    List<Long> started = Pids.read(pids, 1, Duration.ofSeconds(10));
    TestProbe<Boolean> injected = testKit.createTestProbe();

    LoggingTestKit.error(IllegalStateException.class)
        .expect(
            testKit.system(),
            () -> {
              pool.tell(new PoolSupervisor.InjectTaskFault("crash", victim, injected.getRef()));
              return null;
            });

    assertEquals(true, injected.receiveMessage());
    ExecResult crashed = awaitResult("crash", victim);
    assertEquals(Outcome.CRASHED, crashed.outcome());
    assertTrue(crashed.message().contains("not re-run"), crashed.message());
    Pids.awaitDead(started, Duration.ofSeconds(5));
    ExecResult other = awaitResult("crash", sibling);
    assertEquals(Outcome.EXITED, other.outcome());
    assertEquals("sibling\n", other.stdout());
    assertTrue(Files.notExists(pids) || rerunsAbsent(pids), "the command was not run a second time");
  }

  private static boolean rerunsAbsent(Path pids) {
    try {
      return Files.readAllLines(pids).stream().filter(l -> !l.isBlank()).count() == 1;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void aCrashedSessionKeepsItsResults() {
    String first = spawn(ExecRequest.of("fragile", "echo kept"));
    TestProbe<Boolean> running = testKit.createTestProbe();
    running.awaitAssert(
        () -> {
          pool.tell(new PoolSupervisor.IsRunning("fragile", first, running.getRef()));
          assertEquals(false, running.receiveMessage());
          return null;
        });
    TestProbe<Boolean> injected = testKit.createTestProbe();

    LoggingTestKit.error(IllegalStateException.class)
        .expect(
            testKit.system(),
            () -> {
              pool.tell(new PoolSupervisor.InjectSessionFault("fragile", injected.getRef()));
              return null;
            });

    assertEquals(true, injected.receiveMessage());
    TestProbe<List<ExecResult>> drained = testKit.createTestProbe();
    pool.tell(new PoolSupervisor.CollectPending("fragile", drained.getRef()));
    List<ExecResult> results = drained.receiveMessage();
    assertEquals(1, results.size());
    assertEquals("kept\n", results.get(0).stdout());
  }

  @Test
  void aSessionPastItsRestartLimitIsReplacedWithItsResultsAndSubscribersIntact() {
    String first = spawn(ExecRequest.of("doomed", "echo survivor"));
    awaitFinishedWithoutCollecting("doomed", first);
    TestProbe<TaskEvent> subscriber = testKit.createTestProbe();
    pool.tell(new PoolSupervisor.Subscribe("doomed", subscriber.getRef()));
    TestProbe<Boolean> injected = testKit.createTestProbe();
    for (int failure = 1; failure <= 2; failure++) {
      LoggingTestKit.error(IllegalStateException.class)
          .expect(testKit.system(), () -> {
            pool.tell(new PoolSupervisor.InjectSessionFault("doomed", injected.getRef()));
            return null;
          });
      assertEquals(true, injected.receiveMessage());
    }

    LoggingTestKit.error("replaced its actor, keeping its 1 results")
        .expect(testKit.system(), () -> {
          pool.tell(new PoolSupervisor.InjectSessionFault("doomed", injected.getRef()));
          return null;
        });

    String second = spawn(ExecRequest.of("doomed", "echo after"));
    TaskEvent.TaskFinished finished =
        subscriber.fishForMessage(Duration.ofSeconds(20), e -> e instanceof TaskEvent.TaskFinished
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore())
            .stream().map(TaskEvent.TaskFinished.class::cast).findFirst().orElseThrow();
    assertEquals(second, finished.taskId(), "the replacement kept the subscriber");
    assertEquals("survivor\n", awaitResult("doomed", first).stdout(), "the replacement kept the result");
    assertEquals("after\n", awaitResult("doomed", second).stdout());
  }

  private void awaitFinishedWithoutCollecting(String session, String taskId) {
    TestProbe<Boolean> running = testKit.createTestProbe();
    running.awaitAssert(
        () -> {
          pool.tell(new PoolSupervisor.IsRunning(session, taskId, running.getRef()));
          assertEquals(false, running.receiveMessage());
          return null;
        });
  }

  // --- sessions, logs, shutdown ------------------------------------------------------------------

  @Test
  void anIdleSessionActorStops() {
    String id = spawn(ExecRequest.of("idle", "true"));
    awaitResult("idle", id);
    TestProbe<PoolStats> stats = testKit.createTestProbe();

    stats.awaitAssert(
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        () -> {
          pool.tell(new PoolSupervisor.GetStats(stats.getRef()));
          PoolStats now = stats.receiveMessage();
          assertEquals(0, now.pending());
          assertEquals(0, now.sessions(), "idle session actors retired");
          return null;
        });
  }

  @Test
  void logLinesCarryTheSessionAndTaskIds() {
    LoggingTestKit.info("finished: EXITED")
        .withMdc(Map.of("sessionKey", "logged", "taskId", "logged-task"))
        .expect(
            testKit.system(),
            () -> {
              spawn(ExecRequest.of("logged", "true").withTaskId("logged-task"));
              return null;
            });
    awaitResult("logged", "logged-task");
  }

  @Test
  void terminatingTheActorSystemKillsEveryRunningTree() {
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "terminated", TestPools.config("execpool.max-concurrent = 0"));
    ExecPool embedded = ExecPool.create(system);
    Path pids = tmp.resolve("terminate.pids");
    for (int i = 0; i < 20; i++) {
      TestPools.await(
          embedded.spawn(
              ExecRequest.of("doomed", "sleep 300 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait")));
    }
    List<Long> started = Pids.read(pids, 40, Duration.ofSeconds(10));

    system.terminate();
    TestPools.await(system.getWhenTerminated());

    Pids.awaitDead(started, Duration.ofSeconds(1));
  }

  // --- subscribers and expiry --------------------------------------------------------------------

  private PoolStats statsOf(ActorRef<PoolSupervisor.Command> supervisor) {
    TestProbe<PoolStats> stats = testKit.createTestProbe();
    supervisor.tell(new PoolSupervisor.GetStats(stats.getRef()));
    return stats.receiveMessage();
  }

  @Test
  void aSubscriberKeepsItsSessionAliveUntilItStops() {
    ActorRef<PoolSupervisor.Command> own = testKit.spawn(PoolSupervisor.create(settings));
    TestProbe<TaskEvent> subscriber = testKit.createTestProbe();
    own.tell(new PoolSupervisor.Subscribe("watched", subscriber.getRef()));

    subscriber.expectNoMessage(Duration.ofMillis(900)); // three idle timeouts pass
    assertEquals(1, statsOf(own).sessions(), "a session with a subscriber is not retired");

    subscriber.stop();
    subscriber.awaitAssert(
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        () -> {
          assertEquals(0, statsOf(own).sessions(), "unsubscribed by watch, then retired");
          return null;
        });
    testKit.stop(own);
  }

  @Test
  void anUncollectedResultExpiresIntoAStandInThatIsDeliveredOnce() {
    MutableClock clock = new MutableClock();
    ActorRef<PoolSupervisor.Command> own = testKit.spawn(PoolSupervisor.create(settings, clock));
    TestProbe<StatusReply<Submitted>> spawned = testKit.createTestProbe();
    own.tell(new PoolSupervisor.Spawn(ExecRequest.of("forgetful", "echo lost").withTaskId("old"), spawned.getRef()));
    assertTrue(spawned.receiveMessage().isSuccess());
    TestProbe<Boolean> running = testKit.createTestProbe();
    running.awaitAssert(
        Duration.ofSeconds(10),
        Duration.ofMillis(20),
        () -> {
          own.tell(new PoolSupervisor.IsRunning("forgetful", "old", running.getRef()));
          assertEquals(false, running.receiveMessage());
          return null;
        });

    clock.advance(settings.resultTtl().plusSeconds(1));
    LoggingTestKit.warn("expired uncollected")
        .withMdc(Map.of("sessionKey", "forgetful"))
        .expect(
            testKit.system(),
            () -> {
              own.tell(PoolSupervisor.SweepExpired.INSTANCE);
              return null;
            });

    TestProbe<Optional<ExecResult>> collected = testKit.createTestProbe();
    own.tell(new PoolSupervisor.CollectTask("forgetful", "old", collected.getRef()));
    ExecResult standIn = collected.receiveMessage().orElseThrow(() -> new AssertionError("expired is not unknown"));
    assertEquals(Outcome.EXPIRED, standIn.outcome());
    assertEquals("", standIn.stdout(), "the output is gone");
    assertTrue(standIn.message().contains("result-ttl"), standIn.message());
    assertTrue(standIn.message().contains("EXITED and exit code 0"), standIn.message());
    own.tell(new PoolSupervisor.CollectTask("forgetful", "old", collected.getRef()));
    assertEquals(Optional.empty(), collected.receiveMessage(), "and only once");
    testKit.stop(own);
  }

  @Test
  void anExpiredStandInNobodyCollectsIsDroppedAfterAnotherTtl() {
    MutableClock clock = new MutableClock();
    ActorRef<PoolSupervisor.Command> own = testKit.spawn(PoolSupervisor.create(settings, clock));
    TestProbe<StatusReply<Submitted>> spawned = testKit.createTestProbe();
    own.tell(new PoolSupervisor.Spawn(ExecRequest.of("abandoned", "true").withTaskId("t"), spawned.getRef()));
    assertTrue(spawned.receiveMessage().isSuccess());
    TestProbe<PoolStats> stats = testKit.createTestProbe();
    stats.awaitAssert(
        () -> {
          own.tell(new PoolSupervisor.GetStats(stats.getRef()));
          assertEquals(1, stats.receiveMessage().pending());
          return null;
        });

    clock.advance(settings.resultTtl().plusSeconds(1));
    own.tell(PoolSupervisor.SweepExpired.INSTANCE);
    assertEquals(1, statsOf(own).pending(), "the stand-in is pending");
    clock.advance(settings.resultTtl().plusSeconds(1));
    own.tell(PoolSupervisor.SweepExpired.INSTANCE);

    assertEquals(0, statsOf(own).pending());
    TestProbe<List<ExecResult>> drained = testKit.createTestProbe();
    own.tell(new PoolSupervisor.CollectPending("abandoned", drained.getRef()));
    assertEquals(List.of(), drained.receiveMessage());
    testKit.stop(own);
  }
}
