package dev.execpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * 10,000 tasks from 100 concurrent sessions, a random mix of quick exits, failures, timeouts, kills
 * and floods. Afterwards every submission is accounted for (collected or refused with a reason),
 * every result is the one its kind must give, no task process is alive, and the JVM's threads and
 * open files are back where they started.
 */
class LoadTest {
  private static final int SESSIONS = 100;
  private static final int TASKS_PER_SESSION = 100;
  private static final int BATCH = 34; // above max-pending-per-session: some spawns are refused

  /** What a task does, and what its result must therefore be. */
  enum Kind {
    QUICK("echo ok", Duration.ofSeconds(30)),
    FAILS("echo oops >&2; exit 3", Duration.ofSeconds(30)),
    MISSING("no-such-command-in-execpool-load", Duration.ofSeconds(30)),
    TIMES_OUT("echo partial; sleep 10", Duration.ofMillis(200)),
    KILLED("sleep 30", Duration.ofSeconds(60)),
    FLOODS("head -c 200000 /dev/zero", Duration.ofSeconds(30));

    final String command;
    final Duration timeout;

    Kind(String command, Duration timeout) {
      this.command = command;
      this.timeout = timeout;
    }

    static Kind pick(Random random) {
      int roll = random.nextInt(100);
      if (roll < 60) return QUICK;
      if (roll < 70) return FAILS;
      if (roll < 75) return MISSING;
      if (roll < 85) return TIMES_OUT;
      if (roll < 92) return KILLED;
      return FLOODS;
    }

    void check(ExecResult r) {
      String why = name() + " gave " + r;
      switch (this) {
        case QUICK -> assertTrue(r.outcome() == Outcome.EXITED && r.exitCode() == 0 && r.stdout().equals("ok\n"), why);
        case FAILS -> assertTrue(r.outcome() == Outcome.EXITED && r.exitCode() == 3 && r.stderr().equals("oops\n"), why);
        case MISSING -> assertTrue(r.outcome() == Outcome.EXITED && r.exitCode() == 127, why);
        case TIMES_OUT -> assertTrue(r.outcome() == Outcome.TIMED_OUT && r.stdout().equals("partial\n"), why);
        case KILLED -> assertTrue(r.outcome() == Outcome.KILLED, why);
        case FLOODS -> assertTrue(
            r.outcome() == Outcome.EXITED && r.stdoutBytes() == 200_000 && r.stdoutTruncated(), why);
      }
    }
  }

  private final String runId = UUID.randomUUID().toString();
  private final LongAdder spawned = new LongAdder();
  private final LongAdder collected = new LongAdder();
  private final Map<ExecRejectedException.Reason, LongAdder> refused = new ConcurrentHashMap<>();
  private final Map<Kind, LongAdder> collectedByKind = new ConcurrentHashMap<>();
  private final List<AssertionError> wrong = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger maxRunningSeen = new AtomicInteger();

  @Test
  void tenThousandTasksFromAHundredSessionsAreAllAccountedFor() throws Exception {
    int threadsBefore = ourThreads();
    int fdsBefore = openFds();
    long started = System.nanoTime();

    ExecPool pool =
        TestPools.start(
            "execpool { max-concurrent = 16, max-queued = 1500, max-pending-per-session = 32,"
                + " kill-grace = 500ms, pipe-drain = 300ms, shutdown-grace = 500ms, max-output = 64KiB }");
    try {
      List<CompletableFuture<Void>> sessions = new ArrayList<>();
      for (int s = 0; s < SESSIONS; s++) {
        sessions.add(runSession(pool, "load-" + s, new Random(s)));
      }
      CompletableFuture.allOf(sessions.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
      if (!wrong.isEmpty()) {
        throw wrong.get(0);
      }

      long refusedTotal = refused.values().stream().mapToLong(LongAdder::sum).sum();
      assertEquals(SESSIONS * TASKS_PER_SESSION, spawned.sum());
      assertEquals(spawned.sum(), collected.sum() + refusedTotal, "spawned = collected + refused");
      PoolStats after = TestPools.await(pool.stats());
      assertEquals(0, after.running() + after.queued() + after.pending(), "nothing left in the pool: " + after);
      assertEquals(List.of(), processesOfThisRun(), "no task process is alive");
      assertTrue(maxRunningSeen.get() <= 16, "running never above the cap: " + maxRunningSeen.get());

      System.out.printf(
          "load: %d spawned in %.1f s: %d collected %s, %d refused %s; most running seen %d%n",
          spawned.sum(), (System.nanoTime() - started) / 1e9, collected.sum(), inKindOrder(), refusedTotal,
          refused, maxRunningSeen.get());
    } finally {
      pool.close();
    }

    // The pool's threads end with its actor system; the JDK's own "process reaper" threads are a
    // cache it keeps for 60 s and are not counted. Margin: 2 threads, 4 descriptors.
    Pids.await(() -> ourThreads() <= threadsBefore + 2, Duration.ofSeconds(20), "threads back to " + threadsBefore);
    Pids.await(() -> openFds() <= fdsBefore + 4, Duration.ofSeconds(20), "open fds back to " + fdsBefore);
    System.out.printf(
        "load: threads %d before, %d after; open fds %d before, %d after%n",
        threadsBefore, ourThreads(), fdsBefore, openFds());
  }

  private CompletableFuture<Void> runSession(ExecPool pool, String session, Random random) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int done = 0; done < TASKS_PER_SESSION; done += BATCH) {
      int size = Math.min(BATCH, TASKS_PER_SESSION - done);
      chain = chain.thenCompose(ignored -> runBatch(pool, session, random, size));
    }
    return chain;
  }

  /** Spawns a batch at once, kills the KILLED kind, then waits for and checks every accepted one. */
  private CompletableFuture<Void> runBatch(ExecPool pool, String session, Random random, int size) {
    List<CompletableFuture<Void>> tasks = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Kind kind = Kind.pick(random);
      ExecRequest request =
          ExecRequest.of(session, kind.command).withTimeout(kind.timeout).withEnv(Map.of("EXECPOOL_LOAD_RUN", runId));
      spawned.increment();
      tasks.add(
          pool.spawn(request)
              .toCompletableFuture()
              .handle((submitted, failure) -> {
                if (failure != null) {
                  countRefusal(failure);
                  return Optional.<Submitted>empty();
                }
                return Optional.of(submitted);
              })
              .thenCompose(submitted -> submitted.isEmpty()
                  ? CompletableFuture.completedFuture(null)
                  : follow(pool, session, submitted.get().taskId(), kind)));
    }
    return CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> follow(ExecPool pool, String session, String taskId, Kind kind) {
    CompletableFuture<?> killed =
        kind == Kind.KILLED ? pool.kill(session, taskId).toCompletableFuture() : CompletableFuture.completedFuture(true);
    return killed
        .thenCompose(ignored -> awaitResult(pool, session, taskId))
        .thenAccept(result -> {
          try {
            kind.check(result);
          } catch (AssertionError e) {
            wrong.add(e);
          }
          collected.increment();
          collectedByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
        })
        .thenCompose(ignored -> pool.stats().toCompletableFuture())
        .thenAccept(stats -> maxRunningSeen.accumulateAndGet(stats.running(), Math::max));
  }

  private CompletableFuture<ExecResult> awaitResult(ExecPool pool, String session, String taskId) {
    return pool.await(session, taskId, Duration.ofSeconds(30))
        .toCompletableFuture()
        .thenCompose(result -> result.isPresent()
            ? CompletableFuture.completedFuture(result.get())
            : awaitResult(pool, session, taskId));
  }

  private void countRefusal(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof ExecRejectedException rejected) {
      refused.computeIfAbsent(rejected.reason(), r -> new LongAdder()).increment();
    } else {
      wrong.add(new AssertionError("a spawn failed for a reason other than a refusal", cause));
    }
  }

  /** Processes carrying this run's variable: every task process of this test has it. */
  private List<Long> processesOfThisRun() {
    String entry = "EXECPOOL_LOAD_RUN=" + runId;
    List<Long> alive = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : entries) {
        try {
          byte[] environ = Files.readAllBytes(dir.resolve("environ"));
          if (Arrays.asList(new String(environ, StandardCharsets.UTF_8).split("\0")).contains(entry)) {
            alive.add(Long.parseLong(dir.getFileName().toString()));
          }
        } catch (IOException | RuntimeException e) {
          // gone, or not ours
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc", e);
    }
    return alive;
  }

  private static int ourThreads() {
    return (int)
        Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
            .filter(t -> !t.getThreadName().startsWith("process reaper"))
            .count();
  }

  private Map<Kind, Long> inKindOrder() {
    Map<Kind, Long> counts = new EnumMap<>(Kind.class);
    collectedByKind.forEach((kind, count) -> counts.put(kind, count.sum()));
    return counts;
  }

  private static int openFds() {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count();
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc/self/fd", e);
    }
  }

}
