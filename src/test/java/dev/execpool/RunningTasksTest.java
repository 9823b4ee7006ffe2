package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Looking at and controlling tasks while they run, through the facade. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunningTasksTest {
  private final ActorSystem<Void> system =
      ActorSystem.create(
          Behaviors.empty(),
          "running-tasks",
          TestPools.config("execpool { max-concurrent = 8, max-output = 8 KiB, output-poll-interval = 20ms }"));
  private final ExecPool pool = ExecPool.create(system);

  @TempDir Path tmp;

  @AfterAll
  void shutdown() {
    pool.close();
    system.terminate();
    TestPools.await(system.getWhenTerminated());
  }

  @Test
  void incrementalReadsSeeEveryLineOnceAndInOrder() {
    String id =
        TestPools.await(pool.spawn(ExecRequest.of("reader", "for i in $(seq 1 15); do echo line $i; sleep 0.1; done")))
            .taskId();
    StringBuilder seen = new StringBuilder();
    long out = 0;
    long err = 0;
    int readsWithNews = 0;
    OutputChunk chunk;
    do {
      chunk = TestPools.await(pool.readOutput("reader", id, out, err));
      if (!chunk.stdout().isEmpty()) {
        readsWithNews++;
      }
      seen.append(chunk.stdout());
      assertEquals(0, chunk.stdoutSkipped());
      out = chunk.stdoutOffset();
      err = chunk.stderrOffset();
    } while (chunk.running() || !chunk.stdout().isEmpty());

    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 15; i++) {
      expected.append("line ").append(i).append('\n');
    }
    assertEquals(expected.toString(), seen.toString());
    assertTrue(readsWithNews > 3, "the output arrived piece by piece while running: " + readsWithNews);
    assertEquals(TaskState.FINISHED, chunk.state());
    ExecResult result = Results.await(pool, "reader", id);
    assertEquals(expected.toString(), result.stdout(), "reading did not consume the result");
  }

  @Test
  void readingAnotherSessionsTaskLooksUnknown() {
    String id = TestPools.await(pool.spawn(ExecRequest.of("mine", "echo secret"))).taskId();
    Results.await(pool, "mine", id);

    OutputChunk chunk = TestPools.await(pool.readOutput("yours", id, 0, 0));
    assertEquals(TaskState.UNKNOWN, chunk.state());
    assertEquals("", chunk.stdout());
  }

  @Test
  void killStopsTheWholeTreeAndKeepsTheOutputSoFar() {
    Path pids = tmp.resolve("kill.pids");
    String command =
        "echo ready; sleep 300 & echo $! >> " + pids + "; sleep 300 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait";
    String id = TestPools.await(pool.spawn(ExecRequest.of("killer", command))).taskId();
    List<Long> started = Pids.read(pids, 3, Duration.ofSeconds(10));

    assertTrue(TestPools.await(pool.kill("killer", id)));
    ExecResult result = Results.await(pool, "killer", id);

    assertEquals(Outcome.KILLED, result.outcome());
    assertNull(result.exitCode());
    assertEquals("ready\n", result.stdout());
    assertTrue(result.message().startsWith("killed on request"), result.message());
    Pids.assertDeadNow(started);
    assertFalse(TestPools.await(pool.kill("killer", id)), "a finished task cannot be killed");
    assertFalse(TestPools.await(pool.kill("killer", "no-such-task")));
  }

  @Test
  void killingAQueuedTaskRemovesItBeforeItRuns() {
    try (ExecPool single = TestPools.start("execpool.max-concurrent = 1")) {
      Path marker = tmp.resolve("ran");
      String blocker = TestPools.await(single.spawn(ExecRequest.of("q", "sleep 0.5"))).taskId();
      Submitted queued = TestPools.await(single.spawn(ExecRequest.of("q", "touch " + marker)));
      assertEquals(Submitted.State.QUEUED, queued.state());

      assertTrue(TestPools.await(single.kill("q", queued.taskId())));
      ExecResult result = Results.await(single, "q", queued.taskId());

      assertEquals(Outcome.KILLED, result.outcome());
      assertTrue(result.message().contains("before it started"), result.message());
      assertEquals(Outcome.EXITED, Results.await(single, "q", blocker).outcome());
      assertFalse(Files.exists(marker), "the killed task never ran");
    }
  }

  @Test
  void awaitWithAShortWaitReturnsEmptyAndTheTaskStillCompletes() {
    String id = TestPools.await(pool.spawn(ExecRequest.of("waiter", "sleep 0.5; echo done"))).taskId();

    assertEquals(Optional.empty(), TestPools.await(pool.await("waiter", id, Duration.ofMillis(100))));
    assertTrue(TestPools.await(pool.isRunning("waiter", id)));
    assertEquals("done\n", Results.await(pool, "waiter", id).stdout());
  }

  @Test
  void awaitReturnsTheResultAsSoonAsItFinishesAndCountsItCollected() {
    String id = TestPools.await(pool.spawn(ExecRequest.of("waiter2", "sleep 0.3; echo done"))).taskId();
    Instant asked = Instant.now();

    Optional<ExecResult> result = TestPools.await(pool.await("waiter2", id, Duration.ofSeconds(60)));

    assertTrue(result.isPresent());
    assertEquals("done\n", result.get().stdout());
    assertTrue(Duration.between(asked, Instant.now()).toMillis() < 10_000, "answered when it finished, not at the bound");
    assertEquals(Optional.empty(), TestPools.await(pool.collect("waiter2", id)), "delivered once");
  }

  @Test
  void awaitRefusesAWaitAboveTheLimit() {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> pool.await("w", "t", Duration.ofHours(1)));
    assertTrue(refused.getMessage().contains("max-await"), refused.getMessage());
  }

  @Test
  void spawnAndWaitAnswersWithTheResultOfAQuickCommand() {
    SpawnOutcome outcome =
        TestPools.await(pool.spawnAndWait(ExecRequest.of("fg", "echo quick"), Duration.ofSeconds(10)));

    SpawnOutcome.Finished finished = assertInstanceOf(SpawnOutcome.Finished.class, outcome);
    assertEquals("quick\n", finished.result().stdout());
    assertEquals(List.of(), TestPools.await(pool.collectPending("fg")), "already collected");
  }

  @Test
  void spawnAndWaitMovesASlowCommandToTheBackground() {
    SpawnOutcome outcome =
        TestPools.await(pool.spawnAndWait(ExecRequest.of("bg", "echo started; sleep 2"), Duration.ofMillis(500)));

    SpawnOutcome.StillRunning running = assertInstanceOf(SpawnOutcome.StillRunning.class, outcome);
    assertEquals("started\n", running.outputSoFar().stdout());
    assertTrue(running.outputSoFar().running());
    ExecResult later = Results.await(pool, "bg", running.taskId());
    assertEquals(Outcome.EXITED, later.outcome());
    assertEquals("started\n", later.stdout());
  }

  @Test
  void listShowsQueuedRunningAndFinishedTasks() {
    try (ExecPool single = TestPools.start("execpool.max-concurrent = 1")) {
      String done = TestPools.await(single.spawn(ExecRequest.of("lister", "echo hi").withToolCallId("c1"))).taskId();
      Results.awaitFinished(single, "lister", done);
      String running = TestPools.await(single.spawn(ExecRequest.of("lister", "echo go; sleep 1"))).taskId();
      String queued = TestPools.await(single.spawn(ExecRequest.of("lister", "true"))).taskId();
      Pids.await(
          () -> TestPools.await(single.readOutput("lister", running, 0, 0)).stdout().equals("go\n"),
          Duration.ofSeconds(10),
          "the running task to print");

      List<TaskInfo> tasks = TestPools.await(single.list("lister"));

      assertEquals(List.of(done, running, queued), tasks.stream().map(TaskInfo::taskId).toList());
      TaskInfo first = tasks.get(0);
      assertEquals(TaskState.FINISHED, first.state());
      assertEquals(Outcome.EXITED, first.outcome());
      assertEquals(0, first.exitCode());
      assertEquals("c1", first.toolCallId());
      assertEquals(3, first.stdoutBytes());
      TaskInfo second = tasks.get(1);
      assertEquals(TaskState.RUNNING, second.state());
      assertNotNull(second.startedAt());
      assertEquals(3, second.stdoutBytes());
      assertNull(second.outcome());
      TaskInfo third = tasks.get(2);
      assertEquals(TaskState.QUEUED, third.state());
      assertNull(third.startedAt());
      assertEquals(List.of(), TestPools.await(single.list("other")));
      TestPools.await(single.kill("lister", running));
    }
  }

  @Test
  @SuppressWarnings("try") // the subscription is held for the block, never read
  void aSubscriberHearsEveryTaskOfItsSessionStartAndFinish() throws Exception {
    BlockingQueue<TaskEvent> events = new LinkedBlockingQueue<>();
    List<String> ids = new ArrayList<>();
    try (AutoCloseable subscription = pool.subscribe("listened", events::add)) {
      TestPools.await(pool.spawn(ExecRequest.of("unheard", "true")));
      for (String command : List.of("true", "exit 3", "sleep 0.2")) {
        ids.add(TestPools.await(pool.spawn(ExecRequest.of("listened", command))).taskId());
      }

      List<TaskEvent> heard = new ArrayList<>();
      while (heard.stream().filter(e -> e instanceof TaskEvent.TaskFinished).count() < 3) {
        TaskEvent event = events.poll(20, TimeUnit.SECONDS);
        assertNotNull(event, "an event within 20 s; heard so far " + heard);
        heard.add(event);
      }

      assertTrue(heard.stream().allMatch(e -> e.sessionKey().equals("listened")), heard.toString());
      for (String id : ids) {
        assertEquals(1, heard.stream().filter(e -> e instanceof TaskEvent.TaskStarted && e.taskId().equals(id)).count());
        assertEquals(1, heard.stream().filter(e -> e instanceof TaskEvent.TaskFinished && e.taskId().equals(id)).count());
      }
      TaskEvent.TaskFinished failed =
          heard.stream()
              .filter(e -> e instanceof TaskEvent.TaskFinished f && f.taskId().equals(ids.get(1)))
              .map(TaskEvent.TaskFinished.class::cast)
              .findFirst()
              .orElseThrow();
      assertEquals(Outcome.EXITED, failed.outcome());
      assertEquals(3, failed.exitCode());
      assertEquals(3, TestPools.await(pool.collectPending("listened")).size(), "the results still wait to be collected");
    }
  }

  @Test
  void aLiveStreamFollowsTheOutputAndCompletesWhenTheTaskEnds() {
    String id =
        TestPools.await(pool.spawn(ExecRequest.of("live", "for i in 1 2 3 4 5; do echo tick $i; sleep 0.05; done")))
            .taskId();

    List<OutputChunk> chunks =
        TestPools.await(pool.outputStream("live", id).runWith(Sink.seq(), system));

    String text = chunks.stream().map(OutputChunk::stdout).reduce("", String::concat);
    assertEquals("tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n", text);
    assertTrue(chunks.stream().noneMatch(OutputChunk::hasGap));
    assertFalse(chunks.get(chunks.size() - 1).running(), "the last chunk says the task ended");
  }

  @Test
  void aSlowStreamConsumerGetsAGapMarkerAndDoesNotSlowTheProcess() {
    // 8 KiB kept per stream; seq prints about 590 KB at once.
    String id = TestPools.await(pool.spawn(ExecRequest.of("flood", "seq 1 100000"))).taskId();
    List<Instant> received = new ArrayList<>();

    List<OutputChunk> chunks =
        TestPools.await(
            pool.outputStream("flood", id)
                .throttle(1, Duration.ofMillis(200))
                .map(chunk -> {
                  received.add(Instant.now());
                  return chunk;
                })
                .runWith(Sink.seq(), system));

    ExecResult result = Results.await(pool, "flood", id);
    long total = result.stdoutBytes();
    assertEquals(588_895, total);
    long seen = chunks.stream().mapToLong(c -> c.stdout().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
    long skipped = chunks.stream().mapToLong(OutputChunk::stdoutSkipped).sum();
    assertTrue(chunks.stream().anyMatch(OutputChunk::hasGap), "the consumer was told it missed bytes");
    assertEquals(total, seen + skipped, "every byte was either seen or counted as skipped");
    assertTrue(received.size() >= 2);
    assertTrue(
        result.completedAt().isBefore(received.get(1)),
        "the command finished before the slow consumer took its second chunk");
  }
}
