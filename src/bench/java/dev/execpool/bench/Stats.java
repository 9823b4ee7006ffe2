package dev.execpool.bench;

import java.util.Arrays;
import java.util.List;

/** Median, spread and percentiles of a handful of figures. Nearest-rank: no made-up values. */
record Stats(double median, double min, double max, int count) {
  static Stats of(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
    }
    return new Stats(percentile(sorted, 50), sorted[0], sorted[sorted.length - 1], sorted.length);
  }

  /** The p-th percentile of already sorted values; the median of an even count is the mean of the middle two. */
  static double percentile(double[] sorted, double p) {
    if (p == 50 && sorted.length % 2 == 0 && sorted.length > 0) {
      return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double percentile(List<Double> values, double p) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return percentile(sorted, p);
  }
}
