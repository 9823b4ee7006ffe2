package dev.execpool.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a run measured, for the report: cores, CPU model, JDK, load at the start. */
final class Machine {
  private Machine() {}

  static String describe() {
    return Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel() + ", JDK "
        + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
        + ", load average " + firstLine("/proc/loadavg");
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  private static String firstLine(String file) {
    try {
      return Files.readAllLines(Path.of(file)).get(0);
    } catch (IOException | IndexOutOfBoundsException e) {
      return "?";
    }
  }
}
