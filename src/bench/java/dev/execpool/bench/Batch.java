package dev.execpool.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * W1-W3: the same command many times, {@code concurrency} in flight, through any contender. The
 * window is the harness's, not the contender's, so every contender sees the same load. A time budget
 * stops submitting early (NuProcess at C=1 manages about 20 tasks/s: 2,000 tasks would take 100 s);
 * the rate is then over the tasks that ran, which the figures say.
 */
final class Batch {
  private Batch() {}

  static void run(
      Contender contender, String command, int tasks, int concurrency, double budgetSeconds, long expectBytes,
      Metrics metrics) throws InterruptedException {
    Semaphore window = new Semaphore(concurrency);
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicLong bytes = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    long start = System.nanoTime();
    long budgetNanos = (long) (budgetSeconds * 1e9);
    int submitted = 0;
    while (submitted < tasks && System.nanoTime() - start < budgetNanos) {
      window.acquire();
      submitted++;
      contender
          .run(command)
          .whenComplete(
              (outcome, failure) -> {
                if (failure != null || outcome.exitCode() != 0 || (expectBytes >= 0 && outcome.stdoutBytes() != expectBytes)) {
                  failed.incrementAndGet();
                  firstFailure.compareAndSet(null, failure != null ? failure.toString() : String.valueOf(outcome));
                } else {
                  bytes.addAndGet(outcome.stdoutBytes());
                }
                done.incrementAndGet();
                window.release();
              });
    }
    window.acquire(concurrency); // every task has completed
    double wall = (System.nanoTime() - start) / 1e9;
    window.release(concurrency);
    if (firstFailure.get() != null) {
      System.err.println("first failure: " + firstFailure.get());
    }
    metrics.put("tasks", done.get());
    metrics.put("failures", failed.get());
    metrics.put("wallS", wall);
    metrics.put("tasksPerS", done.get() / wall);
    metrics.put("MBPerS", bytes.get() / 1e6 / wall);
  }

  /** Runs a few tasks first so that JIT compilation and thread creation are not timed (W1 only). */
  static void warmUp(Contender contender, String command, int tasks, int concurrency) throws InterruptedException {
    run(contender, command, tasks, concurrency, 60, -1, new Metrics());
  }
}
