package dev.execpool.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The harness's command line: {@code [W1 W2 ... | all] [--runs N] [--quick] [--contenders a,b]
 * [--jvm FLAG]... [--w1-budget SECONDS] [--w5-drain-reps N] [--w6-sessions N] [--w6-mode killed|real]}.
 * The defaults keep {@code all --runs 3} near 13 minutes on 2 busy cores; the figures in
 * docs/BENCHMARKS.md name the options they were taken with.
 */
record Options(
    List<String> workloads, int runs, boolean quick, List<String> contenders, List<String> jvmFlags,
    int w6Sessions, String w6Mode, double w1Budget, int w5DrainReps) {

  static Options parse(String[] args) {
    List<String> workloads = new ArrayList<>();
    List<String> jvm = new ArrayList<>();
    List<String> contenders = List.of();
    Integer runs = null;
    boolean quick = false;
    Integer sessions = null;
    String mode = "killed";
    Double budget = null;
    Integer drainReps = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--quick" -> quick = true;
        case "--contenders" -> contenders = List.of(args[++i].split(","));
        case "--jvm" -> jvm.add(args[++i]);
        case "--w6-sessions" -> sessions = Integer.parseInt(args[++i]);
        case "--w6-mode" -> mode = args[++i];
        case "--w1-budget" -> budget = Double.parseDouble(args[++i]);
        case "--w5-drain-reps" -> drainReps = Integer.parseInt(args[++i]);
        case "all" -> workloads.addAll(List.of("W1", "W2", "W3", "W4", "W5", "W6"));
        default -> {
          if (!args[i].matches("W[1-6]")) {
            throw new IllegalArgumentException("unknown argument " + args[i]);
          }
          workloads.add(args[i]);
        }
      }
    }
    if (workloads.isEmpty()) {
      workloads.addAll(List.of("W1", "W2", "W3", "W4", "W5", "W6"));
    }
    return new Options(
        workloads, runs != null ? runs : quick ? 1 : 3, quick, contenders, jvm,
        sessions != null ? sessions : quick ? 10_000 : 100_000, mode,
        budget != null ? budget : quick ? 5 : 8,
        drainReps != null ? drainReps : quick ? 3 : 5);
  }
}
