package dev.execpool.bench;

import dev.execpool.ExecPool;
import dev.execpool.ExecRequest;
import dev.execpool.ExecResult;
import dev.execpool.PoolStats;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * W6: {@code sessions} sessions, each holding one small finished result nobody has collected yet:
 * the live heap that costs; then every session drained, and the session actors retired.
 *
 * <p>Two ways to make the results. {@code real}: each session runs {@code echo w6} (one process per
 * session: 100,000 of them take minutes on 2 cores). {@code killed} (the default): one task blocks
 * the only slot, every session's task queues behind it and is killed while queued, which yields a
 * real, small result (outcome KILLED) through the pool's ordinary path without a process. Either way
 * the pool holds the same books per session: a session actor, its store, and the task's record.
 */
final class ManySessions {
  private static final int IN_FLIGHT = 512;

  private ManySessions() {}

  static void run(int sessions, boolean realProcesses, Metrics metrics) throws Exception {
    Map<String, Object> settings =
        Map.of(
            "execpool.max-queued", sessions + 64,
            // Retire drained sessions quickly, so that the run can see them go.
            "execpool.session-idle-timeout", "2s",
            "execpool.ask-timeout", "60s");
    int concurrency = realProcesses ? 4 : 1;
    try (ExecPoolContender contender = new ExecPoolContender(concurrency, settings)) {
      ExecPool pool = contender.pool();
      double baseMb = liveHeapMb();
      String blocker = null;
      long start = System.nanoTime();
      if (realProcesses) {
        window(sessions, i -> pool.spawn(ExecRequest.of(key(i), "echo w6")));
      } else {
        blocker = pool.spawn(ExecRequest.of("w6-blocker", "sleep 600")).toCompletableFuture().join().taskId();
        window(
            sessions,
            i ->
                pool.spawn(ExecRequest.of(key(i), "true"))
                    .thenCompose(queued -> pool.kill(key(i), queued.taskId())));
      }
      PoolStats filled = waitFor(pool, s -> s.pending() >= sessions && s.queued() == 0, 600);
      metrics.put("fillS", (System.nanoTime() - start) / 1e9);
      double heldMb = liveHeapMb();
      metrics.put("sessions", sessions);
      metrics.put("pendingHeld", filled.pending());
      metrics.put("sessionActorsHeld", filled.sessions());
      metrics.put("liveHeapBaseMB", baseMb);
      metrics.put("liveHeapHeldMB", heldMb);
      metrics.put("heapPerSessionB", (heldMb - baseMb) * 1024 * 1024 / sessions);
      metrics.put("rssHeldMB", ResourceSampler.statusKb("VmRSS") / 1024.0);
      metrics.put("threadsHeld", ManagementFactory.getThreadMXBean().getThreadCount());
      if (Boolean.getBoolean("bench.histogram")) {
        System.err.println("W6 live heap while " + sessions + " sessions hold a result:\n" + HeapHistogram.top(30));
      }

      if (blocker != null) {
        pool.kill("w6-blocker", blocker).toCompletableFuture().join();
        contender.awaitResult("w6-blocker", blocker).toCompletableFuture().join();
      }
      AtomicInteger collected = new AtomicInteger();
      long drainStart = System.nanoTime();
      window(
          sessions,
          i ->
              pool.collectPending(key(i))
                  .thenApply(
                      (List<ExecResult> results) -> {
                        collected.addAndGet(results.size());
                        return results;
                      }));
      metrics.put("drainS", (System.nanoTime() - drainStart) / 1e9);
      metrics.put("collected", collected.get());
      long retireStart = System.nanoTime();
      PoolStats drained = waitFor(pool, s -> s.sessions() == 0, 120);
      metrics.put("retireS", (System.nanoTime() - retireStart) / 1e9);
      metrics.put("sessionActorsAfter", drained.sessions());
      metrics.put("pendingAfter", drained.pending());
      metrics.put("liveHeapAfterMB", liveHeapMb());
    }
  }

  private static String key(int i) {
    return "w6-" + i;
  }

  /** Runs {@code n} asks with at most IN_FLIGHT outstanding, and waits for all of them. */
  private static void window(int n, IntFunction<CompletionStage<?>> ask) throws InterruptedException {
    Semaphore permits = new Semaphore(IN_FLIGHT);
    AtomicInteger failures = new AtomicInteger();
    for (int i = 0; i < n; i++) {
      permits.acquire();
      ask.apply(i)
          .whenComplete(
              (ok, failure) -> {
                if (failure != null && failures.incrementAndGet() == 1) {
                  System.err.println("W6 ask failed: " + failure);
                }
                permits.release();
              });
    }
    permits.acquire(IN_FLIGHT);
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " asks failed");
    }
  }

  private static PoolStats waitFor(ExecPool pool, java.util.function.Predicate<PoolStats> done, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    PoolStats stats = pool.stats().toCompletableFuture().join();
    while (!done.test(stats) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      stats = pool.stats().toCompletableFuture().join();
    }
    return stats;
  }

  /** Heap in use right after a full collection: what is really held. */
  static double liveHeapMb() {
    System.gc();
    System.gc();
    return ResourceSampler.mb(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }
}
