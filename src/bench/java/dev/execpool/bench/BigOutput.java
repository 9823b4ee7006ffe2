package dev.execpool.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;

/**
 * W4: one task printing {@code bytes} through the pool, whose cap (1 MiB) keeps a head and a tail,
 * against the shell writing the same to /dev/null itself: the cost of reading every byte through
 * the pool, and the heap that costs (it must not grow with the output). A plain ProcessBuilder
 * reader that counts and drops the bytes shows what reading a pipe costs a JVM at all.
 */
final class BigOutput {
  private BigOutput() {}

  static String command(long bytes) {
    return "head -c " + bytes + " /dev/zero";
  }

  static void viaPool(long bytes, Metrics metrics) throws Exception {
    try (ExecPoolContender pool = new ExecPoolContender(1)) {
      // Heap growth: the live heap (after a full GC) mid-transfer, minus that of the started, idle
      // pool. Peak "used" would mostly count garbage the young generation has not yet collected.
      double idle = ManySessions.liveHeapMb();
      long start = System.nanoTime();
      // Stamped on completion: the wall must not include the heap sample's wait when the task ends first.
      var finished = new java.util.concurrent.atomic.AtomicLong();
      var running =
          pool.run(command(bytes)).whenComplete((done, failure) -> finished.set(System.nanoTime())).toCompletableFuture();
      Thread.sleep(1000);
      double mid = ManySessions.liveHeapMb();
      boolean midTransfer = !running.isDone();
      Contender.TaskOutcome outcome = running.get();
      double wall = (finished.get() - start) / 1e9;
      metrics.put("liveIdleMB", idle);
      metrics.put("heapGrowthMB", mid - idle);
      metrics.put("sampledMidTransfer", midTransfer ? 1 : 0);
      metrics.put("wallS", wall);
      metrics.put("MBPerS", bytes / 1e6 / wall);
      metrics.put("failures", outcome.exitCode() == 0 && outcome.stdoutBytes() == bytes ? 0 : 1);
    }
  }

  /**
   * A plain Java reader: ProcessBuilder, stdout read in 64 KiB reads and counted, not kept. What
   * reading the pipe costs a JVM at all, without the pool's stream and capture.
   */
  static void plainReader(long bytes, Metrics metrics) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process process =
        new ProcessBuilder("sh", "-c", command(bytes))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long read = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = process.getInputStream()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        read += n;
      }
    }
    int code = process.waitFor();
    double wall = (System.nanoTime() - start) / 1e9;
    metrics.put("wallS", wall);
    metrics.put("MBPerS", bytes / 1e6 / wall);
    metrics.put("failures", code == 0 && read == bytes ? 0 : 1);
  }

  static void shellAlone(long bytes, Metrics metrics) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process process =
        new ProcessBuilder("sh", "-c", command(bytes) + " >/dev/null")
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    int code = process.waitFor();
    double wall = (System.nanoTime() - start) / 1e9;
    metrics.put("wallS", wall);
    metrics.put("MBPerS", bytes / 1e6 / wall);
    metrics.put("failures", code == 0 ? 0 : 1);
  }
}
