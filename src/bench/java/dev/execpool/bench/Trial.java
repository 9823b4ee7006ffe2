package dev.execpool.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * One trial, in a JVM of its own: one workload, one contender, one run. Prints its figures as one
 * {@link Metrics} line on stdout. Started by {@link Bench}; by hand:
 * {@code java -cp ... dev.execpool.bench.Trial W1 execpool tasks=2000 concurrency=4}.
 */
public final class Trial {
  private Trial() {}

  public static void main(String[] args) throws Exception {
    String workload = args[0];
    String contender = args[1];
    Map<String, String> params = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      params.put(kv[0], kv[1]);
    }
    Metrics metrics = new Metrics();
    try (ResourceSampler sampler = new ResourceSampler()) {
      run(workload, contender, params, metrics);
      sampler.report(metrics);
    }
    System.out.println(metrics.toLine());
    System.out.flush();
    // Pekko and some peers leave non-daemon threads behind after close: the figures are out.
    System.exit(0);
  }

  private static void run(String workload, String name, Map<String, String> p, Metrics metrics) throws Exception {
    int tasks = Integer.parseInt(p.getOrDefault("tasks", "0"));
    int concurrency = Integer.parseInt(p.getOrDefault("concurrency", "1"));
    double budget = Double.parseDouble(p.getOrDefault("budget", "600"));
    switch (workload) {
      case "W1" -> {
        try (Contender c = Contender.create(name, concurrency)) {
          Batch.warmUp(c, "true", Integer.parseInt(p.getOrDefault("warmup", "50")), concurrency);
          Batch.run(c, "true", tasks, concurrency, budget, 0, metrics);
        }
      }
      case "W2" -> {
        long bytes = Long.parseLong(p.get("bytes"));
        try (Contender c = Contender.create(name, concurrency)) {
          Batch.run(c, "head -c " + bytes + " /dev/zero", tasks, concurrency, budget, bytes, metrics);
        }
      }
      case "W3" -> {
        try (Contender c = Contender.create(name, concurrency)) {
          Batch.run(c, "sleep " + p.getOrDefault("sleep", "2"), tasks, concurrency, budget, 0, metrics);
        }
      }
      case "W4" -> {
        long bytes = Long.parseLong(p.get("bytes"));
        if (name.equals("shell")) {
          BigOutput.shellAlone(bytes, metrics);
        } else if (name.equals("processbuilder")) {
          BigOutput.plainReader(bytes, metrics);
        } else {
          BigOutput.viaPool(bytes, metrics);
        }
      }
      case "W5" -> {
        int samples = Integer.parseInt(p.getOrDefault("samples", "200"));
        if (name.equals("processbuilder")) {
          Overheads.viaProcessBuilder(samples, metrics);
        } else {
          Overheads.viaPool(samples, Integer.parseInt(p.getOrDefault("drainReps", "20")), metrics);
        }
      }
      case "W6" ->
          ManySessions.run(
              Integer.parseInt(p.getOrDefault("sessions", "100000")), p.getOrDefault("mode", "killed").equals("real"),
              metrics);
      default -> throw new IllegalArgumentException("unknown workload " + workload);
    }
  }
}
