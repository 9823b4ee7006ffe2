package dev.execpool.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * What a trial costs the JVM: peak heap, the live heap the GC found, peak threads and peak RSS.
 *
 * <p>Peak heap "used" counts garbage not yet collected, so it depends on how big the GC lets the
 * young generation grow; the largest heap right after a GC is the live set. Both are reported: the
 * first is what the peer figures show, the second what the pool really keeps. Samples every
 * 5 ms, and also takes the usage each GC saw before it ran (the true peaks a sampler can miss).
 */
final class ResourceSampler implements AutoCloseable {
  private static final Path STATUS = Path.of("/proc/self/status");

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final AtomicLong peakUsed = new AtomicLong();
  private final AtomicLong maxAfterGc = new AtomicLong();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener onGc = this::onGc;
  private final long baseHeap;
  private final int baseThreads;
  private final Thread sampler;
  private volatile boolean running = true;

  ResourceSampler() {
    System.gc();
    baseHeap = memory.getHeapMemoryUsage().getUsed();
    baseThreads = threads.getThreadCount();
    threads.resetPeakThreadCount();
    resetRssPeak();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(onGc, null, null);
        emitters.add(emitter);
      }
    }
    sampler = new Thread(this::sample, "resource-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void sample() {
    while (running) {
      peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void onGc(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
    peakUsed.accumulateAndGet(total(info.getMemoryUsageBeforeGc().values()), Math::max);
    maxAfterGc.accumulateAndGet(total(info.getMemoryUsageAfterGc().values()), Math::max);
  }

  private static long total(Iterable<MemoryUsage> pools) {
    long sum = 0;
    for (MemoryUsage usage : pools) {
      sum += usage.getUsed();
    }
    return sum;
  }

  /** Writing 5 to clear_refs resets VmHWM (Linux 4.0+), so RSS peaks belong to the workload. */
  private static void resetRssPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not allowed: the peak then includes the JVM's start-up.
    }
  }

  static long statusKb(String field) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** The figures, as trial metrics; call once the workload is done and before tearing down. */
  void report(Metrics metrics) {
    peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    metrics.put("heapBaseMB", mb(baseHeap));
    metrics.put("peakHeapMB", mb(peakUsed.get()));
    metrics.put("maxLiveAfterGcMB", mb(maxAfterGc.get()));
    metrics.put("baseThreads", baseThreads);
    metrics.put("peakThreads", threads.getPeakThreadCount());
    metrics.put("peakRssMB", statusKb("VmHWM") / 1024.0);
  }

  static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(onGc);
      } catch (ListenerNotFoundException e) {
        // already gone
      }
    }
  }
}
