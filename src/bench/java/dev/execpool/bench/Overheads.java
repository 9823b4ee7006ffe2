package dev.execpool.bench;

import dev.execpool.ExecPool;
import dev.execpool.ExecRequest;
import dev.execpool.ExecResult;
import dev.execpool.PoolStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * W5: what the pool adds around a process, one task at a time.
 *
 * <p>The command is {@code date +%s%N}: it prints the wall clock as the command itself runs, just
 * before it exits (dash execs a lone simple command, so this is the task's own process). Then
 * <ul>
 *   <li>spawn → started: that stamp minus the moment we called spawn (fork, the execs, the pool's
 *       messages); also the pool's own {@code startedAt} minus the spawn call;
 *   <li>exit → collectable: the moment the await answered, on the thread that completed it, minus
 *       the stamp (exit, reaping, EOF on the pipes, the result's trip through the actors);
 *   <li>drain: one {@code collectPending} round trip with 1 and with 100 results waiting.
 * </ul>
 */
final class Overheads {
  private static final String STAMP = "date +%s%N";

  private Overheads() {}

  record Sample(long spawnedAt, long stampedAt, long collectableAt, long poolStartedAt) {}

  static void viaPool(int samples, int drainReps, Metrics metrics) throws Exception {
    try (ExecPoolContender contender =
        new ExecPoolContender(4, Map.of("execpool.max-pending-per-session", 256, "execpool.max-queued", 256))) {
      ExecPool pool = contender.pool();
      for (int i = 0; i < 20; i++) {
        sampleOnce(contender); // warm-up: JIT, the I/O threads
      }
      List<Sample> all = new ArrayList<>();
      for (int i = 0; i < samples; i++) {
        all.add(sampleOnce(contender));
      }
      latencies(all, metrics);
      List<Double> poolStart = all.stream().map(s -> (s.poolStartedAt() - s.spawnedAt()) / 1e6).toList();
      metrics.put("spawnToPoolStartedP50ms", Stats.percentile(poolStart, 50));
      metrics.put("spawnToPoolStartedP99ms", Stats.percentile(poolStart, 99));
      metrics.put("drain1P50us", Stats.percentile(drainTimes(pool, "drain-1", 1, drainReps * 5), 50));
      metrics.put("drain100P50us", Stats.percentile(drainTimes(pool, "drain-100", 100, drainReps), 50));
    }
  }

  static void viaProcessBuilder(int samples, Metrics metrics) {
    try (ProcessBuilderContender contender = new ProcessBuilderContender(1)) {
      for (int i = 0; i < 20; i++) {
        sampleOnce(contender);
      }
      List<Sample> all = new ArrayList<>();
      for (int i = 0; i < samples; i++) {
        all.add(sampleOnce(contender));
      }
      latencies(all, metrics);
    }
  }

  private static void latencies(List<Sample> all, Metrics metrics) {
    List<Double> toStart = all.stream().map(s -> (s.stampedAt() - s.spawnedAt()) / 1e6).toList();
    List<Double> toCollect = all.stream().map(s -> (s.collectableAt() - s.stampedAt()) / 1e6).toList();
    metrics.put("samples", all.size());
    metrics.put("spawnToStartP50ms", Stats.percentile(toStart, 50));
    metrics.put("spawnToStartP99ms", Stats.percentile(toStart, 99));
    metrics.put("exitToCollectableP50ms", Stats.percentile(toCollect, 50));
    metrics.put("exitToCollectableP99ms", Stats.percentile(toCollect, 99));
  }

  private static Sample sampleOnce(ExecPoolContender contender) {
    long spawnedAt = Clock.epochNanos();
    record Done(ExecResult result, long at) {}
    Done done =
        contender.pool()
            .spawn(ExecRequest.of(ExecPoolContender.SESSION, STAMP))
            .thenCompose(s -> contender.awaitResult(ExecPoolContender.SESSION, s.taskId()))
            .thenApply(result -> new Done(result, Clock.epochNanos()))
            .toCompletableFuture()
            .join();
    return new Sample(
        spawnedAt, stamp(done.result().stdout()), done.at(), Clock.epochNanos(done.result().startedAt()));
  }

  private static Sample sampleOnce(Contender contender) {
    long spawnedAt = Clock.epochNanos();
    record Done(Contender.TaskOutcome outcome, long at) {}
    Done done =
        contender.run(STAMP).thenApply(outcome -> new Done(outcome, Clock.epochNanos())).toCompletableFuture().join();
    return new Sample(spawnedAt, stamp(done.outcome().stdoutHead()), done.at(), 0);
  }

  private static long stamp(String stdout) {
    return Long.parseLong(stdout.trim());
  }

  /** Microseconds per collectPending round trip, each with {@code pending} finished results waiting. */
  private static List<Double> drainTimes(ExecPool pool, String session, int pending, int reps) throws Exception {
    List<Double> times = new ArrayList<>();
    for (int rep = 0; rep < reps; rep++) {
      for (int i = 0; i < pending; i++) {
        pool.spawn(ExecRequest.of(session, "true")).toCompletableFuture().join();
      }
      waitUntilPending(pool, pending);
      long start = System.nanoTime();
      List<ExecResult> results = pool.collectPending(session).toCompletableFuture().join();
      times.add((System.nanoTime() - start) / 1e3);
      if (results.size() != pending) {
        throw new IllegalStateException("collected " + results.size() + " results, expected " + pending);
      }
    }
    return times;
  }

  private static void waitUntilPending(ExecPool pool, int pending) throws InterruptedException {
    for (int i = 0; i < 30_000; i++) {
      PoolStats stats = pool.stats().toCompletableFuture().join();
      if (stats.running() == 0 && stats.queued() == 0 && stats.pending() >= pending) {
        return;
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("results did not become collectable within 30 s");
  }
}
