package dev.execpool.bench;

import java.util.List;

/**
 * One table of the report: a workload with fixed parameters, the contenders that run it, and the
 * figures to show (each ratio is against ProcessBuilder's figure from the same run).
 */
record Scenario(String label, String workload, List<String> contenders, List<String> params, List<String> shown) {
  static final List<String> ALL_PEERS = List.of("execpool", "execpool-jdk", "processbuilder", "zt-exec", "commons-exec", "nuprocess");

  /** Every scenario of the issue, with sizes for a full or a quick run. */
  static List<Scenario> plan(Options options) {
    boolean quick = options.quick();
    String w1Tasks = "tasks=" + (quick ? 300 : 2000);
    String w1Budget = "budget=" + options.w1Budget();
    return List.of(
        new Scenario("W1 C=1", "W1", ALL_PEERS, List.of(w1Tasks, "concurrency=1", w1Budget), List.of("tasksPerS", "peakThreads")),
        new Scenario("W1 C=4", "W1", ALL_PEERS, List.of(w1Tasks, "concurrency=4", w1Budget), List.of("tasksPerS", "peakThreads")),
        new Scenario(
            "W2", "W2", ALL_PEERS, List.of("tasks=" + (quick ? 8 : 40), "concurrency=2", "bytes=25000000"),
            List.of("MBPerS", "peakHeapMB", "maxLiveAfterGcMB", "peakRssMB")),
        new Scenario(
            "W3", "W3", ALL_PEERS,
            List.of("tasks=" + (quick ? 100 : 500), "concurrency=" + (quick ? 100 : 500), "sleep=2"),
            List.of("wallS", "peakThreads", "baseThreads", "peakRssMB")),
        new Scenario(
            "W4", "W4", List.of("execpool", "processbuilder", "shell"), List.of("bytes=" + (quick ? (1L << 28) : (1L << 31))),
            List.of("wallS", "MBPerS", "heapGrowthMB", "peakHeapMB", "sampledMidTransfer")),
        new Scenario(
            "W5", "W5", List.of("execpool", "processbuilder"),
            List.of("samples=" + (quick ? 50 : 200), "drainReps=" + options.w5DrainReps()),
            List.of(
                "spawnToStartP50ms", "spawnToStartP99ms", "spawnToPoolStartedP50ms", "spawnToPoolStartedP99ms",
                "exitToCollectableP50ms", "exitToCollectableP99ms", "drain1P50us", "drain100P50us")),
        new Scenario(
            "W6", "W6", List.of("execpool"),
            List.of("sessions=" + options.w6Sessions(), "mode=" + options.w6Mode()),
            List.of(
                "liveHeapBaseMB", "liveHeapHeldMB", "heapPerSessionB", "sessionActorsHeld", "fillS", "drainS",
                "retireS", "sessionActorsAfter", "liveHeapAfterMB", "rssHeldMB")));
  }

  /**
   * Runs of this scenario: W6 measures memory, not time (so noise hardly moves it), and takes minutes
   * per run at 100,000 sessions; it runs once.
   */
  int runs(Options options) {
    return workload.equals("W6") ? 1 : options.runs();
  }

  /** True for figures where bigger is better (the ratio then reads "times ProcessBuilder's"). */
  static boolean higherIsBetter(String metric) {
    return metric.endsWith("PerS");
  }
}
