package dev.execpool.bench;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * The live heap's biggest classes, as {@code jcmd <pid> GC.class_histogram} prints them, through the
 * JVM's own diagnostic MBean: W6's evidence of what one held session costs, and which part of it.
 */
final class HeapHistogram {
  private HeapHistogram() {}

  /** The header and the {@code top} biggest classes. */
  static String top(int top) {
    try {
      String all =
          (String)
              ManagementFactory.getPlatformMBeanServer()
                  .invoke(
                      new ObjectName("com.sun.management:type=DiagnosticCommand"),
                      "gcClassHistogram",
                      new Object[] {new String[0]},
                      new String[] {String[].class.getName()});
      String[] lines = all.split("\n");
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < Math.min(lines.length, top + 2); i++) {
        out.append(lines[i]).append('\n');
      }
      return out.toString();
    } catch (Exception e) {
      return "no histogram: " + e;
    }
  }
}
