package dev.execpool.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The named figures of one trial, in the order measured. Travels from the trial JVM to the harness
 * as one stdout line ({@code @@result name=value ...}), so the harness ignores anything else printed.
 */
final class Metrics {
  static final String PREFIX = "@@result";
  private final Map<String, Double> values = new LinkedHashMap<>();

  void put(String name, double value) {
    values.put(name, value);
  }

  Map<String, Double> values() {
    return values;
  }

  String toLine() {
    StringBuilder line = new StringBuilder(PREFIX);
    values.forEach((k, v) -> line.append(' ').append(k).append('=').append(String.format(Locale.ROOT, "%.6f", v)));
    return line.toString();
  }

  static Metrics parse(String line) {
    Metrics metrics = new Metrics();
    for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        metrics.put(part.substring(0, eq), Double.parseDouble(part.substring(eq + 1)));
      }
    }
    return metrics;
  }
}
