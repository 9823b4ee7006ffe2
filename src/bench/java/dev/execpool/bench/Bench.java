package dev.execpool.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark harness of issue 4. For every scenario and run it forks one JVM per contender
 * ({@link Trial}), in an order rotated by one each run so no contender always goes first (or last,
 * after the others warmed the page cache), then prints medians, spread and ratios against
 * ProcessBuilder from the same run. Raw figures go to {@code target/bench/}.
 *
 * <p>A JVM per trial keeps peak heap, peak threads and RSS one contender's own, and means a leak or
 * a leftover thread in one cannot slow the next. After each trial, {@link Leftovers} checks that no
 * process it started is still alive.
 */
public final class Bench {
  private static final String BASELINE = "processbuilder";
  private static final long TRIAL_TIMEOUT_S = 900;

  private final Options options;
  private final PrintStream out = System.out;
  private final PrintStream raw;

  private Bench(Options options, PrintStream raw) {
    this.options = options;
    this.raw = raw;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("launch-costs")) {
      LaunchCosts.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    Options options = Options.parse(args);
    Path dir = Path.of("target", "bench");
    Files.createDirectories(dir);
    Path rawFile = dir.resolve("results-" + Instant.now().toString().replace(':', '-') + ".tsv");
    try (PrintStream raw = new PrintStream(Files.newOutputStream(rawFile), true, StandardCharsets.UTF_8)) {
      new Bench(options, raw).runAll();
    }
    System.out.println("raw figures: " + rawFile);
  }

  private void runAll() throws Exception {
    out.println("# execpool benchmark " + Instant.now());
    out.println("machine: " + Machine.describe());
    out.println("options: " + options);
    out.println();
    for (Scenario scenario : Scenario.plan(options)) {
      if (options.workloads().contains(scenario.workload())) {
        runScenario(scenario);
      }
    }
  }

  private void runScenario(Scenario scenario) throws Exception {
    List<String> contenders =
        scenario.contenders().stream()
            .filter(c -> options.contenders().isEmpty() || options.contenders().contains(c) || c.equals("shell"))
            .toList();
    // results.get(contender).get(run) -> figures of that trial (null when it failed)
    Map<String, List<Metrics>> results = new LinkedHashMap<>();
    contenders.forEach(c -> results.put(c, new ArrayList<>()));
    for (int run = 0; run < scenario.runs(options); run++) {
      for (int k = 0; k < contenders.size(); k++) {
        String contender = contenders.get((k + run) % contenders.size());
        Metrics metrics = trial(scenario, contender, run);
        results.get(contender).add(metrics);
      }
      for (List<Metrics> perRun : results.values()) {
        while (perRun.size() < run + 1) {
          perRun.add(null);
        }
      }
    }
    print(scenario, results);
  }

  private Metrics trial(Scenario scenario, String contender, int run) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+IgnoreUnrecognizedVMOptions");
    command.add("--sun-misc-unsafe-memory-access=allow");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(options.jvmFlags());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Trial.class.getName());
    command.add(scenario.workload());
    command.add(contender);
    command.addAll(scenario.params());
    String id = UUID.randomUUID().toString();
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put(Leftovers.VARIABLE, id);
    long start = System.nanoTime();
    Process process = builder.start();
    String line = null;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l = reader.readLine(); l != null; l = reader.readLine()) {
        if (l.startsWith(Metrics.PREFIX)) {
          line = l;
        }
      }
    }
    if (!process.waitFor(TRIAL_TIMEOUT_S, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    int leftovers = Leftovers.reap(id);
    double seconds = (System.nanoTime() - start) / 1e9;
    Metrics metrics = line == null ? null : Metrics.parse(line);
    if (metrics != null) {
      metrics.put("leftoverProcesses", leftovers);
    }
    String status = metrics == null ? "FAILED (exit " + process.exitValue() + ")" : metrics.values().toString();
    out.printf(Locale.ROOT, "  %s run %d %-14s %5.1f s  %s%n", scenario.label(), run + 1, contender, seconds, status);
    raw.printf(
        Locale.ROOT, "%s\t%d\t%s\t%s\t%s%n", scenario.label(), run + 1, contender, String.join(" ", options.jvmFlags()),
        line == null ? "FAILED" : line);
    if (leftovers > 0) {
      out.println("  !! " + leftovers + " processes of this trial were still alive: killed");
    }
    return metrics;
  }

  private void print(Scenario scenario, Map<String, List<Metrics>> results) {
    out.println();
    out.println("### " + scenario.label() + " (" + String.join(" ", scenario.params()) + "; " + scenario.runs(options)
        + " runs" + (options.jvmFlags().isEmpty() ? "" : "; JVM " + String.join(" ", options.jvmFlags())) + ")");
    out.println();
    StringBuilder header = new StringBuilder("| contender |");
    StringBuilder rule = new StringBuilder("|---|");
    for (String metric : scenario.shown()) {
      header.append(' ').append(metric).append(" median [min–max] |");
      rule.append("---|");
      if (results.containsKey(BASELINE)) {
        header.append(" ×PB |");
        rule.append("---|");
      }
    }
    header.append(" failures | leftovers |");
    rule.append("---|---|");
    out.println(header);
    out.println(rule);
    for (Map.Entry<String, List<Metrics>> entry : results.entrySet()) {
      StringBuilder row = new StringBuilder("| " + entry.getKey() + " |");
      for (String metric : scenario.shown()) {
        Stats stats = Stats.of(values(entry.getValue(), metric));
        row.append(' ').append(format(stats)).append(" |");
        if (results.containsKey(BASELINE)) {
          row.append(' ').append(ratio(entry.getValue(), results.get(BASELINE), metric)).append(" |");
        }
      }
      row.append(' ').append(fmt(sum(entry.getValue(), "failures"))).append(" |");
      row.append(' ').append(fmt(sum(entry.getValue(), "leftoverProcesses"))).append(" |");
      out.println(row);
    }
    out.println();
    out.println("(×PB: median over runs of this figure divided by ProcessBuilder's in the same run.)");
    out.println();
  }

  private static List<Double> values(List<Metrics> runs, String metric) {
    List<Double> values = new ArrayList<>();
    for (Metrics m : runs) {
      if (m != null && m.values().containsKey(metric)) {
        values.add(m.values().get(metric));
      }
    }
    return values;
  }

  private static double sum(List<Metrics> runs, String metric) {
    return values(runs, metric).stream().mapToDouble(Double::doubleValue).sum() + runs.stream().filter(m -> m == null).count();
  }

  /** The median of per-run ratios: each run's noise hits both sides of its own ratio alike. */
  private static String ratio(List<Metrics> contender, List<Metrics> baseline, String metric) {
    List<Double> ratios = new ArrayList<>();
    for (int run = 0; run < contender.size() && run < baseline.size(); run++) {
      Metrics c = contender.get(run);
      Metrics b = baseline.get(run);
      if (c != null && b != null && c.values().containsKey(metric) && b.values().get(metric) != null
          && b.values().get(metric) != 0) {
        ratios.add(c.values().get(metric) / b.values().get(metric));
      }
    }
    return ratios.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f", Stats.of(ratios).median());
  }

  private static String format(Stats stats) {
    if (stats.count() == 0) {
      return "–";
    }
    return fmt(stats.median()) + " [" + fmt(stats.min()) + "–" + fmt(stats.max()) + "]";
  }

  static String fmt(double v) {
    double a = Math.abs(v);
    if (a >= 100 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
  }
}
