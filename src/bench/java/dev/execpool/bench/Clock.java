package dev.execpool.bench;

import java.time.Instant;

/**
 * Wall-clock nanoseconds since the epoch: the same clock {@code date +%s%N} reads in a child, so a
 * timestamp printed by the command can be compared with ours (System.nanoTime cannot be).
 */
final class Clock {
  private Clock() {}

  static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  static long epochNanos(Instant at) {
    return at.getEpochSecond() * 1_000_000_000L + at.getNano();
  }
}
